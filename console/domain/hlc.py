"""Hybrid logical clock: wall-clock milliseconds plus a counter, totally ordered as text.

Stamps look like ``0001732781234567-00003-<node>``: they compare correctly as plain strings,
so the database can order by them, and they never go backwards on one node even when the
wall clock does (NTP step, officer changing the time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_WALL_DIGITS = 16
_COUNTER_DIGITS = 5
_MAX_COUNTER = 10**_COUNTER_DIGITS - 1


@dataclass(frozen=True, order=True)
class HlcStamp:
    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}-{self.counter:0{_COUNTER_DIGITS}d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> HlcStamp:
        wall, counter, node = text.split("-", 2)
        return cls(int(wall), int(counter), node)


class HybridLogicalClock:
    """Thread-safe HLC for one node (one workstation or one server)."""

    def __init__(self, node: str, wall_ms: Callable[[], int] | None = None) -> None:
        self._node = node
        self._wall_ms = wall_ms or (lambda: time.time_ns() // 1_000_000)
        self._last = HlcStamp(0, 0, node)
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            wall = self._wall_ms()
            if wall > self._last.wall_ms:
                self._last = HlcStamp(wall, 0, self._node)
            elif self._last.counter < _MAX_COUNTER:
                self._last = HlcStamp(self._last.wall_ms, self._last.counter + 1, self._node)
            else:
                # The counter has a fixed width so stamps sort as text: rather than let it
                # grow a digit (and sort before its predecessors), borrow the next millisecond.
                self._last = HlcStamp(self._last.wall_ms + 1, 0, self._node)
            return str(self._last)

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen elsewhere (a pulled change, our own last persisted one)."""
        other = HlcStamp.parse(stamp)
        with self._lock:
            if (other.wall_ms, other.counter) > (self._last.wall_ms, self._last.counter):
                self._last = HlcStamp(other.wall_ms, other.counter, self._node)
