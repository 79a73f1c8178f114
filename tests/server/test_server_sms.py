"""指挥一平台 by SMS through the server (server.sms_api), on a real duty-server (both
backends) and a gateway on loopback: the server texts each recipient the order with their
own acknowledgement link, using the gateway token only it holds and the numbers of its own
copy of the order; roles, ids and limits are enforced."""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, fresh_database

from console.domain.ids import new_id
from console.domain.sms import SMS_MAX_LEN
from console.services.sms import send_order
from console.sync.client import SyncClient
from server import sms_api

AT = "2026-07-01T06:00:00+08:00"
PUBLIC = "https://yj.suichang.example"
TOKEN = "gw-secret-" + secrets.token_hex(4)


class FakeGateway:
    """An SMS gateway on loopback: records each message; refuses numbers in ``refuse``."""

    def __init__(self, refuse: set[str]) -> None:
        self.received: list[tuple[dict[str, Any], str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                outer.received.append((body, self.headers.get("Authorization", "")))
                self.send_response(500 if body["to"] in refuse else 200)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway(refuse={"13800000002"})
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    return fresh_database(backend, database_factory, passwords)


@pytest.fixture(scope="module")
def server(database: Database, gateway: FakeGateway) -> Iterator[ServerProcess]:
    token_file = Path(database.workdir) / "sms-token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    env = {
        sms_api.URL_ENV: gateway.url,
        sms_api.TOKEN_FILE_ENV: str(token_file),
        "DUTY_SERVER_PUBLIC_URL": PUBLIC,
    }
    log = Path(database.workdir) / f"server-sms-{secrets.token_hex(3)}.log"
    srv = ServerProcess(database, log, env=env).start()
    yield srv
    srv.stop()


def _order(*phones: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "kind": "转移指令",
        "title": "北界镇苏村转移",
        "content": "立即组织苏村危险区人员转移",
        "action": "报告已转移人数",
        "issued_at": AT,
        "deadline": "2026-07-01T07:00:00+08:00",
        "feedback_kind": "数字",
        "feedback_label": "已转移人数",
        "recipients": [
            {"id": new_id(), "name": f"接收人{i}", "rank": 2, "sent_at": AT, "phone": phone}
            for i, phone in enumerate(phones)
        ],
    }


def _sms(client: Client, order_id: str, body: Any) -> requests.Response:
    return requests.post(
        f"{client.server.base_url}/orders/{order_id}/sms",
        json=body,
        headers=client.headers,
        timeout=30,
    )


def test_the_server_texts_each_recipient_their_own_link(
    server: ServerProcess,
    gateway: FakeGateway,
    client_for: Callable[[str], Client],
    passwords: dict[str, str],
) -> None:
    officer = client_for("officer")
    order = _order("13800000001", "13800000002", "")  # the gateway refuses the second
    assert officer.apply(("order.issue", order))[0]["status"] == "applied"
    rows = [SimpleNamespace(id=r["id"], phone=r["phone"]) for r in order["recipients"]]
    client = SyncClient(server.base_url)
    client.login("officer", passwords["officer"])
    before = len(gateway.received)
    report = send_order(client, order, rows)
    client.close()
    assert report.sent == [rows[0].id] and report.skipped == [rows[2].id]
    assert [rid for rid, _why in report.failed] == [rows[1].id]
    assert report.summary() == "已发送 1 条，1 人无手机号，1 条失败（短信网关拒绝发送（HTTP 500））"
    [(first, auth), (_second, _auth)] = gateway.received[before:]
    assert first["to"] == "13800000001" and auth == f"Bearer {TOKEN}"  # the server's token
    text = first["text"]
    assert text.startswith("【遂昌县应急】转移指令：北界镇苏村转移") and len(text) <= SMS_MAX_LEN
    link = re.search(r"https://\S+/ack/[A-Za-z0-9_-]{43}", text)
    assert link is not None and link.group(0).startswith(PUBLIC + "/ack/")
    tapped = requests.post(
        server.base_url + link.group(0).removeprefix(PUBLIC), data={"action": "ack"}, timeout=10
    )
    assert tapped.status_code == 200 and "已确认收到" in tapped.text


def test_the_numbers_are_the_servers_own(
    server: ServerProcess, gateway: FakeGateway, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    order = _order("", "13800000003")
    officer.apply(("order.issue", order))
    ids = [r["id"] for r in order["recipients"]]
    # A number sent along is refused outright: the body names recipients, nothing else.
    extra = _sms(officer, order["id"], {"recipient_ids": ids, "to": "13900000000"})
    assert extra.status_code == 422
    before = len(gateway.received)
    r = _sms(officer, order["id"], {"recipient_ids": [*ids, ids[1]]})  # a repeat counts once
    assert r.status_code == 200, r.text
    assert r.json() == {"sent": [ids[1]], "skipped": [ids[0]], "failed": []}
    assert [body["to"] for body, _ in gateway.received[before:]] == ["13800000003"]


@pytest.mark.parametrize(
    ("role", "body", "status", "said"),
    [
        ("readonly", None, 403, "无权发送叫应短信"),
        ("ingest", None, 403, "数据接入账号"),
        ("officer", {"recipient_ids": []}, 422, ""),
        ("officer", {"recipient_ids": ["../../etc/passwd"]}, 422, ""),
        ("officer", {"recipient_ids": "x"}, 422, ""),
        ("officer", {"recipient_ids": ["0" * 36] * 5001}, 422, ""),
        ("officer", {"ttl_minutes": 0}, 422, ""),
        ("officer", {"ttl_minutes": "60"}, 422, ""),
        ("officer", {"recipient_ids": [new_id()]}, 404, "不属于该指令"),
    ],
)
def test_hostile_requests_are_refused(
    server: ServerProcess,
    gateway: FakeGateway,
    client_for: Callable[[str], Client],
    role: str,
    body: dict[str, Any] | None,
    status: int,
    said: str,
) -> None:
    order = _order("13800000004")
    client_for("officer").apply(("order.issue", order))
    payload = {"recipient_ids": [order["recipients"][0]["id"]], **(body or {})}
    before = len(gateway.received)
    r = _sms(client_for(role), order["id"], payload)
    assert r.status_code == status, r.text
    assert said in json.dumps(r.json(), ensure_ascii=False)
    assert len(gateway.received) == before  # nothing sent


def test_without_a_token_or_for_an_unknown_order_nothing_is_sent(
    server: ServerProcess, gateway: FakeGateway, client_for: Callable[[str], Client]
) -> None:
    before = len(gateway.received)
    anonymous = requests.post(
        f"{server.base_url}/orders/{new_id()}/sms", json={"recipient_ids": [new_id()]}, timeout=10
    )
    assert anonymous.status_code == 401
    unknown = _sms(client_for("officer"), new_id(), {"recipient_ids": [new_id()]})
    assert unknown.status_code == 404 and "指令不存在" in unknown.json()["detail"]
    bad_id = _sms(client_for("officer"), "not-a-uuid", {"recipient_ids": [new_id()]})
    assert bad_id.status_code == 422  # the path's pattern, before any handler runs
    shaped = _sms(client_for("officer"), "-" * 36, {"recipient_ids": [new_id()]})
    assert shaped.status_code == 400 and "指令编号无效" in shaped.json()["detail"]
    assert len(gateway.received) == before


def test_the_gateway_configuration(tmp_path: Path) -> None:
    assert not sms_api.config_from_env({}).enabled
    token = tmp_path / "token"
    token.write_text(" s3cret\n", encoding="utf-8")
    config = sms_api.config_from_env(
        {sms_api.URL_ENV: "https://sms.example/send", sms_api.TOKEN_FILE_ENV: str(token)}
    )
    assert config.enabled and config.token == "s3cret" and config.problem() is None
    with pytest.raises(SystemExit, match="无法读取短信网关口令文件"):
        sms_api.config_from_env(
            {sms_api.URL_ENV: "https://sms.example/send", sms_api.TOKEN_FILE_ENV: str(tmp_path)}
        )
