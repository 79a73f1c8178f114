"""交接班 across workstations (the issue's done-when, without the screens): at 08:20 the
outgoing officer generates the handover on workstation A naming the incoming officer; on
workstation B the incoming officer (another account) sees it, signs at 08:31; A shows it
signed by them and refuses any edit, and both days' 值班日志 say who did what when. The
handover's text is the same on both, as generated on A."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sync_testkit import sync_once_cli

from console.domain import beijing
from console.domain import handover as ho
from console.domain.fields import MutationRejected
from console.domain.ids import new_id
from console.domain.shifts import shift_at
from console.services.context import open_workstation
from console.services.duty_log import DutyLogService
from console.services.handover import HandoverService
from testkit.server import ServerProcess

GENERATED = datetime(2026, 11, 30, 8, 20, tzinfo=beijing.BEIJING)
SIGNED = datetime(2026, 11, 30, 8, 31, tzinfo=beijing.BEIJING)


def test_generated_on_a_signed_on_b_seen_signed_on_a(server: ServerProcess, tmp_path: Path) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    for d in (a_dir, b_dir):
        open_workstation(d, sample_incidents=False).close()
    shift = shift_at(GENERATED)
    a = open_workstation(a_dir, autoload=False)
    a.writer.apply(
        [("incident.create", {"id": new_id(), "title": "湖山乡山洪冲毁便桥",
                              "received_at": "2026-11-29T21:05:00+08:00",
                              "category": "自然灾害"})],
        user="zhang",
    )  # fmt: skip
    handover = HandoverService.of(a.writer).create(
        shift, user="zhang", now=GENERATED, instructions="北界镇雨情持续关注", incoming="wang"
    )
    content = HandoverService(a.store).for_shift(shift)["content"]  # type: ignore[index]
    a.close()
    assert sync_once_cli(server.url, a_dir).returncode == 0

    assert sync_once_cli(server.url, b_dir, user="wang").returncode == 0
    b = open_workstation(b_dir, autoload=False)
    on_b = HandoverService.of(b.writer)
    seen = on_b.for_shift(shift)
    assert seen is not None and seen["id"] == handover and seen["status"] == ho.PENDING
    assert seen["content"] == content and seen["author"] == "zhang"
    on_b.sign(handover, user="wang", remarks="已阅，接班", at=SIGNED)
    b.close()
    assert sync_once_cli(server.url, b_dir, user="wang").returncode == 0

    assert sync_once_cli(server.url, a_dir).returncode == 0
    a = open_workstation(a_dir, autoload=False)
    try:
        on_a = HandoverService.of(a.writer)
        row = on_a.for_shift(shift)
        assert row is not None and row["status"] == ho.SIGNED
        assert (row["author"], row["generated_at"]) == ("zhang", beijing.canonical(GENERATED))
        assert (row["signed_by"], row["signed_at"]) == ("wang", beijing.canonical(SIGNED))
        assert row["content"] == content and row["remarks"] == "已阅，接班"
        with pytest.raises(MutationRejected, match="已签收"):
            on_a.save_text(handover, user="zhang", instructions="改", notes="", incoming="wang")
        assert on_a.flags(SIGNED + timedelta(hours=1)) == []  # handed over: no flag
        log = DutyLogService(a.store)
        [made] = [x for x in log.lines(shift.day) if x.kind == "交接班"]
        [took] = [x for x in log.lines(shift.day.replace(day=30)) if x.kind == "交接班"]
        assert (made.minute, made.author) == ("08:20", "zhang")
        assert (took.minute, took.author) == ("08:31", "wang") and "已阅，接班" in took.text
    finally:
        a.close()
