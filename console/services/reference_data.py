"""Reference data (基础数据) use cases: read the tables, save a record, delete one.

Every write is ONE ``Writer.apply`` of the table's ``<entity>.upsert`` / ``.delete``
mutation, so validation is the shared domain's (field declarations, the place rule) and the
server runs the same checks on push. Views call these on the task runner, never directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Table, select

from console.domain import references
from console.domain.fields import MutationRejected
from console.domain.reference_tables import REFERENCE_TABLES, ReferenceTable, reference_table
from console.domain.schema import MODEL_BY_TABLE
from console.store.changes import Changes
from console.store.writer import Writer


@dataclass(frozen=True)
class ReferenceSnapshot:
    """The live records of every reference table (small: a county has hundreds), so the page
    can list one table and the form can offer the others in its pickers without reading."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sample: bool = False  # any sample record among them

    @cached_property
    def _by_id(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {table: {r["id"]: r for r in rows} for table, rows in self.rows.items()}

    def township_of(self, table: str, record: Mapping[str, Any]) -> str | None:
        """The township a record belongs to: its own, else that of the place or unit it
        points at (a role held for a village, a person through their unit)."""
        return references.township_of(
            table, record, lambda target, id_: self._by_id.get(target, {}).get(id_)
        )

    def names(self, table: str) -> dict[str, str]:
        spec = reference_table(table)
        names = {r["id"]: str(r.get(spec.name_column) or "") for r in self.rows.get(table, [])}
        if table == "people":  # many share a name: a person is shown with their unit
            units = self.names("units")
            for r in self.rows.get(table, []):
                unit = units.get(r.get("unit_id") or "")
                if unit:
                    names[r["id"]] += f"（{unit}）"
        return names


def _table(name: str) -> Table:
    table = MODEL_BY_TABLE[name].__table__
    assert isinstance(table, Table)
    return table


class ReferenceData:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def snapshot(self) -> ReferenceSnapshot:
        rows: dict[str, list[dict[str, Any]]] = {}
        with self._writer.store.engine.connect() as conn:
            for spec in REFERENCE_TABLES:
                t = _table(spec.table)
                stmt = select(t).where(t.c.deleted.is_(False)).order_by(t.c[spec.name_column])
                rows[spec.table] = [dict(r) for r in conn.execute(stmt).mappings()]
        sample = any(r.get("is_sample") for table in rows.values() for r in table)
        return ReferenceSnapshot(rows, sample)

    def _name_of(self, table: str, record_id: str) -> str:
        spec = reference_table(table)
        t = _table(table)
        with self._writer.store.engine.connect() as conn:
            name = conn.execute(
                select(t.c[spec.name_column]).where(t.c.id == record_id)
            ).scalar_one_or_none()
        return "" if name is None else str(name)

    def save(
        self,
        table: str,
        values: Mapping[str, Any],
        *,
        user: str,
        record_id: str | None = None,
        is_sample: bool = False,
    ) -> str:
        """Add (``record_id`` None) or change a record stated whole; returns its id. A new
        record whose natural key is already a live record's is refused rather than
        silently overwriting it."""
        spec = reference_table(table)
        args: dict[str, Any] = dict(values)
        if record_id is None:
            record_id = spec.new_record_id(values, self._name_of)
            t = _table(table)
            with self._writer.store.engine.connect() as conn:
                clash = conn.execute(
                    select(t.c.id).where(t.c.id == record_id, t.c.deleted.is_(False))
                ).first()
            if clash is not None:
                raise MutationRejected(
                    "duplicate", f"已有相同的{spec.title}记录（{self._key_text(spec, values)}）"
                )
        if is_sample:  # an edited sample record stays local and labelled (see HIDDEN_FIELDS)
            args["is_sample"] = True
        self._writer.apply([(f"{spec.entity}.upsert", {"id": record_id, **args})], user=user)
        return record_id

    def _key_text(self, spec: ReferenceTable, values: Mapping[str, Any]) -> str:
        parts = []
        for column in spec.key_columns(values):
            ref = spec.fields[column].ref
            value = values.get(column)
            parts.append(self._name_of(ref, value) if ref and value else str(value or ""))
        return " ".join(p for p in parts if p)

    def delete(self, table: str, record_id: str, *, user: str) -> Changes:
        """Delete a record no live record points at (else the Chinese refusal)."""
        spec = reference_table(table)
        with self._writer.store.engine.connect() as conn:
            references.refuse_if_referenced(
                conn, table, record_id, self._name_of(table, record_id) or spec.title
            )
        return self._writer.apply([(f"{spec.entity}.delete", {"id": record_id})], user=user)
