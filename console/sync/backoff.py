"""How long the sync engine waits before trying the server again after a failed round.

Two cases, because they cost the server differently:

- **No answer** (connection refused, timeout, or 502/503/504 from a proxy whose
  server is gone): a retry reaches no server at all, so it costs nobody anything. While the
  server was reachable within :attr:`Backoff.recent_s` (an outage of a few minutes: a restart,
  a cable, a switch), retries stay short, about every :attr:`Backoff.fast_cap_s` seconds, so
  the workstation is back within a few seconds of the server; after a long outage they
  grow to :attr:`Backoff.slow_cap_s`.
- **The server answered with an error**, or its certificate is not trusted (a handshake is
  work for it, and the certificate will not fix itself in seconds): retries back off
  exponentially to :attr:`Backoff.slow_cap_s`, so a server in trouble is not hammered.

Every delay carries random jitter (x0.75 to x1.25), so the workstations of the county do not
all come back in the same instant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from console.sync.client import SyncHttpError, Unreachable, Untrusted

# A proxy or load balancer in front of a stopped server answers with these.
_GATEWAY_STATUSES = frozenset({502, 503, 504})


def no_answer(exc: BaseException) -> bool:
    """Whether ``exc`` means no server answered (the retry reaches nobody)."""
    if isinstance(exc, Unreachable):
        return not isinstance(exc, Untrusted)
    return isinstance(exc, SyncHttpError) and exc.status in _GATEWAY_STATUSES


@dataclass(frozen=True)
class Backoff:
    first_s: float = 1.0
    fast_cap_s: float = 2.0  # no answer, server reachable within recent_s
    slow_cap_s: float = 60.0
    recent_s: float = 600.0
    jitter: tuple[float, float] = (0.75, 1.25)

    def delay(self, failures: int, since_contact_s: float | None, unanswered: bool) -> float:
        """Seconds to wait after the ``failures``-th failure in a row (1 = the first);
        ``since_contact_s``: seconds since the server last answered (None: never)."""
        grown = self.first_s * 2 ** max(failures - 1, 0)
        recent = since_contact_s is not None and since_contact_s < self.recent_s
        cap = self.fast_cap_s if unanswered and recent else self.slow_cap_s
        return min(grown, cap) * random.uniform(*self.jitter)
