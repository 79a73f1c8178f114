"""接警 by keyboard alone: a typical call typed field by field, saved with Ctrl+Enter; errors
next to their field with nothing written; drafts surviving a closed page and a killed process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from console.services.context import Workstation
from console.services.drafts import DraftStore
from console.services.incident_list import IncidentFilter, fetch_incident, query_rowids
from console.services.intake import Places
from console.views.main_window import MainWindow
from console.views.pages.intake_form import IntakeForm
from console.views.pages.intake_page import IntakePage
from tests.views.conftest import activate


class Keyboard:
    """Sends keys to whatever has focus, counting every key press."""

    def __init__(self, qtbot: QtBot, window: QWidget) -> None:
        self.qtbot = qtbot
        self.window = window
        self.presses = 0
        self.typed = 0

    def focused(self) -> QWidget:
        widget = self.window.focusWidget()
        assert widget is not None
        return widget

    def type(self, text: str) -> None:
        for ch in text:
            type_char(self.focused(), ch)
        self.presses += len(text)
        self.typed += len(text)

    def key(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.qtbot.keyClick(self.focused(), key, modifier)
        self.presses += 1

    def tab(self, times: int = 1) -> None:
        for _ in range(times):
            self.key(Qt.Key.Key_Tab)


def type_char(widget: QWidget, ch: str) -> None:
    """One character as a keyboard (or a committed input-method character) delivers it.

    QTest only knows ASCII keys; a Chinese character arrives as a key event carrying text."""
    if ch.isascii():
        QTest.keyClick(widget, ch)
        return
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(
            widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
        )


def type_text(widget: QWidget, text: str) -> None:
    for ch in text:
        type_char(widget, ch)


def intake_page(window: MainWindow) -> IntakePage:
    page = window.page("intake")
    assert isinstance(page, IntakePage)
    return page


def all_ids(workstation: Workstation) -> list[int]:
    return query_rowids(workstation.store, IncidentFilter())


# The completer popup over 乡镇 / 村: the offscreen platform cannot raise it or grab keys.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_typical_call_by_keyboard_alone(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = intake_page(window)
    form = page.form
    activate(qtbot, window)
    assert window.focusWidget() is form.fields["caller_name"]  # the cursor starts there
    before = len(all_ids(workstation))
    kb = Keyboard(qtbot, window)

    kb.type("李明")  # 来电人
    kb.tab()
    kb.type("13905781234")  # 电话
    kb.tab()
    kb.type("北界镇政府")  # 单位
    kb.tab(2)  # 职务 left empty
    kb.type("北界")  # 乡镇: a unique part is completed to 北界镇 on leaving
    kb.tab()
    kb.type("苏村")  # 村
    kb.tab()
    kb.type("后山")  # 详细地址
    kb.tab()
    kb.type("自")  # 类别 combo: keyboard search -> 自然灾害
    kb.tab()
    kb.type("地质")  # 子类
    kb.tab()  # 亚灾种: shown for 地质
    kb.type("滑坡")
    kb.tab()
    kb.key(Qt.Key.Key_Down)  # 等级: (未定级) -> 一般
    kb.tab()
    kb.type("连续降雨后山体滑坡，冲毁民房两间")  # 事情经过 (Tab leaves the text box)
    kb.tab(3)  # 死亡, 失踪 -> 受伤
    kb.type("1")
    with qtbot.waitSignal(page.save_finished, timeout=5000):
        kb.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # save

    presses, typed = kb.presses, kb.typed
    print(
        f"key presses: {presses} for {typed} typed characters"
    )  # 62 for 46: 16 keys beyond the text
    assert presses <= typed + 16

    ids = all_ids(workstation)
    assert len(ids) == before + 1
    newest = page.source.rows([ids[0]])[ids[0]]
    incident = fetch_incident(workstation.store, newest["id"])
    assert incident is not None
    names = page.source.place_names()
    assert incident["caller_name"] == "李明"
    assert incident["caller_phone"] == "13905781234"
    assert incident["caller_unit"] == "北界镇政府"
    assert names[incident["township_id"]] == "北界镇"
    assert names[incident["village_id"]] == "苏村"
    assert incident["address"] == "后山"
    classified = ("category", "subtype", "sub_hazard", "grade")
    assert tuple(incident[k] for k in classified) == ("自然灾害", "地质", "滑坡", "一般")
    assert incident["description"] == "连续降雨后山体滑坡，冲毁民房两间"
    assert incident["injured"] == 1
    assert incident["recorder"] == "测试值班员"
    assert incident["title"] == "北界镇苏村滑坡"
    # confirmation, a fresh form for the next call, the cursor back in the first field
    assert form.notice.text().startswith("已保存：北界镇苏村滑坡")
    assert form.values()["caller_name"] == ""
    assert form.values()["received_at"] == ""  # stamped when the next call starts
    assert window.focusWidget() is form.fields["caller_name"]
    assert not DraftStore(window.context.data_dir).path.exists()


def test_errors_next_to_their_field_and_nothing_written(
    qtbot: QtBot, window: MainWindow, workstation: Workstation
) -> None:
    page = intake_page(window)
    form = page.form
    before = len(all_ids(workstation))
    form.line("caller_phone").setText("12ab")
    form.line("township").setText("火星镇")
    form.line("dead").setText("两")
    form.description.setPlainText("有人报告山洪")
    with qtbot.waitSignal(page.save_finished, timeout=5000) as saved:
        qtbot.keyClick(form.description, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [""]  # not saved

    assert len(all_ids(workstation)) == before
    assert "有效的电话号码" in form.errors["caller_phone"].text()
    assert not form.errors["caller_phone"].isHidden()
    assert "火星镇" in form.errors["township"].text()
    assert "请选择事件类别" in form.errors["category"].text()
    assert "死亡" in form.errors["dead"].text()
    assert form.errors["address"].isHidden()
    # the error sits in the same cell as its field
    assert form.errors["caller_phone"].parentWidget() is form.fields["caller_phone"].parentWidget()
    # nothing typed is lost; the cursor goes to the first wrong field
    assert form.values()["description"] == "有人报告山洪"
    assert form.values()["township"] == "火星镇"
    assert window.focusWidget() is form.fields["caller_phone"]


def test_grade_disabled_for_social_security(window: MainWindow) -> None:
    form = intake_page(window).form
    form.category.setCurrentText("社会安全事件")
    assert not form.grade.isEnabled()
    assert form.subtype.findText("群体性") > 0
    form.category.setCurrentText("自然灾害")
    assert form.grade.isEnabled()
    assert form.subtype.findText("群体性") < 0


def test_enter_moves_to_next_field_and_tab_leaves_description(
    qtbot: QtBot, window: MainWindow
) -> None:
    form = intake_page(window).form
    form.focus_first()
    qtbot.keyClick(form.fields["caller_name"], Qt.Key.Key_Return)
    assert window.focusWidget() is form.fields["caller_phone"]
    form.description.setFocus()
    type_text(form.description, "甲")
    qtbot.keyClick(form.description, Qt.Key.Key_Tab)
    assert "\t" not in form.description.toPlainText()
    assert window.focusWidget() is not form.description


def test_draft_restored_after_page_is_rebuilt(
    qtbot: QtBot, window: MainWindow, data_dir: Path
) -> None:
    form = intake_page(window).form
    type_text(form.fields["caller_name"], "赵六")
    form.category.setCurrentText("事故灾难")
    form.subtype.setCurrentText("火灾")
    form.description.setPlainText("厂房冒烟")
    drafts = DraftStore(data_dir)
    qtbot.waitUntil(lambda: (drafts.load() or {}).get("description") == "厂房冒烟")
    window.close()

    again = MainWindow(window.context)  # a new window and page over the same data folder
    qtbot.addWidget(again)
    again.show_view("intake")
    values = intake_page(again).form.values()
    assert values["caller_name"] == "赵六"
    assert (values["category"], values["subtype"]) == ("事故灾难", "火灾")
    assert values["description"] == "厂房冒烟"
    assert "恢复" in intake_page(again).form.notice.text()


def test_closing_the_window_flushes_the_pending_draft(window: MainWindow, data_dir: Path) -> None:
    form = intake_page(window).form
    type_text(form.fields["caller_name"], "周八")
    window.close()  # well within the 500 ms debounce
    draft = DraftStore(data_dir).load()
    assert draft is not None and draft["caller_name"] == "周八"


DRAFT_CHILD = r"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtWidgets import QApplication
from console.services.drafts import DraftStore
from console.services.intake import Places
from console.views.pages.intake_form import IntakeForm
app = QApplication([])
form = IntakeForm(Places({"北界镇": "t"}, {}), "值班员", DraftStore(Path(sys.argv[1])))
form.line("caller_name").setText("孙七")
form.description.setPlainText("山塘渗水")
deadline = time.monotonic() + 20
while not DraftStore(Path(sys.argv[1])).path.exists():
    if time.monotonic() > deadline:
        print("no draft written within 20 s", flush=True)
        sys.exit(1)
    app.processEvents()
    time.sleep(0.02)
print("saved", flush=True)
time.sleep(60)
"""


def test_draft_survives_a_killed_process(qtbot: QtBot, tmp_path: Path) -> None:
    data = tmp_path / "killed"
    child = subprocess.Popen(
        [sys.executable, "-c", DRAFT_CHILD, str(data)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "saved"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    start = time.monotonic()
    form = IntakeForm(Places({"北界镇": "t"}, {}), "值班员", DraftStore(data))
    qtbot.addWidget(form)
    assert form.values()["caller_name"] == "孙七"
    assert form.values()["description"] == "山塘渗水"
    assert time.monotonic() - start < 5
    QApplication.processEvents()
