"""The readings channel: ``GET /readings/pull`` pages, columnar, in seq order.

A page covers a range of seqs (see :func:`_bounds`), read from one snapshot; on PostgreSQL
the database builds the page's JSON columns itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from console.domain import readings as domain
from server.db import is_sqlite, snapshot
from server.schema import Reading, ReadingsState, ServerState


@dataclass(frozen=True)
class Page:
    epoch: str
    last_seq: int
    more: bool
    station_ids: list[str]
    s: list[int]
    k: list[int]
    t: list[int]
    v: list[float]
    i: list[int]
    m: list[int]

    def as_json(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "last_seq": self.last_seq,
            "more": self.more,
            "stations": self.station_ids,
            "s": self.s,
            "k": self.k,
            "t": self.t,
            "v": self.v,
            "i": self.i,
            "m": self.m,
        }


def last_seq(engine: Engine) -> int:
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        return int(conn.execute(select(ReadingsState.seq)).scalar_one())


# PostgreSQL builds the page's columns itself (json_agg, in C): per-row Python work on the
# server cost more than the query (bench/readings_first_pull.py).
_PG_PAGE = """
WITH page AS (
    SELECT seq, station_id, kind, ts, value, interval_s, simulated FROM readings
    WHERE seq > %(after)s AND seq <= %(upper)s AND ts >= %(since)s
), st AS (
    SELECT station_id, (row_number() OVER (ORDER BY station_id) - 1)::int AS ix
    FROM (SELECT DISTINCT station_id FROM page) d
)
SELECT count(*), max(p.seq),
    (SELECT coalesce(json_agg(station_id ORDER BY ix), '[]') FROM st)::text,
    coalesce(json_agg(st.ix ORDER BY p.seq), '[]')::text,
    coalesce(json_agg(CASE WHEN p.kind = 'rain' THEN 0 ELSE 1 END ORDER BY p.seq), '[]')::text,
    coalesce(json_agg(p.ts ORDER BY p.seq), '[]')::text,
    coalesce(json_agg(p.value ORDER BY p.seq), '[]')::text,
    coalesce(json_agg(p.interval_s ORDER BY p.seq), '[]')::text,
    coalesce(json_agg(CASE WHEN p.simulated THEN 1 ELSE 0 END ORDER BY p.seq), '[]')::text
FROM page p JOIN st ON st.station_id = p.station_id
"""


def pull_json(engine: Engine, after: int, since: int, limit: int) -> bytes:
    """:func:`pull` as the JSON body of ``GET /readings/pull`` (the same document)."""
    if is_sqlite(engine):
        return json.dumps(
            pull(engine, after, since, limit).as_json(), separators=(",", ":")
        ).encode()
    with snapshot(engine) as conn:
        epoch, start, end, more = _bounds(conn, after, since, limit)
        params = {"after": start, "upper": end, "since": since}
        _count, _last, *columns = conn.exec_driver_sql(_PG_PAGE, params).one()
    head = {"epoch": epoch, "last_seq": end, "more": more}
    parts = [json.dumps(head, separators=(",", ":"))[:-1]]
    for key, column in zip(("stations", "s", "k", "t", "v", "i", "m"), columns, strict=True):
        parts.append(f',"{key}":{column}')
    return ("".join(parts) + "}").encode()


def _bounds(conn: Connection, after: int, since: int, limit: int) -> tuple[str, int, int, bool]:
    """(epoch, start, end, more): the page holds the seqs in (start, end].

    A range of seqs rather than ``ORDER BY seq LIMIT``: each page costs its own rows
    whatever the plan (a bitmap scan of everything after the cursor, then a sort, made a
    first pull quadratic). Seqs are dense but for corrections (a corrected row leaves its
    old seq) and rows older than ``since``; the page starts at the first seq in the window,
    so a first pull does not walk a year of seqs to find a month's rows."""
    epoch = str(conn.execute(select(ServerState.epoch)).scalar_one())
    channel = int(conn.execute(select(ReadingsState.seq)).scalar_one())
    first = conn.execute(
        select(func.min(Reading.seq)).where(Reading.seq > after, Reading.ts >= since)
    ).scalar()
    start = max(after, int(first) - 1) if first is not None else channel
    end = min(channel, start + limit)
    return epoch, start, end, end < channel


def pull(engine: Engine, after: int, since: int, limit: int) -> Page:
    """Readings with ``after < seq <= last_seq`` and ``ts >= since``, in seq order (at most
    ``limit``), from one snapshot; send ``last_seq`` as the next ``after``."""
    with snapshot(engine) as conn:
        epoch, start, end, more = _bounds(conn, after, since, limit)
        stmt = (
            select(
                Reading.seq,
                Reading.station_id,
                Reading.kind,
                Reading.ts,
                Reading.value,
                Reading.interval_s,
                Reading.simulated,
            )
            .where(Reading.seq > start, Reading.seq <= end, Reading.ts >= since)
            .order_by(Reading.seq)
        )
        rows = conn.execute(stmt).all()
    index: dict[str, int] = {}
    s: list[int] = []
    for row in rows:
        s.append(index.setdefault(str(row[1]), len(index)))
    return Page(
        epoch=epoch,
        last_seq=end,
        more=more,
        station_ids=list(index),
        s=s,
        k=[domain.KIND_CODES[str(r[2])] for r in rows],
        t=[int(r[3]) for r in rows],
        v=[float(r[4]) for r in rows],
        i=[int(r[5]) for r in rows],
        m=[1 if r[6] else 0 for r in rows],
    )
