"""指挥一平台's acknowledgement links on a real duty-server (both backends): a signed-in
officer gets one link per recipient; on the phone page the recipient taps 收到 and feeds
back, which becomes an order.record event every workstation pulls; wrong, expired, spent
and reused links are refused without revealing the order; roles and rate limits hold."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from server_testkit import Client, Database, ServerProcess, event_stream, fresh_database
from sqlalchemy import text

from console.domain.ids import new_id
from console.domain.sms import SMS_MAX_LEN, compose
from testkit.browser import Browser

AT = "2026-07-01T06:00:00+08:00"
PUBLIC = "https://yj.suichang.example"


@pytest.fixture(scope="module")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    return fresh_database(backend, database_factory, passwords)


def _start(database: Database, env: dict[str, str]) -> ServerProcess:
    log = Path(database.workdir) / f"server-ack-{secrets.token_hex(3)}.log"
    return ServerProcess(database, log, env=env).start()


@pytest.fixture(scope="module")
def server(database: Database) -> Iterator[ServerProcess]:
    srv = _start(database, {"DUTY_SERVER_ACK_PER_MINUTE": "1000", "DUTY_SERVER_PUBLIC_URL": PUBLIC})
    yield srv
    srv.stop()


def _order(feedback: str = "数字", **override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "kind": "转移指令",
        "title": "北界镇<script>alert(1)</script>转移",
        "content": "立即组织苏村危险区人员转移 & 报告",
        "action": "报告已转移人数",
        "issued_at": AT,
        "deadline": "2026-07-01T07:00:00+08:00",
        "feedback_kind": feedback,
        "feedback_label": "已转移人数" if feedback == "数字" else "巡查情况",
        "recipients": [
            {"id": new_id(), "name": "王镇长", "rank": 1, "sent_at": AT},
            {"id": new_id(), "name": "李村长", "rank": 2, "sent_at": AT},
        ],
        **override,
    }


def _links(client: Client, order: dict[str, Any], **body: Any) -> requests.Response:
    ids = body.pop("recipient_ids", [r["id"] for r in order["recipients"]])
    return requests.post(
        f"{client.server.base_url}/orders/{order['id']}/ack-links",
        json={"recipient_ids": ids, **body},
        headers=client.headers,
        timeout=30,
    )


def _paths(client: Client, order: dict[str, Any]) -> list[str]:
    r = _links(client, order)
    assert r.status_code == 200, r.text
    return [link["path"] for link in r.json()["links"]]


def _events(database: Database, order: dict[str, Any]) -> list[dict[str, Any]]:
    return database.rows(
        "SELECT recipient_id, kind, channel, answered_by, value, note, updated_by "
        "FROM order_events WHERE order_id = :o ORDER BY version",
        o=order["id"],
    )


def test_a_recipient_acknowledges_and_feeds_back_from_the_phone(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    order = _order()
    assert officer.apply(("order.issue", order))[0]["status"] == "applied"
    r = _links(officer, order)
    assert r.status_code == 200, r.text
    body = r.json()
    [first, second] = body["links"]
    assert first["recipient_id"] == order["recipients"][0]["id"]
    assert re.fullmatch(r"/ack/[A-Za-z0-9_-]{43}", first["path"])
    assert first["url"] == PUBLIC + first["path"] and first["path"] != second["path"]
    url = server.base_url + first["path"]

    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert "致 王镇长" in page.text and "收到" in page.text and "已转移人数" in page.text

    version = server.version()
    done = requests.post(url, data={"action": "ack"}, timeout=10)
    assert done.status_code == 200 and "已收到" in done.text
    assert server.version() == version + 1
    again = requests.post(url, data={"action": "ack"}, timeout=10)
    assert again.status_code == 409 and "无需重复" in again.text
    bad = requests.post(url, data={"action": "feedback", "value": "三十"}, timeout=10)
    assert bad.status_code == 400 and "请填写“已转移人数”" in bad.text
    fed = requests.post(
        url, data={"action": "feedback", "value": "37", "note": "已到安置点"}, timeout=10
    )
    assert fed.status_code == 200 and "反馈已送达" in fed.text

    assert _events(database, order) == [
        {"recipient_id": first["recipient_id"], "kind": "已叫应", "channel": "链接",
         "answered_by": "王镇长", "value": None, "note": "", "updated_by": "短信回执"},
        {"recipient_id": first["recipient_id"], "kind": "已反馈", "channel": "链接",
         "answered_by": "王镇长", "value": 37.0, "note": "已到安置点", "updated_by": "短信回执"},
    ]  # fmt: skip
    # Spent: both uses made. Reused later: refused, the order not shown.
    spent = requests.get(url, timeout=10)
    assert spent.status_code == 410 and "已使用" in spent.text and "北界镇" not in spent.text
    reused = requests.post(url, data={"action": "feedback", "value": "99"}, timeout=10)
    assert reused.status_code == 410
    assert len(_events(database, order)) == 2

    # The other recipient's link acts for that recipient only.
    other = requests.post(server.base_url + second["path"], data={"action": "ack"}, timeout=10)
    assert other.status_code == 200
    assert {e["recipient_id"] for e in _events(database, order)} == {
        first["recipient_id"],
        second["recipient_id"],
    }


def test_a_text_feedback_also_answers_the_call(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    order = _order("文字")
    officer.apply(("order.issue", order))
    url = server.base_url + _paths(officer, order)[0]
    empty = requests.post(url, data={"action": "feedback", "note": "  "}, timeout=10)
    assert empty.status_code == 400 and "请填写“巡查情况”" in empty.text
    long = requests.post(url, data={"action": "feedback", "note": "长" * 501}, timeout=10)
    assert long.status_code == 400
    ok = requests.post(url, data={"action": "feedback", "note": "未发现险情"}, timeout=10)
    assert ok.status_code == 200
    assert requests.get(url, timeout=10).status_code == 410  # fed back = answered: spent
    assert [e["kind"] for e in _events(database, order)] == ["已反馈"]


@pytest.mark.parametrize(
    "path",
    [
        "/ack/" + "A" * 43,  # the right shape, no such link
        "/ack/short",
        "/ack/" + "A" * 42 + "%00",
        "/ack/..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_wrong_links_are_refused_without_a_hint(server: ServerProcess, path: str) -> None:
    for method in ("get", "post"):
        r = requests.request(method, server.base_url + path, data={"action": "ack"}, timeout=10)
        assert r.status_code == 404, (method, r.status_code)
        if "%2F" not in path:  # a decoded slash never reaches the page: a plain 404
            assert "链接无效" in r.text
        assert "转移" not in r.text


def test_expired_links_and_cancelled_orders(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer, leader = client_for("officer"), client_for("leader")
    order = _order()
    officer.apply(("order.issue", order))
    first, second = _paths(officer, order)
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    with database.engine.begin() as conn:
        conn.execute(
            text("UPDATE ack_links SET expires_at = :p WHERE token_hash = :h"),
            {"p": past, "h": __import__("hashlib").sha256(first[5:].encode()).hexdigest()},
        )
    for method in ("get", "post"):
        r = requests.request(method, server.base_url + first, data={"action": "ack"}, timeout=10)
        assert r.status_code == 410 and "已过期" in r.text
    leader.apply(("order.cancel", {"id": order["id"], "at": AT}))
    r = requests.post(server.base_url + second, data={"action": "ack"}, timeout=10)
    assert r.status_code == 410 and "已撤销" in r.text
    assert _events(database, order) == []
    refused = _links(officer, order)
    assert refused.status_code == 409 and "已撤销" in refused.json()["detail"]


def test_who_may_make_links(server: ServerProcess, client_for: Callable[[str], Client]) -> None:
    officer, reader = client_for("officer"), client_for("readonly")
    order = _order()
    officer.apply(("order.issue", order))
    assert _links(reader, order).status_code == 403
    anonymous = requests.post(
        f"{server.base_url}/orders/{order['id']}/ack-links",
        json={"recipient_ids": [order["recipients"][0]["id"]]},
        timeout=10,
    )
    assert anonymous.status_code == 401
    assert _links(officer, order, recipient_ids=[new_id()]).status_code == 404
    assert _links(officer, {**order, "id": new_id()}).status_code == 404
    assert _links(officer, order, recipient_ids=[]).status_code == 422
    assert _links(officer, order, ttl_minutes=0).status_code == 422
    assert _links(officer, order, ttl_minutes=10**9).status_code == 422
    assert _links(officer, order, recipient_ids=["x"] * 5001).status_code == 422


def test_rate_limits_per_source_address(
    database: Database, client_for: Callable[[str], Client], server: ServerProcess
) -> None:
    strict = _start(
        database, {"DUTY_SERVER_ACK_PER_MINUTE": "8", "DUTY_SERVER_ACK_WRONG_PER_10_MIN": "3"}
    )
    try:
        wrong = [
            requests.get(f"{strict.base_url}/ack/{secrets.token_urlsafe(32)}", timeout=10)
            for _ in range(5)
        ]
        assert [r.status_code for r in wrong] == [404, 404, 404, 429, 429]
        assert wrong[-1].headers["Retry-After"] == "600"
        officer = client_for("officer")
        order = _order()
        officer.apply(("order.issue", order))
        url = strict.base_url + _paths(officer, order)[0]
        codes = [requests.get(url, timeout=10).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]  # 8 a minute, 5 spent on guesses above
    finally:
        strict.stop()


def test_the_phone_page_in_a_real_headless_browser(
    database: Database,
    server: ServerProcess,
    client_for: Callable[[str], Client],
    tmp_path: Path,
) -> None:
    """Debian's chromium on a 360 px touch screen: the order reads without sideways
    scrolling, the buttons are thumb-sized, 收到 and a number sent from the form land as
    events, and every workstation is poked within seconds."""
    officer, watcher = client_for("officer"), client_for("leader")
    order = _order()
    officer.apply(("order.issue", order))
    url = server.base_url + _paths(officer, order)[0]
    with (
        Browser.start(tmp_path / "profile") as browser,
        event_stream(server, watcher.token) as pokes,
    ):
        browser.phone(360, 640)
        browser.open(url)
        assert browser.evaluate("innerWidth") == 360
        assert browser.evaluate("document.documentElement.scrollWidth") <= 360
        heading = browser.evaluate("document.querySelector('h1').textContent")
        assert heading == "转移指令：北界镇<script>alert(1)</script>转移"  # shown as text
        assert browser.evaluate("document.scripts.length") == 0
        assert "立即组织苏村危险区人员转移 & 报告" in browser.evaluate("document.body.innerText")
        assert browser.evaluate("document.getElementById('ack').offsetHeight") >= 44

        version = server.version()
        started = time.monotonic()
        browser.submit("document.getElementById('ack').click()")
        assert "已收到" in browser.evaluate("document.getElementById('message').textContent")
        assert browser.evaluate("!!document.getElementById('acked')")
        assert pokes.wait_for_version(version + 1, 5.0) < 5.0
        assert time.monotonic() - started < 5.0

        browser.evaluate("document.getElementById('value').value = '37'")
        browser.submit("document.getElementById('send').click()")
        assert "反馈已送达" in browser.evaluate("document.body.innerText")
        assert browser.evaluate("document.forms.length") == 0  # spent: nothing left to send
    events = _events(database, order)
    assert [(e["kind"], e["value"]) for e in events] == [("已叫应", None), ("已反馈", 37.0)]
    # On a workstation: the events come with its next pull.
    pulled = watcher.pull_all()
    mine = {
        (row["kind"], row["author"])
        for page in pulled.pages
        for row in page["rows"].get("order_events", [])
        if row["order_id"] == order["id"]
    }
    assert mine == {("已叫应", "短信回执"), ("已反馈", "短信回执")}


def test_a_server_without_a_gateway_says_so(
    server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer = client_for("officer")
    order = _order()
    officer.apply(("order.issue", order))
    r = requests.post(
        f"{server.base_url}/orders/{order['id']}/sms",
        json={"recipient_ids": [order["recipients"][0]["id"]]},
        headers=officer.headers,
        timeout=30,
    )
    assert r.status_code == 503 and "服务器未配置短信网关" in r.json()["detail"]


def test_a_long_title_is_shortened_the_link_kept_whole() -> None:
    link = "https://yj.example/ack/" + "A" * 43
    order = {"kind": "巡查指令", "title": "长" * 400, "action": "开展巡查"}
    text = compose("【遂昌县应急】", order, link)
    assert len(text) == SMS_MAX_LEN and text.endswith(link) and "…" in text
    short = compose("", {"kind": "预警叫应", "title": "暴雨红色预警", "action": ""}, link)
    assert short == f"预警叫应：暴雨红色预警。请点击确认收到并反馈：{link}"
