"""Case attachments and the files behind them (issue 13), Qt-free.

- :class:`CaseFiles`: attach a file to a case (copied into the local cache at once, its
  record written through the one write path: works offline) and detach one.
- :func:`list_attachments`: a case's files with their state here: 本机已有 (cached, and the
  server has it or it is sample data), 待上传 (cached, not yet uploaded), 需下载 (not here).
- :func:`ensure_local`: the cached file, downloaded first if this workstation lacks it
  (through ``fetch``, a download from the signed-in server: :func:`server_fetch`), checked
  against its digest. Every refusal is a :class:`FileError` in Chinese.

Uploading happens in the sync round (console/sync/files.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select

from console.domain import files
from console.domain.ids import new_id
from console.domain.schema import Case, CaseAttachment
from console.services.accounts import Session
from console.store.blobs import BlobCache, BlobMismatch
from console.store.changes import Changes
from console.store.database import Store
from console.store.writer import Writer
from console.sync.client import SyncHttpError, Unreachable

HERE, TO_UPLOAD, TO_DOWNLOAD = "本机已有", "待上传", "需下载"
# download(digest, write): streams the server's file into ``write``.
Fetch = Callable[[str, Callable[[bytes], object]], None]


class FileError(Exception):
    """A refusal about a file, in Chinese, for the officer."""


def _table(model: object) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def state_of(cache: BlobCache, digest: str, is_sample: bool) -> str:
    if not cache.has(digest):
        return TO_DOWNLOAD
    return HERE if is_sample or cache.on_server(digest) else TO_UPLOAD


def list_attachments(store: Store, case_id: str) -> list[dict[str, Any]]:
    """The live attachments of a case, pictures first then by name, each with ``state``
    and ``size_text``."""
    t = _table(CaseAttachment)
    cache = BlobCache(store.path.parent)
    stmt = select(t).where(t.c.case_id == case_id, t.c.deleted.is_(False))
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    for row in rows:
        row["state"] = state_of(cache, row["sha256"], bool(row["is_sample"]))
        row["size_text"] = files.size_text(int(row["size"]))
    rows.sort(key=lambda r: (r["kind"] != files.IMAGE, r["name"]))
    return rows


def ensure_local(cache: BlobCache, digest: str, fetch: Fetch | None) -> Path:
    """The file's cached path, downloading it first when it is not here."""
    if cache.has(digest) and cache.verify(digest):
        return cache.path(digest)
    if fetch is None:
        raise FileError(files.OFFLINE)
    try:
        cache.add_stream(digest, lambda write: fetch(digest, write))
    except Unreachable:
        raise FileError(files.OFFLINE) from None
    except BlobMismatch:
        raise FileError(files.CORRUPT) from None
    except SyncHttpError as exc:
        if exc.status == 404:
            raise FileError(files.NOT_ON_SERVER) from None
        raise FileError(f"下载失败：{exc.payload.get('detail') or exc}") from None
    cache.mark_on_server(digest)  # it came from there
    return cache.path(digest)


def server_fetch(session: Session | None) -> Fetch | None:
    """A download from the session's server (signing in again once if the token expired);
    None without a server connection (standalone, or signed in offline)."""
    if session is None or session.offline:
        return None

    def fetch(digest: str, write: Callable[[bytes], object]) -> None:
        client = session.client()
        try:
            try:
                client.download_file(digest, write)
            except SyncHttpError as exc:
                if exc.status != 401:
                    raise
                client.login(session.username, session.password)
                client.download_file(digest, write)
        finally:
            client.close()

    return fetch


class CaseFiles:
    """Writes of case attachments: each ONE mutation."""

    def __init__(
        self, writer: Writer, max_bytes: int = files.DEFAULT_MAX_FILE_MB * 1024 * 1024
    ) -> None:
        self._writer = writer
        self.max_bytes = max_bytes
        self.cache = BlobCache(writer.store.path.parent)

    def attach(self, case_id: str, source: Path, *, user: str, caption: str = "") -> str:
        """Copy ``source`` into the cache and attach it to the case; the attachment's id.
        A sample case's file is sample data too (it stays on this workstation)."""
        if not source.is_file():
            raise FileError(f"找不到文件：{source.name}")
        if source.stat().st_size > self.max_bytes:
            raise FileError(files.too_big_text(self.max_bytes))
        case = self._case(case_id)
        name = source.name[: files.NAME_MAX]
        digest, size = self.cache.add_file(source)
        args: dict[str, Any] = {
            "id": new_id(),
            "case_id": case_id,
            "name": name,
            "kind": files.kind_of(name),
            "size": size,
            "sha256": digest,
            "caption": caption.strip()[: files.CAPTION_MAX],
            "is_sample": bool(case["is_sample"]),
        }
        self._writer.apply([("case_attachment.attach", args)], user=user)
        return str(args["id"])

    def detach(self, attachment_id: str, *, user: str) -> Changes:
        return self._writer.apply([("case_attachment.detach", {"id": attachment_id})], user=user)

    def _case(self, case_id: str) -> Mapping[str, Any]:
        t = _table(Case)
        with self._writer.store.engine.connect() as conn:
            row = conn.execute(
                select(t.c.is_sample).where(t.c.id == case_id, t.c.deleted.is_(False))
            ).first()
        if row is None:
            raise FileError("案例不存在")
        return dict(row._mapping)
