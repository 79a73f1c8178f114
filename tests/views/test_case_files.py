"""A case's attachments on 案例一个库, driven as an officer would: the sample case shows its
picture (with a thumbnail) and document; a picture added to the officer's own case lands in
the local cache and shows 待上传; 打开 hands the system viewer the cached file (checked here
by its digest instead of opening); a file this workstation lacks says 离线，联网后可下载
without a server; too big is refused in Chinese; the leader removes one."""

from __future__ import annotations

import hashlib
from pathlib import Path
from unittest.mock import patch

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from console.services.context import Workstation
from console.services.files import HERE, TO_DOWNLOAD, TO_UPLOAD
from console.store.blobs import BlobCache
from console.views.main_window import MainWindow
from console.views.pages.case_files import CaseFilesPanel
from console.views.pages.case_page import CaseLibraryPage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def page(qtbot: QtBot, window: MainWindow) -> CaseLibraryPage:
    shown = window.show_view("case-library")
    assert isinstance(shown, CaseLibraryPage)
    _idle(shown)
    qtbot.waitUntil(lambda: shown.files.model.rowCount() > 0, timeout=5000)
    return shown


def _idle(page: CaseLibraryPage) -> None:
    tasks = page.context.tasks
    assert tasks is not None and tasks.wait_idle(5000)


def _rows(panel: CaseFilesPanel) -> list[tuple[str, ...]]:
    return [
        tuple(panel.model.item(r, c).text() for c in range(panel.model.columnCount()))
        for r in range(panel.model.rowCount())
    ]


def _write(qtbot: QtBot, page: CaseLibraryPage, action: object) -> str:
    said: list[str] = []
    page.written.connect(said.append)
    try:
        with qtbot.waitSignal(page.files.refreshed, timeout=5000):
            action()  # type: ignore[operator]
            qtbot.waitUntil(lambda: bool(said), timeout=5000)
    finally:
        page.written.disconnect(said.append)
    _idle(page)
    return said[0]


def _own_case(qtbot: QtBot, page: CaseLibraryPage) -> None:
    said: list[str] = []
    page.written.connect(said.append)
    page.create_case({"title": "某村山洪", "hazard": "山洪", "occurred_on": "2024-06-18"})
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    page.written.disconnect(said.append)
    qtbot.waitUntil(
        lambda: page.case is not None and page.case.get("title") == "某村山洪", timeout=5000
    )
    qtbot.waitUntil(lambda: page.files.model.rowCount() == 0, timeout=5000)
    _idle(page)


def _picture(path: Path) -> bytes:
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6"))
    assert image.save(str(path))
    return path.read_bytes()


def test_the_sample_case_shows_its_picture_with_a_thumbnail_and_its_document(
    page: CaseLibraryPage,
) -> None:
    panel = page.files
    assert _rows(panel) == [
        ("滑坡示意图.png（样例，非现场照片）", "图片", "20.3 KB", HERE),
        ("附件说明.docx（样例附件）", "文档", "36.0 KB", HERE),
    ]
    assert panel.model.item(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert panel.model.item(1, 0).data(Qt.ItemDataRole.DecorationRole) is None
    assert panel.count.text() == "2 个"


def test_a_picture_is_added_opened_from_the_cache_and_removed(
    qtbot: QtBot, page: CaseLibraryPage, tmp_path: Path, data_dir: Path
) -> None:
    _own_case(qtbot, page)
    panel = page.files
    source = tmp_path / "桥头冲毁.png"
    data = _picture(source)
    assert _write(qtbot, page, lambda: panel.attach(source, "桥头")) == ""
    assert page.message.text() == "已添加附件：桥头冲毁.png（联网同步后其他值班台可打开）"
    [row] = _rows(panel)
    assert row[0] == "桥头冲毁.png（桥头）" and row[1] == "图片" and row[3] == TO_UPLOAD
    assert panel.model.item(0, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    digest = hashlib.sha256(data).hexdigest()
    assert BlobCache(data_dir).path(digest).read_bytes() == data

    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    panel.table.selectRow(0)
    with (
        patch("console.views.pages.file_open.QDesktopServices.openUrl", side_effect=open_url),
        qtbot.waitSignal(panel.opened, timeout=5000) as said,
    ):
        panel.open_button.click()
    assert said.args == [""] and page.message.text() == "已打开：桥头冲毁.png"
    [url] = opened
    shown = Path(url.toLocalFile())
    assert shown.name == "桥头冲毁.png" and shown.is_relative_to(data_dir / "files")
    assert hashlib.sha256(shown.read_bytes()).hexdigest() == digest

    assert panel.remove_button.isEnabled()  # standalone: the server judges roles
    assert _write(qtbot, page, panel.remove_button.click) == ""
    assert _rows(panel) == [] and page.message.text() == "已移除附件：桥头冲毁.png"


def test_a_file_not_here_says_offline_and_too_big_is_refused(
    qtbot: QtBot, page: CaseLibraryPage, tmp_path: Path, data_dir: Path, workstation: Workstation
) -> None:
    _own_case(qtbot, page)
    panel = page.files
    doc = tmp_path / "调查报告.pdf"
    doc.write_bytes(b"%PDF-1.4 report")
    assert _write(qtbot, page, lambda: panel.attach(doc)) == ""
    # As on a workstation that only has the record: the file is not in its cache.
    digest = hashlib.sha256(doc.read_bytes()).hexdigest()
    BlobCache(data_dir).path(digest).unlink()
    with qtbot.waitSignal(panel.refreshed, timeout=5000):
        panel.refresh()
    assert _rows(panel)[0][1:] == ("文档", "15 B", TO_DOWNLOAD)
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.opened, timeout=5000) as said:
        panel.open_selected()
    assert said.args == ["离线，联网后可下载"] and page.message.text() == "离线，联网后可下载"

    assert panel.service is not None
    panel.service.max_bytes = 1024 * 1024
    big = tmp_path / "航拍.jpg"
    big.write_bytes(b"\xff" * (1024 * 1024 + 1))
    said_list: list[str] = []
    page.written.connect(said_list.append)
    panel.attach(big)
    qtbot.waitUntil(lambda: bool(said_list), timeout=5000)
    assert said_list == ["文件过大：最大 1 MB"]
    assert page.message.text() == "未保存：文件过大：最大 1 MB"
    assert len(_rows(panel)) == 1
