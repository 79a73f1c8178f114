"""Store errors reach the officer in Chinese; a failed write leaves the input alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from console.store.errors import StoreError, corrupt, disk_full
from console.ui import errors


def test_dialog_carries_title_message_and_advice(qtbot: QtBot, tmp_path: Path) -> None:
    error = corrupt(tmp_path / "duty.db", "file is not a database")
    box = errors.build_dialog(None, error)
    qtbot.addWidget(box)
    assert box.icon() == QMessageBox.Icon.Critical
    assert "数据库文件已损坏" in box.windowTitle()
    assert "文件未被修改" in box.informativeText()
    assert "处理建议" in box.informativeText()
    assert errors.error_text(error).startswith("数据库文件已损坏\n")


def test_disk_full_during_a_write_keeps_the_input(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    field.setText("北界镇苏村发生山体滑坡，3 人被困")
    shown: list[StoreError] = []
    monkeypatch.setattr(errors, "show_store_error", lambda _parent, err: shown.append(err))

    def write() -> str:
        raise disk_full(tmp_path)

    assert errors.guarded_write(field, write) is None
    assert [type(e).__name__ for e in shown] == ["DiskFullError"]
    assert field.text() == "北界镇苏村发生山体滑坡，3 人被困"
    box = errors.build_dialog(field, shown[0])
    assert "仍保留在原窗口中" in box.informativeText()
    assert errors.guarded_write(field, lambda: "ok") == "ok"
