"""Files in a sync round (issue 13): after the records are pushed and pulled, the files
this workstation holds that the server lacks are uploaded.

Which files: the live case attachments' and plan documents' digests that are in the local
cache (console/store/blobs.py) and not yet known to be on the server; sample records'
files never (样例数据 stays on the workstation, as its records do) unless the workstation
keeps its sample for a demo server. A file that fails (the server refuses it, the link
drops) is tried again next round: files never hold up the records, which went first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Table, select

from console.domain.files import is_digest
from console.domain.schema import CaseAttachment, Plan
from console.store.blobs import BlobCache
from console.store.database import Store
from console.sync.client import SyncClient, SyncHttpError

log = logging.getLogger(__name__)
CHECK_BATCH = 500


@dataclass(frozen=True)
class FilesReport:
    uploaded: int = 0
    already: int = 0  # the server had them (another workstation uploaded them)
    failed: int = 0


def _table(model: object) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def referenced(store: Store, include_sample: bool = False) -> list[str]:
    """The digests of the live attachments and plan documents (sample ones only when
    ``include_sample``), each once, in a stable order."""
    a, p = _table(CaseAttachment), _table(Plan)
    found: set[str] = set()
    with store.engine.connect() as conn:
        for table, column in ((a, a.c.sha256), (p, p.c.document_sha256)):
            stmt = select(column).where(table.c.deleted.is_(False), column != "")
            if not include_sample:
                stmt = stmt.where(table.c.is_sample.is_(False))
            found.update(str(d) for d in conn.execute(stmt).scalars() if is_digest(d))
    return sorted(found)


def to_upload(store: Store, cache: BlobCache, include_sample: bool = False) -> list[str]:
    """Digests held here and not yet known to be on the server (待上传)."""
    return [d for d in referenced(store, include_sample) if cache.has(d) and not cache.on_server(d)]


def upload_missing(
    store: Store, client: SyncClient, cache: BlobCache, include_sample: bool = False
) -> FilesReport:
    """Ask the server which pending files it lacks and upload those. Unreachable goes up
    (the round reports offline); a refusal of one file (403 for a read-only account, 413
    too large, 422) is logged and the others go on."""
    pending = to_upload(store, cache, include_sample)
    uploaded = already = failed = 0
    for start in range(0, len(pending), CHECK_BATCH):
        batch = pending[start : start + CHECK_BATCH]
        missing = set(client.files_missing(batch))
        for digest in batch:
            if digest not in missing:
                cache.mark_on_server(digest)
                already += 1
                continue
            if not cache.verify(digest):  # damaged on this disk: nothing true to send
                failed += 1
                continue
            try:
                client.upload_file(digest, cache.path(digest))
            except SyncHttpError as exc:
                log.warning("file %s not uploaded: %s", digest[:12], exc)
                failed += 1
                if exc.status in (401, 403):
                    return FilesReport(uploaded, already, failed)  # the same for every file
                continue
            cache.mark_on_server(digest)
            uploaded += 1
    return FilesReport(uploaded, already, failed)
