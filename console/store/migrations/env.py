"""Alembic environment: runs on the connection the store hands over (no ini file)."""

from __future__ import annotations

from alembic import context

from console.store.records import workstation_metadata as _metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # "alembic revision --autogenerate" from a developer shell
        from sqlalchemy import create_engine

        engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")
        with engine.connect() as conn:
            context.configure(connection=conn, target_metadata=_metadata(), render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=_metadata(), render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
