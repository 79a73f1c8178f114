"""Schema operations both migration histories (workstation and server) share.

Kept here, in the one package the server and the workstation both import, rather than copied
into each history.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy import String


def widen_varchar(table: str, column: str, old: int, new: int, *, nullable: bool) -> None:
    """``VARCHAR(old)`` -> ``VARCHAR(new)`` in place, on PostgreSQL and on SQLite.

    SQLite stores text of any length whatever the declaration, so only the declared type in
    the table's CREATE statement changes; that edit is the one SQLite documents for changes
    that leave the stored content as it is (lang_altertable.html, "otheralter"), and unlike
    Alembic's copy-and-rename batch it keeps rowids (the search index is keyed on them),
    triggers and the rows that reference the table.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.alter_column(
            table,
            column,
            type_=String(new),
            existing_type=String(old),
            existing_nullable=nullable,
        )
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    before, after = f"{column} VARCHAR({old})", f"{column} VARCHAR({new})"
    if sql.count(before) != 1:
        raise RuntimeError(f"{table}.{column}: expected one {before!r} in {sql!r}")
    schema_version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            (sql.replace(before, after), table),
        )
        # Tells every connection (this one included) to reread the schema.
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(schema_version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")


_GRADING_INCIDENT_COLUMNS = (
    ("seriously_injured", sa.Integer()),
    ("evacuated", sa.Integer()),
    ("economic_loss", sa.Float()),
    ("area_burned", sa.Float()),
)


def add_grading() -> None:
    """The grading table and the incident numbers it reads (workstation 0007, server 0004):
    the same operations on both sides. Old incidents get 0 in the new numbers."""
    for name, type_ in _GRADING_INCIDENT_COLUMNS:
        op.add_column(
            "incidents", sa.Column(name, type_, nullable=False, server_default=sa.text("0"))
        )
    op.create_table(
        "grading_rules",
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("subtype", sa.String(length=20), nullable=False),
        sa.Column("metric", sa.String(length=8), nullable=False),
        sa.Column("min_especially_major", sa.Float(), nullable=True),
        sa.Column("min_major", sa.Float(), nullable=True),
        sa.Column("min_large", sa.Float(), nullable=True),
        sa.Column("min_general", sa.Float(), nullable=True),
        sa.Column("basis", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def drop_grading() -> None:
    op.drop_table("grading_rules")
    # Plain DROP COLUMN (SQLite >= 3.35), not a copy-and-rename batch: that would renumber
    # the rowids the workstation's search index is keyed on.
    for name, _type in reversed(_GRADING_INCIDENT_COLUMNS):
        op.drop_column("incidents", name)


_REPORT_RULE_COLUMNS = (
    ("subtype", sa.String(length=20), sa.text("''")),
    ("sub_hazard", sa.String(length=12), sa.text("''")),
    ("schedule", sa.String(length=8), sa.text("'接报后'")),
    ("daily_at", sa.Integer(), sa.text("540")),
    ("window_days", sa.Integer(), sa.text("0")),
    ("enabled", sa.Boolean(), sa.true()),
    ("source", sa.String(length=8), sa.text("'本县规定'")),
)


def add_report_rules_v2() -> None:
    """Deadline rules as written (workstation 0010, server 0007): rules match subtype and
    sub-hazard too and carry a schedule and their source; incidents record when they were
    closed (终报/核报 run from it) and whether they are sample data.

    Rules of the first table keep their meaning (any subtype, after receipt, the county's);
    closed incidents get the time of their last status change, which closed them."""
    for name, type_, default in _REPORT_RULE_COLUMNS:
        op.add_column(
            "report_rules", sa.Column(name, type_, nullable=False, server_default=default)
        )
    op.add_column("incidents", sa.Column("closed_at", sa.String(length=32), nullable=True))
    op.add_column(
        "incidents",
        sa.Column("is_sample", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE incidents SET closed_at = (SELECT max(t.at) FROM incident_timeline t "
        "WHERE t.incident_id = incidents.id AND t.kind = '状态变更') WHERE status = '已结案'"
    )


def drop_report_rules_v2() -> None:
    op.drop_column("incidents", "is_sample")
    op.drop_column("incidents", "closed_at")
    for name, _type, _default in reversed(_REPORT_RULE_COLUMNS):
        op.drop_column("report_rules", name)


def _record_columns() -> list[sa.Column[Any]]:
    """The columns every synced record has (SyncedRecord)."""
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    ]


# New fields of existing reference tables (0011 / server 0010): (table, column, type, default)
# where default None = nullable; the others are NOT NULL and old rows get the default.
_PEOPLE_FIELDS: tuple[tuple[str, str, Any, Any], ...] = (
    ("villages", "households", sa.Integer(), sa.text("0")),
    ("villages", "population", sa.Integer(), sa.text("0")),
    ("shelters", "facilities", sa.Text(), sa.text("''")),
    ("risk_points", "warning_signal", sa.String(length=80), sa.text("''")),
    *(
        ("risk_points", f"{tier}_rain_{window}_mm", sa.Float(), None)
        for tier in ("prepare", "evacuate")
        for window in ("1h", "3h", "24h")
    ),
    ("stations", "flood_limit_level_m", sa.Float(), None),
    ("stations", "design_level_m", sa.Float(), None),
    ("stations", "check_level_m", sa.Float(), None),
)
# Indexed references of the new tables: (table, column).
_PEOPLE_INDEXES = (
    ("units", "township_id"),
    ("people", "unit_id"),
    ("person_roles", "person_id"),
    ("person_roles", "township_id"),
    ("person_roles", "village_id"),
    ("person_roles", "risk_point_id"),
    ("person_roles", "shelter_id"),
    ("person_roles", "station_id"),
)


def add_people() -> None:
    """Units, people and their responsibility roles, and the new reference fields
    (workstation 0011, server 0010): the same operations on both sides. Old rows keep their
    values; the new counts are 0, the new texts "", the new measurements null."""
    for table, name, type_, default in _PEOPLE_FIELDS:
        op.add_column(
            table,
            sa.Column(name, type_, nullable=default is None, server_default=default),
        )
    op.create_table(
        "units",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("township_id", sa.String(length=36), nullable=True),
        sa.Column("village_id", sa.String(length=36), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"]),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "people",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=True),
        sa.Column("post", sa.String(length=40), nullable=False),
        sa.Column("mobile", sa.String(length=32), nullable=False),
        sa.Column("landline", sa.String(length=32), nullable=False),
        sa.Column("zzd_id", sa.String(length=64), nullable=False),
        sa.Column("expert_field", sa.String(length=40), nullable=False),
        sa.Column("expert_title", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "person_roles",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("township_id", sa.String(length=36), nullable=True),
        sa.Column("village_id", sa.String(length=36), nullable=True),
        sa.Column("risk_point_id", sa.String(length=36), nullable=True),
        sa.Column("shelter_id", sa.String(length=36), nullable=True),
        sa.Column("station_id", sa.String(length=36), nullable=True),
        sa.Column("valid_from", sa.String(length=10), nullable=True),
        sa.Column("valid_to", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"]),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"]),
        sa.ForeignKeyConstraint(["risk_point_id"], ["risk_points.id"]),
        sa.ForeignKeyConstraint(["shelter_id"], ["shelters.id"]),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for table, column in _PEOPLE_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def drop_people() -> None:
    for table, column in reversed(_PEOPLE_INDEXES):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in ("person_roles", "people", "units"):
        op.drop_table(table)
    # Plain DROP COLUMN (SQLite >= 3.35), never a copy-and-rename batch.
    for table, name, _type, _default in reversed(_PEOPLE_FIELDS):
        op.drop_column(table, name)


def _fk(*columns: str) -> list[sa.ForeignKeyConstraint]:
    return [sa.ForeignKeyConstraint([c], [f"{t}.id"]) for c, t in (x.split(":") for x in columns)]


def add_transfers() -> None:
    """管控一张表 (issue 12): the 一户一策 households, evacuations, their circle of villages
    and the transfer events (workstation 0013, server 0012)."""
    op.create_table(
        "special_households",
        sa.Column("township_id", sa.String(length=36), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("head_name", sa.String(length=40), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=4), nullable=False),
        sa.Column("needs", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("helper_id", sa.String(length=36), nullable=True),
        sa.Column("risk_point_id", sa.String(length=36), nullable=True),
        sa.Column("address", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        *_fk(
            "township_id:townships",
            "village_id:villages",
            "helper_id:people",
            "risk_point_id:risk_points",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_special_households_township_id", "special_households", ["township_id"], unique=False
    )
    op.create_table(
        "evacuations",
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("ended_at", sa.String(length=32), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        *_fk("incident_id:incidents"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "evacuation_areas",
        sa.Column("evacuation_id", sa.String(length=36), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("risk_point_id", sa.String(length=36), nullable=True),
        sa.Column("planned_households", sa.Integer(), nullable=False),
        sa.Column("planned_persons", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        *_fk("evacuation_id:evacuations", "village_id:villages", "risk_point_id:risk_points"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "transfer_events",
        sa.Column("evacuation_id", sa.String(length=36), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("risk_point_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("destination", sa.String(length=8), nullable=False),
        sa.Column("shelter_id", sa.String(length=36), nullable=True),
        sa.Column("reported_by", sa.String(length=80), nullable=False),
        sa.Column("reported_at", sa.String(length=32), nullable=False),
        sa.Column("correction_of", sa.String(length=36), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        *_fk(
            "evacuation_id:evacuations",
            "village_id:villages",
            "risk_point_id:risk_points",
            "shelter_id:shelters",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_evacuation_areas_evacuation_id", "evacuation_areas", ["evacuation_id"], unique=False
    )
    op.create_index("ix_transfer_events_rollup", "transfer_events", list(_ROLLUP), unique=False)


# The columns of the roll-up's covering index, in order (schema.TransferEvent).
_ROLLUP = (
    "evacuation_id",
    "deleted",
    "village_id",
    "kind",
    "persons",
    "households",
    "correction_of",
    "reported_at",
    "shelter_id",
)


def drop_transfers() -> None:
    op.drop_index("ix_transfer_events_rollup", table_name="transfer_events")
    op.drop_index("ix_evacuation_areas_evacuation_id", table_name="evacuation_areas")
    op.drop_index("ix_special_households_township_id", table_name="special_households")
    for table in ("transfer_events", "evacuation_areas", "evacuations", "special_households"):
        op.drop_table(table)


def add_assessments() -> None:
    """研判一张单 and threshold alerts (workstation 0014, server 0013): two new tables, the
    same operations on both sides."""
    op.create_table(
        "assessments",
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("period_from", sa.String(length=32), nullable=False),
        sa.Column("period_to", sa.String(length=32), nullable=False),
        sa.Column("generated_at", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("highest_warning", sa.String(length=4), nullable=False),
        sa.Column("proposed_response", sa.String(length=4), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("crossings", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=True),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("series_id", sa.String(length=36), nullable=False),
        sa.Column("previous_id", sa.String(length=36), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("signed_by", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.String(length=32), nullable=True),
        *_record_columns(),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessments_series_id", "assessments", ["series_id"], unique=False)
    op.create_table(
        "threshold_alerts",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.String(length=32), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("cleared_at", sa.String(length=32), nullable=True),
        sa.Column("acked_by", sa.String(length=64), nullable=True),
        sa.Column("acked_at", sa.String(length=32), nullable=True),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )


def drop_assessments() -> None:
    op.drop_table("threshold_alerts")
    op.drop_index("ix_assessments_series_id", table_name="assessments")
    op.drop_table("assessments")


def add_reported_readings() -> None:
    """Phoned-in station readings, ``reported_readings`` (workstation 0013, server 0012)."""
    op.create_table(
        "reported_readings",
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("observed_at", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("interval_min", sa.Integer(), nullable=False),
        sa.Column("reporter", sa.String(length=40), nullable=False),
        sa.Column("reporter_phone", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_reported_readings_station_id", "reported_readings", ["station_id"], unique=False
    )


def drop_reported_readings() -> None:
    op.drop_index("ix_reported_readings_station_id", table_name="reported_readings")
    op.drop_table("reported_readings")


def readings_columns() -> list[sa.Column[Any]]:
    """The columns both sides' ``readings`` tables have (the server adds received_at)."""
    return [
        sa.Column("station_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    ]


# Issue #11 (workstation 0013, server 0012): the rain station of villages and risk points.
_RAIN_STATION_REFS = ("villages", "risk_points")
_RAIN_INDEXES = (
    ("rain_thresholds", "township_id"),
    ("rain_thresholds", "village_id"),
    ("rain_forecasts", "township_id"),
    ("rain_forecasts", "issued_at"),
    ("warnings", "issued_at"),
    ("warnings", "township_id"),
)


def add_rain_config() -> None:
    """Critical rainfall, the rainstorm-signal table, response triggers, forecasts and
    warnings (new tables), and an optional rain station on villages and risk points (null on
    old rows: the nearest station stands for them)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in _RAIN_STATION_REFS:
        if sqlite:
            # In place (Alembic would want a copy-and-rename batch for the constraint):
            # SQLite adds a column with REFERENCES when its default is null.
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN station_id VARCHAR(36) REFERENCES stations (id)"
            )
        else:
            op.add_column(
                table,
                sa.Column(
                    "station_id",
                    sa.String(length=36),
                    sa.ForeignKey("stations.id", name=f"fk_{table}_station_id"),
                    nullable=True,
                ),
            )
    op.create_table(
        "rain_thresholds",
        sa.Column("township_id", sa.String(length=36), nullable=False),
        sa.Column("village_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("rain_1h_mm", sa.Float(), nullable=True),
        sa.Column("rain_3h_mm", sa.Float(), nullable=True),
        sa.Column("rain_6h_mm", sa.Float(), nullable=True),
        sa.Column("rain_24h_mm", sa.Float(), nullable=True),
        sa.Column("basis", sa.String(length=200), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"]),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "rain_signal_rules",
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("mm", sa.Float(), nullable=True),
        sa.Column("basis", sa.String(length=200), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "response_triggers",
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("metric", sa.String(length=12), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("with_forecast", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.String(length=200), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "rain_forecasts",
        sa.Column("township_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.String(length=32), nullable=False),
        sa.Column("horizon_h", sa.Integer(), nullable=False),
        sa.Column("mm", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=80), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "warnings",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("issued_at", sa.String(length=32), nullable=False),
        sa.Column("until", sa.String(length=32), nullable=True),
        sa.Column("township_id", sa.String(length=36), nullable=True),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for table, column in _RAIN_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def drop_rain_config() -> None:
    for table, column in reversed(_RAIN_INDEXES):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in (
        "warnings",
        "rain_forecasts",
        "response_triggers",
        "rain_signal_rules",
        "rain_thresholds",
    ):
        op.drop_table(table)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in reversed(_RAIN_STATION_REFS):
        if sqlite:  # SQLite drops a column that only its own REFERENCES names
            op.execute(f"ALTER TABLE {table} DROP COLUMN station_id")
        else:
            op.drop_constraint(f"fk_{table}_station_id", table, type_="foreignkey")
            op.drop_column(table, "station_id")


def add_orders() -> None:
    """指挥一平台 (issue 12): orders, their recipients and the recipients' events
    (workstation 0017, server 0016): three new tables, the same operations on both sides."""
    op.create_table(
        "orders",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.String(length=32), nullable=False),
        sa.Column("deadline", sa.String(length=32), nullable=False),
        sa.Column("feedback_kind", sa.String(length=4), nullable=False),
        sa.Column("feedback_label", sa.String(length=40), nullable=False),
        sa.Column("escalate_minutes", sa.Integer(), nullable=False),
        sa.Column("warning_level", sa.String(length=4), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=True),
        sa.Column("assessment_id", sa.String(length=36), nullable=True),
        sa.Column("evacuation_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("closed_at", sa.String(length=32), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"]),
        sa.ForeignKeyConstraint(["evacuation_id"], ["evacuations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_orders_incident_id", "orders", ["incident_id"], unique=False)
    op.create_table(
        "order_recipients",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("unit_id", sa.String(length=36), nullable=True),
        sa.Column("township_id", sa.String(length=36), nullable=True),
        sa.Column("village_id", sa.String(length=36), nullable=True),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=False),
        sa.Column("escalated_from", sa.String(length=36), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"]),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_order_recipients_order_id", "order_recipients", ["order_id"], unique=False)
    op.create_table(
        "order_events",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("channel", sa.String(length=4), nullable=False),
        sa.Column("answered_by", sa.String(length=40), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("to_recipient_id", sa.String(length=36), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.ForeignKeyConstraint(["recipient_id"], ["order_recipients.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_order_events_order_id", "order_events", ["order_id"], unique=False)
    op.create_index("ix_order_events_recipient_id", "order_events", ["recipient_id"], unique=False)


def drop_orders() -> None:
    op.drop_index("ix_order_events_recipient_id", table_name="order_events")
    op.drop_index("ix_order_events_order_id", table_name="order_events")
    op.drop_table("order_events")
    op.drop_index("ix_order_recipients_order_id", table_name="order_recipients")
    op.drop_table("order_recipients")
    op.drop_index("ix_orders_incident_id", table_name="orders")
    op.drop_table("orders")


def add_cases() -> None:
    """案例一个库 (issue 13): the case table (workstation 0018, server 0017), the same
    operations on both sides; the workstation adds its search index on top."""
    op.create_table(
        "cases",
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("occurred_on", sa.String(length=10), nullable=True),
        sa.Column("hazard", sa.String(length=8), nullable=False),
        sa.Column("township_id", sa.String(length=36), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("rain_pattern", sa.String(length=8), nullable=False),
        sa.Column("rain_24h_mm", sa.Float(), nullable=True),
        sa.Column("rain_summary", sa.Text(), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("dead", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("injured", sa.Integer(), nullable=False),
        sa.Column("evacuated", sa.Integer(), nullable=False),
        sa.Column("economic_loss", sa.Float(), nullable=False),
        sa.Column("losses", sa.Text(), nullable=False),
        sa.Column("what_worked", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"]),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cases_hazard", "cases", ["hazard"], unique=False)
    op.create_index("ix_cases_township_id", "cases", ["township_id"], unique=False)


def drop_cases() -> None:
    op.drop_index("ix_cases_township_id", table_name="cases")
    op.drop_index("ix_cases_hazard", table_name="cases")
    op.drop_table("cases")


def add_plans() -> None:
    """预案 library (issue 13): the plans table (workstation 0019, server 0018)."""
    op.create_table(
        "plans",
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("plan_version", sa.String(length=40), nullable=False),
        sa.Column("issued_on", sa.String(length=10), nullable=True),
        sa.Column("revise_by", sa.String(length=10), nullable=True),
        sa.Column("category", sa.String(length=12), nullable=False),
        sa.Column("subtype", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("document", sa.String(length=200), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )


def drop_plans() -> None:
    op.drop_table("plans")


def add_search_index(index: str, table: str, fields: tuple[str, ...]) -> None:
    """Workstation only: an FTS5 bigram index ``index`` over ``fields`` of ``table``, keyed
    on its rowid and kept by triggers calling ``dc_bigrams`` (console/store/search.py), as
    ``incident_search`` is (0004); for a new, empty table (nothing to back-fill)."""
    new = " || ' ' || ".join(f"coalesce(new.{f},'')" for f in fields)
    old = " || ' ' || ".join(f"coalesce(old.{f},'')" for f in fields)
    op.execute(f"CREATE VIRTUAL TABLE {index} USING fts5(body, tokenize='unicode61')")
    op.execute(
        f"CREATE TRIGGER {index}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {index}(rowid, body) VALUES (new.rowid, dc_bigrams({new})); END"
    )
    op.execute(
        f"CREATE TRIGGER {index}_ad AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {index} WHERE rowid = old.rowid; END"
    )
    op.execute(
        f"CREATE TRIGGER {index}_au AFTER UPDATE ON {table} WHEN ({old}) IS NOT ({new}) "
        f"BEGIN UPDATE {index} SET body = dc_bigrams({new}) WHERE rowid = new.rowid; END"
    )


def drop_search_index(index: str) -> None:
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS {index}_{suffix}")
    op.execute(f"DROP TABLE IF EXISTS {index}")


def add_guides() -> None:
    """应急一指南 (issue 13): the guide's items, the responses started and their events
    (workstation 0018, server 0017): three new tables, the same operations on both sides."""
    op.create_table(
        "guide_items",
        sa.Column("hazard", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("role", sa.String(length=4), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=500), nullable=False),
        sa.Column("limit_minutes", sa.Integer(), nullable=False),
        sa.Column("is_draft", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "responses",
        sa.Column("hazard", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=True),
        sa.Column("assessment_id", sa.String(length=36), nullable=True),
        sa.Column("activated_at", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("ended_at", sa.String(length=32), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_responses_incident_id", "responses", ["incident_id"], unique=False)
    op.create_table(
        "response_events",
        sa.Column("response_id", sa.String(length=36), nullable=False),
        sa.Column("guide_item_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("from_level", sa.String(length=4), nullable=False),
        sa.Column("to_level", sa.String(length=4), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"]),
        sa.ForeignKeyConstraint(["guide_item_id"], ["guide_items.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_response_events_response_id", "response_events", ["response_id"], unique=False
    )


def drop_guides() -> None:
    op.drop_index("ix_response_events_response_id", table_name="response_events")
    op.drop_table("response_events")
    op.drop_index("ix_responses_incident_id", table_name="responses")
    op.drop_table("responses")
    op.drop_table("guide_items")


def add_handovers() -> None:
    """交接班 and the 值班日志 (issue 14; workstation 0021, server 0020): the handovers and
    the officer's hand-written log lines."""
    op.create_table(
        "handovers",
        sa.Column("shift_key", sa.String(length=16), nullable=False),
        sa.Column("shift_start", sa.String(length=32), nullable=False),
        sa.Column("shift_end", sa.String(length=32), nullable=False),
        sa.Column("generated_at", sa.String(length=32), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("incoming", sa.String(length=64), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("signed_by", sa.String(length=64), nullable=True),
        sa.Column("signed_at", sa.String(length=32), nullable=True),
        sa.Column("remarks", sa.String(length=500), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handovers_shift_key", "handovers", ["shift_key"], unique=False)
    op.create_table(
        "duty_log_entries",
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_duty_log_entries_at", "duty_log_entries", ["at"], unique=False)


def drop_handovers() -> None:
    op.drop_index("ix_duty_log_entries_at", table_name="duty_log_entries")
    op.drop_table("duty_log_entries")
    op.drop_index("ix_handovers_shift_key", table_name="handovers")
    op.drop_table("handovers")


def add_roster() -> None:
    """排班 (issue #14): the shift pattern, holidays, roster slots and swap requests
    (workstation 0022, server 0021): four new tables, the same operations on both sides."""
    op.create_table(
        "roster_settings",
        sa.Column("shift_start", sa.String(length=5), nullable=False),
        sa.Column("shift_hours", sa.Integer(), nullable=False),
        sa.Column("min_rest_hours", sa.Integer(), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "holidays",
        sa.Column("day", sa.String(length=10), nullable=True),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("legal", sa.Boolean(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "roster_entries",
        sa.Column("shift_key", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=4), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_roster_entries_shift_key", "roster_entries", ["shift_key"], unique=False)
    op.create_index("ix_roster_entries_person_id", "roster_entries", ["person_id"], unique=False)
    op.create_table(
        "roster_swaps",
        sa.Column("entry_a_id", sa.String(length=36), nullable=False),
        sa.Column("entry_b_id", sa.String(length=36), nullable=False),
        sa.Column("person_a_id", sa.String(length=36), nullable=False),
        sa.Column("person_b_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("decision_note", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["entry_a_id"], ["roster_entries.id"]),
        sa.ForeignKeyConstraint(["entry_b_id"], ["roster_entries.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_roster_swaps_entry_a_id", "roster_swaps", ["entry_a_id"], unique=False)


def drop_roster() -> None:
    op.drop_index("ix_roster_swaps_entry_a_id", table_name="roster_swaps")
    op.drop_table("roster_swaps")
    op.drop_index("ix_roster_entries_person_id", table_name="roster_entries")
    op.drop_index("ix_roster_entries_shift_key", table_name="roster_entries")
    op.drop_table("roster_entries")
    op.drop_table("holidays")
    op.drop_table("roster_settings")


def add_case_attachments() -> None:
    """Case attachments (issue 13): the files attached to cases, by SHA-256 (workstation
    0023, server 0022)."""
    op.create_table(
        "case_attachments",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=200), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_attachments_case_id", "case_attachments", ["case_id"], unique=False)


def drop_case_attachments() -> None:
    op.drop_index("ix_case_attachments_case_id", table_name="case_attachments")
    op.drop_table("case_attachments")


def add_cameras() -> None:
    """视频监控 (issue 15): the cameras (workstation 0024, server 0023); no stream address
    in it (see :class:`console.domain.schema.Camera`)."""
    op.create_table(
        "cameras",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("department", sa.String(length=12), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("township_id", sa.String(length=36), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("tags", sa.String(length=200), nullable=False),
        sa.Column("groups", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cameras_township_id", "cameras", ["township_id"], unique=False)


def drop_cameras() -> None:
    op.drop_index("ix_cameras_township_id", table_name="cameras")
    op.drop_table("cameras")


# Indexed references of the teams-in-action tables (issue 14): (table, column).
_TEAM_INDEXES = (
    ("team_members", "team_id"),
    ("team_members", "person_id"),
    ("person_certificates", "person_id"),
    ("team_equipment", "team_id"),
    ("incident_dispatches", "incident_id"),
    ("incident_dispatches", "team_id"),
)


def add_teams_in_action() -> None:
    """Teams in action (issue 14; workstation 0025, server 0024): a team's status and its
    time, its members, equipment and people's certificates, and the dispatches of teams to
    incidents. The same operations on both sides; teams recorded before are 待命."""
    op.add_column(
        "teams",
        sa.Column("status", sa.String(length=4), nullable=False, server_default="待命"),
    )
    op.add_column("teams", sa.Column("status_at", sa.String(length=32), nullable=True))
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("skills", sa.String(length=200), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        *_fk("team_id:teams", "person_id:people"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "person_certificates",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("expires_on", sa.String(length=10), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        *_fk("person_id:people"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "team_equipment",
        sa.Column("team_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_record_columns(),
        *_fk("team_id:teams"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "incident_dispatches",
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("team_id", sa.String(length=36), nullable=False),
        sa.Column("dispatched_at", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("returned_at", sa.String(length=32), nullable=True),
        sa.Column("returned_by", sa.String(length=64), nullable=True),
        *_record_columns(),
        *_fk("incident_id:incidents", "team_id:teams"),
        sa.PrimaryKeyConstraint("id"),
    )
    for table, column in _TEAM_INDEXES:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)


def drop_teams_in_action() -> None:
    for table, column in reversed(_TEAM_INDEXES):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table in ("incident_dispatches", "team_equipment", "person_certificates", "team_members"):
        op.drop_table(table)
    # Plain DROP COLUMN (SQLite >= 3.35), never a copy-and-rename batch.
    op.drop_column("teams", "status_at")
    op.drop_column("teams", "status")


AREA_TABLES = ("townships", "villages", "risk_points")


def add_areas() -> None:
    """Areas (workstation 0026, server 0025): a township's and a village's boundary and a
    risk point's extent, GeoJSON text ("" for none, so records recorded before stay valid)."""
    for table in AREA_TABLES:
        op.add_column(table, sa.Column("area", sa.Text(), nullable=False, server_default=""))


def drop_areas() -> None:
    for table in reversed(AREA_TABLES):
        op.drop_column(table, "area")  # plain DROP COLUMN (SQLite >= 3.35)
