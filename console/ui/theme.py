"""Themes: a calm dark theme for 24/7 duty rooms and a light one, switchable at runtime.

Style sheets live in ``console/resources/themes/<name>.qss``; the palette below feeds both Qt's
``QPalette`` (Fusion style) and code-drawn things such as the map, which read
:meth:`ThemeManager.colors` and listen to :attr:`ThemeManager.changed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from console import resources

THEMES: tuple[str, ...] = ("dark", "light")
THEME_LABELS: dict[str, str] = {"dark": "深色（值班室推荐）", "light": "浅色"}


@dataclass(frozen=True)
class ThemeColors:
    window: str
    panel: str
    raised: str
    border: str
    text: str
    muted: str
    accent: str
    ok: str
    warn: str
    danger: str
    map_land: str
    map_outline: str


COLORS: dict[str, ThemeColors] = {
    "dark": ThemeColors(
        window="#12161c",
        panel="#181d25",
        raised="#212833",
        border="#2e3744",
        text="#e4e8ee",
        muted="#95a0ae",
        accent="#4d9bff",
        ok="#3fb96b",
        warn="#f2b43a",
        danger="#ff5a52",
        map_land="#1a2a24",
        map_outline="#7fb8a0",
    ),
    "light": ThemeColors(
        window="#f3f5f8",
        panel="#ffffff",
        raised="#e9edf2",
        border="#c9d1db",
        text="#17202b",
        muted="#55606e",
        accent="#1f6fd6",
        ok="#1a7f3c",
        warn="#a86400",
        danger="#c62828",
        map_land="#e6f0e8",
        map_outline="#3b7a5c",
    ),
}


def palette_for(colors: ThemeColors) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    pal.setColor(role.Window, QColor(colors.window))
    pal.setColor(role.WindowText, QColor(colors.text))
    pal.setColor(role.Base, QColor(colors.panel))
    pal.setColor(role.AlternateBase, QColor(colors.raised))
    pal.setColor(role.Text, QColor(colors.text))
    pal.setColor(role.Button, QColor(colors.raised))
    pal.setColor(role.ButtonText, QColor(colors.text))
    pal.setColor(role.Highlight, QColor(colors.accent))
    pal.setColor(role.HighlightedText, QColor("#ffffff"))
    pal.setColor(role.ToolTipBase, QColor(colors.raised))
    pal.setColor(role.ToolTipText, QColor(colors.text))
    pal.setColor(role.PlaceholderText, QColor(colors.muted))
    pal.setColor(role.Link, QColor(colors.accent))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(disabled, r, QColor(colors.muted))
    return pal


THEMES_PLACEHOLDER = "@THEMES@"


def load_qss(name: str) -> str:
    """The theme's style sheet; "" (the palette alone) when the install lost it, which
    :func:`console.resources.read_text` has logged as an error."""
    try:
        qss = resources.read_text("themes", f"{name}.qss")
    except OSError:
        return ""
    # Images the sheet names (spin-box arrows) sit beside it, wherever the install put it.
    return qss.replace(THEMES_PLACEHOLDER, Path(str(resources.resource("themes"))).as_posix())


class ThemeManager(QObject):
    """Owns the current theme of one application."""

    changed = Signal(str)

    def __init__(self, app: QApplication, name: str = "dark") -> None:
        super().__init__(app)
        self._app = app
        self._name = name if name in THEMES else "dark"

    @property
    def name(self) -> str:
        return self._name

    def colors(self) -> ThemeColors:
        return COLORS[self._name]

    def apply(self, name: str | None = None) -> None:
        if name is not None:
            if name not in THEMES:
                raise ValueError(f"unknown theme {name!r}")
            self._name = name
        self._app.setPalette(palette_for(self.colors()))
        self._app.setStyleSheet(load_qss(self._name))
        self.changed.emit(self._name)
