"""A record form built from a table's field declarations (基础数据 add / edit).

One editor per declared field: a line edit held to ``max_len`` for text, a multi-line box
for long text, a combo box for choices and for references (the live records' names; a
village list follows the chosen township), spin boxes with the declared range for numbers
(an optional number has an explicit empty state, 未填写) and a check box for flags.

Keyboard first: Tab walks the fields in declaration order, Enter moves to the next field,
Ctrl+Enter saves, Esc cancels. The form never writes: ``save_requested`` hands the values
to the page, which writes on the task runner and calls :meth:`RecordForm.show_refusal` (the
input stays) or closes the form. Messages come from the shared domain
(:func:`console.domain.fields.check_value`, the mutations' cross-field rules), in Chinese,
under the field they concern.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain import beijing, catalog
from console.domain.fields import Field, MutationRejected, check_value
from console.domain.reference_tables import ReferenceTable, is_long_text
from console.services.reference_data import ReferenceSnapshot

UNSET = "（未选择）"
EMPTY_NUMBER = "未填写"
TIME_HINT = "北京时间，如 2016-09-28 08:00"
_COORDINATE_DECIMALS = 6
_DEFAULT_DECIMALS = 2
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


# Referred tables whose records lie in a township (a form's township filters them), and the
# role columns that point at them.
_LOCATED = frozenset({"villages", "risk_points", "shelters", "stations"})
_IN_TOWNSHIP = (catalog.VILLAGE, catalog.RISK_POINT, catalog.SHELTER, catalog.STATION)


class _NullableDoubleSpin(QDoubleSpinBox):
    """A number that may be left empty: the value one step below the declared minimum is
    shown as 未填写 and means None."""

    def __init__(self, spec: Field, decimals: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(decimals)
        step = 10**-decimals
        self.setSingleStep(1.0 if decimals <= _DEFAULT_DECIMALS else 0.001)
        low = spec.minimum if spec.minimum is not None else -1e9
        self._floor = low - step
        self.setRange(self._floor, spec.maximum if spec.maximum is not None else 1e9)
        self.setSpecialValueText(EMPTY_NUMBER)
        self.set_number(None)

    def number(self) -> float | None:
        value = self.value()
        return None if value <= self._floor else round(value, self.decimals())

    def set_number(self, value: float | None) -> None:
        self.setValue(self._floor if value is None else value)


def _number_box(box: QAbstractSpinBox) -> QAbstractSpinBox:
    box.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
    box.setMinimumWidth(160)
    box.setMaximumWidth(220)  # a number, not a sentence: the arrows stay near the digits
    return box


class RecordForm(QDialog):
    """Add or edit one record of ``spec``; ``record`` None for a new one."""

    save_requested = Signal(dict)  # the values as typed, already checked field by field

    def __init__(
        self,
        spec: ReferenceTable,
        snapshot: ReferenceSnapshot,
        record: dict[str, Any] | None = None,
        *,
        township: str | None = None,  # preselected for a new record (the page's filter)
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RecordForm")
        self.spec = spec
        self.snapshot = snapshot
        self.record = record
        verb = "修改" if record is not None else "新增"
        self.setWindowTitle(f"{verb}{spec.title}")
        self.editors: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        self.cells: dict[str, QWidget] = {}  # each field's row (editor + message)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(10)
        title = QLabel(f"{verb}{spec.title}", self)
        title.setObjectName("PageTitle")
        outer.addWidget(title)
        if record is not None and record.get("is_sample"):
            note = QLabel("这是样例数据中的记录：修改后仍标为样例数据，只保存在本机。", self)
            note.setObjectName("Muted")
            note.setWordWrap(True)
            outer.addWidget(note)

        body = QWidget(self)
        self._layout = form = QFormLayout(body)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(4)
        for name, field in spec.fields.items():
            editor = self._editor(name, field)
            editor.setObjectName(f"field_{name}")
            editor.installEventFilter(self)
            self.editors[name] = editor
            message = QLabel("", body)
            message.setObjectName("FieldError")
            message.setWordWrap(True)
            message.hide()
            self.messages[name] = message
            cell = QWidget(body)
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(editor)
            column.addWidget(message)
            self.cells[name] = cell
            label = f"{field.label}{' *' if field.required else ''}"
            form.addRow(label, cell)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer.addWidget(scroll, 1)

        # Fields of another kind (a reservoir's levels on a rain gauge) are hidden; what
        # they hold is kept while the form is open but not saved (said here).
        self.kind_note = QLabel("", self)
        self.kind_note.setObjectName("Muted")
        self.kind_note.setWordWrap(True)
        self.kind_note.hide()
        outer.addWidget(self.kind_note)
        self.message = QLabel("", self)  # refusals not tied to one field
        self.message.setObjectName("FieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        outer.addWidget(self.message)
        buttons = QHBoxLayout()
        hint = QLabel("Enter 下一项 · Ctrl+Enter 保存 · Esc 取消", self)
        hint.setObjectName("Muted")
        buttons.addWidget(hint)
        buttons.addStretch(1)
        self.cancel_button = QPushButton("取消", self)
        self.save_button = QPushButton("保存", self)
        self.save_button.setObjectName("PrimaryButton")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.cancel_button.setAutoDefault(False)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.submit)

        # Tab follows the declaration order, then save and cancel.
        chain = [*self.editors.values(), self.save_button, self.cancel_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        township_box = self.editors.get("township_id")
        if isinstance(township_box, QComboBox) and self._located():
            township_box.currentIndexChanged.connect(lambda _i: self._fill_located())
        role_box = self.editors.get("role")
        if spec.table == "person_roles" and isinstance(role_box, QComboBox):
            role_box.currentIndexChanged.connect(lambda _i: self._follow_role(clear=True))
        kind_column = catalog.KIND_FIELDS.get(spec.table, ("", {}))[0]
        kind_box = self.editors.get(kind_column)
        if isinstance(kind_box, QComboBox):
            kind_box.currentIndexChanged.connect(lambda _i: self._follow_kind())
        self._load(record, township)
        if spec.table == "person_roles":
            self._follow_role(clear=record is None)
        self._follow_kind()
        self.resize(560, min(760, 140 + 58 * len(self.editors)))

    # -- editors ---------------------------------------------------------------------------
    def _editor(self, name: str, field: Field) -> QWidget:
        if field.ref is not None:
            box = QComboBox(self)
            self._fill_refs(box, name, field)
            return box
        if field.choices is not None:
            choices = QComboBox(self)
            optional = not field.required
            if optional or "" in field.choices:
                choices.addItem(UNSET, None if field.nullable else "")
            for choice in field.choices:
                if choice:
                    choices.addItem(choice, choice)
            return choices
        if field.kind is bool:
            return QCheckBox(self)
        if field.kind is int:
            spin = QSpinBox(self)
            spin.setRange(int(field.minimum or 0), int(field.maximum or 2_147_483_647))
            spin.setGroupSeparatorShown(False)
            return _number_box(spin)
        if field.kind is float:
            decimals = _COORDINATE_DECIMALS if name in ("lon", "lat") else _DEFAULT_DECIMALS
            return _number_box(_NullableDoubleSpin(field, decimals, self))
        if is_long_text(field):
            lines = QPlainTextEdit(self)
            lines.setTabChangesFocus(True)
            lines.setFixedHeight(72)
            # Fixed vertically: else its row takes the form's spare height and the box
            # floats away from its label.
            lines.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            lines.setPlaceholderText(f"最多 {field.max_len} 字")
            return lines
        line = QLineEdit(self)
        if field.max_len is not None:
            line.setMaxLength(field.max_len)
        if field.timestamp:
            line.setPlaceholderText(TIME_HINT)
        return line

    def _located(self) -> list[str]:
        """The pickers of places that lie in a township, when the form also picks one: the
        township filters them."""
        if "township_id" not in self.editors:
            return []
        return [
            name
            for name, field in self.spec.fields.items()
            if name in self.editors and field.ref in _LOCATED
        ]

    def _fill_refs(self, box: QComboBox, name: str, field: Field) -> None:
        """The live records of the referred table; places in a township only of the chosen
        township (villages need one chosen; the others list all until one is)."""
        target = field.ref or ""
        rows = self.snapshot.rows.get(target, [])
        if target in _LOCATED and "township_id" in self.editors:
            township = self.value("township_id")
            if township or target == "villages":
                rows = [r for r in rows if township and r.get("township_id") == township]
        box.blockSignals(True)
        box.clear()
        if not field.required:
            box.addItem(UNSET, None)
        names = self.snapshot.names(target)
        for row in rows:
            box.addItem(names.get(row["id"], ""), row["id"])
        box.blockSignals(False)

    def _fill_located(self, names: list[str] | None = None) -> None:
        for name in self._located() if names is None else names:
            box = self.editors[name]
            assert isinstance(box, QComboBox)
            current = box.currentData()
            self._fill_refs(box, name, self.spec.fields[name])
            box.setCurrentIndex(max(0, box.findData(current)))

    def _follow_role(self, *, clear: bool) -> None:
        """A role's object pickers: only those its role takes (catalog.ROLE_OBJECTS) are
        enabled, the others emptied. A village role keeps the township enabled too: it
        filters the village list (a village may come with its own township)."""
        allowed = catalog.ROLE_OBJECTS.get(self.value("role") or "", ())
        for target in catalog.ROLE_TARGETS:
            editor = self.editors.get(target)
            if not isinstance(editor, QComboBox):
                continue
            on = target in allowed or (
                target == catalog.TOWNSHIP and any(t in allowed for t in _IN_TOWNSHIP)
            )
            editor.setEnabled(on)
            if clear and not on and editor.currentIndex() != 0:
                editor.setCurrentIndex(0)  # （未选择）

    def applies(self, name: str) -> bool:
        """Whether field ``name`` applies to the kind chosen (catalog.KIND_FIELDS)."""
        kind_column = catalog.KIND_FIELDS.get(self.spec.table, ("", {}))[0]
        if kind_column not in self.editors:
            return True
        kind = self._raw_value(kind_column)
        return catalog.field_applies(self.spec.table, name, {kind_column: kind})

    def _follow_kind(self) -> None:
        """Show only the fields the chosen kind has (a reservoir's levels, a flash-flood
        area's critical rainfall); the hidden ones keep their input for a switch back."""
        kept: list[str] = []
        only = catalog.KIND_FIELDS.get(self.spec.table, ("", {}))[1]
        for name in only:
            cell = self.cells[name]
            on = self.applies(name)
            self._layout.setRowVisible(cell, on)
            self.editors[name].setEnabled(on)
            if not on and self._raw_value(name) not in (None, ""):
                kept.append(self.spec.fields[name].label)
        if kept:
            kind_column = catalog.KIND_FIELDS[self.spec.table][0]
            self.kind_note.setText(
                f"“{self.value(kind_column)}”不填写{'、'.join(kept)}：已填的值不会保存"
                "（改回原类型可恢复）。"
            )
        self.kind_note.setVisible(bool(kept))

    # -- values ----------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        """The value of one field as typed (text stripped by the domain check, not here);
        None for a field the chosen kind has not."""
        if not self.applies(name):
            return None
        return self._raw_value(name)

    def _raw_value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, _NullableDoubleSpin):
            return editor.number()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        assert isinstance(editor, QLineEdit)
        if self.spec.fields[name].timestamp:
            return beijing.typed_time(editor.text())
        return editor.text()

    def values(self) -> dict[str, Any]:
        values = {name: self.value(name) for name in self.editors}
        # A role's township that only filtered its object's list is not stored: a role keeps
        # its one object (as the import and the sample do), unless the role takes a township.
        if (
            self.spec.table == "person_roles"
            and any(values.get(t) for t in _IN_TOWNSHIP)
            and catalog.TOWNSHIP not in catalog.ROLE_OBJECTS.get(values.get("role") or "", ())
        ):
            values[catalog.TOWNSHIP] = None
        return values

    def set_value(self, name: str, value: Any) -> None:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            if name in self._located():
                self._fill_located([name])
            index = editor.findData(value)
            if index < 0 and value is not None and isinstance(value, str):
                index = editor.findText(value)
            editor.setCurrentIndex(max(0, index))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, _NullableDoubleSpin):
            editor.set_number(value)
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value or 0))
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value or "")
        elif isinstance(editor, QLineEdit):
            editor.setText(value or "")

    def _load(self, record: dict[str, Any] | None, township: str | None) -> None:
        if record is None:
            defaults: dict[str, Any] = {}
            if township and "township_id" in self.editors:
                defaults["township_id"] = township
            for name, field in self.spec.fields.items():
                if field.kind is bool:
                    defaults.setdefault(name, name == "position_approximate")
            record = defaults
        located = self._located()
        if located and not record.get("township_id"):
            # A role stores its object alone: show it under its township, which filters.
            record = {**record, "township_id": self._township_of(record, located)}
        # townships first: the lists of places in them depend on them
        for name in sorted(self.editors, key=lambda n: n != "township_id"):
            if name in record:
                self.set_value(name, record[name])
        if located and "township_id" not in record:
            self._fill_located()

    def _township_of(self, record: dict[str, Any], located: list[str]) -> str | None:
        for name in located:
            target = self.spec.fields[name].ref or ""
            found = next(
                (r for r in self.snapshot.rows.get(target, []) if r["id"] == record.get(name)),
                None,
            )
            if found is not None and found.get("township_id"):
                return str(found["township_id"])
        return None

    # -- checking and saving ---------------------------------------------------------------
    def problems(self) -> dict[str, str]:
        """Each field checked by the shared domain rule; field -> Chinese message."""
        found: dict[str, str] = {}
        for name, field in self.spec.fields.items():
            try:
                check_value(name, field, self.value(name))
            except MutationRejected as refusal:
                found[name] = refusal.message
        if self.spec.table == "person_roles" and "role" not in found:
            # The role's object rule, in the one wording the mutations refuse with.
            problem = catalog.role_problem(self.values())
            if problem is not None:
                found["role"] = problem
        return found

    def clear_messages(self) -> None:
        for label in self.messages.values():
            label.clear()
            label.hide()
        self.message.clear()
        self.message.hide()

    def show_problems(self, problems: dict[str, str]) -> None:
        self.clear_messages()
        for name, text in problems.items():
            self.messages[name].setText(text)
            self.messages[name].show()
        if problems:
            self.editors[next(iter(problems))].setFocus()

    def show_refusal(self, message: str) -> None:
        """A refusal from the write (cross-field rule, duplicate, role): under the field it
        names (“label”), else under the form. The input stays as typed."""
        self.set_busy(False)
        for name, field in self.spec.fields.items():
            if f"“{field.label}”" in message:
                self.show_problems({name: message})
                return
        self.clear_messages()
        self.message.setText(message)
        self.message.show()

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.save_button.setText("正在保存……" if busy else "保存")

    def submit(self) -> None:
        """Ctrl+Enter / 保存: check field by field, then ask the page to write."""
        if not self.save_button.isEnabled():
            return
        problems = self.problems()
        if problems:
            self.show_problems(problems)
            return
        self.clear_messages()
        self.set_busy(True)
        self.save_requested.emit(self.values())

    # -- keyboard --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            mods = event.modifiers()
            if key in _ENTER and mods & Qt.KeyboardModifier.ControlModifier:
                self.submit()
                return True
            plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            if key in _ENTER and plain and not isinstance(watched, QPlainTextEdit):
                if isinstance(watched, QComboBox) and watched.view().isVisible():
                    return False  # Enter picks from the open list
                self.focusNextChild()
                return True
        return super().eventFilter(watched, event)
