"""Synced records: the tables every replica (workstations and server) holds.

Each record has a client-generated UUID key, the server ``version`` of its last change (null
until synced), an HLC ``updated_at``, ``updated_by`` and a ``deleted`` tombstone. Only the
mutation functions in :mod:`console.domain.mutations` write these tables.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class SyncedBase(DeclarativeBase):
    """Declarative base of the synced tables (one MetaData shared with the server)."""


class SyncedRecord(SyncedBase):
    __abstract__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(64))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Township(SyncedRecord):
    __tablename__ = "townships"

    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    position_approximate: Mapped[bool] = mapped_column(Boolean, default=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class Village(SyncedRecord):
    __tablename__ = "villages"

    township_id: Mapped[str] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class Shelter(SyncedRecord):
    __tablename__ = "shelters"

    name: Mapped[str] = mapped_column(String(80))
    township_id: Mapped[str | None] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[str | None] = mapped_column(ForeignKey("villages.id"))
    kind: Mapped[str] = mapped_column(String(20), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    manager: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class RiskPoint(SyncedRecord):
    __tablename__ = "risk_points"

    type: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(80))
    township_id: Mapped[str | None] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[str | None] = mapped_column(ForeignKey("villages.id"))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    households: Mapped[int] = mapped_column(Integer, default=0)
    persons: Mapped[int] = mapped_column(Integer, default=0)
    responsible_person: Mapped[str] = mapped_column(String(40), default="")
    responsible_phone: Mapped[str] = mapped_column(String(32), default="")
    shelter_id: Mapped[str | None] = mapped_column(ForeignKey("shelters.id"))
    transfer_route: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class Team(SyncedRecord):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    township_id: Mapped[str | None] = mapped_column(ForeignKey("townships.id"), index=True)
    members: Mapped[int] = mapped_column(Integer, default=0)
    leader: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    equipment: Mapped[str] = mapped_column(Text, default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class Station(SyncedRecord):
    __tablename__ = "stations"

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(8))
    township_id: Mapped[str | None] = mapped_column(ForeignKey("townships.id"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    warning_level_m: Mapped[float | None] = mapped_column(Float)
    guarantee_level_m: Mapped[float | None] = mapped_column(Float)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)


class Incident(SyncedRecord):
    __tablename__ = "incidents"

    received_at: Mapped[str] = mapped_column(String(32), index=True)  # ISO 8601 with offset
    category: Mapped[str] = mapped_column(String(12))
    subtype: Mapped[str] = mapped_column(String(20), default="")
    grade: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="接报")
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    township_id: Mapped[str | None] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[str | None] = mapped_column(ForeignKey("villages.id"))
    address: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    caller_name: Mapped[str] = mapped_column(String(40), default="")
    caller_unit: Mapped[str] = mapped_column(String(80), default="")
    caller_post: Mapped[str] = mapped_column(String(40), default="")
    caller_phone: Mapped[str] = mapped_column(String(32), default="")
    notified: Mapped[str] = mapped_column(Text, default="")
    dead: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    injured: Mapped[int] = mapped_column(Integer, default=0)
    trapped: Mapped[int] = mapped_column(Integer, default=0)
    affected: Mapped[int] = mapped_column(Integer, default=0)
    recorder: Mapped[str] = mapped_column(String(40), default="")
    teams_assigned: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_incidents_status_received", "status", "received_at"),)


class TimelineEntry(SyncedRecord):
    """Append-only log row of an incident: never edited, so it never conflicts."""

    __tablename__ = "incident_timeline"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(String(40))


class ReportRule(SyncedRecord):
    """A reporting deadline: ``minutes`` after receipt, ``stage`` by ``channel`` is due."""

    __tablename__ = "report_rules"

    category: Mapped[str] = mapped_column(String(12))
    grade: Mapped[str] = mapped_column(String(8), default="")  # "" = any grade
    stage: Mapped[str] = mapped_column(String(4))
    channel: Mapped[str] = mapped_column(String(4))
    minutes: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(200), default="")


class IncidentReport(SyncedRecord):
    """A report sent upward (首报/续报/终报), with the text as sent."""

    __tablename__ = "incident_reports"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    stage: Mapped[str] = mapped_column(String(4))
    channel: Mapped[str] = mapped_column(String(4))
    sent_at: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(80), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(40))


SYNCED_MODELS: tuple[type[SyncedRecord], ...] = (
    Township,
    Village,
    Shelter,
    RiskPoint,
    Team,
    Station,
    Incident,
    TimelineEntry,
    ReportRule,
    IncidentReport,
)
SYNCED_TABLES: frozenset[str] = frozenset(m.__tablename__ for m in SYNCED_MODELS)
MODEL_BY_TABLE: dict[str, type[SyncedRecord]] = {m.__tablename__: m for m in SYNCED_MODELS}
