"""Officer-facing dialogs for store failures (corrupt file, disk full, unwritable folder).

Every :class:`~console.store.errors.StoreError` carries a Chinese title, message and advice.
A failed write leaves the form that asked for it untouched: :func:`guarded_write` shows the
dialog and returns ``None`` instead of raising, and the caller simply keeps the input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from console.domain.fields import MutationRejected
from console.store.errors import DiskFullError, StoreError

log = logging.getLogger(__name__)
R = TypeVar("R")

# What a write from a form can raise without being a bug: the store refused (disk full...)
# or the mutation was refused (the incident changed meanwhile, a field too long...). Both
# carry a Chinese message; the form keeps what the officer typed.
WRITE_REFUSED: tuple[type[Exception], ...] = (StoreError, MutationRejected)


def error_text(error: StoreError) -> str:
    """Plain text for stderr and logs: title, message and advice in Chinese."""
    return f"{error.title}\n{error.message}\n处理建议：{error.advice}"


def build_dialog(parent: QWidget | None, error: StoreError) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(f"值班台 - {error.title}")
    box.setText(f"<b>{error.title}</b>")
    info = error.message
    if isinstance(error, DiskFullError):
        info += "\n\n您填写的内容没有丢失，仍保留在原窗口中。"
    box.setInformativeText(f"{info}\n\n处理建议：{error.advice}")
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.button(QMessageBox.StandardButton.Ok).setText("知道了")
    return box


def show_store_error(parent: QWidget | None, error: StoreError) -> None:
    """Modal dialog; logs the error too (the message never holds secrets)."""
    log.error("store error shown to officer: %s", error_text(error).replace("\n", " | "))
    build_dialog(parent, error).exec()


def guarded_write(parent: QWidget | None, write: Callable[[], R]) -> R | None:
    """Run a write; on a StoreError show the dialog and return None (the input stays)."""
    try:
        return write()
    except StoreError as error:
        show_store_error(parent, error)
        return None
