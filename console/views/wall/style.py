"""The wall's style sheet: type readable at 5 m (body 30 px, never under 28), high contrast
in either theme. Set on each wall window, so it wins over the desk style sheet there."""

from __future__ import annotations

from console.ui.theme import ThemeColors

BODY_PX = 30
TITLE_PX = 40
KPI_PX = 56
CLOCK_PX = 120
MIN_PX = 28  # nothing on the wall is smaller (tests check every label)


def wall_stylesheet(colors: ThemeColors) -> str:
    c = colors
    return f"""
QWidget#WallWindow {{ background: {c.window}; }}
QWidget#WallWindow QLabel {{ color: {c.text}; font-size: {BODY_PX}px; background: transparent; }}
QFrame#WallPanel {{ background: {c.panel}; border: 2px solid {c.border}; border-radius: 10px; }}
QFrame#WallTile {{ background: {c.raised}; border-radius: 8px; }}
QLabel#WallPanelTitle {{ font-size: {TITLE_PX}px; font-weight: bold; color: {c.text}; }}
QLabel#WallMuted {{ font-size: {MIN_PX}px; color: {c.muted}; }}
QLabel#WallLine {{ font-size: {BODY_PX}px; color: {c.text}; }}
QLabel#WallLineAlert {{ font-size: {BODY_PX}px; color: {c.danger}; font-weight: bold; }}
QLabel#WallKpi {{ font-size: {KPI_PX}px; font-weight: bold; color: {c.text}; }}
QLabel#WallKpiAlert {{ font-size: {KPI_PX}px; font-weight: bold; color: {c.danger}; }}
QLabel#WallClock {{ font-size: {CLOCK_PX}px; font-weight: bold; color: {c.accent}; }}
QLabel#WallFooter {{ font-size: {MIN_PX}px; color: {c.muted}; }}
QLabel#SampleBadge {{ font-size: {MIN_PX}px; color: {c.warn}; border: 2px solid {c.warn};
    border-radius: 6px; padding: 2px 10px; }}
"""
