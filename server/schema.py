"""Server-only tables. The synced record tables come from console.domain.schema unchanged.

- ``server_state``: ONE row; its update serialises every push, so the global sequence and
  the audit chain head advance in commit order (a poller never skips a late commit).
- ``sync_clients``: per workstation, the registering account, the SHA-256 of the
  workstation's key and the last applied mutation id.
- ``push_results``: the outcome of every pushed mutation, so a replay gets the same answer
  (a rejection is never lost even when the first reply was).
- ``users`` and ``audit_log`` (append-only, hash-chained).
- ``readings`` and ``readings_state``: stations' readings (server/readings.py), their own
  append-only channel with its own serialised sequence (``readings_state.seq``). On
  PostgreSQL ``readings`` is range-partitioned by month on ``ts`` (server/readings_partitions.py).
- ``ack_links``: the acknowledgement links sent to an order's recipients (指挥一平台).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from console.domain.fields import ACCOUNT_MAX_LEN, MUTATION_NAME_MAX_LEN, UUID_LEN
from console.domain.schema import SyncedBase, merged_metadata


class ServerBase(DeclarativeBase):
    pass


class ServerState(ServerBase):
    __tablename__ = "server_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(BigInteger)
    audit_seq: Mapped[int] = mapped_column(BigInteger)
    audit_head: Mapped[str] = mapped_column(String(64))
    # Loaded with ``duty-server load-sample`` (demo/training): only then are sample-marked
    # mutations accepted.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SyncClient(ServerBase):
    __tablename__ = "sync_clients"

    client_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    # The account that registered the client id (its quota; the owner of a keyless client).
    username: Mapped[str] = mapped_column(String(ACCOUNT_MAX_LEN))
    # SHA-256 (hex) of the workstation's client key: whoever presents the key may push and
    # pull as this workstation, whichever account is signed in on it. None: registered
    # without a key (a workstation or server from before keys), bound to ``username``.
    key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, default=None)
    last_mutation_id: Mapped[int] = mapped_column(BigInteger)
    last_seen: Mapped[str] = mapped_column(String(40))


class PushResult(ServerBase):
    __tablename__ = "push_results"

    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(12))  # applied | rejected
    code: Mapped[str] = mapped_column(String(40), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")  # JSON, e.g. conflicting fields
    version: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class User(ServerBase):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # Unix ms until which sign-in is refused unchecked: parallel guesses cannot outrun the
    # delay that the failed attempt's own answer waits out.
    locked_until_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    disabled: Mapped[bool] = mapped_column(default=False)
    # Bumped by every change of password, role or disabled state: a token carries the value
    # it was issued under and is refused once it differs (revocation, see server.auth).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class AuditEntry(ServerBase):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    username: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(UUID_LEN))
    mutation_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(MUTATION_NAME_MAX_LEN))
    args: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Applied mutations: what a replay needs besides name and args (server.audit_proof).
    hlc: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ReadingsState(ServerBase):
    """ONE row: the readings channel's sequence. Its row lock serialises every ingest, so
    seqs commit in order and a poller that read up to N never misses a later commit <= N."""

    __tablename__ = "readings_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)


class Reading(ServerBase):
    """One station reading. Key (station_id, kind, ts): a repeat is unchanged, a different
    value a correction (updated in place with a new seq). No foreign key to ``stations``:
    ingest checks the station (by code, live) before the database sees the row, and a
    partitioned table stays cheap to write."""

    __tablename__ = "readings"
    __table_args__ = (
        Index("ix_readings_seq", "seq"),
        {"postgresql_partition_by": "RANGE (ts)"},
    )

    station_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # rain | level
    ts: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch s UTC, interval end
    value: Mapped[float] = mapped_column(Float)  # mm in the interval / metres
    interval_s: Mapped[int] = mapped_column(Integer)  # rain 300 or 3600; level 0
    source: Mapped[str] = mapped_column(String(12))  # ingest | import | phoned | simulate
    simulated: Mapped[bool] = mapped_column(Boolean)
    seq: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[int] = mapped_column(BigInteger)  # epoch s UTC


class AckLink(ServerBase):
    """指挥一平台: a link sent by SMS to one recipient of one order, to acknowledge (收到)
    and feed back on a phone. Only the SHA-256 of the random token is kept; the link
    expires, and each of its two uses (收到, 反馈) works once."""

    __tablename__ = "ack_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(UUID_LEN))
    recipient_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    created_by: Mapped[str] = mapped_column(String(ACCOUNT_MAX_LEN))
    created_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))  # UTC ISO 8601
    acked_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    fed_back_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class CameraStream(ServerBase):
    """视频监控: a camera's stream address (without credentials) and its credentials. The
    server's alone: never in a change row, so no workstation replica holds them; an
    administrator edits them and a signed-in workstation gets the playable address at play
    time (server.camera_streams)."""

    __tablename__ = "camera_streams"

    camera_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    url: Mapped[str] = mapped_column(String(1000))
    username: Mapped[str] = mapped_column(String(200))
    password: Mapped[str] = mapped_column(String(200))
    updated_by: Mapped[str] = mapped_column(String(ACCOUNT_MAX_LEN))
    updated_at: Mapped[str] = mapped_column(String(40))


def server_metadata() -> MetaData:
    """Synced tables + server tables: the schema the server's migration history must produce."""
    merged = merged_metadata(SyncedBase, ServerBase)
    return merged
