"""The "changes" object every write and every pull announces on one signal."""

from __future__ import annotations

from dataclasses import dataclass, field

from console.domain.rows import RowChange


@dataclass(frozen=True)
class Changes:
    rows: tuple[RowChange, ...]
    mutation_ids: tuple[int, ...] = ()
    # "local" (this process's write), "pull", or "external" (another process wrote the file,
    # e.g. ``duty-console incident new``: its rows are not named, see console/store/external.py)
    source: str = "local"
    # Tables that may have changed in rows not named in ``rows`` (an external write).
    also_tables: frozenset[str] = frozenset()
    tables: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        tables = frozenset(r.table for r in self.rows) | self.also_tables
        object.__setattr__(self, "tables", tables)

    def ids(self, table: str) -> set[str]:
        return {r.id for r in self.rows if r.table == table}

    def touches(self, *tables: str) -> bool:
        return not self.tables.isdisjoint(tables)


READINGS = "readings"


def readings_changes() -> Changes:
    """What the store announces when stations' readings landed (the channel's pages, a
    phoned-in report): no synced rows, the ``readings`` table."""
    return Changes(rows=(), source=READINGS, also_tables=frozenset({READINGS}))
