"""What makes the audit chain evidence: signed anchors and a replay of the audited mutations.

- **Anchor** (``duty-server audit-anchor``): the chain's sequence number and head hash at a
  moment, signed with HMAC-SHA256 under the audit key (:mod:`server.audit_key`, never in the
  database) and stored wherever the operator keeps it, away from the database. Verifying
  against it recomputes the chain from the genesis up to the anchored sequence from the
  entries' content alone: rewriting any entry up to there, even with every later hash
  recomputed, no longer reproduces the signed head; deleting entries leaves the chain short
  of it; a forged or altered anchor fails its signature.
- **Replay** (``verify-audit --replay``): the applied mutations, in audit order, through the
  same shared domain code the server runs (``console.domain.mutations.run_mutation``) with
  the same user, client, hlc and version, into an empty scratch database; its synced tables
  must have the live database's digest. A row changed, added or deleted behind the API's
  back differs, and is named.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.engine import Connection

from console.domain.digest import canonical_rows, table_digest
from console.domain.fields import MutationRejected
from console.domain.mutations import REF_CACHE, MutationContext, forget_refs, run_mutation
from console.domain.schema import SYNCED_MODELS
from server.audit import walk
from server.audit_key import key_id
from server.db import default_sqlite_url, is_sqlite, make_engine, migrate
from server.schema import AuditEntry, ServerState

ANCHOR_FORMAT = "duty-server-audit-anchor/1"
ANCHOR_ALG = "HMAC-SHA256"
_ANCHOR_FIELDS = {
    "format": str,
    "alg": str,
    "key_id": str,
    "seq": int,
    "head": str,
    "at": str,
    "signature": str,
}
# Records named per differing table; the count is always given.
MAX_NAMED_RECORDS = 20


class AnchorFormatError(ValueError):
    """Not an anchor this server writes (English message)."""


def _snapshot(engine: Engine) -> Connection:
    """A read-only connection seeing one snapshot (no write lock on SQLite)."""
    opts: dict[str, Any] = {"sqlite_begin": "DEFERRED"}
    if not is_sqlite(engine):
        opts = {"isolation_level": "REPEATABLE READ"}
    return engine.connect().execution_options(**opts)


def _signature(doc: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in doc.items() if k != "signature"}
    message = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def make_anchor(
    engine: Engine, key: bytes, now: datetime | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """A signed anchor of the current head, or (None, problems) when the chain in the
    database is already broken: signing a tampered chain would vouch for it."""
    with _snapshot(engine) as conn, conn.begin():
        seq, head = conn.execute(select(ServerState.audit_seq, ServerState.audit_head)).one()
        found = walk(conn, upto=int(seq))
    problems = list(found.problems)
    if found.last_seq != seq:
        problems.append(f"chain ends at {found.last_seq} but the head says {seq}")
    elif found.recomputed != head:
        problems.append("the recorded head is not what the entries hash to")
    if problems:
        return None, problems
    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    doc: dict[str, Any] = {
        "format": ANCHOR_FORMAT,
        "alg": ANCHOR_ALG,
        "key_id": key_id(key),
        "seq": int(seq),
        "head": str(head),
        "at": at,
    }
    doc["signature"] = _signature(doc, key)
    return doc, []


def parse_anchor(text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except ValueError:
        raise AnchorFormatError("not JSON") from None
    if not isinstance(doc, dict):
        raise AnchorFormatError("not a JSON object")
    for name, kind in _ANCHOR_FIELDS.items():
        value = doc.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise AnchorFormatError(f"field {name!r} missing or not a {kind.__name__}")
    if doc["format"] != ANCHOR_FORMAT or doc["alg"] != ANCHOR_ALG:
        raise AnchorFormatError(f"unknown format or algorithm ({doc['format']}, {doc['alg']})")
    if set(doc) != set(_ANCHOR_FIELDS):
        raise AnchorFormatError(f"unexpected fields {sorted(set(doc) - set(_ANCHOR_FIELDS))}")
    return doc


def check_anchor(engine: Engine, doc: dict[str, Any], key: bytes) -> list[str]:
    """Problems proving that the audit changed before the anchor (empty: unchanged)."""
    label = f"anchor of entry {doc['seq']} ({doc['at']})"
    if not hmac.compare_digest(_signature(doc, key), doc["signature"]):
        if doc["key_id"] != key_id(key):
            return [f"{label}: signature invalid: forged, or signed with another audit key"]
        return [f"{label}: signature invalid: the anchor was forged or altered"]
    seq = int(doc["seq"])
    with _snapshot(engine) as conn, conn.begin():
        found = walk(conn, upto=seq)
    problems = [f"{label}: {p}" for p in found.problems]
    if found.last_seq < seq:
        problems.append(
            f"{label}: the chain holds only {found.last_seq} of the {seq} anchored entries "
            "(entries deleted)"
        )
    elif found.recomputed != doc["head"]:
        problems.append(
            f"{label}: entries 1..{seq} no longer hash to the signed head: "
            "an entry was rewritten (and the chain recomputed)"
        )
    return problems


# ------------------------------------------------------------------------------ replay


@dataclass
class ReplayReport:
    problems: list[str] = field(default_factory=list)
    replayed: int = 0
    digest: str = ""  # the replayed tables' digest when they match
    impossible: str = ""  # why this log cannot be replayed (nothing was checked)


def replay(engine: Engine) -> ReplayReport:
    """Replay the applied audited mutations into a scratch SQLite database and compare its
    synced tables with the live ones (both read from one snapshot of the live database)."""
    with _snapshot(engine) as live, live.begin():
        entries = live.execute(
            select(
                AuditEntry.seq,
                AuditEntry.name,
                AuditEntry.args,
                AuditEntry.username,
                AuditEntry.client_id,
                AuditEntry.hlc,
                AuditEntry.version,
            )
            .where(AuditEntry.result.like("applied%"))
            .order_by(AuditEntry.seq)
        ).all()
        legacy = [int(e.seq) for e in entries if e.hlc is None or e.version is None]
        if legacy:
            return ReplayReport(
                impossible=f"{len(legacy)} applied entries (the first is entry {legacy[0]}) "
                "predate the recording of hlc and version (server migration 0009): "
                "this audit log cannot be replayed"
            )
        with tempfile.TemporaryDirectory(prefix="duty-audit-replay-") as tmp:
            scratch = make_engine(default_sqlite_url(Path(tmp)))
            try:
                migrate(scratch)
                report = ReplayReport(replayed=len(entries))
                report.problems += _apply(scratch, entries)
                with scratch.connect() as sc:
                    report.problems += _compare(live, sc)
                    if not report.problems:
                        from console.domain.digest import database_digest

                        report.digest = database_digest(sc)[0]
            finally:
                scratch.dispose()
    return report


def _apply(scratch: Engine, entries: Sequence[Any]) -> list[str]:
    problems: list[str] = []
    with scratch.begin() as conn:
        conn.info[REF_CACHE] = set()  # as a push has: same lookups, same results
        for e in entries:
            ctx = MutationContext(
                user=e.username, client_id=e.client_id, hlc=e.hlc, version=int(e.version)
            )
            savepoint = conn.begin_nested()
            try:
                run_mutation(conn, e.name, json.loads(e.args), ctx)
            except MutationRejected as exc:
                reason = exc.code
            except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
                reason = type(exc).__name__
            else:
                savepoint.commit()
                continue
            forget_refs(conn)
            savepoint.rollback()
            problems.append(
                f"entry {e.seq} ({e.name[:64]}): applied on the server but refused on replay "
                f"({reason}): the audit or the data before it was altered"
            )
    return problems


def _compare(live: Connection, scratch: Connection) -> list[str]:
    problems: list[str] = []
    for model in SYNCED_MODELS:
        table = model.__table__
        assert isinstance(table, Table)
        if table_digest(live, table) == table_digest(scratch, table):
            continue
        columns = [c.name for c in table.columns]
        actual = dict(canonical_rows(live, table))
        audited = dict(canonical_rows(scratch, table))
        lines: list[str] = []
        for record_id in sorted(actual.keys() | audited.keys()):
            if record_id not in audited:
                lines.append(f"{table.name} {record_id}: not produced by any audited mutation")
            elif record_id not in actual:
                lines.append(f"{table.name} {record_id}: missing (deleted outside the API)")
            elif actual[record_id] != audited[record_id]:
                changed = [
                    name
                    for name, mine, theirs in zip(
                        columns, actual[record_id], audited[record_id], strict=True
                    )
                    if mine != theirs
                ]
                lines.append(
                    f"{table.name} {record_id}: differs from the audit in {', '.join(changed)}"
                )
        problems.append(f"table {table.name}: {len(lines)} record(s) differ from the audit")
        problems += lines[:MAX_NAMED_RECORDS]
        if len(lines) > MAX_NAMED_RECORDS:
            problems.append(f"... and {len(lines) - MAX_NAMED_RECORDS} more in {table.name}")
    return problems
