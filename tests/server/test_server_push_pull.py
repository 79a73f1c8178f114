"""Push (exactly-once, replay, gap) and pull (cursor, paging) against a real server."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests
from server_testkit import (
    Client,
    Database,
    ServerProcess,
    incident_args,
    mutation,
    timeline_args,
    township_args,
    village_args,
)


def _state(db: Database, server: ServerProcess) -> tuple[str, int, int]:
    return db.digest(), db.synced_row_count(), server.version()


def test_replayed_and_overlapping_pushes_apply_once(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    c = client_for("officer")
    town = township_args()
    inc = incident_args()
    batch = [
        mutation(1, "township.upsert", town),
        mutation(2, "incident.create", inc),
        mutation(3, "incident.update", {"id": str(uuid.uuid4()), "fields": {"title": "x"}}),
    ]
    first = c.push(batch)
    assert first.status_code == 200, first.text
    results = first.json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected"]
    assert results[2]["code"] == "not_found" and results[2]["message"]
    assert first.json()["last_mutation_id"] == 3
    after_first = _state(database, server)

    again = c.push(batch)  # the reply was lost: the workstation sends the same batch
    assert again.status_code == 200
    assert again.json() == first.json()  # same results, incl. the rejection's message
    assert _state(database, server) == after_first

    overlap = c.push(
        [
            *batch[1:],
            mutation(4, "timeline.append", timeline_args(inc["id"])),
            mutation(5, "incident.update", {"id": inc["id"], "fields": {"dead": 1}}),
        ]
    )
    assert overlap.status_code == 200, overlap.text
    body = overlap.json()
    assert body["last_mutation_id"] == 5
    assert body["results"][:2] == results[1:]
    assert [r["status"] for r in body["results"][2:]] == ["applied", "applied"]
    digest, rows, version = _state(database, server)
    assert digest != after_first[0]
    assert rows == after_first[1] + 1  # one timeline row; the update changed a row in place
    assert version == after_first[2] + 2
    assert [r["version"] for r in body["results"][2:]] == [version - 1, version]

    dup = c.push([mutation(6, "township.upsert", township_args()), mutation(6, "x.y", {})])
    assert dup.status_code == 200
    assert dup.json()["results"][0] == dup.json()["results"][1]  # second 6 is a replay
    assert server.version() == version + 1
    # exactly one audit entry and one stored result per (client, mutation id)
    assert (
        database.scalar("SELECT count(*) FROM audit_log WHERE client_id = :c", c=c.client_id) == 6
    )
    assert (
        database.scalar("SELECT count(*) FROM push_results WHERE client_id = :c", c=c.client_id)
        == 6
    )


def test_gap_is_409_and_changes_nothing(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    c = client_for("officer")
    c.apply(("township.upsert", township_args()))
    before = _state(database, server)
    audit_before = database.scalar("SELECT count(*) FROM audit_log")

    for batch in (
        [mutation(3, "township.upsert", township_args())],
        [mutation(1, "township.upsert", township_args()), mutation(5, "x.y", {})],
        # a valid next mutation followed by a gap: the whole push is refused, 2 included
        [mutation(2, "township.upsert", township_args()), mutation(4, "x.y", {})],
    ):
        r = c.push(batch)
        assert r.status_code == 409, r.text
        body = r.json()
        assert body["code"] == "gap"
        assert body["last_mutation_id"] == 1
        assert body["detail"]
        assert _state(database, server) == before
    assert database.scalar("SELECT count(*) FROM audit_log") == audit_before
    assert c.pull()["last_mutation_id"] == 1

    results = c.apply(("township.upsert", township_args()))  # mutation 2 now goes through
    assert results[0]["status"] == "applied"


def test_pull_returns_rows_after_cursor_and_last_mutation_id(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    reader = client_for("readonly")
    start = reader.pull_all()
    assert start.pages[-1]["last_mutation_id"] == 0  # unknown client
    assert start.pages[-1]["reset"] is False

    c = client_for("officer")
    town = township_args()
    village = village_args(town["id"])
    inc = incident_args(township_id=town["id"])
    entry = timeline_args(inc["id"])
    c.apply(
        ("township.upsert", town),
        ("village.upsert", village),
        ("incident.create", inc),
        ("timeline.append", entry),
        ("incident.update", {"id": inc["id"], "fields": {"injured": 2}}),
    )
    page = c.pull(start.cursor)
    assert page["last_mutation_id"] == 5
    assert page["more"] is False and page["reset"] is False
    assert page["server_version"] == server.version()
    assert page["cursor"] == f"{page['epoch']}:{page['server_version']}"
    got = {(t, r["id"]) for t, rows in page["rows"].items() for r in rows}
    start_version = int(start.cursor.rsplit(":", 1)[1])
    assert got == database.keys_after(start_version)  # all of them, nothing else
    assert {
        ("townships", town["id"]),
        ("villages", village["id"]),
        ("incidents", inc["id"]),
        ("incident_timeline", entry["id"]),
    } <= got
    incident = page["rows"]["incidents"][0]
    assert incident["injured"] == 2 and incident["title"] == inc["title"]
    assert incident["updated_by"] == "officer"
    assert page["rows"]["incident_timeline"][0]["author"] == "officer"

    nothing = c.pull(page["cursor"])
    assert all(rows == [] for rows in nothing["rows"].values())
    assert nothing["cursor"] == page["cursor"]


def test_pull_paging_returns_every_row_exactly_once(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    c = client_for("officer")
    start = c.pull_all().cursor
    town = township_args()
    items: list[tuple[str, dict[str, object]]] = [("township.upsert", town)]
    items += [("village.upsert", village_args(town["id"], name=f"村{i}")) for i in range(7)]
    incidents = [incident_args(title=f"事件{i}") for i in range(5)]
    items += [("incident.create", a) for a in incidents]
    items += [("timeline.append", timeline_args(incidents[i % 5]["id"])) for i in range(9)]
    items += [("incident.update", {"id": incidents[0]["id"], "fields": {"dead": 3}})]
    c.apply(*items)
    expected = {(name.split(".")[0], str(args["id"])) for name, args in items}

    run = c.pull_all(start, limit=3)
    assert len(run.pages) > 3
    assert run.pages[-1]["more"] is False
    assert all(p["more"] for p in run.pages[:-1])
    keys = run.row_keys(start)
    assert len(keys) == len(set(keys))  # no row twice
    assert set(keys) == database.keys_after(int(start.rsplit(":", 1)[1]))  # none missing
    table_of = {"township": "townships", "village": "villages", "incident": "incidents"}
    assert {(table_of.get(k, "incident_timeline"), i) for k, i in expected} <= set(keys)
    assert run.cursor.endswith(f":{server.version()}")

    # the whole database, paged from the start: every row exactly once
    full = c.pull_all(None, limit=9)
    counts = Counter(t for t, _ in full.row_keys())
    assert len(full.row_keys()) == len(set(full.row_keys())) == database.synced_row_count()
    for table, n in counts.items():
        assert database.scalar(f"SELECT count(*) FROM {table}") == n
    versions = [int(p["cursor"].rsplit(":", 1)[1]) for p in full.pages]
    assert versions == sorted(versions)


def test_pull_rejects_bad_input(server: ServerProcess, client_for: Callable[[str], Client]) -> None:
    c = client_for("officer")
    url = f"{server.base_url}/sync/pull"
    epoch = c.pull()["epoch"]
    cases: list[tuple[dict[str, str | int], int]] = [
        ({"client_id": c.client_id, "cursor": "no-colon"}, 400),
        ({"client_id": c.client_id, "cursor": f"{epoch}:-1"}, 400),
        ({"client_id": c.client_id, "cursor": f"{epoch}:abc"}, 400),
        ({"client_id": c.client_id, "cursor": "x" * 200}, 422),
        ({"client_id": "not-a-uuid"}, 422),
        ({}, 422),
        ({"client_id": c.client_id, "limit": 0}, 422),
        ({"client_id": c.client_id, "limit": "many"}, 422),
    ]
    for params, status in cases:
        r = requests.get(url, params=params, headers=c.headers, timeout=10)
        assert r.status_code == status, (params, r.status_code, r.text)
    # a cursor ahead of the server (restored backup, same epoch) means a full reset
    page = c.pull(f"{epoch}:{10**12}")
    assert page["reset"] is True


def test_concurrent_identical_pushes_apply_once(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    """A workstation retrying while its first push is still in flight: one apply."""
    c = client_for("officer")
    batch = [mutation(i + 1, "township.upsert", township_args()) for i in range(5)]
    rows, version = database.synced_row_count(), server.version()
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: c.push(batch), range(6)))
    assert all(r.status_code == 200 for r in replies), [r.text for r in replies]
    bodies = [r.json() for r in replies]
    assert all(b == bodies[0] for b in bodies)
    assert [r["status"] for r in bodies[0]["results"]] == ["applied"] * 5
    assert server.version() == version + 5
    assert database.synced_row_count() == rows + 5
    assert (
        database.scalar("SELECT count(*) FROM audit_log WHERE client_id = :c", c=c.client_id) == 5
    )


def test_concurrent_clients_get_a_gap_free_global_sequence(
    server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    clients = [client_for(role) for role in ("admin", "leader", "officer", "officer")]
    version = server.version()

    def work(c: Client) -> list[int]:
        versions = []
        for _ in range(4):
            [result] = c.apply(("township.upsert", township_args()))
            versions.append(result["version"])
        return versions

    with ThreadPoolExecutor(len(clients)) as pool:
        per_client = list(pool.map(work, clients))
    every = sorted(v for versions in per_client for v in versions)
    assert every == list(range(version + 1, version + 17))  # unique, no holes
    assert all(v == sorted(v) for v in per_client)  # each client's in its own order


def test_empty_push_registers_the_workstation(
    server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    c = client_for("officer")
    version = server.version()
    r = c.push([])
    assert r.status_code == 200
    assert r.json() == {"last_mutation_id": 0, "results": []}
    assert server.version() == version
    thief = client_for("leader")
    thief.client_id = c.client_id
    assert thief.push([]).status_code == 403
