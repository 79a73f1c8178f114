"""The wall's style sheet: type readable at 5 m (body 30 px, never under 28), high contrast
in either theme. Set on each wall window, so it wins over the desk style sheet there. Every
rule starts with ``QWidget#WallWindow``: the general label rule has that id, and a rule for
one kind of label must be at least as specific to win over it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QWidget

from console.ui.theme import ThemeColors

BODY_PX = 30
TITLE_PX = 40
KPI_PX = 56
CLOCK_PX = 120
MIN_PX = 28  # nothing on the wall is smaller (tests check every label)


def fitting_px(
    start: int, floor: int, step: int, height_at: Callable[[int], int], room: int
) -> int:
    """The largest of ``start``, ``start - step``, ... whose ``height_at(px)`` fits in
    ``room``; never under ``floor`` (then the caller decides what gives way)."""
    px = start
    while px > floor and height_at(px) > room:
        px -= step
    return max(px, floor)


def set_font_px(widgets: Iterable[QWidget], px: int, default: int) -> None:
    """``px`` on each widget's own sheet (it wins over the window's rules); none at
    ``default``, so the window's rule applies again."""
    sheet = "" if px == default else f"font-size: {px}px;"
    for widget in widgets:
        widget.setStyleSheet(sheet)


def wall_stylesheet(colors: ThemeColors) -> str:
    c = colors
    bold = "font-weight: bold;"
    rules = {
        "": f"background: {c.window};",
        " QLabel": f"color: {c.text}; font-size: {BODY_PX}px; background: transparent;",
        " QFrame#WallPanel": f"background: {c.panel}; border: 2px solid {c.border};"
        " border-radius: 10px;",
        " QScrollArea#WallClip, QWidget#WallBody": "background: transparent; border: none;",
        " QFrame#WallTile": f"background: {c.raised}; border-radius: 8px;",
        " QLabel#WallPanelTitle": f"font-size: {TITLE_PX}px; {bold} color: {c.text};",
        " QLabel#WallMuted": f"font-size: {MIN_PX}px; color: {c.muted};",
        " QLabel#WallLine": f"font-size: {BODY_PX}px; color: {c.text};",
        " QLabel#WallLineAlert": f"font-size: {BODY_PX}px; color: {c.danger}; {bold}",
        " QLabel#WallKpi": f"font-size: {KPI_PX}px; {bold} color: {c.text};",
        " QLabel#WallKpiAlert": f"font-size: {KPI_PX}px; {bold} color: {c.danger};",
        " QLabel#WallClock": f"font-size: {CLOCK_PX}px; {bold} color: {c.accent};",
        " QLabel#WallFooter": f"font-size: {MIN_PX}px; color: {c.muted};",
        " QLabel#SampleBadge": f"font-size: {MIN_PX}px; color: {c.warn};"
        f" border: 2px solid {c.warn}; border-radius: 6px; padding: 2px 10px;",
        " QLabel#SimulatedBadge": f"font-size: {MIN_PX}px; {bold} color: {c.danger};"
        f" background: {c.panel}; border: 2px solid {c.danger}; border-radius: 6px;"
        " padding: 2px 10px;",
    }
    return "\n".join(f"QWidget#WallWindow{sel} {{ {body} }}" for sel, body in rules.items())
