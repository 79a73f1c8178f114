"""The audit key: signs audit anchors (``duty-server audit-anchor``), kept OUT of the database.

A copy of the database alone must not be enough to forge an anchor, so the key lives in
``$DUTY_SERVER_AUDIT_KEY`` (hex, at least 32 bytes), in the file ``$DUTY_SERVER_AUDIT_KEY_FILE``
names, or in ``audit.key`` in the server data folder, created with mode 0600 on first start.
Separate from the token signing key: leaking one must not give the other.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

ENV_KEY = "DUTY_SERVER_AUDIT_KEY"
ENV_KEY_FILE = "DUTY_SERVER_AUDIT_KEY_FILE"
FILE_NAME = "audit.key"
KEY_BYTES = 32


class AuditKeyError(Exception):
    """The key is missing, unreadable, too short or readable by others (message English)."""


def key_path(data_dir: Path) -> Path:
    override = os.environ.get(ENV_KEY_FILE)
    return Path(override).expanduser() if override else data_dir / FILE_NAME


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise AuditKeyError(f"{where}: the audit key must be hex") from None
    if len(key) < KEY_BYTES:
        raise AuditKeyError(f"{where}: the audit key must hold at least {KEY_BYTES} bytes")
    return key


def load_key(data_dir: Path, *, create: bool) -> bytes:
    """The audit key; with ``create`` a missing key file is made (0600). Verification passes
    ``create=False``: a fresh key would only make every anchor look forged."""
    env = os.environ.get(ENV_KEY)
    if env:
        return _parse(env, ENV_KEY)
    path = key_path(data_dir)
    if not path.exists():
        if not create:
            raise AuditKeyError(f"{path}: audit key not found (set {ENV_KEY} or restore the file)")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once never overwrite each other's key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(KEY_BYTES) + "\n")
                f.flush()
                os.fsync(f.fileno())
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(f"{path}: readable by others (mode {mode & 0o777:o}); chmod 600 it")
    return _parse(path.read_text(encoding="ascii"), str(path))


def key_id(key: bytes) -> str:
    """A short public fingerprint: tells "signed with another key" apart from "forged"."""
    return hashlib.sha256(b"duty-server audit key id\x00" + key).hexdigest()[:16]
