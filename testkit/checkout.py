"""The tests run the checkout's code: which of our packages were imported from elsewhere.

An older editable install of another checkout, a site-packages copy from a plain
``pip install .``, or a folder named ``console`` in the current directory would otherwise
win silently, and the suite would test code that is not the code under review.
``tests/conftest.py`` puts the checkout first on ``sys.path`` and refuses to run when
:func:`foreign_packages` finds anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

PACKAGES = ("console", "server", "testkit")


def foreign_packages(repo: Path, names: Iterable[str] = PACKAGES) -> list[str]:
    """ "name: where it came from" for each package imported from outside ``repo``."""
    repo = repo.resolve()
    out: list[str] = []
    for name in names:
        module = importlib.import_module(name)
        where = Path(module.__file__ or "").resolve()
        if not where.is_relative_to(repo):
            out.append(f"{name}: {where}")
    return out
