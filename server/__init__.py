"""duty-server: the central sync server (FastAPI + SQLAlchemy, PostgreSQL or SQLite)."""
