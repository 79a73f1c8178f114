"""What the import dialog calls (on the task runner): preview, apply, export, template."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from console.domain.schema import Township
from console.services.io import exporter, importer, workbook
from console.services.io.importer import Preview, Progress
from console.store.writer import Writer


class ReferenceIO:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def preview(self, table: str, path: Path, progress: Progress | None = None) -> Preview:
        """``table`` :data:`workbook.BOOK` previews every table worksheet of a workbook."""
        if table == workbook.BOOK:
            return workbook.preview_book(self._writer.store, path, progress=progress)
        return importer.preview(self._writer.store, table, path, progress=progress)

    def apply(self, result: Preview, *, user: str, skip_refused: bool = False) -> int:
        """Write the accepted rows (one batch); the number of records written."""
        changes = importer.apply(self._writer, result, user=user, skip_refused=skip_refused)
        return len(changes.rows)

    def export(self, table: str, path: Path, township: str | None = None) -> int:
        if table == workbook.BOOK:
            return workbook.export_book(self._writer.store, path, township=township)
        return exporter.export_table(self._writer.store, table, path, township=township)

    def template(self, table: str, path: Path) -> None:
        if table == workbook.BOOK:
            return workbook.write_book_template(path)
        exporter.write_template(table, path)

    def township_names(self) -> list[str]:
        stmt = select(Township.name).where(Township.deleted.is_(False)).order_by(Township.name)
        with self._writer.store.engine.connect() as conn:
            return [str(n) for n in conn.execute(stmt).scalars()]
