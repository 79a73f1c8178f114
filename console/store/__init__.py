"""The workstation store: SQLite in WAL mode, the outbox, migrations and the one write path.

Imports no Qt, so the CLI, the sync engine, the server's tests and benchmarks can use it.
"""
