"""Stations' readings on a real server: POST /readings, GET /readings/pull, the readings poke,
roles, idempotency, corrections, refusals row by row, and a cursor that never skips."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, event_stream, mutation

from console.domain.ids import new_id

NOW = int(time.time()) // 300 * 300


def station_args(code: str, kind: str) -> dict[str, Any]:
    return {"id": new_id(), "code": code, "name": f"站{code}", "kind": kind}


@pytest.fixture(scope="module")
def stations(admin: Client) -> dict[str, str]:
    """code -> id: a rain gauge, a level gauge, a hydrological station (both), a reservoir,
    and a deleted station; codes unique to this module."""
    tag = new_id()[-6:]
    made = {
        f"R{tag}": "雨量站",
        f"L{tag}": "水位站",
        f"H{tag}": "水文站",
        f"K{tag}": "水库",
        f"X{tag}": "雨量站",
    }
    ids = {}
    for code, kind in made.items():
        args = station_args(code, kind)
        assert admin.apply(("station.upsert", args))[0]["status"] == "applied"
        ids[code] = args["id"]
    assert admin.apply(("station.delete", {"id": ids[f"X{tag}"]}))[0]["status"] == "applied"
    return {kind_key: code for kind_key, code in zip("RLHKX", made, strict=True)} | {
        f"id:{c}": i for c, i in ids.items()
    }


def post(server: ServerProcess, token: str, body: Any, **kw: Any) -> requests.Response:
    return requests.post(
        f"{server.base_url}/readings",
        json=body,
        headers={"Authorization": f"Bearer {token}", **kw.pop("headers", {})},
        timeout=60,
        **kw,
    )


def pull(server: ServerProcess, token: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{server.base_url}/readings/pull",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def rows_of(page: dict[str, Any]) -> list[tuple[str, int, int, float, int, int]]:
    """(station id, kind code, ts, value, interval, simulated) of a columnar page."""
    return [
        (page["stations"][s], k, t, v, i, m)
        for s, k, t, v, i, m in zip(
            page["s"], page["k"], page["t"], page["v"], page["i"], page["m"], strict=True
        )
    ]


def pull_all(server: ServerProcess, token: str, after: int, **params: Any) -> tuple[list[Any], int]:
    got: list[Any] = []
    while True:
        r = pull(server, token, after=after, **params)
        assert r.status_code == 200, r.text
        page = r.json()
        got += rows_of(page)
        after = page["last_seq"]
        if not page["more"]:
            return got, after


@pytest.fixture(scope="module")
def ingest(client_for: Callable[[str], Client]) -> Client:
    return client_for("ingest")


def test_ingest_is_idempotent_and_takes_corrections(
    server: ServerProcess, ingest: Client, admin: Client, stations: dict[str, str]
) -> None:
    rain, hydro = stations["R"], stations["H"]
    start = pull(server, admin.token).json()["last_seq"]
    batch = [
        {"station": rain, "kind": "rain", "ts": NOW - 600, "value": 1.5},
        {"station": rain, "kind": "rain", "ts": NOW - 300, "value": 0.0},
        {"station": hydro, "kind": "level", "ts": NOW - 300, "value": 231.25},
        {"station": hydro, "kind": "rain", "ts": NOW - 3600, "value": 12.5, "interval_s": 3600},
    ]
    first = post(server, ingest.token, {"rows": batch}).json()
    assert (first["accepted"], first["updated"], first["unchanged"]) == (4, 0, 0)
    assert first["refused"] == [] and first["last_seq"] >= start + 4
    again = post(server, ingest.token, {"rows": batch}).json()
    assert (again["accepted"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert again["last_seq"] == first["last_seq"]  # nothing new: no seq taken
    batch[0]["value"] = 2.0
    fixed = post(server, ingest.token, {"rows": batch}).json()
    assert (fixed["accepted"], fixed["updated"], fixed["unchanged"]) == (0, 1, 3)
    assert fixed["last_seq"] == first["last_seq"] + 1
    got, _ = pull_all(server, admin.token, start)
    mine = [r for r in got if r[0] in (stations[f"id:{rain}"], stations[f"id:{hydro}"])]
    # One row per key, the correction last (a new seq) and with its new value.
    assert len(mine) == 4
    assert mine[-1] == (stations[f"id:{rain}"], 0, NOW - 600, 2.0, 300, 0)
    assert (stations[f"id:{hydro}"], 0, NOW - 3600, 12.5, 3600, 0) in mine
    assert (stations[f"id:{hydro}"], 1, NOW - 300, 231.25, 0, 0) in mine


HOSTILE: list[tuple[Any, str]] = [
    ("not an object", "每行应为一个对象"),
    (None, "每行应为一个对象"),
    ({"station": "{R}", "kind": "rain", "ts": NOW, "value": "1.5"}, "数值应为有限的数字"),
    ({"station": "{R}", "kind": "rain", "ts": NOW, "value": True}, "数值应为有限的数字"),
    ({"station": "{R}", "kind": "rain", "ts": NOW, "value": 10**30}, "数值应为有限的数字"),
    ({"station": "{R}", "kind": "rain", "ts": str(NOW), "value": 1}, "时间无效"),
    ({"station": "{R}", "kind": "rain", "ts": 10**20, "value": 1}, "时间无效"),
    ({"station": "{R}", "kind": "rain", "ts": NOW + 3600, "value": 1}, "超前当前时间"),
    ({"station": "{R}", "kind": "rain", "ts": NOW, "value": -1}, "雨量应在 0 到 100 毫米之间"),
    ({"station": "{R}", "kind": "rain", "ts": NOW, "value": 1, "interval_s": 60}, "雨量时段"),
    ({"station": "{R}", "kind": "level", "ts": NOW, "value": 1}, "雨量站没有水位读数"),
    ({"station": "{K}", "kind": "rain", "ts": NOW, "value": 1}, "水库没有雨量读数"),
    ({"station": "{L}", "kind": "level", "ts": NOW, "value": 1e6}, "水位应在"),
    ({"station": "{L}", "kind": "level", "ts": NOW, "value": 1, "interval_s": 300}, "时段应为 0"),
    ({"station": "{X}", "kind": "rain", "ts": NOW, "value": 1}, "不存在或已删除"),
    ({"station": "NOPE", "kind": "rain", "ts": NOW, "value": 1}, "不存在或已删除"),
    ({"station": "{R}\x00", "kind": "rain", "ts": NOW, "value": 1}, "站码应为"),
    ({"station": "\ud800", "kind": "rain", "ts": NOW, "value": 1}, "站码应为"),
    ({"station": "{R}" * 10, "kind": "rain", "ts": NOW, "value": 1}, "站码应为"),
    ({"station": ["{R}"], "kind": "rain", "ts": NOW, "value": 1}, "站码应为"),
    ({"station": "{R}", "kind": "snow", "ts": NOW, "value": 1}, "类型应为"),
    ({"station": "{R}", "kind": "rain", "ts": NOW, "value": 1, "extra": 1}, "未知字段"),
    ({"station": "{R}", "kind": "rain", "ts": NOW, "value": 1, "simulated": "no"}, "simulated"),
    ({"station_id": "not-a-uuid", "kind": "rain", "ts": NOW, "value": 1}, "站点编号应为 UUID"),
]


def _fill(value: Any, stations: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, stations) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, stations) for v in value]
    if isinstance(value, str):
        for key in "RLHKX":
            value = value.replace("{" + key + "}", stations[key])
    return value


def test_bad_rows_are_refused_one_by_one_with_reasons(
    server: ServerProcess, ingest: Client, admin: Client, stations: dict[str, str]
) -> None:
    good = {"station": stations["L"], "kind": "level", "ts": NOW - 900, "value": 88.5}
    rows = [_fill(raw, stations) for raw, _ in HOSTILE] + [good]
    start = pull(server, admin.token).json()["last_seq"]
    r = post(server, ingest.token, {"rows": rows})
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["accepted"] == 1
    refused = {x["index"]: x["reason"] for x in result["refused"]}
    assert sorted(refused) == list(range(len(HOSTILE)))
    for index, (_raw, reason) in enumerate(HOSTILE):
        assert reason in refused[index], (index, refused[index])
    got, _ = pull_all(server, admin.token, start)
    assert [r[2:4] for r in got] == [(NOW - 900, 88.5)]


def test_nan_and_infinity_in_the_json_are_refused_by_row(
    server: ServerProcess, ingest: Client, stations: dict[str, str]
) -> None:
    code = stations["R"]
    body = (
        '{"rows": ['
        f'{{"station": "{code}", "kind": "rain", "ts": {NOW}, "value": NaN}},'
        f'{{"station": "{code}", "kind": "rain", "ts": {NOW}, "value": Infinity}},'
        f'{{"station": "{code}", "kind": "rain", "ts": {NOW}, "value": 1e400}}]}}'
    )
    r = requests.post(
        f"{server.base_url}/readings",
        data=body,
        headers={"Authorization": f"Bearer {ingest.token}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    assert [x["reason"] for x in r.json()["refused"]] == ["数值应为有限的数字"] * 3


def test_duplicates_in_one_batch(
    server: ServerProcess, ingest: Client, stations: dict[str, str]
) -> None:
    row = {"station": stations["H"], "kind": "level", "ts": NOW - 1200, "value": 5.0}
    result = post(server, ingest.token, {"rows": [row, dict(row), {**row, "value": 6.0}]}).json()
    assert (result["accepted"], result["unchanged"]) == (1, 1)
    assert [x["index"] for x in result["refused"]] == [2]
    assert "与本批第 1 行同站同时间但数值不同" in result["refused"][0]["reason"]


def test_batch_limit_and_malformed_bodies(server: ServerProcess, ingest: Client) -> None:
    row = {"station": "A", "kind": "rain", "ts": NOW, "value": 1}
    assert post(server, ingest.token, {"rows": [row] * 20_001}).status_code == 422
    assert post(server, ingest.token, [row]).status_code == 422
    assert post(server, ingest.token, {"rows": row}).status_code == 422
    assert post(server, ingest.token, {"rows": [], "more": 1}).status_code == 422
    empty = post(server, ingest.token, {"rows": []})
    assert empty.status_code == 200 and empty.json()["accepted"] == 0


@pytest.mark.parametrize("role", ["admin", "leader", "officer", "readonly", "ingest"])
def test_role_matrix(role: str, server: ServerProcess, client_for: Callable[[str], Client]) -> None:
    """Only ingest and admin write readings; every other role reads them; the ingest
    account touches nothing else (push, pull, events)."""
    client = client_for(role)
    writes = post(server, client.token, {"rows": []}).status_code
    reads = pull(server, client.token).status_code
    assert writes == (200 if role in ("admin", "ingest") else 403)
    assert reads == (403 if role == "ingest" else 200)
    if role == "ingest":
        assert client.push([]).status_code == 403
        r = requests.get(
            f"{server.base_url}/sync/pull",
            params={"client_id": client.client_id},
            headers=client.headers,
            timeout=30,
        )
        assert r.status_code == 403
        assert "数据接入账号只能提交站点读数" in r.json()["detail"]
        with event_stream(server, client.token) as stream:
            assert stream.status == 403
    assert post(server, "forged.token", {"rows": []}).status_code == 401
    assert pull(server, "forged.token").status_code == 401


def test_disabled_ingest_account_is_refused_at_once(
    database: Database, server: ServerProcess
) -> None:
    name, password = f"feed-{new_id()[-8:]}", "a-long-password-1"
    database.create_user(name, "ingest", password)
    client = Client(server, name, password)
    assert post(server, client.token, {"rows": []}).status_code == 200
    from server.auth import change_account

    change_account(database.engine, name, disabled=True)
    assert post(server, client.token, {"rows": []}).status_code == 401


def test_pull_pages_since_and_gzip(
    server: ServerProcess, ingest: Client, admin: Client, stations: dict[str, str]
) -> None:
    code = stations["H"]
    start = pull(server, admin.token).json()["last_seq"]
    old = NOW - 20 * 86400
    rows = [{"station": code, "kind": "rain", "ts": old - i * 300, "value": 0.5} for i in range(5)]
    rows += [
        {"station": code, "kind": "rain", "ts": NOW - 86400 - i * 300, "value": 1.0}
        for i in range(7)
    ]
    assert post(server, ingest.token, {"rows": rows}).json()["accepted"] == 12
    pages = []
    after = start
    while True:
        page = pull(server, admin.token, after=after, limit=5).json()
        pages.append(page)
        after = page["last_seq"]
        if not page["more"]:
            break
    assert [len(p["t"]) for p in pages] == [5, 5, 2]
    assert all(p["stations"] == [stations[f"id:{code}"]] for p in pages)
    recent, _ = pull_all(server, admin.token, start, since=NOW - 2 * 86400)
    assert sorted(r[2] for r in recent) == sorted(NOW - 86400 - i * 300 for i in range(7))
    r = requests.get(
        f"{server.base_url}/readings/pull",
        params={"after": 0},
        headers={"Authorization": f"Bearer {admin.token}", "Accept-Encoding": "gzip"},
        timeout=30,
        stream=True,
    )
    raw = r.raw.read(decode_content=False)
    if len(raw) > 64 * 1024:  # small pages go uncompressed
        assert r.headers["Content-Encoding"] == "gzip"
        raw = gzip.decompress(raw)
    assert b'"last_seq"' in raw


def test_a_readings_poke_follows_an_ingest(
    server: ServerProcess, ingest: Client, admin: Client, stations: dict[str, str]
) -> None:
    with event_stream(server, admin.token) as stream:
        assert stream.next(10)[0] == "poke"
        row = {"station": stations["R"], "kind": "rain", "ts": NOW - 2400, "value": 3.5}
        seq = post(server, ingest.token, {"rows": [row]}).json()["last_seq"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            event, data = stream.next(deadline - time.monotonic())
            if event == "readings" and data["last_seq"] >= seq:
                break
        else:  # pragma: no cover - failure path
            raise AssertionError("no readings poke")


def test_a_poller_never_skips_a_reading_while_others_ingest(
    server: ServerProcess,
    admin: Client,
    client_for: Callable[[str], Client],
    stations: dict[str, str],
) -> None:
    """Four writers post small batches as fast as they can while a reader pulls with its
    cursor: every row written is seen exactly once (a late commit with a lower seq would be
    skipped; seqs taken under the readings lock commit in order)."""
    start = pull(server, admin.token).json()["last_seq"]
    writers = [client_for("ingest") for _ in range(4)]
    code = stations["R"]
    stop = threading.Event()
    written: list[int] = []
    lock = threading.Lock()

    def write(n: int, client: Client) -> None:
        base = NOW - 30 * 86400 + n * 86400  # each writer its own day
        i = 0
        while not stop.is_set() and i < 400:
            batch = [
                {"station": code, "kind": "rain", "ts": base + (i + j) * 60, "value": 0.1}
                for j in range(3)
            ]
            for row in batch:
                row["interval_s"] = 300
            r = post(server, client.token, {"rows": batch})
            assert r.status_code == 200 and r.json()["accepted"] == 3, r.text
            with lock:
                written.extend(row["ts"] for row in batch)
            i += 3

    threads = [threading.Thread(target=write, args=(n, c)) for n, c in enumerate(writers)]
    for t in threads:
        t.start()
    seen: list[int] = []
    after = start
    try:
        while any(t.is_alive() for t in threads):
            page = pull(server, admin.token, after=after, limit=7).json()
            seen += page["t"]
            after = page["last_seq"]
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    rest, _ = pull_all(server, admin.token, after)
    seen += [r[2] for r in rest]
    assert len(written) == 4 * 402
    assert sorted(seen) == sorted(written)


def test_a_pushed_phoned_reading_enters_the_channel(
    server: ServerProcess,
    database: Database,
    client_for: Callable[[str], Client],
    admin: Client,
    stations: dict[str, str],
) -> None:
    officer = client_for("officer")
    start = pull(server, admin.token).json()["last_seq"]
    sid = stations[f"id:{stations['K']}"]
    args = {
        "id": new_id(),
        "station_id": sid,
        "kind": "水位",
        "observed_at": datetime.fromtimestamp(NOW - 300, UTC).isoformat(),
        "value": 245.5,
        "interval_min": 0,
        "reporter": "水库管理员",
    }
    [result] = officer.apply(("reading.report", args))
    assert result["status"] == "applied", result
    got, _ = pull_all(server, admin.token, start)
    assert got == [(sid, 1, NOW - 300, 245.5, 0, 0)]
    [row] = database.rows("SELECT source FROM readings WHERE station_id = :s", s=sid)
    assert row["source"] == "phoned"
    # A replayed push is answered from the stored result: no second reading, no new seq.
    seq = pull(server, admin.token).json()["last_seq"]
    [replay] = officer.push([mutation(officer.last_id, "reading.report", args)]).json()["results"]
    assert replay["status"] == "applied"
    assert pull(server, admin.token).json()["last_seq"] == seq


def test_a_station_deleted_after_an_ingest_is_refused_at_once(
    server: ServerProcess, ingest: Client, admin: Client
) -> None:
    """Ingest caches the station list by the sync version: a deletion pushed between two
    batches is seen by the second."""
    args = station_args(f"D{new_id()[-6:]}", "雨量站")
    assert admin.apply(("station.upsert", args))[0]["status"] == "applied"
    row = {"station": args["code"], "kind": "rain", "ts": NOW - 300, "value": 1.0}
    assert post(server, ingest.token, {"rows": [row]}).json()["accepted"] == 1
    assert admin.apply(("station.delete", {"id": args["id"]}))[0]["status"] == "applied"
    again = post(server, ingest.token, {"rows": [{**row, "ts": NOW - 600}]}).json()
    assert [r["reason"] for r in again["refused"]] == [f"站码“{args['code']}”不存在或已删除"]


def test_a_station_and_its_phoned_reading_in_one_push(
    server: ServerProcess, client_for: Callable[[str], Client], admin: Client
) -> None:
    """The push's own new station is seen by the phoned reading's ingest (the station list
    is read inside the push, not from the cache of committed stations)."""
    officer = client_for("officer")
    # Warm the cache of committed stations first (an ingest at this version).
    ingest_client = client_for("ingest")
    post(server, ingest_client.token, {"rows": []})
    start = pull(server, admin.token).json()["last_seq"]
    station = station_args(f"N{new_id()[-6:]}", "水位站")
    report = {
        "id": new_id(),
        "station_id": station["id"],
        "kind": "水位",
        "observed_at": datetime.fromtimestamp(NOW - 900, UTC).isoformat(),
        "value": 3.25,
        "interval_min": 0,
    }
    results = officer.apply(("station.upsert", station), ("reading.report", report))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    got, _ = pull_all(server, admin.token, start)
    assert got == [(station["id"], 1, NOW - 900, 3.25, 0, 0)]
