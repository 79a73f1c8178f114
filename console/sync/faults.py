"""Crash points for the sync robustness tests: ``DUTY_SYNC_KILL_AT=POINT[:N]`` makes the
process SIGKILL itself the N-th time (default 1st) it reaches POINT. Unset in production.

Points: ``after_push_sent`` (the push is on the wire, no reply read), ``after_push_reply``
(the server committed, the reply is not stored yet), ``mid_pull_apply`` (inside the pull
transaction, half the page applied), ``pull_yield`` (a page's sub-transaction committed early
for a waiting save; the page's remaining rows and its cursor are not applied yet).
"""

from __future__ import annotations

import os
import signal

ENV = "DUTY_SYNC_KILL_AT"
_hits: dict[str, int] = {}


def armed(point: str) -> bool:
    spec = os.environ.get(ENV, "")
    return spec.split(":", 1)[0] == point


def reached(point: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    name, _, count = spec.partition(":")
    if name != point:
        return
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
