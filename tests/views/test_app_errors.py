"""``run_gui`` in GUI mode: a store it cannot open is explained in a dialog, exit code 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from console import app as app_module
from console.cli import GuiOptions
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
