"""The garbage collector's policy for the long-running console process.

A full collection walks every tracked object and stops every thread while it does. After
start-up the process holds a large, permanent object graph (modules, SQLAlchemy metadata,
Qt wrappers, the pages); a first sync of 100,000 records allocates enough to trigger full
collections every few seconds, and each walked that whole graph: 75 to 160 ms with the GUI
thread frozen (bench/save_during_sync.py). Freezing the start-up objects moves them out of
the collector's reach, so later full collections walk only what was made since (50 ms at
most in the same bench). Objects frozen here are never collected: only what exists at the
end of start-up is frozen, and that lives as long as the process anyway.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Call once the main window holds its data (on any thread; it is instant)."""
    gc.freeze()
