"""队伍与值班: the page a duty leader runs the shift from, one tab per job: 队伍 (teams),
排班 (the duty roster), 交接班 (handover) and 值班日志 (the duty log).

Tabs are built when first shown, like pages; ``--view teams:roster`` opens one directly.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtWidgets import QTabWidget, QWidget

from console.views.pages.base import Page, PageContext
from console.views.registry import view_spec

# The panel of each tab the registry declares (``--view teams:NAME``), as "module:Class".
FACTORIES: dict[str, str] = {
    "teams": "console.views.pages.team_panel:TeamPanel",
    "roster": "console.views.pages.roster_panel:RosterPanel",
    "handover": "console.views.pages.handover_panel:HandoverPanel",
    "log": "console.views.pages.duty_log_panel:DutyLogPanel",
}
TABS: tuple[tuple[str, str], ...] = view_spec("teams").tabs
TAB_NAMES = tuple(name for name, _title in TABS)


def _build(factory: str, context: PageContext, parent: QWidget) -> QWidget:
    module, _, cls = factory.partition(":")
    built: QWidget = getattr(importlib.import_module(module), cls)(context, parent)
    return built


class TeamsPage(Page):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.header.subtitle.setText("救援队伍、值班排班、交接班和值班日志。")
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.layout_.addWidget(self.tabs, 1)
        self._panels: dict[str, QWidget] = {}
        for name, title in TABS:
            holder = QWidget(self.tabs)
            holder.setObjectName(f"tab-{name}")
            self.tabs.addTab(holder, title)
        self.tabs.currentChanged.connect(self._build_current)
        self._build_current(0)

    def panel(self, name: str) -> QWidget:
        """The tab's panel, built now if it was not yet."""
        if name not in self._panels:
            index = TAB_NAMES.index(name)
            panel = _build(FACTORIES[name], self.context, self.tabs)
            signal = getattr(panel, "sample_present", None)
            if signal is not None:
                signal.connect(self.header.set_sample)
            current = self.tabs.currentIndex()
            self.tabs.blockSignals(True)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, panel, TABS[index][1])
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            self._panels[name] = panel
        return self._panels[name]

    def select_tab(self, name: str) -> QWidget:
        panel = self.panel(name)
        self.tabs.setCurrentIndex(TAB_NAMES.index(name))
        return panel

    def current_tab(self) -> str:
        return TAB_NAMES[self.tabs.currentIndex()]

    def _build_current(self, index: int) -> None:
        if 0 <= index < len(TABS):
            self.panel(TAB_NAMES[index])

    # The team directory's parts, as the tests and the map reach them.
    @property
    def teams(self) -> Any:
        return self.panel("teams")
