"""The "changes" object every write and every pull announces on one signal."""

from __future__ import annotations

from dataclasses import dataclass, field

from console.domain.rows import RowChange


@dataclass(frozen=True)
class Changes:
    rows: tuple[RowChange, ...]
    mutation_ids: tuple[int, ...] = ()
    source: str = "local"  # "local" (this workstation's write) or "pull"
    tables: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", frozenset(r.table for r in self.rows))

    def ids(self, table: str) -> set[str]:
        return {r.id for r in self.rows if r.table == table}

    def touches(self, *tables: str) -> bool:
        return not self.tables.isdisjoint(tables)
