"""The run's bounds on what it asks of servers: the request and byte budgets with the rate limit
(:class:`RunLimits`), which failures are retried and after how long, and the per-origin breaker that
stops asking a server that keeps timing out, resetting or answering busy.
"""

from __future__ import annotations

import email.utils
import functools
import ipaddress
import threading
import time
from dataclasses import dataclass, field

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

#: The adaptive rate (issue 20). A remote origin starts at ``ADAPTIVE_START`` requests per second (or
#: the cap, if lower), grows by ``SPEED_UP`` with each answer that comes as fast as the origin's best,
#: shrinks by ``SLOW_DOWN`` when answers take ``LATENCY_GROWTH`` times the best (and ``LATENCY_SLACK``
#: more), halves on a 429 or 503 and waits out its Retry-After; it never exceeds the budget's
#: ``requests_per_second`` (the cap) nor goes below ``ADAPTIVE_FLOOR``.
ADAPTIVE_START = 10.0
ADAPTIVE_FLOOR = 0.5
SPEED_UP = 1.1
SLOW_DOWN = 0.7
LATENCY_GROWTH = 2.0
LATENCY_SLACK = 0.05
BUSY_STATUSES = frozenset({429, 503})


@functools.lru_cache(maxsize=256)
def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ::1). Remembered: the client asks
    it of every request's host, and parsing an address costs as much as a tenth of preparing the request."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class _Pace:
    """The adaptive rate of one origin."""

    rate: float
    next_slot: float = 0.0
    best: float | None = None
    slowed: int = 0
    busy: int = 0
    waited: float = 0.0
    rates: list[float] = field(default_factory=list)


class SharedPool:
    """The request and byte budget of a run checked by several processes at once (``--jobs``): counters in
    memory the forked workers share with the parent, so every worker draws from the one budget instead of
    a fixed share of it (a worker whose services need more than their share would stop where a sequential
    run goes on)."""

    def __init__(self, requests: int = 0, bytes_read: int = 0) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._lock = context.Lock()
        self._requests = context.RawValue("q", requests)
        self._bytes = context.RawValue("q", bytes_read)

    def take_request(self, maximum: int) -> bool:
        """One request more, unless the run's ``maximum`` is reached (then False)."""
        with self._lock:
            if self._requests.value >= maximum:
                return False
            self._requests.value += 1
            return True

    def leave_room(self, requests: int, maximum: int) -> None:
        """At least ``requests`` of the run's ``maximum`` left to take (see :meth:`RunLimits.grant`)."""
        with self._lock:
            self._requests.value = min(self._requests.value, max(0, maximum - requests))

    def add_bytes(self, count: int, maximum: int) -> bool:
        """``count`` bytes more; False when the run's total passes ``maximum``."""
        with self._lock:
            self._bytes.value += count
            return bool(self._bytes.value <= maximum)

    @property
    def bytes_read(self) -> int:
        return int(self._bytes.value)

    @property
    def requests(self) -> int:
        return int(self._requests.value)


class RunLimits:
    """Counters and clocks shared by every request of a run.

    The rate: the budget's ``requests_per_second`` is a cap for the whole run; under it each remote
    origin gets an adaptive rate (see :data:`ADAPTIVE_START`). A loopback origin (a server on this
    machine: nobody else's production) is not throttled, unless the budget sets a cap other than the
    default (``throttle_loopback``)."""

    def __init__(self, budget: Budget, started: float | None = None, *,
                 throttle_loopback: bool | None = None) -> None:
        self.budget = budget
        self.started = time.monotonic() if started is None else started
        self.deadline = self.started + budget.max_seconds
        self.requests = 0
        self.bytes = 0
        self._next_slot = 0.0
        self._lock = threading.Lock()
        #: Names of the limits that stopped at least one check.
        self.hit: set[str] = set()
        self._throttle_loopback = throttle_loopback
        self._paces: dict[Origin, _Pace] = {}
        #: Seconds spent waiting for the rate limit (all threads), for the run's time profile.
        self.rate_wait = 0.0
        #: The budget shared with the other processes of a parallel run (``--jobs``), when there are some.
        self.pool: SharedPool | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def throttles(self, origin: Origin) -> bool:
        """Whether requests to ``origin`` are paced at all."""
        if not is_loopback(origin[1]):
            return True
        if self._throttle_loopback is not None:
            return self._throttle_loopback
        return self.budget.requests_per_second != Budget.requests_per_second

    def acquire(self, origin: Origin | None = None) -> None:
        """Take one request from the budget, waiting for the rate limit (of ``origin``, when named)."""
        if origin is not None and not self.throttles(origin):
            self._count()
            return
        if origin is None or is_loopback(origin[1]):
            self._acquire_global()  # a loopback server with a cap the profile set: paced at that cap
            return
        with self._lock:
            self._check_budget()
            now = time.monotonic()
            pace = self._pace(origin)
            cap = self.budget.requests_per_second
            slot = max(now, self._next_slot, pace.next_slot)
            self._next_slot = slot + 1.0 / cap
            pace.next_slot = slot + 1.0 / min(cap, pace.rate)
            pace.rates.append(min(cap, pace.rate))
            self._take()
            wait = slot - now
        if wait > 0:
            with self._lock:
                pace.waited += wait
                self.rate_wait += wait
            time.sleep(wait)

    def _pace(self, origin: Origin) -> _Pace:
        pace = self._paces.get(origin)
        if pace is None:
            pace = self._paces[origin] = _Pace(rate=min(self.budget.requests_per_second, ADAPTIVE_START))
        return pace

    def observe(self, origin: Origin, elapsed: float, status: int | None, retry_after_s: float | None = None) -> None:
        """Adapt ``origin``'s rate to one answer: its time to the headers and its status."""
        if is_loopback(origin[1]):
            return
        cap = self.budget.requests_per_second
        with self._lock:
            pace = self._pace(origin)
            if status in BUSY_STATUSES:
                pace.busy += 1
                pace.rate = max(ADAPTIVE_FLOOR, pace.rate / 2)
                if retry_after_s:
                    pace.next_slot = max(pace.next_slot, time.monotonic() + min(retry_after_s, MAX_RETRY_AFTER))
                return
            if pace.best is None or elapsed < pace.best:
                pace.best = elapsed
            if elapsed > pace.best * LATENCY_GROWTH + LATENCY_SLACK:
                pace.slowed += 1
                pace.rate = max(ADAPTIVE_FLOOR, pace.rate * SLOW_DOWN)
            else:
                pace.rate = min(cap, pace.rate * SPEED_UP)

    def rate_summary(self) -> dict[str, object]:
        """The rate the run kept, for the scorecard's usage: the cap, whether loopback was throttled and,
        per paced origin, its final and mean rate, its slow-downs, busy answers and waits."""
        with self._lock:
            origins = {f"{scheme}://{host}:{port}": {
                "final_requests_per_second": round(min(self.budget.requests_per_second, pace.rate), 2),
                "mean_requests_per_second": round(sum(pace.rates) / len(pace.rates), 2) if pace.rates else None,
                "slowed_for_latency": pace.slowed, "busy_answers": pace.busy,
                "waited_seconds": round(pace.waited, 3)} for (scheme, host, port), pace in sorted(self._paces.items())}
        return {"cap_requests_per_second": self.budget.requests_per_second,
                "loopback_throttled": self._throttle_loopback if self._throttle_loopback is not None
                else self.budget.requests_per_second != Budget.requests_per_second,
                "origins": origins}

    def _count(self) -> None:
        with self._lock:
            self._check_budget()
            self._take()

    def _take(self) -> None:
        """Count one request (the lock held, the budget checked): in the shared pool too, when there is one."""
        if self.pool is not None and not self.pool.take_request(self.budget.max_requests):
            self.hit.add("max_requests")
            raise BudgetExceeded(f"request budget exhausted (max_requests={self.budget.max_requests})",
                                 "max_requests")
        self.requests += 1

    def _check_budget(self) -> None:
        if self.remaining() <= 0:
            self.hit.add("max_seconds")
            raise BudgetExceeded(f"run time budget exhausted (max_seconds={self.budget.max_seconds:g})",
                                 "max_seconds")
        if self.requests >= self.budget.max_requests:
            self.hit.add("max_requests")
            raise BudgetExceeded(f"request budget exhausted (max_requests={self.budget.max_requests})",
                                 "max_requests")

    def _acquire_global(self) -> None:
        """One request from the budget at the cap, whatever the origin (callers that name none)."""
        with self._lock:
            self._check_budget()
            now = time.monotonic()
            wait = max(0.0, self._next_slot - now)
            self._next_slot = max(now, self._next_slot) + 1.0 / self.budget.requests_per_second
            self._take()
            self.rate_wait += wait
        if wait:
            time.sleep(wait)

    def add_bytes(self, count: int) -> None:
        with self._lock:
            self.bytes += count
            shared_ok = self.pool is None or self.pool.add_bytes(count, self.budget.max_run_bytes)
            if self.bytes > self.budget.max_run_bytes or not shared_ok:
                self.hit.add("max_run_bytes")
                raise BudgetExceeded(f"run byte budget exhausted (max_run_bytes={self.budget.max_run_bytes})",
                                     "max_run_bytes")

    def grant(self, requests: int, seconds: float) -> None:
        """Room for a clean-up that must not be cut short by a spent budget (cancelling what the run created
        on the service): at least ``requests`` more requests, in every process of a parallel run too, and
        ``seconds`` more time."""
        with self._lock:
            self.deadline = max(self.deadline, time.monotonic() + seconds)
            self.requests = min(self.requests, max(0, self.budget.max_requests - requests))
            if self.pool is not None:
                self.pool.leave_room(requests, self.budget.max_requests)

    def requests_left(self) -> int:
        """Requests the run may still make, across the processes of a parallel run."""
        spent = self.pool.requests if self.pool is not None else self.requests
        return self.budget.max_requests - spent

    def within_half(self, requests: int = 0, read: int = 0) -> bool:
        """Whether ``requests`` more requests and ``read`` more bytes take at most half of what remains of each:
        the rule for work asked ahead of the checks (side by side), which near a limit is left to the checks,
        one at a time in their order, so that it takes nothing a check before it would have had."""
        return requests <= self.requests_left() // 2 and read <= self.bytes_left() // 2

    def bytes_left(self) -> int:
        """What the run may still read, across the processes of a parallel run."""
        spent = self.pool.bytes_read if self.pool is not None else self.bytes
        return self.budget.max_run_bytes - spent

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
