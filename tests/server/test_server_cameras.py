"""视频监控 through a real duty-server (both backends): camera records sync as any reference
record (leaders and administrators edit them), while the stream address and its credentials
stay on the server: only an administrator sets and reads the address (never the password
back), a signed-in duty account gets the playable address, and no pull carries either.
Hostile input (bad ids, schemes, sizes, roles, no token) is refused and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from server_testkit import Client, Database, ServerProcess

from console.domain.ids import new_id
from testkit.qt_logs import VIDEO_WARNINGS

SECRET = "Pa:ss@w/rd#1"


def _camera(**kw: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "name": "北界镇集镇路口",
        "department": "公安雪亮",
        "protocol": "RTSP",
        "groups": "防汛重点",
        **kw,
    }


def _call(
    server: ServerProcess, method: str, path: str, client: Client | None, **kw: Any
) -> requests.Response:
    headers = client.headers if client is not None else {}
    return requests.request(method, f"{server.base_url}{path}", headers=headers, timeout=30, **kw)


@pytest.fixture(scope="module")
def camera(client_for: Callable[[str], Client]) -> dict[str, Any]:
    cam = _camera()
    [result] = client_for("leader").apply(("camera.upsert", cam))
    assert result["status"] == "applied", result
    return cam


def test_an_officer_may_not_edit_cameras(client_for: Callable[[str], Client]) -> None:
    [refused] = client_for("officer").apply(("camera.upsert", _camera()))
    assert (refused["status"], refused["code"]) == ("rejected", "forbidden")


def test_admin_sets_the_address_officers_play_it_and_no_pull_carries_it(
    server: ServerProcess,
    database: Database,
    client_for: Callable[[str], Client],
    camera: dict[str, Any],
) -> None:
    admin, officer, readonly = client_for("admin"), client_for("officer"), client_for("readonly")
    path = f"/cameras/{camera['id']}/stream"
    url = "rtsp://gateway.example:554/live/ch1?token=abc"
    r = _call(
        server, "PUT", path, admin, json={"url": url, "username": "viewer", "password": SECRET}
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"url": url, "username": "viewer", "has_credentials": True}
    assert r.headers["cache-control"] == "no-store"

    shown = _call(server, "GET", path, admin)
    assert shown.json() == {"url": url, "username": "viewer", "has_credentials": True}
    assert SECRET not in shown.text
    for who in (officer, readonly):
        assert _call(server, "GET", path, who).status_code == 403
        assert _call(server, "PUT", path, who, json={"url": url}).status_code == 403
        play = _call(server, "POST", f"/cameras/{camera['id']}/play", who)
        assert play.status_code == 200, play.text
        assert play.json()["url"] == (
            "rtsp://viewer:Pa%3Ass%40w%2Frd%231@gateway.example:554/live/ch1?token=abc"
        )

    # Editing the address without typing the password again keeps it.
    again = _call(server, "PUT", path, admin, json={"url": url, "username": "viewer"})
    assert again.status_code == 200
    play = _call(server, "POST", f"/cameras/{camera['id']}/play", officer).json()["url"]
    assert "Pa%3Ass" in play

    # Credentials written into the address are split off and never echoed.
    inline = "rtsp://root:s3cret@10.0.0.9/cam"
    r = _call(server, "PUT", path, admin, json={"url": inline})
    assert r.json() == {"url": "rtsp://10.0.0.9/cam", "username": "root", "has_credentials": True}
    assert "s3cret" not in r.text

    pulled = json.dumps(officer.pull_all().pages, ensure_ascii=False)
    assert camera["name"] in pulled
    for secret in ("s3cret", SECRET, "10.0.0.9", "gateway.example"):
        assert secret not in pulled
    [stored] = database.rows("SELECT url FROM camera_streams WHERE camera_id = :c", c=camera["id"])
    assert stored == {"url": "rtsp://10.0.0.9/cam"}


@pytest.mark.parametrize(
    ("path_id", "body", "status"),
    [
        ("not-a-uuid", {"url": "rtsp://h/x"}, 422),
        ("../../etc/passwd", {"url": "rtsp://h/x"}, 404),
        (None, {"url": "http://h/x.m3u8"}, 422),  # an RTSP camera given an HTTP address
        (None, {"url": "javascript:alert(1)"}, 422),
        (None, {"url": "rtsp://h/x\r\nInjected: 1"}, 422),
        (None, {"url": "rtsp://h/" + "x" * 1000}, 422),
        (None, {"url": "rtsp://h/x", "password": "p" * 201}, 422),
        (None, {"url": 5}, 422),
        (None, {"url": "rtsp://h/x", "extra": 1}, 422),
        (None, [], 422),
    ],
)
def test_hostile_stream_input_is_refused(
    server: ServerProcess,
    client_for: Callable[[str], Client],
    camera: dict[str, Any],
    path_id: str | None,
    body: Any,
    status: int,
) -> None:
    admin = client_for("admin")
    before = _call(server, "GET", f"/cameras/{camera['id']}/stream", admin).text
    r = _call(server, "PUT", f"/cameras/{path_id or camera['id']}/stream", admin, json=body)
    assert r.status_code == status, r.text
    assert _call(server, "GET", f"/cameras/{camera['id']}/stream", admin).text == before


def test_unknown_camera_no_token_and_ingest_are_refused(
    server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("admin")
    unknown = new_id()
    r = _call(server, "PUT", f"/cameras/{unknown}/stream", admin, json={"url": "rtsp://h/x"})
    assert r.status_code == 404 and "摄像机不存在" in r.json()["detail"]
    assert _call(server, "POST", f"/cameras/{unknown}/play", admin).status_code == 404
    assert _call(server, "POST", f"/cameras/{unknown}/play", None).status_code == 401
    ingest = _call(server, "POST", f"/cameras/{unknown}/play", client_for("ingest"))
    assert ingest.status_code == 403


def test_a_camera_without_an_address_says_so(
    server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    cam = _camera(name="林业瞭望点", department="林业", protocol="HLS")
    client_for("admin").apply(("camera.upsert", cam))
    r = _call(server, "POST", f"/cameras/{cam['id']}/play", client_for("officer"))
    assert r.status_code == 404 and "尚未设置" in r.json()["detail"]


@pytest.mark.timeout(90)
@pytest.mark.qt_log_ignore(*VIDEO_WARNINGS)
def test_an_officer_workstation_plays_what_the_admin_set(
    qtbot: Any,
    server: ServerProcess,
    passwords: dict[str, str],
    client_for: Callable[[str], Client],
    camera: dict[str, Any],
) -> None:
    """End to end: the administrator points the camera at a real HTTP stream on loopback
    (with credentials, which that server ignores); an officer's workstation resolves it
    through the real client and a cell plays it."""
    from console.services.cameras import StreamResolver
    from console.sync.client import SyncClient
    from console.views.pages.video_cell import PLAYING, VideoCell
    from testkit.streams import CLIP, StreamServer

    cam = _camera(name="河道监控", department="水利", protocol="HLS")
    client_for("admin").apply(("camera.upsert", cam))
    stream = StreamServer("http", CLIP.parent).start()
    try:
        admin = SyncClient(server.base_url)
        admin.login("admin", passwords["admin"])
        admin.set_camera_stream(cam["id"], stream.url + CLIP.name, "viewer", "pw")
        assert admin.camera_stream(cam["id"]) == {
            "url": stream.url + CLIP.name,
            "username": "viewer",
            "has_credentials": True,
        }
        officer = SyncClient(server.base_url)
        officer.login("officer", passwords["officer"])
        resolved = StreamResolver(officer.camera_play).stream(cam)
        assert resolved.url == stream.url.replace("//", "//viewer:pw@") + CLIP.name
        cell = VideoCell(0)
        qtbot.addWidget(cell)
        cell.play(resolved.url, cam["name"], loop=True)
        qtbot.waitUntil(lambda: cell.state == PLAYING and cell.frames >= 5, timeout=20_000)
        cell.stop()
        admin.close()
        officer.close()
    finally:
        stream.stop()
