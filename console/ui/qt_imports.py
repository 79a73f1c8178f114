"""Importing PySide6 without the per-import cost of its ``__feature__`` hook.

Importing PySide6 replaces ``builtins.__import__`` with shiboken's ``__feature_import__``,
which serves PySide's opt-in ``from __feature__ import snake_case, true_property``. It runs
Python code on every import statement and, for each newly imported module, reads that
module's whole source file (``inspect.getsource``) to see whether it mentions PySide6.
Start-up imports SQLAlchemy, the ORM schema and the first page after Qt, some 400 modules:
the hook cost 65 ms, a sixth of their import time on the project's machine. The console
never uses ``__feature__``, so the desktop app puts back the import function PySide6
wrapped (shiboken's lazy-type import, which keeps ``from PySide6.QtWidgets import *``
working).
"""

from __future__ import annotations

import builtins


def import_qt_without_feature_hook() -> bool:
    """Import PySide6's core and drop its ``__feature__`` import hook; True when dropped
    (False: this PySide6 installs no such hook, or it was dropped already)."""
    import PySide6.QtCore  # noqa: F401  (installs the hook)

    hook = getattr(builtins, "__feature_import__", None)
    wrapped = getattr(builtins, "__orig_import__", None)
    if hook is None or wrapped is None or builtins.__import__ is not hook:
        return False
    builtins.__import__ = wrapped
    return True
