"""The workstation's file cache (issue 13): case attachments and plan documents, each under
the SHA-256 of its content, ``<data dir>/files/<first two hex digits>/<digest>``.

Attaching copies the file here at once (works offline); sync uploads what the server lacks
(console/sync/files.py) and marks it ``<digest>.onserver``; a file this workstation lacks is
downloaded when opened, checked against its digest, and kept. Files are written to a
temporary name in the same folder and renamed when whole and checked, so a crash never
leaves a wrong file under a digest. Qt-free.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from console.domain.files import NAME_MAX, is_digest

FOLDER = "files"
ON_SERVER = ".onserver"
CHUNK = 1 << 20


class BlobMismatch(ValueError):
    """The bytes written are not the digest's."""


def file_digest(path: Path) -> tuple[str, int]:
    """(sha256 hex, size) of a file, read in chunks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class BlobCache:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / FOLDER

    def path(self, digest: str) -> Path:
        if not is_digest(digest):  # hex digits only: never a path outside the cache
            raise ValueError("not a SHA-256 digest")
        return self.root / digest[:2] / digest

    def has(self, digest: str) -> bool:
        return is_digest(digest) and self.path(digest).is_file()

    def on_server(self, digest: str) -> bool:
        """The server is known to hold it (uploaded from here, or downloaded from there)."""
        return is_digest(digest) and self.path(digest).with_suffix(ON_SERVER).exists()

    def mark_on_server(self, digest: str) -> None:
        marker = self.path(digest).with_suffix(ON_SERVER)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()

    def add_file(self, source: Path) -> tuple[str, int]:
        """Copy ``source`` in (hashing as it copies); (digest, size). A file already cached
        is left as it is."""

        def copy(write: Callable[[bytes], object]) -> None:
            with source.open("rb") as f:
                for chunk in iter(lambda: f.read(CHUNK), b""):
                    write(chunk)

        return self._write(copy, None)

    def add_bytes(self, data: bytes) -> tuple[str, int]:
        """Store ``data``; (digest, size)."""

        def copy(write: Callable[[bytes], object]) -> None:
            write(data)

        return self._write(copy, None)

    def add_stream(
        self, digest: str, write_into: Callable[[Callable[[bytes], object]], None]
    ) -> int:
        """Store what ``write_into`` writes (a download) under ``digest``; BlobMismatch
        (and nothing kept) when the bytes are another file's. Returns the size."""
        got, size = self._write(write_into, digest)
        assert got == digest
        return size

    def _write(
        self, write_into: Callable[[Callable[[bytes], object]], None], expected: str | None
    ) -> tuple[str, int]:
        self.root.mkdir(parents=True, exist_ok=True)
        h = hashlib.sha256()
        size = 0
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".incoming-", suffix=".part")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:

                def write(chunk: bytes) -> None:
                    nonlocal size
                    h.update(chunk)
                    size += len(chunk)
                    out.write(chunk)

                write_into(write)
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            if expected is not None and digest != expected:
                raise BlobMismatch(f"expected {expected}, got {digest}")
            target = self.path(digest)
            if not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
            return digest, size
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def named(self, digest: str, name: str) -> Path:
        """The cached file under its own name (a hard link, or a copy where links are not
        possible), for the system viewer, which goes by the suffix:
        ``files/named/<digest>/<name>``."""
        safe = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name).strip(" .") or digest[:12]
        target = self.root / "named" / digest / safe[:NAME_MAX]
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.path(digest), target)
        except FileExistsError:
            pass
        except OSError:
            shutil.copyfile(self.path(digest), target)
        return target

    def verify(self, digest: str) -> bool:
        """The cached file is still the digest's (a damaged one is removed)."""
        path = self.path(digest)
        if not path.is_file():
            return False
        if file_digest(path)[0] == digest:
            return True
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return False
