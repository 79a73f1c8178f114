"""The file store on a real server (PostgreSQL and SQLite): upload, download and the batch
check, the digest recomputed and the size limit enforced by the server, roles and tokens
checked against the database, and hostile input (wrong digest, oversize, path tricks in the
digest, lying or missing Content-Length) leaving nothing behind on disk."""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, fresh_database

from console.domain.ids import new_id

LIMIT_MB = 10  # above the 8 MB body limit of the other endpoints: uploads have their own


@pytest.fixture(scope="module")
def files_server(
    backend: str,
    database_factory: Callable[[str], Database],
    passwords: dict[str, str],
) -> Iterator[ServerProcess]:
    """A server of this module's own, with a 10 MB file limit."""
    db = fresh_database(backend, database_factory, passwords)
    server = ServerProcess(db, env={"DUTY_SERVER_MAX_FILE_MB": str(LIMIT_MB)})
    server.start(timeout_s=120)  # a loaded shared machine starts slowly
    yield server
    server.stop()


@pytest.fixture(scope="module")
def as_role(
    files_server: ServerProcess, passwords: dict[str, str]
) -> Callable[[str], dict[str, str]]:
    tokens: dict[str, dict[str, str]] = {}

    def headers(role: str) -> dict[str, str]:
        if role not in tokens:
            tokens[role] = Client(files_server, role, passwords[role]).headers
        return tokens[role]

    return headers


def _folder(server: ServerProcess) -> Path:
    assert server.data_dir is not None
    return server.data_dir / "files"


def _stored(server: ServerProcess) -> list[Path]:
    """Every file under the store's folder (temporary ones included)."""
    folder = _folder(server)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(
    server: ServerProcess, digest: str, data: bytes, headers: dict[str, str]
) -> requests.Response:
    return requests.put(f"{server.url}/files/{digest}", data=data, headers=headers, timeout=120)


def test_an_officer_uploads_and_any_account_downloads_the_same_bytes(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]]
) -> None:
    data = b"\x89PNG\r\n" + secrets.token_bytes(4096)
    digest = _digest(data)
    missing = requests.post(
        f"{files_server.url}/files/check",
        json={"sha256": [digest]},
        headers=as_role("readonly"),
        timeout=30,
    )
    assert missing.status_code == 200 and missing.json() == {"missing": [digest]}
    first = put(files_server, digest, data, as_role("officer"))
    assert first.status_code == 201, first.text
    assert first.json() == {"sha256": digest, "size": len(data), "stored": True}
    again = put(files_server, digest, data, as_role("leader"))
    assert again.status_code == 200 and again.json()["stored"] is False
    on_disk = _folder(files_server) / digest[:2] / digest
    assert on_disk.read_bytes() == data
    for role in ("readonly", "officer", "admin"):
        got = requests.get(f"{files_server.url}/files/{digest}", headers=as_role(role), timeout=30)
        assert got.status_code == 200 and got.content == data, role
    other = _digest(b"never uploaded")
    checked = requests.post(
        f"{files_server.url}/files/check",
        json={"sha256": [digest, other, other]},
        headers=as_role("officer"),
        timeout=30,
    )
    assert checked.json() == {"missing": [other]}
    absent = requests.get(
        f"{files_server.url}/files/{other}", headers=as_role("officer"), timeout=30
    )
    assert absent.status_code == 404 and absent.json()["detail"] == "服务器上没有该文件"
    assert not [p for p in _stored(files_server) if p.name.endswith(".part")]


def test_a_file_over_the_general_body_limit_but_within_its_own_is_taken(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]]
) -> None:
    data = secrets.token_bytes(9 * 1024 * 1024)  # > 8 MB (the JSON endpoints' limit)
    digest = _digest(data)
    r = put(files_server, digest, data, as_role("officer"))
    assert r.status_code == 201, r.text
    assert (_folder(files_server) / digest[:2] / digest).stat().st_size == len(data)


def test_a_body_that_is_not_its_digest_is_refused_and_not_kept(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]]
) -> None:
    data = secrets.token_bytes(1000)
    claimed = _digest(b"something else")
    before = _stored(files_server)
    r = put(files_server, claimed, data, as_role("officer"))
    assert r.status_code == 422 and r.json() == {
        "detail": "文件内容与摘要不符",
        "code": "digest_mismatch",
    }
    assert _stored(files_server) == before
    got = requests.get(
        f"{files_server.url}/files/{claimed}", headers=as_role("officer"), timeout=30
    )
    assert got.status_code == 404


def test_too_large_is_refused_before_reading_and_in_chinese(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]]
) -> None:
    data = b"x" * (LIMIT_MB * 1024 * 1024 + 1)
    before = _stored(files_server)
    r = put(files_server, _digest(data), data, as_role("admin"))
    assert r.status_code == 413 and r.json()["detail"] == f"文件过大：最大 {LIMIT_MB} MB"
    assert _stored(files_server) == before


def _raw(server: ServerProcess, request: bytes, body: bytes = b"", *, close: bool = True) -> bytes:
    """Send raw bytes (a request requests would not make), then (``close``) half-close;
    the answer, read until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(request + body)
        if close:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _request(digest: str, headers: dict[str, str], *lines: str) -> bytes:
    head = [f"PUT /files/{digest} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *lines]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        (("Content-Length: abc",), b" 400 "),
        (("Content-Length: -5",), b" 400 "),
        (("Transfer-Encoding: chunked",), b" 411 "),
        (("Content-Length: 99999999999999999999999",), b" 400 "),
    ],
    ids=["not-a-number", "negative", "no-length", "absurd"],
)
def test_a_bad_content_length_is_refused(
    files_server: ServerProcess,
    as_role: Callable[[str], dict[str, str]],
    lines: tuple[str, ...],
    status: bytes,
) -> None:
    data = b"0123456789"
    before = _stored(files_server)
    # A chunked body is not sent: the server answers from the headers alone (an end of
    # input in the middle of a chunked body would be a client gone away).
    chunked = "chunked" in lines[0]
    request = _request(_digest(data), as_role("officer"), *lines)
    answer = _raw(files_server, request, b"" if chunked else data, close=not chunked)
    first_line = answer.split(b"\r\n", 1)[0]
    assert status in first_line or (status == b" 400 " and b" 422 " in first_line), answer[:300]
    assert _stored(files_server) == before


def test_a_body_shorter_than_announced_leaves_nothing(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]]
) -> None:
    data = secrets.token_bytes(100)
    before = _stored(files_server)
    request = _request(_digest(data), as_role("officer"), "Content-Length: 100")
    _raw(files_server, request, data[:10])  # then the link closes
    assert not requests.get(
        f"{files_server.url}/files/{_digest(data)}", headers=as_role("officer"), timeout=30
    ).ok
    assert _stored(files_server) == before


@pytest.mark.parametrize(
    "digest",
    [
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "A" * 64,  # uppercase: not the stored form
        "a" * 63,
        "a" * 65,
        "a" * 63 + "g",
        "a" * 62 + "%2F" + "a",
        "a" * 64 + "%00",
        "a" * 64 + ".part",
    ],
)
def test_path_tricks_in_the_digest_reach_no_file(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]], digest: str
) -> None:
    before = _stored(files_server)
    headers = as_role("admin")
    up = requests.put(f"{files_server.url}/files/{digest}", data=b"x", headers=headers, timeout=30)
    down = requests.get(f"{files_server.url}/files/{digest}", headers=headers, timeout=30)
    assert up.status_code in (404, 405, 422) and down.status_code in (404, 422)
    assert b"root:" not in down.content
    assert _stored(files_server) == before
    checked = requests.post(
        f"{files_server.url}/files/check", json={"sha256": [digest]}, headers=headers, timeout=30
    )
    assert checked.status_code == 422


def test_without_a_valid_token_nothing_is_answered(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]]
) -> None:
    data = b"secret plan"
    digest = _digest(data)
    assert put(files_server, digest, data, as_role("officer")).status_code == 201
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic eA=="}):
        assert put(files_server, digest, data, headers).status_code == 401
        got = requests.get(f"{files_server.url}/files/{digest}", headers=headers, timeout=30)
        assert got.status_code == 401 and got.content != data
        check = requests.post(
            f"{files_server.url}/files/check",
            json={"sha256": [digest]},
            headers=headers,
            timeout=30,
        )
        assert check.status_code == 401


def test_read_only_and_ingest_accounts_may_not_upload(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]]
) -> None:
    data = secrets.token_bytes(64)
    digest = _digest(data)
    r = put(files_server, digest, data, as_role("readonly"))
    assert r.status_code == 403 and r.json()["detail"] == "“只读”角色无权上传文件"
    r = put(files_server, digest, data, as_role("ingest"))
    assert r.status_code == 403 and "数据接入账号" in r.json()["detail"]
    got = requests.get(f"{files_server.url}/files/{digest}", headers=as_role("ingest"), timeout=30)
    assert got.status_code == 403
    assert not (_folder(files_server) / digest[:2] / digest).exists()


def test_a_revoked_account_is_refused_at_once(
    files_server: ServerProcess, passwords: dict[str, str]
) -> None:
    assert files_server.db is not None
    name = f"temp-{new_id()[:8]}"
    files_server.db.create_user(name, "officer", "password-1234")
    headers = Client(files_server, name, "password-1234").headers
    data = secrets.token_bytes(32)
    assert put(files_server, _digest(data), data, headers).status_code == 201
    from server.auth import change_account

    change_account(files_server.db.engine, name, disabled=True)
    assert put(files_server, _digest(data + b"!"), data + b"!", headers).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"sha256": "a" * 64},
        {"sha256": [1, 2]},
        {"sha256": ["a" * 64] * 1001},
        {"digests": ["a" * 64]},
        [],
    ],
    ids=["not-a-list", "numbers", "too-many", "wrong-key", "not-an-object"],
)
def test_the_check_takes_only_a_bounded_list_of_digests(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]], body: object
) -> None:
    r = requests.post(
        f"{files_server.url}/files/check", json=body, headers=as_role("officer"), timeout=30
    )
    assert r.status_code == 422


def test_a_drill_workstation_cannot_reach_the_real_file_store(
    files_server: ServerProcess, as_role: Callable[[str], dict[str, str]]
) -> None:
    data = b"drill"
    headers = {**as_role("officer"), "X-Duty-Drill": "1"}
    assert put(files_server, _digest(data), data, headers).status_code == 409
    assert not (_folder(files_server) / _digest(data)[:2]).exists()


def test_the_drill_file_store_is_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.cli import _files_dir

    monkeypatch.delenv("DUTY_SERVER_FILES_DIR", raising=False)
    monkeypatch.delenv("DUTY_SERVER_DATA_DIR", raising=False)

    def folder(**kw: object) -> Path:
        args = argparse.Namespace(**{"data_dir": tmp_path, "drill": False, "files_dir": None, **kw})
        return _files_dir(args)

    assert folder() == tmp_path.resolve() / "files"
    assert folder(drill=True) == tmp_path.resolve() / "drill" / "files"
    chosen = tmp_path / "elsewhere"
    assert folder(files_dir=chosen) == chosen.resolve()
    assert folder(files_dir=chosen, drill=True) == chosen.resolve() / "drill"
    monkeypatch.setenv("DUTY_SERVER_FILES_DIR", str(chosen))
    assert folder(drill=True) == chosen.resolve() / "drill"
    assert os.path.commonpath([folder(), folder(drill=True)]) != str(folder(drill=True))


def test_any_officer_attaches_a_file_to_a_case_and_only_the_leader_detaches_it(
    files_server: ServerProcess, passwords: dict[str, str]
) -> None:
    officer = Client(files_server, "officer", passwords["officer"])
    leader = Client(files_server, "leader", passwords["leader"])
    case_id, attachment_id = new_id(), new_id()
    [made] = officer.apply(("case.create", {"id": case_id, "title": "某村滑坡", "hazard": "滑坡"}))
    assert made["status"] == "applied", made
    attach = {
        "id": attachment_id,
        "case_id": case_id,
        "name": "现场.png",
        "kind": "图片",
        "size": 10,
        "sha256": _digest(b"0123456789"),
    }
    bad = [
        {**attach, "id": new_id(), "sha256": "../../etc/passwd".ljust(64, "a")},
        {**attach, "id": new_id(), "sha256": "A" * 64},
        {**attach, "id": new_id(), "name": "../现场.png"},
        {**attach, "id": new_id(), "kind": "视频"},
        {**attach, "id": new_id(), "size": -1},
        {**attach, "id": new_id(), "case_id": new_id()},
        {**attach, "id": new_id(), "is_sample": True},  # a real server takes no sample
    ]
    for args in bad:
        [result] = officer.apply(("case_attachment.attach", args))
        assert result["status"] == "rejected", (args, result)
    [ok] = officer.apply(("case_attachment.attach", attach))
    assert ok["status"] == "applied", ok
    [refused] = officer.apply(("case_attachment.detach", {"id": attachment_id}))
    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")
    [done] = leader.apply(("case_attachment.detach", {"id": attachment_id}))
    assert done["status"] == "applied", done
