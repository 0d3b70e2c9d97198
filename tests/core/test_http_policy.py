"""The run's bounds (conformance/http/policy.py): the request and byte budgets, the rate limit and the
deadline, each stopping a check with the name of its limit; Retry-After; the per-origin breaker."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import pytest

from conformance.errors import BudgetExceeded, HarnessError
from conformance.http import policy
from conformance.http.policy import Breaker, RunLimits, retry_after
from conformance.limits import Budget

FAST = 10_000.0  # requests per second: no spacing worth measuring


def limits(**budget: Any) -> RunLimits:
    return RunLimits(Budget(**{"requests_per_second": FAST, **budget}))


# -- RunLimits ----------------------------------------------------------------------------------------------


def test_the_request_budget_stops_the_request_after_the_last_one_allowed() -> None:
    run = limits(max_requests=2)
    run.acquire()
    run.acquire()
    with pytest.raises(BudgetExceeded) as caught:
        run.acquire()
    assert caught.value.limit == "max_requests"
    assert caught.value.message == "request budget exhausted (max_requests=2)"
    assert run.requests == 2
    assert run.hit == {"max_requests"}


def test_the_rate_limit_spaces_requests() -> None:
    run = limits(requests_per_second=25)
    started = time.monotonic()
    for _ in range(3):
        run.acquire()
    # the first goes at once, each further one a 1/25 s slot later
    assert time.monotonic() - started >= 2 / 25 - 0.002
    assert run.requests == 3
    assert not run.hit


def test_a_request_after_a_pause_is_not_delayed() -> None:
    run = limits(requests_per_second=20)
    run.acquire()
    time.sleep(0.06)  # longer than the 0.05 s slot
    started = time.monotonic()
    run.acquire()
    assert time.monotonic() - started < 0.04


def test_the_byte_budget_stops_the_read_that_crosses_it() -> None:
    run = limits(max_run_bytes=10)
    run.add_bytes(6)
    run.add_bytes(4)  # exactly the budget is allowed
    with pytest.raises(BudgetExceeded) as caught:
        run.add_bytes(1)
    assert caught.value.limit == "max_run_bytes"
    assert caught.value.message == "run byte budget exhausted (max_run_bytes=10)"
    assert run.bytes == 11
    assert run.hit == {"max_run_bytes"}


def test_the_deadline_stops_requests_once_the_run_time_is_spent() -> None:
    run = RunLimits(Budget(max_seconds=1.5, requests_per_second=FAST), started=time.monotonic() - 2)
    assert run.remaining() < 0
    with pytest.raises(BudgetExceeded) as caught:
        run.acquire()
    assert caught.value.limit == "max_seconds"
    assert caught.value.message == "run time budget exhausted (max_seconds=1.5)"
    assert run.requests == 0
    assert run.hit == {"max_seconds"}


def test_the_deadline_is_counted_from_the_start() -> None:
    started = time.monotonic()
    run = RunLimits(Budget(max_seconds=100), started=started)
    assert run.deadline == started + 100
    assert 99 < run.remaining() <= 100


def test_the_deadline_comes_before_the_request_budget() -> None:
    run = RunLimits(Budget(max_seconds=1, max_requests=0), started=time.monotonic() - 5)
    with pytest.raises(BudgetExceeded) as caught:
        run.acquire()
    assert caught.value.limit == "max_seconds"


def test_note_records_a_limit_that_stopped_a_check() -> None:
    run = limits()
    run.note("request_timeout_seconds")
    run.note("request_timeout_seconds")
    assert run.hit == {"request_timeout_seconds"}


# -- retry_after --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [("120", 120.0), (" 7 ", 7.0), ("0", 0.0)])
def test_retry_after_in_seconds(value: str, seconds: float) -> None:
    assert retry_after(value) == seconds


def test_retry_after_as_an_http_date() -> None:
    when = email.utils.formatdate(time.time() + 60, usegmt=True)
    seconds = retry_after(when)
    assert seconds is not None and 55 <= seconds <= 61


def test_retry_after_a_date_in_the_past_is_now() -> None:
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


@pytest.mark.parametrize("value", [None, "", "   ", "soon", "1.5", "-5", "Thursday", "in 5 minutes"])
def test_retry_after_that_is_no_delay_is_none(value: str | None) -> None:
    assert retry_after(value) is None


# -- Breaker ------------------------------------------------------------------------------------------------

ORIGIN = ("http", "127.0.0.1", 8080)
OTHER = ("http", "127.0.0.1", 8081)


def test_the_breaker_lets_requests_through_below_the_threshold() -> None:
    breaker = Breaker()
    breaker.check(ORIGIN, "GET", "http://127.0.0.1:8080/x")
    for _ in range(Breaker.THRESHOLD - 1):
        breaker.seen(ORIGIN, "connection reset by the server", None)
    breaker.check(ORIGIN, "GET", "http://127.0.0.1:8080/x")


def test_the_breaker_opens_after_the_threshold_and_names_the_last_trouble() -> None:
    breaker = Breaker()
    for index in range(Breaker.THRESHOLD):
        breaker.seen(ORIGIN, f"timeout {index}", "request_timeout_seconds")
    with pytest.raises(HarnessError) as caught:
        breaker.check(ORIGIN, "HEAD", "http://127.0.0.1:8080/x")
    error = caught.value
    assert error.message == (f"not sent: the run stopped asking http://127.0.0.1:8080 ({Breaker.THRESHOLD} "
                             f"requests in a row failed, the last: timeout {Breaker.THRESHOLD - 1})")
    assert error.limit == "request_timeout_seconds"
    assert error.exchange is not None
    assert (error.exchange.method, error.exchange.url, error.exchange.error) == (
        "HEAD", "http://127.0.0.1:8080/x", "not sent")
    breaker.check(OTHER, "GET", "http://127.0.0.1:8081/x")  # other origins are not affected


def test_a_success_clears_the_breaker() -> None:
    breaker = Breaker()
    for _ in range(Breaker.THRESHOLD):
        breaker.seen(ORIGIN, "reset", None)
    breaker.cleared(ORIGIN)
    breaker.check(ORIGIN, "GET", "http://127.0.0.1:8080/x")
    breaker.cleared(OTHER)  # clearing an origin never seen is harmless


def test_trouble_must_be_consecutive() -> None:
    breaker = Breaker()
    for _ in range(Breaker.THRESHOLD - 1):
        breaker.seen(ORIGIN, "reset", None)
    breaker.cleared(ORIGIN)
    breaker.seen(ORIGIN, "reset", None)
    breaker.check(ORIGIN, "GET", "http://127.0.0.1:8080/x")


def test_a_long_retry_after_blocks_the_origin_at_once_for_that_long() -> None:
    breaker = Breaker()
    breaker.seen(ORIGIN, "the server answered 429 with Retry-After: 86400 s", None, blocked_for=86400)
    with pytest.raises(HarnessError) as caught:
        breaker.check(ORIGIN, "GET", "http://127.0.0.1:8080/x")
    assert caught.value.message == ("not sent: the run stopped asking http://127.0.0.1:8080 "
                                    "(the server answered 429 with Retry-After: 86400 s)")
    assert caught.value.limit is None


def test_a_block_ends_when_its_time_is_over() -> None:
    breaker = Breaker()
    breaker.seen(ORIGIN, "busy", None, blocked_for=0.05)
    with pytest.raises(HarnessError):
        breaker.check(ORIGIN, "GET", "http://127.0.0.1:8080/x")
    time.sleep(0.06)
    breaker.check(ORIGIN, "GET", "http://127.0.0.1:8080/x")  # one trouble is below the threshold


# -- the adaptive rate (issue 20) ---------------------------------------------------------------------------

REMOTE = ("https", "drs.example.org", 443)
LOOPBACK = ("http", "127.0.0.1", 8080)


def _origin_rate(run: RunLimits, origin: tuple[str, str, int] = REMOTE) -> Any:
    return run.rate_summary()["origins"][f"{origin[0]}://{origin[1]}:{origin[2]}"]  # type: ignore[index]


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.9.0.1", True), ("::1", True),
                                                ("[::1]", True), ("localhost", True), ("10.0.0.1", False),
                                                ("example.org", False), ("localhost.example.org", False)])
def test_loopback_hosts_are_recognised(host: str, loopback: bool) -> None:
    assert policy.is_loopback(host) is loopback


def test_a_loopback_origin_is_not_throttled_by_default_but_counted() -> None:
    run = RunLimits(Budget())
    assert not run.throttles(LOOPBACK) and run.throttles(REMOTE)
    for _ in range(3):
        run.acquire(LOOPBACK)
    assert run.requests == 3 and run.rate_wait == 0.0
    assert run.rate_summary()["loopback_throttled"] is False


def test_a_cap_the_profile_sets_throttles_loopback_too() -> None:
    run = RunLimits(Budget(requests_per_second=5))
    assert run.throttles(LOOPBACK)
    assert run.rate_summary() == {"cap_requests_per_second": 5, "loopback_throttled": True, "origins": {}}


def test_the_rate_grows_while_answers_stay_fast_and_never_passes_the_cap() -> None:
    run = RunLimits(Budget(requests_per_second=20))
    for _ in range(50):
        run.observe(REMOTE, 0.01, 200)
    assert _origin_rate(run)["final_requests_per_second"] == 20


def test_the_rate_falls_when_latency_grows() -> None:
    run = RunLimits(Budget())
    run.observe(REMOTE, 0.01, 200)  # the origin's best, then the rate at 11/s
    for _ in range(3):
        run.observe(REMOTE, 1.0, 200)  # far slower than the best: slow down each time
    state = _origin_rate(run)
    assert state["slowed_for_latency"] == 3
    assert state["final_requests_per_second"] < policy.ADAPTIVE_START * policy.SPEED_UP * 0.5


def test_a_busy_answer_halves_the_rate_and_its_retry_after_holds_the_next_slot() -> None:
    run = RunLimits(Budget())
    run.observe(REMOTE, 0.01, 429, 2.0)
    state = _origin_rate(run)
    assert state["busy_answers"] == 1
    assert state["final_requests_per_second"] == policy.ADAPTIVE_START / 2
    assert run._paces[REMOTE].next_slot >= time.monotonic() + 1.0
    for _ in range(20):
        run.observe(REMOTE, 0.01, 503)
    assert _origin_rate(run)["final_requests_per_second"] == policy.ADAPTIVE_FLOOR


def test_loopback_answers_do_not_adapt_anything() -> None:
    run = RunLimits(Budget())
    run.observe(LOOPBACK, 5.0, 503, 10.0)
    assert run.rate_summary()["origins"] == {}


def test_work_asked_ahead_of_the_checks_takes_at_most_half_of_what_remains() -> None:
    run = RunLimits(Budget(max_requests=10, max_run_bytes=1000, requests_per_second=FAST))
    assert run.within_half(requests=5, read=500)
    assert not run.within_half(requests=6) and not run.within_half(read=501)
    run.acquire()  # one request made: 9 left
    run.add_bytes(200)  # 800 left
    assert run.within_half(requests=4, read=400) and not run.within_half(requests=5)
    assert not run.within_half(read=401)
