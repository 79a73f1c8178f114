"""交接班 and 值班日志 mutations: created, edited while pending, signed by another account
only, frozen once signed (edits, second signatures and discards refused in Chinese), and
the hand-written log lines append-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from console.domain import handover as ho
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.mutations import fetch

Run = Callable[..., Any]  # the ``run`` fixture of tests/domain/conftest.py
GENERATED = "2026-11-30T08:20:00+08:00"
SIGNED_AT = "2026-11-30T08:31:00+08:00"


def handover_args(**override: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "shift_key": "2026-11-29#0",
        "shift_start": "2026-11-29T08:30:00+08:00",
        "shift_end": "2026-11-30T08:30:00+08:00",
        "generated_at": GENERATED,
        "content": ho.make_content({"incidents": ["湖山乡山洪：续报 剩 2 小时"]}),
        "instructions": "关注北界镇雨情",
        "notes": "",
        "incoming": "",
        **override,
    }


def _refused(run: Run, name: str, args: dict[str, Any], user: str, code: str) -> str:
    with pytest.raises(MutationRejected) as caught:
        run(name, args, user=user)
    assert caught.value.code == code
    return str(caught.value.message)


def test_pending_is_edited_then_signed_by_another_and_never_changes(
    run: Run, conn: Connection
) -> None:
    args = handover_args()
    assert len(run("handover.create", args, user="zhang")) == 1
    assert run("handover.create", args, user="zhang") == []  # identical replay
    edit = {"id": args["id"], "fields": {"notes": "对讲机 3 号电量低"}}
    assert len(run("handover.update", edit, user="zhang")) == 1
    row = fetch(conn, "handovers", args["id"])
    assert row is not None and row["status"] == ho.PENDING and row["author"] == "zhang"

    message = _refused(
        run, "handover.sign", {"id": args["id"], "at": SIGNED_AT}, "zhang", "forbidden"
    )
    assert message == ho.SELF_SIGN_REFUSAL
    sign = {"id": args["id"], "at": SIGNED_AT, "remarks": "已阅，接班"}
    assert len(run("handover.sign", sign, user="wang")) == 1
    assert run("handover.sign", sign, user="wang") == []  # the same signature replayed
    row = fetch(conn, "handovers", args["id"])
    assert row is not None
    assert (row["status"], row["signed_by"], row["signed_at"], row["remarks"]) == (
        ho.SIGNED,
        "wang",
        SIGNED_AT,
        "已阅，接班",
    )
    assert row["author"] == "zhang" and row["generated_at"] == GENERATED
    frozen = dict(row)

    assert _refused(run, "handover.update", edit, "zhang", "signed") == ho.SIGNED_REFUSAL
    changed = {"id": args["id"], "fields": {"content": ho.make_content({})}}
    _refused(run, "handover.update", changed, "li", "signed")
    again = {"id": args["id"], "at": "2026-11-30T09:00:00+08:00"}
    assert "wang" in _refused(run, "handover.sign", again, "li", "signed")
    _refused(run, "handover.discard", {"id": args["id"]}, "li", "signed")
    # A second handover of the signed shift is refused too.
    _refused(run, "handover.create", handover_args(), "zhang", "signed")
    assert dict(fetch(conn, "handovers", args["id"]) or {}) == frozen


def test_a_named_incoming_account_is_the_only_one_who_signs(run: Run, conn: Connection) -> None:
    args = handover_args(incoming="wang")
    run("handover.create", args, user="zhang")
    message = _refused(run, "handover.sign", {"id": args["id"], "at": SIGNED_AT}, "li", "forbidden")
    assert "wang" in message
    early = {"id": args["id"], "at": "2026-11-30T08:00:00+08:00"}
    _refused(run, "handover.sign", early, "wang", "bad_time")
    run("handover.sign", {"id": args["id"], "at": SIGNED_AT}, user="wang")
    row = fetch(conn, "handovers", args["id"])
    assert row is not None and row["signed_by"] == "wang"


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"content": "不是 JSON"}, "bad_content"),
        ({"content": '{"sections": [{"key": "x", "title": "y", "items": []}]}'}, "bad_content"),
        ({"content": '{"sections": [], "extra": 1}'}, "bad_content"),
        ({"content": ho.make_content({"calls": [1]})}, "bad_content"),  # type: ignore[list-item]
        ({"shift_key": "昨天"}, "bad_shift"),
        ({"shift_end": "2026-11-29T08:30:00+08:00"}, "bad_shift"),
        ({"generated_at": "明早"}, "bad_time"),
        ({"notes": "长" * (ho.TEXT_MAX_LEN + 1)}, "too_long"),
        ({"status": ho.SIGNED}, "unknown_field"),
        ({"author": "li"}, "unknown_field"),
    ],
)
def test_bad_handovers_are_refused(run: Run, override: dict[str, Any], code: str) -> None:
    with pytest.raises(MutationRejected) as caught:
        run("handover.create", handover_args(**override), user="zhang")
    assert caught.value.code == code, caught.value.message


def test_an_update_cannot_touch_the_shift_or_the_signature(run: Run) -> None:
    args = handover_args()
    run("handover.create", args, user="zhang")
    for fields in ({"shift_key": "2026-11-30#0"}, {"signed_by": "zhang"}, {"status": "已签收"}):
        _refused(run, "handover.update", {"id": args["id"], "fields": fields}, "zhang",
                 "unknown_field")  # fmt: skip


def test_a_pending_handover_may_be_discarded(run: Run, conn: Connection) -> None:
    args = handover_args()
    run("handover.create", args, user="zhang")
    run("handover.discard", {"id": args["id"]}, user="li")
    row = fetch(conn, "handovers", args["id"])
    assert row is not None and row["deleted"]
    _refused(run, "handover.sign", {"id": args["id"], "at": SIGNED_AT}, "wang", "not_found")


def test_duty_log_lines_are_added_once(run: Run, conn: Connection) -> None:
    line = {"id": new_id(), "at": "2026-11-30T09:10:00+08:00", "body": "县气象局来电通报雨情"}
    assert len(run("duty_log.add", line, user="zhang")) == 1
    assert run("duty_log.add", line, user="zhang") == []
    _refused(run, "duty_log.add", {**line, "body": "改过的"}, "zhang", "duplicate_id")
    _refused(run, "duty_log.add", {**line, "id": new_id(), "body": "  "}, "zhang", "missing_field")
    row = fetch(conn, "duty_log_entries", line["id"])
    assert row is not None and row["author"] == "zhang"
