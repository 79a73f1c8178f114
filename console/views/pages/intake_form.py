"""值班电话记录: the call-intake form, built for an officer typing while on the phone.

接报时间 is when the officer starts taking the call, not when the form was opened or last
cleared: it stays empty until the first keystroke (or choice) into an empty form, or F2, and is
then stamped from the clock (a form erased back to empty waits for its call again). Typed by
hand it is kept as typed; a restored draft keeps the time its call started. F2 on a
half-filled form keeps that call and its time (清空 starts over).

Keyboard: the cursor starts in 来电人 (接报时间 sits above it, Shift+Tab reaches it);
Tab / Shift+Tab walk every field; Enter in a single-line field or a combo moves to the next
field (it never saves, so a stray Enter cannot file a half call); Ctrl+Enter saves from
anywhere in the form; in 事情经过 Enter is a new line and Tab leaves.
The 亚灾种 combo beside 子类 exists only for a subtype that has sub-hazards (地质, 水旱, 气象);
otherwise it is hidden and Tab passes from 子类 straight to 等级.
Errors from ``validate_call`` appear in Chinese under their field, and nothing typed is lost.
Every edit is autosaved as a draft (debounced) that survives a crash or a closed window.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

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

from console.domain import beijing, catalog, grading
from console.services.drafts import DraftStore
from console.services.intake import (
    AMOUNT_FIELDS,
    COUNT_FIELDS,
    FORM_LIMITS,
    GRADING_COUNT_FIELDS,
    FormErrors,
    Places,
)
from console.views.pages.grade_hint import GradeHint

if TYPE_CHECKING:  # the picker (pyqtgraph) is imported only when it is first opened
    from console.views.pages.map_picker import PickedPoint

    # Opens the map picker over the form at the form's point (if any); the point taken goes
    # to the callback (the places are read in the background first).
    PointPicker = Callable[
        [QWidget, tuple[float, float] | None, Callable[[PickedPoint], None]], None
    ]

TIME_FORMAT = "%Y-%m-%d %H:%M"
NO_CATEGORY = "（请选择）"
NO_SUBTYPE = "（子类）"
NO_SUB_HAZARD = "（亚灾种）"
NO_GRADE = "（未定级）"
GRADE_ITEMS = (NO_GRADE, *reversed(catalog.GRADES))  # 一般 first: one Down for the usual case
COUNT_KEYS = ("dead", "missing", "injured", "trapped", "affected")
COUNT_LABELS = dict(COUNT_FIELDS)
# 定级数据: the further numbers the grading table reads, with short labels for one row.
GRADING_KEYS = ("seriously_injured", "evacuated", "economic_loss", "area_burned")
GRADING_LABELS = {
    "seriously_injured": "重伤",
    "evacuated": "转移",
    "economic_loss": "损失（万元）",
    "area_burned": "过火（公顷）",
}
assert set(GRADING_KEYS) == {k for k, _l in GRADING_COUNT_FIELDS + AMOUNT_FIELDS}
PLACEHOLDERS = {
    "received_at": "开始记录时自动填写",
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
    *GRADING_KEYS,
    "notified",
)
FIRST_FIELD = "caller_name"
NO_POSITION = "未选点（可在地图上点选）"
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


GRADE_INPUTS = frozenset({"category", "subtype", "grade", *grading.METRIC_FIELDS.values()})


def _number(text: str) -> float:
    """A number as typed, leniently (the hint never complains; saving validates)."""
    try:
        value = float(text.strip() or 0)
    except ValueError:
        return 0.0
    return value if value == value else 0.0  # NaN implies nothing


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
        picker: PointPicker | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("IntakeForm")
        self._places = places
        self._picker = picker
        self.position: tuple[float, float] | None = None  # lon, lat picked on the map
        self._drafts = drafts
        self._clock = clock
        self._loading = False
        self._saving = False
        self._time_by_hand = False  # 接报时间 typed by the officer: never stamped over
        self._focus_before: QWidget | None = None
        self._grading_rules: list[dict[str, Any]] = []
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
        for key in COUNT_KEYS + GRADING_KEYS:
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
            max(
                self.fontMetrics().horizontalAdvance(text)
                for text in ("2026-11-28 14:05", PLACEHOLDERS["received_at"])
            )
            + 28
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
        row = self._position_row(row)
        row = self._place(row, "category", 0, span=3, extra=("subtype", "sub_hazard", "grade"))
        row = self._place(row, "description", 0, span=3, label=FORM_LIMITS["description"][0])
        row = self._counts(row)
        row = self._grading_numbers(row)
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
        self.grade_hint.accept_button.clicked.connect(self.accept_grade)
        accept = QShortcut(QKeySequence("Alt+G"), self)
        accept.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        accept.activated.connect(self.accept_grade)
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

    def _grading_numbers(self, row: int) -> int:
        widgets: list[QWidget] = []
        for key in GRADING_KEYS:
            label = QLabel(GRADING_LABELS[key], self)
            label.setBuddy(self.fields[key])
            widgets += [label, self.fields[key]]
        cell = self._cell("seriously_injured", tuple(widgets))
        for key in GRADING_KEYS[1:]:
            self.errors[key] = self.errors["seriously_injured"]
        label = self._label("seriously_injured", "定级数据")
        self._grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignRight)
        self._grid.addWidget(cell, row, 1, 1, 3)
        self.grade_hint = GradeHint(self)
        self._grid.addWidget(self.grade_hint, row + 1, 1, 1, 3)
        return row + 2

    def _position_row(self, row: int) -> int:
        """坐标: shown as text, set with the map picker (地图选点, Alt+M)."""
        self.position_label = QLabel(NO_POSITION, self)
        self.position_label.setObjectName("Muted")
        self.pick_button = QPushButton("地图选点…", self)
        self.pick_button.setToolTip("在地图上点选事发位置（Alt+M），并填写最近的乡镇和村")
        self.pick_button.clicked.connect(self.pick_point)
        self.pick_button.setVisible(self._picker is not None)
        line = QHBoxLayout()
        line.setSpacing(8)
        line.addWidget(self.position_label, 1)
        line.addWidget(self.pick_button)
        label = QLabel("坐标", self)
        label.setObjectName("FieldLabel")
        label.setBuddy(self.pick_button)
        self._grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignRight)
        self._grid.addLayout(line, row, 1, 1, 3)
        shortcut = QShortcut(QKeySequence("Alt+M"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.pick_point)
        return row + 1

    def set_position(self, position: tuple[float, float] | None) -> None:
        self.position = position
        if position is None:
            self.position_label.setText(NO_POSITION)
        else:
            self.position_label.setText(f"东经 {position[0]:.5f}，北纬 {position[1]:.5f}")
        if not self._loading:
            self._changed("lon")

    def pick_point(self) -> None:
        """Open the map picker; the point sets the coordinates, and the nearest village and
        its township fill the place fields the officer has left empty."""
        if self._picker is not None:
            self._picker(self, self.position, self.take_point)

    def take_point(self, picked: PickedPoint) -> None:
        self.set_position((picked.lon, picked.lat))
        if picked.township and not self.line("township").text().strip():
            self.line("township").setText(picked.township)
            if picked.village and not self.line("village").text().strip():
                self.line("village").setText(picked.village)
        self.pick_button.setFocus()

    def _set_tab_order(self) -> None:
        chain = [self.fields[k] for k in FIELD_ORDER] + [self.save_button, self.clear_button]
        # 地图选点 after the typed fields (Alt+M from anywhere): a call typed by keyboard
        # alone tabs through the fields without stopping on it.
        chain.insert(chain.index(self.save_button), self.pick_button)
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
        if self.position is not None:
            out["lon"], out["lat"] = (f"{v:.6f}" for v in self.position)
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
            try:
                position = (float(values["lon"]), float(values["lat"]))
            except (KeyError, TypeError, ValueError):
                position = None
            self.set_position(position)
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
        """An empty form for the next call; its time is stamped when the call starts."""
        self.set_values({})
        self.update_grade_hint()
        self._time_by_hand = False
        self.grade.setEnabled(True)
        self.clear_errors()

    def start_call(self) -> None:
        """F2: a new call starts now, unless one is already being typed (its time stays)
        or the officer typed the time by hand."""
        if not self.has_content() and not self._time_by_hand:
            self._stamp_time()

    def _stamp_time(self) -> None:
        self._set_time(self._clock().strftime(TIME_FORMAT))

    def _set_time(self, text: str) -> None:
        self._loading = True  # not an edit of the officer's
        try:
            self.line("received_at").setText(text)
        finally:
            self._loading = False

    def clear(self) -> None:
        self.reset()
        self.notice.hide()
        self.discard_draft()
        self.focus_first()

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    # -- grade from the law -----------------------------------------------------------------
    def set_grading_rules(self, rules: list[dict[str, Any]]) -> None:
        """The grading table (read on the task runner by the page)."""
        self._grading_rules = rules
        self.update_grade_hint()

    def update_grade_hint(self) -> None:
        values = self.values()
        self.grade_hint.offer(
            grading.suggestion(
                values["category"],
                values["subtype"],
                values["grade"] or None,
                {key: _number(values[key]) for key in grading.METRIC_FIELDS.values()},
                self._grading_rules,
            )
        )

    def accept_grade(self) -> None:
        """按此定级 (Alt+G): the grade the numbers imply; the officer may still change it."""
        finding = self.grade_hint.finding
        if finding is not None and self.grade.isEnabled():
            self.grade.setCurrentText(finding.grade)

    # -- drafts ----------------------------------------------------------------------------
    def _changed(self, key: str) -> None:
        if key in GRADE_INPUTS:
            self.update_grade_hint()
        if self._loading:
            return
        if key == "received_at":  # cleared by hand: stamped again when the call goes on
            self._time_by_hand = bool(self.line("received_at").text())
        elif not self._time_by_hand:
            if not self.has_content():
                self._set_time("")  # all of it erased: the form waits for its call again
            elif not self.line("received_at").text():
                self._stamp_time()  # the first keystroke of a call: it started now
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
        # The draft's time is when its call started (or what the officer typed): kept.
        self._time_by_hand = bool(self.line("received_at").text())
        self.show_notice("已恢复上次未保存的来电记录草稿。")
        return True
