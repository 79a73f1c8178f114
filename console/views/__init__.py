"""Qt views: the main window, its parts and the pages (no database access here)."""
