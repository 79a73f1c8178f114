"""duty-server stands on the shared domain alone: it runs with Qt, pyqtgraph and every
workstation package of ``console`` made unimportable.

The blocker is a ``sitecustomize`` on the child's PYTHONPATH that puts an import hook first
on ``sys.meta_path``; only ``console.domain`` and ``console.resources`` (package data, standard
library only) stay importable. The real server then loads the sample county, creates an
account, serves, and a client signs in and pulls the county over HTTP.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from console.domain import beijing
from console.domain.sample import (
    PUBLIC_CASES_FILE,
    SAMPLE_FILE,
    SAMPLE_INCIDENTS_FILE,
    build_calls,
    build_case_calls,
    build_incident_calls,
)
from console.resources import read_text
from server.db import default_sqlite_url
from testkit.server import REPO, ServerProcess, run_python

BLOCKER = '''
"""Test hook: refuse Qt, pyqtgraph and the workstation's packages (see the test module)."""
import os
import sys

BLOCKED_TOP = ("PySide6", "shiboken6", "pyqtgraph")
ALLOWED_CONSOLE = ("console.domain", "console.resources")
LOG = os.environ["DUTY_TEST_BLOCK_LOG"]


def _blocked(name):
    if name.split(".")[0] in BLOCKED_TOP:
        return True
    if not name.startswith("console."):
        return False
    return not any(name == ok or name.startswith(ok + ".") for ok in ALLOWED_CONSOLE)


class Blocker:
    def find_spec(self, name, path=None, target=None):
        if not _blocked(name):
            return None
        with open(LOG, "a", encoding="utf-8") as fh:
            fh.write(name + "\\n")
        raise ModuleNotFoundError(f"{name} is blocked: duty-server must not import it", name=name)


sys.meta_path.insert(0, Blocker())
'''

PASSWORD = "domain-only-pw-1"


@pytest.fixture
def blocked_env(tmp_path: Path) -> dict[str, str]:
    hook = tmp_path / "blocker"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DUTY_", "PYTHONPATH"))}
    env["PYTHONPATH"] = os.pathsep.join([str(hook), str(REPO)])
    env["PYTHONUNBUFFERED"] = "1"
    env["DUTY_TEST_BLOCK_LOG"] = str(tmp_path / "blocked.txt")
    return env


def _pull_all(base: str, token: str) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    client_id, cursor = str(uuid.uuid4()), None
    for _ in range(100):
        params = {"client_id": client_id, **({"cursor": cursor} if cursor else {})}
        r = requests.get(
            f"{base}/sync/pull",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        r.raise_for_status()
        page = r.json()
        for table, got in page["rows"].items():
            rows.setdefault(table, []).extend(got)
        cursor = page["cursor"]
        if not page["more"]:
            return rows
    pytest.fail("pull never finished")


def _assert_hook_blocks(env: dict[str, str], cwd: Path) -> None:
    """Sanity: under the hook Qt, pyqtgraph and the workstation's code cannot be imported,
    the shared domain can; without it PySide6 imports (so the hook, not a missing package,
    is what stops it)."""
    for module in ("PySide6.QtCore", "pyqtgraph", "console.services.sample_data", "console.ui"):
        cp = run_python("-c", f"import {module}", env=env, cwd=cwd)
        assert cp.returncode != 0, module
        assert "must not import it" in cp.stderr, cp.stderr[-2000:]
    cp = run_python("-c", "import console.domain.mutations, console.resources", env=env, cwd=cwd)
    assert cp.returncode == 0, cp.stderr[-2000:]
    free = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    free["PYTHONPATH"] = str(REPO)
    cp = run_python("-c", "import PySide6.QtCore, pyqtgraph, console.services", env=free, cwd=cwd)
    assert cp.returncode == 0, cp.stderr[-2000:]
    Path(env["DUTY_TEST_BLOCK_LOG"]).unlink()  # these attempts were the point


def test_server_runs_without_qt_or_workstation_code(
    blocked_env: dict[str, str], tmp_path: Path
) -> None:
    _assert_hook_blocks(blocked_env, tmp_path)
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    cli = ("-m", "server.cli", "--data-dir", str(data_dir))

    loaded = run_python(*cli, "load-sample", env=blocked_env, cwd=data_dir)
    assert loaded.returncode == 0, loaded.stderr[-4000:]
    county = json.loads(read_text(*SAMPLE_FILE))
    incidents = build_incident_calls(
        json.loads(read_text(*SAMPLE_INCIDENTS_FILE)), county, beijing.now()
    )
    cases = build_case_calls(json.loads(read_text(*PUBLIC_CASES_FILE)))
    expected = build_calls(county) + incidents + cases
    assert f"{len(expected)} records pushed" in loaded.stdout

    created = run_python(
        *cli,
        "create-user",
        "zhang",
        "--role",
        "officer",
        env=blocked_env,
        cwd=data_dir,
        stdin=PASSWORD,
    )
    assert created.returncode == 0, created.stderr[-4000:]

    server = ServerProcess(
        default_sqlite_url(data_dir),
        tmp_path / "server.log",
        data_dir=data_dir,
        env={k: blocked_env[k] for k in ("PYTHONPATH", "DUTY_TEST_BLOCK_LOG")},
    ).start()
    try:
        base = server.url
        login = requests.post(
            f"{base}/auth/login", json={"username": "zhang", "password": PASSWORD}, timeout=30
        )
        assert login.status_code == 200, login.text
        rows = _pull_all(base, login.json()["token"])
    finally:
        server.stop()

    for name, args in expected:
        if name == "incident.create":
            pulled = {r["id"]: r for r in rows["incidents"]}
            assert pulled[args["id"]]["is_sample"] and pulled[args["id"]]["title"] == args["title"]
            continue
        if not name.endswith(".upsert"):
            continue  # the sample incidents' log, reports and status changes
        entity = name.removesuffix(".upsert")
        irregular = {
            "person": "people",
            "team_equipment": "team_equipment",
            "certificate": "person_certificates",
        }
        table = irregular.get(entity, entity + "s")  # township -> townships, ...
        pulled = {r["id"]: r for r in rows[table]}
        assert args["id"] in pulled, (name, args)
        assert pulled[args["id"]]["is_sample"], (name, args)
        for key in ("name", "role", "person_id"):
            if key in args:
                assert pulled[args["id"]][key] == args[key], (name, key)
    assert rows["report_rules"], "the default 信息报送 rules were not seeded"

    blocked = Path(blocked_env["DUTY_TEST_BLOCK_LOG"])
    attempts = blocked.read_text(encoding="utf-8").split() if blocked.exists() else []
    assert attempts == [], f"the server tried to import {sorted(set(attempts))}"
