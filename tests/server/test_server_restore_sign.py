"""The server's side of "a restored server never diverges silently" (issue 9, item 8), on
both backends: which requests are the sign of lost acknowledged work, and what they do.

Own database and server per backend: these tests change the epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, fresh_database, township_args

from server.sync_service import RESET_NOTICE, RESTORED_NOTICE


@pytest.fixture(scope="module")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    return fresh_database(backend, database_factory, passwords)


@pytest.fixture(scope="module")
def server(database: Database) -> Iterator[ServerProcess]:
    # every test here shows a sign: no minimum interval between automatic epochs
    log = Path(database.workdir) / "restore-sign.log"
    srv = ServerProcess(database, log, env={"DUTY_SERVER_AUTO_EPOCH_INTERVAL_S": "0"}).start()
    yield srv
    srv.stop()


def _pull(ws: Client, **params: object) -> requests.Response:
    return requests.get(
        f"{ws.server.base_url}/sync/pull",
        params={"client_id": ws.client_id, **params},
        headers=ws.headers,
        timeout=30,
    )


def _synced(client_for: Callable[[str], Client]) -> tuple[Client, str]:
    ws = client_for("officer")
    ws.apply(("township.upsert", township_args()), ("township.upsert", township_args()))
    return ws, ws.pull_all().cursor


def test_quiet_pull_changes_nothing(
    client_for: Callable[[str], Client], server: ServerProcess
) -> None:
    ws, cursor = _synced(client_for)
    epoch = server.health()["epoch"]
    page = _pull(ws, cursor=cursor, acked=ws.last_id).json()
    assert not page["reset"] and page["notice"] == ""
    assert server.health()["epoch"] == epoch


@pytest.mark.parametrize("sign", ["acked-ahead", "cursor-ahead"])
def test_pull_ahead_of_the_server_starts_a_new_epoch(
    client_for: Callable[[str], Client], server: ServerProcess, sign: str
) -> None:
    ws, cursor = _synced(client_for)
    epoch, version = server.health()["epoch"], server.version()
    params: dict[str, object] = {"cursor": cursor, "acked": ws.last_id}
    if sign == "acked-ahead":
        params["acked"] = ws.last_id + 3  # acknowledged work the server no longer holds
    else:
        params["cursor"] = f"{epoch}:{version + 5}"
    page = _pull(ws, **params).json()
    assert page["reset"] is True and page["notice"] == RESTORED_NOTICE
    assert page["epoch"] != epoch == cursor.rsplit(":", 1)[0]
    assert server.health()["epoch"] == page["epoch"]
    assert "Started new epoch" in server.log_text()
    # the other workstations reset on their next pull, and are told why
    other, other_cursor = client_for("leader"), cursor
    later = _pull(other, cursor=other_cursor).json()
    assert later["reset"] is True and later["notice"] == RESET_NOTICE
    assert server.health()["epoch"] == page["epoch"]  # no second epoch for one restore


def test_workstation_of_an_older_epoch_starts_none(
    client_for: Callable[[str], Client], server: ServerProcess
) -> None:
    ws, cursor = _synced(client_for)
    assert server.cli("new-epoch").returncode == 0  # the admin did it
    epoch = server.health()["epoch"]
    page = _pull(ws, cursor=cursor, acked=ws.last_id + 9).json()
    assert page["reset"] is True and page["notice"] == RESET_NOTICE
    assert server.health()["epoch"] == epoch
    # nor does its push with a gap, when it says which epoch it is of
    ws.last_id += 5
    r = requests.post(
        f"{server.base_url}/sync/push",
        json={
            "client_id": ws.client_id,
            "mutations": [ws.next("township.upsert", township_args())],
        },
        headers={**ws.headers, "X-Duty-Cursor": cursor},
        timeout=30,
    )
    assert r.status_code == 409 and "notice" not in r.json()
    assert server.health()["epoch"] == epoch


def test_push_gap_from_this_epoch_starts_a_new_epoch(
    client_for: Callable[[str], Client], server: ServerProcess
) -> None:
    ws, cursor = _synced(client_for)
    epoch = server.health()["epoch"]
    held = ws.last_id
    ws.last_id += 4  # the workstation holds 4 more as acknowledged than the server
    r = requests.post(
        f"{server.base_url}/sync/push",
        json={
            "client_id": ws.client_id,
            "mutations": [ws.next("township.upsert", township_args())],
        },
        headers={**ws.headers, "X-Duty-Cursor": cursor},
        timeout=30,
    )
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "gap" and body["last_mutation_id"] == held
    assert body["notice"] == RESTORED_NOTICE
    assert server.health()["epoch"] != epoch


def test_automatic_epochs_are_rate_limited(
    database: Database, server: ServerProcess, passwords: dict[str, str]
) -> None:
    """A stolen account showing false signs cannot make every workstation reload at will:
    one automatic epoch per interval (default 10 minutes); the caller alone resets."""
    server.stop()
    limited = ServerProcess(database, Path(database.workdir) / "limited.log").start()
    try:
        ws = Client(limited, "officer", passwords["officer"])
        ws.apply(("township.upsert", township_args()))
        cursor = ws.pull_all().cursor
        first = _pull(ws, cursor=cursor, acked=ws.last_id + 1).json()
        assert first["reset"] and first["notice"] == RESTORED_NOTICE
        epoch = limited.health()["epoch"]
        assert epoch == first["epoch"] != cursor.rsplit(":", 1)[0]
        again = _pull(ws, cursor=first["cursor"], acked=ws.last_id + 1).json()
        assert again["reset"] is True  # this workstation reloads...
        assert limited.health()["epoch"] == epoch  # ...but nobody else has to
        assert "not another one" in limited.log_text()
    finally:
        limited.stop()
        server.start()
