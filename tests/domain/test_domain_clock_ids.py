"""Hybrid logical clock and record ids.

The HLC must never go backwards on one node, compared as stamps AND as the text the
database orders by, even when the wall clock steps back. UUIDv7 must carry the right
version/variant bits and a real timestamp; reference ids must be stable forever.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from console.domain.hlc import HlcStamp, HybridLogicalClock
from console.domain.ids import REFERENCE_NAMESPACE, is_uuid, new_id, reference_id


def scripted_wall(values: list[int]) -> Iterator[int]:
    yield from values
    while True:
        yield values[-1]


def test_stamps_increase_when_the_wall_clock_goes_backwards() -> None:
    walls = [1_000, 1_000, 999, 500, 500, 1_001, 2_000, 1_500, 0, 2_000, 2_001]
    source = scripted_wall(walls)
    clock = HybridLogicalClock("node-a", wall_ms=lambda: next(source))
    stamps = [clock.now() for _ in walls]
    parsed = [HlcStamp.parse(s) for s in stamps]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert parsed == sorted(parsed)
    assert all(p.wall_ms >= w for p, w in zip(parsed, [1_000, 1_000, 1_000], strict=False))
    assert parsed[-1] == HlcStamp(2_001, 0, "node-a")
    assert parsed[-2] == HlcStamp(2_000, 3, "node-a")  # 2_000, 1_500, 0 and 2_000 share ms


def test_text_order_survives_a_long_backwards_step() -> None:
    """Counter overflow must not add a digit: "-100000-" sorts before "-99999-" as text."""
    clock = HybridLogicalClock("n", wall_ms=lambda: 5_000)
    clock.observe(str(HlcStamp(5_000, 99_990, "other")))
    stamps = [clock.now() for _ in range(30)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 30
    assert [HlcStamp.parse(s) for s in stamps] == sorted(HlcStamp.parse(s) for s in stamps)
    assert all(len(s) == len(stamps[0]) for s in stamps)


def test_observe_moves_past_a_remote_stamp_and_ignores_older_ones() -> None:
    clock = HybridLogicalClock("local", wall_ms=lambda: 1_000)
    first = clock.now()
    clock.observe("0000000000009000-00007-remote")
    after = clock.now()
    assert after > "0000000000009000-00007-remote"
    assert HlcStamp.parse(after) == HlcStamp(9_000, 8, "local")
    clock.observe(first)  # older: no effect
    assert HlcStamp.parse(clock.now()) == HlcStamp(9_000, 9, "local")


def test_stamp_text_round_trips() -> None:
    stamp = HlcStamp(1_732_781_234_567, 3, "ab-cd")
    assert str(stamp) == "0001732781234567-00003-ab-cd"
    assert HlcStamp.parse(str(stamp)) == stamp


def test_clock_is_unique_across_threads() -> None:
    clock = HybridLogicalClock("t")
    results: list[list[str]] = [[] for _ in range(4)]

    def work(out: list[str]) -> None:
        for _ in range(3_000):
            out.append(clock.now())

    threads = [threading.Thread(target=work, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
        assert not t.is_alive(), "a clock caller never returned (lock held?)"
    every = [s for r in results for s in r]
    assert len(set(every)) == len(every)
    for r in results:
        assert r == sorted(r)


def test_uuid7_bits_and_timestamp() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(2_000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    for text in ids:
        assert is_uuid(text)
        value = uuid.UUID(text)
        assert value.version == 7
        assert value.variant == uuid.RFC_4122
        assert (value.int >> 76) & 0xF == 7
        assert (value.int >> 62) & 0b11 == 0b10
        assert before <= value.int >> 80 <= after
    randoms = {uuid.UUID(t).int & ((1 << 62) - 1) for t in ids}
    assert len(randoms) == len(ids)


def test_uuid7_sorts_by_creation_across_milliseconds() -> None:
    ids = []
    for _ in range(5):
        ids.append(new_id())
        time.sleep(0.002)
    assert ids == sorted(ids)


def test_reference_ids_are_deterministic_uuid5() -> None:
    a = reference_id("village", "北界镇", "苏村")
    assert a == reference_id("village", "北界镇", "苏村")
    assert uuid.UUID(a).version == 5
    assert a == str(uuid.uuid5(REFERENCE_NAMESPACE, "village\x1f北界镇\x1f苏村"))
    # Pinned: changing the namespace or key format would fork every workstation's data.
    assert str(REFERENCE_NAMESPACE) == "6f1d3a52-61b8-4f0e-9d5e-3c2b1a0d3311"
    assert reference_id("township", "北界镇") == str(
        uuid.uuid5(uuid.UUID("6f1d3a52-61b8-4f0e-9d5e-3c2b1a0d3311"), "township\x1f北界镇")
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("village", "北界镇", "苏村"), ("village", "北界", "镇苏村")),
        (("village", "北界镇", "苏村"), ("township", "北界镇", "苏村")),
        (("team", "a"), ("team", "a", "")),
    ],
)
def test_reference_ids_do_not_collide(one: tuple[str, ...], other: tuple[str, ...]) -> None:
    assert reference_id(*one) != reference_id(*other)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x" * 36,
        None,
        12,
        "6f1d3a5261b84f0e9d5e3c2b1a0d3311",
        "0193a000-0000-7000-8000-00000000000 ",  # 35 hex digits and a space
        " 0193a000-0000-7000-8000-00000000000",
        "0193A000-0000-7000-8000-000000000000",  # another spelling of an existing id
    ],
)
def test_is_uuid_rejects(value: object) -> None:
    assert not is_uuid(value)


def test_is_uuid_accepts_canonical_ids() -> None:
    assert is_uuid(new_id())
    assert is_uuid(reference_id("township", "北界镇"))
    assert is_uuid("0193a000-0000-7000-8000-000000000000")
