"""Child process of test_store_crash.py: writes incidents and timeline entries as fast as it
can, in transactions of random size, until it is killed.

Usage: python burst_writer.py DATA_DIR SEED
Prints "ready" once the store is open, then "committed N" after every transaction.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console.domain.ids import new_id
from console.domain.schema import Incident
from console.store.database import open_store
from console.store.writer import Writer


def main() -> None:
    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    store = open_store(data_dir)
    writer = Writer(store)
    with store.engine.connect() as conn:
        incidents = list(conn.execute(select(Incident.id)).scalars())
    print("ready", flush=True)
    n = 0
    while True:
        calls: list[tuple[str, dict[str, Any]]] = []
        for _ in range(rng.randint(1, 8)):
            if not incidents or rng.random() < 0.3:
                rid = new_id()
                calls.append(
                    (
                        "incident.create",
                        {
                            "id": rid,
                            "received_at": f"2026-11-28T{rng.randint(0, 23):02d}:15:00+08:00",
                            "category": "自然灾害",
                            "subtype": rng.choice(["水旱", "地质", "气象"]),
                            "grade": rng.choice(["一般", "较大"]),
                            "title": f"第{seed}-{n}号险情",
                            "description": "雨" * rng.randint(0, 3000),
                            "dead": rng.randint(0, 3),
                            "lon": round(rng.uniform(118.8, 119.5), 6),
                        },
                    )
                )
                incidents.append(rid)
            else:
                calls.append(
                    (
                        "timeline.append",
                        {
                            "id": new_id(),
                            "incident_id": rng.choice(incidents),
                            "kind": rng.choice(["来电", "处置", "指令"]),
                            "body": "续报" * rng.randint(1, 1500),
                            "at": "2026-11-28T10:00:00+08:00",
                        },
                    )
                )
        writer.apply(calls, user="burst")
        n += 1
        print(f"committed {n}", flush=True)


if __name__ == "__main__":
    main()
