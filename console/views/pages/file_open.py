"""Opening a file with the system viewer (QDesktopServices), from the local cache, after a
download on the task runner when this workstation lacks it (issue 13: case attachments and
plan documents). Tests patch :func:`QDesktopServices.openUrl` here and check the path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel

from console.ui.tasks import TaskRunner, run_task
from console.views.pages.base import say


def open_path(path: Path) -> str:
    """Open ``path`` with the system viewer; "" when opened, else why not (Chinese)."""
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return f"无法打开：{path.name}（本机没有可打开该文件的程序）"
    return ""


def open_later(
    tasks: TaskRunner | None,
    receiver: QObject,
    message: QLabel,
    fetch_path: Callable[[], Path],
    done_text: str,
    on_done: Callable[[str], None] | None = None,
) -> None:
    """Get the file (``fetch_path``: from the cache, downloading first if need be) off the
    GUI thread, then open it; the message line says "下载中…", then the outcome.
    ``on_done`` is told "" or the refusal."""
    say(message, "正在从服务器下载文件…")

    def got(path: Path) -> None:
        why = open_path(path)
        say(message, why or done_text, error=bool(why))
        if on_done is not None:
            on_done(why)

    def failed(exc: BaseException) -> None:
        say(message, str(exc), error=True)
        if on_done is not None:
            on_done(str(exc))

    run_task(tasks, fetch_path, on_done=got, on_error=failed, receiver=receiver)
