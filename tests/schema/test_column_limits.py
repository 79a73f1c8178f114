"""Every length the database declares is enforced first by the shared validation.

SQLite stores text of any length; PostgreSQL raises DataError on a value longer than its
VARCHAR(n), which would make a push fail on the server forever. So every String(n) column of
every synced table carries a declaration whose valid values fit n, and the shared mutations
are run here with the longest valid values (they store on PostgreSQL) and one character more
(refused with a Chinese message before the database is touched), on the workstation's SQLite
and on the server's SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from schema_db import server_database
from sqlalchemy import String, Table
from sqlalchemy.engine import Connection

from console.domain import areas, catalog, handover
from console.domain.areas import AREA_MAX_LEN
from console.domain.assessment_rules import CONTENT_MAX_LEN, MAX_TEXT, content_problem
from console.domain.columns import FIELD, SYSTEM
from console.domain.fields import (
    ACCOUNT_MAX_LEN,
    HLC_MAX_LEN,
    TIMESTAMP_MAX_LEN,
    Field,
    MutationRejected,
)
from console.domain.ids import new_id
from console.domain.mutations import MutationContext, alert_id, fetch, run_mutation
from console.domain.schema import ENTITY_FIELDS, SYNCED_MODELS
from console.store.database import open_store

LONGEST_USER = "值" * ACCOUNT_MAX_LEN
LONGEST_HLC = "0001732781234567-00003-" + "n" * (HLC_MAX_LEN - 23)
LONGEST_TIME = "2026-11-28T14:05:00.123456+08:00"
LONGEST_DATE = "2026-11-28"
NANOSECOND_TIME = "2026-11-28T14:05:00.123456789+08:00"  # datetime.fromisoformat takes it
# Every synced table, in SYNCED_MODELS order (parents first), and the mutation creating its
# records: refs point to records made before.
MUTATION = {
    "townships": "township.upsert",
    "stations": "station.upsert",
    "villages": "village.upsert",
    "shelters": "shelter.upsert",
    "risk_points": "risk_point.upsert",
    "teams": "team.upsert",
    "units": "unit.upsert",
    "people": "person.upsert",
    "person_roles": "person_role.upsert",
    "team_members": "team_member.upsert",
    "person_certificates": "certificate.upsert",
    "team_equipment": "team_equipment.upsert",
    "special_households": "special_household.upsert",
    "incidents": "incident.create",
    "incident_timeline": "timeline.append",
    "incident_dispatches": "dispatch.create",
    "report_rules": "report_rule.upsert",
    "incident_reports": "report.record_sent",
    "grading_rules": "grading_rule.upsert",
    "evacuations": "evacuation.open",
    "evacuation_areas": "evacuation.add_area",
    "transfer_events": "transfer.record",
    "assessments": "assessment.create",
    "threshold_alerts": "alert.raise",
    "reported_readings": "reading.report",
    "rain_thresholds": "rain_threshold.upsert",
    "rain_signal_rules": "rain_signal_rule.upsert",
    "response_triggers": "response_trigger.upsert",
    "rain_forecasts": "rain_forecast.upsert",
    "warnings": "warning.upsert",
    "orders": "order.issue",
    "order_recipients": "order.add_recipient",
    "order_events": "order.record",
    "cases": "case.create",
    "plans": "plan.upsert",
    "guide_items": "guide_item.upsert",
    "responses": "response.activate",
    "response_events": "response.record",
    "handovers": "handover.create",
    "duty_log_entries": "duty_log.add",
    "roster_settings": "roster_setting.upsert",
    "holidays": "holiday.upsert",
    "roster_entries": "roster_entry.upsert",
    "roster_swaps": "roster_swap.request",
    "case_attachments": "case_attachment.attach",
    "cameras": "camera.upsert",
}


def _table(model: type) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def test_every_varchar_of_every_synced_table_is_bounded_by_its_declaration() -> None:
    checked = 0
    for model in SYNCED_MODELS:
        for column in _table(model).columns:
            if not isinstance(column.type, String) or column.type.length is None:
                continue
            where = f"{model.__tablename__}.{column.name}"
            spec = column.info.get(FIELD)
            assert isinstance(spec, Field), f"{where}: VARCHAR without a field declaration"
            longest = spec.longest()
            assert longest is not None, f"{where}: declaration allows text of any length"
            assert longest <= column.type.length, f"{where}: {longest} > {column.type.length}"
            if not column.info.get(SYSTEM):
                # What the mutations validate is this very declaration.
                assert ENTITY_FIELDS[model.__tablename__][column.name] is spec
            checked += 1
    assert checked >= 60  # every table has id, updated_at, updated_by and its own texts


def test_timestamp_columns_hold_the_longest_accepted_time() -> None:
    assert len(LONGEST_TIME) == TIMESTAMP_MAX_LEN
    for model in SYNCED_MODELS:
        for column in _table(model).columns:
            if getattr(column.info.get(FIELD), "timestamp", False):
                assert column.type.length == TIMESTAMP_MAX_LEN


def _longest(spec: Field, refs: dict[str, str]) -> Any:
    if spec.ref is not None:
        return refs[spec.ref]
    if spec.timestamp:
        return LONGEST_TIME
    if spec.date:
        return LONGEST_DATE
    if spec.choices is not None:
        return max(spec.choices, key=len)
    if spec.kind is str:
        assert spec.max_len is not None
        return "长" * spec.max_len
    if spec.kind is bool:
        return True
    assert spec.maximum is not None
    return spec.kind(spec.maximum)


def _longest_args(table: str, refs: dict[str, str]) -> dict[str, Any]:
    args = {name: _longest(spec, refs) for name, spec in ENTITY_FIELDS[table].items()}
    if table in ("incidents", "grading_rules", "report_rules"):
        # the subtype must belong to the category, which must be graded
        graded = [c for c in catalog.EVENT_CATEGORIES if c not in catalog.UNGRADED_CATEGORIES]
        category = max(graded, key=lambda c: max(map(len, catalog.EVENT_CATEGORIES[c])))
        args["category"] = category
        args["subtype"] = max(catalog.EVENT_CATEGORIES[category], key=len)
    if table == "plans":  # the subtype of the longest category; revised after issue
        category = max(catalog.EVENT_CATEGORIES, key=len)
        args.update(category=category, subtype=max(catalog.EVENT_CATEGORIES[category], key=len))
        args["revise_by"] = args["issued_on"]
    if table in ("incidents", "report_rules"):
        args["sub_hazard"] = ""  # that subtype has none; the longest one is stored below
    if table == "incidents":
        args["recorder"] = LONGEST_USER
    if table == "grading_rules":  # bounds grow with the grade
        args.update(min_major=3.0, min_large=2.0, min_general=1.0)
    if table in ("incident_reports", "incident_dispatches"):
        args["timeline_id"] = new_id()
    if table == "assessments":  # the content is JSON of the sheet's shape
        args["content"] = longest_content()
    if table == "threshold_alerts":  # the id is the crossing key's
        args["id"] = alert_id(args["key"])
        return args
    if table == "order_recipients":  # a recipient of the order's own list
        args["escalated_from"] = ""
    if table == "order_events":  # an acknowledgement: only an escalation names its target
        args.update(kind=catalog.ACKED, to_recipient_id="")
    if table == "responses":  # the incident's timeline gets a row
        args["timeline_id"] = new_id()
    if table == "response_events":  # a tick: only a level change names levels
        args.update(kind=catalog.TICKED, from_level="", to_level="")
    if table == "handovers":  # a real shift key, its end after its start, JSON content
        args.update(
            shift_key="2026-11-28#0",
            shift_end="2026-11-29T14:05:00.123456+08:00",
            content=longest_handover(),
        )
    if table == "roster_settings":  # a shift pattern that cuts the day
        args["shift_start"] = "08:30"
    if table == "roster_entries":  # a shift's key; the second officer slot
        args.update(shift_key="2026-11-30#0", role="值班员", slot=1)
    if table == "roster_swaps":  # with the other officer slot (made by the test)
        args["entry_b_id"] = refs["roster_entries_b"]
    if table == "case_attachments":  # a digest is 64 hex digits
        args["sha256"] = "f" * 64
    if table == "stations":  # only a reservoir has the reservoir levels
        args["kind"] = catalog.RESERVOIR
    if table == "reported_readings":  # the station is a reservoir: a level, no interval
        args.update(kind="水位", interval_min=0)
    if table == "response_triggers":  # the upper bound is above the lower one
        args["low"] = 1.0
    if table == "person_roles":  # a role names exactly the objects it is tied to
        targets = catalog.ROLE_OBJECTS[args["role"]]
        for target in catalog.ROLE_TARGETS:
            if target not in targets[:1]:
                args[target] = None
    for name, spec in ENTITY_FIELDS[table].items():
        if spec.area:  # GeoJSON of an area, as large as the cap allows
            args[name] = longest_area()
    if table == "transfer_events":  # a shelter goes with 安置点; the first is no correction
        args.update(destination=catalog.TO_SHELTER, correction_of="")
    return {"id": new_id(), **args}


def longest_area() -> str:
    """A valid canonical area within 30 characters of AREA_MAX_LEN."""
    ring = [[round(119.0 + i * 1e-7, 7), 28.1234567] for i in range(AREA_MAX_LEN // 20)]
    ring.append(ring[0])
    while True:
        text = json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))
        if len(text) <= AREA_MAX_LEN:
            break
        del ring[-1 - max(1, (len(text) - AREA_MAX_LEN) // 30) : -1]
    assert areas.normalise("范围", text) == text
    assert AREA_MAX_LEN - 30 <= len(text) <= AREA_MAX_LEN
    return text


def longest_handover() -> str:
    """A valid handover snapshot exactly handover.CONTENT_MAX_LEN characters long."""
    items: list[str] = []
    while True:
        room = handover.CONTENT_MAX_LEN - len(handover.make_content({"calls": items})) - 4
        if room <= 0:
            break
        items.append("长" * min(handover.ITEM_MAX_LEN, room))
    short = handover.CONTENT_MAX_LEN - len(handover.make_content({"calls": items}))
    items[-1] += "长" * short
    text = handover.make_content({"calls": items})
    assert len(text) == handover.CONTENT_MAX_LEN and handover.content_problem(text) is None
    return text


def longest_content() -> str:
    """Valid sheet content exactly CONTENT_MAX_LEN characters long."""
    reasons: list[str] = []
    while True:
        text = json.dumps({"response_reasons": reasons}, ensure_ascii=False)
        room = CONTENT_MAX_LEN - len(text) - 4  # a new item costs its text plus ', ""'
        if room <= 0:
            break
        reasons.append("长" * min(MAX_TEXT, room))
    text = json.dumps({"response_reasons": reasons}, ensure_ascii=False)
    reasons[-1] += "长" * (CONTENT_MAX_LEN - len(text))
    text = json.dumps({"response_reasons": reasons}, ensure_ascii=False)
    assert len(text) == CONTENT_MAX_LEN and content_problem(text) is None
    return text


def _ctx(user: str = LONGEST_USER, hlc: str = LONGEST_HLC) -> MutationContext:
    return MutationContext(user=user, client_id=new_id(), hlc=hlc, version=1)


@pytest.fixture(params=("workstation", "server-sqlite", "server-postgresql"))
def conn(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Connection]:
    """One open transaction on a migrated database: the workstation's (SQLite) or the
    server's (SQLite, PostgreSQL)."""
    with contextlib.ExitStack() as stack:
        if request.param == "workstation":
            store = open_store(tmp_path / "ws")
            stack.callback(store.close)
            engine = store.engine
        else:
            engine = stack.enter_context(server_database(request.param[7:], tmp_path))
        connection = stack.enter_context(engine.connect())
        connection.info["write_scope"] = True  # the workstation's guard of synced tables
        with connection.begin():
            yield connection


def test_the_longest_valid_values_are_stored_everywhere(conn: Connection) -> None:
    assert list(MUTATION) == [m.__tablename__ for m in SYNCED_MODELS], "a new entity goes here"
    refs: dict[str, str] = {}
    for table, mutation in MUTATION.items():
        args = _longest_args(table, refs)
        run_mutation(conn, mutation, args, _ctx())
        row = fetch(conn, table, args["id"])
        assert row is not None, table
        for name in ENTITY_FIELDS[table]:
            assert row[name] == args[name], f"{table}.{name}"
        assert row["updated_by"] == LONGEST_USER and row["updated_at"] == LONGEST_HLC
        if "author" in row:
            assert row["author"] == LONGEST_USER
        refs[table] = args["id"]
        if table == "roster_entries":  # another officer to swap with
            other = {**args, "id": new_id(), "slot": 0, "person_id": _second_person(conn)}
            run_mutation(conn, "roster_entry.upsert", other, _ctx())
            refs["roster_entries_b"] = other["id"]
    run_mutation(
        conn,
        "incident.set_status",
        {
            "id": refs["incidents"],
            "status": "已结案",
            "reason": "误报" * 1000,
            "timeline_id": new_id(),
            "at": LONGEST_TIME,
        },
        _ctx(),
    )
    closed = fetch(conn, "incidents", refs["incidents"])
    assert closed is not None and closed["closed_at"] == LONGEST_TIME


def _second_person(conn: Connection) -> str:
    person = {"id": new_id(), "name": "傅某某"}
    run_mutation(conn, "person.upsert", person, _ctx())
    return person["id"]


def test_the_longest_sub_hazard_is_stored_everywhere(conn: Connection) -> None:
    longest = max(catalog.ALL_SUB_HAZARDS, key=len)
    assert ENTITY_FIELDS["incidents"]["sub_hazard"].longest() == len(longest)
    (category, subtype), _ = next(
        (key, hs) for key, hs in catalog.SUB_HAZARDS.items() if longest in hs
    )
    args = {**_incident(category=category, subtype=subtype), "sub_hazard": longest}
    run_mutation(conn, "incident.create", args, _ctx())
    row = fetch(conn, "incidents", args["id"])
    assert row is not None and row["sub_hazard"] == longest


def _incident(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "received_at": "2026-11-28T14:05:00+08:00",
        "category": "自然灾害",
        "title": "山洪",
        **override,
    }


@pytest.mark.parametrize(
    ("ctx", "args", "code", "message"),
    [
        (_ctx(user="值" * 65), _incident(), "too_long", "“账号”过长（最多 64 字，实际 65 字）"),
        (_ctx(hlc=LONGEST_HLC + "n"), _incident(), "too_long", "“修改时间戳”过长"),
        (_ctx(user="  "), _incident(), "missing_field", "“账号”不能为空"),
        (_ctx(), _incident(received_at=NANOSECOND_TIME), "bad_time", "最多精确到微秒"),
        (_ctx(), _incident(recorder="值" * 65), "too_long", "“记录人”过长（最多 64 字"),
        (_ctx(), _incident(title="长" * 121), "too_long", "“事件标题”过长（最多 120 字"),
        (_ctx(), _incident(caller_phone="1" * 33), "too_long", "“来电号码”过长（最多 32 字"),
    ],
)
def test_one_character_more_is_refused_before_the_database(
    conn: Connection, ctx: MutationContext, args: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(MutationRejected) as refused:
        run_mutation(conn, "incident.create", args, ctx)
    assert refused.value.code == code
    assert message in refused.value.message
    assert fetch(conn, "incidents", args["id"]) is None
    # The transaction is intact: the database never saw the value.
    run_mutation(conn, "incident.create", _incident(), _ctx())


def test_a_nanosecond_time_is_refused_in_every_timestamp_field(conn: Connection) -> None:
    incident = _incident()
    run_mutation(conn, "incident.create", incident, _ctx())
    calls = [
        (
            "timeline.append",
            {
                "id": new_id(),
                "incident_id": incident["id"],
                "kind": "处置",
                "body": "x",
                "at": NANOSECOND_TIME,
            },
        ),
        (
            "report.record_sent",
            {
                "id": new_id(),
                "incident_id": incident["id"],
                "stage": "首报",
                "channel": "电话",
                "sent_at": NANOSECOND_TIME,
                "timeline_id": new_id(),
            },
        ),
        (
            "incident.set_status",
            {
                "id": incident["id"],
                "status": "核实",
                "timeline_id": new_id(),
                "at": NANOSECOND_TIME,
            },
        ),
    ]
    for name, args in calls:
        with pytest.raises(MutationRejected) as refused:
            run_mutation(conn, name, args, _ctx())
        assert refused.value.code == "bad_time", name
