"""Alembic environment of the server database (synced tables + server tables)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from server.schema import server_metadata as _metadata


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
