"""Keeping the server's copy of rows that pending local mutations change (see SyncShadow)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection, RowMapping

from console.domain.mutations import TouchHook

_REMEMBER = text(
    "INSERT OR IGNORE INTO sync_shadow (table_name, record_id, row) VALUES (:t, :i, :r)"
).bindparams(bindparam("r", type_=None))


def row_json(row: RowMapping | dict[str, Any] | None) -> str | None:
    if row is None:
        return None
    return json.dumps(dict(row), ensure_ascii=False, separators=(",", ":"))


def shadow_hook(conn: Connection) -> TouchHook:
    """A mutation hook recording a row's pre-image the FIRST time pending work touches it:
    until then the live row is exactly what the server last sent."""

    def remember(table: str, record_id: str, before: RowMapping | None) -> None:
        conn.execute(_REMEMBER, {"t": table, "i": record_id, "r": row_json(before)})

    return remember
