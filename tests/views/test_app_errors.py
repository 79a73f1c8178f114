"""``run_gui`` in GUI mode: a store it cannot open is explained in a dialog, exit code 2
(with the garbage collector, paused for start-up, running again while the dialog waits)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from console import app as app_module
from console.cli import GuiOptions
from console.memory import collection_on, pause_collector, resume_collector
from console.store.errors import StoreError


def test_corrupt_store_shows_the_chinese_dialog_and_exits_2(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    garbage = os.urandom(8192)
    (data / "duty.db").write_bytes(garbage)
    shown: list[StoreError] = []
    monkeypatch.setattr(app_module, "setup_logging", lambda _dir: None)
    monkeypatch.setattr(app_module, "route_qt_messages", lambda: None)
    monkeypatch.setattr(app_module, "load_fonts", lambda _app: [])
    monkeypatch.setattr(app_module, "show_store_error", lambda _parent, err: shown.append(err))
    assert app_module.run_gui(GuiOptions(data_dir=data)) == 2
    assert len(shown) == 1
    assert shown[0].title == "数据库文件已损坏"
    assert "处理建议" in str(shown[0])
    assert (data / "duty.db").read_bytes() == garbage
    assert not [w for w in qapp.topLevelWidgets() if isinstance(w, QWidget) and w.isVisible()]


def test_the_collector_runs_again_while_the_store_error_waits_for_the_officer(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up pauses the garbage collector (console/memory.py); a modal message that may
    stay up for long must not keep it paused."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "duty.db").write_bytes(os.urandom(8192))
    collecting: list[bool] = []
    monkeypatch.setattr(app_module, "setup_logging", lambda _dir: None)
    monkeypatch.setattr(app_module, "route_qt_messages", lambda: None)
    monkeypatch.setattr(app_module, "load_fonts", lambda _app: [])
    monkeypatch.setattr(
        app_module, "show_store_error", lambda _parent, _err: collecting.append(collection_on())
    )
    pause_collector()  # as the command line does before run_gui
    try:
        assert app_module.run_gui(GuiOptions(data_dir=data)) == 2
    finally:
        resume_collector()
    assert collecting == [True]
