"""雨水情: the stations the monitoring page lists, and the sums its rain charts draw.

Qt-free. :class:`MonitorStations` reads the station records (with township names and the
water lines each station has) through :class:`~console.services.queries.Queries`; the
functions below turn 5-minute rain readings into per-hour (or per-day) bars and a running
total. Readings themselves come through a
:class:`~console.services.readings_source.ReadingsSource`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from console.domain import catalog
from console.domain.schema import ENTITY_FIELDS
from console.services.readings_source import ReadingKind, Times, Values

if TYPE_CHECKING:
    from console.services.queries import Queries

HOUR = 3600
DAY = 24 * HOUR
# Beijing is UTC+8 all year: a day bucket ends at Beijing midnight, 16:00 UTC.
BEIJING_OFFSET_S = 8 * HOUR
RAIN_KINDS = ("雨量站",)
# Water lines a station may carry, lowest first as a duty officer reads them: (column, label).
LINE_COLUMNS: tuple[str, ...] = ("flood_limit_level_m", "warning_level_m", "guarantee_level_m")
_FIELDS = ENTITY_FIELDS["stations"]


@dataclass(frozen=True)
class WaterLine:
    """A horizontal line on a level chart: 警戒水位 3.8 m."""

    label: str
    level_m: float


@dataclass(frozen=True)
class MonitorStation:
    """One station as the monitoring page lists it."""

    id: str
    code: str
    name: str
    kind: str  # one of catalog.STATION_KINDS
    township_id: str | None
    township: str  # name, "" when the station has none
    lines: tuple[WaterLine, ...] = ()

    @property
    def reading_kind(self) -> ReadingKind:
        """What its chart shows: rain for 雨量站, the water level for the others."""
        return "rain" if self.kind in RAIN_KINDS else "level"


def station_lines(record: dict[str, Any]) -> tuple[WaterLine, ...]:
    """The water lines a station record has (汛限 for reservoirs only), in LINE_COLUMNS order."""
    lines = []
    for column in LINE_COLUMNS:
        if column == "flood_limit_level_m" and record.get("kind") != catalog.RESERVOIR:
            continue
        value = record.get(column)
        if value is not None:
            lines.append(WaterLine(_FIELDS[column].label, float(value)))
    return tuple(lines)


class MonitorStations:
    """The station list of the 雨水情 page, read from the workstation's reference tables."""

    def __init__(self, queries: Queries) -> None:
        self._queries = queries

    def stations(self) -> list[MonitorStation]:
        names = {t["id"]: str(t["name"]) for t in self._queries.townships()}
        return [station_from_record(r, names) for r in self._queries.stations()]

    def sample_present(self) -> bool:
        return self._queries.sample_present()


def station_from_record(record: dict[str, Any], township_names: dict[str, str]) -> MonitorStation:
    tid = record.get("township_id")
    return MonitorStation(
        id=str(record["id"]),
        code=str(record.get("code") or ""),
        name=str(record.get("name") or ""),
        kind=str(record.get("kind") or ""),
        township_id=tid,
        township=township_names.get(tid, "") if tid else "",
        lines=station_lines(record),
    )


def bucket_sums(times: Times, values: Values, width: int = HOUR) -> tuple[Times, Values]:
    """Rain per bucket of ``width`` seconds: (bucket end times, mm in each).

    A reading is the rain of the interval *ending* at its time, so a reading at 10:00 belongs
    to the hour 09:00-10:00 and one at 10:05 to 10:00-11:00. Day buckets end at Beijing
    midnight. Buckets without readings are left out; the end times are ascending.
    """
    if len(times) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    shift = BEIJING_OFFSET_S if width == DAY else 0
    shifted = times.astype(np.int64) + shift
    ends = -(-shifted // width) * width - shift  # ceil to the bucket end
    starts_at = np.flatnonzero(np.r_[True, ends[1:] != ends[:-1]])
    sums = np.add.reduceat(np.asarray(values, dtype=np.float64), starts_at)
    return ends[starts_at].astype(np.int64), sums


def running_total(values: Values) -> Values:
    """Accumulated rain since the first reading (the cumulative line)."""
    return np.cumsum(np.asarray(values, dtype=np.float64))
