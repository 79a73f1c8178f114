"""The kinds of panel a wall screen can show: name, Chinese title and a lazy factory.

Pluggable: another module adds a kind with :func:`register_panel` (the video grid does, once
it exists); presets name panels by ``name``, so a preset naming a kind that is not
registered shows a stand-in cell instead of failing. Factories are dotted paths
(``module:callable``) imported only when a wall window is built.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from console.domain.situation import Situation
    from console.views.pages.base import PageContext

MAP, KPI, TICKER, CONTROL, DUTY = "map", "kpi", "ticker", "control", "duty"
REFRESH_MS = 30_000  # countdowns and clocks move even when no data changes


@dataclass(frozen=True)
class PanelKind:
    name: str  # stable, saved in presets
    title: str  # Chinese, shown on the panel and in the wall page
    factory: str  # "package.module:callable" taking (PageContext, parent) -> WallPanel


_KINDS: dict[str, PanelKind] = {}


def register_panel(kind: PanelKind) -> None:
    """Add (or replace, by name) a kind of panel; the wall page lists them in this order."""
    _KINDS[kind.name] = kind


def panel_kinds() -> tuple[PanelKind, ...]:
    return tuple(_KINDS.values())


def panel_kind(name: str) -> PanelKind | None:
    return _KINDS.get(name)


def panel_title(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.title if kind is not None else f"未知画面（{name}）"


for _kind in (
    PanelKind(MAP, "风险一张图", "console.views.wall.map_panel:MapPanel"),
    PanelKind(KPI, "雨水情与预警", "console.views.wall.kpi_panel:KpiPanel"),
    PanelKind(TICKER, "事件与报送时限", "console.views.wall.ticker_panel:TickerPanel"),
    PanelKind(CONTROL, "转移管控汇总", "console.views.wall.control_panel:ControlPanel"),
    PanelKind(DUTY, "今日值班", "console.views.wall.duty_panel:DutyPanel"),
    PanelKind("video", "视频监控", "console.views.wall.video_panel:VideoPanel"),
):
    register_panel(_kind)


class WallPanel(QFrame):
    """A cell of a wall screen: a big title and a body; read-only (no input widgets).

    Subclasses fill :attr:`body` and implement :meth:`refresh` (read in the background via
    ``run_task``); the panel refreshes on data changes and every :data:`REFRESH_MS`."""

    kind = ""
    watched: tuple[str, ...] = ()  # tables whose changes it reads again (empty: any change)

    def __init__(self, context: PageContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("WallPanel")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # A cell takes the share of the screen the layout gives it, never more: what does not
        # fit is cut at the bottom instead of making the window taller than its screen.
        policy = QSizePolicy.Policy.Ignored
        self.setSizePolicy(policy, policy)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 14, 20, 14)
        outer.setSpacing(10)
        self.title = QLabel(title, self)
        self.title.setObjectName("WallPanelTitle")
        self.title_row = QHBoxLayout()
        self.title_row.setSpacing(16)
        self.title_row.addWidget(self.title)
        self.title_row.addStretch(1)
        outer.addLayout(self.title_row)
        # The body keeps its natural height and is cut at the bottom when the cell is too
        # small (a viewport without scroll bars), rather than squeezed into overlapping lines.
        self.clip = QScrollArea(self)
        self.clip.setObjectName("WallClip")
        self.clip.setFrameShape(QFrame.Shape.NoFrame)
        self.clip.setWidgetResizable(True)
        self.clip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for bar in (self.clip.horizontalScrollBar(), self.clip.verticalScrollBar()):
            bar.setEnabled(False)
        self.clip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.clip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.clip.viewport().setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        inner = QWidget(self.clip)
        inner.setObjectName("WallBody")
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(8)
        self.clip.setWidget(inner)
        outer.addWidget(self.clip, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        context.bus.changed.connect(self._on_changes)

    def _on_changes(self, changes: object) -> None:
        touches = getattr(changes, "touches", None)
        if not self.watched or touches is None or touches(*self.watched):
            self.refresh()

    def refresh(self) -> None:
        """Read the panel's data again (subclasses)."""

    def set_situation(self, situation: Situation | None) -> None:
        """The threshold engine's latest (panels that show warnings override this)."""

    def stop(self) -> None:
        """The window is closing: no more reads."""
        self.timer.stop()
        with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
            self.context.bus.changed.disconnect(self._on_changes)


class MissingPanel(WallPanel):
    """A preset names a kind this build does not have (or it failed to build)."""

    def __init__(self, context: PageContext, name: str, parent: QWidget | None = None) -> None:
        super().__init__(context, panel_title(name), parent)
        note = QLabel("此画面暂不可用", self)
        note.setObjectName("WallMuted")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(note, 1)


def build_panel(name: str, context: PageContext, parent: QWidget | None = None) -> WallPanel:
    kind = _KINDS.get(name)
    if kind is None:
        return MissingPanel(context, name, parent)
    module_name, _, attr = kind.factory.partition(":")
    factory = cast(
        Callable[["PageContext", QWidget | None], WallPanel],
        getattr(importlib.import_module(module_name), attr),
    )
    panel = factory(context, parent)
    panel.kind = name
    return panel
