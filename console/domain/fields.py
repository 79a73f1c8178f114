"""Field declarations and their validation, with messages in Chinese.

A :class:`Field` says everything about one value: its Chinese label, type, length or format,
whether it is required, its choices, the table it refers to, its range. Each synced column
is built from its Field (:mod:`console.domain.columns`), so the database's limits and the
validation's are one declaration. Mutation arguments arrive as JSON from the officer's form,
from scripts and (on the server) from any workstation, so every value is checked here before
a table is touched.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from console.domain.ids import is_uuid

UUID_LEN = 36  # canonical text form, the only one is_uuid accepts
# ISO 8601 with a UTC offset, at most to the microsecond: 2026-11-28T14:05:00.123456+08:00.
# datetime.fromisoformat takes longer forms too (nanoseconds, offset seconds), which would
# not fit the column on PostgreSQL.
TIMESTAMP_MAX_LEN = 32
# A calendar day, ISO 8601 (2026-11-28): the start and end of a person's role.
DATE_LEN = 10
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ACCOUNT_MAX_LEN = 64  # account names (duty-server create-user, sign-in)
HLC_MAX_LEN = 64
MUTATION_NAME_MAX_LEN = 64  # a mutation's name, as pushed, stored with results and audited


class MutationRejected(Exception):
    """A business rejection: the mutation is refused and changes nothing.

    ``message`` is Chinese and shown to the officer; ``code`` is stable for programs.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    label: str
    kind: type = str
    required: bool = False
    nullable: bool = True
    max_len: int | None = None
    choices: tuple[str, ...] | None = None
    ref: str | None = None  # table a uuid value must point to
    minimum: float | None = None
    maximum: float | None = None
    timestamp: bool = False  # ISO 8601 text with a UTC offset
    date: bool = False  # a calendar day, YYYY-MM-DD; "" is taken as not given (None)
    area: bool = False  # GeoJSON Polygon/MultiPolygon text (console.domain.areas); "" none

    def longest(self) -> int | None:
        """The most characters a valid text value can have (None: unbounded or not text)."""
        bounds = [
            self.max_len,
            max(map(len, self.choices)) if self.choices else None,
            UUID_LEN if self.ref is not None else None,
            TIMESTAMP_MAX_LEN if self.timestamp else None,
            DATE_LEN if self.date else None,
        ]
        known = [b for b in bounds if b is not None]
        return min(known) if known else None


def _type_name(kind: type) -> str:
    return {str: "文本", int: "整数", float: "数值", bool: "是/否"}.get(kind, kind.__name__)


def check_value(name: str, spec: Field, value: Any) -> Any:
    """Validate and normalise one value; raise :class:`MutationRejected` with a clear message."""
    if value is None:
        if spec.required or not spec.nullable:
            raise MutationRejected("missing_field", f"“{spec.label}”不能为空")
        return None
    kind = spec.kind
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise MutationRejected(
            "bad_type", f"“{spec.label}”应为{_type_name(kind)}，收到的是“{value!r:.40}”"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise MutationRejected("bad_value", f"“{spec.label}”不是有效数值")
    if isinstance(value, str):
        value = value.strip()
        if spec.date:
            return _check_date(spec, value)
        if spec.area:
            from console.domain.areas import normalise  # areas raises MutationRejected

            return normalise(spec.label, value)
        if spec.required and not value:
            raise MutationRejected("missing_field", f"“{spec.label}”不能为空")
        if spec.max_len is not None and len(value) > spec.max_len:
            raise MutationRejected(
                "too_long", f"“{spec.label}”过长（最多 {spec.max_len} 字，实际 {len(value)} 字）"
            )
        if spec.choices is not None and value not in spec.choices:
            # "" among the choices means the value may be left empty; it is not listed.
            allowed = "、".join(c for c in spec.choices if c)
            if "" in spec.choices:
                allowed += "，或留空"
            raise MutationRejected("bad_choice", f"“{spec.label}”只能是：{allowed}")
        if spec.ref is not None and not is_uuid(value):
            raise MutationRejected("bad_ref", f"“{spec.label}”不是有效的记录编号")
        if spec.timestamp:
            if not value and spec.nullable:
                return None  # an optional time left empty (a warning not yet lifted)
            if len(value) > TIMESTAMP_MAX_LEN:
                raise MutationRejected(
                    "bad_time",
                    f"“{spec.label}”不是有效的时间（最多精确到微秒，"
                    "例如 2026-11-28T14:05:00+08:00）",
                )
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise MutationRejected(
                    "bad_time", f"“{spec.label}”不是有效的时间（应为 ISO 8601 格式）"
                ) from None
            if parsed.tzinfo is None:
                raise MutationRejected("bad_time", f"“{spec.label}”缺少时区（例如 +08:00）")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            raise MutationRejected("out_of_range", f"“{spec.label}”不能小于 {spec.minimum:g}")
        if spec.maximum is not None and value > spec.maximum:
            raise MutationRejected("out_of_range", f"“{spec.label}”不能大于 {spec.maximum:g}")
    return value


def _check_date(spec: Field, value: str) -> str | None:
    """A calendar day ``YYYY-MM-DD`` (stripped); "" is no date (None) unless required."""
    if not value and not spec.required:
        return None  # an empty date cell or form field: no date
    if not value:
        raise MutationRejected("missing_field", f"“{spec.label}”不能为空")
    problem = f"“{spec.label}”不是有效的日期（应为 2026-11-28 这样的格式）"
    if not _DATE.fullmatch(value):
        raise MutationRejected("bad_date", problem)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise MutationRejected("bad_date", problem) from None
    return value


def check_fields(
    specs: dict[str, Field], values: dict[str, Any], *, creating: bool
) -> dict[str, Any]:
    """Validate a field dict: unknown keys refused, required ones enforced when creating."""
    unknown = sorted(set(values) - set(specs))
    if unknown:
        raise MutationRejected("unknown_field", f"未知字段：{', '.join(unknown)[:200]}")
    clean = {name: check_value(name, specs[name], v) for name, v in values.items()}
    if creating:
        for name, spec in specs.items():
            if spec.required and name not in clean:
                raise MutationRejected("missing_field", f"“{spec.label}”不能为空")
    return clean


# Columns every synced record has, filled by the mutation machinery rather than by arguments;
# run_mutation checks the context against these before anything is written.
RECORD_ID = Field("记录编号", str, required=True, nullable=False, max_len=UUID_LEN)
ACCOUNT = Field("账号", str, required=True, nullable=False, max_len=ACCOUNT_MAX_LEN)
HLC = Field("修改时间戳", str, required=True, nullable=False, max_len=HLC_MAX_LEN)
MUTATION_NAME = Field("操作类型", str, required=True, nullable=False, max_len=MUTATION_NAME_MAX_LEN)
# A workstation's id: canonical UUID text (ids.is_uuid), so one workstation has one spelling.
CLIENT_ID = Field("工作站编号", str, required=True, nullable=False, max_len=UUID_LEN)
