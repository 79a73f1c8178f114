"""Export the map's current view for a briefing: PNG, or an A4 landscape PDF.

The picture is the view as shown, with a title, the time in Beijing time, the legend of the
layers shown (and the warning colours when a situation is shown) and, when sample data is
shown, a red 样例数据 mark; bands across the top say 演练 (drill mode) and 模拟 (the warning
colours come from the simulator's readings).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPixmap,
)

from console.domain import beijing, drill
from console.ui.pdf_export import a4_writer
from console.views.pages.map_side import swatch

TITLE = "遂昌县 识别一张图"
SAMPLE_MARK = "样例数据 · 位置为近似值，仅供演示"
HEADER_PX = 64
BAND_PX = 30  # each band above the header (演练, 模拟)
DRILL_COLOR = "#c2410c"
SIMULATED_COLOR = "#b42318"
SIMULATED_MARK = "模拟数据 · 图中预警着色来自模拟器生成的雨水情（演练/测试），不是实测"
LEGEND_ROW_PX = 24
LEGEND_COLUMNS = 4


@dataclass(frozen=True)
class LegendEntry:
    label: str
    color: str
    symbol: str = "o"


def bands(*, simulated: bool) -> list[tuple[str, str]]:
    """The bands (text, colour) across the top of an export, top first: 演练 in drill mode,
    模拟 when the warning colours come from simulated readings."""
    out = []
    if drill.mark() is not None:
        out.append((drill.DOCUMENT_MARK, DRILL_COLOR))
    if simulated:
        out.append((SIMULATED_MARK, SIMULATED_COLOR))
    return out


def compose(
    view: QPixmap,
    legend: list[LegendEntry],
    *,
    when: datetime,
    sample: bool,
    simulated: bool = False,
    title: str = TITLE,
) -> QImage:
    """The view with a header (title, Beijing time, sample mark) and a legend below; the
    演练 and 模拟 bands (:func:`bands`) above it all."""
    entries = list(legend)
    rows = (len(entries) + LEGEND_COLUMNS - 1) // LEGEND_COLUMNS
    width = max(view.width(), 800)
    marks = bands(simulated=simulated)
    height = len(marks) * BAND_PX + HEADER_PX + view.height() + rows * LEGEND_ROW_PX + 16
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    for text, color in marks:
        painter.fillRect(QRect(0, 0, width, BAND_PX), QColor(color))
        font.setPixelSize(18 if len(text) < 20 else 16)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        centre = Qt.AlignmentFlag.AlignCenter
        painter.drawText(QRect(0, 0, width, BAND_PX), centre, text)
        painter.translate(0, BAND_PX)
    font.setPixelSize(22)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#17202b"))
    painter.drawText(QRect(16, 8, width - 32, 30), Qt.AlignmentFlag.AlignLeft, title)
    font.setPixelSize(14)
    font.setBold(False)
    painter.setFont(font)
    painter.drawText(
        QRect(16, 38, width - 32, 22),
        Qt.AlignmentFlag.AlignLeft,
        f"北京时间 {beijing.display(when)}　坐标：Web 墨卡托，数据按录入坐标绘制",
    )
    if sample:
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#c00000"))
        painter.drawText(QRect(16, 8, width - 32, 30), Qt.AlignmentFlag.AlignRight, SAMPLE_MARK)
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QColor("#17202b"))
    painter.drawPixmap(QPoint((width - view.width()) // 2, HEADER_PX), view)
    top = HEADER_PX + view.height() + 8
    column = (width - 32) // LEGEND_COLUMNS
    for i, entry in enumerate(entries):
        x = 16 + (i % LEGEND_COLUMNS) * column
        y = top + (i // LEGEND_COLUMNS) * LEGEND_ROW_PX
        painter.drawPixmap(x, y + 4, swatch(entry.color, entry.symbol))
        painter.drawText(QRect(x + 20, y, column - 24, LEGEND_ROW_PX), 0, entry.label)
    painter.end()
    return image


def _replace(tmp: Path, path: Path) -> Path:
    os.replace(tmp, path)
    return path


def save_png(image: QImage, path: Path) -> Path:
    tmp = path.with_name(path.name + ".part")
    # WORKAROUND: PySide6 6.12 refuses the bytes format its stubs ask for; it takes a str.
    if not image.save(str(tmp), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"无法写入“{path}”")
    return _replace(tmp, path)


def save_pdf(image: QImage, path: Path, title: str = TITLE) -> Path:
    """One A4 landscape page with the picture scaled to fit."""
    tmp = path.with_name(path.name + ".part")
    writer = a4_writer(tmp, title, landscape=True, margin_mm=10, dpi=200)
    painter = QPainter(writer)
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    scaled = image.size().scaled(page.size(), Qt.AspectRatioMode.KeepAspectRatio)
    painter.drawImage(QRect(QPoint(0, 0), scaled), image)
    painter.end()
    del writer  # flushes and closes the file
    return _replace(tmp, path)
