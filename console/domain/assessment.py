"""研判一张单: the sheet's content built from a :class:`~console.domain.situation.Situation`
and the task templates. Pure: no Qt, no I/O, no clock (the Situation's ``at`` is the time).

The task templates are data: :data:`DEFAULT_TASK_TEMPLATES` are drafts for the county to
confirm (a county gives its own list, e.g. from a JSON file, see
:func:`templates_from_json`). A template applies when the sheet's highest warning reaches
its level and, when it names a condition, that condition holds; the tasks are numbered in
the order of the templates that apply, the most urgent level first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from console.domain import beijing
from console.domain.assessment_rules import CONTENT_MAX_LEN, TASK_MAX_LEN, dump_content
from console.domain.ids import reference_id
from console.domain.situation import LEVEL_RANK, RAIN_WINDOWS, WARNING_LEVELS, Situation

# Conditions a template may name ("" = always, once its level is reached).
ANY = ""
ENDANGERED = "受威胁点位"  # at least one endangered village or risk point
STATIONS_OVER = "超警站点"  # at least one station over a line
RESPONSE = "建议响应"  # a response level is proposed
CONDITIONS: tuple[str, ...] = (ANY, ENDANGERED, STATIONS_OVER, RESPONSE)

# What a generated sheet's content may take: the rest of CONTENT_MAX_LEN is room for edits.
CONTENT_BUDGET = CONTENT_MAX_LEN * 3 // 4
LOOKBACK_H = 24  # the observed part of the period
DEFAULT_AHEAD_H = 24  # the forecast part when the situation carries no forecast


@dataclass(frozen=True)
class TaskTemplate:
    """One numbered task of the sheet. ``text`` may use {townships} (the townships at or
    above the level), {points} and {persons} (endangered places and persons at risk) and
    {response} (the proposed response level)."""

    level: str  # one of WARNING_LEVELS, or "" (any sheet, even without a warning)
    text: str
    condition: str = ANY


# Drafts for the county to confirm (草稿，待县防指确认).
DEFAULT_TASK_TEMPLATES: tuple[TaskTemplate, ...] = (
    TaskTemplate("红", "立即组织危险区人员转移，应转尽转、应转早转，必要时扩面转移。"),
    TaskTemplate("红", "抢险救援队伍和物资向{townships}前置，做好抢险救援准备。"),
    TaskTemplate(
        "橙",
        "{townships}及时发布预警，组织受威胁区域人员提前转移，落实“一户一策”。",
    ),
    TaskTemplate(
        "橙",
        "超警戒站点加密监测，水库、山塘按规定控制运行，落实巡查值守。",
        STATIONS_OVER,
    ),
    TaskTemplate(
        "黄",
        "{townships}防汛责任人到岗到位，巡查山洪危险区、地质灾害隐患点和低洼易涝区。",
    ),
    TaskTemplate(
        "黄",
        "逐一叫应受威胁点位责任人（{points} 处，涉及 {persons} 人），做好人员转移准备。",
        ENDANGERED,
    ),
    TaskTemplate("蓝", "加强雨情、水情监测，密切关注天气变化，做好预警信息发布准备。"),
    TaskTemplate("", "建议报请启动防汛{response}级应急响应。", RESPONSE),
    TaskTemplate("", "各乡镇及时反馈人员转移和险情，县防指值班室跟踪督办并按规定报送。"),
)


def templates_from_json(text: str) -> tuple[TaskTemplate, ...]:
    """A county's templates: a JSON list of {"level", "text", "condition"}; ValueError with a
    Chinese message when a row is not valid."""
    rows = json.loads(text)
    if not isinstance(rows, list) or not rows:
        raise ValueError("任务模板必须是非空的列表")
    templates: list[TaskTemplate] = []
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValueError(f"第 {i} 条任务模板必须是对象")
        level, text_, condition = row.get("level", ""), row.get("text"), row.get("condition", "")
        if level not in ("", *WARNING_LEVELS):
            raise ValueError(f"第 {i} 条任务模板的预警等级无效：{level}")
        if not isinstance(text_, str) or not text_.strip() or len(text_) > TASK_MAX_LEN:
            raise ValueError(f"第 {i} 条任务模板的内容为空或过长")
        if condition not in CONDITIONS:
            raise ValueError(f"第 {i} 条任务模板的条件无效：{condition}")
        templates.append(TaskTemplate(level, text_.strip(), condition))
    return tuple(templates)


@dataclass(frozen=True)
class SheetDraft:
    """What a new sheet holds, ready for ``assessment.create`` (plus number and id)."""

    title: str
    period_from: str
    period_to: str
    generated_at: str
    summary: str
    highest_warning: str
    proposed_response: str
    content: dict[str, Any]
    crossings: tuple[str, ...]
    simulated: bool
    tasks: tuple[str, ...] = field(default=())

    def args(self) -> dict[str, Any]:
        """The ``assessment.create`` fields (without id, number and links)."""
        return {
            "title": self.title,
            "period_from": self.period_from,
            "period_to": self.period_to,
            "generated_at": self.generated_at,
            "summary": self.summary,
            "highest_warning": self.highest_warning,
            "proposed_response": self.proposed_response,
            "content": dump_content(self.content),
            "crossings": crossing_text(self.crossings),
            "simulated": self.simulated,
        }


def crossing_text(crossings: Sequence[str]) -> str:
    """The crossing set as stored: the SHA-256 of its sorted keys (equal sets, equal text);
    "" for no crossing."""
    if not crossings:
        return ""
    joined = "\n".join(sorted(set(crossings)))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def proposal_id(crossings_digest: str, day: str) -> str:
    """The id of the sheet proposed for a crossing set on a (Beijing) day: workstations that
    propose for the same crossings make one sheet (the first to reach the server stands)."""
    return reference_id("assessment_proposal", crossings_digest, day)


def _fit(content: dict[str, Any], budget: int) -> None:
    """Keep the stored content within ``budget`` characters: the least severe endangered
    places (listed last) are left out, and a note says how many."""
    places = content["endangered"]
    total = len(places)
    while places and len(dump_content(content)) > budget:
        over = len(dump_content(content)) - budget
        each = max(1, len(dump_content({"endangered": places})) // len(places))
        del places[max(0, len(places) - over // each - 1) :]
    if len(places) < total:
        content["notes"] = [
            f"另有 {total - len(places)} 处受威胁村和风险点因篇幅未列出，详见“识别一张图”。"
        ]


def iso(epoch_s: int) -> str:
    """Beijing time, ISO 8601 with offset, to the second."""
    return beijing.canonical(datetime.fromtimestamp(epoch_s, UTC))


def _hours(sums: dict[int, float]) -> dict[str, float]:
    return {str(h): round(float(v), 1) for h, v in sorted(sums.items())}


def _rank(level: str) -> int:
    return LEVEL_RANK.get(level, 0)


def _fill(template: TaskTemplate, values: dict[str, str]) -> str:
    try:
        return template.text.format(**values)
    except (KeyError, IndexError, ValueError):
        return template.text  # a county's text with braces of its own: kept as written


def tasks_for(
    situation: Situation,
    warnings: dict[str, str],
    names: dict[str, str],
    templates: Sequence[TaskTemplate],
) -> list[str]:
    """The task texts that apply, most urgent level first (templates' order within one)."""
    highest = max((_rank(level) for level in warnings.values()), default=0)
    persons = sum(e.persons or 0 for e in situation.endangered)
    holds = {
        ANY: True,
        ENDANGERED: bool(situation.endangered),
        STATIONS_OVER: any(s.over for s in situation.stations),
        RESPONSE: bool(situation.proposed_response),
    }
    chosen = [
        (i, t)
        for i, t in enumerate(templates)
        if _rank(t.level) <= highest and holds.get(t.condition, False)
    ]
    chosen.sort(key=lambda pair: (-_rank(pair[1].level), pair[0]))
    texts: list[str] = []
    for _i, template in chosen:
        reached = [
            names[tid] for tid, level in warnings.items() if _rank(level) >= _rank(template.level)
        ]
        values = {
            "townships": "、".join(reached) if reached else "各乡镇（街道）",
            "points": str(len(situation.endangered)),
            "persons": str(persons),
            "response": situation.proposed_response,
        }
        texts.append(_fill(template, values))
    return texts


def _summary(situation: Situation, warnings: dict[str, str], names: dict[str, str]) -> str:
    when = beijing.display(iso(situation.at))
    highest = ""
    for level in warnings.values():
        if _rank(level) > _rank(highest):
            highest = level
    parts = [f"截至{when}"]
    if highest:
        reached = sum(1 for level in warnings.values() if level)
        parts.append(f"全县最高预警等级为{highest}色，{reached} 个乡镇（街道）达到预警")
    else:
        parts.append("各乡镇（街道）均未达到预警等级")
    if situation.endangered:
        persons = sum(e.persons or 0 for e in situation.endangered)
        parts.append(f"{len(situation.endangered)} 处村或风险点受威胁，涉及 {persons} 人")
    over = [s for s in situation.stations if s.over]
    if over:
        parts.append(f"{len(over)} 个站点超过警戒（汛限）水位")
    text = "，".join(parts) + "。"
    if situation.proposed_response:
        text += f"建议启动防汛{situation.proposed_response}级应急响应。"
    return text


def build_sheet(
    situation: Situation, templates: Sequence[TaskTemplate] = DEFAULT_TASK_TEMPLATES
) -> SheetDraft:
    """The sheet proposed for ``situation``: the period (the last 24 h and the forecast
    ahead), the rain per township, the stations over their lines, the endangered places with
    their people, the proposed warning per township and response level, and the tasks."""
    names = {t.township_id: t.name for t in situation.townships}
    warnings = {t.township_id: t.proposed_warning for t in situation.townships}
    ahead = max(
        (h for t in situation.townships for h in t.forecast),
        default=DEFAULT_AHEAD_H,
    )
    townships = [
        {
            "id": t.township_id,
            "name": t.name,
            "observed": _hours(t.observed),
            "peak_1h": None if t.peak_1h is None else round(t.peak_1h, 1),
            "forecast": _hours(t.forecast),
            "signal": t.signal,
            "expected_signal": t.expected_signal,
            "note": t.note,
        }
        for t in situation.townships
    ]
    stations = [
        {
            "id": s.station_id,
            "code": s.code,
            "name": s.name,
            "kind": s.kind,
            "township": names.get(s.township_id or "", ""),
            "rain": _hours(s.rain),
            "level_m": s.level_m,
            "over": list(s.over),
            "signal": s.signal,
        }
        for s in situation.stations
        if s.over or s.signal
    ]
    endangered = [
        {
            "kind": e.kind,
            "id": e.place_id,
            "name": e.name,
            "township": names.get(e.township_id or "", ""),
            "level": e.level,
            "expected_level": e.expected_level,
            "expected_in_h": e.expected_in_h,
            "reason": e.reason,
            "households": e.households,
            "persons": e.persons,
            "responsible": [
                {"name": r.name, "role": r.role, "mobile": r.mobile} for r in e.responsible
            ],
        }
        for e in sorted(situation.endangered, key=lambda e: (-_rank(e.level), e.name))
    ]
    tasks = tasks_for(situation, warnings, names, templates)
    highest = situation.highest_warning
    content: dict[str, Any] = {
        "townships": townships,
        "stations": stations,
        "endangered": endangered,
        "warnings": [
            {"township_id": t.township_id, "name": t.name, "level": t.proposed_warning}
            for t in situation.townships
            if t.proposed_warning
        ],
        "response_reasons": list(situation.response_reasons),
        "tasks": [{"no": i, "text": text} for i, text in enumerate(tasks, 1)],
    }
    _fit(content, CONTENT_BUDGET)
    title = "防汛防台风险研判单"
    if highest:
        title += f"（{highest}色预警）"
    return SheetDraft(
        title=title,
        period_from=iso(situation.at - LOOKBACK_H * 3600),
        period_to=iso(situation.at + int(ahead) * 3600),
        generated_at=iso(situation.at),
        summary=_summary(situation, warnings, names),
        highest_warning=highest,
        proposed_response=situation.proposed_response,
        content=content,
        crossings=situation.crossings(),
        simulated=situation.simulated,
        tasks=tuple(tasks),
    )


def sheet_number(year: int, sequence: int) -> str:
    """研判〔2026〕12号."""
    return f"研判〔{year}〕{sequence}号"


def renumber(tasks: Sequence[str]) -> list[dict[str, Any]]:
    """Tasks as stored, numbered from 1 in order (blank lines dropped)."""
    kept = [t.strip() for t in tasks if t.strip()]
    return [{"no": i, "text": text} for i, text in enumerate(kept, 1)]


WINDOW_LABELS = {h: f"{h}小时" for h in RAIN_WINDOWS}
