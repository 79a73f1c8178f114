"""Qt infrastructure shared by the views: change bus, watchdog, theme, logging, errors."""
