"""A workstation's client key (X-Duty-Client-Key) is what entitles a push or pull to its
client id: any account signed in on the workstation (a shift handover on a shared duty-room
workstation) may use it, no account without the key may, and a client registered before
keys adopts the first key its registering account presents. Real servers, both backends."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable

import requests
from server_testkit import Client, Database, ServerProcess, mutation, township_args


def _raw_pull(client: Client) -> requests.Response:
    return requests.get(
        f"{client.server.base_url}/sync/pull",
        params={"client_id": client.client_id},
        headers=client.headers,
        timeout=30,
    )


def _as(client: Client, other: Client, key: str | None) -> Client:
    """``other``'s account, posing as ``client``'s workstation with ``key``."""
    other.client_id, other.key, other.last_id = client.client_id, key, client.last_id
    return other


def _refused(r: requests.Response) -> None:
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "foreign_client"
    assert "其他" in r.json()["detail"]


def test_next_shift_pushes_and_pulls_on_the_same_workstation(
    client_for: Callable[[str], Client], database: Database
) -> None:
    first = client_for("officer")
    assert first.apply(("township.upsert", township_args()))[0]["status"] == "applied"
    registered = int(database.scalar("SELECT count(*) FROM sync_clients WHERE username = 'leader'"))
    # The next officer signs in on the same workstation: same client id, same key.
    nxt = _as(first, client_for("leader"), first.key)
    [result] = nxt.apply(("township.upsert", township_args()))
    assert result["status"] == "applied"
    assert nxt.pull()["last_mutation_id"] == nxt.last_id
    # The mutation is the pushing account's (audit), the client id still the first's quota.
    who = database.scalar(
        "SELECT username FROM audit_log WHERE client_id = :c AND mutation_id = :m",
        c=first.client_id,
        m=nxt.last_id,
    )
    assert who == "leader"
    assert database.scalar(
        "SELECT username FROM sync_clients WHERE client_id = :c", c=first.client_id
    ) == ("officer")
    after = int(database.scalar("SELECT count(*) FROM sync_clients WHERE username = 'leader'"))
    assert after == registered
    # ...and the first officer, back on the next day's shift, goes on too.
    first.last_id = nxt.last_id
    assert first.apply(("township.upsert", township_args()))[0]["status"] == "applied"


def test_client_id_without_its_key_is_refused_to_every_account(
    client_for: Callable[[str], Client], server: ServerProcess
) -> None:
    owner = client_for("officer")
    owner.apply(("township.upsert", township_args()))
    version = server.version()
    for account in ("leader", "admin", "officer"):  # the registering account too
        for key in (None, secrets.token_hex(32)):
            thief = _as(owner, client_for(account), key)
            _refused(thief.push([mutation(owner.last_id + 1, "township.upsert", township_args())]))
            _refused(thief.push([mutation(1, "township.upsert", township_args())]))  # a replay
            _refused(_raw_pull(thief))
    assert server.version() == version
    assert owner.pull()["last_mutation_id"] == owner.last_id


def test_malformed_client_key_is_400(client_for: Callable[[str], Client]) -> None:
    ws = client_for("officer")
    for key in ("ab" * 31, "AB" * 32, "g" * 64, "a" * 65, "a" * 63 + "-", "%61" * 21 + "a"):
        ws.key = key
        r = ws.push([])
        assert r.status_code == 400, (key, r.text)
        assert r.json()["code"] == "bad_client_key"
        assert _raw_pull(ws).status_code == 400
    ws.key = "a" * 101  # beyond the header's bound: refused before the service
    assert 400 <= ws.push([]).status_code < 500


def test_keyless_client_adopts_its_registrants_first_key(
    client_for: Callable[[str], Client], database: Database
) -> None:
    """A client registered before keys (a server upgraded under it, or an old workstation)
    stays bound to its account until that account presents a key; then the key rules."""
    old = client_for("officer")
    old.key = None
    old.apply(("township.upsert", township_args()))
    stored = "SELECT key_hash FROM sync_clients WHERE client_id = :c"
    assert database.scalar(stored, c=old.client_id) is None
    key = secrets.token_hex(32)
    # Another account cannot adopt it, key or not (a thief would lock the workstation out).
    stranger = _as(old, client_for("leader"), key)
    _refused(stranger.push([]))
    _refused(_raw_pull(stranger))
    assert database.scalar(stored, c=old.client_id) is None
    # The registrant keeps working without a key, then adopts one by pulling.
    assert old.pull()["last_mutation_id"] == old.last_id
    old.key = key
    assert old.pull()["last_mutation_id"] == old.last_id
    assert database.scalar(stored, c=old.client_id) == hashlib.sha256(key.encode()).hexdigest()
    old.key = None
    _refused(old.push([]))
    old.key = secrets.token_hex(32)  # the first key stays
    _refused(_raw_pull(old))
    # Now the next shift works with it.
    stranger.last_id = old.last_id
    assert stranger.apply(("township.upsert", township_args()))[0]["status"] == "applied"


def test_keyless_client_adopts_a_key_by_pushing(
    client_for: Callable[[str], Client], database: Database
) -> None:
    old = client_for("officer")
    old.key = None
    old.apply(("township.upsert", township_args()))
    old.key = secrets.token_hex(32)
    old.apply(("township.upsert", township_args()))
    nxt = _as(old, client_for("leader"), old.key)
    assert nxt.apply(("township.upsert", township_args()))[0]["status"] == "applied"
    assert (
        database.scalar("SELECT key_hash FROM sync_clients WHERE client_id = :c", c=old.client_id)
        == hashlib.sha256(old.key.encode()).hexdigest()
    )


def test_a_refused_gap_does_not_adopt_a_key(
    client_for: Callable[[str], Client], database: Database
) -> None:
    """Adoption is part of the push's transaction: a push refused as a whole adopts nothing."""
    old = client_for("officer")
    old.key = None
    old.apply(("township.upsert", township_args()))
    old.key = secrets.token_hex(32)
    r = old.push([mutation(old.last_id + 5, "township.upsert", township_args())])
    assert r.status_code == 409, r.text
    assert (
        database.scalar("SELECT key_hash FROM sync_clients WHERE client_id = :c", c=old.client_id)
        is None
    )


def test_first_push_registers_the_key(
    client_for: Callable[[str], Client], database: Database
) -> None:
    ws = client_for("officer")
    ws.client_id = str(uuid.uuid4())
    assert ws.push([]).status_code == 200
    assert ws.key is not None
    assert (
        database.scalar("SELECT key_hash FROM sync_clients WHERE client_id = :c", c=ws.client_id)
        == hashlib.sha256(ws.key.encode()).hexdigest()
    )
