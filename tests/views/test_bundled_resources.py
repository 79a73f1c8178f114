"""Bundled resources: read from the ``console.resources`` package (or the override folder),
and a file the install lost is an error in the log, never a silently unthemed window."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

import console.resources
from console.app import load_fonts
from console.domain.sample import SAMPLE_FILE
from console.resources import read_text, resource_root
from console.services.sample_data import read_sample
from console.ui.theme import COLORS, ThemeManager, load_qss
from console.views.pages.map_layers import OUTLINE_FILE, load_outline

BUNDLED = (
    ("themes", "dark.qss"),
    ("themes", "light.qss"),
    ("fonts", "NotoSansSC-DutyConsole-Subset.otf"),
    ("sounds", "alert.wav"),
    OUTLINE_FILE,
    SAMPLE_FILE,
)


@pytest.fixture
def empty_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "no-resources"
    folder.mkdir()
    monkeypatch.setenv("DUTY_CONSOLE_RESOURCES", str(folder))
    return folder


@pytest.fixture
def restored_app(qapp: QApplication) -> Iterator[QApplication]:
    """The tests below change the application's look; later tests get it back."""
    sheet, palette, font = qapp.styleSheet(), qapp.palette(), qapp.font()
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)


def _errors(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


def test_resources_are_the_packages_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DUTY_CONSOLE_RESOURCES", raising=False)
    root = resource_root()
    assert root == files("console.resources")
    assert Path(str(root)) == Path(console.resources.__file__).parent
    for parts in BUNDLED:
        assert root.joinpath(*parts).is_file(), parts
    assert "QWidget" in load_qss("dark")
    assert len(load_outline()) >= 1
    assert read_sample()["label"] == "样例数据"


def test_override_folder_replaces_the_bundled_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "dark.qss").write_text("QLabel { color: #123456; }", encoding="utf-8")
    monkeypatch.setenv("DUTY_CONSOLE_RESOURCES", str(tmp_path))
    assert load_qss("dark") == "QLabel { color: #123456; }"


def test_missing_theme_is_a_logged_error_and_keeps_the_palette(
    restored_app: QApplication, empty_resources: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    ThemeManager(restored_app, "light").apply()
    assert "themes/light.qss" in _errors(caplog)
    assert restored_app.styleSheet() == ""
    window = restored_app.palette().color(QPalette.ColorRole.Window)
    assert window == QColor(COLORS["light"].window)


def test_missing_outline_font_and_sample_are_logged_errors(
    restored_app: QApplication, empty_resources: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    assert load_outline() == []
    assert "geo/suichang_outline.geojson" in _errors(caplog)

    caplog.clear()
    assert load_fonts(restored_app) == []
    assert "bundled resource fonts unusable" in _errors(caplog)

    caplog.clear()
    with pytest.raises(FileNotFoundError):
        read_sample()
    assert "sample/suichang_sample.json" in _errors(caplog)


def test_broken_outline_is_a_logged_error(
    empty_resources: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (empty_resources / "geo").mkdir()
    (empty_resources / "geo" / "suichang_outline.geojson").write_text("{", encoding="utf-8")
    caplog.set_level(logging.ERROR)
    assert load_outline() == []
    assert "geo/suichang_outline.geojson" in _errors(caplog)
    with pytest.raises(FileNotFoundError):
        read_text("themes", "dark.qss")
