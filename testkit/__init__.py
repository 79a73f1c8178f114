"""Test and benchmark harness of duty-console: real servers, real databases, no mocks.

Why a package at the repository root: the tests (``tests/``) and the benchmarks (``bench/``)
both start ``duty-server`` processes, and they must do it one way. ``tests/`` cannot be
imported by the benchmarks and ``bench/`` is not a package, so the harness lives next to
``console`` and ``server``:

- the tests find it because pytest puts the checkout first on ``sys.path``
  (``pythonpath = ["."]`` in pyproject.toml; ``tests/conftest.py`` checks it);
- the benchmarks find it because ``bench/_sync_common.py``, the module every sync benchmark
  imports first, puts the checkout on ``sys.path`` (the one place that does).

It is not part of the installed product (``[tool.setuptools.packages.find]`` ships only
``console*`` and ``server*``), and it imports nothing from ``tests/``.

Modules: :mod:`testkit.server` (free ports, server databases on SQLite or PostgreSQL,
``duty-server`` processes and CLI calls).
"""
