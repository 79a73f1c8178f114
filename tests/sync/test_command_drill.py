"""Issue #12's "done when", end to end through a real server: from a signed-off 研判一张单,
a transfer order goes to three townships down their responsibility chains; calls are
acknowledged by phone on one workstation and by the link page on a phone; one township
stays silent and is escalated; two workstations record transfers at once, offline; and the
county total on a third workstation is exact."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import requests
from sync_testkit import PASSWORDS, county_workbook, sync_as

from console.app import _situation_provider
from console.domain import beijing, catalog
from console.services.assessments import AssessmentService
from console.services.context import open_workstation
from console.services.io import importer, workbook
from console.services.orders import OrderService
from console.services.readings import ReadingsService
from console.services.transfers import TransferService
from console.sync.client import SyncClient
from testkit.server import ServerProcess

TOWNS = ("北界镇", "王村口镇", "金竹镇")


def test_an_order_to_three_townships_acknowledged_escalated_and_counted(
    server: ServerProcess, tmp_path: Path
) -> None:
    a, b, c = (open_workstation(tmp_path / n, autoload=False) for n in ("a", "b", "c"))
    try:
        preview = workbook.preview_book(a.store, county_workbook(tmp_path), user="zhang")
        importer.apply(a.writer, preview, user="zhang")
        sync_as(a, server, "zhang")
        assert server.cli("simulate-readings", "--scenario", "nianyu-2016", "--speed", "0")
        sync_as(a, server, "zhang")
        situation = _situation_provider(a.store, ReadingsService(a.store))()
        assert situation is not None
        sheet = AssessmentService(a.writer).propose(situation, user="zhang").sheet_id
        assert sheet is not None

        orders = OrderService.of(a.writer)
        towns = {t["name"]: str(t["id"]) for t in a.queries.townships()}
        chain = orders.chain([towns[n] for n in TOWNS])
        # The order goes to each township's 乡镇第一责任人 (its chain is on the list).
        heads = [e for e in chain if e.role == "乡镇第一责任人"]
        assert {e.township_id for e in heads} == {towns[n] for n in TOWNS}
        issued = beijing.now()
        order = orders.issue(
            "转移指令",
            heads,
            user="zhang",
            assessment_id=sheet,
            open_evacuation=True,
            now=issued,
        )
        board = orders.board(order, now=issued)
        assert board.order is not None and board.order["evacuation_id"]
        evacuation = str(board.order["evacuation_id"])
        by_town = {n: [r for r in board.rows if r.township_id == towns[n]] for n in TOWNS}

        # 北界镇 answers the officer's phone call; 王村口镇 taps 收到 on the link page.
        for row in by_town["北界镇"]:
            orders.acknowledge(order, row.id, user="zhang", answered_by=row.name)
        sync_as(a, server, "zhang")
        link_client = SyncClient(server.url)
        try:
            link_client.login("zhang", PASSWORDS["zhang"][1])
            links = link_client.ack_links(order, [r.id for r in by_town["王村口镇"]])["links"]
        finally:
            link_client.close()
        for link in links:
            done = requests.post(server.url + link["path"], data={"action": "ack"}, timeout=10)
            assert done.status_code == 200, done.text
        sync_as(a, server, "zhang")
        board = orders.board(order, now=issued)
        states = {r.id: r.state for r in board.rows}
        assert all(states[r.id].channel == "电话" for r in by_town["北界镇"])
        assert all(states[r.id].channel == "链接" for r in by_town["王村口镇"])

        # 金竹镇 stays silent past the order's time: escalated to the next one up.
        late = issued + timedelta(minutes=int(board.order["escalate_minutes"]) + 1)
        overdue = [o for o in orders.overdue(now=late) if o.order_id == order]
        silent_towns = {o.row.township_id for o in overdue}
        assert silent_towns == {towns["金竹镇"]}
        first = next(o for o in overdue if o.proposal is not None)
        assert first.proposal is not None and first.proposal.role == "县领导包乡"
        orders.escalate(order, first.row, first.proposal, user="zhang", at=late)
        board = orders.board(order, now=late)
        assert any(r.escalated_from == first.row.id for r in board.rows)

        # The order opened the evacuation: its circle, then reports from two workstations.
        in_three = [
            str(v["id"])
            for v in a.queries.villages()
            if v["township_id"] in {towns[n] for n in TOWNS}
        ]
        TransferService.of(a.writer).add_areas(evacuation, in_three, user="zhang")
        sync_as(a, server, "zhang")
        sync_as(b, server, "li")
        counts = {"a": (12, 7, 30), "b": (5, 9)}
        for ws, who, numbers in ((a, "zhang", counts["a"]), (b, "li", counts["b"])):
            service = TransferService.of(ws.writer)
            for i, n in enumerate(numbers):
                service.record(evacuation, in_three[i % len(in_three)], catalog.MOVED, n, user=who)
        sync_as(a, server, "zhang")
        sync_as(b, server, "li")
        sync_as(c, server, "zhang")
        total = TransferService.of(c.writer).roll_up(evacuation).county
        assert (total.moved, total.reports) == (63, 5)
        signed = AssessmentService(c.writer).get(sheet)
        assert signed is not None  # the sheet the order came from is on every workstation
    finally:
        for ws in (a, b, c):
            ws.close()
