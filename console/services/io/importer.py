"""Import = preview, then apply.

:func:`preview` reads a file, validates every row with the shared field declarations (each
cell on its own, so a refusal names its cell), matches rows to records by natural key,
and runs the resulting upserts once in a transaction that is rolled back, so a rule of the
mutations (cross-field checks, references) refuses its row here, before anything is written.
:func:`apply` writes the accepted rows in ONE :meth:`Writer.apply` batch: all or nothing.

A row whose values equal the record's makes no mutation, so importing the same file twice
changes nothing; a new record gets its id from its natural key, as the sample county's do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from console.domain import catalog
from console.domain.areas import LABEL as AREA_LABEL
from console.domain.areas import centroid, polygons
from console.domain.fields import Field, MutationRejected, check_fields, check_value
from console.domain.ids import reference_id
from console.domain.mutations import MutationContext, run_mutation
from console.domain.rows import MutationCall
from console.domain.schema import ENTITY_FIELDS
from console.services.io.layout import (
    FALSE_TEXT,
    LAYOUTS,
    TRUE_TEXT,
    Column,
    ImportFileError,
    Layout,
    RawRow,
    Sheet,
    layout,
)
from console.services.io.records import Records
from console.store.changes import Changes
from console.store.database import Store
from console.store.writer import Writer, write_scope

# (stage text, done, total): reading, then validating; called every few hundred rows.
Progress = Callable[[str, int, int], None]

NEW = "新增"
UPDATED = "更新"
UNCHANGED = "无变化"
REFUSED = "拒绝"
OUTCOMES = (REFUSED, NEW, UPDATED, UNCHANGED)

_TRUE = {TRUE_TEXT, "true", "TRUE", "True", "1", "Y", "y", "对"}
_FALSE = {FALSE_TEXT, "false", "FALSE", "False", "0", "N", "n", "错"}


class ImportRefused(Exception):
    """Apply was asked for a preview with refused rows (and no skipping)."""


@dataclass(frozen=True)
class RowResult:
    place: str  # "第 12 行"
    outcome: str  # one of OUTCOMES
    key: str  # the natural key as text, "北界镇 / 苏村"
    changes: tuple[str, ...] = ()  # labels of the fields an update changes
    reasons: tuple[str, ...] = ()  # why a row is refused, each naming its cell
    call: MutationCall | None = None
    diffs: tuple[str, ...] = ()  # "影响户数 12 → 99", one per changed field

    @property
    def detail(self) -> str:
        if self.outcome == REFUSED:
            return "；".join(self.reasons)
        if self.outcome == UPDATED:
            return "修改：" + "；".join(self.diffs or self.changes)
        return ""


@dataclass
class Preview:
    table: str
    source: str  # the file's name
    rows: list[RowResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said under the counts (old columns)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def refused(self) -> list[RowResult]:
        return [r for r in self.rows if r.outcome == REFUSED]

    @property
    def calls(self) -> list[MutationCall]:
        return [r.call for r in self.rows if r.call is not None]

    def summary(self) -> str:
        counts = "，".join(f"{o} {self.count(o)} 行" for o in (NEW, UPDATED, UNCHANGED, REFUSED))
        head = f"{self.source}（{LAYOUTS[self.table].title}，共 {len(self.rows)} 行）：{counts}"
        return "\n".join([head, *self.notes])


def read_file(path: Path, progress: Progress | None = None) -> Sheet:
    """The file's headers and rows, by its extension (.xlsx, .csv, .geojson/.json, .docx: its
    tables)."""
    from console.services.io.csv_io import read_csv
    from console.services.io.docx_io import read_docx
    from console.services.io.geojson import read_geojson
    from console.services.io.xlsx import read_xlsx

    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportFileError(f"找不到文件：{path}")
    if suffix == ".xlsx":
        return read_xlsx(path, None if progress is None else lambda d, t: progress("读取", d, t))
    if suffix == ".csv":
        return read_csv(path)
    if suffix in (".geojson", ".json"):
        return read_geojson(path)
    if suffix == ".docx":
        return read_docx(path)
    raise ImportFileError(
        f"不支持的文件类型“{path.suffix or path.name}”：请使用 .xlsx、.csv、.geojson 或 .docx"
    )


class _CellError(Exception):
    pass


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a phone number or code Excel took for a number
    if isinstance(raw, bool):
        return TRUE_TEXT if raw else FALSE_TEXT
    return str(raw).strip()


def _number(raw: Any, kind: type) -> Any:
    name = "整数" if kind is int else "数值"
    if isinstance(raw, bool):
        raise _CellError(f"应为{name}，收到的是“{_text(raw)}”")
    if isinstance(raw, str):
        text = raw.strip().replace(",", "").replace("，", "")
        try:
            raw = float(text) if kind is float or "." in text or "e" in text.lower() else int(text)
        except ValueError:
            raise _CellError(f"应为{name}，收到的是“{raw.strip()[:40]}”") from None
    if not isinstance(raw, int | float):
        raise _CellError(f"应为{name}，收到的是“{_text(raw)[:40]}”")
    if kind is int:
        if isinstance(raw, float) and not raw.is_integer():
            raise _CellError(f"应为整数，收到的是“{raw:g}”")
        return int(raw)
    return float(raw)


def _parse(lay: Layout, column: Column, raw: Any) -> Any:
    """The cell's value as the field's type; an empty cell is the column's default."""
    spec = column.spec
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return lay.default(column.field)
    if spec.ref is not None or spec.kind is str:
        return _text(raw)
    if spec.kind is bool:
        text = _text(raw) if not isinstance(raw, int | float) else str(int(raw))
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _CellError(f"应填“{TRUE_TEXT}”或“{FALSE_TEXT}”，收到的是“{text[:40]}”")
    return _number(raw, spec.kind)


def _without_label(message: str, spec: Field) -> str:
    return message.removeprefix(f"“{spec.label}”").lstrip("：")


class _Validator:
    def __init__(self, records: Records, lay: Layout, headers: tuple[str, ...]) -> None:
        self.records = records
        self.lay = lay
        self.present = [
            c for c in (*lay.columns, *lay.legacy, *lay.area_columns) if c.header in headers
        ]
        self.specs = ENTITY_FIELDS[lay.table]
        self.seen: dict[tuple[str, ...], str] = {}
        # A role's person and risk point by name (built on first use).
        self._by_name: dict[str, list[dict[str, Any]]] | None = None
        self._risk_by_name: dict[tuple[str, str], list[dict[str, Any]]] | None = None

    def row(self, raw: RawRow) -> RowResult:
        lay = self.lay
        reasons: list[str] = []
        values: dict[str, Any] = {}
        names: dict[str, str] = {}  # ref field -> the name written in its cell

        def refuse(column: Column, message: str) -> None:
            ref = raw.cell_refs.get(column.header, "")
            where = f"{raw.place} {ref}" if ref else raw.place
            reasons.append(f"{where}（{column.header}）：{message}")

        for column in self.present:
            try:
                value = _parse(lay, column, raw.cells.get(column.header))
            except _CellError as exc:
                refuse(column, str(exc))
                continue
            if column.spec.ref is not None:
                names[column.field] = value or ""
                values[column.field] = value  # resolved below
                continue
            try:
                values[column.field] = check_value(column.field, column.spec, value)
            except MutationRejected as exc:
                refuse(column, _without_label(exc.message, column.spec))
        for column in self.present:
            if column.spec.ref is None or column.field not in values:
                continue
            name = names[column.field]
            if not name:
                values[column.field] = None
                if column.spec.required:
                    refuse(column, "不能为空")
                continue
            found = self._resolve(column, name, names, values, raw)
            if isinstance(found, str) and found.startswith("!"):
                refuse(column, found[1:])
            else:
                values[column.field] = found
        for f in lay.file_only:  # they found a referred record; they are not stored
            values.pop(f, None)
        if lay.key_by_id and not reasons:
            self._locators_only(values)
        key = self._key(lay.key, names, values)
        key_fields = lay.key_fields(key)
        if key_fields is not lay.key:  # a person without a mobile: unit + name
            key = self._key(key_fields, names, values)
        key_text = " / ".join(p for p in key if p)
        if not reasons:
            for f, part in zip(key_fields, key, strict=True):
                if not part and (f in lay.required_key or key_fields is not lay.key):
                    refuse(lay.column(f), "是匹配键，不能为空")
        if reasons:
            return RowResult(raw.place, REFUSED, key_text, reasons=tuple(reasons))
        first = self.seen.get(key)
        if first is not None:
            headers = [
                lay.column(f).header
                for f, part in zip(key_fields, key, strict=True)
                if part or not lay.key_by_id  # a role: the columns it fills
            ]
            return RowResult(
                raw.place,
                REFUSED,
                key_text,
                reasons=(f"{raw.place}：与{first}重复（{'+'.join(headers)}相同）",),
            )
        self.seen[key] = raw.place
        existing = self.records.find(lay.table, key)
        self._place_by_area(values, existing)
        if existing is None:
            try:
                check_fields(self.specs, values, creating=True)
            except MutationRejected as exc:
                return RowResult(
                    raw.place, REFUSED, key_text, reasons=(f"{raw.place}：{exc.message}",)
                )
            record_id = reference_id(lay.entity, *key)
            return RowResult(
                raw.place, NEW, key_text, call=(f"{lay.entity}.upsert", {"id": record_id, **values})
            )
        fields = [f for f, v in values.items() if existing.get(f) != v]
        if not fields:
            return RowResult(raw.place, UNCHANGED, key_text)
        # The whole row, not just the changes: the write stands on its own on every replica.
        call = (f"{lay.entity}.upsert", {"id": existing["id"], **values})
        diffs = tuple(
            f"{self.specs[f].label} {self._show(f, existing.get(f))} → {self._show(f, values[f])}"
            for f in fields
        )
        changed = tuple(self.specs[f].label for f in fields)
        return RowResult(raw.place, UPDATED, key_text, changes=changed, call=call, diffs=diffs)

    def _place_by_area(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        """An area given without a position (a polygon feature with no 经度/纬度): a record
        without a position is placed at the area's centroid; one that has a position keeps
        it. So importing the same file again changes nothing."""
        area = self.lay.area
        if area is None or not values.get(area.field) or "lon" not in self.specs:
            return
        if values.get("lon") is not None or values.get("lat") is not None:
            return
        if existing is not None and existing.get("lon") is not None:
            values.pop("lon", None)
            values.pop("lat", None)
            return
        middle = centroid(values[area.field])
        if middle is not None:
            values["lon"], values["lat"] = middle

    def _key(
        self, fields: tuple[str, ...], names: dict[str, str], values: dict[str, Any]
    ) -> tuple[str, ...]:
        """The row's key parts for ``fields``, a reference by the name in its cell (by its
        resolved id where the layout keys by id)."""
        if self.lay.key_by_id:
            return tuple(str(values.get(f) or "") for f in fields)
        return tuple(
            (names.get(f) if self.specs[f].ref else _text(values.get(f) or "")) or ""
            for f in fields
        )

    def _show(self, field: str, value: Any) -> str:
        """A value as the file writes it, for the preview's 修改 column."""
        ref = self.specs[field].ref
        if ref is not None:
            value = self.records.name_of(ref, value)
        if self.specs[field].area and value:
            count = sum(len(ring) for poly in polygons(value) for ring in poly)
            return f"面（{count} 个点）"
        if isinstance(value, bool):
            return TRUE_TEXT if value else FALSE_TEXT
        if value is None or value == "":
            return "（空）"
        return f"{value:g}" if isinstance(value, float) else str(value)[:40]

    def _locators_only(self, values: dict[str, Any]) -> None:
        """A role row: drop the township when it only located the object (the role does not
        take a township), so the row is stored as the form and the sample store it: the
        person, the role and its one object."""
        allowed = catalog.ROLE_OBJECTS.get(values.get("role") or "", ())
        if catalog.TOWNSHIP not in allowed and any(
            values.get(t) for t in catalog.ROLE_TARGETS if t != catalog.TOWNSHIP
        ):
            values[catalog.TOWNSHIP] = None

    def _person(self, prefix: str, name: str, raw: RawRow) -> str:
        """A person named in a row (``prefix``: "person" for a role's, "helper" for a
        household's): by the row's ``<prefix>_mobile``, else by ``<prefix>_unit`` + name,
        else by a name only one person has."""
        cells = {c.field: raw.cells.get(c.header) for c in self.lay.columns}
        mobile = _text(cells.get(f"{prefix}_mobile") or "")
        unit = _text(cells.get(f"{prefix}_unit") or "")
        people = self.records.index.get("people", {})
        if mobile:
            row = people.get((mobile,))
            if row is None or row["name"] != name:
                return f"!没有手机为“{mobile}”的人员“{name}”（请先导入人员）"
            return str(row["id"])
        if self._by_name is None:  # built once: a roles file names people row after row
            self._by_name = {}
            for r in self.records.rows.get("people", {}).values():
                self._by_name.setdefault(r["name"], []).append(r)
        found = [
            r
            for r in self._by_name.get(name, [])
            if not unit or self.records.name_of("units", r.get("unit_id")) == unit
        ]
        if not found:
            within = f"{unit}的" if unit else ""
            return f"!没有名为“{name}”的{within}人员（请先导入人员）"
        if len(found) > 1:
            return f"!有 {len(found)} 位人员名为“{name}”，请填写人员单位或人员手机以区分"
        return str(found[0]["id"])

    def _risk_point(self, name: str, names: dict[str, str]) -> str:
        """A risk point named in a row: by township + name (no row naming one has its
        风险点类型)."""
        town = names.get(catalog.TOWNSHIP) or ""
        if not town:
            return "!需同时填写“所属乡镇”"
        if self._risk_by_name is None:
            self._risk_by_name = {}
            for key, row in self.records.index.get("risk_points", {}).items():
                self._risk_by_name.setdefault((key[0], key[-1]), []).append(row)
        found = self._risk_by_name.get((town, name), [])
        if len(found) != 1:
            problem = "没有" if not found else f"有 {len(found)} 个"
            return f"!{town}下{problem}名为“{name}”的风险点"
        return str(found[0]["id"])

    def _resolve(
        self,
        column: Column,
        name: str,
        names: dict[str, str],
        values: dict[str, Any],
        raw: RawRow,
    ) -> str:
        """The id the name refers to, or "!reason"."""
        target = column.spec.ref
        assert target is not None
        if target == "people":
            return self._person(column.field.removesuffix("_id"), name, raw)
        if target == "risk_points":  # no layout that names one has its 风险点类型
            return self._risk_point(name, names)
        tlay = LAYOUTS.get(target)
        if tlay is None:
            return "!无法按名称导入该列"
        parts: list[str] = []
        for f in tlay.key[:-1]:
            if f in names:
                part = names[f]
            elif f in values and values[f] is not None:
                part = _text(values[f])
            else:
                return f"!无法确定，需同时填写“{tlay.column(f).header}”"
            if not part:
                return f"!需先填写“{tlay.column(f).header}”"
            parts.append(part)
        row = self.records.find(target, (*parts, name))
        if row is None:
            within = f"{'、'.join(parts)}下" if parts else ""
            return f"!{within}没有名为“{name}”的{tlay.title}（请先导入{tlay.title}）"
        return str(row["id"])


def check_headers(lay: Layout, headers: tuple[str, ...], source: str) -> None:
    known = {*lay.headers, *(c.header for c in (*lay.legacy, *lay.area_columns))}
    named = [h for h in headers if h]
    unknown = [h for h in named if h not in known]
    if AREA_LABEL in unknown and lay.area is None:
        raise ImportFileError(
            f"{source} 中有面要素（Polygon/MultiPolygon），但{lay.title}没有范围，只能导入点位置"
            "（Point）；范围可导入乡镇、村和风险点"
        )
    if unknown:
        raise ImportFileError(
            f"{source} 中有{lay.title}表没有的列：{'、'.join(unknown)}。"
            f"可用的列：{'、'.join(lay.headers)}（可用“导出模板”得到空白模板）"
        )
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise ImportFileError(f"{source} 中的列重复：{'、'.join(twice)}")
    needed = [c.header for c in lay.columns if (c.spec.required or c.field in lay.required_key)]
    missing = [h for h in needed if h not in named]
    if missing:
        raise ImportFileError(f"{source} 缺少必填的列：{'、'.join(missing)}")


class RolledBack(Exception):
    """Raised to roll back a trial transaction."""


def run_trial(
    conn: Connection, store: Store, results: list[RowResult], user: str
) -> list[RowResult]:
    """Run the rows' upserts on ``conn`` (a write transaction the caller rolls back); a
    refusal of the mutations (a rule the cells alone do not show) refuses its row."""
    out = list(results)
    for i, result in enumerate(results):
        if result.call is None:
            continue
        name, args = result.call
        ctx = MutationContext(user=user, client_id=store.client_id, hlc=store.clock.now())
        try:
            run_mutation(conn, name, args, ctx)
        except MutationRejected as exc:
            out[i] = RowResult(
                result.place, REFUSED, result.key, reasons=(f"{result.place}：{exc.message}",)
            )
    return out


def _trial(store: Store, results: list[RowResult], user: str) -> list[RowResult]:
    """:func:`run_trial` in a transaction that is rolled back."""
    if all(r.call is None for r in results):
        return results
    out = results
    try:
        with write_scope(store) as conn:
            out = run_trial(conn, store, results, user)
            raise RolledBack
    except RolledBack:
        pass
    return out


def validate_rows(
    conn: Connection, table: str, sheet: Sheet, source: str, progress: Progress | None = None
) -> list[RowResult]:
    """Each row of ``sheet`` checked on its own and matched by natural key against the
    records ``conn`` sees; writes nothing."""
    lay = layout(table)
    check_headers(lay, sheet.headers, source)
    validator = _Validator(Records(conn, lay.table), lay, sheet.headers)
    results: list[RowResult] = []
    total = len(sheet.rows)
    for n, raw in enumerate(sheet.rows, start=1):
        results.append(validator.row(raw))
        if progress is not None and n % 500 == 0:
            progress("校验", n, total)
    return results


def preview_sheet(
    store: Store,
    table: str,
    sheet: Sheet,
    source: str,
    *,
    user: str = "导入",
    progress: Progress | None = None,
) -> Preview:
    table = layout(table).table
    with store.engine.connect() as conn:
        results = validate_rows(conn, table, sheet, source, progress)
    results = _trial(store, results, user)
    if progress is not None:
        progress("校验", len(results), len(results))
    note = layout(table).legacy_note(sheet.headers)
    return Preview(table, source, results, notes=[note] if note else [])


def preview(
    store: Store,
    table: str,
    path: Path,
    *,
    user: str = "导入",
    progress: Progress | None = None,
) -> Preview:
    """Read and check ``path`` as ``table``; writes nothing."""
    table = layout(table).table
    sheet = read_file(path, progress)
    return preview_sheet(store, table, sheet, path.name, user=user, progress=progress)


def apply(writer: Writer, result: Preview, *, user: str, skip_refused: bool = False) -> Changes:
    """Write the accepted rows in one batch (all or nothing). Refused rows stop it unless
    ``skip_refused``."""
    if result.refused and not skip_refused:
        raise ImportRefused(f"有 {len(result.refused)} 行被拒绝，未写入任何数据")
    return writer.apply(result.calls, user=user)
