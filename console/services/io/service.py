"""What the import dialog calls (on the task runner): preview, apply, export, template."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from console.domain.schema import Township
from console.services.io import exporter, importer
from console.services.io.importer import Preview, Progress
from console.store.writer import Writer


class ReferenceIO:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def preview(self, table: str, path: Path, progress: Progress | None = None) -> Preview:
        return importer.preview(self._writer.store, table, path, progress=progress)

    def apply(self, result: Preview, *, user: str, skip_refused: bool = False) -> int:
        """Write the accepted rows (one batch); the number of records written."""
        changes = importer.apply(self._writer, result, user=user, skip_refused=skip_refused)
        return len(changes.rows)

    def export(self, table: str, path: Path, township: str | None = None) -> int:
        return exporter.export_table(self._writer.store, table, path, township=township)

    def template(self, table: str, path: Path) -> None:
        exporter.write_template(table, path)

    def township_names(self) -> list[str]:
        stmt = select(Township.name).where(Township.deleted.is_(False)).order_by(Township.name)
        with self._writer.store.engine.connect() as conn:
            return [str(n) for n in conn.execute(stmt).scalars()]
