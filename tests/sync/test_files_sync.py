"""Files across workstations through a real server (issue 13): a picture attached to a case
on workstation A while offline is uploaded by A's next sync (after the records) and opens
on B, downloaded, cached, with the same digest; a plan's document likewise. Sample files
never reach the server; a file lost before its upload never blocks the records; a
workstation that cannot reach the server says 离线，联网后可下载."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docx import Document
from sync_testkit import PASSWORDS, server_database, sync_once_cli

from console.domain import files
from console.domain.ids import reference_id
from console.services.cases import CaseService
from console.services.context import Workstation, open_workstation
from console.services.files import (
    HERE,
    TO_DOWNLOAD,
    TO_UPLOAD,
    CaseFiles,
    FileError,
    ensure_local,
    list_attachments,
)
from console.services.plans import PlanService, document_path, fetch_document, search_plans
from console.store.blobs import BlobCache
from console.sync import files as sync_files
from console.sync.client import SyncClient
from testkit.server import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The sync tests' server (conftest), given longer to start on a loaded machine."""
    srv = ServerProcess(server_database(tmp_path / "server"))
    srv.start(timeout_s=120)
    yield srv
    srv.stop()


def _fetch_as(server_url: str, user: str) -> Callable[[str, Callable[[bytes], object]], None]:
    """A download from the server as ``user`` (what the page builds from its session)."""

    def fetch(digest: str, write: Callable[[bytes], object]) -> None:
        client = SyncClient(server_url)
        try:
            client.login(user, PASSWORDS[user][1])
            client.download_file(digest, write)
        finally:
            client.close()

    return fetch


def _server_file(server: ServerProcess, digest: str) -> Path:
    assert server.data_dir is not None
    return server.data_dir / "files" / digest[:2] / digest


def _sync(server: ServerProcess, data_dir: Path, user: str = "zhang") -> None:
    done = sync_once_cli(server.url, data_dir, user=user)
    assert done.returncode == 0, done.stderr


def _workstations(tmp_path: Path) -> list[Path]:
    dirs = [tmp_path / name for name in ("a", "b")]
    for d in dirs:
        open_workstation(d, sample_incidents=False).close()
    return dirs


def _picture(path: Path) -> bytes:
    """A PNG's bytes (what the file holds matters here, not that it decodes: no Qt in
    this test's process)."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(3000))
    return path.read_bytes()


def test_attached_offline_on_a_it_opens_on_b_with_the_same_digest(
    server: ServerProcess, tmp_path: Path
) -> None:
    dirs = _workstations(tmp_path)
    photo = tmp_path / "现场照片.png"
    data = _picture(photo)
    digest = hashlib.sha256(data).hexdigest()
    plan_doc = tmp_path / "山洪灾害应急预案.docx"
    doc = Document()
    doc.add_paragraph("雨量达到准备转移指标时，通知危险区群众做好转移准备。")
    doc.save(str(plan_doc))

    # A, offline: the case, its picture and a plan with its document, all written locally.
    a = open_workstation(dirs[0], autoload=False)
    try:
        case_id = CaseService(a.writer).create(
            {"title": "某村山洪", "hazard": "山洪", "occurred_on": "2024-06-18"}, user="zhang"
        )
        attachment_id = CaseFiles(a.writer).attach(case_id, photo, user="zhang", caption="桥头")
        plan_id = PlanService(a.writer, dirs[0]).save(
            {"title": "遂昌县山洪灾害防御预案", "kind": "专项预案", "level": "县级"},
            user="zhang",
            document=plan_doc,
        )
        [row] = list_attachments(a.store, case_id)
        assert (row["id"], row["name"], row["kind"], row["size"], row["sha256"]) == (
            attachment_id,
            "现场照片.png",
            files.IMAGE,
            len(data),
            digest,
        )
        assert row["state"] == TO_UPLOAD and row["caption"] == "桥头"
        photo.unlink()  # the original may go: the cache holds the file
    finally:
        a.close()
    assert not _server_file(server, digest).exists()

    _sync(server, dirs[0])
    assert _server_file(server, digest).read_bytes() == data
    a = open_workstation(dirs[0], autoload=False)
    try:
        assert list_attachments(a.store, case_id)[0]["state"] == HERE
    finally:
        a.close()

    _sync(server, dirs[1], user="li")
    b = open_workstation(dirs[1], autoload=False)
    try:
        [row] = list_attachments(b.store, case_id)
        assert row["sha256"] == digest and row["state"] == TO_DOWNLOAD
        cache = BlobCache(dirs[1])
        path = ensure_local(cache, digest, _fetch_as(server.url, "li"))
        assert path.read_bytes() == data
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert list_attachments(b.store, case_id)[0]["state"] == HERE
        opened = cache.named(digest, row["name"])
        assert opened.name == "现场照片.png" and opened.read_bytes() == data

        [plan] = search_plans(b.store, "准备转移")  # the document's text synced
        assert plan["id"] == plan_id and document_path(dirs[1], plan) is None
        got = fetch_document(dirs[1], plan, _fetch_as(server.url, "li"))
        assert got.read_bytes() == plan_doc.read_bytes() and got.suffix == ".docx"
        assert hashlib.sha256(got.read_bytes()).hexdigest() == plan["document_sha256"]
    finally:
        b.close()


def test_sample_files_never_reach_the_server(server: ServerProcess, tmp_path: Path) -> None:
    ws = open_workstation(tmp_path / "demo", demo=True, sample_incidents=False)
    try:
        case_id = reference_id("case", "北界镇苏村“9·28”山体滑坡", "2016-09-28")
        rows = list_attachments(ws.store, case_id)
        assert len(rows) == 2 and all(r["is_sample"] and r["state"] == HERE for r in rows)
        own = tmp_path / "补充材料.txt"
        own.write_text("样例案例上再附的文件", encoding="utf-8")
        CaseFiles(ws.writer).attach(case_id, own, user="zhang")  # a sample case: sample file
        assert all(r["is_sample"] for r in list_attachments(ws.store, case_id))
        assert sync_files.referenced(ws.store) == []
        client = SyncClient(server.url)
        client.login("zhang", PASSWORDS["zhang"][1])
        report = sync_files.upload_missing(ws.store, client, BlobCache(tmp_path / "demo"))
        client.close()
        assert report == sync_files.FilesReport()
    finally:
        ws.close()
    _sync(server, tmp_path / "demo")
    assert server.data_dir is not None
    assert not (server.data_dir / "files").exists() or not any(
        p.is_file() for p in (server.data_dir / "files").rglob("*")
    )


def test_a_file_lost_before_upload_never_blocks_the_records(
    server: ServerProcess, tmp_path: Path
) -> None:
    dirs = _workstations(tmp_path)
    a = open_workstation(dirs[0], autoload=False)
    lost = tmp_path / "报告.pdf"
    lost.write_bytes(b"%PDF-1.4 " + secrets.token_bytes(200))
    digest = hashlib.sha256(lost.read_bytes()).hexdigest()
    try:
        case_id = CaseService(a.writer).create(
            {"title": "某地滑坡", "hazard": "滑坡"}, user="zhang"
        )
        CaseFiles(a.writer).attach(case_id, lost, user="zhang")
        CaseService(a.writer).update(case_id, {"lessons": "提前转移"}, user="zhang")
    finally:
        a.close()
    BlobCache(dirs[0]).path(digest).unlink()  # the disk lost it before any sync
    _sync(server, dirs[0])
    _sync(server, dirs[1])
    b = open_workstation(dirs[1], autoload=False)
    try:
        [row] = list_attachments(b.store, case_id)  # the record arrived
        assert row["kind"] == files.DOCUMENT and row["state"] == TO_DOWNLOAD
        with pytest.raises(FileError, match=files.NOT_ON_SERVER):
            ensure_local(BlobCache(dirs[1]), digest, _fetch_as(server.url, "zhang"))
    finally:
        b.close()


def test_without_the_server_a_download_says_offline(server: ServerProcess, tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "ws")
    digest = hashlib.sha256(b"elsewhere").hexdigest()
    with pytest.raises(FileError, match="离线，联网后可下载"):
        ensure_local(cache, digest, None)  # signed in offline: no server to ask
    fetch = _fetch_as(server.url, "zhang")
    server.stop()
    with pytest.raises(FileError, match="离线，联网后可下载"):
        ensure_local(cache, digest, fetch)
    assert not cache.has(digest) and not list((tmp_path / "ws" / "files").rglob("*.part"))


def test_a_damaged_download_is_refused_and_not_kept(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "ws")
    digest = hashlib.sha256(b"the real file").hexdigest()

    def wrong(_digest: str, write: Callable[[bytes], object]) -> None:
        write(b"another file")

    with pytest.raises(FileError, match="校验不符"):
        ensure_local(cache, digest, wrong)
    assert not cache.has(digest)
    assert [p for p in (tmp_path / "ws" / "files").rglob("*") if p.is_file()] == []


def test_a_file_over_the_limit_is_refused_before_it_is_copied(tmp_path: Path) -> None:
    ws: Workstation = open_workstation(tmp_path / "ws", sample_incidents=False)
    try:
        case_id = CaseService(ws.writer).create({"title": "大文件", "hazard": "滑坡"}, user="zhang")
        big = tmp_path / "big.bin"
        big.write_bytes(b"x" * 2048)
        with pytest.raises(FileError, match="文件过大：最大 0 MB"):
            CaseFiles(ws.writer, max_bytes=1024).attach(case_id, big, user="zhang")
        with pytest.raises(FileError, match="找不到文件"):
            CaseFiles(ws.writer).attach(case_id, tmp_path / "gone.png", user="zhang")
        assert list_attachments(ws.store, case_id) == []
        big_digest = hashlib.sha256(big.read_bytes()).hexdigest()
        assert not BlobCache(tmp_path / "ws").has(big_digest)
    finally:
        ws.close()
