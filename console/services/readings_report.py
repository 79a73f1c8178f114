"""A station reading phoned in by a 灾害信息员 and typed by the officer on duty.

One save: the ``reading.report`` mutation (the record, synced through the outbox like any
other) AND the reading in the local readings table (source ``phoned``, seq 0), in the same
transaction, so the officer sees it in the charts at once, offline too. When the push
applies, the server puts it on the readings channel (server/readings_phoned.py); the
server's copy then replaces the local one on every workstation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from console.domain.ids import new_id
from console.domain.readings import as_reading
from console.store.changes import readings_changes
from console.store.writer import Writer

_UPSERT = (
    "INSERT INTO readings (station_id, kind, ts, value, interval_s, source, simulated, seq) "
    "VALUES (:station_id, :kind, :ts, :value, :interval_s, 'phoned', 0, 0) "
    "ON CONFLICT (station_id, kind, ts) DO UPDATE SET value = excluded.value, "
    "interval_s = excluded.interval_s, source = 'phoned', simulated = 0, seq = 0"
)


class PhonedReadings:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def report(
        self,
        *,
        station_id: str,
        kind: str,
        observed_at: str,
        value: float,
        interval_min: int,
        user: str,
        reporter: str = "",
        reporter_phone: str = "",
        note: str = "",
    ) -> str:
        """Record the reading; returns the record's id. ``kind``: 雨量 or 水位;
        ``observed_at``: ISO 8601 with offset (the end of the interval for rain);
        ``interval_min``: 5 or 60 for rain, 0 for levels. Raises MutationRejected with the
        Chinese reason when the reading cannot be recorded."""
        args: dict[str, Any] = {
            "id": new_id(),
            "station_id": station_id,
            "kind": kind,
            "observed_at": observed_at,
            "value": value,
            "interval_min": interval_min,
            "reporter": reporter,
            "reporter_phone": reporter_phone,
            "note": note,
        }

        def local(conn: Connection) -> None:
            conn.execute(text(_UPSERT), as_reading(args))

        self._writer.apply([("reading.report", args)], user=user, also=local)
        self._writer.store.announce(readings_changes())
        return str(args["id"])
