"""GET /sync/events: "go pull" pokes, on one server and across server processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, event_stream, township_args

from server import api


def test_heartbeat_interval_is_15_s() -> None:
    assert api.HEARTBEAT_S == 15


def test_events_need_a_token(server: ServerProcess) -> None:
    r = requests.get(f"{server.base_url}/sync/events", timeout=10)
    assert r.status_code == 401
    r = requests.get(
        f"{server.base_url}/sync/events", headers={"Authorization": "Bearer x.y"}, timeout=10
    )
    assert r.status_code == 401


def test_first_poke_then_poke_after_another_clients_push(
    server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    listener = client_for("readonly")
    pusher = client_for("officer")
    pusher.apply(("township.upsert", township_args()))
    with event_stream(server, listener.token) as stream:
        assert stream.status == 200
        assert stream.content_type.startswith("text/event-stream")
        event, data = stream.next(timeout=5)
        assert (event, data) == ("poke", {"version": server.version()})
        assert stream.raw_lines[:2] == ["event: poke", f'data: {{"version": {data["version"]}}}']

        [result] = pusher.apply(("township.upsert", township_args()))
        assert stream.wait_for_version(result["version"], timeout=1.0) < 1.0

        # several pushes in a row: the stream ends up at the newest version
        for _ in range(3):
            [result] = pusher.apply(("township.upsert", township_args()))
        assert stream.wait_for_version(result["version"], timeout=1.0) < 1.0


def test_rejected_push_does_not_poke_a_newer_version(
    server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    listener = client_for("officer")
    pusher = client_for("officer")
    with event_stream(server, listener.token) as stream:
        _, first = stream.next(timeout=5)
        [result] = pusher.apply(("incident.delete", {"id": township_args()["id"]}))
        assert result["code"] == "forbidden"
        with pytest.raises(AssertionError):
            stream.wait_for_version(first["version"] + 1, timeout=0.6)


@pytest.fixture(scope="module")
def second_server(
    database: Database,
    server: ServerProcess,
    server_factory: Callable[[Database], ServerProcess],
) -> Iterator[ServerProcess]:
    """Another duty-server process on the same database (load-balanced deployment)."""
    other = server_factory(database)
    yield other
    other.stop()


def test_push_to_one_server_pokes_streams_on_another(
    server: ServerProcess,
    second_server: ServerProcess,
    client_for: Callable[[str], Client],
    passwords: dict[str, str],
) -> None:
    """PostgreSQL: LISTEN/NOTIFY across processes; SQLite: each process polls the version."""
    pusher = client_for("officer")  # logged in on server A
    # a token from A is valid on B: the signing secret lives in the shared database
    listener_b = Client(second_server, "leader", passwords["leader"])
    with (
        event_stream(second_server, pusher.token) as on_b,
        event_stream(server, pusher.token) as on_a,
    ):
        _, first = on_b.next(timeout=5)
        on_a.next(timeout=5)
        [result] = pusher.apply(("township.upsert", township_args()))
        assert result["version"] > first["version"]
        assert on_b.wait_for_version(result["version"], timeout=1.0) < 1.0
        assert on_a.wait_for_version(result["version"], timeout=1.0) < 1.0

        # and the other way round: a push to B pokes a stream on A
        [result] = listener_b.apply(("township.upsert", township_args()))
        assert on_a.wait_for_version(result["version"], timeout=1.0) < 1.0
        assert on_b.wait_for_version(result["version"], timeout=1.0) < 1.0
    # B serves the data A accepted: pull is the truth
    page = listener_b.pull_all()
    assert page.cursor.endswith(f":{server.version()}")
    assert second_server.version() == server.version()
