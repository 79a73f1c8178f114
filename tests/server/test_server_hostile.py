"""Hostile and malformed pushes: a clear 4xx or a visible rejection, nothing applied, and the
same workstation can push normally right afterwards."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, mutation, township_args

from server import audit
from server.api import MAX_BODY_BYTES, MAX_MUTATIONS_PER_PUSH


@pytest.fixture(scope="module")
def ws(client_for: Callable[[str], Client]) -> Client:
    """The module's officer workstation; has pushed at least once."""
    client = client_for("officer")
    client.apply(("township.upsert", township_args()))
    return client


@pytest.fixture
def unchanged(database: Database, server: ServerProcess, ws: Client) -> Iterator[None]:
    """Asserts the test changed no synced row, no version, no audit entry, no client state;
    then that a normal push from the same workstation still works."""

    def snapshot() -> tuple[str, int, int, int]:
        return (
            database.digest(),
            server.version(),
            int(database.scalar("SELECT count(*) FROM audit_log")),
            int(ws.pull()["last_mutation_id"]),
        )

    before = snapshot()
    yield
    assert snapshot() == before
    [result] = ws.apply(("township.upsert", township_args()))
    assert result["status"] == "applied"


def _good(mid: int = 2) -> dict[str, Any]:
    return mutation(mid, "township.upsert", township_args())


def _body(ws: Client, **mutation_changes: Any) -> dict[str, Any]:
    m = _good()
    for key, value in mutation_changes.items():
        if value is _DROP:
            del m[key]
        else:
            m[key] = value
    return {"client_id": ws.client_id, "mutations": [m]}


_DROP = object()

MALFORMED: dict[str, Callable[[Client], Any]] = {
    "mutation_id-string": lambda ws: _body(ws, mutation_id="2"),
    "mutation_id-float": lambda ws: _body(ws, mutation_id=2.0),
    "mutation_id-bool": lambda ws: _body(ws, mutation_id=True),
    "mutation_id-zero": lambda ws: _body(ws, mutation_id=0),
    "mutation_id-null": lambda ws: _body(ws, mutation_id=None),
    "args-list": lambda ws: _body(ws, args=["id", "name"]),
    "args-string": lambda ws: _body(ws, args='{"id": "x"}'),
    "args-null": lambda ws: _body(ws, args=None),
    "name-number": lambda ws: _body(ws, name=7),
    "name-empty": lambda ws: _body(ws, name=""),
    "name-too-long": lambda ws: _body(ws, name="x" * 65),
    "schema_version-string": lambda ws: _body(ws, schema_version="1"),
    "hlc-too-long": lambda ws: _body(ws, hlc="9" * 65),
    "missing-name": lambda ws: _body(ws, name=_DROP),
    "missing-args": lambda ws: _body(ws, args=_DROP),
    "missing-mutation_id": lambda ws: _body(ws, mutation_id=_DROP),
    "missing-hlc": lambda ws: _body(ws, hlc=_DROP),
    "missing-mutations": lambda ws: {"client_id": ws.client_id},
    "missing-client_id": lambda ws: {"mutations": [_good()]},
    "extra-field-mutation": lambda ws: _body(ws, user="admin"),
    "extra-field-top": lambda ws: {**_body(ws), "role": "admin"},
    "mutations-object": lambda ws: {"client_id": ws.client_id, "mutations": _good()},
    "body-list": lambda ws: [_body(ws)],
    "body-null": lambda ws: None,
    "client_id-not-uuid": lambda ws: {**_body(ws), "client_id": "workstation-1"},
    "client_id-empty": lambda ws: {**_body(ws), "client_id": ""},
    "client_id-path": lambda ws: {**_body(ws), "client_id": "../../../../etc/passwd"},
    "client_id-sql": lambda ws: {**_body(ws), "client_id": "' OR 1=1 --"},
    "client_id-newline": lambda ws: {**_body(ws), "client_id": ws.client_id + "\n"},
    "client_id-surrogate": lambda ws: {**_body(ws), "client_id": "\ud800" * 36},
    "client_id-int": lambda ws: {**_body(ws), "client_id": 12345},
    "name-surrogate": lambda ws: _body(ws, name="town\udc00ship.upsert"),
    "too-many-mutations": lambda ws: {
        "client_id": ws.client_id,
        "mutations": [_good(2 + i) for i in range(MAX_MUTATIONS_PER_PUSH + 1)],
    },
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
@pytest.mark.usefixtures("unchanged")
def test_malformed_body_is_422(ws: Client, case: str) -> None:
    r = ws.push_raw(MALFORMED[case](ws))
    assert r.status_code == 422, (r.status_code, r.text)
    assert r.json()["detail"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"client_id": "',
        b"\xff\xfe\x00{",
        b"",
        b"[" * 50_000 + b"]" * 50_000,
        b'{"client_id": 1e99999}',
    ],
    ids=["broken", "truncated", "binary", "empty", "deep-nesting", "huge-exponent"],
)
@pytest.mark.usefixtures("unchanged")
def test_invalid_json_is_4xx(ws: Client, raw: bytes) -> None:
    r = ws.push_raw(data=raw)
    assert r.status_code in (400, 422), (r.status_code, r.text)


@pytest.mark.usefixtures("unchanged")
def test_huge_payload_is_413(ws: Client) -> None:
    big = _body(ws, args={**township_args(), "name": "x" * (MAX_BODY_BYTES + 10)})
    data = json.dumps(big).encode()
    assert len(data) > MAX_BODY_BYTES
    r = ws.push_raw(data=data)
    assert r.status_code == 413, r.text


@pytest.mark.usefixtures("unchanged")
def test_huge_chunked_payload_is_413(ws: Client) -> None:
    """Without a Content-Length (chunked transfer encoding) the limit still holds."""
    chunk = b" " * (1024 * 1024)

    def body() -> Iterator[bytes]:
        yield json.dumps(_body(ws)).encode()[:-1]
        for _ in range(MAX_BODY_BYTES // len(chunk) + 1):
            yield chunk
        yield b"}"

    r = ws.push_raw(data=body())
    assert r.status_code == 413, r.text


@pytest.mark.usefixtures("unchanged")
def test_lying_content_length_is_refused(ws: Client) -> None:
    r = requests.post(
        f"{ws.server.base_url}/sync/push",
        data=b"{}",
        headers={**ws.headers, "Content-Type": "application/json", "Content-Length": "-5"},
        timeout=10,
    )
    assert 400 <= r.status_code < 500


@pytest.mark.usefixtures("unchanged")
def test_small_chunked_push_still_works(ws: Client) -> None:
    body = json.dumps({"client_id": ws.client_id, "mutations": []}).encode()
    r = ws.push_raw(data=iter([body[:10], body[10:]]))
    assert r.status_code == 200, r.text
    assert r.json() == {"last_mutation_id": ws.last_id, "results": []}


@pytest.mark.usefixtures("unchanged")
def test_foreign_client_id_is_403(ws: Client, client_for: Callable[[str], Client]) -> None:
    thief = client_for("leader")  # another account, even a more powerful one
    thief.client_id = ws.client_id
    r = thief.push([_good()])
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "foreign_client"
    r = thief.push([mutation(1, "township.upsert", township_args())])  # not even a replay
    assert r.status_code == 403


@pytest.mark.usefixtures("unchanged")
def test_bad_token_push_is_401(ws: Client) -> None:
    r = requests.post(
        f"{ws.server.base_url}/sync/push",
        json={"client_id": ws.client_id, "mutations": [_good()]},
        headers={"Authorization": "Bearer " + ws.token[:-2]},
        timeout=10,
    )
    assert r.status_code == 401


# Each pushed as the next mutation followed by a good one: the bad one is visibly rejected,
# the queue goes on. (code, args or None for a township with the given override.)
REJECTED: dict[str, tuple[str, str, Any]] = {
    "unknown-mutation": ("unknown_mutation", "incident.explode", {"id": str(uuid.uuid4())}),
    "unknown-mutation-weird-name": ("unknown_mutation", "../../../" + "名" * 40, {}),
    "schema-too-new": ("schema_too_new", "township.upsert", None),
    "unknown-field": ("unknown_field", "township.upsert", {"owner": "admin"}),
    "wrong-type": ("bad_type", "township.upsert", {"name": 12}),
    "bad-choice": ("bad_choice", "township.upsert", {"kind": "省"}),
    "bad-id": ("bad_id", "township.upsert", {"id": "1; DROP TABLE townships"}),
    "nan": ("bad_value", "township.upsert", {"lon": float("nan")}),
    "float-out-of-range": ("out_of_range", "township.upsert", {"lon": 1e308}),
    "int-too-large-for-float": ("bad_args", "township.upsert", {"lon": 10**400}),
    "nul-in-text": ("bad_text", "township.upsert", {"name": "北界\u0000镇"}),
    "nul-in-key": ("bad_text", "township.upsert", {"na\u0000me": "x"}),
    "lone-surrogate": ("bad_text", "township.upsert", {"name": "北界\ud800镇"}),
    "nul-in-hlc": ("bad_text", "township.upsert", None),
    "nul-nested": ("bad_text", "incident.update", {"id": "x", "fields": {"t": ["\u0000"]}}),
    "deep-args": ("bad_id", "incident.update", {"id": [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}),
    "very-deep-args": ("bad_id", "incident.update", {"id": json.loads("[" * 900 + "]" * 900)}),
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_bad_mutation_is_rejected_and_queue_continues(
    database: Database, server: ServerProcess, ws: Client, case: str
) -> None:
    code, name, override = REJECTED[case]
    args = override if name != "township.upsert" else {**township_args(), **(override or {})}
    n = ws.last_id + 1
    bad = mutation(n, name, args)
    if case == "schema-too-new":
        bad["schema_version"] = 99
    if case == "nul-in-hlc":
        bad["hlc"] = "0001732781234567-00001-\u0000"
    good = _good(n + 1)
    digest, version = database.digest(), server.version()

    # sent as text: requests' own JSON encoder refuses NaN, which Python's parser accepts
    r = ws.push_raw(data=json.dumps({"client_id": ws.client_id, "mutations": [bad, good]}))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["last_mutation_id"] == n + 1
    rejected, applied = body["results"]
    assert rejected["status"] == "rejected", rejected
    assert rejected["code"] == code, rejected
    assert rejected["message"] and rejected["version"] is None
    assert applied["status"] == "applied"
    assert applied["version"] == version + 1 == server.version()
    ids = database.rows("SELECT id FROM townships WHERE version = :v", v=version + 1)
    assert ids == [{"id": good["args"]["id"]}]
    assert database.digest() != digest  # only the good mutation changed anything

    # the rejection is kept: a replay gets exactly the same answer
    again = ws.push_raw(data=json.dumps({"client_id": ws.client_id, "mutations": [bad, good]}))
    assert again.json() == body
    ws.last_id = n + 1
    assert ws.apply(("township.upsert", township_args()))[0]["status"] == "applied"
    # and it is audited, stored in a form both databases accept
    entries = database.rows(
        "SELECT name, args, result FROM audit_log WHERE client_id = :c AND mutation_id = :n",
        c=ws.client_id,
        n=n,
    )
    assert len(entries) == 1 and entries[0]["result"] == f"rejected:{code}"
    assert audit.verify(database.engine) == []  # the escaped entry hashes like any other
