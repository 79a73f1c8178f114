"""A phoned-in reading (``reading.report``) applied by a push also enters the readings
channel (source ``phoned``), in the push's transaction, so every workstation gets it."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Connection

from console.domain.mutations import fetch
from console.domain.readings import as_reading
from server.readings import ingest_rows

log = logging.getLogger(__name__)
MUTATION = "reading.report"


def ingest_reported(conn: Connection, args: dict[str, Any]) -> None:
    """The record the mutation stored, as a reading. A reading the channel refuses (more
    than 10 minutes ahead of the server's clock, older than the retention) stays a record
    only; logged."""
    record = fetch(conn, "reported_readings", str(args.get("id")))
    if record is None:
        return
    result = ingest_rows(conn, [as_reading(dict(record))], "phoned", in_push=True)
    for refusal in result.refused:
        log.warning("phoned reading %s not in the channel: %s", args.get("id"), refusal.reason)
