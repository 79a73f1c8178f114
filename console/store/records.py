"""Workstation-only tables (the outbox, the client's sync state, local key/value facts) and
the workstation's own indexes on the synced tables; :func:`workstation_metadata` is the whole
schema the workstation's migration history must produce."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from console.domain.schema import SyncedBase, merged_metadata


class LocalBase(DeclarativeBase):
    """Tables that never leave the workstation."""


class OutboxEntry(LocalBase):
    """One committed local mutation, kept until the server acknowledged it (and beyond, for
    re-push after a server restore)."""

    __tablename__ = "outbox"

    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    client_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(64))
    args: Mapped[str] = mapped_column(Text)  # JSON
    hlc: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    user: Mapped[str] = mapped_column(String(64))
    # Stays on this workstation (the sample county, standalone default rules): never pushed
    # to a county's server, discarded on joining one (see console/sync/apply.py).
    local_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class ClientState(LocalBase):
    """Single row (id = 1): who this workstation is and where its counters stand.

    ``next_mutation_id`` lives here rather than being MAX(outbox)+1 so ids stay gap-free and
    never reused even after acknowledged outbox rows are pruned.
    """

    __tablename__ = "client_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    # 32 random bytes (hex) made with the client id: presented with every push and pull,
    # it proves to the server that this IS the workstation, whoever is signed in on it.
    client_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    next_mutation_id: Mapped[int] = mapped_column(BigInteger)
    last_acked_mutation_id: Mapped[int] = mapped_column(BigInteger)
    last_hlc: Mapped[str] = mapped_column(String(64))


class LocalMeta(LocalBase):
    __tablename__ = "local_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncShadow(LocalBase):
    """The server's copy of a row that pending local mutations changed (``row`` null: the
    server has no such row). A pull restores these, then re-applies the pending mutations on
    top, so the officer keeps seeing their unsynced work and rejected work disappears."""

    __tablename__ = "sync_shadow"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    row: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON


class SyncIssue(LocalBase):
    """What the officer must see on 同步状态: a local mutation the server refused
    (``kind`` rejected), or one applied over someone else's change to the same field
    (``kind`` conflict, ``detail`` holds both values). Never silently dropped."""

    __tablename__ = "sync_issues"

    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(64))
    args: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")  # JSON
    user: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[str] = mapped_column(String(40))
    resolved: Mapped[str] = mapped_column(String(20), default="")  # "" open, else how


class LocalReading(LocalBase):
    """Stations' readings of the rolling window (console/sync/readings.py fills it from the
    server's readings channel; a phoned-in report lands here at once). Not a synced table:
    no outbox, no versions. WITHOUT ROWID: the key is the table, one station's series is
    contiguous on disk. ``seq``: the channel's seq of the row (0: written here, not yet
    come back from the server)."""

    __tablename__ = "readings"
    __table_args__ = ({"sqlite_with_rowid": False},)

    station_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # rain | level
    ts: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch s, interval end
    value: Mapped[float] = mapped_column(Float)
    interval_s: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(12))
    simulated: Mapped[bool] = mapped_column(Boolean)
    seq: Mapped[int] = mapped_column(BigInteger)


# The incident list's covering indexes (filter on deleted, sort by time; see migration 0005):
# only the workstation lists incidents, so the server does without them.
LIST_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ix_incidents_live_received", ("deleted", "received_at", "status")),
    ("ix_incidents_live_category_received", ("deleted", "category", "received_at")),
    ("ix_incidents_live_grade_received", ("deleted", "grade", "received_at")),
    ("ix_incidents_live_category_grade_received", ("deleted", "category", "grade", "received_at")),
)


def workstation_metadata() -> MetaData:
    """Synced tables + workstation tables + workstation-only indexes (Alembic's target)."""
    merged = merged_metadata(SyncedBase, LocalBase)
    incidents = merged.tables["incidents"]
    for name, columns in LIST_INDEXES:
        Index(name, *(incidents.c[c] for c in columns))
    return merged
