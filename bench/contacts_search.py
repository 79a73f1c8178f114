"""Benchmark: 通讯录 search with 10,000 people (target: under 50 ms a keystroke).

A demo workstation gets ``--people`` generated people (random Chinese names, units of the
sample county, one role each on a sample village), written through the write path. Then:
the index build (once per change of the tables: every name's pinyin) and, per keystroke,
``ContactsService.search`` as the page calls it (the change check included) while typing
initials, full pinyin, a surname, a unit, a role and a number; median and worst of
``--repeat`` runs of every keystroke.

    python bench/contacts_search.py [--people 10000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from console.domain import catalog
from console.domain.ids import new_id
from console.domain.schema import Unit, Village
from console.services.contacts import ContactsService
from console.services.context import open_workstation

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜"
    "叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎"
    "史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
)
GIVEN = (
    "伟强芳娜敏静丽磊军洋勇艳杰涛明超秀兰霞平刚桂英华建国文辉鹏飞玉红云宇浩然晨阳波斌"
    "林峰志海燕春梅雪丹亮俊成东宁"
)
TYPING = (
    "z",
    "zw",
    "zwq",
    "zhang",
    "zhangwei",
    "张",
    "张伟",
    "竹坪村",
    "村监测预警",
    "1390000",
    "金竹镇 z",
)


def generate(ws_writer: object, engine: object, people: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        units = [r[0] for r in conn.execute(select(Unit.id))]
        villages = [r[0] for r in conn.execute(select(Village.id))]
    calls: list[tuple[str, dict[str, object]]] = []
    for n in range(people):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        pid = new_id()
        calls.append(
            (
                "person.upsert",
                {
                    "id": pid,
                    "name": name,
                    "unit_id": rng.choice(units),
                    "post": "网格员",
                    "mobile": f"139{n:08d}",
                },
            )
        )
        calls.append(
            (
                "person_role.upsert",
                {
                    "id": new_id(),
                    "person_id": pid,
                    "role": rng.choice(catalog.VILLAGE_WORK_GROUP),
                    "village_id": rng.choice(villages),
                },
            )
        )
    for start in range(0, len(calls), 2000):
        ws_writer.apply(calls[start : start + 2000], user="bench")  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/contacts_search.py", description=__doc__)
    p.add_argument("--people", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=15)
    args = p.parse_args(argv)
    ws = open_workstation(Path(tempfile.mkdtemp(prefix="duty-contacts-")) / "data", demo=True)
    t0 = time.perf_counter()
    generate(ws.writer, ws.store.engine, args.people)
    print(f"generated {args.people:,} people with roles in {time.perf_counter() - t0:.1f} s")
    service = ContactsService(ws.store)
    t0 = time.perf_counter()
    index = service.index()
    print(
        f"index build ({len(index.contacts):,} people, pinyin): "
        f"{(time.perf_counter() - t0) * 1e3:.0f} ms (once per change of the tables)"
    )
    ok = True
    worst_all = 0.0
    print(f"{'keystroke text':<16} {'hits':>6} {'median ms':>10} {'worst ms':>9}")
    for text in TYPING:
        samples = []
        hits = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            hits = len(service.search(text))
            samples.append(time.perf_counter() - t0)
        median, worst = statistics.median(samples), max(samples)
        worst_all = max(worst_all, worst)
        passed = median < 0.050
        ok &= passed
        print(
            f"{text:<16} {hits:>6} {median * 1e3:>10.1f} {worst * 1e3:>9.1f} "
            f"{'PASS' if passed else 'FAIL'}"
        )
    print(
        f"worst single keystroke {worst_all * 1e3:.1f} ms; "
        f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)"
    )
    ws.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
