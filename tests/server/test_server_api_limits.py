"""Small hardening of the sync API (issue 9, item 9): a workstation's pull is its own, the
client ids of one account are bounded, the API map is off unless enabled, and when enabled
it lists the refusals and the event stream's media type. Real servers, both backends."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, township_args

from server.cli import build_parser
from server.sync_service import MAX_CLIENTS_PER_USER


def test_pull_with_another_accounts_client_id_is_403(
    client_for: Callable[[str], Client],
) -> None:
    owner, stranger = client_for("officer"), client_for("leader")
    assert owner.apply(("township.upsert", township_args()))[0]["status"] == "applied"
    r = requests.get(
        f"{owner.server.base_url}/sync/pull",
        params={"client_id": owner.client_id},
        headers=stranger.headers,
        timeout=30,
    )
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "foreign_client"
    assert "其他账号" in r.json()["detail"]
    assert owner.pull()["last_mutation_id"] == owner.last_id
    # a workstation that has not pushed yet (its first pull) is anyone's to start
    assert stranger.pull()["last_mutation_id"] == 0


def test_client_ids_per_account_are_bounded(
    database: Database, passwords: dict[str, str], tmp_path: Path
) -> None:
    # A server of its own with the real limit (the session's server lifts it for the suite).
    server = ServerProcess(database, tmp_path / "limits.log").start()
    try:
        _bounded(server, database, passwords)
    finally:
        server.stop()


def _bounded(server: ServerProcess, database: Database, passwords: dict[str, str]) -> None:
    name = f"many-{uuid.uuid4().hex[:8]}"
    database.create_user(name, "officer", passwords["officer"])
    ws = Client(server, name, passwords["officer"])
    for _ in range(MAX_CLIENTS_PER_USER):
        ws.client_id = str(uuid.uuid4())
        assert ws.push([]).status_code == 200
    known = ws.client_id
    ws.client_id = str(uuid.uuid4())
    r = ws.push([])
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "too_many_clients"
    assert f"{MAX_CLIENTS_PER_USER} 台" in r.json()["detail"]
    ws.client_id = known  # the registered ones go on working
    ws.last_id = 0
    assert ws.apply(("township.upsert", township_args()))[0]["status"] == "applied"
    count = database.scalar("SELECT count(*) FROM sync_clients WHERE username = :u", u=name)
    assert count == MAX_CLIENTS_PER_USER


def test_api_map_is_off_by_default(server: ServerProcess) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert requests.get(f"{server.base_url}{path}", timeout=10).status_code == 404, path


@pytest.fixture(scope="module")
def docs_server(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = Path(tmp_path_factory.mktemp("docs")) / "server.log"
    srv = ServerProcess(database, log, env={"DUTY_SERVER_API_DOCS": "1"}).start()
    yield srv.base_url
    srv.stop()


def test_api_map_lists_refusals_and_the_event_stream(docs_server: str) -> None:
    assert requests.get(f"{docs_server}/docs", timeout=10).status_code == 200
    doc = requests.get(f"{docs_server}/openapi.json", timeout=10).json()
    paths = doc["paths"]
    push = paths["/sync/push"]["post"]["responses"]
    assert {"200", "400", "401", "403", "409", "413", "429"} <= set(push)
    assert {"401", "413", "429"} <= set(paths["/auth/login"]["post"]["responses"])
    assert {"400", "401", "403"} <= set(paths["/sync/pull"]["get"]["responses"])
    events = paths["/sync/events"]["get"]["responses"]
    assert list(events["200"]["content"]) == ["text/event-stream"]
    assert list(events["401"]["content"]) == ["application/json"]


def test_api_docs_command_line_option() -> None:
    assert build_parser().parse_args(["--api-docs"]).api_docs is True
    assert build_parser().parse_args([]).api_docs is False


def test_client_id_has_one_spelling(client_for: Callable[[str], Client]) -> None:
    """An upper-case spelling of a UUID would register the same workstation twice."""
    ws = client_for("officer")
    ws.client_id = str(uuid.uuid4()).upper()
    r = ws.push([ws.next("township.upsert", township_args())])
    assert r.status_code == 400 and r.json()["code"] == "bad_client_id", r.text
    pulled = requests.get(
        f"{ws.server.base_url}/sync/pull",
        params={"client_id": ws.client_id},
        headers=ws.headers,
        timeout=30,
    )
    assert pulled.status_code == 400 and pulled.json()["code"] == "bad_client_id"
