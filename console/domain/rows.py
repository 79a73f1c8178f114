"""RowChange: which record a mutation or a pull touched; MutationCall: one named mutation with
its arguments. Kept apart from the mutations so the Qt side can name them without importing
SQLAlchemy at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MutationCall = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class RowChange:
    table: str
    id: str
