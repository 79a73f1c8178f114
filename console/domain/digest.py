"""Canonical SHA-256 of the synced tables, identical on any replica that holds the same data.

Both ``duty-console digest`` and ``duty-server digest`` print it, so two replicas can be
compared with a glance. Rows are taken in id order, columns in schema order, values in a
type-stable JSON form (booleans as true/false whatever the backend stores).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from console.domain.schema import SYNCED_MODELS


def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)
    return value


def canonical_rows(conn: Connection, table: Table) -> Iterator[tuple[str, list[Any]]]:
    """(id, values in schema order, in the digest's type-stable form), in id order."""
    columns = list(table.columns)
    bool_cols = {c.name for c in columns if c.type.python_type is bool}
    for row in conn.execute(select(table).order_by(table.c.id)).mappings():
        values = [
            bool(row[c.name]) if c.name in bool_cols else _canonical(row[c.name]) for c in columns
        ]
        yield str(row["id"]), values


def table_digest(conn: Connection, table: Table) -> str:
    h = hashlib.sha256()
    for _, values in canonical_rows(conn, table):
        h.update(json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode())
        h.update(b"\n")
    return h.hexdigest()


def database_digest(conn: Connection) -> tuple[str, dict[str, str]]:
    """Overall digest plus one per table (for finding where two replicas differ)."""
    per_table: dict[str, str] = {}
    for model in SYNCED_MODELS:
        table = model.__table__
        assert isinstance(table, Table)
        per_table[table.name] = table_digest(conn, table)
    overall = hashlib.sha256(
        json.dumps(per_table, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return overall, per_table
