"""Qt item models over plain records handed in by services (never the database)."""
