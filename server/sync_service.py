"""Push and pull, as ARCHITECTURE.md specifies; no HTTP here, so tests can drive it directly.

Push: one transaction per request holding the server_state row lock (the single serialised
global sequence); each mutation runs in a savepoint so a business rejection is recorded as a
result without blocking the queue; a mutation id at or below the client's last is answered
from the stored result (idempotent replay); one above last+1 is a gap: nothing is applied.
The reply is built only after commit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, update
from sqlalchemy.engine import Connection, NestedTransaction
from sqlalchemy.exc import DBAPIError, OperationalError

from console.domain import roles
from console.domain.fields import (
    CLIENT_ID,
    MUTATION_NAME,
    MUTATION_NAME_MAX_LEN,
    MutationRejected,
    check_value,
)
from console.domain.ids import is_uuid
from console.domain.mutations import (
    REF_CACHE,
    REGISTRY,
    SCHEMA_VERSION,
    MutationContext,
    forget_refs,
    run_mutation,
)
from console.domain.sample import sample_marked
from console.domain.schema import SYNCED_MODELS
from server import audit, readings_phoned
from server.auth import Principal
from server.db import is_sqlite, snapshot
from server.notify import notify_in_transaction
from server.schema import PushResult, ServerState, SyncClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushedMutation:
    mutation_id: int
    name: str
    args: dict[str, Any]
    hlc: str
    schema_version: int


@dataclass(frozen=True)
class MutationResult:
    mutation_id: int
    status: str  # applied | rejected
    code: str = ""
    message: str = ""
    version: int | None = None
    detail: str = ""  # JSON: the conflicting fields of an applied update


class PushError(Exception):
    """Refuses the whole push: ``status`` is the HTTP status, ``message`` Chinese."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _lock_state(conn: Connection) -> tuple[int, int, str, bool]:
    stmt = select(
        ServerState.version, ServerState.audit_seq, ServerState.audit_head, ServerState.demo
    )
    if not is_sqlite(conn.engine):
        stmt = stmt.with_for_update()
    version, audit_seq, head, demo = conn.execute(stmt.where(ServerState.id == 1)).one()
    return int(version), int(audit_seq), str(head), bool(demo)


# A workstation's client key: 32 random bytes, sent as 64 lowercase hex digits.
_CLIENT_KEY = re.compile(r"[0-9a-f]{64}")


def client_key_hash(key: str) -> str:
    """What the server keeps of a client key (the key itself never reaches the database:
    a copy of it does not let anyone push as the workstation)."""
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def _check_client_key(key: str | None) -> None:
    if key is not None and not _CLIENT_KEY.fullmatch(key):
        raise PushError(400, "bad_client_key", "工作站密钥格式无效（应为 64 位小写十六进制）")


def _authorize(
    who: Principal, registrant: str, stored_hash: str | None, key: str | None, verb: str
) -> bool:
    """May ``who``, presenting ``key``, use this registered client id? Raises the 403;
    returns True when the key is to be adopted (a keyless row, its registrant presenting one).

    A client with a key hash is the workstation holding the key, whichever account is signed
    in on it (a shift handover on a shared workstation); nobody else, whatever their role.
    A client without one (registered before keys, or by a workstation too old to send one)
    stays bound to the account that registered it, as before keys."""
    if stored_hash is not None:
        if key is None or not hmac.compare_digest(stored_hash, client_key_hash(key)):
            raise PushError(
                403,
                "foreign_client",
                f"工作站密钥不符：该工作站编号属于其他工作站或其他账号，拒绝{verb}",
            )
        return False
    if registrant != who.username:
        raise PushError(403, "foreign_client", f"该工作站编号属于其他账号，拒绝{verb}")
    return key is not None


def push(
    engine: Engine,
    who: Principal,
    client_id: str,
    mutations: list[PushedMutation],
    cursor: str | None = None,
    client_key: str | None = None,
) -> tuple[int, list[MutationResult]]:
    """Apply a push; returns (client's last_mutation_id, one result per mutation).

    ``cursor``: the workstation's pull cursor, when it sends it; a gap from a workstation of
    the current epoch (or one that does not say) means this server lost acknowledged work:
    see :func:`restored_sign`.

    ``client_key``: the workstation's key (:func:`_authorize`); mutations are attributed to
    ``who``, the pushing account, whoever wrote them on the workstation."""
    if who.role == roles.READONLY:
        raise PushError(403, "readonly", "只读账号不能提交修改")
    _check_client_id(client_id)
    _check_client_key(client_key)
    try:
        with engine.begin() as conn:
            conn.info[REF_CACHE] = set()  # this push's reference lookups (see mutations)
            try:
                return _push_locked(conn, who, client_id, mutations, client_key)
            finally:
                conn.info.pop(REF_CACHE, None)
    except PushError as exc:
        if exc.code == "gap":
            try:
                seen, _ = parse_cursor(cursor)
            except ValueError:
                seen = None
            why = (
                f"workstation {client_id} ({who.username}) pushed mutation "
                f"{exc.extra.get('received', '?')} while this server holds only up to "
                f"{exc.extra['last_mutation_id']}"
            )
            if restored_sign(engine, seen, why):
                exc.extra["notice"] = RESTORED_NOTICE
        raise


# What a workstation shows when the server found it had lost acknowledged work, and when a
# pull resets for a new epoch (an admin's ``duty-server new-epoch`` or the server's own).
RESTORED_NOTICE = (
    "服务器的数据比本工作站已确认的还旧（很可能是从备份恢复后未执行 duty-server new-epoch）。"
    "服务器已自动开始新的同步周期：本机数据按服务器重新载入，服务器缺少的本机修改自动重新提交。"
    "请通知系统管理员核对备份恢复情况。"
)
RESET_NOTICE = (
    "服务器开始了新的同步周期（例如从备份恢复）：本机数据已按服务器重新载入，"
    "服务器缺少的本机修改会自动重新提交。"
)


def restored_sign(engine: Engine, seen_epoch: str | None, why: str) -> bool:
    """A workstation holds more than this server acknowledged to it: the server was restored
    from a backup (or its database replaced) and nobody ran ``duty-server new-epoch``.

    Left alone, workstations whose cursors newer pushes have overtaken would pull on from
    there and stay short of records while every sync looks quiet. So the server starts a new
    epoch itself (every workstation reloads on its next pull and re-pushes what was lost) and
    says so loudly. Not when the workstation is of an older epoch (``seen_epoch`` differs):
    it resets on its next pull anyway, and one restore must not cost a reload per
    workstation. Nor more than once per AUTO_EPOCH_INTERVAL_S: the signs come from
    workstations, and a stolen account must not make every workstation reload at will (the
    caller alone then resets). True when a new epoch was started."""
    global _last_auto_epoch
    with _auto_epoch_lock:
        now = time.monotonic()
        if _last_auto_epoch is not None and now - _last_auto_epoch < auto_epoch_interval_s():
            log.error(
                "SERVER DATA IS OLDER THAN A WORKSTATION'S again: %s. A new epoch was started "
                "%.0f s ago; not another one (this workstation reloads alone).",
                why,
                now - _last_auto_epoch,
            )
            return False
        started = _start_epoch(engine, seen_epoch, why)
        if started:
            _last_auto_epoch = now
        return started


AUTO_EPOCH_INTERVAL_S = 600.0
_auto_epoch_lock = threading.Lock()
_last_auto_epoch: float | None = None


def auto_epoch_interval_s() -> float:
    """$DUTY_SERVER_AUTO_EPOCH_INTERVAL_S or :data:`AUTO_EPOCH_INTERVAL_S`."""
    try:
        return max(0.0, float(os.environ.get("DUTY_SERVER_AUTO_EPOCH_INTERVAL_S", "")))
    except ValueError:
        return AUTO_EPOCH_INTERVAL_S


def _start_epoch(engine: Engine, seen_epoch: str | None, why: str) -> bool:
    with engine.begin() as conn:
        stmt = select(ServerState.epoch).where(ServerState.id == 1)
        if not is_sqlite(engine):
            stmt = stmt.with_for_update()
        current = str(conn.execute(stmt).scalar_one())
        if seen_epoch is not None and seen_epoch != current:
            return False
        epoch = str(uuid.uuid4())
        conn.execute(update(ServerState).where(ServerState.id == 1).values(epoch=epoch))
    log.error(
        "SERVER DATA IS OLDER THAN A WORKSTATION'S: %s. Restored from a backup without "
        "`duty-server new-epoch`? Started new epoch %s automatically (was %s): every "
        "workstation reloads on its next pull and re-pushes what this server lost. Check the "
        "restore.",
        why,
        epoch,
        current,
    )
    return True


def _push_locked(
    conn: Connection,
    who: Principal,
    client_id: str,
    mutations: list[PushedMutation],
    client_key: str | None = None,
) -> tuple[int, list[MutationResult]]:
    version, audit_seq, head, demo = _lock_state(conn)
    client = conn.execute(
        select(SyncClient.username, SyncClient.key_hash, SyncClient.last_mutation_id).where(
            SyncClient.client_id == client_id
        )
    ).first()
    client_values: dict[str, Any] = {}
    if client is None:
        # Registered to the pushing account (its quota), bound to the key it presents.
        _check_client_quota(conn, who.username)
        conn.execute(
            insert(SyncClient).values(
                client_id=client_id,
                username=who.username,
                key_hash=client_key_hash(client_key) if client_key is not None else None,
                last_mutation_id=0,
                last_seen=_now(),
            )
        )
        last = 0
    else:
        if _authorize(who, client[0], client[1], client_key, "提交"):
            client_values["key_hash"] = client_key_hash(client_key or "")
            log.info("client %s adopted its workstation key (%s)", client_id, who.username)
        last = int(client[2])
    committed = last  # what the database holds if this push is refused
    # Which mutations are new is known before running any: a gap refuses the whole push
    # (nothing is committed), wherever in the batch it is.
    ids: list[int] = []
    todo: list[PushedMutation] = []
    for m in mutations:
        ids.append(m.mutation_id)
        if m.mutation_id <= last:
            continue  # a replay: answered from the stored result below
        if m.mutation_id != last + 1:
            raise PushError(
                409,
                "gap",
                f"操作编号不连续：期望 {last + 1}，收到 {m.mutation_id}",
                # The whole push rolls back, earlier mutations of this batch included:
                # report the committed point, or the client would drop unapplied work.
                last_mutation_id=committed,
                received=m.mutation_id,
            )
        todo.append(m)
        last = m.mutation_id
    # Audit entries and stored results are written once, after the loop, in multi-row
    # statements (same transaction, so nothing changes for a reader): per-mutation
    # inserts cost more than the mutations themselves (bench/sync_push.py).
    records: list[audit.AuditRecord] = []
    fresh: dict[int, MutationResult] = {}
    for start in range(0, len(todo), _GROUP):
        group = todo[start : start + _GROUP]
        for m, result in zip(
            group, _apply_group(conn, who, client_id, group, version, demo), strict=True
        ):
            if result.status == "applied":
                version += 1
            records.append(
                audit.AuditRecord(
                    at=_now(),
                    username=who.username,
                    client_id=client_id,
                    mutation_id=m.mutation_id,
                    name=_audit_name(m.name),
                    # ASCII escapes when the text holds what a database cannot store
                    args=json.dumps(m.args, ensure_ascii=not _storable(m), separators=(",", ":")),
                    result=result.status if not result.code else f"{result.status}:{result.code}",
                    # what a replay of the audit needs (server.audit_proof)
                    hlc=m.hlc if result.status == "applied" else None,
                    version=result.version if result.status == "applied" else None,
                )
            )
            fresh[m.mutation_id] = result
    results = [fresh.get(i) or _stored_result(conn, client_id, i) for i in ids]
    audit_seq, head = audit.append_batch(conn, audit_seq, head, records)
    if fresh:
        conn.execute(
            _INSERT_RESULT,
            # code: String(40); every code is a constant, cut anyway rather than fail a push
            [{"client_id": client_id, **asdict(r), "code": r.code[:40]} for r in fresh.values()],
        )
    conn.execute(update(ServerState).where(ServerState.id == 1).values(version=version))
    notify_in_transaction(conn, version)
    conn.execute(
        update(SyncClient)
        .where(SyncClient.client_id == client_id)
        .values(last_mutation_id=last, last_seen=_now(), **client_values)
    )
    return last, results


def last_mutation_id(engine: Engine, client_id: str) -> int:
    """The last mutation id the server applied for ``client_id`` (0 for a new one): where
    the server's own pushers (seed, acknowledgement links) continue."""
    with engine.connect() as conn:
        last = conn.execute(
            select(SyncClient.last_mutation_id).where(SyncClient.client_id == client_id)
        ).scalar()
    return int(last or 0)


def _check_client_id(client_id: str) -> None:
    """Held to its column and its one canonical spelling before any statement."""
    try:
        check_value("client_id", CLIENT_ID, client_id)
    except MutationRejected as exc:
        raise PushError(400, "bad_client_id", exc.message) from None
    if not is_uuid(client_id):
        raise PushError(400, "bad_client_id", "工作站编号应为小写的 UUID")


def max_clients_per_user() -> int:
    """Workstation ids one account may register ($DUTY_SERVER_MAX_CLIENTS_PER_USER)."""
    try:
        return max(1, int(os.environ.get("DUTY_SERVER_MAX_CLIENTS_PER_USER", "")))
    except ValueError:
        return MAX_CLIENTS_PER_USER


MAX_CLIENTS_PER_USER = 50


def _check_client_quota(conn: Connection, username: str) -> None:
    """A stolen or buggy account cannot fill the server with client ids (each a row, and
    results kept for ever): a new one beyond the limit is refused."""
    limit = max_clients_per_user()
    count = conn.execute(
        select(func.count()).select_from(SyncClient).where(SyncClient.username == username)
    ).scalar_one()
    if int(count) >= limit:
        raise PushError(
            429,
            "too_many_clients",
            f"该账号登记的工作站已达上限（{limit} 台），请联系管理员清理不再使用的工作站",
        )


_INSERT_RESULT = insert(PushResult)
# Mutations run under ONE savepoint per group of this many; see _apply_group.
_GROUP = 50


def _undo(conn: Connection, savepoint: NestedTransaction | _GroupSavepoint) -> None:
    """Roll a mutation back; what the reference cache learnt inside it may be gone too."""
    forget_refs(conn)
    savepoint.rollback()


class _NeedsIsolation(Exception):
    """A mutation inside an optimistic group must be undone on its own."""


class _GroupSavepoint:
    """Stands in for a mutation's own savepoint inside an optimistic group: nothing to do on
    success; a rollback means the group must run again with a savepoint per mutation."""

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        raise _NeedsIsolation


def _apply_group(
    conn: Connection,
    who: Principal,
    client_id: str,
    group: list[PushedMutation],
    version: int,
    demo: bool = False,
) -> list[MutationResult]:
    """Run ``group`` in order, numbering applied changes from ``version + 1``.

    Optimistic: one savepoint around the whole group (a SAVEPOINT and a RELEASE are two
    round trips per mutation otherwise, a third of a typical mutation's statements on
    PostgreSQL). If any mutation needs its changes undone (rejected after writing, bad
    arguments...), the group is rolled back and run again, each mutation in its own
    savepoint as before; mutations are deterministic, so the outcome is the same.
    """
    if len(group) > 1:
        shared = conn.begin_nested()
        results: list[MutationResult] = []
        at = version
        try:
            for m in group:
                result = _apply_one(conn, who, client_id, m, at + 1, isolated=False, demo=demo)
                if result.status == "applied":
                    at += 1
                results.append(result)
        except _NeedsIsolation:
            shared.rollback()
            forget_refs(conn)
        else:
            shared.commit()
            return results
    results = []
    for m in group:
        result = _apply_one(conn, who, client_id, m, version + 1, demo=demo)
        if result.status == "applied":
            version += 1
        results.append(result)
    return results


def _stored_result(conn: Connection, client_id: str, mutation_id: int) -> MutationResult:
    row = conn.execute(
        select(
            PushResult.status,
            PushResult.code,
            PushResult.message,
            PushResult.version,
            PushResult.detail,
        ).where(PushResult.client_id == client_id, PushResult.mutation_id == mutation_id)
    ).first()
    if row is None:  # acknowledged before results were kept (cannot happen on a fresh db)
        return MutationResult(mutation_id, "applied")
    return MutationResult(mutation_id, row[0], row[1], row[2], row[3], row[4])


def _apply_one(
    conn: Connection,
    who: Principal,
    client_id: str,
    m: PushedMutation,
    version: int,
    isolated: bool = True,
    demo: bool = False,
) -> MutationResult:
    if m.schema_version > SCHEMA_VERSION:
        return MutationResult(
            m.mutation_id,
            "rejected",
            "schema_too_new",
            "该操作由更新版本的值班台记录，服务器需要升级",
        )
    try:
        check_value("name", MUTATION_NAME, m.name)
    except MutationRejected as exc:
        return MutationResult(m.mutation_id, "rejected", "unknown_mutation", exc.message)
    if not _storable(m):
        return MutationResult(
            m.mutation_id,
            "rejected",
            "bad_text",
            "操作含有无法保存的字符（NUL 或不成对的代理字符）",
        )
    if sample_marked(m.args) and not demo:
        # Whatever the account: the fake county must never reach a real county's server
        # (and from it every workstation). Only ``duty-server load-sample`` makes a demo.
        return MutationResult(
            m.mutation_id,
            "rejected",
            "sample_refused",
            "本服务器不是演示服务器，拒绝样例数据（样例数据只留在本机）",
        )
    if m.name not in REGISTRY:
        # Before the role check, which fails closed on unknown names: "unknown" is the true
        # reason (typically a newer workstation) and tells the officer what to do.
        return MutationResult(
            m.mutation_id, "rejected", "unknown_mutation", f"未知的操作类型：{m.name[:60]}"
        )
    # The role is checked on what the mutation CHANGES: an identical re-create of reference
    # data (the sample county, default rules loaded on any workstation) is a no-op that any
    # editing role may send and that must not show up as a rejection.
    permitted = roles.allowed(who.role, m.name)
    conflicts: list[dict[str, Any]] = []
    ctx = MutationContext(
        user=who.username,
        client_id=client_id,
        hlc=m.hlc,
        version=version,
        on_conflict=conflicts.extend,
        role=who.role,
    )
    savepoint: NestedTransaction | _GroupSavepoint = (
        conn.begin_nested() if isolated else _GroupSavepoint()
    )
    try:
        changed = run_mutation(conn, m.name, m.args, ctx)
        if changed and not permitted:
            _undo(conn, savepoint)
            return _forbidden(m, who)
        if changed and m.name == readings_phoned.MUTATION:
            readings_phoned.ingest_reported(conn, m.args)
    except MutationRejected as exc:
        if not permitted:  # say "not allowed" rather than reveal why it would fail
            _undo(conn, savepoint)
            return _forbidden(m, who)
        _undo(conn, savepoint)
        return MutationResult(m.mutation_id, "rejected", exc.code, exc.message)
    except DBAPIError as exc:
        if exc.connection_invalidated or isinstance(exc, OperationalError):
            # The link or the server failed (lost connection, lock timeout, serialisation):
            # nothing wrong with the mutation, so the push fails and is retried unchanged.
            raise
        # The database refused a value that validation let through (a constraint or a
        # trigger it does not know of): a 500 here would fail every retry of this
        # workstation's queue, so this one mutation is rejected (kept, shown on 同步状态).
        # Logged without the values (hide_parameters on the engine): they may be personal.
        _undo(conn, savepoint)
        log.error(
            "database refused mutation %s #%s of %s: %s",
            m.name[:64],
            m.mutation_id,
            client_id,
            str(exc)[:2000],
        )
        return MutationResult(
            m.mutation_id,
            "rejected",
            "db_refused",
            "服务器数据库拒绝保存此操作（数据不符合数据库的约束），请核对内容或联系管理员",
        )
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        # Hostile arguments the validation did not foresee (an integer too large for a float
        # field...): a 500 here would block this workstation's queue forever, so the mutation
        # is rejected visibly instead, and the traceback logged for a fix.
        _undo(conn, savepoint)
        log.exception("mutation %s #%s failed on its arguments", m.name[:64], m.mutation_id)
        return MutationResult(m.mutation_id, "rejected", "bad_args", "操作参数无效，服务器无法处理")
    savepoint.commit()
    if conflicts:
        others = "、".join(sorted({str(c["theirs_by"]) for c in conflicts}))
        labels = "、".join(str(c["label"]) for c in conflicts)
        return MutationResult(
            m.mutation_id,
            "applied",
            "conflict",
            f"“{labels}”在您修改期间已被 {others} 修改，已按您的修改保存，请核对",
            version,
            json.dumps(conflicts, ensure_ascii=False),
        )
    return MutationResult(m.mutation_id, "applied", version=version)


def _forbidden(m: PushedMutation, who: Principal) -> MutationResult:
    label = roles.ROLE_LABELS.get(who.role, who.role)
    return MutationResult(m.mutation_id, "rejected", "forbidden", f"“{label}”角色无权执行此操作")


def storable_text(value: str) -> bool:
    """False for text PostgreSQL or UTF-8 cannot store: NUL, unpaired surrogates."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_AUDIT_NAME_LEN = MUTATION_NAME_MAX_LEN  # audit_log.name


def _audit_name(name: str) -> str:
    """The mutation name as the audit stores it: ASCII escapes when the text holds what a
    database cannot store, cut to the column (an escape is six characters: 64 NULs did not
    fit, and PostgreSQL failed the whole push on every retry)."""
    if storable_text(name):
        return name[:_AUDIT_NAME_LEN]
    return json.dumps(name)[1:-1][:_AUDIT_NAME_LEN]


def _storable(m: PushedMutation) -> bool:
    """Every string in the mutation (name, hlc, argument keys and values) is storable."""
    pending: list[Any] = [m.name, m.hlc, m.args]
    while pending:  # iterative: arguments may nest as deep as the JSON parser allows
        value = pending.pop()
        if isinstance(value, str):
            if not storable_text(value):
                return False
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


@dataclass(frozen=True)
class PullPage:
    epoch: str
    cursor: int  # everything up to and including this version is in this page or before
    server_version: int
    last_mutation_id: int
    reset: bool
    more: bool
    rows: dict[str, list[dict[str, Any]]]
    notice: str = ""  # Chinese, for the officer: why this page resets


def parse_cursor(text: str | None) -> tuple[str | None, int]:
    if not text:
        return None, 0
    epoch, _, seq = text.rpartition(":")
    if not epoch or not seq.isdigit():
        raise ValueError("cursor must look like EPOCH:SEQ")
    return epoch, int(seq)


def _dicts(conn: Connection, stmt: Any) -> list[dict[str, Any]]:
    """The rows as dicts, fetched in one go: iterating ``.mappings()`` fetches row by row
    and cost more than the query itself (bench/sync_first.py)."""
    result = conn.execute(stmt)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def pull(
    engine: Engine,
    client_id: str,
    cursor: str | None,
    limit: int = 5000,
    who: Principal | None = None,
    acked: int | None = None,
    notice: str = "",
    client_key: str | None = None,
) -> PullPage:
    """All changes after ``cursor`` from one snapshot (at most about ``limit`` rows).

    ``who`` and ``client_key``: the caller and the workstation's key; a registered client id
    is refused (PushError 403) unless :func:`_authorize` lets them use it: its acknowledged
    mutation id is that workstation's business, and reading it is how a stranger would
    learn where to inject mutations.

    ``acked``: the last mutation id the workstation holds as acknowledged, when it says. A
    workstation of this epoch acknowledged beyond what the server holds, or with a cursor
    beyond the server's version, is the sign of a restore (:func:`restored_sign`): a new
    epoch is started and this very pull resets."""
    _check_client_id(client_id)
    _check_client_key(client_key)
    epoch_seen, after = parse_cursor(cursor)
    adopt: list[str] = []  # the registrant, when this pull brings a keyless client its key
    try:
        with snapshot(engine) as conn:
            epoch, server_version = conn.execute(
                select(ServerState.epoch, ServerState.version)
            ).one()
            client = conn.execute(
                select(SyncClient.username, SyncClient.key_hash, SyncClient.last_mutation_id).where(
                    SyncClient.client_id == client_id
                )
            ).first()
            if (
                client is not None
                and who is not None
                and _authorize(who, client[0], client[1], client_key, "读取")
            ):
                adopt.append(client[0])
            last = int(client[2]) if client is not None else 0
            current = epoch_seen is None or epoch_seen == epoch
            ahead = after > server_version or (acked is not None and acked > last)
            if not (current and ahead and not notice):
                if epoch_seen is not None and epoch_seen != epoch and not notice:
                    notice = RESET_NOTICE
                reset = epoch_seen is not None and epoch_seen != epoch
                if reset or after > server_version or notice == RESTORED_NOTICE:
                    reset, after = True, 0
                return _page(conn, epoch, server_version, last, reset, after, limit, notice)
    finally:
        if adopt and client_key is not None:
            # Its own short write, after the read snapshot (never two connections at once).
            _adopt_key(engine, client_id, adopt[0], client_key)
    why = (
        f"workstation {client_id} has cursor {after} (server version {server_version}) and "
        f"acknowledged mutation {acked} (server holds {last})"
    )
    restored_sign(engine, epoch, why)
    # This pull resets (its epoch is no longer current), telling the officer why.
    return pull(engine, client_id, cursor, limit, who, acked, RESTORED_NOTICE, client_key)


def _adopt_key(engine: Engine, client_id: str, registrant: str, key: str) -> None:
    """Trust on first use: a client registered without a key takes the first one its
    registrant presents (only while it still has none, so a race keeps the first)."""
    with engine.begin() as conn:
        done = conn.execute(
            update(SyncClient)
            .where(
                SyncClient.client_id == client_id,
                SyncClient.username == registrant,
                SyncClient.key_hash.is_(None),
            )
            .values(key_hash=client_key_hash(key))
        ).rowcount
    if done:
        log.info("client %s adopted its workstation key (%s)", client_id, registrant)


def _page(
    conn: Connection,
    epoch: str,
    server_version: int,
    last: int,
    reset: bool,
    after: int,
    limit: int,
    notice: str,
) -> PullPage:
    fetched: dict[str, list[dict[str, Any]]] = {}
    upper = server_version
    for model in SYNCED_MODELS:
        table = model.__table__
        assert isinstance(table, Table)
        stmt = (
            select(table)
            .where(table.c.version > after, table.c.version <= upper)
            .order_by(table.c.version)
            .limit(limit)
        )
        rows = _dicts(conn, stmt)
        if len(rows) == limit:
            # This table may hold more: stop the page before its last version, or at
            # that version when a single version alone fills the page.
            tail = rows[-1]["version"]
            cut = tail - 1 if tail - 1 > after else tail
            if cut == tail:
                stmt = select(table).where(table.c.version == tail)
                rows = [r for r in rows if r["version"] < tail]
                rows += _dicts(conn, stmt)
            upper = min(upper, cut)
        fetched[table.name] = rows
    page = {name: [r for r in rows if r["version"] <= upper] for name, rows in fetched.items()}
    if upper < server_version:
        _add_newer_parents(conn, page, upper)
    return PullPage(
        epoch=epoch,
        cursor=upper,
        server_version=server_version,
        last_mutation_id=last,
        reset=reset,
        more=upper < server_version,
        rows=page,
        notice=notice,
    )


def _add_newer_parents(conn: Connection, page: dict[str, list[dict[str, Any]]], upper: int) -> None:
    """A page that stops before the end may hold rows whose parent changed after ``upper``
    (an incident edited after its log rows were written): the parent's only copy is then
    newer than the page. Send it along, or the page cannot satisfy the workstation's foreign
    keys and its pull can never commit. (The workstation has every row up to its cursor and
    this page has the rest up to ``upper``; a later page repeats the parent, harmlessly.)
    Children come after their parents in SYNCED_MODELS, so one backward pass suffices."""
    for model in reversed(SYNCED_MODELS):
        table = model.__table__
        assert isinstance(table, Table)
        for fk in table.foreign_keys:
            parent = fk.column.table
            assert isinstance(parent, Table)
            have = {r["id"] for r in page.get(parent.name, [])}
            wanted = sorted({r[fk.parent.name] for r in page.get(table.name, [])} - have - {None})
            for start in range(0, len(wanted), 500):
                stmt = select(parent).where(
                    parent.c.id.in_(wanted[start : start + 500]), parent.c.version > upper
                )
                page.setdefault(parent.name, []).extend(
                    dict(r) for r in conn.execute(stmt).mappings()
                )
