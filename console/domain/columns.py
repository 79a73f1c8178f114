"""Model columns built from their field declarations.

Each synced column is declared once, as ``name: Mapped[str] = text("乡镇名称", 40,
required=True)``: the builder makes the column (``String(40)``, not null) and keeps its
:class:`~console.domain.fields.Field` in ``column.info["field"]``, from which
``ENTITY_FIELDS`` (the mutations' validation), the forms' limits and the messages are derived.
So the length the database declares and the one validation enforces cannot differ.

Columns that arguments never set (id, updated_by, an incident's status, a log row's author)
are declared with :func:`system`: their Field states the limit the mutation machinery
enforces, and they are left out of ``ENTITY_FIELDS``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeEngine

from console.domain.fields import DATE_LEN, TIMESTAMP_MAX_LEN, Field

FIELD = "field"  # column.info key of the declaration
SYSTEM = "system"  # column.info key marking a column no argument sets


def _column(spec: Field, type_: TypeEngine[Any] | None, *args: Any, **kw: Any) -> Any:
    length = getattr(type_, "length", None)
    longest = spec.longest()
    # Caught at import: a declaration whose valid values would not fit its own column.
    if length is not None and (longest is None or longest > length):
        raise ValueError(f"{spec.label}: values up to {longest} characters, column {length}")
    if type_ is not None:
        args = (type_, *args)
    return mapped_column(*args, info={FIELD: spec}, **kw)


def text(label: str, max_len: int, *, required: bool = False, index: bool = False) -> Any:
    """Short text, ``VARCHAR(max_len)``; "" when not given."""
    spec = Field(label, str, required=required, nullable=False, max_len=max_len)
    kw: dict[str, Any] = {} if required else {"default": ""}
    return _column(spec, String(max_len), nullable=False, index=index, **kw)


def long_text(label: str, max_len: int, *, required: bool = False) -> Any:
    """Long text, ``TEXT`` in the database, ``max_len`` characters by validation."""
    spec = Field(label, str, required=required, nullable=False, max_len=max_len)
    return _column(spec, Text(), nullable=False, **({} if required else {"default": ""}))


def area() -> Any:
    """A boundary or extent: GeoJSON Polygon/MultiPolygon text in WGS84 lon/lat, ``TEXT`` in
    the database, checked and made canonical by :func:`console.domain.areas.normalise`
    (at most ``AREA_MAX_LEN`` characters); "" when there is none."""
    from console.domain.areas import AREA_MAX_LEN, LABEL

    spec = Field(LABEL, str, nullable=False, max_len=AREA_MAX_LEN, area=True)
    return _column(spec, Text(), nullable=False, default="")


def choice(
    label: str,
    choices: tuple[str, ...],
    length: int,
    *,
    required: bool = False,
    nullable: bool = True,
    index: bool = False,
    default: str | None = None,
) -> Any:
    """One of ``choices``, in a ``VARCHAR(length)`` that must hold the longest of them."""
    spec = Field(label, str, required=required, nullable=nullable and not required, choices=choices)
    kw: dict[str, Any] = {} if default is None else {"default": default}
    return _column(spec, String(length), nullable=spec.nullable, index=index, **kw)


def ref(label: str, table: str, *, required: bool = False, index: bool = False) -> Any:
    """The id of a live record of ``table`` (a foreign key)."""
    spec = Field(label, str, required=required, ref=table)
    return _column(spec, None, ForeignKey(f"{table}.id"), nullable=not required, index=index)


def timestamp(label: str, *, index: bool = False, required: bool = True) -> Any:
    """An ISO 8601 time with its UTC offset; required unless ``required=False`` (then null
    when not given)."""
    spec = Field(label, str, required=required, nullable=not required, timestamp=True)
    return _column(spec, String(TIMESTAMP_MAX_LEN), nullable=not required, index=index)


def day(label: str) -> Any:
    """An optional calendar day, ``YYYY-MM-DD`` (null when not given)."""
    spec = Field(label, str, max_len=DATE_LEN, date=True)
    return _column(spec, String(DATE_LEN), nullable=True)


def count(label: str) -> Any:
    """A number of people or things: 0 to ten million, 0 when not given."""
    spec = Field(label, int, nullable=False, minimum=0, maximum=10_000_000)
    return _column(spec, Integer(), nullable=False, default=0)


def amount(label: str) -> Any:
    """A non-negative quantity (money, area): 0 to a thousand million, 0 when not given."""
    spec = Field(label, float, nullable=False, minimum=0, maximum=1_000_000_000)
    return _column(spec, Float(), nullable=False, default=0.0)


def integer(label: str, minimum: int, maximum: int) -> Any:
    """A required whole number within [minimum, maximum]."""
    spec = Field(label, int, required=True, minimum=minimum, maximum=maximum)
    return _column(spec, Integer(), nullable=False)


def setting(label: str, minimum: int, maximum: int, *, default: int) -> Any:
    """A whole number within [minimum, maximum] that has a default (a rule's parameter)."""
    spec = Field(label, int, nullable=False, minimum=minimum, maximum=maximum)
    return _column(spec, Integer(), nullable=False, default=default)


def number(label: str, minimum: float, maximum: float) -> Any:
    """An optional measurement within [minimum, maximum]."""
    return _column(Field(label, float, minimum=minimum, maximum=maximum), Float(), nullable=True)


def lon() -> Any:
    return number("经度", -180, 180)


def lat() -> Any:
    return number("纬度", -90, 90)


def flag(label: str, *, default: bool) -> Any:
    """Yes/no, never null."""
    return _column(Field(label, bool, nullable=False), Boolean(), nullable=False, default=default)


def system(spec: Field, type_: TypeEngine[Any], **kw: Any) -> Any:
    """A column the mutation machinery fills (never an argument); ``spec`` states the limit
    it enforces before writing."""
    column = _column(spec, type_, nullable=kw.pop("nullable", False), **kw)
    column.column.info[SYSTEM] = True
    return column
