"""基础数据: every reference table listed, added to, edited and deleted through the record
form built from its field declarations, over a real sample workstation."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import Table, select

from console.domain.ids import reference_id
from console.domain.reference_tables import REFERENCE_TABLES, reference_table
from console.domain.roles import LEADER, OFFICER, READONLY
from console.domain.schema import MODEL_BY_TABLE
from console.services.context import Workstation
from console.views.forms.record_form import EMPTY_NUMBER, UNSET, RecordForm
from console.views.main_window import MainWindow
from console.views.pages.data_page import DataPage

# The offscreen platform cannot pass a dialog's size hints on: not a fault.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

TABLES = [t.table for t in REFERENCE_TABLES]
# Issue #11: the rain configuration, forecasts and warnings. Their name column is a choice or
# a number, and their rules want numbers: tested through the form on their own below. Only
# the critical rainfall has sample rows.
RAIN_TABLES = [
    "rain_thresholds",
    "rain_forecasts",
    "warnings",
    "rain_signal_rules",
    "response_triggers",
]
WITHOUT_SAMPLE = {"rain_forecasts", "warnings", "rain_signal_rules", "response_triggers"}
# 应急一指南's items: the draft guides are there from the first start; the form needs the
# order number (a number, not typed text): tested on its own below.
DEFAULTS = {"guide_items"}


def live(workstation: Workstation, table: str, record_id: str) -> dict[str, Any] | None:
    t = MODEL_BY_TABLE[table].__table__
    assert isinstance(t, Table)
    with workstation.store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.id == record_id)).mappings().first()
    return None if row is None or row["deleted"] else dict(row)


def settle(page: DataPage) -> None:
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)


@pytest.fixture
def page(window: MainWindow) -> DataPage:
    shown = window.show_view("data")
    assert isinstance(shown, DataPage)
    settle(shown)
    return shown


def type_into(qtbot: QtBot, form: RecordForm, name: str, text: str) -> None:
    editor = form.editors[name]
    assert isinstance(editor, QLineEdit | QPlainTextEdit)
    editor.clear()
    editor.setFocus()
    # QTest types ASCII only: Chinese goes in as an input method would commit it.
    if isinstance(editor, QLineEdit):
        editor.insert(text)
    else:
        editor.insertPlainText(text)


def fill_required(qtbot: QtBot, form: RecordForm, tag: str) -> None:
    """Type every required text field (choices and references keep their first entry)."""
    for name, field in form.spec.fields.items():
        if field.required and isinstance(form.editors[name], QLineEdit):
            type_into(qtbot, form, name, f"{tag}{name[:4]}")


def save(qtbot: QtBot, page: DataPage, form: RecordForm) -> None:
    with qtbot.waitSignal(page.written, timeout=5000):
        form.submit()
    settle(page)


def test_every_table_is_listed_with_its_sample_records(
    page: DataPage, workstation: Workstation
) -> None:
    assert page.header.badge.isVisibleTo(page)  # 样例数据
    assert [page.chooser.itemText(i) for i in range(page.chooser.count())] == [
        "乡镇街道",
        "水文雨量站",
        "村（社区）",
        "避灾安置场所",
        "风险点",
        "救援队伍",
        "队伍成员",
        "队伍装备",
        "人员证书",
        "单位",
        "人员",
        "责任角色",
        "一户一策",
        "临界雨量",
        "面雨量预报",
        "预警信号",
        "暴雨信号标准",
        "应急响应条件",
        "应急指南事项",
        "摄像机",
    ]
    for table in TABLES:
        page.show_table(table)
        spec = reference_table(table)
        if table in DEFAULTS:  # the draft guides, loaded at first start, not sample data
            assert page.model.rowCount() == len(page.snapshot.rows[table]) > 0
            continue
        if table in WITHOUT_SAMPLE:
            assert page.model.rowCount() == len(page.snapshot.rows[table]) == 0
            if table == "rain_signal_rules":  # empty: the national defaults apply, and it says so
                assert "按国家标准" in page.summary.text()
            continue
        assert page.model.rowCount() == len(page.snapshot.rows[table]) > 0
        headers = [
            page.model.headerData(c, Qt.Orientation.Horizontal)
            for c in range(page.model.columnCount())
        ]
        assert headers == [spec.fields[c].label for c in spec.list_columns()]
        name_column = spec.list_columns().index(spec.name_column)
        assert page.proxy.index(0, name_column).data().startswith("〔样例〕")
    # References are shown by name: a village's township.
    page.show_table("villages")
    assert page.model.index(0, 0).data() in page.snapshot.names("townships").values()


def test_filter_by_township_and_name(page: DataPage) -> None:
    page.show_table("villages")
    total = page.proxy.rowCount()
    town = reference_id("township", "北界镇")
    page.township.setCurrentIndex(page.township.findData(town))
    rows = [
        page.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2)
        for r in range(page.proxy.rowCount())
    ]
    assert 0 < len(rows) < total and all(r["township_id"] == town for r in rows)
    name = rows[0]["name"]
    page.search.setText(name)
    assert page.proxy.rowCount() >= 1
    assert all(
        name in page.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2)["name"]
        for r in range(page.proxy.rowCount())
    )
    assert "显示" in page.summary.text()


# A role's id is new_id() and its object follows the role: tested on its own below. The
# team tables (issue 14) are keyed by the referred records' ids: their form is tested on the
# 队伍 tab (tests/views/test_team_board.py).
TEAM_TABLES = {"team_members", "team_equipment", "person_certificates"}


@pytest.mark.parametrize(
    "table",
    [t for t in TABLES if t != "person_roles" and t not in {*RAIN_TABLES} | DEFAULTS | TEAM_TABLES],
)
def test_add_edit_delete_through_the_form(
    qtbot: QtBot, page: DataPage, workstation: Workstation, table: str
) -> None:
    page.show_table(table)
    spec = reference_table(table)
    form = page.add_record()
    assert form is not None and form.isVisible()
    fill_required(qtbot, form, "测试")
    values = form.values()
    save(qtbot, page, form)
    assert page.form is None  # closed on success
    # The id comes from the natural key, as the sample's does.
    # A person without a mobile is keyed by unit + name.
    record_id = key_id(page, values)
    row = live(workstation, table, record_id)
    assert row is not None and row["is_sample"] is False
    assert row[spec.name_column] == values[spec.name_column]
    assert page.selected() is not None and page.selected()["id"] == record_id  # type: ignore[index]

    # Edit: change the name; the record keeps its id.
    form = page.edit_record()
    assert form is not None
    type_into(qtbot, form, spec.name_column, "改过的名称")
    save(qtbot, page, form)
    row = live(workstation, table, record_id)
    assert row is not None and row[spec.name_column] == "改过的名称"

    # Delete: asked first; 取消 keeps it, 删除 removes it.
    box = page.delete_record()
    assert box is not None and "改过的名称" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    settle(page)
    assert live(workstation, table, record_id) is not None
    delete_shown(qtbot, page)
    assert live(workstation, table, record_id) is None
    assert record_id not in {r["id"] for r in page.snapshot.rows[table]}


def key_id(page: DataPage, values: dict[str, Any]) -> str:
    """The id the page gives a new record with ``values``: its natural key, references by
    name (as the sample's ids)."""
    spec = page.current()
    key = [
        page.snapshot.names(ref).get(values[c], "")
        if (ref := spec.fields[c].ref)
        else str(values[c])
        for c in spec.key_columns(values)
    ]
    return reference_id(spec.entity, *key)


def delete_shown(qtbot: QtBot, page: DataPage) -> None:
    """删除 on the selected record, confirmed."""
    box = page.delete_record()
    assert box is not None
    with qtbot.waitSignal(page.written, timeout=5000):
        box.button(QMessageBox.StandardButton.Yes).click()
    settle(page)


# What each rain table's form needs beyond its first choices, and the number an edit changes.
RAIN_FORM: dict[str, tuple[dict[str, Any], str, Any]] = {
    "rain_thresholds": ({"rain_3h_mm": 60.0}, "rain_3h_mm", 70.0),
    "rain_forecasts": (
        {
            "issued_at": "2026-09-28T08:00:00+08:00",
            "valid_from": "2026-09-28T08:00:00+08:00",
            "horizon_h": 3,
            "mm": 40.0,
        },
        "mm",
        55.0,
    ),
    "warnings": ({"issued_at": "2026-09-28T08:00:00+08:00", "area": "全县"}, "area", "北部"),
    "rain_signal_rules": ({"hours": 3, "mm": 100.0}, "mm", 90.0),
    "response_triggers": ({"low": 50.0, "high": 80.0}, "high", 90.0),
}


@pytest.mark.parametrize("table", RAIN_TABLES)
def test_rain_tables_add_edit_delete_through_the_form(
    qtbot: QtBot, page: DataPage, workstation: Workstation, table: str
) -> None:
    page.show_table(table)
    form = page.add_record()
    assert form is not None
    given, edited, new_value = RAIN_FORM[table]
    # Without the numbers its rule wants, the form refuses in Chinese and stays open.
    if table != "warnings":
        form.submit()
        settle(page)
        assert page.form is form and form.isVisible()
    for name, value in given.items():
        form.set_value(name, value)
    values = form.values()
    save(qtbot, page, form)
    assert page.form is None
    record_id = key_id(page, values)
    row = live(workstation, table, record_id)
    assert row is not None and all(row[k] == v for k, v in given.items())
    form = page.edit_record()
    assert form is not None
    form.set_value(edited, new_value)
    save(qtbot, page, form)
    row = live(workstation, table, record_id)
    assert row is not None and row[edited] == new_value
    delete_shown(qtbot, page)
    assert live(workstation, table, record_id) is None


def test_a_guide_item_added_edited_and_deleted_through_the_form(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("guide_items")
    drafts = page.model.rowCount()
    form = page.add_record()
    assert form is not None
    type_into(qtbot, form, "hazard", "台风")
    type_into(qtbot, form, "action", "通知渔船回港、人员上岸")
    form.set_value("seq", 1)
    form.set_value("limit_minutes", 60)
    values = form.values()
    save(qtbot, page, form)
    assert page.form is None and page.model.rowCount() == drafts + 1
    record_id = key_id(page, values)
    assert record_id == reference_id("guide_item", "台风", "IV", "带班领导", "1")
    row = live(workstation, "guide_items", record_id)
    assert row is not None and (row["action"], row["limit_minutes"]) == (
        "通知渔船回港、人员上岸",
        60,
    )
    form = page.edit_record()
    assert form is not None
    form.set_value("limit_minutes", 30)
    save(qtbot, page, form)
    row = live(workstation, "guide_items", record_id)
    assert row is not None and row["limit_minutes"] == 30
    delete_shown(qtbot, page)
    assert live(workstation, "guide_items", record_id) is None


def test_a_time_typed_without_offset_is_beijing_time(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("warnings")
    form = page.add_record()
    assert form is not None
    issued = form.editors["issued_at"]
    assert isinstance(issued, QLineEdit) and "北京时间" in issued.placeholderText()
    type_into(qtbot, form, "issued_at", "2016-09-28 08:00")
    type_into(qtbot, form, "area", "全县")
    assert form.value("issued_at") == "2016-09-28T08:00:00+08:00"
    assert form.value("until") == ""  # empty: no time (the field check takes it as none)
    type_into(qtbot, form, "until", "明天")
    assert "不是有效的时间" in form.problems()["until"]


def test_editors_follow_the_declarations(page: DataPage) -> None:
    page.show_table("risk_points")
    form = page.add_record()
    assert form is not None
    name = form.editors["name"]
    assert isinstance(name, QLineEdit) and name.maxLength() == 80
    assert isinstance(form.editors["note"], QPlainTextEdit)  # long text
    kind = form.editors["type"]
    assert isinstance(kind, QComboBox) and kind.itemText(0) != UNSET  # required choice
    shelter = form.editors["shelter_id"]
    assert isinstance(shelter, QComboBox) and shelter.itemText(0) == UNSET  # optional ref
    households = form.editors["households"]
    assert isinstance(households, QSpinBox)
    assert (households.minimum(), households.maximum()) == (0, 10_000_000)
    qtbot_text = households.lineEdit()
    qtbot_text.selectAll()
    households.lineEdit().insert("99999999")  # beyond the declared range: not taken
    assert households.value() <= 10_000_000
    lat = form.editors["lat"]
    assert isinstance(lat, QDoubleSpinBox) and lat.maximum() == 90
    assert lat.text() == EMPTY_NUMBER and form.value("lat") is None  # explicit empty state
    lat.setValue(28.5)
    assert form.value("lat") == 28.5
    page.show_table("townships")
    form = page.add_record()
    assert form is not None
    assert isinstance(form.editors["position_approximate"], QCheckBox)


def test_villages_follow_the_chosen_township(page: DataPage) -> None:
    page.show_table("shelters")
    form = page.add_record()
    assert form is not None
    town = reference_id("township", "北界镇")
    form.set_value("township_id", town)
    villages = form.editors["village_id"]
    assert isinstance(villages, QComboBox)
    ids = [villages.itemData(i) for i in range(1, villages.count())]
    expected = {r["id"] for r in page.snapshot.rows["villages"] if r["township_id"] == town}
    assert ids and set(ids) == expected


def test_refusals_show_the_chinese_message_and_keep_the_input(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("risk_points")
    form = page.add_record()
    assert form is not None
    # Missing required name.
    type_into(qtbot, form, "warning_signal", "铜锣")
    form.submit()
    assert form.isVisible()
    assert form.messages["name"].text() == "“风险点名称”不能为空"
    assert form.messages["name"].isVisibleTo(form)
    assert form.value("warning_signal") == "铜锣"
    # Too long (long text has no typing limit: the shared check refuses it).
    type_into(qtbot, form, "name", "测试风险点")
    route = form.editors["transfer_route"]
    assert isinstance(route, QPlainTextEdit)
    route.setPlainText("路" * 501)
    form.submit()
    assert form.messages["transfer_route"].text() == "“转移路线”过长（最多 500 字，实际 501 字）"
    assert not form.messages["name"].isVisibleTo(form)
    assert form.value("transfer_route") == "路" * 501 and form.value("name") == "测试风险点"
    assert (
        live(workstation, "risk_points", reference_id("risk_point", "", "", "测试风险点")) is None
    )


def test_village_of_another_township_is_refused(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    """The form offers the chosen township's villages; when the village is moved meanwhile
    (another workstation), the domain's place rule refuses the save, under the field."""
    page.show_table("shelters")
    form = page.add_record()
    assert form is not None
    town = reference_id("township", "北界镇")
    form.set_value("township_id", town)
    villages = form.editors["village_id"]
    assert isinstance(villages, QComboBox)
    villages.setCurrentIndex(1)
    village_id = villages.currentData()
    type_into(qtbot, form, "name", "测试避灾点")
    village = live(workstation, "villages", village_id)
    assert village is not None
    workstation.writer.apply(
        [
            (
                "village.upsert",
                {"id": village_id, "township_id": reference_id("township", "妙高街道")},
            )
        ],
        user="另一台",
    )
    save(qtbot, page, form)
    assert form.isVisible()
    assert form.messages["village_id"].text() == "未保存：“所属村”不属于所选乡镇，请重新选择"
    assert form.value("name") == "测试避灾点" and form.value("village_id") == village_id
    assert form.save_button.isEnabled()


def test_a_new_record_with_an_existing_key_is_refused(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("townships")
    form = page.add_record()
    assert form is not None
    type_into(qtbot, form, "name", "北界镇")
    save(qtbot, page, form)
    assert form.isVisible()
    assert "已有相同的乡镇街道记录（北界镇）" in form.message.text()
    assert form.value("name") == "北界镇"


def test_delete_of_a_referenced_record_is_refused(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("townships")
    town = reference_id("township", "北界镇")
    assert page.select(town)
    box = page.delete_record()
    assert box is not None
    with qtbot.waitSignal(page.written, timeout=5000):
        box.button(QMessageBox.StandardButton.Yes).click()
    settle(page)
    assert page.refusal is not None
    assert "“北界镇”仍被" in page.refusal.text() and "个村（社区）" in page.refusal.text()
    assert "不能删除" in page.note.text()
    assert live(workstation, "townships", town) is not None


def test_the_list_follows_the_change_bus(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("teams")
    before = page.model.rowCount()
    team = reference_id("team", "另一台新增的队伍")
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        workstation.writer.apply(
            [("team.upsert", {"id": team, "name": "另一台新增的队伍", "kind": "社会救援"})],
            user="另一台",
        )
    assert page.model.rowCount() == before + 1
    assert page.select(team)


def test_keyboard_enter_moves_on_ctrl_enter_saves_esc_cancels(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    page.show_table("teams")
    form = page.add_record()
    assert form is not None
    first = form.editors["name"]
    qtbot.waitUntil(first.hasFocus, timeout=2000)
    type_into(qtbot, form, "name", "键盘队")
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert form.editors["kind"].hasFocus()
    qtbot.keyClick(form.editors["kind"], Qt.Key.Key_Tab)  # Tab: the declaration order too
    assert form.editors["township_id"].hasFocus()
    qtbot.keyClick(form.editors["township_id"], Qt.Key.Key_Backtab)
    assert form.editors["kind"].hasFocus()
    type_into(qtbot, form, "kind", "Rescue")
    with qtbot.waitSignal(page.written, timeout=5000):
        qtbot.keyClick(form.editors["kind"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(page)
    assert live(workstation, "teams", reference_id("team", "键盘队")) is not None
    form = page.add_record()
    assert form is not None
    qtbot.keyClick(form.editors["name"], Qt.Key.Key_Escape)
    assert page.form is None


@pytest.mark.parametrize(
    ("role", "add", "delete"),
    [(None, True, True), (LEADER, True, True), (OFFICER, True, False), (READONLY, False, False)],
)
def test_buttons_follow_the_role(
    page: DataPage, monkeypatch: pytest.MonkeyPatch, role: str | None, add: bool, delete: bool
) -> None:
    monkeypatch.setattr(page, "role", lambda: role)
    page.show_table("villages")
    page.table.selectRow(0)
    assert page.add_button.isEnabled() is add
    assert page.edit_button.isEnabled() is add
    assert page.delete_button.isEnabled() is delete
    assert (page.delete_record() is not None) is delete


def test_import_export_slot(page: DataPage) -> None:
    assert page.import_export_button.isVisibleTo(page)  # the window has the write path
    page.set_import_export(None)
    assert not page.import_export_button.isVisibleTo(page)
    asked: list[str] = []
    page.set_import_export(asked.append)
    page.show_table("stations")
    assert page.import_export_button.isVisibleTo(page)
    page.import_export_button.click()
    assert asked == ["stations"]


def test_optional_numbers_keep_their_empty_state(
    qtbot: QtBot, page: DataPage, workstation: Workstation
) -> None:
    """A station without 警戒水位 saved through the form stays without one (not 0), and a
    level given is saved as typed."""
    page.show_table("stations")
    form = page.add_record()
    assert form is not None
    type_into(qtbot, form, "code", "T001")
    type_into(qtbot, form, "name", "测试水位站")
    guarantee = form.editors["guarantee_level_m"]
    assert isinstance(guarantee, QDoubleSpinBox)
    guarantee.setValue(-100)  # the declared minimum is a value, not the empty state
    save(qtbot, page, form)
    row = live(workstation, "stations", reference_id("station", "T001"))
    assert row is not None
    assert row["warning_level_m"] is None and row["guarantee_level_m"] == -100
    assert row["lon"] is None and row["lat"] is None
