"""Schema migrations with Alembic, applied at start.

Alembic is imported only when the file is not already at :data:`SCHEMA_HEAD`, so a normal
start pays nothing for it. A file from a newer duty-console is refused before anything is
written; a file from an older one is backed up, then upgraded in place.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from console.store import errors

log = logging.getLogger(__name__)

# Keep equal to the newest file in migrations/versions (a test checks it).
SCHEMA_HEAD = "0026_areas"

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def read_revision(conn: sqlite3.Connection) -> str | None:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
    ).fetchone()
    if not has_table:
        if conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]:
            return "<foreign>"
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _config() -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())  # type: ignore[arg-type]
    return {rev.revision for rev in script.walk_revisions()}


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())  # type: ignore[arg-type]
    head = script.get_current_head()
    assert head is not None
    return head


def _backup(path: Path, revision: str) -> Path:
    target = path.with_name(f"{path.name}.before-upgrade-from-{revision}.bak")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(engine: Engine, path: Path, revision: str | None) -> None:
    """Bring the file at ``revision`` (None: new file) up to the head revision."""
    if revision == "<foreign>":
        raise errors.corrupt(path, "文件中已有其他程序的数据表，不是值班台数据库")
    if revision is not None and revision not in known_revisions():
        raise errors.NewerSchemaError(
            f"数据库文件 {path} 的结构版本为 {revision}，由更新版本的值班台创建，"
            "本程序无法安全使用。文件未被修改。",
            "请安装最新版本的值班台后再打开，或使用 --data-dir 指定另一个数据文件夹。",
        )
    from alembic import command

    if revision is not None:
        backup = _backup(path, revision)
        log.info("upgrading %s from %s; backup at %s", path, revision, backup)
    cfg = _config()
    with engine.connect() as conn:
        # A migration may fill a new column from the rows (0010: closed_at): a schema change
        # every replica makes the same way, not a write the write path must record.
        conn.info["write_scope"] = True
        cfg.attributes["connection"] = conn  # type: ignore[attr-defined]
        command.upgrade(cfg, "head")  # type: ignore[arg-type]
        conn.commit()
        conn.info.pop("write_scope", None)
