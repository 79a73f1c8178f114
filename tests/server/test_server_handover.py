"""交接班 through a real duty-server (both backends): the server itself refuses the author's
own signature, a signature by anyone but the named incoming account, any edit, second
signature or discard of a signed handover, and hostile handovers; the refused pushes change
nothing. The 值班日志's lines are kept once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from server_testkit import Client, Database, ServerProcess, fresh_database, fresh_server

from console.domain import handover as ho
from console.domain.ids import new_id

SIGN_AT = "2026-11-30T08:31:00+08:00"


@pytest.fixture(scope="module")
def database(
    backend: str, database_factory: Callable[[str], Database], passwords: dict[str, str]
) -> Database:
    return fresh_database(backend, database_factory, passwords)


@pytest.fixture(scope="module")
def server(
    database: Database, server_factory: Callable[[Database], ServerProcess]
) -> Iterator[ServerProcess]:
    yield from fresh_server(database, server_factory)


def _handover(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "shift_key": "2026-11-29#0",
        "shift_start": "2026-11-29T08:30:00+08:00",
        "shift_end": "2026-11-30T08:30:00+08:00",
        "generated_at": "2026-11-30T08:20:00+08:00",
        "content": ho.make_content({"calls": ["21:05 自然灾害：湖山乡山洪冲毁便桥（接报）"]}),
        "instructions": "北界镇雨情持续关注",
        **override,
    }


def _refused(client: Client, name: str, args: dict[str, Any], code: str) -> str:
    [result] = client.apply((name, args))
    assert (result["status"], result["code"]) == ("rejected", code), result
    return str(result["message"])


def test_only_another_account_signs_and_a_signed_handover_never_changes(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer, officer_elsewhere = client_for("officer"), client_for("officer")
    leader, admin, readonly = client_for("leader"), client_for("admin"), client_for("readonly")
    args = _handover()
    assert officer.apply(("handover.create", args))[0]["status"] == "applied"
    sign = {"id": args["id"], "at": SIGN_AT, "remarks": "已阅"}
    version, digest = server.version(), database.digest()
    # The same account on another workstation is still the author.
    assert _refused(officer_elsewhere, "handover.sign", sign, "forbidden") == ho.SELF_SIGN_REFUSAL
    assert readonly.push([readonly.next("handover.sign", sign)]).status_code == 403
    assert (server.version(), database.digest()) == (version, digest)

    assert leader.apply(("handover.sign", sign))[0]["status"] == "applied"
    [row] = database.rows("SELECT * FROM handovers WHERE id = :h", h=args["id"])
    assert (row["author"], row["signed_by"], row["status"]) == ("officer", "leader", ho.SIGNED)
    assert row["signed_at"] == SIGN_AT and row["remarks"] == "已阅"

    version, digest = server.version(), database.digest()
    edit = {"id": args["id"], "fields": {"notes": "补一句"}}
    assert _refused(officer, "handover.update", edit, "signed") == ho.SIGNED_REFUSAL
    emptied = {"id": args["id"], "fields": {"content": ho.make_content({})}}
    _refused(admin, "handover.update", emptied, "signed")
    again = {"id": args["id"], "at": "2026-11-30T09:00:00+08:00"}
    _refused(admin, "handover.sign", again, "signed")
    _refused(admin, "handover.discard", {"id": args["id"]}, "signed")
    _refused(officer, "handover.create", _handover(), "signed")  # the shift is handed over
    assert (server.version(), database.digest()) == (version, digest)


def test_a_named_incoming_account_is_the_only_signer(
    database: Database, client_for: Callable[[str], Client]
) -> None:
    officer, leader, admin = client_for("officer"), client_for("leader"), client_for("admin")
    args = _handover(shift_key="2026-11-30#0", shift_start="2026-11-30T08:30:00+08:00",
                     shift_end="2026-12-01T08:30:00+08:00",
                     generated_at="2026-12-01T08:15:00+08:00", incoming="admin")  # fmt: skip
    assert officer.apply(("handover.create", args))[0]["status"] == "applied"
    sign = {"id": args["id"], "at": "2026-12-01T08:32:00+08:00"}
    assert "admin" in _refused(leader, "handover.sign", sign, "forbidden")
    # Before signing the author edits; an officer may not discard (a leader may).
    edit = {"id": args["id"], "fields": {"notes": "对讲机 3 号电量低"}}
    assert officer.apply(("handover.update", edit))[0]["status"] == "applied"
    _refused(officer, "handover.discard", {"id": args["id"]}, "forbidden")
    assert admin.apply(("handover.sign", sign))[0]["status"] == "applied"
    [row] = database.rows("SELECT signed_by, notes FROM handovers WHERE id = :h", h=args["id"])
    assert row == {"signed_by": "admin", "notes": "对讲机 3 号电量低"}


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"content": "[]"}, "bad_content"),
    ({"content": "长" * (ho.CONTENT_MAX_LEN + 1)}, "too_long"),
    ({"content": 42}, "bad_type"),
    ({"shift_key": "../../etc/passwd"}, "bad_shift"),
    ({"shift_key": "2026-11-29#0' OR 1=1"}, "too_long"),
    ({"shift_key": "2026/11/29#0"}, "bad_shift"),
    ({"incoming": "长" * 65}, "too_long"),
    ({"status": ho.SIGNED}, "unknown_field"),
    ({"signed_by": "leader"}, "unknown_field"),
    ({"generated_at": None}, "missing_field"),
]


@pytest.mark.parametrize(("override", "code"), HOSTILE)
def test_hostile_handovers_change_nothing(
    database: Database,
    server: ServerProcess,
    client_for: Callable[[str], Client],
    override: dict[str, Any],
    code: str,
) -> None:
    officer = client_for("officer")
    version, digest = server.version(), database.digest()
    _refused(officer, "handover.create", _handover(**override), code)
    _refused(officer, "handover.sign", {"id": new_id(), "at": "明天"}, "bad_time")
    assert (server.version(), database.digest()) == (version, digest)


def test_duty_log_lines_and_no_token(
    database: Database, server: ServerProcess, client_for: Callable[[str], Client]
) -> None:
    officer, readonly = client_for("officer"), client_for("readonly")
    line = {"id": new_id(), "at": "2026-11-30T09:10:00+08:00", "body": "县气象局来电通报雨情"}
    assert officer.apply(("duty_log.add", line))[0]["status"] == "applied"
    assert officer.apply(("duty_log.add", line))[0]["status"] == "applied"  # replay: no-op
    assert (
        readonly.push([readonly.next("duty_log.add", {**line, "id": new_id()})]).status_code == 403
    )
    _refused(officer, "duty_log.delete", {"id": line["id"]}, "forbidden")
    rows = database.rows("SELECT author, body FROM duty_log_entries WHERE id = :i", i=line["id"])
    assert rows == [{"author": "officer", "body": "县气象局来电通报雨情"}]
    stranger = client_for("officer")
    stranger.token = "not-a-token"
    pushed = stranger.push([stranger.next("duty_log.add", {**line, "id": new_id()})])
    assert pushed.status_code == 401
