"""The 预案 library (issue 13): the county's plans with their documents.

A plan's document (.docx / .pdf) is copied into the workstation's file cache under its
digest (console/store/blobs.py), uploaded to the server by sync like a case attachment, and
opened with the system viewer (by the page); a workstation without it downloads it when it
is opened. The text of a .docx (python-docx) or a .pdf (pypdf) is extracted into the plan's
``body_text``, which syncs, so every workstation's search finds a plan by its content. A
file whose text cannot be read (an encrypted or broken PDF, a scan) is still kept; the save
says why it is not searchable. Qt-free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, column, select, text

from console.domain import beijing
from console.domain.files import is_digest
from console.domain.ids import new_id
from console.domain.schema import ENTITY_FIELDS, Incident, Plan
from console.services.files import Fetch, FileError, ensure_local
from console.store.blobs import BlobCache
from console.store.database import Store
from console.store.search import match_query
from console.store.writer import Writer

PLANS_FOLDER = "plans"
DOCUMENT_SUFFIXES = (".docx", ".pdf")
OVERDUE = "已过修订期"
UNINDEXED = "正文未能提取"
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


@dataclass(frozen=True)
class DocumentText:
    """A document's text, and ``note`` (Chinese) when none could be read."""

    text: str
    note: str = ""


UNREADABLE_PDF = "PDF 文件已损坏或无法读取，未能提取正文（文件已保存，但不能按正文搜索）"
ENCRYPTED_PDF = "PDF 文件已加密，未能提取正文（文件已保存，但不能按正文搜索）"
UNREADABLE_DOCX = "Word 文件已损坏或无法读取，未能提取正文（文件已保存，但不能按正文搜索）"
NO_TEXT_PDF = "PDF 中没有可提取的文字（可能是扫描件；文件已保存，但不能按正文搜索）"


def _docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _pdf_text(path: Path) -> DocumentText:
    from pypdf import PdfReader

    # pypdf raises many kinds of errors on damaged files (its own, ValueError, KeyError,
    # struct errors...): whatever it raises, the plan is saved without the text.
    encrypted = False
    try:
        reader = PdfReader(str(path))
        encrypted = reader.is_encrypted
        if encrypted and not reader.decrypt(""):  # "" opens owner-password-only locks
            return DocumentText("", ENCRYPTED_PDF)
        parts: list[str] = []
        size = 0
        for page in reader.pages:
            part = page.extract_text() or ""
            parts.append(part)
            size += len(part)
            if size >= BODY_MAX:
                break
    except Exception:  # see above: never the save's failure
        return DocumentText("", ENCRYPTED_PDF if encrypted else UNREADABLE_PDF)
    text = "\n".join(p.strip() for p in parts if p.strip())
    return DocumentText(text, "" if text else NO_TEXT_PDF)


def read_document(path: Path) -> DocumentText:
    """The text of a .docx (paragraphs, then table cells) or a .pdf (page by page); "" with
    a note when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        found = _pdf_text(path)
        return DocumentText(found.text[:BODY_MAX], found.note)
    if suffix != ".docx":
        return DocumentText("")
    try:
        return DocumentText(_docx_text(path)[:BODY_MAX])
    except Exception:  # a damaged .docx is kept as a damaged PDF is
        return DocumentText("", UNREADABLE_DOCX)


def extract_text(path: Path) -> str:
    """The document's text ("" when it has none or cannot be read)."""
    return read_document(path).text


def store_document(data_dir: Path, source: Path) -> tuple[str, str]:
    """Copy a plan's document into the file cache (console/store/blobs.py, under its
    digest: two versions never overwrite each other); (its name, sha256). Sync uploads it,
    so another workstation opens it too."""
    if source.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise PlanError("预案文件只能是 .docx 或 .pdf")
    if not source.is_file():
        raise PlanError(f"找不到文件：{source.name}")
    sha, _size = BlobCache(data_dir).add_file(source)
    name = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", source.name)[:NAME_MAX]
    return name, sha


def document_path(data_dir: Path, plan: Mapping[str, Any]) -> Path | None:
    """The plan's document on this workstation, or None when it has none or it is absent
    (then :func:`fetch_document` brings it from the server)."""
    name = str(plan.get("document") or "")
    if not name:
        return None
    cache, sha = BlobCache(data_dir), str(plan.get("document_sha256") or "")
    if cache.has(sha):
        return cache.named(sha, name)
    # Attached before the file store: "<digest prefix>_<name>" in the plans folder.
    legacy = data_dir / PLANS_FOLDER / name
    return legacy if legacy.is_file() else None


def fetch_document(data_dir: Path, plan: Mapping[str, Any], fetch: Fetch | None) -> Path:
    """The plan's document here, downloaded from the server first if need be; FileError
    (Chinese) when it cannot be had."""
    found = document_path(data_dir, plan)
    if found is not None:
        return found
    sha = str(plan.get("document_sha256") or "")
    if not plan.get("document") or not is_digest(sha):
        raise FileError("该预案未附文件")
    cache = BlobCache(data_dir)
    ensure_local(cache, sha, fetch)
    return cache.named(sha, str(plan["document"]))


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
    indexed = (t.c.body_text != "").label("indexed")  # the text is searchable
    stmt = select(t.c.id, *(t.c[k] for k in LIST_KEYS), indexed).where(t.c.deleted.is_(False))
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
        row["indexed"] = bool(row["indexed"])
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
        return self.save_noted(fields, user=user, plan_id=plan_id, document=document)[0]

    def save_noted(
        self,
        fields: Mapping[str, Any],
        *,
        user: str,
        plan_id: str | None = None,
        document: Path | None = None,
    ) -> tuple[str, str]:
        """:meth:`save`, with the note (Chinese, "" when none) on a document whose text could
        not be read: the plan and its file are saved all the same."""
        args: dict[str, Any] = {"id": plan_id or new_id(), **fields}
        note = ""
        if document is not None:
            name, sha = store_document(self._data_dir, document)
            found = read_document(document)
            note = found.note
            args.update(document=name, document_sha256=sha, body_text=found.text)
        self._writer.apply([("plan.upsert", args)], user=user)
        return str(args["id"]), note
