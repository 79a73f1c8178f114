"""Spin boxes show their up and down arrows in both themes (a styled spin box loses the
platform's arrows unless the theme draws its own)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTime
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDoubleSpinBox,
    QSpinBox,
    QStyle,
    QStyleOptionSpinBox,
    QTimeEdit,
)
from pytestqt.qtbot import QtBot

from console.ui.theme import ThemeManager

ARROW = {"dark": QColor("#c9d2dd"), "light": QColor("#3b4654")}


def arrow_pixels(image: QImage, box: QAbstractSpinBox, part: QStyle.SubControl, ink: QColor) -> int:
    option = QStyleOptionSpinBox()
    box.initStyleOption(option)
    rect = box.style().subControlRect(QStyle.ComplexControl.CC_SpinBox, option, part, box)
    assert rect.isValid() and rect.width() > 4, "no room for the button"
    # the middle of the button, where an arrow is and a button's own border is not
    rect = rect.adjusted(
        rect.width() // 4, rect.height() // 4, -rect.width() // 4, -rect.height() // 4
    )
    near = 0
    for x in range(rect.left(), rect.right() + 1):
        for y in range(rect.top(), rect.bottom() + 1):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - ink.red())
                + abs(pixel.green() - ink.green())
                + abs(pixel.blue() - ink.blue())
                < 60
            ):
                near += 1
    return near


# counts, amounts and the daily cut-off of a reporting rule
@pytest.mark.parametrize("kind", [QSpinBox, QDoubleSpinBox, QTimeEdit])
@pytest.mark.parametrize("theme_name", ["dark", "light"])
def test_spin_box_arrows_visible(
    qtbot: QtBot,
    qapp: QApplication,
    theme_name: str,
    kind: type[QSpinBox | QDoubleSpinBox | QTimeEdit],
) -> None:
    theme = ThemeManager(qapp, theme_name)
    theme.apply()
    try:
        box: QAbstractSpinBox
        if kind is QTimeEdit:
            box = QTimeEdit(QTime(9, 30))  # neither end: both arrows enabled
        else:
            box = kind()
            box.setRange(1, 999)
            box.setValue(30)  # neither end: both arrows enabled
            box.setSuffix(" 分钟")
        qtbot.addWidget(box)
        box.resize(160, box.sizeHint().height())
        image = box.grab().toImage()
        for part in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
            assert arrow_pixels(image, box, part, ARROW[theme_name]) >= 6, part
    finally:
        theme.deleteLater()
