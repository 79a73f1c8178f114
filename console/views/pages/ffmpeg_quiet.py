"""FFmpeg's own log lines (bundled with Qt Multimedia) go to stderr whatever
``QT_LOGGING_RULES`` says: one line per frame of some streams. ``av_log_set_level`` on the
bundled libavutil keeps only its errors."""

from __future__ import annotations

import ctypes
from pathlib import Path

AV_LOG_ERROR = 16
AV_LOG_FATAL = 8
_done = False


def quiet_ffmpeg(level: int = AV_LOG_FATAL) -> bool:
    """Once per process; False when the bundled library is not found (nothing changes)."""
    global _done
    if _done:
        return True
    import PySide6

    lib_dir = Path(PySide6.__file__).parent / "Qt" / "lib"
    for path in sorted(lib_dir.glob("libavutil.so*")) + sorted(
        Path(PySide6.__file__).parent.glob("avutil*.dll")
    ):
        try:
            ctypes.CDLL(str(path)).av_log_set_level(level)
        except (OSError, AttributeError):
            continue
        _done = True
        return True
    return False
