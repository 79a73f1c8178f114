"""The server's file store (issue 13): case attachments and plan documents on disk, each
under the SHA-256 of its content, ``<folder>/<first two hex digits>/<digest>``.

A digest is 64 lowercase hex digits (console.domain.files.is_digest), checked before any
path is built, so no name a client sends can reach outside the folder. A file is written to
a temporary file in the same folder, flushed to disk, checked against its digest and only
then renamed into place (atomic: a reader sees the whole file or none); the same content
uploaded twice converges on one file.

The folder is ``<data dir>/files`` by default (``--files-dir`` or $DUTY_SERVER_FILES_DIR),
and a drill server's is ``drill/`` beneath the real one's (server.drill), never the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from console.domain.files import DEFAULT_MAX_FILE_MB, is_digest

MAX_MB_ENV = "DUTY_SERVER_MAX_FILE_MB"
DIR_ENV = "DUTY_SERVER_FILES_DIR"
FOLDER = "files"


class FileRefused(Exception):
    """An upload refused: ``status`` the HTTP status, ``message`` Chinese."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def max_bytes_from_env() -> int:
    """$DUTY_SERVER_MAX_FILE_MB (whole megabytes, at least 1), else the default 50 MB."""
    try:
        mb = int(os.environ.get(MAX_MB_ENV, ""))
    except ValueError:
        mb = DEFAULT_MAX_FILE_MB
    return max(1, mb) * 1024 * 1024


class FileStore:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def path(self, digest: str) -> Path:
        if not is_digest(digest):  # the only guard a path needs: hex digits only
            raise ValueError("not a SHA-256 digest")
        return self.folder / digest[:2] / digest

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def missing(self, digests: Iterable[str]) -> list[str]:
        """The digests of ``digests`` this store lacks, in the order given, once each."""
        seen: set[str] = set()
        out: list[str] = []
        for d in digests:
            if d not in seen and not self.has(d):
                out.append(d)
            seen.add(d)
        return out

    async def put(self, digest: str, length: int, chunks: AsyncIterator[bytes]) -> bool:
        """Store the body ``chunks`` (announced as ``length`` bytes) under ``digest``;
        True when written, False when the file was already here (the body is still read
        and checked). FileRefused when the body is longer or shorter than announced, or
        its digest is another."""
        target = self.path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > length:
                        raise FileRefused(400, "请求体比声明的长度长", "length_mismatch")
                    h.update(chunk)
                    out.write(chunk)
                if size != length:
                    raise FileRefused(400, "请求体不完整（短于声明的长度）", "length_mismatch")
                if h.hexdigest() != digest:
                    raise FileRefused(422, "文件内容与摘要不符", "digest_mismatch")
                out.flush()
                os.fsync(out.fileno())
            if target.is_file():
                return False
            os.replace(tmp, target)
            _fsync_dir(target.parent)
            return True
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _fsync_dir(folder: Path) -> None:
    """The rename itself reaches the disk (POSIX; a no-op where directories cannot be
    opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
