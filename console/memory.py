"""The garbage collector's policy for the long-running console process.

Start-up (imports, the ORM's mappers, Qt's enums, the first page) makes some 90,000
objects that live as long as the process, and almost no garbage (a few hundred cyclic
objects by the time the first page holds its data). With the collector on, those
allocations trigger collections that walk the growing graph again and again: 50 ms, an
eighth of start-up's imports on the project's machine. So the collector is paused from the
start of the GUI (:func:`pause_collector`) until the first page holds its data.

A full collection walks every tracked object and stops every thread while it does. After
start-up the process holds a large, permanent object graph (modules, SQLAlchemy metadata,
Qt wrappers, the pages); a first sync of 100,000 records allocates enough to trigger full
collections every few seconds, and each walked that whole graph: 75 to 160 ms with the GUI
thread frozen (bench/save_during_sync.py). Freezing the start-up objects moves them out of
the collector's reach, so later full collections walk only what was made since (50 ms at
most in the same bench). Objects frozen here are never collected: only what exists at the
end of start-up is frozen, and that lives as long as the process anyway, but for the little
garbage start-up left with the collector paused (some 500 objects; about 9,000 on a first
run that loads the sample county), kept rather than paying a full collection (50 ms or more
on the GUI thread) to find it.

In the GUI, "collection on" never means automatic: collected on a pool thread, Qt wrappers
deadlock the GUI thread (console/ui/gc_guard.py). Once the GUI-thread collector is installed
(:func:`collect_on_gui_thread`), turning collection on means that collector's timer runs
again, and ``gc`` itself stays disabled.
"""

from __future__ import annotations

import gc

_paused = False
_gui_thread_collects = False


def pause_collector() -> None:
    """Stop collections for start-up; :func:`freeze_startup_objects` (or
    :func:`resume_collector`) turns them back on."""
    global _paused
    _paused = True
    gc.disable()


def resume_collector() -> None:
    """Collections on again (start-up waits for the officer, or has ended): automatic, or
    the GUI thread's collector's once it is installed."""
    global _paused
    _paused = False
    if not _gui_thread_collects:
        gc.enable()


def freeze_startup_objects() -> None:
    """Call once the main window holds its data (on any thread; it is instant): freeze
    what start-up made, and collect again from there on."""
    gc.freeze()
    resume_collector()


def collect_on_gui_thread() -> None:
    """From now on only the GUI thread's collector collects (console.ui.gc_guard)."""
    global _gui_thread_collects
    _gui_thread_collects = True
    gc.disable()


def collection_paused() -> bool:
    return _paused


def collection_on() -> bool:
    """Whether garbage is being collected: automatically, or by the GUI thread's timer."""
    return gc.isenabled() or (_gui_thread_collects and not _paused)
