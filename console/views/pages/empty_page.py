"""Placeholder for pages that later issues build: says in Chinese what will be there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from console.views.pages.base import Page, PageContext


class EmptyPage(Page):
    """Title, purpose and the planned features, laid out as a calm card."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        spec = context.spec
        self.header.subtitle.hide()

        card = QFrame(self)
        card.setObjectName("Card")
        card.setMinimumWidth(560)
        card.setMaximumWidth(820)
        body = QHBoxLayout(card)
        body.setContentsMargins(28, 24, 28, 24)
        body.setSpacing(24)

        glyph = QLabel(spec.glyph, card)
        glyph.setObjectName("CardGlyph")
        glyph.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        glyph.setFixedWidth(64)
        body.addWidget(glyph)

        text = QVBoxLayout()
        text.setSpacing(8)
        heading = QLabel("此功能将在后续版本上线", card)
        heading.setObjectName("CardHeading")
        text.addWidget(heading)
        summary = QLabel(spec.summary, card)
        summary.setWordWrap(True)
        text.addWidget(summary)
        if spec.planned:
            planned_title = QLabel("计划提供：", card)
            planned_title.setObjectName("Muted")
            text.addSpacing(6)
            text.addWidget(planned_title)
            for item in spec.planned:
                line = QLabel(f"•  {item}", card)
                line.setObjectName("PlannedItem")
                line.setWordWrap(True)
                text.addWidget(line)
        keys = QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        footer = QLabel(f"快捷键 {keys} 可随时回到本页。其他页面可从左侧导航栏进入。", card)
        footer.setObjectName("Muted")
        footer.setWordWrap(True)
        text.addSpacing(10)
        text.addWidget(footer)
        body.addLayout(text, 1)

        self.layout_.addSpacing(12)
        row = QHBoxLayout()
        row.addWidget(card, 3)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.layout_.addStretch(1)
