"""The token signing key: kept OUTSIDE the database, so a copy of the database cannot mint tokens.

Where it comes from, first match wins:

1. ``$DUTY_SERVER_SECRET``: the key itself (at least 32 characters; e.g. from a secrets
   manager). Every server process on one database must get the same value.
2. ``--secret-file PATH`` or ``$DUTY_SERVER_SECRET_FILE``: a key file.
3. ``<data dir>/token-signing.key``: created on first start (64 random hex characters, mode
   0600, owner only).

A key file readable by group or others is refused (the server does not start), as ssh does.
Losing the key signs everybody out (they sign in again); nothing else depends on it.
"""

from __future__ import annotations

import os
import secrets
import stat
import time
from pathlib import Path

ENV_SECRET = "DUTY_SERVER_SECRET"
ENV_SECRET_FILE = "DUTY_SERVER_SECRET_FILE"
KEY_FILE_NAME = "token-signing.key"
MIN_SECRET_CHARS = 32


class SigningKeyError(Exception):
    """The signing key cannot be used; ``str(exc)`` says why and what to do."""


def key_file_path(data_dir: Path, secret_file: Path | None = None) -> Path:
    override = secret_file or (
        Path(os.environ[ENV_SECRET_FILE]) if os.environ.get(ENV_SECRET_FILE) else None
    )
    return (override or data_dir / KEY_FILE_NAME).expanduser()


def signing_key(data_dir: Path, secret_file: Path | None = None) -> bytes:
    """The key for this server process (see the module docstring); creates the default file."""
    from_env = os.environ.get(ENV_SECRET)
    if from_env:
        if len(from_env.strip()) < MIN_SECRET_CHARS:
            raise SigningKeyError(f"${ENV_SECRET} must have at least {MIN_SECRET_CHARS} characters")
        return from_env.strip().encode()
    path = key_file_path(data_dir, secret_file)
    if not path.exists():
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting at once, one writes and both read the same key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.write(fd, (secrets.token_hex(32) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(
            f"key file {path} is accessible to group or others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    for _ in range(50):  # another process may have created it a moment ago
        text = path.read_text(encoding="ascii", errors="replace").strip()
        if len(text) >= MIN_SECRET_CHARS:
            return text.encode()
        time.sleep(0.02)
    raise SigningKeyError(f"key file {path} holds fewer than {MIN_SECRET_CHARS} characters")
