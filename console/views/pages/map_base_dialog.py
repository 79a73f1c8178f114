"""Choosing the map's base layer (底图): an MBTiles file or a tile folder on this machine.

Shared by 识别一张图 (its 底图… button) and 设置. The choice is checked before it is saved
in the settings registry (``map/base_layer``); a source that cannot be used is refused with
its Chinese reason and the setting keeps its old value.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from console.services.map_tiles import TileError, open_tiles
from console.settings import MAP_BASE_LAYER, Settings

NO_BASE_LAYER = "未设置（不用底图）"


def base_layer_problem(path: str) -> str:
    """Why the tile folder or MBTiles file at ``path`` cannot be used ("" when it can)."""
    if not path:
        return ""
    try:
        open_tiles(path).close()
    except TileError as exc:
        return str(exc)
    return ""


def set_base_layer(settings: Settings, path: str) -> str:
    """Save ``path`` ("" = none) as the base layer when it can be used; the problem if not."""
    problem = base_layer_problem(path)
    if not problem:
        settings.set(MAP_BASE_LAYER, path)
    return problem


def ask_base_layer(parent: QWidget) -> str | None:
    """Ask for a base layer: a path, "" for none, None when cancelled."""
    box = QMessageBox(parent)
    box.setWindowTitle("地图底图")
    box.setText(
        "选择本机底图：MBTiles 文件，或按 {z}/{x}/{y}.png 存放瓦片的文件夹。\n"
        "底图须为 Web 墨卡托瓦片，且与录入数据同一坐标系（见说明文档）。"
    )
    mbtiles = box.addButton("MBTiles 文件…", QMessageBox.ButtonRole.AcceptRole)
    folder = box.addButton("瓦片文件夹…", QMessageBox.ButtonRole.AcceptRole)
    clear = box.addButton("不用底图", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    if clicked is clear:
        return ""
    if clicked is mbtiles:
        path, _ = QFileDialog.getOpenFileName(
            parent, "选择 MBTiles 文件", "", "MBTiles (*.mbtiles)"
        )
        return path or None
    if clicked is folder:
        return QFileDialog.getExistingDirectory(parent, "选择瓦片文件夹") or None
    return None


def choose_base_layer(parent: QWidget, settings: Settings) -> bool:
    """Ask, check and save; a refusal is shown. Whether the setting changed."""
    path = ask_base_layer(parent)
    if path is None:
        return False
    problem = set_base_layer(settings, path)
    if problem:
        QMessageBox.warning(parent, "底图不可用", problem)
        return False
    return True
