"""What the monitoring views and the threshold engine read station readings through.

``console/services/readings.py`` implements it on the workstation's local readings table
(filled by the readings channel, not by the outbox). Anything else that holds readings as
arrays (a bench, the simulator's preview) can implement it too.

Times are epoch seconds (UTC) as int64 arrays; values float64. Rain values are the mm that
fell in the interval ending at the timestamp; level values are metres.
"""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

ReadingKind = Literal["rain", "level"]
Times = npt.NDArray[np.int64]
Values = npt.NDArray[np.float64]


class ReadingsSource(Protocol):
    def series(
        self, station_id: str, kind: ReadingKind, start: int, end: int
    ) -> tuple[Times, Values]:
        """Readings of one station with ``start <= ts <= end``, ordered by time."""
        ...

    def latest(self, kind: ReadingKind) -> dict[str, tuple[int, float]]:
        """The newest reading of each station that has one: station id -> (ts, value)."""
        ...

    def simulated(self, station_id: str, start: int, end: int) -> bool:
        """Whether any reading of the station in the range came from the simulator (模拟)."""
        ...

    def stamp(self) -> int:
        """Grows whenever readings arrive (the views refresh when it changes)."""
        ...
