"""Alembic environment of the server database (synced tables + server tables)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, create_engine

from console.domain.schema import SyncedBase
from server.schema import ServerBase


def _metadata() -> MetaData:
    merged = MetaData()
    for base in (SyncedBase, ServerBase):
        for table in base.metadata.tables.values():
            table.to_metadata(merged)
    return merged


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # developer shell: alembic revision --autogenerate
        engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.connect() as conn:
            context.configure(connection=conn, target_metadata=_metadata())
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=_metadata())
    with context.begin_transaction():
        context.run_migrations()


run()
