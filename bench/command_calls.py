"""Benchmark: 指挥一平台 at county scale (issue 12): a 叫应 list of about 2,000 recipients
down the chain (20 townships x 20 villages: 县领导包乡, 乡镇第一责任人, the village work
group of four and one 山洪预警员 per village). Times: building the call list, issuing the
order (one mutation carrying every recipient), refreshing the board (read + fold + the Qt
model), recording one acknowledgement and refreshing again, the overdue scan.

Targets (the board stays responsive): board refresh median <= 100 ms; an acknowledgement
and the refresh after it, median <= 100 ms. Exit code 1 if one fails. The county is
generated (测试镇N/测试村N), not the sample; it lives in a temporary folder.

    python bench/command_calls.py [--townships 20] [--villages 20] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from console.domain import beijing, catalog  # noqa: E402
from console.domain.ids import new_id  # noqa: E402
from console.models.order_board_model import OrderBoardModel  # noqa: E402
from console.services.context import open_workstation  # noqa: E402
from console.services.orders import OrderService  # noqa: E402


def _county(writer: object, townships: int, villages: int) -> list[str]:
    calls: list[tuple[str, dict[str, object]]] = []
    towns: list[str] = []
    phone = 13_900_000_000

    def person(name: str, role: str, **place: str) -> None:
        nonlocal phone
        phone += 1
        pid = new_id()
        calls.append(("person.upsert", {"id": pid, "name": name, "mobile": str(phone)}))
        calls.append(
            ("person_role.upsert", {"id": new_id(), "person_id": pid, "role": role, **place})
        )

    for t in range(townships):
        town = new_id()
        towns.append(town)
        calls.append(("township.upsert", {"id": town, "name": f"测试镇{t:02d}", "kind": "镇"}))
        person(f"县领导{t:02d}", "县领导包乡", township_id=town)
        person(f"镇长{t:02d}", "乡镇第一责任人", township_id=town)
        for v in range(villages):
            village = new_id()
            calls.append(
                ("village.upsert", {"id": village, "township_id": town, "name": f"测试村{v:02d}"})
            )
            for role in (*catalog.VILLAGE_WORK_GROUP, "山洪预警员"):
                person(f"{role[-2:]}{t:02d}{v:02d}", role, village_id=village)
    writer.apply(calls, user="bench")  # type: ignore[attr-defined]
    return towns


TARGET_MS = 100.0  # board refresh; acknowledgement + refresh (medians)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--villages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    one, five, _ = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {one:.1f} (1 min) {five:.1f} (5 min)")
    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workstation(Path(tmp) / "ws", autoload=False)
        try:
            started = time.perf_counter()
            towns = _county(ws.writer, opts.townships, opts.villages)
            print(f"county generated: {_ms(time.perf_counter() - started)}")
            service = OrderService.of(ws.writer)
            now = beijing.now()

            times = []
            for _ in range(opts.runs):
                t0 = time.perf_counter()
                chain = service.chain(towns)
                times.append(time.perf_counter() - t0)
            print(f"call list ({len(chain)} recipients): median {_ms(statistics.median(times))}")

            t0 = time.perf_counter()
            order = service.issue("预警叫应", chain, user="bench", now=now)
            print(f"issue (one mutation, {len(chain)} recipients): {_ms(time.perf_counter() - t0)}")

            model = OrderBoardModel()
            refresh, ack = [], []
            later = now + timedelta(minutes=7)
            for i in range(opts.runs):
                t0 = time.perf_counter()
                board = service.board(order, now=later)
                model.set_records(board.rows)
                refresh.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                service.acknowledge(order, board.rows[i].id, user="bench", at=later)
                board = service.board(order, now=later)
                model.set_records(board.rows)
                ack.append(time.perf_counter() - t0)
            assert len(board.rows) == len(chain)
            assert board.counts()["已叫应"] == opts.runs
            print(f"board refresh (read + state + model): median {_ms(statistics.median(refresh))}"
                  f", max {_ms(max(refresh))}")  # fmt: skip
            print(f"ack + board refresh: median {_ms(statistics.median(ack))}"
                  f", max {_ms(max(ack))}")  # fmt: skip
            t0 = time.perf_counter()
            late = service.overdue(now=later)
            print(f"overdue scan ({len(late)} silent past 5 min, proposals included): "
                  f"{_ms(time.perf_counter() - t0)}")  # fmt: skip
        finally:
            ws.close()
    del app
    ok = True
    for name, times in (("board refresh", refresh), ("ack + board refresh", ack)):
        met = statistics.median(times) * 1000 <= TARGET_MS
        ok = ok and met
        print(f"target: {name} median <= {TARGET_MS:.0f} ms {'PASS' if met else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
