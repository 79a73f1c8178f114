"""Rules between reference records that one field declaration cannot state.

* A record placed in a village and a township: the village must be one of that township's
  (:func:`check_place`). The reference mutations run it, so the server enforces it too.
* A record others still point at (a township with villages, a shelter named by risk
  points...) is not deleted from the forms: :func:`referrers` says who points at it and
  :func:`refuse_if_referenced` turns that into the Chinese refusal. It is found generically
  from the ``ref`` of every declared field, so a new table that refers to another is
  covered by its declaration alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection, RowMapping

from console.domain.fields import MutationRejected
from console.domain.schema import ENTITY_FIELDS, MODEL_BY_TABLE

# Where a record without a township of its own finds one, first match wins: a role through
# the place it is held for, a person through their unit (a unit through its village).
TOWNSHIP_VIA: tuple[tuple[str, str], ...] = (
    ("village_id", "villages"),
    ("risk_point_id", "risk_points"),
    ("shelter_id", "shelters"),
    ("station_id", "stations"),
    ("unit_id", "units"),
)


def township_of(
    table: str,
    record: Mapping[str, Any],
    lookup: Callable[[str, str], Mapping[str, Any] | None],
) -> str | None:
    """The township a record belongs to: its own, else that of the place or unit it points
    at; ``lookup(table, id)`` gives a live record (None when there is none)."""
    if table == "townships":
        return str(record["id"])
    own = record.get("township_id")
    if own:
        return str(own)
    for column, target in TOWNSHIP_VIA:
        found = lookup(target, record.get(column) or "")
        if found is not None:
            return township_of(target, found, lookup)
    return None


# How a table's records are counted in a message: "3 个村（社区）".
TABLE_NOUNS: dict[str, str] = {
    "townships": "个乡镇街道",
    "villages": "个村（社区）",
    "shelters": "个避灾安置场所",
    "risk_points": "个风险点",
    "teams": "支救援队伍",
    "stations": "个水文雨量站",
    "units": "个单位",
    "people": "名人员",
    "person_roles": "条责任角色",
    "incidents": "起事件",
    "rain_thresholds": "条临界雨量",
    "rain_forecasts": "条面雨量预报",
    "warnings": "条预警信号",
}


def _table(name: str) -> Table:
    table = MODEL_BY_TABLE[name].__table__
    assert isinstance(table, Table)
    return table


def referring_columns(target: str) -> list[tuple[str, str]]:
    """(table, column) of every declared field that refers to ``target``."""
    return [
        (table, column)
        for table, fields in ENTITY_FIELDS.items()
        for column, spec in fields.items()
        if spec.ref == target and table in MODEL_BY_TABLE
    ]


def referrers(conn: Connection, target: str, record_id: str) -> dict[str, int]:
    """Live records pointing at ``record_id`` of ``target``, counted by table."""
    counts: dict[str, int] = {}
    for table, column in referring_columns(target):
        t = _table(table)
        n = conn.execute(
            select(func.count())
            .select_from(t)
            .where(t.c[column] == record_id, t.c.deleted.is_(False), t.c.id != record_id)
        ).scalar_one()
        if n:
            counts[table] = counts.get(table, 0) + int(n)
    return counts


def refuse_if_referenced(conn: Connection, target: str, record_id: str, label: str) -> None:
    """Raise the Chinese refusal when live records still point at the record."""
    counts = referrers(conn, target, record_id)
    if counts:
        listed = "、".join(f"{n} {TABLE_NOUNS.get(t, '条其他记录')}" for t, n in counts.items())
        raise MutationRejected(
            "referenced", f"“{label}”仍被 {listed}引用，不能删除。请先修改或删除这些记录。"
        )


def check_place(conn: Connection, values: Mapping[str, Any], existing: RowMapping | None) -> None:
    """The village (if any) must belong to the township (if any) of the record as it will
    be: a value given wins over the stored one. Call with validated values."""

    def now(key: str) -> Any:
        if key in values:
            return values[key]
        return existing[key] if existing is not None else None

    village, township = now("village_id"), now("township_id")
    if not village or not township:
        return
    t = _table("villages")
    owner = conn.execute(select(t.c.township_id).where(t.c.id == village)).scalar_one_or_none()
    if owner is not None and owner != township:
        raise MutationRejected("bad_place", "“所属村”不属于所选乡镇，请重新选择")
