"""基础数据 forms follow the record's kind (catalog.KIND_FIELDS): a station shows 汛限 /
设计 / 校核水位 only as a 水库, a risk point its critical rainfall only for the types that
have one; what a hidden field holds comes back when the kind is switched back, and is not
saved while hidden. The old free-text 责任人 / 管理员 / 负责人 are in no form (roles are)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox
from pytestqt.qtbot import QtBot

from console.domain import catalog
from console.domain.ids import reference_id
from console.domain.reference_tables import reference_table
from console.services.context import Workstation
from console.views.forms.record_form import RecordForm
from console.views.main_window import MainWindow
from console.views.pages.data_page import COLUMN_CAP, DataPage
from tests.views.test_data_page import live, page, save, type_into
from tests.views.test_data_page_people import _pick as pick

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

LEVELS = [col for col, _label in catalog.RESERVOIR_LEVELS]


__all__ = ["page"]  # the 基础数据 page of a sample main window (a fixture)


def new_form(page: DataPage, table: str, kind: str) -> RecordForm:
    """A new record's form on ``table`` with its kind column set to ``kind``."""
    page.show_table(table)
    form = page.add_record()
    assert form is not None
    pick(form, catalog.KIND_FIELDS[table][0], kind)
    return form


def shown(form: RecordForm, name: str) -> bool:
    return form.cells[name].isVisibleTo(form) and form.editors[name].isEnabled()


def test_reservoir_levels_show_for_reservoirs_only_and_survive_a_switch(
    qtbot: QtBot, page: DataPage, workstation: object
) -> None:
    form = new_form(page, "stations", "雨量站")
    assert not any(shown(form, c) for c in LEVELS)
    assert shown(form, "warning_level_m") and shown(form, "guarantee_level_m")
    pick(form, "kind", "水库")
    assert all(shown(form, c) for c in LEVELS)
    level = form.editors["flood_limit_level_m"]
    assert isinstance(level, QDoubleSpinBox)
    level.setValue(312.5)
    pick(form, "kind", "雨量站")  # hidden, not lost
    assert not shown(form, "flood_limit_level_m") and form.value("flood_limit_level_m") is None
    assert "汛限水位" in form.kind_note.text() and form.kind_note.isVisibleTo(form)
    pick(form, "kind", "水库")
    assert form.value("flood_limit_level_m") == 312.5 and not form.kind_note.isVisibleTo(form)
    # Saved as a rain gauge, the level is not sent (the domain would refuse it).
    pick(form, "kind", "雨量站")
    type_into(qtbot, form, "code", "K001")
    type_into(qtbot, form, "name", "测试雨量站")
    save(qtbot, page, form)
    assert page.form is None
    row = live(workstation, "stations", reference_id("station", "K001"))  # type: ignore[arg-type]
    assert row is not None and row["kind"] == "雨量站" and row["flood_limit_level_m"] is None


def test_an_edited_reservoir_shows_its_levels(page: DataPage) -> None:
    page.show_table("stations")
    reservoir = next(r for r in page.snapshot.rows["stations"] if r["kind"] == "水库")
    assert page.select(reservoir["id"])
    form = page.edit_record()
    assert form is not None
    assert all(shown(form, c) for c in LEVELS)
    assert form.value("flood_limit_level_m") == reservoir["flood_limit_level_m"]


@pytest.mark.parametrize("kind", catalog.RISK_POINT_TYPES)
def test_risk_point_rainfall_follows_its_type(page: DataPage, kind: str) -> None:
    form = new_form(page, "risk_points", kind)
    expected = kind in catalog.RAIN_TIER_TYPES
    assert [shown(form, c) for c in catalog.RAIN_COLUMNS] == [expected] * 6
    assert shown(form, "warning_signal") and shown(form, "households")


def test_risk_point_rainfall_kept_through_a_switch_and_not_saved_when_hidden(
    qtbot: QtBot, page: DataPage, workstation: object
) -> None:
    form = new_form(page, "risk_points", "山洪危险区")
    rain = form.editors["evacuate_rain_3h_mm"]
    assert isinstance(rain, QDoubleSpinBox)
    rain.setValue(80)
    pick(form, "type", "河道")
    assert form.value("evacuate_rain_3h_mm") is None
    assert "立即转移雨量（3小时，毫米）" in form.kind_note.text()
    pick(form, "type", "地质灾害隐患点")
    assert form.value("evacuate_rain_3h_mm") == 80.0
    pick(form, "type", "河道")
    type_into(qtbot, form, "name", "测试河段")
    save(qtbot, page, form)
    assert page.form is None
    row = live(  # type: ignore[arg-type]
        workstation, "risk_points", reference_id("risk_point", "", "河道", "测试河段")
    )
    assert row is not None and row["evacuate_rain_3h_mm"] is None


def test_the_domain_refuses_rainfall_on_other_types() -> None:
    assert catalog.rainfall_problem({"type": "河道", "prepare_rain_1h_mm": 30.0}) == (
        "只有山洪危险区、地质灾害隐患点才填写临界雨量（该风险点类型为“河道”）"
    )
    assert catalog.rainfall_problem({"type": "河道", "prepare_rain_1h_mm": None}) is None
    assert catalog.rainfall_problem({"type": "山洪危险区", "prepare_rain_1h_mm": 30.0}) is None


@pytest.mark.parametrize(
    ("table", "legacy"),
    [
        ("risk_points", ("responsible_person", "responsible_phone")),
        ("shelters", ("manager", "phone")),
        ("teams", ("leader",)),
    ],
)
def test_the_old_free_text_people_are_not_in_the_form_and_stay_stored(
    qtbot: QtBot, page: DataPage, workstation: object, table: str, legacy: tuple[str, ...]
) -> None:
    """Responsibility goes through the roles: the form has no 责任人 / 管理员 / 负责人 box,
    and saving a record keeps what an old record holds there."""
    page.show_table(table)
    record = next(r for r in page.snapshot.rows[table] if r.get(legacy[0]))
    assert page.select(record["id"])
    header = page.table.horizontalHeader()
    labels = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(header.count())]
    form = page.edit_record()
    assert form is not None
    for field in legacy:
        assert field not in form.editors
        assert form.spec.fields.get(field) is None
    assert not {"责任人", "管理员", "负责人"} & set(labels)
    members = "members" if table == "teams" else "capacity" if table == "shelters" else "persons"
    form.set_value(members, 77)
    save(qtbot, page, form)
    assert page.form is None
    row = live(workstation, table, record["id"])  # type: ignore[arg-type]
    assert row is not None and row[members] == 77
    assert all(row[f] == record[f] for f in legacy)


@pytest.mark.parametrize("table", ["person_roles", "risk_points", "people"])
def test_the_name_column_keeps_its_content_at_1280x800(
    qtbot: QtBot, window: MainWindow, page: DataPage, table: str
) -> None:
    """The list's name (a role's 责任角色) is never squeezed to “〔样…” by wide neighbours:
    they give way first, down to their headers, then the list scrolls sideways; the same
    after the window is made smaller."""
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    page.show_table(table)
    spec = page.current()
    columns = spec.list_columns()
    name = columns.index(spec.name_column)
    header = page.table.horizontalHeader()

    def check() -> None:
        qtbot.wait(50)  # the layout settles: a stretched name shrinks with the viewport
        content = min(page.table.sizeHintForColumn(name), COLUMN_CAP)
        assert header.sectionSize(name) >= content, (table, header.sectionSize(name), content)
        for column in range(len(columns)):
            assert header.sectionSize(column) >= header.sectionSizeHint(column) - 1, column

    check()
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: window.width() == 1100)
    check()


def test_an_area_is_in_no_form_or_list_and_an_edit_keeps_it(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("risk_points")
    record = page.snapshot.rows["risk_points"][0]
    area = (
        '{"type":"Polygon","coordinates":[[[119.0,28.0],[119.1,28.0],[119.1,28.1],[119.0,28.0]]]}'
    )
    workstation.writer.apply([("risk_point.upsert", {"id": record["id"], "area": area})], user="测")
    qtbot.waitUntil(lambda: any(r.get("area") for r in page.snapshot.rows["risk_points"]))
    assert "area" not in reference_table("risk_points").list_columns()
    assert page.select(record["id"])
    form = page.edit_record()
    assert form is not None and "area" not in form.editors
    type_into(qtbot, form, "name", "改名危险区")
    save(qtbot, page, form)
    row = live(workstation, "risk_points", record["id"])
    assert row is not None and (row["name"], row["area"]) == ("改名危险区", area)
