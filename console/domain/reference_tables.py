"""The reference tables the 基础数据 page edits, and how a new record's id is derived.

One registry of the reference tables: the page, the form and the import/export files
(:mod:`console.services.io.layout` derives its layouts from :data:`REFERENCE_TABLES`) all
read it. One entry per table: adding a table (or a field to one) in
:mod:`console.domain.schema` plus an entry here makes it editable; the list columns and the
form come from the table's field declarations (:data:`console.domain.schema.ENTITY_FIELDS`).

Ids. A new record's id comes from its natural key, exactly as the sample county's does
(:mod:`console.domain.sample`): the same village typed on two workstations is ONE record on
the server, and a county's own record with a sample record's key replaces it. A reference
in the key (a village's township) counts by the referred record's name. A person is keyed
by their mobile number, or, without one, by unit + name (``fallback_key``; every sample
person has a mobile). A table without a natural key (``natural_key=()``) gets
:func:`console.domain.ids.new_id`. An edit keeps the record's id even when its name
changes, so the records pointing at it stay right.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from console.domain import catalog, rain_catalog
from console.domain.fields import Field
from console.domain.ids import new_id, reference_id
from console.domain.schema import ENTITY_FIELDS

# Fields the forms never show: the sample flag is kept as it is (a sample record stays
# local and labelled 样例数据 when edited; a new record is the county's own).
HIDDEN_FIELDS = frozenset({"is_sample"})
LONG_TEXT = 200  # text fields longer than this are edited in a multi-line box, not listed


def is_long_text(spec: Field) -> bool:
    return spec.kind is str and (spec.max_len or 0) > LONG_TEXT


@dataclass(frozen=True)
class ReferenceTable:
    table: str  # the synced table
    entity: str  # mutation prefix (<entity>.upsert / .delete) and reference_id kind
    title: str  # Chinese name in the table chooser
    natural_key: tuple[str, ...]  # columns making the id; () -> new_id()
    # The duty room's column order in files; fields not named follow in declaration order.
    file_order: tuple[str, ...] = ()
    # The key when every natural-key column is empty (a person without a mobile).
    fallback_key: tuple[str, ...] = ()
    file_title: str = ""  # the sheet's (and --table's) Chinese name; "" -> title
    in_files: bool = True  # importable/exportable through the layouts
    # Keyed by the referred records' ids, not names (a role: person + role + object, where
    # the object columns are optional and a name alone may be ambiguous).
    key_by_id: bool = False
    # Columns of the files that are not the table's: they locate a referred record (a role's
    # person by unit or mobile). (name, declaration) pairs; placed by ``file_order``.
    file_only: tuple[tuple[str, Field], ...] = ()
    name_column: str = "name"
    # Said beside the count while the table is empty (a table whose defaults apply then).
    empty_note: str = ""
    # Free text kept for old data (a risk point's 责任人): responsibility goes through the
    # roles now, so these are in no form, list, template or export; the stored values stay
    # (the map card shows them when no role is recorded) and an old file's column of that
    # name is still read, with ``legacy_hint`` (where the people go now) in the preview.
    legacy: tuple[str, ...] = ()
    legacy_hint: str = ""

    @property
    def sheet_title(self) -> str:
        return self.file_title or self.title

    def key_columns(self, values: Mapping[str, Any]) -> tuple[str, ...]:
        """The natural-key columns that name a record with ``values``."""
        if self.fallback_key and not any(_filled(values.get(c)) for c in self.natural_key):
            return self.fallback_key
        return self.natural_key

    @property
    def fields(self) -> dict[str, Field]:
        """The fields forms and lists show: not the sample flag, old free text or an area
        (范围, GeoJSON: imported and exported as .geojson, drawn on the map; a form's save
        leaves it as it is)."""
        hidden = HIDDEN_FIELDS | set(self.legacy)
        return {
            k: f for k, f in ENTITY_FIELDS[self.table].items() if k not in hidden and not f.area
        }

    def list_columns(self) -> list[str]:
        """The columns shown in the list: every field but long text."""
        return [k for k, f in self.fields.items() if not is_long_text(f)]

    def new_record_id(self, values: Mapping[str, Any], name_of: Callable[[str, str], str]) -> str:
        """The id of a new record with ``values``; ``name_of(table, id)`` names a referred
        record (its natural key)."""
        if not self.natural_key:
            return new_id()
        parts: list[str] = []
        for column in self.key_columns(values):
            value = values.get(column)
            ref = ENTITY_FIELDS[self.table][column].ref
            if ref is not None and not self.key_by_id:
                value = name_of(ref, value) if value else ""
            parts.append("" if value is None else str(value).strip())
        return reference_id(self.entity, *parts)


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


# In import order: a table comes after the tables it refers to by name. The natural keys
# are those of the sample county's ids (console/domain/sample.py), so an imported record
# and the sample's (or another workstation's) are one record.
REFERENCE_TABLES: tuple[ReferenceTable, ...] = (
    ReferenceTable(
        "townships",
        "township",
        "乡镇街道",
        ("name",),
        file_order=("name", "kind", "lon", "lat", "position_approximate"),
        file_title="乡镇",
    ),
    # Before the villages and risk points that name their rain station by its code.
    ReferenceTable(
        "stations",
        "station",
        "水文雨量站",
        ("code",),
        file_order=(
            "code",
            "name",
            "kind",
            "township_id",
            "lon",
            "lat",
            "warning_level_m",
            "guarantee_level_m",
            "flood_limit_level_m",
        ),
    ),
    ReferenceTable(
        "villages",
        "village",
        "村（社区）",
        ("township_id", "name"),
        file_order=("township_id", "name", "lon", "lat", "station_id"),
    ),
    ReferenceTable(
        "shelters",
        "shelter",
        "避灾安置场所",
        ("township_id", "name"),
        file_order=(
            "township_id",
            "village_id",
            "name",
            "kind",
            "capacity",
            "lon",
            "lat",
        ),
        legacy=("manager", "phone"),
        legacy_hint="管理员请在“责任角色”表中登记为“避灾场所管理员”",
    ),
    ReferenceTable(
        "risk_points",
        "risk_point",
        "风险点",
        ("township_id", "type", "name"),
        file_order=(
            "township_id",
            "village_id",
            "type",
            "name",
            "households",
            "persons",
            "shelter_id",
            "transfer_route",
            "lon",
            "lat",
            "note",
        ),
        legacy=("responsible_person", "responsible_phone"),
        legacy_hint="责任人请在“责任角色”表中登记（山洪预警员、地灾群测群防员、危房联络员等）",
    ),
    # The sample's team ids are by name alone (a county team need not belong to a
    # township), so the name is the key.
    ReferenceTable(
        "teams",
        "team",
        "救援队伍",
        ("name",),
        file_order=(
            "name",
            "kind",
            "township_id",
            "members",
            "phone",
            "equipment",
            "lon",
            "lat",
        ),
        legacy=("leader",),
        legacy_hint="负责人请在队伍成员中登记为“队长”",
    ),
    # Teams in action (issue 14): members, equipment and certificates, keyed by the
    # referred records' ids (names repeat: 陈某某), edited here and on the 队伍 tab.
    ReferenceTable(
        "team_members",
        "team_member",
        "队伍成员",
        ("team_id", "person_id"),
        in_files=False,
        key_by_id=True,
        name_column="role",
    ),
    ReferenceTable(
        "team_equipment",
        "team_equipment",
        "队伍装备",
        ("team_id", "name"),
        in_files=False,
        key_by_id=True,
    ),
    ReferenceTable(
        "person_certificates",
        "certificate",
        "人员证书",
        ("person_id", "name"),
        in_files=False,
        key_by_id=True,
    ),
    ReferenceTable(
        "units",
        "unit",
        "单位",
        ("name",),
        file_order=("name", "kind", "township_id", "village_id", "phone", "note"),
    ),
    # A person is their mobile number (the sample's ids; unique in a county's book), or
    # their unit + name when they have none.
    ReferenceTable(
        "people",
        "person",
        "人员",
        ("mobile",),
        file_order=("name", "unit_id", "post", "mobile", "landline", "zzd_id"),
        fallback_key=("unit_id", "name"),
    ),
    # A role is its person, role and object, by id. In files the person is named by name
    # plus unit or mobile, the object by its own key columns (乡镇 + 村 / 风险点 / 避灾场所,
    # 站码); a township given only to locate the object is not stored.
    ReferenceTable(
        "person_roles",
        "person_role",
        "责任角色",
        ("person_id", "role", *catalog.ROLE_TARGETS),
        file_order=(
            "person_id",
            "person_unit",
            "person_mobile",
            "role",
            *catalog.ROLE_TARGETS,
            "valid_from",
            "valid_to",
            "note",
        ),
        key_by_id=True,
        file_only=(
            ("person_unit", Field("人员单位", max_len=80)),
            ("person_mobile", Field("人员手机", max_len=32)),
        ),
        name_column="role",
    ),
    ReferenceTable(
        "special_households",
        "special_household",
        "一户一策",
        ("township_id", "village_id", "head_name"),
        file_order=(
            "township_id",
            "village_id",
            "head_name",
            "persons",
            "condition",
            "needs",
            "phone",
            "helper_id",
            "helper_mobile",
            "risk_point_id",
        ),
        # The helper is found by mobile (names repeat); the file says who it is.
        file_only=(("helper_mobile", Field("帮扶人手机", max_len=32)),),
        name_column="head_name",
    ),
    # Issue #11: a village's critical rainfall by colour; the rainstorm-signal table and the
    # response triggers (empty: the defaults of console/domain/thresholds.py); forecasts and
    # warnings as the duty room enters or imports them.
    ReferenceTable(
        "rain_thresholds",
        "rain_threshold",
        "临界雨量",
        ("township_id", "village_id", "level"),
        name_column="level",
    ),
    ReferenceTable(
        "rain_forecasts",
        "rain_forecast",
        "面雨量预报",
        ("township_id", "issued_at", "horizon_h"),
        name_column="horizon_h",
    ),
    ReferenceTable(
        "warnings",
        "warning",
        "预警信号",
        ("kind", "level", "issued_at"),
        name_column="kind",
    ),
    ReferenceTable(
        "rain_signal_rules",
        "rain_signal_rule",
        "暴雨信号标准",
        ("level", "hours"),
        name_column="level",
        empty_note=f"未设置，按国家标准：{rain_catalog.DEFAULT_SIGNALS_TEXT}",
    ),
    ReferenceTable(
        "response_triggers",
        "response_trigger",
        "应急响应条件",
        ("level", "metric"),
        name_column="metric",
        empty_note="未设置，按内置默认条件（IV级取自县级预案示例，III–I级为推定值）",
    ),
    # 应急一指南 (issue 13): the guide's items, edited here and in workbooks (the duty
    # leader's: guide_item.upsert is theirs).
    ReferenceTable(
        "guide_items",
        "guide_item",
        "应急指南事项",
        ("hazard", "level", "role", "seq"),
        file_order=("hazard", "level", "role", "seq", "action", "limit_minutes", "is_draft"),
        name_column="action",
    ),
    # 视频监控 (issue 15): the cameras, without their stream addresses (the server's).
    ReferenceTable(
        "cameras",
        "camera",
        "摄像机",
        ("name",),
        file_order=(
            "name",
            "department",
            "protocol",
            "township_id",
            "lon",
            "lat",
            "tags",
            "groups",
            "note",
        ),
        name_column="name",
    ),
)
BY_TABLE: dict[str, ReferenceTable] = {t.table: t for t in REFERENCE_TABLES}


def reference_table(table: str) -> ReferenceTable:
    return BY_TABLE[table]
