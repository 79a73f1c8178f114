"""Draft autosave of a half-typed call: survives a crash, a kill or a closed window.

One JSON file per form in ``<data dir>/drafts``, replaced atomically (write, fsync, rename,
fsync the folder), so a kill at any moment leaves either the previous or the new draft.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


class DraftStore:
    def __init__(self, data_dir: Path, name: str = "intake") -> None:
        self._dir = data_dir / "drafts"
        self._path = self._dir / f"{name}.json"

    @property
    def path(self) -> Path:
        return self._path

    def save(self, fields: dict[str, Any]) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(fields, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._path)
        with contextlib.suppress(OSError):  # not every platform can fsync a directory
            fd = os.open(self._dir, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def load(self) -> dict[str, Any] | None:
        try:
            with open(self._path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and any(data.values()) else None

    def clear(self) -> None:
        self._path.unlink(missing_ok=True)
