"""Fault injection: the named points where a test makes the workstation fail on purpose.

Off unless a test turns it on. Product code marks each point with ``faults.reached(POINT)``;
with nothing armed that is one check of a module global (no environment lookup, no lock).
Nothing else in the product knows about faults.

Points (``POINTS``):

- ``after_mutation`` (store/writer.py): inside the write transaction, after one mutation's
  rows, before its outbox row; reached once per mutation of the batch.
- ``after_outbox``: the batch's outbox rows inserted, the mutation counter not advanced.
- ``before_commit``: everything written, the transaction not committed.
- ``after_push_sent`` (the sync client's HTTP transport): a push request is entirely on the
  wire and not one byte of the reply has been read. Reached inside the one requests path of
  ``console/sync/client.py``: when this point is armed, :func:`instrument` mounts a
  transport adapter on the client's session whose connections call it between sending a
  ``POST .../sync/push`` and reading its reply.
- ``after_push_reply`` (sync/engine.py): the server committed the push and replied; the
  reply is not recorded locally yet.
- ``mid_pull_apply`` (sync/apply.py): half of a pull page applied inside its transaction.
- ``pull_yield`` (sync/apply.py): a page's sub-transaction committed early for a waiting
  save; the page's remaining rows and its cursor are not applied yet.
- ``readings_chunk`` (sync/readings.py): one chunk of a readings page written inside its
  sub-transaction; ``readings_yield``: a readings page's sub-transaction committed early for
  a waiting save, its cursor not saved yet.

Turning it on:

- In-process: ``with faults.armed(POINT, action): ...`` (or :func:`arm` / :func:`disarm`);
  ``action(point)`` runs each time the point is reached, e.g. raises.
- In a subprocess: ``DUTY_FAULT_KILL_AT=POINT[:N]`` in its environment, read once when this
  module is first imported: the N-th time (default the 1st) the process reaches POINT it
  kills itself with SIGKILL, as a power cut would. An unknown point name is an error at
  import, so a typo cannot leave a crash test silently crash-free.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

Action = Callable[[str], None]

KILL_ENV = "DUTY_FAULT_KILL_AT"
POINTS = frozenset(
    {
        "after_mutation",
        "after_outbox",
        "before_commit",
        "after_push_sent",
        "after_push_reply",
        "mid_pull_apply",
        "pull_yield",
        "readings_chunk",
        "readings_yield",
    }
)
# Points reached by the HTTP transport: request path suffix -> point.
_WIRE_POINTS = {"/sync/push": "after_push_sent"}

_armed: dict[str, Action] | None = None  # None: nothing armed, the fast path


def reached(point: str) -> None:
    """Mark a fault point: does nothing unless a test armed ``point``."""
    if _armed is None:
        return
    action = _armed.get(point)
    if action is not None:
        action(point)


def arm(point: str, action: Action) -> None:
    global _armed
    if point not in POINTS:
        raise ValueError(f"unknown fault point {point!r}; known: {', '.join(sorted(POINTS))}")
    _armed = {**(_armed or {}), point: action}


def disarm(point: str | None = None) -> None:
    """Disarm ``point``, or every point."""
    global _armed
    remaining = {} if point is None else {k: v for k, v in (_armed or {}).items() if k != point}
    _armed = remaining or None


@contextlib.contextmanager
def armed(point: str, action: Action) -> Iterator[None]:
    arm(point, action)
    try:
        yield
    finally:
        disarm(point)


def kill_on(nth: int = 1) -> Action:
    """An action that SIGKILLs this process the ``nth`` time its point is reached."""
    hits = 0

    def kill(_point: str) -> None:
        nonlocal hits
        hits += 1
        if hits >= nth:
            os.kill(os.getpid(), signal.SIGKILL)

    return kill


def parse_kill_spec(spec: str) -> tuple[str, int]:
    """``POINT[:N]`` -> (POINT, N)."""
    point, _, count = spec.partition(":")
    return point, int(count or 1)


def instrument(session: Any) -> None:
    """Mount the fault transport on a ``requests.Session`` if a wire point is armed; else
    leave the session untouched. Call it when the session is made (arm first)."""
    if _armed is None or not any(p in _armed for p in _WIRE_POINTS.values()):
        return
    adapter = _transport_adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)


def _wire_point(method: str, url: str) -> str | None:
    path = url.split("?", 1)[0]
    if method != "POST":
        return None
    return next((p for suffix, p in _WIRE_POINTS.items() if path.endswith(suffix)), None)


def _transport_adapter() -> Any:
    """A requests adapter whose urllib3 connections reach the wire points between sending a
    request and reading its reply (built on demand: tests only)."""
    from requests.adapters import HTTPAdapter
    from urllib3 import connection, connectionpool

    class Watched(connection.HTTPConnection):
        _fault_point: str | None = None

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> None:
            self._fault_point = _wire_point(method, url)
            super().request(method, url, *args, **kwargs)

        def getresponse(self) -> Any:
            point, self._fault_point = self._fault_point, None
            if point is not None:
                reached(point)  # the request is on the wire, its reply unread
            return super().getresponse()

    watched_tls = type("WatchedTls", (Watched, connection.HTTPSConnection), {})
    pools = {
        "http": type("Pool", (connectionpool.HTTPConnectionPool,), {"ConnectionCls": Watched}),
        "https": type(
            "TlsPool", (connectionpool.HTTPSConnectionPool,), {"ConnectionCls": watched_tls}
        ),
    }

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    return Adapter()


if _spec := os.environ.get(KILL_ENV):
    _point, _nth = parse_kill_spec(_spec)
    arm(_point, kill_on(_nth))
