"""The run's bounds on what it asks of servers: the request and byte budgets with the rate limit
(:class:`RunLimits`), which failures are retried and after how long, and the per-origin breaker that
stops asking a server that keeps timing out, resetting or answering busy.
"""

from __future__ import annotations

import email.utils
import threading
import time
from dataclasses import dataclass

from conformance.errors import BudgetExceeded, HarnessError
from conformance.exchange import Exchange
from conformance.limits import Budget

MAX_ATTEMPTS = 3
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
#: The longest Retry-After the client honours; a longer one is reported instead of waited for.
MAX_RETRY_AFTER = 30.0
#: The most one request waits in all between its attempts (issue 23: a Retry-After or 503 loop is
#: bounded in count, by MAX_ATTEMPTS, and in total wait).
MAX_RETRY_WAIT = 30.0

Origin = tuple[str, str, int]


class RunLimits:
    """Counters and clocks shared by every request of a run."""

    def __init__(self, budget: Budget, started: float | None = None) -> None:
        self.budget = budget
        self.started = time.monotonic() if started is None else started
        self.deadline = self.started + budget.max_seconds
        self.requests = 0
        self.bytes = 0
        self._next_slot = 0.0
        self._lock = threading.Lock()
        #: Names of the limits that stopped at least one check.
        self.hit: set[str] = set()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def acquire(self) -> None:
        """Take one request from the budget, waiting for the rate limit."""
        with self._lock:
            if self.remaining() <= 0:
                self.hit.add("max_seconds")
                raise BudgetExceeded(f"run time budget exhausted (max_seconds={self.budget.max_seconds:g})",
                                     "max_seconds")
            if self.requests >= self.budget.max_requests:
                self.hit.add("max_requests")
                raise BudgetExceeded(f"request budget exhausted (max_requests={self.budget.max_requests})",
                                     "max_requests")
            now = time.monotonic()
            wait = max(0.0, self._next_slot - now)
            self._next_slot = max(now, self._next_slot) + 1.0 / self.budget.requests_per_second
            self.requests += 1
        if wait:
            time.sleep(wait)

    def add_bytes(self, count: int) -> None:
        with self._lock:
            self.bytes += count
            if self.bytes > self.budget.max_run_bytes:
                self.hit.add("max_run_bytes")
                raise BudgetExceeded(f"run byte budget exhausted (max_run_bytes={self.budget.max_run_bytes})",
                                     "max_run_bytes")

    def note(self, limit: str) -> None:
        with self._lock:
            self.hit.add(limit)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class _Trouble:
    """Consecutive costly failures (timeouts, resets, busy answers) of one origin."""

    count: int = 0
    last: str = ""
    limit: str | None = None
    blocked_until: float = 0.0


class Breaker:
    """Per-origin circuit breaker: after :attr:`THRESHOLD` consecutive timeouts, resets or busy answers
    from one origin, the run stops sending it requests: each would cost a full timeout (or the retries)
    and tell nothing new. A Retry-After longer than the harness waits blocks the origin for that long."""

    THRESHOLD = 3

    def __init__(self) -> None:
        self._trouble: dict[Origin, _Trouble] = {}
        self._lock = threading.Lock()

    def check(self, origin: Origin, method: str, redacted_url: str) -> None:
        """Raise :class:`HarnessError` (request not sent) while ``origin`` is blocked."""
        with self._lock:
            trouble = self._trouble.get(origin)
            if trouble is None:
                return
            now = time.monotonic()
            if trouble.blocked_until > now:
                reason = trouble.last
            elif trouble.count >= self.THRESHOLD:
                reason = f"{trouble.count} requests in a row failed, the last: {trouble.last}"
            else:
                return
        scheme, host, port = origin
        exchange = Exchange(method=method, url=redacted_url, error="not sent")
        error = HarnessError(f"not sent: the run stopped asking {scheme}://{host}:{port} ({reason})", exchange)
        error.limit = trouble.limit
        raise error

    def seen(self, origin: Origin, message: str, limit: str | None, blocked_for: float = 0.0) -> None:
        with self._lock:
            trouble = self._trouble.setdefault(origin, _Trouble())
            trouble.count += 1
            trouble.last = message
            trouble.limit = limit
            if blocked_for:
                trouble.blocked_until = time.monotonic() + blocked_for

    def cleared(self, origin: Origin) -> None:
        with self._lock:
            self._trouble.pop(origin, None)
