"""RowChange: which record a mutation or a pull touched. Kept apart from the mutations so the
Qt side can name it without importing SQLAlchemy at start-up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowChange:
    table: str
    id: str
