"""The fault-injection seam (console/faults.py): inert unless armed, armed only on purpose, and
the push fault sits between a request fully on the wire and its reply, on the client's one
requests path."""

from __future__ import annotations

import http.server
import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from console import faults
from console.sync.client import SyncClient
from testkit.server import child_env, run_python


class Stop(Exception):
    pass


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``{}`` after recording its method, path and body."""

    seen: list[tuple[str, str, bytes]]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.seen.append((self.command, self.path, self.rfile.read(length)))
        body = json.dumps({"last_mutation_id": 0, "results": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_args: Any) -> None:
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the fault test hangs up without reading the reply, on purpose


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    seen: list[tuple[str, str, bytes]] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    httpd = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_nothing_armed_is_a_no_op_and_leaves_the_session_alone() -> None:
    assert faults._armed is None  # the suite never leaves a point armed
    faults.reached("before_commit")
    session = requests.Session()
    adapters = dict(session.adapters)
    faults.instrument(session)
    assert session.adapters == adapters


def test_armed_point_runs_its_action_until_disarmed() -> None:
    hits: list[str] = []
    with faults.armed("mid_pull_apply", hits.append):
        faults.reached("after_outbox")
        faults.reached("mid_pull_apply")
        faults.reached("mid_pull_apply")
    faults.reached("mid_pull_apply")
    assert hits == ["mid_pull_apply", "mid_pull_apply"]
    assert faults._armed is None


def test_unknown_point_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault point"):
        faults.arm("after_psuh_sent", lambda _p: None)


def test_push_fault_is_reached_with_the_request_on_the_wire_and_no_reply_read(
    recorder: tuple[str, list[tuple[str, str, bytes]]],
) -> None:
    url, seen = recorder
    mutations = [{"mutation_id": 1, "name": "incident.create", "args": {"title": "山洪" * 2000}}]
    wire: list[list[tuple[str, str, bytes]]] = []

    def at_the_point(_point: str) -> None:
        deadline = time.monotonic() + 10  # the server reads the body on its own thread
        while not any(m == "POST" for m, _p, _b in seen) and time.monotonic() < deadline:
            time.sleep(0.01)
        wire.append(list(seen))
        raise Stop

    with faults.armed("after_push_sent", at_the_point):
        client = SyncClient(url)
        try:
            client.pull("c", None)  # a pull is not the push: no fault
            with pytest.raises(Stop):
                client.push("c", mutations)
        finally:
            client.close()
    assert len(wire) == 1
    method, path, body = wire[0][-1]
    assert (method, path) == ("POST", "/sync/push")
    assert json.loads(body) == {"client_id": "c", "mutations": mutations}  # all of it


def test_push_without_the_fault_goes_through_the_same_path(
    recorder: tuple[str, list[tuple[str, str, bytes]]],
) -> None:
    url, seen = recorder
    client = SyncClient(url)
    try:
        assert client.push("c", []) == {"last_mutation_id": 0, "results": []}
    finally:
        client.close()
    assert [(m, p) for m, p, _b in seen] == [("POST", "/sync/push")]


def _child(spec: str, script: str) -> subprocess.CompletedProcess[str]:
    return run_python("-c", script, env=child_env(**{faults.KILL_ENV: spec}))


def test_environment_arms_a_kill_at_the_nth_time_in_a_child_process() -> None:
    done = _child(
        "mid_pull_apply:2",
        "from console import faults\n"
        "faults.reached('mid_pull_apply'); print('first', flush=True)\n"
        "faults.reached('mid_pull_apply'); print('second', flush=True)\n",
    )
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["first"]


def test_environment_with_an_unknown_point_fails_at_start() -> None:
    done = _child("mid_pull_aply", "import console.faults\n")
    assert done.returncode == 1
    assert "unknown fault point 'mid_pull_aply'" in done.stderr
