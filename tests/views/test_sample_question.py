"""The question asked when a workstation holding the sample county joins a server."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.views.sample_question import SampleQuestion, keep_sample_on_joining


def test_discarding_is_the_default_and_what_escape_means(qtbot: QtBot) -> None:
    question = SampleQuestion()
    qtbot.addWidget(question)
    assert question.defaultButton() is question.discard_button
    assert question.escapeButton() is question.discard_button
    assert "丢弃" in question.discard_button.text() and "演示服务器" in question.keep_button.text()


def test_nothing_to_discard_asks_nothing(qtbot: QtBot) -> None:
    assert keep_sample_on_joining(None, 0) is False  # would block here if it asked


# A modal QMessageBox on the offscreen platform: its harmless size-hint notice.
@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_keeping_must_be_chosen(qtbot: QtBot) -> None:
    def click_keep() -> None:
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, SampleQuestion)]
        visible = [w for w in shown if w.isVisible()]
        if not visible:
            QTimer.singleShot(20, click_keep)
            return
        visible[0].keep_button.click()

    QTimer.singleShot(0, click_keep)
    assert keep_sample_on_joining(None, 261) is True
