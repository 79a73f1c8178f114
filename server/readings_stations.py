"""The live stations as ingest needs them (code or id -> id and kind), cached per database.

Every batch of readings names up to every station; looking them up by ``IN (...)`` cost a
tenth of an ingest. The cache is keyed on ``server_state.version``, which every applied
push raises (a station added, changed or deleted included): read the version first, then
the stations, so a push committing in between can only make the cache reload once more,
never keep an old station list under a new version.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from console.domain.schema import Station
from server.schema import ServerState


@dataclass(frozen=True)
class StationIndex:
    version: int
    by_code: dict[str, tuple[str, str]]  # code -> (id, kind)
    by_id: dict[str, tuple[str, str]]  # id -> (id, kind)

    def find(self, by_id: bool, key: str) -> tuple[str, str] | None:
        return (self.by_id if by_id else self.by_code).get(key)


_cache: dict[str, StationIndex] = {}
_lock = threading.Lock()


def live_stations(conn: Connection, *, cached: bool = True) -> StationIndex:
    """The live stations as ``conn`` sees them. ``cached=False`` inside a transaction that
    may have changed stations itself (a push applying ``reading.report`` after a
    ``station.upsert``): its uncommitted view is neither served from nor put in the cache."""
    version = int(conn.execute(select(ServerState.version)).scalar_one())
    key = conn.engine.url.render_as_string(hide_password=True)
    if cached:
        with _lock:
            found = _cache.get(key)
        if found is not None and found.version == version:
            return found
    rows = conn.execute(
        select(Station.id, Station.code, Station.kind).where(Station.deleted.is_(False))
    ).all()
    index = StationIndex(
        version,
        {str(code): (str(sid), str(kind)) for sid, code, kind in rows},
        {str(sid): (str(sid), str(kind)) for sid, _code, kind in rows},
    )
    if cached:
        with _lock:
            _cache[key] = index
    return index
