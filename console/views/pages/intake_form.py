"""值班电话记录: the call-intake form, built for an officer typing while on the phone.

Keyboard: the cursor starts in 来电人 (接报时间 is prefilled with now and sits above it,
Shift+Tab reaches it); Tab / Shift+Tab walk every field; Enter in a single-line field or a
combo moves to the next field (it never saves, so a stray Enter cannot file a half call);
Ctrl+Enter saves from anywhere in the form; in 事情经过 Enter is a new line and Tab leaves.
The 亚灾种 combo beside 子类 exists only for a subtype that has sub-hazards (地质, 水旱, 气象);
otherwise it is hidden and Tab passes from 子类 straight to 等级.
Errors from ``validate_call`` appear in Chinese under their field, and nothing typed is lost.
Every edit is autosaved as a draft (debounced) that survives a crash or a closed window.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog
from console.services.drafts import DraftStore
from console.services.intake import COUNT_FIELDS, FORM_LIMITS, FormErrors, Places

TIME_FORMAT = "%Y-%m-%d %H:%M"
NO_CATEGORY = "（请选择）"
NO_SUBTYPE = "（子类）"
NO_SUB_HAZARD = "（亚灾种）"
NO_GRADE = "（未定级）"
GRADE_ITEMS = (NO_GRADE, *reversed(catalog.GRADES))  # 一般 first: one Down for the usual case
COUNT_KEYS = ("dead", "missing", "injured", "trapped", "affected")
COUNT_LABELS = dict(COUNT_FIELDS)
PLACEHOLDERS = {
    "received_at": "2026-11-28 14:05",
    "caller_name": "姓名",
    "caller_unit": "来电单位",
    "caller_post": "职务",
    "caller_phone": "手机或座机",
    "township": "乡镇（街道）",
    "village": "村或社区",
    "address": "具体位置、路段、门牌",
    "notified": "来电人已通知的单位或人员",
}
# key -> label, placeholder, max length; label and length as the fields are declared
LINE_FIELDS: dict[str, tuple[str, str, int]] = {
    key: (FORM_LIMITS[key][0], placeholder, FORM_LIMITS[key][1])
    for key, placeholder in PLACEHOLDERS.items()
}
# Tab order, also the order of the draft file and of focus after an error.
# What a caller says first comes first; casualties after the account, 已通知 last.
FIELD_ORDER = (
    "received_at",
    "caller_name",
    "caller_phone",
    "caller_unit",
    "caller_post",
    "township",
    "village",
    "address",
    "category",
    "subtype",
    "sub_hazard",  # shown only for a subtype that has sub-hazards (地质, 水旱, 气象)
    "grade",
    "description",
    *COUNT_KEYS,
    "notified",
)
FIRST_FIELD = "caller_name"
AUTOSAVE_MS = 500


class _EnterMovesOn(QObject):
    """Enter / Return in a single-line field or combo moves focus to the next field."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if isinstance(watched, QWidget):
                    watched.focusNextChild()
                return True
        return False


class _CompletePlaces(QObject):
    """Entering any later field completes a unique partial township / village name.

    (A completer popup may swallow the line edit's own focus-out, so focus-in of the next
    field is the dependable moment.)"""

    def __init__(self, form: IntakeForm) -> None:
        super().__init__(form)
        self._form = form

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            self._form.complete_places()
        return False


class IntakeForm(QFrame):
    """Emits :attr:`submitted` with the raw form dict on Ctrl+Enter or 保存."""

    submitted = Signal(dict)
    edited = Signal()  # any field changed (drives draft autosave and the duplicate check)

    def __init__(
        self,
        places: Places,
        officer: str,
        drafts: DraftStore | None = None,
        clock: Callable[[], datetime] = beijing.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("IntakeForm")
        self._places = places
        self._drafts = drafts
        self._clock = clock
        self._loading = False
        self._saving = False
        self._focus_before: QWidget | None = None
        self._enter = _EnterMovesOn(self)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 14)
        outer.setSpacing(8)
        heading = QLabel("值班电话记录", self)
        heading.setObjectName("FormHeading")
        outer.addWidget(heading)
        hint = QLabel("Tab 下一项 · Enter 下一项 · Ctrl+Enter 保存 · F2 新接警", self)
        hint.setObjectName("Muted")
        outer.addWidget(hint)

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        outer.addLayout(grid)
        self._grid = grid

        for key, (_label, placeholder, limit) in LINE_FIELDS.items():
            edit = QLineEdit(self)
            edit.setObjectName(f"field_{key}")
            edit.setPlaceholderText(placeholder)
            edit.setMaxLength(limit)
            edit.installEventFilter(self._enter)
            self.fields[key] = edit
        self.category = self._combo("category", (NO_CATEGORY, *catalog.EVENT_CATEGORIES))
        self.subtype = self._combo("subtype", (NO_SUBTYPE,))
        self.sub_hazard = self._combo("sub_hazard", (NO_SUB_HAZARD,))
        self.sub_hazard.setVisible(False)
        self.grade = self._combo("grade", GRADE_ITEMS)
        for key in COUNT_KEYS:
            edit = QLineEdit(self)
            edit.setObjectName(f"field_{key}")
            edit.setPlaceholderText("0")
            edit.setMaxLength(9)
            edit.setMinimumWidth(44)
            edit.installEventFilter(self._enter)
            self.fields[key] = edit
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("field_description")
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText("起因、经过、现场情况、已采取措施、发展趋势")
        self.description.setMinimumHeight(84)
        self.fields["description"] = self.description

        self.line("received_at").setMinimumWidth(
            self.fontMetrics().horizontalAdvance("2026-11-28 14:05") + 28
        )
        row = 0
        row = self._place(row, "received_at", 0, span=1)
        self.recorder = QLabel(f"记录人：{officer}", self)
        self.recorder.setObjectName("Muted")
        grid.addWidget(self.recorder, 0, 2, 1, 2, Qt.AlignmentFlag.AlignRight)
        row = self._pair(row, "caller_name", "caller_phone")
        row = self._pair(row, "caller_unit", "caller_post")
        row = self._pair(row, "township", "village")
        row = self._place(row, "address", 0, span=3)
        row = self._place(row, "category", 0, span=3, extra=("subtype", "sub_hazard", "grade"))
        row = self._place(row, "description", 0, span=3, label=FORM_LIMITS["description"][0])
        row = self._counts(row)
        row = self._place(row, "notified", 0, span=3)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存（Ctrl+Enter）", self)
        self.save_button.setObjectName("PrimaryButton")
        self.save_button.clicked.connect(self.submit)
        self.clear_button = QPushButton("清空", self)
        self.clear_button.clicked.connect(self.clear)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.notice = QLabel(self)
        self.notice.setObjectName("SavedNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        outer.addWidget(self.notice)
        outer.addStretch(1)

        self._set_tab_order()
        self._completers()
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.submit)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_draft)
        for key, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda _t, k=key: self._changed(k))
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(lambda _i, k=key: self._changed(k))
        self.description.textChanged.connect(lambda: self._changed("description"))
        self.category.currentIndexChanged.connect(self._category_changed)
        self.subtype.currentIndexChanged.connect(self._subtype_changed)

        self.reset()
        self.restore_draft()

    # -- building --------------------------------------------------------------------------
    def _combo(self, key: str, items: tuple[str, ...]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(f"field_{key}")
        combo.addItems(list(items))
        combo.installEventFilter(self._enter)
        self.fields[key] = combo
        return combo

    def _cell(self, key: str, widgets: tuple[QWidget, ...]) -> QWidget:
        cell = QWidget(self)
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        line = QHBoxLayout()
        line.setSpacing(6)
        for w in widgets:
            line.addWidget(w, 1)
        box.addLayout(line)
        error = QLabel(cell)
        error.setObjectName("FieldError")
        error.setWordWrap(True)
        error.hide()
        box.addWidget(error)
        self.errors[key] = error
        return cell

    def _label(self, key: str, text: str | None = None) -> QLabel:
        name = text or LINE_FIELDS.get(key, ("",))[0] or {"category": "事件类别"}.get(key, key)
        label = QLabel(name, self)
        label.setObjectName("FieldLabel")
        label.setBuddy(self.fields[key])
        return label

    def _place(
        self,
        row: int,
        key: str,
        col: int,
        *,
        span: int,
        extra: tuple[str, ...] = (),
        label: str | None = None,
    ) -> int:
        widgets = (self.fields[key], *(self.fields[k] for k in extra))
        cell = self._cell(key, widgets)
        for k in extra:  # errors of subtype / sub-hazard / grade show in the same cell
            self.errors[k] = self.errors[key]
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
        self._grid.addWidget(self._label(key, label), row, col, align)
        self._grid.addWidget(cell, row, col + 1, 1, span, Qt.AlignmentFlag.AlignTop)
        return row + 1

    def _pair(self, row: int, left: str, right: str) -> int:
        self._place(row, left, 0, span=1)
        self._place(row, right, 2, span=1)
        return row + 1

    def _counts(self, row: int) -> int:
        widgets: list[QWidget] = []
        for key in COUNT_KEYS[:4]:
            label = QLabel(COUNT_LABELS[key], self)
            label.setBuddy(self.fields[key])
            widgets += [label, self.fields[key]]
        cell = self._cell("dead", tuple(widgets))
        for key in COUNT_KEYS[1:4]:
            self.errors[key] = self.errors["dead"]
        self._grid.addWidget(self._label("dead", "伤亡"), row, 0, Qt.AlignmentFlag.AlignRight)
        self._grid.addWidget(cell, row, 1, 1, 3)
        row += 1
        affected = self._cell("affected", (self.fields["affected"],))
        self._grid.addWidget(self._label("affected", "受影响"), row, 0, Qt.AlignmentFlag.AlignRight)
        self._grid.addWidget(affected, row, 1)
        return row + 1

    def _set_tab_order(self) -> None:
        chain = [self.fields[k] for k in FIELD_ORDER] + [self.save_button, self.clear_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _completers(self) -> None:
        names = sorted(self._places.townships)
        township = QCompleter(names, self)
        township.setFilterMode(Qt.MatchFlag.MatchContains)
        township.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.line("township").setCompleter(township)
        self._villages = QStringListModel(self)
        village = QCompleter(self._villages, self)
        village.setFilterMode(Qt.MatchFlag.MatchContains)
        self.line("village").setCompleter(village)
        self.line("township").textChanged.connect(self._township_changed)
        self.line("township").editingFinished.connect(lambda: self._expand("township"))
        self.line("village").editingFinished.connect(lambda: self._expand("village"))
        places = _CompletePlaces(self)
        for key in FIELD_ORDER[FIELD_ORDER.index("village") :]:
            self.fields[key].installEventFilter(places)

    def complete_places(self) -> None:
        self._expand("township")
        if not self.line("village").hasFocus():
            self._expand("village")

    # -- field helpers ---------------------------------------------------------------------
    def line(self, key: str) -> QLineEdit:
        widget = self.fields[key]
        assert isinstance(widget, QLineEdit)
        return widget

    def first_field(self) -> QWidget:
        return self.fields[FIRST_FIELD]

    def focus_first(self) -> None:
        self.first_field().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _township_id(self) -> str | None:
        return self._places.townships.get(self.line("township").text().strip())

    def _village_names(self, township_id: str | None) -> list[str]:
        return sorted(name for (tid, name) in self._places.villages if tid == township_id)

    def _township_changed(self, _text: str) -> None:
        self._villages.setStringList(self._village_names(self._township_id()))

    def _expand(self, key: str) -> None:
        """A unique partial name (北界 -> 北界镇) becomes the full name when leaving."""
        edit = self.line(key)
        text = edit.text().strip()
        if not text:
            return
        names = (
            list(self._places.townships)
            if key == "township"
            else self._village_names(self._township_id())
        )
        if text in names:
            return
        matches = [n for n in names if text in n]
        if len(matches) == 1:
            edit.setText(matches[0])

    def _category_changed(self, _index: int) -> None:
        category = self.category.currentText()
        subtypes = catalog.EVENT_CATEGORIES.get(category, ())
        keep = self.subtype.currentText()
        self.subtype.blockSignals(True)
        self.subtype.clear()
        self.subtype.addItems([NO_SUBTYPE, *subtypes])
        if keep in subtypes:
            self.subtype.setCurrentText(keep)
        self.subtype.blockSignals(False)
        self._subtype_changed(self.subtype.currentIndex())
        ungraded = category in catalog.UNGRADED_CATEGORIES
        if ungraded:
            self.grade.setCurrentIndex(0)
        self.grade.setEnabled(not ungraded)
        self.grade.setToolTip("社会安全事件不分级" if ungraded else "")

    def _subtype_changed(self, _index: int) -> None:
        """The sub-hazards of the subtype, or no 亚灾种 combo at all (Tab skips it)."""
        subtype = self.subtype.currentText() if self.subtype.currentIndex() > 0 else ""
        hazards = catalog.sub_hazards(self.category.currentText(), subtype)
        keep = self.sub_hazard.currentText()
        self.sub_hazard.blockSignals(True)
        self.sub_hazard.clear()
        self.sub_hazard.addItems([NO_SUB_HAZARD, *hazards])
        if keep in hazards:
            self.sub_hazard.setCurrentText(keep)
        self.sub_hazard.blockSignals(False)
        self.sub_hazard.setVisible(bool(hazards))

    # -- values ----------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        """The raw form as validate_call expects it (empty strings for unset choices)."""
        out: dict[str, str] = {}
        for key in FIELD_ORDER:
            widget = self.fields[key]
            if isinstance(widget, QLineEdit):
                out[key] = widget.text()
            elif isinstance(widget, QPlainTextEdit):
                out[key] = widget.toPlainText()
            elif isinstance(widget, QComboBox):
                out[key] = widget.currentText() if widget.currentIndex() > 0 else ""
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        try:
            category = str(values.get("category") or "")
            self.category.setCurrentIndex(max(0, self.category.findText(category)))
            for key in FIELD_ORDER:
                value = "" if values.get(key) is None else str(values.get(key))
                widget = self.fields[key]
                if isinstance(widget, QLineEdit):
                    widget.setText(value)
                elif isinstance(widget, QPlainTextEdit):
                    widget.setPlainText(value)
                elif isinstance(widget, QComboBox) and key != "category":
                    widget.setCurrentIndex(max(0, widget.findText(value)) if value else 0)
        finally:
            self._loading = False

    def has_content(self) -> bool:
        """Anything typed besides the prefilled time?"""
        return any(v.strip() for k, v in self.values().items() if k != "received_at")

    def place_ids(self) -> tuple[str | None, str | None]:
        township_id = self._township_id()
        village = self.line("village").text().strip()
        village_id = self._places.villages.get((township_id or "", village)) if village else None
        return township_id, village_id

    def set_places(self, places: Places) -> None:
        self._places = places
        model = self.line("township").completer().model()
        if isinstance(model, QStringListModel):
            model.setStringList(sorted(places.townships))
        self._township_changed("")

    # -- errors ----------------------------------------------------------------------------
    def show_errors(self, errors: FormErrors | dict[str, str]) -> None:
        messages = errors.errors if isinstance(errors, FormErrors) else errors
        self.clear_errors()
        for key, message in messages.items():
            label = self.errors.get(key)
            if label is None:
                continue
            label.setText(message if not label.text() else f"{label.text()}；{message}")
            label.show()
            widget = self.fields.get(key)
            if widget is not None:
                widget.setProperty("invalid", True)
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        first = next((k for k in FIELD_ORDER if k in messages), None)
        if first is not None:
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_errors(self) -> None:
        for label in set(self.errors.values()):
            label.clear()
            label.hide()
        for widget in self.fields.values():
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                widget.style().unpolish(widget)
                widget.style().polish(widget)

    def error_text(self, key: str) -> str:
        label = self.errors[key]
        return label.text() if label.isVisible() or not label.isHidden() else ""

    # -- actions ---------------------------------------------------------------------------
    def submit(self) -> None:
        if self._saving:
            return  # the running save answers first
        self.complete_places()
        self.notice.hide()
        self.submitted.emit(self.values())

    def set_saving(self, saving: bool) -> None:
        """While a save runs: no second submit, no edits the reset would throw away."""
        self._saving = saving
        if saving:
            focused = QApplication.focusWidget()
            self._focus_before = (
                focused if focused is not None and self.isAncestorOf(focused) else None
            )
        # The form as a whole: a field disabled on its own (等级 for 社会安全事件) stays so.
        self.setEnabled(not saving)
        if not saving and self._focus_before is not None:
            self._focus_before.setFocus()  # where the officer was typing
            self._focus_before = None
        if saving:
            self.show_notice("正在保存……")

    def reset(self) -> None:
        """An empty form for the next call, time prefilled with now."""
        self.set_values({"received_at": self._clock().strftime(TIME_FORMAT)})
        self.grade.setEnabled(True)
        self.clear_errors()

    def clear(self) -> None:
        self.reset()
        self.notice.hide()
        self.discard_draft()
        self.focus_first()

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    # -- drafts ----------------------------------------------------------------------------
    def _changed(self, _key: str) -> None:
        if self._loading:
            return
        self._autosave.start()
        self.edited.emit()

    def hideEvent(self, event: QHideEvent) -> None:
        """Closing the window or leaving the page must not lose the last 500 ms of typing."""
        if self._autosave.isActive():
            self.save_draft()
        super().hideEvent(event)

    def save_draft(self) -> None:
        self._autosave.stop()
        if self._drafts is None:
            return
        if self.has_content():
            self._drafts.save(self.values())
        else:
            self._drafts.clear()

    def discard_draft(self) -> None:
        self._autosave.stop()
        if self._drafts is not None:
            self._drafts.clear()

    def restore_draft(self) -> bool:
        if self._drafts is None:
            return False
        draft = self._drafts.load()
        if not draft:
            return False
        self.set_values(draft)
        self._category_changed(self.category.currentIndex())
        self.set_values(draft)  # subtype items exist now
        self.show_notice("已恢复上次未保存的来电记录草稿。")
        return True
