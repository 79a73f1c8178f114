"""研判一张单 use cases: propose a sheet when a threshold is crossed (one open proposal per
crossing set), generate one on demand, list the sheets and a sheet's versions, edit a draft,
sign (带班领导; the server checks the role again), revise a signed sheet into a new draft
version, discard a draft.

Every write is ONE ``Writer.apply`` of an ``assessment.*`` mutation, so the rules (a signed
version never changes, the content's shape) are the shared domain's and the server applies
the same. Qt-free: views call these on the task runner.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select

from console.domain import beijing, drill
from console.domain.assessment import (
    DEFAULT_TASK_TEMPLATES,
    LOOKBACK_H,
    TaskTemplate,
    build_sheet,
    crossing_text,
    proposal_id,
    renumber,
    sheet_number,
    templates_from_json,
)
from console.domain.assessment_rules import DRAFT, dump_content, parse_content
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.roles import ROLE_LABELS, allowed
from console.domain.rows import MutationCall
from console.domain.schema import Assessment, Township
from console.domain.situation import LEVEL_RANK, Situation
from console.store.writer import Writer

log = logging.getLogger(__name__)
SituationProvider = Callable[[], "Situation | None"]
SIGN_REFUSAL = "只有带班领导或管理员可以签发研判单"
NO_SITUATION = "尚未接入雨情水情数据（阈值研判引擎未启用），无法生成研判单。"
NO_READINGS = "当前没有雨情水情数据，无法生成研判单。请先接入或导入监测数据。"
_NUMBER = re.compile(r"研判〔(\d{4})〕(\d+)号")


def _table() -> Table:
    return cast(Table, Assessment.__table__)


@dataclass(frozen=True)
class Proposal:
    """What :meth:`AssessmentService.propose` did: ``created`` is False when an open sheet
    for the same crossings existed already (its id is given) or nothing was crossed."""

    sheet_id: str | None
    created: bool
    reason: str = ""


def has_readings(situation: Situation) -> bool:
    """The situation says anything at all (some township or station has data)."""
    return bool(situation.townships or situation.stations)


TEMPLATES_FILE = "assessment_tasks.json"


def load_templates(data_dir: Path) -> tuple[TaskTemplate, ...]:
    """The county's task templates from ``<data_dir>/assessment_tasks.json`` (a JSON list of
    {"level", "text", "condition"}), else the defaults; a file that is not valid is logged
    and the defaults are used."""
    path = drill.config_file(data_dir, TEMPLATES_FILE)
    if not path.is_file():
        return DEFAULT_TASK_TEMPLATES
    try:
        return templates_from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.error("task templates %s not used: %s", path, exc)
        return DEFAULT_TASK_TEMPLATES


class AssessmentService:
    def __init__(
        self,
        writer: Writer,
        *,
        templates: Sequence[TaskTemplate] = DEFAULT_TASK_TEMPLATES,
        clock: Callable[[], datetime] = beijing.now,
    ) -> None:
        self._writer = writer
        self.templates = tuple(templates)
        self._clock = clock

    # -- reads ------------------------------------------------------------------------------
    def sheets(self) -> list[dict[str, Any]]:
        """Every live version, newest first (series by their newest version)."""
        t = _table()
        with self._writer.store.engine.connect() as conn:
            rows = [
                dict(r)
                for r in conn.execute(
                    select(t)
                    .where(t.c.deleted.is_(False))
                    .order_by(t.c.generated_at.desc(), t.c.revision.desc())
                ).mappings()
            ]
        return rows

    def latest_per_series(self) -> list[dict[str, Any]]:
        """The newest version of each sheet, newest sheet first: the list's rows."""
        seen: dict[str, dict[str, Any]] = {}
        for row in self.sheets():
            best = seen.get(row["series_id"])
            if best is None or row["revision"] > best["revision"]:
                seen[row["series_id"]] = row
        return sorted(seen.values(), key=lambda r: (r["period_to"], r["updated_at"]), reverse=True)

    def history(self, series_id: str) -> list[dict[str, Any]]:
        """All versions of one sheet, newest first."""
        t = _table()
        with self._writer.store.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(t)
                    .where(t.c.series_id == series_id, t.c.deleted.is_(False))
                    .order_by(t.c.revision.desc())
                ).mappings()
            ]

    def get(self, sheet_id: str) -> dict[str, Any] | None:
        t = _table()
        with self._writer.store.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.id == sheet_id)).mappings().first()
        return None if row is None or row["deleted"] else dict(row)

    def next_number(self, year: int) -> str:
        """研判〔year〕N号 with N one above the highest of the year (versions share it)."""
        t = _table()
        highest = 0
        with self._writer.store.engine.connect() as conn:
            for (number,) in conn.execute(select(t.c.number).where(t.c.deleted.is_(False))):
                match = _NUMBER.fullmatch(number or "")
                if match is not None and int(match.group(1)) == year:
                    highest = max(highest, int(match.group(2)))
        return sheet_number(year, highest + 1)

    def _is_sample(self, situation: Situation) -> bool:
        """Built on the sample county (its townships are sample records): the sheet is
        marked 样例数据 and never pushed to a county's server."""
        ids = [t.township_id for t in situation.townships]
        if not ids:
            return False
        t = Township.__table__
        assert isinstance(t, Table)
        with self._writer.store.engine.connect() as conn:
            flags = conn.execute(select(t.c.is_sample).where(t.c.id.in_(ids))).scalars().all()
        return bool(flags) and all(flags)

    # -- writes -----------------------------------------------------------------------------
    def generate(
        self,
        situation: Situation,
        *,
        user: str,
        incident_id: str | None = None,
        sheet_id: str | None = None,
    ) -> str:
        """A new draft for ``situation`` (立即生成), whatever exists already; its id."""
        if not has_readings(situation):
            raise MutationRejected("no_readings", NO_READINGS)
        draft = build_sheet(situation, self.templates)
        sheet_id = sheet_id or new_id()
        year = beijing.parse(draft.generated_at).year
        args = {
            "id": sheet_id,
            "number": self.next_number(year),
            **draft.args(),
            "incident_id": incident_id,
            "is_sample": self._is_sample(situation),
        }
        self._writer.apply([("assessment.create", args)], user=user)
        return sheet_id

    def propose(self, situation: Situation, *, user: str) -> Proposal:
        """Propose a draft when thresholds are crossed: one open proposal per crossing set
        (a draft with the same crossings, or one signed within the last 24 h, is kept)."""
        crossings = situation.crossings()
        if not crossings:
            return Proposal(None, False, "未超过阈值")
        key = crossing_text(crossings)
        since = beijing.canonical(
            beijing.from_epoch_ms(situation.at * 1000) - timedelta(hours=LOOKBACK_H)
        )
        for row in self.sheets():
            if row["crossings"] != key:
                continue
            if row["status"] == DRAFT or row["generated_at"] >= since:
                return Proposal(row["id"], False, "已有相同触发条件的研判单")
        day = beijing.from_epoch_ms(situation.at * 1000).date().isoformat()
        sheet_id = proposal_id(key, day)
        if self._ever(sheet_id):  # proposed today already (and discarded, or revised)
            return Proposal(sheet_id, False, "今日已按相同触发条件生成过研判单")
        return Proposal(self.generate(situation, user=user, sheet_id=sheet_id), True)

    def _ever(self, sheet_id: str) -> bool:
        t = _table()
        with self._writer.store.engine.connect() as conn:
            return conn.execute(select(t.c.id).where(t.c.id == sheet_id)).first() is not None

    def edit(
        self,
        sheet_id: str,
        *,
        user: str,
        summary: str | None = None,
        tasks: Sequence[str] | None = None,
        warnings: dict[str, str] | None = None,
        proposed_response: str | None = None,
        title: str | None = None,
    ) -> None:
        """Change a draft: the opinion, the tasks (renumbered), the warning per township
        (township id -> colour), the response level. A signed sheet is refused (revise)."""
        row = self.get(sheet_id)
        if row is None:
            raise MutationRejected("not_found", "研判单不存在")
        fields: dict[str, Any] = {}
        if summary is not None:
            fields["summary"] = summary
        if title is not None:
            fields["title"] = title
        if proposed_response is not None:
            fields["proposed_response"] = proposed_response
        if tasks is not None or warnings is not None:
            content = parse_content(row["content"])
            if tasks is not None:
                content["tasks"] = renumber(tasks)
            if warnings is not None:
                for item in content.get("warnings", []):
                    if item.get("township_id") in warnings:
                        item["level"] = warnings[item["township_id"]]
                levels = [str(w.get("level") or "") for w in content.get("warnings", [])]
                fields["highest_warning"] = _highest(levels)
            fields["content"] = dump_content(content)
        if fields:
            self._apply(row, ("assessment.update", {"id": sheet_id, "fields": fields}), user)

    def sign(self, sheet_id: str, *, user: str, role: str | None) -> None:
        """签发. ``role`` None: a standalone workstation (no accounts), which signs locally;
        a signed-in role that may not sign is refused here already (the server would)."""
        if role is not None and not allowed(role, "assessment.sign"):
            label = ROLE_LABELS.get(role, role)
            raise MutationRejected("forbidden", f"{SIGN_REFUSAL}（当前角色：{label}）")
        at = beijing.canonical(self._clock())
        self._apply(self.get(sheet_id), ("assessment.sign", {"id": sheet_id, "at": at}), user)

    def revise(self, sheet_id: str, *, user: str) -> str:
        """A new draft version of a signed sheet; its id (the signed one stays as it is)."""
        new = new_id()
        call = ("assessment.revise", {"id": new, "previous_id": sheet_id})
        self._apply(self.get(sheet_id), call, user)
        return new

    def discard(self, sheet_id: str, *, user: str) -> None:
        self._apply(self.get(sheet_id), ("assessment.discard", {"id": sheet_id}), user)

    def _apply(self, row: dict[str, Any] | None, call: MutationCall, user: str) -> None:
        """Write one call; the work on a sample sheet stays on this workstation, as the
        sheet itself does (a county's server never holds sample records)."""
        sample = row is not None and bool(row.get("is_sample"))
        self._writer.apply([call], user=user, local_only=sample)


def may_sign(role: str | None) -> bool:
    """The sign button's state: leaders and admins, and a standalone workstation."""
    return role is None or allowed(role, "assessment.sign")


def _highest(levels: Sequence[str]) -> str:
    best = ""
    for level in levels:
        if LEVEL_RANK.get(level, 0) > LEVEL_RANK[best]:
            best = level
    return best
