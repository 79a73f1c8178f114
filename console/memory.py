"""The garbage collector's policy for the long-running console process.

Start-up (imports, the ORM's mappers, Qt's enums, the first page) allocates hundreds of
thousands of objects that all live as long as the process, and almost no garbage (a few
hundred cyclic objects by the time the first page holds its data). With the collector on,
those allocations trigger full collections that walk the growing graph again and again: on
the project's machine a third of the import time. So the collector is paused from the
start of the GUI (:func:`pause_collector`) until the first page holds its data.

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


def pause_collector() -> None:
    """Stop automatic collections for start-up; :func:`freeze_startup_objects` (or
    :func:`resume_collector`) turns them back on."""
    gc.disable()


def resume_collector() -> None:
    """Automatic collections on again (start-up waits for the officer, or has ended)."""
    gc.enable()


def freeze_startup_objects() -> None:
    """Call once the main window holds its data (on any thread; it is instant): freeze
    what start-up made, and collect automatically again from there on."""
    gc.freeze()
    gc.enable()
