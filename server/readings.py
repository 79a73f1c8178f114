"""Stations' readings on the server: ingest, the one function for every way in.

:func:`ingest_rows` is the one way rows enter ``readings``: ``POST /readings`` (source
ingest), ``duty-server import-readings`` (import), a phoned-in ``reading.report`` applied by
a push (phoned) and the simulator (simulate). Each row is checked against its column and the
station before the database sees it; a bad row is refused with its index and a Chinese
reason and never stops the others. Per (station, kind, ts): a new reading is *accepted*, the
same value again is *unchanged* (no new seq), a different one a *correction* (*updated*,
with a new seq so every workstation gets it).

Seqs are taken from ``readings_state`` under its row lock (SQLite: the write lock of BEGIN
IMMEDIATE) in the same transaction as the rows, so they commit in order: a poller that has
seen up to N never misses a row committed later with a seq <= N.

The channel's pages (``GET /readings/pull``) are server/readings_channel.py.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, String, and_, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from console.domain import readings as domain
from console.domain.ids import is_uuid
from server import readings_partitions as parts
from server.db import is_sqlite
from server.notify import notify_readings
from server.readings_stations import live_stations
from server.schema import Reading, ReadingsState

if TYPE_CHECKING:
    import psycopg

SOURCES = ("ingest", "import", "phoned", "simulate")
MAX_BATCH = 20_000  # rows per POST /readings
_FIELDS = frozenset({"station", "station_id", "kind", "ts", "value", "interval_s", "simulated"})
_CHUNK = 500  # ids per IN (...) lookup


@dataclass(frozen=True)
class Refusal:
    index: int
    reason: str


@dataclass
class IngestResult:
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    last_seq: int = 0  # the channel's seq after this batch

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": [{"index": r.index, "reason": r.reason} for r in self.refused],
            "last_seq": self.last_seq,
        }


@dataclass
class _Row:
    index: int
    station: str  # code, or id when by_id
    by_id: bool
    kind: str
    ts: int
    value: float
    interval_s: int
    simulated: bool


def reading(
    station: str,
    kind: str,
    ts: int,
    value: float,
    interval_s: int | None = None,
    simulated: bool = False,
    *,
    by_id: bool = False,
) -> dict[str, Any]:
    """One input row for :func:`ingest_rows`: ``station`` is the station's code (站码), or
    its id with ``by_id``; ``interval_s`` defaults to 300 for rain, 0 for levels."""
    row: dict[str, Any] = {
        "station_id" if by_id else "station": station,
        "kind": kind,
        "ts": ts,
        "value": value,
        "simulated": simulated,
    }
    if interval_s is not None:
        row["interval_s"] = interval_s
    return row


def _shape(index: int, raw: object) -> _Row | str:
    """The row as typed values, or the Chinese reason it cannot be one."""
    if not isinstance(raw, Mapping):
        return "每行应为一个对象（站码、类型、时间、数值）"
    if not _FIELDS.issuperset(raw):
        unknown = [str(k)[:20] for k in raw if k not in _FIELDS]
        return f"未知字段：{'、'.join(unknown[:3])}"
    by_id = "station_id" in raw
    station = raw.get("station_id") if by_id else raw.get("station")
    if by_id and "station" in raw:
        return "站码和站点编号只能给一个"
    if by_id:
        if not isinstance(station, str) or not is_uuid(station):
            return "站点编号应为 UUID"
    elif not isinstance(station, str) or not 1 <= len(station) <= 20 or not station.isprintable():
        return "站码应为 1 到 20 个字符"
    kind = raw.get("kind")
    if kind not in domain.KINDS:
        return "类型应为 rain（雨量）或 level（水位）"
    interval = raw.get("interval_s", domain.default_interval(str(kind)))
    simulated = raw.get("simulated", False)
    if not isinstance(simulated, bool):
        return "simulated 应为 true 或 false"
    ts, value = raw.get("ts"), raw.get("value")
    problem = domain.value_problem(kind, ts, value, interval)
    if problem:
        return problem
    assert isinstance(ts, int) and isinstance(interval, int) and isinstance(value, int | float)
    return _Row(index, str(station), by_id, str(kind), ts, float(value), interval, simulated)


def _member(conn: Connection, column: Any, values: list[str]) -> Any:
    """``column IN values``; on PostgreSQL ``= ANY(array)``: one parameter, not hundreds
    for the driver to parse into the statement each time."""
    if is_sqlite(conn.engine):
        return column.in_(values)
    return column == any_(bindparam(None, values, type_=ARRAY(String)))


def _lock(conn: Connection) -> int:
    stmt = select(ReadingsState.seq).where(ReadingsState.id == 1)
    if not is_sqlite(conn.engine):
        stmt = stmt.with_for_update()
    return int(conn.execute(stmt).scalar_one())


Key = tuple[str, str, int]


def _existing(conn: Connection, keys: list[Key]) -> dict[Key, tuple[float, int, bool]]:
    """What ``readings`` holds for these keys: key -> (value, interval_s, simulated).

    One query per kind and chunk of stations, each naming the kind and the time range: an
    index range scan of (station_id, kind, ts) per station over the batch's times only (a
    query without the kind read every row of each station)."""
    found: dict[Key, tuple[float, int, bool]] = {}
    wanted = set(keys)
    for kind in domain.KINDS:
        mine = [k for k in keys if k[1] == kind]
        if not mine:
            continue
        lo, hi = min(k[2] for k in mine), max(k[2] for k in mine)
        stations = sorted({k[0] for k in mine})
        for start in range(0, len(stations), _CHUNK):
            stmt = select(
                Reading.station_id,
                Reading.ts,
                Reading.value,
                Reading.interval_s,
                Reading.simulated,
            ).where(
                _member(conn, Reading.station_id, stations[start : start + _CHUNK]),
                Reading.kind == kind,
                Reading.ts >= lo,
                Reading.ts <= hi,
            )
            for sid, ts, value, interval, simulated in conn.execute(stmt):
                key = (str(sid), kind, int(ts))
                if key in wanted:
                    found[key] = (float(value), int(interval), bool(simulated))
    return found


_UPDATE = (
    update(Reading)
    .where(
        and_(
            Reading.station_id == bindparam("k_station"),
            Reading.kind == bindparam("k_kind"),
            Reading.ts == bindparam("k_ts"),
        )
    )
    .values(
        value=bindparam("value"),
        interval_s=bindparam("interval_s"),
        source=bindparam("source"),
        simulated=bindparam("simulated"),
        seq=bindparam("seq"),
        received_at=bindparam("received_at"),
    )
)


_COLUMNS = ("station_id", "kind", "ts", "value", "interval_s", "source", "simulated", "seq")


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """New rows: COPY on PostgreSQL (a per-row INSERT pipeline cost most of an ingest),
    one executemany on SQLite."""
    if is_sqlite(conn.engine):
        conn.execute(insert(Reading), rows)
        return
    raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    columns = (*_COLUMNS, "received_at")
    with raw.cursor() as cur, cur.copy(f"COPY readings ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))


def ingest_rows(
    conn: Connection,
    rows: Sequence[object],
    source: str,
    *,
    now: float | None = None,
    notify: bool = True,
    in_push: bool = False,
) -> IngestResult:
    """Store ``rows`` (dicts, see :func:`reading`) in the caller's transaction on ``conn``.

    Takes the readings lock: commit soon after. ``source``: one of :data:`SOURCES`
    (``simulate`` marks every row simulated). ``now``: the receiving clock (tests).
    ``in_push``: called inside a push's transaction, which may have changed stations
    itself (the station list is then read afresh, not from the cache)."""
    if source not in SOURCES:
        raise ValueError(f"unknown readings source {source!r}")
    clock = time.time() if now is None else now
    result = IngestResult()
    shaped: list[_Row] = []
    for index, raw in enumerate(rows):
        row = _shape(index, raw)
        if isinstance(row, str):
            result.refused.append(Refusal(index, row))
        else:
            shaped.append(row)
    oldest = parts.oldest_kept(clock)
    stations = live_stations(conn, cached=not in_push)
    good: dict[Key, _Row] = {}
    for row in shaped:
        station = stations.find(row.by_id, row.station)
        problem = None
        if station is None:
            problem = ("站点编号" if row.by_id else "站码") + f"“{row.station}”不存在或已删除"
        else:
            # The row's own values were judged by _shape; here what depends on the station
            # and the clock.
            problem = domain.station_problem(station[1], row.kind) or domain.future_problem(
                row.ts, clock
            )
            if problem is None and row.ts < oldest:
                problem = "时间早于读数保留期限"
        if problem is None:
            assert station is not None
            key = (station[0], row.kind, row.ts)
            earlier = good.get(key)
            if earlier is None:
                good[key] = row
                continue
            if (earlier.value, earlier.interval_s) == (row.value, row.interval_s):
                result.unchanged += 1
                continue
            problem = f"与本批第 {earlier.index + 1} 行同站同时间但数值不同"
        result.refused.append(Refusal(row.index, problem))
    result.refused.sort(key=lambda r: r.index)
    seq = _lock(conn)
    if not good:
        result.last_seq = seq
        return result
    parts.ensure(conn, {k[2] for k in good}, clock)
    stored = _existing(conn, list(good))
    simulated_source = source == "simulate"
    received = int(clock)
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for key, row in good.items():
        simulated = row.simulated or simulated_source
        before = stored.get(key)
        if before is not None and before == (row.value, row.interval_s, simulated):
            result.unchanged += 1
            continue
        seq += 1
        values = {
            "value": row.value,
            "interval_s": row.interval_s,
            "source": source,
            "simulated": simulated,
            "seq": seq,
            "received_at": received,
        }
        if before is None:
            fresh.append({"station_id": key[0], "kind": key[1], "ts": key[2], **values})
        else:
            changed.append({"k_station": key[0], "k_kind": key[1], "k_ts": key[2], **values})
    if fresh:
        _insert(conn, fresh)
    if changed:
        conn.execute(_UPDATE, changed)
    result.accepted, result.updated = len(fresh), len(changed)
    if fresh or changed:
        conn.execute(update(ReadingsState).where(ReadingsState.id == 1).values(seq=seq))
        if notify:
            notify_readings(conn, seq)
    result.last_seq = seq
    return result


def ingest(engine: Engine, rows: Sequence[object], source: str) -> IngestResult:
    """:func:`ingest_rows` in a transaction of its own."""
    with engine.begin() as conn:
        return ingest_rows(conn, rows, source)
