"""研判一张单 and threshold alerts at county scale: a storm over all 20 townships with 600
endangered places (3 responsible people each) and 150 stations over their lines.

Prints, for a real store in a temporary folder: building the sheet from the Situation, the
first look of the alert service (750+ alerts raised in one write), a repeated look (nothing
new: the minute-by-minute case), the proposal and its dedupe, the page's reads, and the
.docx export. Run: ``.venv/bin/python bench/assessment.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.domain.assessment import build_sheet
from console.domain.ids import new_id
from console.domain.situation import (
    Endangered,
    Responsible,
    Situation,
    StationState,
    TownshipState,
)
from console.services.assessment_export import export_docx
from console.services.assessments import AssessmentService
from console.services.threshold_alerts import ThresholdAlerts
from console.store.database import open_store
from console.store.writer import Writer

LEVELS = ("蓝", "黄", "橙", "红")


def storm(at: int = 1_782_856_800) -> Situation:
    towns = [new_id() for _ in range(20)]
    return Situation(
        at=at,
        townships=tuple(
            TownshipState(
                t,
                f"乡镇{i}",
                observed={1: 30.0 + i, 3: 60.0 + i, 6: 90.0, 12: 110.0, 24: 150.0},
                peak_1h=40.0,
                forecast={6: 30.0},
                signal=LEVELS[i % 4],
                proposed_warning=LEVELS[i % 4],
            )
            for i, t in enumerate(towns)
        ),
        stations=tuple(
            StationState(
                new_id(),
                f"7010{i:04d}",
                f"水位站{i}",
                "水位站",
                towns[i % 20],
                level_m=180.0 + i / 10,
                over=("警戒水位",),
            )
            for i in range(150)
        ),
        endangered=tuple(
            Endangered(
                "risk_point",
                new_id(),
                f"隐患点{i}",
                towns[i % 20],
                None,
                LEVELS[i % 4],
                "",
                None,
                "24小时雨量 150 毫米，已达立即转移雨量 100 毫米",
                None,
                households=10,
                persons=30,
                responsible=tuple(
                    Responsible(new_id(), f"责任人{i}-{k}", "行政责任人", "13800000000")
                    for k in range(3)
                ),
            )
            for i in range(600)
        ),
        proposed_response="II",
        response_reasons=("多个乡镇 3 小时雨量超过 100 毫米",),
    )


def timed(label: str, fn: Callable[[], Any], repeat: int = 5) -> Any:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    print(
        f"{label:<44} median {statistics.median(times) * 1000:8.1f} ms"
        f"   (min {min(times) * 1000:.1f}, {repeat} runs)"
    )
    return result


def main() -> int:
    situation = storm()
    print(
        f"storm: {len(situation.townships)} townships, {len(situation.endangered)} places, "
        f"{len(situation.stations)} stations, {len(situation.crossings())} crossings"
    )
    sheet = timed("build_sheet (pure)", lambda: build_sheet(situation))
    print(f"  content {len(sheet.args()['content']):,} characters, {len(sheet.tasks)} tasks")
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder))
        try:
            writer = Writer(store)
            alerts = ThresholdAlerts(writer)
            service = AssessmentService(writer)
            timed(
                "alerts: first look (all raised, one write)",
                lambda: alerts.observe(situation, user="bench"),
                repeat=1,
            )
            timed(
                "alerts: same situation again (nothing new)",
                lambda: alerts.observe(situation, user="bench"),
            )
            timed("alerts: unacknowledged (banner read)", alerts.unacknowledged)
            timed("propose: new sheet", lambda: service.propose(situation, user="bench"), repeat=1)
            timed(
                "propose: same crossings (dedupe)", lambda: service.propose(situation, user="bench")
            )
            for _ in range(50):
                service.generate(situation, user="bench")
            timed("page read: latest_per_series, 51 sheets", service.latest_per_series)
            row = service.latest_per_series()[0]
            timed("export .docx", lambda: export_docx(row, Path(folder) / "a.docx"), repeat=3)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
