"""Opening the workstation database: checks first, then WAL, pragmas and migrations.

Order matters for "nothing overwritten": the data folder and the file are inspected
read-only (header, schema revision) before anything that writes, such as switching to WAL
or migrating, touches the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select, update
from sqlalchemy.engine import Connection

from console.domain.hlc import HybridLogicalClock
from console.domain.schema import SYNCED_TABLES
from console.store import errors, search
from console.store.gate import WriteGate
from console.store.migrate import SCHEMA_HEAD, read_revision, upgrade
from console.store.paths import DATABASE_FILE
from console.store.records import ClientState

log = logging.getLogger(__name__)

_SQLITE_HEADER = b"SQLite format 3\x00"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLAC", "WITH")

# Leading whitespace and SQL comments: a triple-quoted statement starts with a newline.
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))*", re.DOTALL)
_NAME = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|\w+)'
# Every table a statement writes: the target of each INSERT/REPLACE/UPDATE/DELETE, also
# after a WITH clause and with an optional schema ("main".townships).
_TARGET = re.compile(
    r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    rf"\s+(?:{_NAME}\s*\.\s*)?({_NAME})",
    re.IGNORECASE,
)


def _target_tables(statement: str) -> set[str]:
    return {name.strip('"`[]').lower() for name in _TARGET.findall(statement)}


def _is_write(statement: str) -> bool:
    head = statement[:6].upper()
    if head[:1].isspace() or head[:2] in ("--", "/*"):
        leading = _LEADING.match(statement)
        start = leading.end() if leading else 0
        head = statement[start : start + 6].upper()
    return head.startswith(_WRITE_VERBS)


def check_data_dir(data_dir: Path) -> None:
    """Create the folder if needed and prove it is writable, without touching the database."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.DataDirError(
            f"无法创建或访问数据文件夹 {data_dir}（{exc.strerror or exc}）。",
            "请检查路径是否正确、是否有权限，或使用 --data-dir 指定另一个文件夹。",
        ) from exc
    if not data_dir.is_dir():
        raise errors.DataDirError(
            f"{data_dir} 不是文件夹。",
            "请使用 --data-dir 指定一个文件夹（不是文件）。",
        )
    probe = data_dir / f".write-probe-{os.getpid()}"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"ok")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        if exc.errno == 28:  # ENOSPC
            raise errors.disk_full(data_dir) from exc
        raise errors.DataDirError(
            f"数据文件夹 {data_dir} 不可写（{exc.strerror or exc}）。",
            "请检查该文件夹的权限和磁盘状态，或使用 --data-dir 指定一个可写的文件夹。",
        ) from exc
    finally:
        # On a read-only filesystem unlink fails (EROFS) even for a file that was never made:
        # that must not replace the DataDirError above with a bare OSError.
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)


def inspect_file(path: Path) -> str | None:
    """Read-only look at an existing file: its schema revision (None when it has none)."""
    if not path.exists():
        return None
    if path.is_dir():
        raise errors.corrupt(path, "这是一个文件夹")
    try:
        with open(path, "rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise errors.DataDirError(
            f"无法读取数据库文件 {path}（{exc.strerror or exc}）。",
            "请检查文件权限，或使用 --data-dir 指定另一个数据文件夹。",
        ) from exc
    if header and header != _SQLITE_HEADER:
        raise errors.corrupt(path, "文件头不是 SQLite 数据库")
    if not header:
        return None
    # Our files are in WAL mode: without a -wal file no connection has the file open and the
    # main file holds every committed transaction, so open it immutable, and SQLite creates
    # no -wal/-shm beside a file we may end up refusing. With a -wal (open elsewhere, or a
    # crash left committed work in it) a plain read-only open must read through it.
    wal = path.with_name(path.name + "-wal")
    mode = "ro" if wal.exists() else "ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode={mode}", uri=True)
        try:
            return read_revision(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise errors.corrupt(path, str(exc)) from exc


@dataclass
class Store:
    """An open workstation database and what the write path needs to use it."""

    path: Path
    engine: Engine
    client_id: str
    clock: HybridLogicalClock
    # Sent with every push and pull (console/store/records.py ClientState.client_key).
    client_key: str = ""
    listeners: list[Callable[[Any], None]] = field(default_factory=list)
    # Orders this process's writers: saves before pull work (see console/store/gate.py).
    gate: WriteGate = field(default_factory=WriteGate)

    def subscribe(self, listener: Callable[[Any], None]) -> None:
        """Called (on the writer's thread) with every committed Changes object."""
        self.listeners.append(listener)

    def announce(self, changes: Any) -> None:
        for listener in list(self.listeners):
            try:
                listener(changes)
            except Exception:  # a broken view must not undo a committed write
                log.exception("change listener failed")

    def close(self) -> None:
        self.engine.dispose()


def _configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, so writers can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()
        search.register(dbapi_conn)  # the search-index triggers call dc_bigrams()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine, "before_cursor_execute")
    def _guard(conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        if conn.info.get("write_scope") or not _is_write(statement):
            return
        if not _target_tables(statement).isdisjoint(SYNCED_TABLES):
            raise errors.ForbiddenWriteError(
                f"synced table written outside the write path: {statement[:80]}"
            )


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    _configure(engine)
    return engine


def open_store(data_dir: Path) -> Store:
    """Open (creating or upgrading) the store in ``data_dir``; raise a StoreError if unsafe."""
    check_data_dir(data_dir)
    path = data_dir / DATABASE_FILE
    revision = inspect_file(path)
    engine = make_engine(path)
    try:
        if revision != SCHEMA_HEAD:
            upgrade(engine, path, revision)
        client_id, client_key, last_hlc = _client_state(engine)
    except errors.StoreError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        translated = errors.translate(exc, path)
        if translated is exc:
            raise
        raise translated from exc
    clock = HybridLogicalClock(client_id[:8])
    clock.observe(last_hlc)
    return Store(path=path, engine=engine, client_id=client_id, clock=clock, client_key=client_key)


_STATE = select(ClientState.client_id, ClientState.client_key, ClientState.last_hlc)


def _client_state(engine: Engine) -> tuple[str, str, str]:
    """(client id, client key, last HLC), made on first open: the id and the key together."""
    with engine.connect() as conn:
        row = conn.execute(_STATE).first()
        if row is not None and row[1]:
            return row[0], row[1], row[2]
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        row = conn.execute(_STATE).first()
        if row is not None:
            if row[1]:
                return row[0], row[1], row[2]
            # A row without a key (never left so by the migration; a hand-made store).
            key = secrets.token_hex(32)
            conn.execute(update(ClientState).where(ClientState.id == 1).values(client_key=key))
            return row[0], key, row[2]
        client_id = str(uuid.uuid4())
        key = secrets.token_hex(32)
        conn.execute(
            insert(ClientState).values(
                id=1,
                client_id=client_id,
                client_key=key,
                next_mutation_id=1,
                last_acked_mutation_id=0,
                last_hlc="0000000000000000-00000-init",
            )
        )
        return client_id, key, "0000000000000000-00000-init"
