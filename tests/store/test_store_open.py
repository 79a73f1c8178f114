"""Opening the store: migrations, refusing files it must not touch, data folder and disk errors.

"Refused" always means: a StoreError with a Chinese message, and the file byte-identical with
no -wal/-shm created beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event

from console.domain.ids import new_id, reference_id
from console.store import errors, migrate
from console.store.database import Store, make_engine, open_store
from console.store.paths import DATABASE_FILE
from console.store.writer import Writer

# --- helpers ---------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, str]:
    """Every file in the folder with the hash of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
        for p in sorted(folder.iterdir())
    }


def assert_refused(
    store_dir: Path, error: type[errors.StoreError], match: str | None = None
) -> errors.StoreError:
    before = snapshot(store_dir)
    with pytest.raises(error) as info:
        open_store(store_dir)
    assert snapshot(store_dir) == before, "a refused file must be left exactly as it was"
    assert info.value.message and info.value.advice
    assert re.search(r"[\u4e00-\u9fff]", str(info.value)), "officer-facing text is Chinese"
    if match:
        assert match in info.value.message
    return info.value


def create_at_revision(path: Path, revision: str, *, search: bool = False) -> None:
    """A file at ``revision``; ``search`` for revisions from 0004 on (their search index
    triggers call the store's SQL function)."""
    cfg: Config = migrate._config()  # type: ignore[assignment]
    engine = make_engine(path) if search else create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
    finally:
        engine.dispose()


@contextlib.contextmanager
def mounted_tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A real, separate filesystem (needs root and CAP_SYS_ADMIN; skips otherwise)."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def incident(**extra: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "received_at": "2026-11-28T09:30:00+08:00",
        "category": "自然灾害",
        "title": "山洪",
        **extra,
    }


# --- (f) migrations --------------------------------------------------------------------------


def test_schema_head_constant_is_alembics_head() -> None:
    assert migrate.head_revision() == migrate.SCHEMA_HEAD
    files = {p.stem for p in (migrate.MIGRATIONS_DIR / "versions").glob("[0-9]*.py")}
    assert migrate.known_revisions() == files
    assert max(files) == migrate.SCHEMA_HEAD


def test_new_store_is_at_head(store: Store, raw: Any) -> None:
    assert raw.query("SELECT version_num FROM alembic_version") == [(migrate.SCHEMA_HEAD,)]
    assert raw.next_mutation_id() == 1
    assert not list(store.path.parent.glob("*.bak"))


def test_older_file_is_backed_up_then_upgraded_in_place(store_dir: Path, raw: Any) -> None:
    store_dir.mkdir()
    path = store_dir / DATABASE_FILE
    create_at_revision(path, "0001_foundation")
    tid = reference_id("township", "王村口镇")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO client_state VALUES (1, 'c0ffee00-0000-4000-8000-000000000000', 3, 1,"
            " '0001732781234567-00000-c0ffee00')"
        )
        conn.execute(
            "INSERT INTO townships (id, name, kind, lon, lat, position_approximate, is_sample,"
            " version, updated_at, updated_by, deleted)"
            " VALUES (?, '王村口镇', '镇', 119.0, 28.4, 1, 0, NULL, 'h1', '甲', 0)",
            (tid,),
        )
        for mid in (1, 2):
            conn.execute(
                "INSERT INTO outbox VALUES (?, 'c0ffee00-0000-4000-8000-000000000000',"
                " 'township.upsert', '{}', ?, 1, '甲')",
                (mid, f"0001732781234567-0000{mid}-c0ffee00"),
            )
    conn.close()
    before_tables = {r[0] for r in raw.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "stations" not in before_tables

    store = open_store(store_dir)
    try:
        assert store.client_id == "c0ffee00-0000-4000-8000-000000000000"
        assert raw.query("SELECT version_num FROM alembic_version") == [(migrate.SCHEMA_HEAD,)]
        assert raw.rows("townships")[tid]["name"] == "王村口镇"
        assert raw.outbox_ids() == [1, 2]
        station = {
            "id": reference_id("station", "70100300"),
            "code": "70100300",
            "name": "王村口",
            "kind": "水位站",
            "township_id": tid,
        }
        changes = Writer(store).apply([("station.upsert", station)], user="甲")
        assert changes.mutation_ids == (3,)
    finally:
        store.close()
    assert raw.integrity() == "ok"

    [backup] = store_dir.glob("*.bak")
    assert "0001_foundation" in backup.name
    bak = sqlite3.connect(backup)
    try:
        assert bak.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0001_foundation",)
        ]
        assert bak.execute("SELECT name FROM townships").fetchall() == [("王村口镇",)]
        assert bak.execute("SELECT count(*) FROM outbox").fetchone() == (2,)
    finally:
        bak.close()

    open_store(store_dir).close()  # a file at head is opened as is: no second backup
    assert len(list(store_dir.glob("*.bak"))) == 1


def test_upgrade_marks_old_sample_and_default_rule_mutations_local_only(
    store_dir: Path, raw: Any
) -> None:
    """Outbox rows written before ``outbox.local_only`` existed: the sample county's and the
    standalone default rules' stay on the workstation; the officer's own stay pushable."""
    store_dir.mkdir()
    path = store_dir / DATABASE_FILE
    create_at_revision(path, "0006_account_columns", search=True)
    rows = [
        (1, "township.upsert", '{"id":"t","name":"妙高街道","is_sample":true}', "系统"),
        (2, "report_rule.upsert", '{"id":"r"}', "系统"),
        (3, "report_rule.upsert", '{"id":"r"}', "li"),
        (4, "incident.create", '{"id":"i"}', "zhang"),
    ]
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO client_state VALUES (1, 'c0ffee00-0000-4000-8000-000000000000', 5, 0,"
            " '0001732781234567-00000-c0ffee00')"
        )
        for mid, name, args, user in rows:
            conn.execute(
                "INSERT INTO outbox VALUES (?, 'c0ffee00-0000-4000-8000-000000000000', ?, ?,"
                " ?, 1, ?)",
                (mid, name, args, f"0001732781234567-0000{mid}-c0ffee00", user),
            )
    conn.close()
    open_store(store_dir).close()
    marked = raw.query("SELECT mutation_id, local_only FROM outbox ORDER BY mutation_id")
    assert marked == [(1, 1), (2, 1), (3, 0), (4, 0)]


def test_file_from_a_newer_version_is_refused_untouched(store_dir: Path) -> None:
    open_store(store_dir).close()
    conn = sqlite3.connect(store_dir / DATABASE_FILE)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    assert sorted(os.listdir(store_dir)) == [DATABASE_FILE]

    err = assert_refused(store_dir, errors.NewerSchemaError, "9999_future")
    assert "文件未被修改" in err.message
    assert sorted(os.listdir(store_dir)) == [DATABASE_FILE], "no -wal/-shm may appear"
    assert_refused(store_dir, errors.NewerSchemaError)  # and again: still refused, still intact


# --- files that are not a duty-console database ----------------------------------------------


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(16_384))


def _garbled_sqlite(path: Path) -> None:
    store = open_store(path.parent)
    Writer(store).apply([("incident.create", incident())], user="甲")
    store.close()
    data = bytearray(path.read_bytes())
    data[16:100] = os.urandom(84)  # the rest of the header: page size, counters...
    path.write_bytes(bytes(data))


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('张三', '0578-8123456')")
    conn.close()


@pytest.mark.parametrize("make", [_random_bytes, _garbled_sqlite, _foreign_sqlite])
def test_corrupt_or_foreign_file_is_refused_untouched(
    store_dir: Path, make: Callable[[Path], None]
) -> None:
    store_dir.mkdir()
    make(store_dir / DATABASE_FILE)
    err = assert_refused(store_dir, errors.CorruptDatabaseError)
    assert "文件未被修改" in err.message
    assert "请不要删除该文件" in err.advice


def test_database_path_that_is_a_folder(store_dir: Path) -> None:
    (store_dir / DATABASE_FILE).mkdir(parents=True)
    assert_refused(store_dir, errors.CorruptDatabaseError)


def test_empty_file_is_treated_as_a_new_store(store_dir: Path, raw: Any) -> None:
    store_dir.mkdir()
    (store_dir / DATABASE_FILE).touch()
    open_store(store_dir).close()
    assert raw.query("SELECT version_num FROM alembic_version") == [(migrate.SCHEMA_HEAD,)]


# --- data folder -----------------------------------------------------------------------------


def test_data_dir_that_is_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("我是一个文件")
    with pytest.raises(errors.DataDirError) as info:
        open_store(target)
    assert "--data-dir" in info.value.advice
    assert target.read_text() == "我是一个文件"


def test_data_dir_below_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(errors.DataDirError):
        open_store(tmp_path / "file" / "data")


def test_unwritable_data_dir(tmp_path: Path) -> None:
    """chmod does not stop root, so as root the folder is a read-only filesystem instead."""
    store_dir = tmp_path / "readonly"
    if os.geteuid() == 0:
        ctx: contextlib.AbstractContextManager[Path] = mounted_tmpfs(store_dir, "ro,size=64k")
    else:
        store_dir.mkdir()
        store_dir.chmod(0o555)
        ctx = contextlib.nullcontext(store_dir)
    try:
        with ctx, pytest.raises(errors.DataDirError) as info:
            open_store(store_dir)
        assert "不可写" in info.value.message
    finally:
        if store_dir.exists():
            store_dir.chmod(0o755)


# --- disk full -------------------------------------------------------------------------------


def test_disk_full_during_a_write(store: Store, writer: Writer, raw: Any) -> None:
    """Provoked for real with max_page_count on every connection the writer checks out."""
    limit: dict[str, int | None] = {"pages": None}

    @event.listens_for(store.engine, "checkout")
    def _limit(dbapi_conn: sqlite3.Connection, _record: object, _proxy: object) -> None:
        pages = limit["pages"]
        if pages is None:
            dbapi_conn.execute("PRAGMA max_page_count = 1073741823")
        else:
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    kept = [incident(title=f"已保存{i}") for i in range(3)]
    writer.apply([("incident.create", a) for a in kept], user="甲")
    before_rows, before_outbox = raw.rows("incidents"), raw.outbox()
    limit["pages"] = raw.query("PRAGMA page_count")[0][0]

    too_big = incident(description="暴雨" * 9_000)
    with pytest.raises(errors.DiskFullError) as info:
        writer.apply([("incident.create", too_big)], user="甲")
    assert "磁盘空间已满" in str(info.value)
    assert "之前已保存的数据完好" in info.value.message

    assert raw.integrity() == "ok"
    assert raw.rows("incidents") == before_rows
    assert raw.outbox() == before_outbox
    assert raw.next_mutation_id() == 4

    limit["pages"] = None  # space freed
    changes = writer.apply([("incident.create", too_big)], user="甲")
    assert changes.mutation_ids == (4,)
    assert raw.outbox_ids() == [1, 2, 3, 4]
    assert too_big["id"] in raw.rows("incidents")


def _fill(path: Path) -> None:
    with open(path, "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 4096)


def test_disk_full_on_a_real_small_filesystem(tmp_path: Path) -> None:
    # 2 MiB: a fresh store (its migration still in the WAL) takes over 1 MiB since 0015.
    with mounted_tmpfs(tmp_path / "small", "size=2m") as mount:
        store_dir, other_dir = mount / "data", mount / "other"
        other_dir.mkdir()
        store = open_store(store_dir)
        raw_path = store.path
        try:
            writer = Writer(store)
            kept = incident()
            writer.apply([("incident.create", kept)], user="甲")
            ballast = mount / "ballast"
            _fill(ballast)

            failed = incident(description="台风" * 5_000)
            with pytest.raises(errors.DiskFullError):
                writer.apply([("incident.create", failed)], user="甲")
            with pytest.raises(errors.DiskFullError):
                open_store(other_dir)  # a new store on the full disk: refused, not half made

            ballast.unlink()
            changes = writer.apply([("incident.create", failed)], user="甲")
            assert changes.mutation_ids == (2,)
        finally:
            store.close()
        conn = sqlite3.connect(raw_path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            ids = [r[0] for r in conn.execute("SELECT id FROM incidents ORDER BY id")]
            assert ids == sorted([kept["id"], failed["id"]])
            assert [r[0] for r in conn.execute("SELECT mutation_id FROM outbox")] == [1, 2]
        finally:
            conn.close()
        assert not list(other_dir.iterdir())
