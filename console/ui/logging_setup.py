"""Logging to ``<data dir>/logs/duty-console.log``: 5 files of 2 MB, rotating.

The log is for technical support; it must never hold secrets. A filter masks anything that
looks like a password, token or key before a record is written. Qt's own messages are routed
into the same log.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

LOG_FILE = "duty-console.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 4  # the current file plus four old ones: five files of 2 MB
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

_SECRET = re.compile(
    r"(?i)\b(password|passwd|pwd|token|secret|api[_-]?key|authorization|密码|口令)"
    r"(\s*[:=：]\s*|\s+)(\S+)"
)


class RedactSecrets(logging.Filter):
    """Replace values that follow secret-looking words with ``***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        masked = _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
        if masked != text:
            record.msg = masked
            record.args = None
        return True


def log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / LOG_FILE


def setup_logging(data_dir: Path, level: int = logging.INFO) -> RotatingFileHandler | None:
    """Attach the rotating file handler to the root logger; None when the folder is unusable."""
    path = log_path(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return handler


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def route_qt_messages() -> None:
    """Send Qt's warnings to the log (the app only; tests keep pytest-qt's handler)."""
    qInstallMessageHandler(_qt_message)
