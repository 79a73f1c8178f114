"""The 预案 library (issue 13): the county's plans with their documents.

A plan's document (.docx / .pdf) is copied into the workstation's plans folder
(``<data_dir>/plans``) under a name carrying its digest, and opened from there with the
system viewer (by the page). The text of a .docx is extracted (python-docx) into the plan's
``body_text``, which syncs, so every workstation's search finds a plan by its content even
where the file is not present. Files themselves are not synced yet: a workstation without
the file says so. Qt-free.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, column, select, text

from console.domain import beijing
from console.domain.ids import new_id
from console.domain.schema import ENTITY_FIELDS, Incident, Plan
from console.store.database import Store
from console.store.search import match_query
from console.store.writer import Writer

PLANS_FOLDER = "plans"
DOCUMENT_SUFFIXES = (".docx", ".pdf")
OVERDUE = "已过修订期"
BODY_MAX = ENTITY_FIELDS["plans"]["body_text"].max_len or 200_000
NAME_MAX = ENTITY_FIELDS["plans"]["document"].max_len or 200
# The list's columns (without the long text).
LIST_KEYS = (
    "title",
    "kind",
    "level",
    "owner",
    "plan_version",
    "issued_on",
    "revise_by",
    "category",
    "subtype",
    "summary",
    "document",
    "document_sha256",
    "is_sample",
)
KIND_ORDER = {"专项预案": 0, "总体预案": 1, "部门预案": 2, "乡镇预案": 3}


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


class PlanError(Exception):
    """A refusal of the plan library, in Chinese."""


def extract_text(path: Path) -> str:
    """The text of a .docx (paragraphs, then table cells), "" for other files (a .pdf's
    text is not extracted: no PDF reader is bundled)."""
    if path.suffix.lower() != ".docx":
        return ""
    from docx import Document

    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)[:BODY_MAX]


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store_document(data_dir: Path, source: Path) -> tuple[str, str]:
    """Copy a plan's document into the plans folder; (stored name, sha256). The name
    begins with the digest, so two versions of one file never overwrite each other."""
    if source.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise PlanError("预案文件只能是 .docx 或 .pdf")
    if not source.is_file():
        raise PlanError(f"找不到文件：{source.name}")
    sha = _digest(source)
    safe = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", source.name)
    name = f"{sha[:12]}_{safe}"[:NAME_MAX]
    folder = data_dir / PLANS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.is_file():
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return name, sha


def document_path(data_dir: Path, plan: Mapping[str, Any]) -> Path | None:
    """The plan's document on this workstation, or None when it has none or it is absent."""
    name = plan.get("document") or ""
    if not name:
        return None
    path = data_dir / PLANS_FOLDER / name
    return path if path.is_file() else None


def overdue(plan: Mapping[str, Any], today: date) -> bool:
    """Past its revision date (修订期限): the plan must be revised."""
    revise = plan.get("revise_by")
    return bool(revise) and str(revise) < today.isoformat()


def search_plans(
    store: Store, query: str = "", kind: str = "", today: date | None = None
) -> list[dict[str, Any]]:
    """Live plans matching the words (bigram index over the title, owner, summary and the
    document's text) and kind, 专项预案 first; each with ``overdue``."""
    t = _table(Plan)
    rowid = column("rowid", Integer)
    stmt = select(t.c.id, *(t.c[k] for k in LIST_KEYS)).where(t.c.deleted.is_(False))
    if kind:
        stmt = stmt.where(t.c.kind == kind)
    match = match_query(query) if query.strip() else None
    if query.strip() and match is None:
        return []
    if match:
        stmt = stmt.where(
            rowid.in_(
                select(column("rowid"))
                .select_from(text("plan_search"))
                .where(text("plan_search MATCH :q").bindparams(q=match))
            )
        )
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    day = today or beijing.now().date()
    for row in rows:
        row["overdue"] = overdue(row, day)
    rows.sort(key=lambda r: (KIND_ORDER.get(r["kind"], 9), r["title"]))
    return rows


def plans_for(plans: list[dict[str, Any]], category: str, subtype: str) -> list[dict[str, Any]]:
    """The plans an incident of this type is answered by: the same category, and the same
    subtype or none (a plan for the whole category); 专项预案 first."""
    return [
        p
        for p in plans
        if p["category"] == category and (not p["subtype"] or p["subtype"] == subtype)
    ]


def plans_for_incident(
    store: Store, incident_id: str, today: date | None = None
) -> list[dict[str, Any]]:
    t = _table(Incident)
    with store.engine.connect() as conn:
        row = conn.execute(select(t.c.category, t.c.subtype).where(t.c.id == incident_id)).first()
    if row is None:
        return []
    return plans_for(search_plans(store, today=today), row.category, row.subtype or "")


class PlanService:
    """Writes of the plan library: each ONE plan.upsert."""

    def __init__(self, writer: Writer, data_dir: Path) -> None:
        self._writer = writer
        self._data_dir = data_dir

    def save(
        self,
        fields: Mapping[str, Any],
        *,
        user: str,
        plan_id: str | None = None,
        document: Path | None = None,
    ) -> str:
        """Add a plan (``plan_id`` None) or change one; with ``document``, the file is stored
        in the plans folder and its text indexed. Returns the plan's id."""
        args: dict[str, Any] = {"id": plan_id or new_id(), **fields}
        if document is not None:
            name, sha = store_document(self._data_dir, document)
            args.update(document=name, document_sha256=sha, body_text=extract_text(document))
        self._writer.apply([("plan.upsert", args)], user=user)
        return str(args["id"])
