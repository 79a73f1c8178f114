"""Command line of ``duty-server``: serve, and admin commands.

duty-server [--database-url URL] [--host H] [--port P] [--certfile F --keyfile F] [--api-docs]
duty-server [--secret-file F]                 (token signing key; see server.keys)
duty-server create-user NAME --role ROLE      (password from the prompt or stdin)
duty-server set-password NAME                 (password from the prompt or stdin)
duty-server set-role NAME --role ROLE
duty-server disable-user NAME / enable-user NAME
duty-server sign-out NAME                     (revoke the account's tokens everywhere)
duty-server verify-audit [--anchor FILE]... [--replay]
duty-server audit-anchor [--out FILE]         (signed head of the audit chain)
duty-server digest
duty-server --drill [any of the above]       (演练: the drill database, keys and port 8766)
duty-server new-epoch                         (after restoring a backup)
duty-server import-readings FILE.csv          (stations' readings; exit 1 if rows refused)
duty-server expire-readings [--days N]        (drop readings older than the retention)
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update

from console.domain.roles import ROLE_LABELS


def _data_dir(given: Path | None, drill: bool = False) -> Path:
    """--data-dir, $DUTY_SERVER_DATA_DIR or the default, absolute (resolved once, here);
    its drill/ folder for a drill (演练, server.drill)."""
    from server.drill import data_dir

    return data_dir(_real_data_dir(given), drill)


def _real_data_dir(given: Path | None) -> Path:
    override = os.environ.get("DUTY_SERVER_DATA_DIR")
    if given is not None:
        folder = given
    elif override:
        folder = Path(override)
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        folder = base / "duty-server"
    return folder.expanduser().resolve()


def _files_dir(args: argparse.Namespace) -> Path:
    """The file store's folder: --files-dir, $DUTY_SERVER_FILES_DIR or <data dir>/files; a
    drill server's is drill/ inside it, so drill files never mix with the real ones."""
    from server.drill import data_dir
    from server.files import DIR_ENV, FOLDER

    given = args.files_dir or (Path(os.environ[DIR_ENV]) if os.environ.get(DIR_ENV) else None)
    if given is None:
        return _data_dir(args.data_dir, args.drill) / FOLDER
    return data_dir(given.expanduser().resolve(), args.drill)


def _engine(args: argparse.Namespace) -> Engine:
    from server.db import default_sqlite_url, make_engine, migrate
    from server.drill import database_url
    from server.seed import seed_defaults

    url = database_url(args.database_url, args.drill_database_url, args.drill)
    engine = make_engine(url or default_sqlite_url(_data_dir(args.data_dir, args.drill)))
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
    p.add_argument(
        "--drill",
        action="store_true",
        default=False if default is None else default,
        help="drill mode (演练): the drill database (SQLite in <data dir>/drill/, or "
        "--drill-database-url), its own keys, port 8766; answers drill workstations only",
    )
    p.add_argument(
        "--drill-database-url",
        default=default,
        help="SQLAlchemy URL of the drill database (or $DUTY_SERVER_DRILL_DATABASE_URL)",
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="duty-server", description="值班台同步服务器")
    _storage_options(p, None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None, help="default 8765 (8766 with --drill)")
    p.add_argument("--certfile", help="TLS certificate (PEM)")
    p.add_argument("--keyfile", help="TLS private key (PEM)")
    p.add_argument(
        "--secret-file",
        type=Path,
        help="token signing key file (default: token-signing.key in the data folder, "
        "created mode 0600 on first start; or $DUTY_SERVER_SECRET / $DUTY_SERVER_SECRET_FILE)",
    )
    p.add_argument(
        "--files-dir",
        type=Path,
        help="file store folder (default: files/ in the data folder, or $DUTY_SERVER_FILES_DIR; "
        "a drill server uses its drill/ subfolder); size limit $DUTY_SERVER_MAX_FILE_MB (50)",
    )
    p.add_argument(
        "--api-docs",
        action="store_true",
        help="serve /openapi.json and /docs (off by default; or DUTY_SERVER_API_DOCS=1)",
    )
    sub = p.add_subparsers(dest="command")
    cu = sub.add_parser("create-user", help="create or reset an account")
    cu.add_argument("name")
    cu.add_argument("--role", required=True, choices=sorted(ROLE_LABELS))
    # Every account change below also signs the account out everywhere (its tokens and open
    # event streams end at once).
    sp = sub.add_parser("set-password", help="change an account's password")
    sp.add_argument("name")
    sr = sub.add_parser("set-role", help="change an account's role")
    sr.add_argument("name")
    sr.add_argument("--role", required=True, choices=sorted(ROLE_LABELS))
    account_commands = [sp, sr]
    for name, text in (
        ("disable-user", "disable an account"),
        ("enable-user", "enable a disabled account"),
        ("sign-out", "revoke every token of an account (sign it out everywhere)"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("name")
        account_commands.append(command)
    commands = [
        cu,
        *account_commands,
        _verify_audit_parser(sub),
        _audit_anchor_parser(sub),
        sub.add_parser("digest", help="print the canonical SHA-256 of the synced tables"),
        sub.add_parser("new-epoch", help="start a new epoch after restoring a backup"),
        sub.add_parser("load-sample", help="load the Suichang sample county (样例数据) for demos"),
        *_readings_parsers(sub),
    ]
    for command in commands:
        _storage_options(command, argparse.SUPPRESS)
    return p


def _readings_parsers(sub: Any) -> list[argparse.ArgumentParser]:
    ir = sub.add_parser(
        "import-readings",
        help="import stations' readings from a CSV file",
        description="导入站点读数。CSV 列：站码,时间,类型,数值[,时段(分钟)]；时间为北京时间 "
        "（如 2026-09-28 14:05）或带时区的 ISO 时间；类型为 雨量 或 水位；雨量时段 5 或 60 "
        "分钟（默认 5）。同站同时间同数值的行不变，数值不同的行按更正处理。",
        epilog="exit status: 0 every row stored or unchanged; 1 some rows refused (the others "
        "are stored; each refused row is printed with its line number and reason); 2 the file "
        "cannot be read or lacks a column",
    )
    ir.add_argument("file", type=Path, metavar="FILE.csv")
    er = sub.add_parser(
        "expire-readings",
        help="drop readings older than the retention (PostgreSQL: whole monthly partitions)",
    )
    er.add_argument(
        "--days",
        type=int,
        default=None,
        help="keep this many days (default $DUTY_SERVER_READINGS_RETENTION_DAYS or 400)",
    )
    sim = sub.add_parser(
        "simulate-readings",
        help="feed a drill or demo with a simulated storm (every reading marked 模拟)",
        description="按模拟场景写入站点读数（全部标记为模拟数据，供演练、演示）。场景："
        + "；".join(f"{k}（{v.title}）" for k, v in _scenarios().items()),
    )
    sim.add_argument("--scenario", required=True, help="scenario name, e.g. nianyu-2016")
    sim.add_argument(
        "--speed",
        type=float,
        default=60.0,
        help="replay this many times faster than real time (default 60: a 5-minute step "
        "every 5 s; 0: all at once)",
    )
    sim.add_argument(
        "--start",
        default=None,
        help="scenario start, ISO time (default: its length before now, so it ends now)",
    )
    sim.add_argument("--interval-min", type=int, default=5, help="reading interval, minutes")
    return [ir, er, sim]


def _scenarios() -> dict[str, Any]:
    from console.domain.scenarios import SCENARIOS

    return dict(SCENARIOS)


def _simulate_readings(engine: Engine, args: argparse.Namespace) -> int:
    from console.domain import beijing
    from server.readings_simulate import simulate

    if args.scenario not in _scenarios():
        print(
            f"错误：没有名为 {args.scenario} 的模拟场景，可用：{'、'.join(_scenarios())}",
            file=sys.stderr,
        )
        return 2
    try:
        start = None if args.start is None else int(beijing.parse(args.start).timestamp())
    except ValueError:
        print(f"错误：--start 不是有效的时间：{args.start}", file=sys.stderr)
        return 2
    if args.interval_min <= 0 or 60 % args.interval_min:
        print("错误：--interval-min 应能整除 60（如 5、10、15、60）", file=sys.stderr)
        return 2

    def progress(ts: int, result: Any) -> None:
        print(
            f"模拟 {beijing.display(beijing.from_epoch_ms(ts * 1000))}：写入 "
            f"{result.accepted + result.updated} 条",
            flush=True,
        )

    try:
        report = simulate(
            engine,
            args.scenario,
            speed=args.speed,
            start=start,
            interval_s=args.interval_min * 60,
            progress=progress,
        )
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(
        f"模拟场景 {args.scenario} 完成：{report.steps} 个时次，新增 {report.accepted} 条，"
        f"更正 {report.updated} 条，未变 {report.unchanged} 条，拒绝 {len(report.refused)} 条"
    )
    for line in report.refused[:50]:
        print(f"  拒绝 {line}", file=sys.stderr)
    return 1 if report.refused else 0


def _import_readings(engine: Engine, args: argparse.Namespace) -> int:
    from server.readings_csv import CsvError, import_file

    try:
        report = import_file(engine, args.file)
    except CsvError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(
        f"新增 {report.accepted} 条，更正 {report.updated} 条，未变 {report.unchanged} 条，"
        f"拒绝 {len(report.refused)} 条"
    )
    for refusal in report.refused:
        print(f"第 {refusal.index} 行：{refusal.reason}")
    return 1 if report.refused else 0


def _expire_readings(engine: Engine, args: argparse.Namespace) -> int:
    from server.readings_partitions import expire

    with engine.begin() as conn:
        removed = expire(conn, days=args.days)
    unit = "rows" if engine.dialect.name == "sqlite" else "partitions"
    print(f"expired readings: {removed} {unit} removed")
    return 0


def _verify_audit_parser(sub: Any) -> argparse.ArgumentParser:
    va = sub.add_parser(
        "verify-audit",
        help="check the audit chain (and anchors, replay); exit 1 if tampered, 2 if unable",
    )
    va.add_argument(
        "--anchor",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="an anchor written by audit-anchor: prove nothing before it changed (repeatable)",
    )
    va.add_argument(
        "--replay",
        action="store_true",
        help="replay the audited mutations and compare with the synced tables",
    )
    return va


def _audit_anchor_parser(sub: Any) -> argparse.ArgumentParser:
    aa = sub.add_parser(
        "audit-anchor", help="write the audit chain's head, signed with the audit key"
    )
    aa.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    return aa


def _verify_audit(engine: Engine, args: argparse.Namespace) -> int:
    from server.audit import verify
    from server.audit_key import AuditKeyError, load_key
    from server.audit_proof import AnchorFormatError, check_anchor, parse_anchor, replay

    problems = verify(engine)
    for problem in problems:
        print(problem)
    print("audit chain OK" if not problems else f"{len(problems)} problem(s) found")
    unable = False
    if args.anchor:
        try:
            key = load_key(_data_dir(args.data_dir, args.drill), create=False)
        except AuditKeyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        for path in args.anchor:
            try:
                doc = parse_anchor(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, AnchorFormatError) as exc:
                print(f"error: {path}: not a readable anchor: {exc}", file=sys.stderr)
                unable = True
                continue
            found = check_anchor(engine, doc, key)
            for problem in found:
                print(problem)
            if not found:
                print(f"anchor {path}: entries 1..{doc['seq']} unchanged since {doc['at']}")
            problems += found
    if args.replay:
        report = replay(engine)
        if report.impossible:
            print(f"error: replay: {report.impossible}", file=sys.stderr)
            unable = True
        else:
            for problem in report.problems:
                print(problem)
            if not report.problems:
                print(
                    f"replay OK: {report.replayed} applied mutations reproduce the synced "
                    f"tables (digest {report.digest})"
                )
            problems += report.problems
    return 1 if problems else 2 if unable else 0


def _audit_anchor(engine: Engine, args: argparse.Namespace) -> int:
    from server.audit_key import AuditKeyError, load_key
    from server.audit_proof import make_anchor

    try:
        key = load_key(_data_dir(args.data_dir, args.drill), create=True)
    except AuditKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    doc, problems = make_anchor(engine, key)
    if doc is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("error: the audit chain is broken: no anchor written", file=sys.stderr)
        return 1
    text = json.dumps(doc, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.out)  # a reader never sees half an anchor
    print(f"anchor of entry {doc['seq']} written to {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from server.drill import DrillDatabaseMissing

    try:
        if args.command is None:
            return _serve(args)
        engine = _engine(args)
    except DrillDatabaseMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "create-user":
        from server.auth import create_user

        try:
            create_user(engine, args.name, args.role, _read_password(confirm=True))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"user {args.name} ({ROLE_LABELS[args.role]}) saved")
        return 0
    if args.command in ACCOUNT_CHANGES:
        return _change_account(engine, args)
    if args.command == "verify-audit":
        return _verify_audit(engine, args)
    if args.command == "audit-anchor":
        return _audit_anchor(engine, args)
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
    if args.command == "import-readings":
        return _import_readings(engine, args)
    if args.command == "expire-readings":
        return _expire_readings(engine, args)
    if args.command == "simulate-readings":
        return _simulate_readings(engine, args)
    if args.command == "new-epoch":
        from server.schema import ServerState

        epoch = str(uuid.uuid4())
        with engine.begin() as conn:
            conn.execute(update(ServerState).where(ServerState.id == 1).values(epoch=epoch))
        print(f"new epoch {epoch}: workstations will reset and re-push on their next pull")
        return 0
    return 2


ACCOUNT_CHANGES = ("set-password", "set-role", "disable-user", "enable-user", "sign-out")


def _change_account(engine: Engine, args: argparse.Namespace) -> int:
    from server.auth import change_account

    presets: dict[str, dict[str, object]] = {
        "set-password": {},
        "set-role": {"role": getattr(args, "role", None)},
        "disable-user": {"disabled": True},
        "enable-user": {"disabled": False},
        "sign-out": {},
    }
    changes = presets[args.command]
    try:
        if args.command == "set-password":
            changes = {"password": _read_password(confirm=True)}
        change_account(engine, args.name, **changes)  # type: ignore[arg-type]
    except (ValueError, LookupError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    print(f"user {args.name}: {args.command} done; the account's earlier sign-ins are revoked")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.api import api_docs_enabled, create_app
    from server.audit_key import AuditKeyError, load_key
    from server.keys import SigningKeyError, signing_key

    try:
        secret = signing_key(_data_dir(args.data_dir, args.drill), args.secret_file)
    except (SigningKeyError, OSError) as exc:
        print(f"error: token signing key: {exc}", file=sys.stderr)
        return 2
    try:  # made on first start, so that it exists (and can be kept apart) before any anchor
        load_key(_data_dir(args.data_dir, args.drill), create=True)
    except AuditKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from server.drill import port

    app = create_app(
        _engine(args),
        secret,
        api_docs=args.api_docs or api_docs_enabled(),
        drill=args.drill,
        files_dir=_files_dir(args),
    )
    uvicorn.run(
        app,
        host=args.host,
        port=port(args.port, args.drill),
        ssl_certfile=args.certfile,
        ssl_keyfile=args.keyfile,
        log_level="info",
        timeout_graceful_shutdown=2,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
