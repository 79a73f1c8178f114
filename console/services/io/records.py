"""The live records an import or export needs, with their natural keys as names.

A record's natural key is its layout's key fields, a reference among them given as the
referenced record's name (the last component of that record's own key), so the key of a
village is ("北界镇", "苏村") whatever its id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from console.domain.schema import ENTITY_FIELDS, MODEL_BY_TABLE
from console.services.io.layout import LAYOUTS

Key = tuple[str, ...]


class Records:
    """Snapshot of the live rows of a table and of the tables it refers to."""

    def __init__(self, conn: Connection, table: str) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}
        self._load(conn, table)
        self._names: dict[tuple[str, str], str] = {}
        self.index: dict[str, dict[Key, dict[str, Any]]] = {
            name: {} for name in self.rows if name in LAYOUTS
        }
        for name, by_id in self.rows.items():
            if name not in LAYOUTS:
                continue
            index = self.index[name]
            for row in by_id.values():
                index.setdefault(self.key_of(name, row), row)

    def _load(self, conn: Connection, table: str) -> None:
        if table in self.rows:
            return
        model = MODEL_BY_TABLE[table].__table__
        assert isinstance(model, Table)
        stmt = select(model).where(model.c.deleted.is_(False))
        self.rows[table] = {r["id"]: dict(r) for r in conn.execute(stmt).mappings()}
        for spec in ENTITY_FIELDS[table].values():
            if spec.ref is not None and spec.ref in LAYOUTS:
                self._load(conn, spec.ref)

    def name_of(self, table: str, record_id: str | None) -> str:
        """How a reference to the record is written: its last key component ("" if gone)."""
        if record_id is None:
            return ""
        cached = self._names.get((table, record_id))
        if cached is not None:
            return cached
        row = self.rows.get(table, {}).get(record_id)
        name = "" if row is None else self.key_of(table, row)[-1]
        self._names[(table, record_id)] = name
        return name

    def key_of(self, table: str, row: dict[str, Any]) -> Key:
        lay = LAYOUTS[table]
        if lay.key_by_id:
            return tuple("" if row.get(f) is None else str(row[f]) for f in lay.key)
        parts = self._parts(table, row, lay.key)
        fields = lay.key_fields(parts)
        return parts if fields is lay.key else self._parts(table, row, fields)

    def _parts(self, table: str, row: dict[str, Any], fields: tuple[str, ...]) -> Key:
        specs = ENTITY_FIELDS[table]
        parts = []
        for field in fields:
            ref = specs[field].ref
            value = row.get(field)
            parts.append(self.name_of(ref, value) if ref else "" if value is None else str(value))
        return tuple(parts)

    def find(self, table: str, key: Key) -> dict[str, Any] | None:
        return self.index.get(table, {}).get(key)
