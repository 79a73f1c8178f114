"""Files kept on the server and cached on workstations (issue 13): case attachments and
plan documents, addressed by the SHA-256 of their content.

The rules both sides share: what a digest looks like (64 lowercase hex digits, so a digest
is also a safe file name: no path tricks), which kind a file is by its suffix, and the
largest file the server takes by default. Qt-free, no I/O.
"""

from __future__ import annotations

import re
from pathlib import PurePath

DIGEST_LEN = 64
_DIGEST = re.compile(r"[0-9a-f]{64}")
IMAGE, DOCUMENT = "图片", "文档"
KINDS = (IMAGE, DOCUMENT)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"})
DEFAULT_MAX_FILE_MB = 50
# The most bytes a size column accepts (far above any server limit: the server judges).
MAX_SIZE_BYTES = 2**31 - 1
NAME_MAX = 200
CAPTION_MAX = 200
# Chinese messages shared by the workstation's refusals.
OFFLINE = "离线，联网后可下载"
NOT_ON_SERVER = "服务器上还没有该文件：添加它的工作站尚未同步，请稍后再试"
CORRUPT = "下载的文件校验不符，已丢弃，请重试"


def is_digest(value: object) -> bool:
    """A SHA-256 in lowercase hex: the only form a file is stored or asked for under."""
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def kind_of(name: str) -> str:
    """图片 for a picture the case page can show as a thumbnail, else 文档."""
    return IMAGE if PurePath(name).suffix.lower() in IMAGE_SUFFIXES else DOCUMENT


def too_big_text(max_bytes: int) -> str:
    return f"文件过大：最大 {max_bytes // (1024 * 1024)} MB"


def size_text(size: int) -> str:
    """A size for the officer: 812 B, 35.2 KB, 4.1 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
