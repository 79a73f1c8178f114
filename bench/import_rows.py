"""Benchmark: import a workbook of 10,000 risk points (preview, then apply) on a workstation
holding the Suichang sample county; then the same file again (every row unchanged).

Times the three steps an officer waits for: reading the .xlsx, checking every row (cells,
references, natural keys, and the trial run of the upserts that is rolled back), and the
one-batch write. Target: preview + apply of the new rows in under 30 s. Exit 1 if missed.

    python bench/import_rows.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from console.domain import catalog
from console.services.io import importer
from console.services.io.layout import LAYOUTS
from console.services.io.xlsx import read_xlsx, write_xlsx
from console.services.sample_data import load_sample, read_sample
from console.store.database import open_store
from console.store.writer import Writer

TARGET_S = 30.0


def workbook(path: Path, rows: int) -> None:
    county = read_sample()
    villages = [(v["township"], v["name"]) for v in county["villages"]]
    headers = LAYOUTS["risk_points"].headers
    rng = random.Random(10)
    data = []
    for i in range(rows):
        town, village = rng.choice(villages)
        cells = {
            "所属乡镇": town,
            "所属村": village,
            "风险点类型": rng.choice(catalog.RISK_POINT_TYPES),
            "风险点名称": f"{village}第{i + 1}号风险点",
            "影响户数": rng.randint(1, 80),
            "影响人数": rng.randint(1, 300),
            "责任人": "测试责任人",
            "责任人电话": f"139{i:08d}",
            "转移路线": "沿村道向村委会方向转移",
            "经度": round(118.9 + rng.random() * 0.5, 6),
            "纬度": round(28.3 + rng.random() * 0.5, 6),
            "备注": "基准测试数据",
        }
        data.append([cells.get(h) for h in headers])
    write_xlsx(path, "风险点", headers, data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "risk_points.xlsx"
        workbook(book, args.rows)
        store = open_store(folder / "ws")
        writer = Writer(store)
        load_sample(writer, user="bench", incidents=False)
        try:
            t0 = time.perf_counter()
            sheet = read_xlsx(book)
            t1 = time.perf_counter()
            result = importer.preview_sheet(store, "risk_points", sheet, book.name)
            t2 = time.perf_counter()
            assert not result.refused, result.refused[:3]
            assert result.count(importer.NEW) == args.rows
            changes = importer.apply(writer, result, user="bench")
            t3 = time.perf_counter()
            again = importer.preview(store, "risk_points", book)
            t4 = time.perf_counter()
            assert again.count(importer.UNCHANGED) == args.rows
        finally:
            store.close()
    total = t3 - t0
    report = {
        "rows": args.rows,
        "read_xlsx_s": round(t1 - t0, 2),
        "check_s": round(t2 - t1, 2),
        "apply_s": round(t3 - t2, 2),
        "preview_plus_apply_s": round(total, 2),
        "written": len(changes.rows),
        "reimport_preview_s": round(t4 - t3, 2),
        "target_s": TARGET_S,
        "ok": total < TARGET_S,
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
