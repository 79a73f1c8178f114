"""管控一张表 in Excel: the table a township sends up, out and back in.

Out: one row per village of the evacuation's circle (all townships, or one), with 应转 and
the counts so far. In: a township's returned table of the same layout, its 已转 / 拒转 / 返回
being the village's totals to date. Each total that grew becomes ONE transfer event of the
difference ("乡镇回传表"), so the counts stay events and importing the same file twice
changes nothing. A total lower than what is recorded is refused for that row (someone must
look: a correction is the officer's call), and a refused row stops the import unless the
officer skips it: preview first, then all or nothing, as every import here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from console.domain import beijing, catalog, drill
from console.domain.ids import new_id
from console.domain.rows import MutationCall
from console.services.control_table import VILLAGE, ControlTable
from console.services.io.importer import NEW, REFUSED, UNCHANGED, Preview, RowResult, read_file
from console.services.io.layout import ImportFileError
from console.services.io.xlsx import SheetOut, write_xlsx_book

TOWNSHIP, VILLAGE_NAME = "乡镇", "村（社区）"
PLANNED_H, PLANNED_P = "应转户数", "应转人数"
MOVED, REFUSED_MOVE, RETURNED, AWAY = "已转人数", "拒转人数", "返回人数", "在外人数"
REPORTER, NOTE = "填报人", "备注"
HEADERS: tuple[str, ...] = (TOWNSHIP, VILLAGE_NAME, PLANNED_H, PLANNED_P)
HEADERS += (MOVED, REFUSED_MOVE, RETURNED, AWAY, REPORTER, NOTE)
# A returned table's totals and the kind of event a rise of each becomes.
TOTALS = (
    (MOVED, catalog.MOVED),
    (REFUSED_MOVE, catalog.REFUSED_MOVE),
    (RETURNED, catalog.RETURNED),
)
COMMENTS = {
    MOVED: "该村截至填报时累计已转移人数（不是本次新增）",
    REFUSED_MOVE: "累计拒绝转移人数",
    RETURNED: "累计已返回人数",
    AWAY: "仅供参考（已转 − 返回），导入时不读取",
    PLANNED_P: "由指挥中心填写，导入时不读取",
    PLANNED_H: "由指挥中心填写，导入时不读取",
}


@dataclass
class ReturnPreview(Preview):
    """The rows of a returned table; ``events`` are the writes, in file order."""

    events: list[MutationCall] = field(default_factory=list)

    @property
    def calls(self) -> list[MutationCall]:
        return list(self.events)

    def summary(self) -> str:
        added = sum(1 for r in self.rows if r.outcome == NEW)
        return (
            f"{self.source}（共 {len(self.rows)} 行）：有新增人数 {added} 行，"
            f"无变化 {self.count(UNCHANGED)} 行，拒绝 {self.count(REFUSED)} 行；"
            f"将登记 {len(self.events)} 条转移记录"
        )


def export_table(
    table: ControlTable, evacuation_id: str, path: Path, *, township_id: str | None = None
) -> int:
    """The circle's villages (of one township, or all) to ``path`` (.xlsx); rows written."""
    if path.suffix.lower() != ".xlsx":
        raise ImportFileError("管控表只能导出为 .xlsx")
    snapshot = table.snapshot(evacuation_id)
    if snapshot.evacuation is None or snapshot.evacuation["id"] != evacuation_id:
        raise ImportFileError("转移行动不存在")
    names = {r.id: r.name for r in snapshot.rows if r.level != VILLAGE}
    rows = []
    for r in snapshot.rows:
        if r.level != VILLAGE or (township_id and r.township_id != township_id):
            continue
        t = r.tally
        township = names.get(r.township_id, "")
        counts = [t.planned_households, t.planned_persons, t.moved, t.refused, t.returned, t.away]
        rows.append([township, r.name, *counts, "", ""])
    # 演练: the sheet's tab reads 【演练】 too (the import reads the first sheet, whatever its name)
    title = drill.document_title(str(snapshot.evacuation["title"]) or "管控一张表")[:31]
    comments = [COMMENTS.get(h, "") for h in HEADERS]
    write_xlsx_book(path, [SheetOut(title, HEADERS, rows, comments)])
    return len(rows)


def _count(raw: Any, header: str, place: str) -> tuple[int | None, str | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    try:
        value = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
    except ValueError:
        return None, f"{place}（{header}）：应为人数（整数），而不是“{str(raw)[:20]}”"
    if value != int(value) or value < 0 or value > 1_000_000:
        return None, f"{place}（{header}）：应为 0 至 1000000 的整数"
    return int(value), None


def preview_return(
    table: ControlTable,
    evacuation_id: str,
    path: Path,
    *,
    now: datetime | None = None,
) -> ReturnPreview:
    """Check a returned table against the recorded counts; writes nothing."""
    sheet = read_file(path)
    missing = [h for h in (TOWNSHIP, VILLAGE_NAME, MOVED) if h not in sheet.headers]
    if missing:
        raise ImportFileError(f"{path.name} 缺少列：{'、'.join(missing)}（请使用导出的管控表填报）")
    snapshot = table.snapshot(evacuation_id)
    evacuation = snapshot.evacuation
    if evacuation is None or evacuation["id"] != evacuation_id:
        raise ImportFileError("转移行动不存在")
    townships = {r.id: r.name for r in snapshot.rows if r.level != VILLAGE}
    villages = {
        (townships.get(r.township_id, ""), r.name): r for r in snapshot.rows if r.level == VILLAGE
    }
    when = beijing.canonical(now or beijing.now())
    out = ReturnPreview("transfer_events", path.name)
    seen: dict[tuple[str, str], str] = {}
    for raw in sheet.rows:
        township = str(raw.cells.get(TOWNSHIP) or "").strip()
        village = str(raw.cells.get(VILLAGE_NAME) or "").strip()
        key_text = f"{township} / {village}"
        row = villages.get((township, village))
        reasons: list[str] = []
        if (township, village) in seen:
            reasons.append(f"{raw.place}：与{seen[(township, village)]}重复（乡镇+村相同）")
        elif row is None:
            reasons.append(f"{raw.place}：“{key_text}”不在本次转移范围内（请先扩面转移）")
        seen.setdefault((township, village), raw.place)
        events: list[MutationCall] = []
        changes: list[str] = []
        for header, kind in TOTALS:
            total, problem = _count(raw.cells.get(header), header, raw.place)
            if problem:
                reasons.append(problem)
            if total is None or row is None or reasons:
                continue
            recorded = {
                catalog.MOVED: row.tally.moved,
                catalog.REFUSED_MOVE: row.tally.refused,
                catalog.RETURNED: row.tally.returned,
            }[kind]
            if total < recorded:
                reasons.append(
                    f"{raw.place}（{header}）：回传 {total} 人，少于已登记的 {recorded} 人；"
                    "请核实后在管控一张表中更正"
                )
            elif total > recorded:
                changes.append(f"{header} {recorded} → {total}")
                events.append(
                    (
                        "transfer.record",
                        {
                            "id": new_id(),
                            "evacuation_id": evacuation_id,
                            "village_id": row.id,
                            "risk_point_id": None,
                            "kind": kind,
                            "persons": total - recorded,
                            "households": 0,
                            "destination": "",
                            "shelter_id": None,
                            "reported_by": str(raw.cells.get(REPORTER) or "乡镇回传表")[:80],
                            "reported_at": when,
                            "correction_of": "",
                            "note": f"导入 {path.name}"[:200],
                        },
                    )
                )
        if reasons:
            out.rows.append(RowResult(raw.place, REFUSED, key_text, reasons=tuple(reasons)))
        elif events:
            out.rows.append(
                RowResult(raw.place, NEW, key_text, changes=tuple(changes), diffs=tuple(changes))
            )
            out.events.extend(events)
        else:
            out.rows.append(RowResult(raw.place, UNCHANGED, key_text))
    return out


def accepted_events(preview: ReturnPreview, skip_refused: bool) -> Sequence[MutationCall]:
    """The writes of an import: all of them, or none while a row is refused (unless the
    officer chose to skip the refused rows, whose rows made no events anyway)."""
    if preview.refused and not skip_refused:
        raise ImportFileError(f"有 {len(preview.refused)} 行被拒绝，未写入任何数据")
    return preview.events
