"""Command line of ``duty-server``: serve, and admin commands.

duty-server [--database-url URL] [--host H] [--port P] [--certfile F --keyfile F] [--api-docs]
duty-server create-user NAME --role ROLE      (password from the prompt or stdin)
duty-server verify-audit
duty-server digest
duty-server new-epoch                         (after restoring a backup)
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from pathlib import Path

from sqlalchemy import Engine, update

from console.domain.roles import ROLE_LABELS


def _data_dir(given: Path | None) -> Path:
    """--data-dir, $DUTY_SERVER_DATA_DIR or the default, absolute (resolved once, here)."""
    override = os.environ.get("DUTY_SERVER_DATA_DIR")
    if given is not None:
        folder = given
    elif override:
        folder = Path(override)
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        folder = base / "duty-server"
    return folder.expanduser().resolve()


def _engine(args: argparse.Namespace) -> Engine:
    from server.db import default_sqlite_url, make_engine, migrate
    from server.seed import seed_defaults

    url = args.database_url or os.environ.get("DUTY_SERVER_DATABASE_URL")
    engine = make_engine(url or default_sqlite_url(_data_dir(args.data_dir)))
    migrate(engine)
    seed_defaults(engine)
    return engine


def _read_password(confirm: bool) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if confirm and getpass.getpass("再次输入密码：") != first:
        raise SystemExit("两次输入的密码不一致")
    return first


def _storage_options(p: argparse.ArgumentParser, default: object) -> None:
    """--database-url and --data-dir, taken before or after the sub-command: on a
    sub-command their default is SUPPRESS, so an absent one keeps the value given before."""
    p.add_argument(
        "--database-url",
        default=default,
        help="SQLAlchemy URL; default: SQLite in the data folder",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help="server data folder (SQLite default lives here)",
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="duty-server", description="值班台同步服务器")
    _storage_options(p, None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--certfile", help="TLS certificate (PEM)")
    p.add_argument("--keyfile", help="TLS private key (PEM)")
    p.add_argument(
        "--api-docs",
        action="store_true",
        help="serve /openapi.json and /docs (off by default; or DUTY_SERVER_API_DOCS=1)",
    )
    sub = p.add_subparsers(dest="command")
    cu = sub.add_parser("create-user", help="create or reset an account")
    cu.add_argument("name")
    cu.add_argument("--role", required=True, choices=sorted(ROLE_LABELS))
    commands = [
        cu,
        sub.add_parser("verify-audit", help="check the audit chain; exit 1 if tampered"),
        sub.add_parser("digest", help="print the canonical SHA-256 of the synced tables"),
        sub.add_parser("new-epoch", help="start a new epoch after restoring a backup"),
        sub.add_parser("load-sample", help="load the Suichang sample county (样例数据) for demos"),
    ]
    for command in commands:
        _storage_options(command, argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        return _serve(args)
    engine = _engine(args)
    if args.command == "create-user":
        from server.auth import create_user

        try:
            create_user(engine, args.name, args.role, _read_password(confirm=True))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"user {args.name} ({ROLE_LABELS[args.role]}) saved")
        return 0
    if args.command == "verify-audit":
        from server.audit import verify

        problems = verify(engine)
        for problem in problems:
            print(problem)
        print("audit chain OK" if not problems else f"{len(problems)} problem(s) found")
        return 1 if problems else 0
    if args.command == "digest":
        from console.domain.digest import database_digest

        with engine.connect() as conn:
            overall, _ = database_digest(conn)
        print(overall)
        return 0
    if args.command == "load-sample":
        from server.seed import load_sample

        print(f"sample county (样例数据): {load_sample(engine)} records pushed as 系统")
        return 0
    if args.command == "new-epoch":
        from server.schema import ServerState

        epoch = str(uuid.uuid4())
        with engine.begin() as conn:
            conn.execute(update(ServerState).where(ServerState.id == 1).values(epoch=epoch))
        print(f"new epoch {epoch}: workstations will reset and re-push on their next pull")
        return 0
    return 2


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.api import api_docs_enabled, create_app

    app = create_app(_engine(args), api_docs=args.api_docs or api_docs_enabled())
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        log_level="info",
        timeout_graceful_shutdown=2,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
