"""The one harness that runs ``duty-server`` for tests and benchmarks.

- :func:`free_port`: a free loopback port.
- :func:`postgres_problem`: None when PostgreSQL answers, else why not (the test fixtures
  skip, or fail in strict mode, with that text).
- :class:`Database`: a server database for one test or bench, a SQLite file or a freshly
  created PostgreSQL database (dropped by :meth:`Database.drop`); migrating and accounts
  are done in-process through ``server.db`` / ``server.auth``.
- :class:`ServerProcess`: a real ``python -m server.cli`` process on loopback with its log
  file, started with a deadline on ``GET /health``, stopped with SIGTERM then SIGKILL, over
  TLS when given a certificate. :func:`running_server` wraps start/stop.
- :func:`run_cli`: one ``duty-server`` sub-command as a real process, with a timeout.

Every child gets :func:`child_env`: the checkout first on ``PYTHONPATH`` (so a child runs
this checkout's code, as the tests do), no fault injection and no password inherited from
the caller, and, on Linux, SIGTERM when the process that started it dies, so a killed or
timed-out test run leaves no server behind. ``DUTY_TEST_PG_URL`` names the PostgreSQL to use
(any existing database; each :class:`Database` is created next to it).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import requests
from sqlalchemy import Engine, make_url, text

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("DUTY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
CLI_TIMEOUT_S = 120.0
# Variables a child must not inherit: server settings of the developer's shell, a password,
# fault injection armed for another process, another Python path.
_NOT_INHERITED = ("DUTY_SERVER_", "DUTY_PASSWORD", "DUTY_FAULT_", "PYTHONPATH")


# ------------------------------------------------------------------------------ PostgreSQL


def sqlalchemy_url(url: str, database: str | None = None) -> str:
    """Any PostgreSQL URL as ``postgresql+psycopg://`` (what duty-server takes)."""
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str, database: str | None = None) -> str:
    """Any PostgreSQL URL as ``postgresql://`` (what psycopg takes)."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


_pg_problems: dict[str, str | None] = {}


def postgres_problem(admin_url: str = PG_URL) -> str | None:
    """None when PostgreSQL answers at ``admin_url``, else why not (asked once per process)."""
    if admin_url not in _pg_problems:
        problem = None
        try:
            import psycopg

            with psycopg.connect(libpq_url(admin_url), connect_timeout=3) as conn:
                conn.execute("SELECT 1")
        except Exception as exc:
            problem = f"PostgreSQL not reachable at {admin_url} ({type(exc).__name__}: {exc})"
        _pg_problems[admin_url] = problem
    return _pg_problems[admin_url]


def pg_database_exists(admin_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(libpq_url(admin_url), autocommit=True, connect_timeout=10) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return found is not None


def create_pg_database(admin_url: str, name: str, *, c_locale: bool = True) -> str:
    """Create database ``name`` next to ``admin_url``'s; returns its duty-server URL.

    From template0, which never has sessions, so parallel test workers can all copy it at
    once. ``c_locale``: byte-order collation, the same on every machine (tests); False keeps
    the cluster's default (benchmarks, closer to a production install)."""
    import psycopg

    sql = f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
    if c_locale:
        sql += " LC_COLLATE 'C' LC_CTYPE 'C'"
    with psycopg.connect(libpq_url(admin_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)
    return sqlalchemy_url(admin_url, name)


def drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(libpq_url(admin_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------------------ databases


@dataclass
class Database:
    """One server database; ``url`` is what ``duty-server --database-url`` gets, ``workdir``
    the server's data folder (the SQLite file lives there, as the server's default does)."""

    backend: str
    url: str
    workdir: Path
    pg_name: str | None = None
    admin_url: str = PG_URL
    _engine: Engine | None = None

    @classmethod
    def create(
        cls, backend: str, workdir: Path, *, prefix: str = "duty_test", admin_url: str = PG_URL
    ) -> Database:
        """An empty database (not migrated): a SQLite file in ``workdir``, or a new
        PostgreSQL database ``<prefix>_<random>``."""
        workdir.mkdir(parents=True, exist_ok=True)
        if backend == "sqlite":
            return cls(backend, f"sqlite:///{workdir / 'duty-server.db'}", workdir)
        if backend != "postgresql":
            raise ValueError(f"unknown backend {backend!r}")
        name = f"{prefix}_{secrets.token_hex(6)}"
        url = create_pg_database(admin_url, name)
        return cls(backend, url, workdir, name, admin_url)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from server.db import make_engine

            self._engine = make_engine(self.url)
        return self._engine

    def migrate(self) -> None:
        from server.db import migrate

        migrate(self.engine)

    def create_user(self, username: str, role: str, password: str) -> None:
        from server.auth import create_user

        create_user(self.engine, username, role, password)

    def create_users(self, users: Mapping[str, tuple[str, str]]) -> None:
        """name -> (role, password)."""
        for name, (role, password) in users.items():
            self.create_user(name, role, password)

    def digest(self) -> str:
        from console.domain.digest import database_digest

        with self.engine.connect() as conn:
            return database_digest(conn)[0]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql), params).mappings()]

    def execute(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)

    def synced_row_count(self) -> int:
        from console.domain.schema import SYNCED_TABLES

        return sum(int(self.scalar(f"SELECT count(*) FROM {t}")) for t in sorted(SYNCED_TABLES))

    def keys_after(self, version: int) -> set[tuple[str, str]]:
        """(table, id) of every synced row changed after ``version``."""
        from console.domain.schema import SYNCED_TABLES

        return {
            (table, str(row["id"]))
            for table in sorted(SYNCED_TABLES)
            for row in self.rows(f"SELECT id FROM {table} WHERE version > :v", v=version)
        }

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def drop(self) -> None:
        """Close this process's connections; drop the PostgreSQL database (SQLite files go
        with their temporary folder)."""
        self.dispose()
        if self.pg_name is not None:
            drop_pg_database(self.admin_url, self.pg_name)


# ------------------------------------------------------------------------------ processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment of every child process (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_NOT_INHERITED)}
    env.update(PYTHONUNBUFFERED="1", PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    env.update(extra)
    return env


def _pdeathsig() -> Callable[[], None] | None:
    """For the child before exec (Linux): SIGTERM when its parent dies. Resolved here, in the
    parent: the child only makes the call (no imports between fork and exec)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import signal

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    term = int(signal.SIGTERM)
    return lambda: prctl(1, term)  # 1 = PR_SET_PDEATHSIG


CHILD_PREEXEC = _pdeathsig()


def _url_of(target: Database | str | None) -> str | None:
    return target.url if isinstance(target, Database) else target


def run_python(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
    stdin: str | None = None,
    timeout: float = CLI_TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` (this interpreter) as a real process, text output captured; the
    environment is :func:`child_env` unless given."""
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=dict(env) if env is not None else child_env(),
        check=False,
    )


def run_cli(
    target: Database | str | None,
    *args: str,
    data_dir: Path | None = None,
    stdin: str | None = None,
    timeout: float = CLI_TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """``duty-server [--database-url URL] [--data-dir DIR] ARGS`` as a real process."""
    url = _url_of(target)
    head = ["--database-url", url] if url else []
    if data_dir is not None:
        head += ["--data-dir", str(data_dir)]
    return run_python("-m", "server.cli", *head, *args, stdin=stdin, timeout=timeout)


class ServerDidNotStart(RuntimeError):
    """duty-server exited, or /health did not answer before the deadline."""


class ServerProcess:
    """A real ``duty-server`` serving ``database`` (a :class:`Database` or a URL) on loopback.

    The port is chosen on the first start and kept across :meth:`stop` / :meth:`start`, so
    workstations find the server again where they left it. ``certfile``/``keyfile`` serve
    HTTPS; ``ca_bundle`` is what the harness trusts when it asks for /health.
    """

    def __init__(
        self,
        database: Database | str,
        log_path: Path | None = None,
        *,
        data_dir: Path | None = None,
        port: int = 0,
        certfile: Path | None = None,
        keyfile: Path | None = None,
        ca_bundle: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.db = database if isinstance(database, Database) else None
        self.database_url = database.url if isinstance(database, Database) else database
        self.data_dir = data_dir or (self.db.workdir if self.db is not None else None)
        if log_path is None:
            if self.data_dir is None:
                raise ValueError("a log path or a data folder is needed")
            log_path = self.data_dir / "server.log"
        self.log_path = log_path
        self.port = port
        self._auto_port = port == 0
        self.certfile, self.keyfile, self.ca_bundle = certfile, keyfile, ca_bundle
        # Extra environment over child_env(), e.g. an import blocker on PYTHONPATH.
        self.env = dict(env) if env is not None else {}
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.certfile is not None else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    base_url = url

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "server.cli", "--database-url", self.database_url]
        if self.data_dir is not None:
            cmd += ["--data-dir", str(self.data_dir)]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
        if self.certfile is not None and self.keyfile is not None:
            cmd += ["--certfile", str(self.certfile), "--keyfile", str(self.keyfile)]
        return cmd

    def start(self, timeout_s: float = STARTUP_TIMEOUT_S) -> ServerProcess:
        """Start and wait for /health (ServerDidNotStart with the log's tail if it does not
        answer within ``timeout_s``). A port taken by a parallel worker between the probe
        and the bind is retried on another one."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        why = ""
        for attempt in range(3):
            if self.port == 0 or (attempt > 0 and self._auto_port):
                self.port = free_port()
            offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            self._log = self.log_path.open("ab")
            self.proc = subprocess.Popen(
                self.command(),
                stdout=self._log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env=child_env(**self.env),
                preexec_fn=CHILD_PREEXEC,
            )
            why = self._wait_healthy(timeout_s)
            if not why:
                return self
            self.stop()
            if "address already in use" not in self.log_text()[offset:].lower():
                break
            time.sleep(0.2 * (attempt + 1))
        raise ServerDidNotStart(
            f"duty-server did not start on port {self.port}: {why}; log {self.log_path}:\n"
            f"{self.log_text()[-4000:]}"
        )

    def _wait_healthy(self, timeout_s: float) -> str:
        """ "" once /health answers 200, else why not."""
        assert self.proc is not None
        verify: str | bool = str(self.ca_bundle) if self.ca_bundle is not None else True
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (code := self.proc.poll()) is not None:
                return f"exited with code {code}"
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/health", timeout=1, verify=verify).status_code == 200:
                    return ""
            time.sleep(0.05)
        return f"no answer on /health within {timeout_s:.0f} s"

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT_S; idempotent."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_text(self) -> str:
        if self._log is not None:
            self._log.flush()
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def health(self) -> dict[str, Any]:
        verify: str | bool = str(self.ca_bundle) if self.ca_bundle is not None else True
        r = requests.get(f"{self.url}/health", timeout=5, verify=verify)
        r.raise_for_status()
        return dict(r.json())

    def version(self) -> int:
        return int(self.health()["version"])

    def cli(
        self, *args: str, stdin: str | None = None, timeout: float = CLI_TIMEOUT_S
    ) -> subprocess.CompletedProcess[str]:
        """A ``duty-server`` sub-command on this server's database and data folder."""
        return run_cli(
            self.database_url, *args, data_dir=self.data_dir, stdin=stdin, timeout=timeout
        )


@contextlib.contextmanager
def running_server(
    database: Database | str, log_path: Path | None = None, **kw: Any
) -> Iterator[ServerProcess]:
    """A started :class:`ServerProcess`, stopped on the way out."""
    srv = ServerProcess(database, log_path, **kw).start()
    try:
        yield srv
    finally:
        srv.stop()
