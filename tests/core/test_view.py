"""The core's view of one service (conformance/view.py): one per service and run, answers memoised."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from conformance.limits import Budget
from conformance.profile import Service
from conformance.view import ServiceView


@dataclass
class FakeLimits:
    budget: Budget = field(default_factory=Budget)
    left: int = 2000

    def within_half(self, requests: int = 0, read: int = 0) -> bool:
        return requests <= self.left // 2


@dataclass
class FakeRun:
    views: dict[tuple[type, str], Any] = field(default_factory=dict)
    created: dict[str, Any] = field(default_factory=dict)
    limits: FakeLimits = field(default_factory=FakeLimits)
    unusable: dict[str, str] = field(default_factory=dict)

    def client_for(self, service: Service) -> str:
        return f"client of {service.url}"


class Things(ServiceView):
    pass


class Others(ServiceView):
    pass


def _service(index: int = 0, version: str = "1.4.0", **options: Any) -> Service:
    return Service(index=index, standard="example", version=version, url=f"http://127.0.0.1:9/{index}",
                   options=options)


def test_of_gives_one_view_per_class_and_service() -> None:
    run: Any = FakeRun()
    first, second = _service(0), _service(1)
    assert Things.of(first, run) is Things.of(first, run)
    assert Things.of(first, run) is not Things.of(second, run)
    assert Others.of(first, run) is not Things.of(first, run)
    assert Things.of(first, run).client == "client of http://127.0.0.1:9/0"


def test_memo_computes_once_and_keeps_a_skip() -> None:
    view = Things(_service(), FakeRun())  # type: ignore[arg-type]
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        return 42

    assert view.memo("k", make) == 42 and view.memo("k", make) == 42 and len(calls) == 1

    def unavailable() -> int:
        calls.append(2)
        pytest.skip("the service offers no such thing")

    for _ in range(2):
        with pytest.raises(pytest.skip.Exception, match="no such thing"):
            view.memo("missing", unavailable)
    assert calls.count(2) == 1


def test_version_option_and_at_least() -> None:
    view = Things(_service(version="1.4.0", objects=["a", 1]), FakeRun())  # type: ignore[arg-type]
    assert view.version == "1.4.0" and view.at_least("1.3.0") and not view.at_least("1.5.0")
    assert view.option("objects") == ["a", "1"] and view.option("absent") == []
    assert repr(view) == "Things(http://127.0.0.1:9/0)"


def test_the_run_closes_every_view_it_made(tmp_path: Any) -> None:
    from conformance.profile import parse_profile
    from conformance.run import prepare
    from conformance.suite import discover

    closed: list[str] = []

    class Holding(ServiceView):
        def close(self) -> None:
            closed.append(self.service.url)

    profile = parse_profile({"initiative": "X", "services": [
        {"standard": "service-info", "version": "1.0.0", "url": "http://127.0.0.1:9/"}]}, standards=discover())
    run = prepare(profile, report_root=tmp_path)
    Holding.of(run.services[0], run)
    run.close()
    assert closed == ["http://127.0.0.1:9"] and run.views == {}


def test_what_a_view_creates_is_recorded_on_the_run_per_service() -> None:
    """Issue 14: the suite notes each thing it writes; the scorecard lists it with its clean-up outcome."""
    run: Any = FakeRun()
    first, second = Things.of(_service(0), run), Things.of(_service(1), run)
    made = first.record_created("run", "r-1")
    first.record_created("run", "r-2")
    assert [c.id for c in first.created_items()] == ["r-1", "r-2"]
    assert second.created_items() == []
    assert run.created == {first.service.key: first.created_items()}
    assert made.outcome == "unsettled" and not made.settled
    first.clean_up()  # nothing by default: what to undo is the standard's to know
    assert not made.settled


def test_the_run_lets_every_view_clean_up_and_a_failing_one_stops_no_other() -> None:
    from types import SimpleNamespace

    from conformance.run import Run

    calls: list[str] = []

    class Broken(ServiceView):
        def clean_up(self) -> None:
            calls.append("broken")
            raise RuntimeError("the service went away")

    class Tidy(ServiceView):
        def clean_up(self) -> None:
            calls.append("tidy")

    run: Any = FakeRun()
    Broken.of(_service(0), run)
    Tidy.of(_service(1), run)
    Run.clean_up(SimpleNamespace(views=run.views))  # type: ignore[arg-type]
    assert calls == ["broken", "tidy"]


@dataclass
class _Answer:
    status: int


def test_require_admission_skips_a_refusal_for_want_of_credentials_with_the_reason() -> None:
    from conformance.profile import Auth

    run: Any = FakeRun()
    open_view = Things.of(_service(0), run)
    open_view.require_admission(_Answer(200), "GET /x")  # admitted: nothing to say
    open_view.require_admission(_Answer(404), "GET /x")
    with pytest.raises(pytest.skip.Exception, match=r"GET /x answered 401: .* the profile gives none"):
        open_view.require_admission(_Answer(401), "GET /x")
    given = Service(index=1, standard="example", version="1.4.0", url="http://127.0.0.1:9/1",
                    auth=Auth(env={"bearer_token_env": "TOKEN"}))
    with pytest.raises(pytest.skip.Exception, match=r"answered 403: .* it refused the profile's credentials"):
        Things.of(given, run).require_admission(_Answer(403), "GET /x")


def test_settle_created_cancels_what_still_runs_and_names_each_outcome() -> None:
    from conformance.scorecard import Created

    run: Any = FakeRun()
    view = Things.of(_service(0), run)
    finals = {"DONE", "KILLED"}

    def settled(states: list[str | None], cancel_status: int | None = 200, before: bool = False) -> Created:
        item, asked, cancels = Created("job", "j-1"), iter(states), []

        def cancel() -> Any:
            cancels.append(1)
            if cancel_status is None:
                raise OSError("connection reset")
            return _Answer(cancel_status)

        view.settle_created(item, lambda: next(asked), cancel, final=finals, stopping=("STOPPING",),
                            cancelled_before=before)
        assert bool(cancels) == (states[0] not in finals and states[0] != "STOPPING")
        return item

    assert (settled(["DONE"]).outcome, settled(["DONE"]).state) == ("finished", "DONE")
    assert settled(["DONE"], before=True).outcome == "cancelled"
    assert settled(["STOPPING"]).outcome == "cancelled"
    assert (settled(["RUNNING", "KILLED"]).outcome, settled(["RUNNING", "KILLED"]).state) == ("cancelled", "KILLED")
    assert settled(["RUNNING"], cancel_status=404).outcome == "cancel-failed"
    assert settled(["RUNNING"], cancel_status=None).outcome == "cancel-failed"


# -- prefetch -------------------------------------------------------------------------------------------


def _checking(run: Any = None) -> Things:
    return Things.checked(_service(), run or FakeRun(limits=FakeLimits(Budget(concurrent_requests=4))))


def test_prefetch_makes_the_entries_side_by_side_and_keeps_them_as_memo_does() -> None:
    view = _checking()
    together = threading.Barrier(4, timeout=5)  # passed only if four makes run at once
    calls: list[str] = []

    def answer(key: str) -> str:
        calls.append(key)
        together.wait()
        return f"answer {key}"

    def unavailable() -> str:
        calls.append("skip")
        together.wait()
        pytest.skip("not offered")

    def broken() -> str:
        calls.append("broken")
        together.wait()
        raise OSError("connection reset")

    view.prefetch("things", lambda: [("a", partial(answer, "a")), ("b", partial(answer, "b")),
                                     ("skip", unavailable), ("broken", broken)])
    assert sorted(calls) == ["a", "b", "broken", "skip"]
    assert view.memo("a", lambda: "again") == "answer a" and view.memo("b", lambda: "again") == "answer b"
    with pytest.raises(pytest.skip.Exception, match="not offered"):
        view.memo("skip", lambda: "again")
    # an error is raised once, to the first check that asks (as if it had made the entry), not asked again...
    with pytest.raises(OSError, match="connection reset"):
        view.memo("broken", lambda: "asked again")
    # ...and the next check makes it again, as without the prefetch
    assert view.memo("broken", lambda: "made by the next check") == "made by the next check"
    view.prefetch("things", lambda: [("c", partial(answer, "c"))])  # once per name
    assert "c" not in calls


def test_prefetch_lists_its_entries_from_what_is_made_only() -> None:
    """The listing never asks what a check would not: an item whose needs are not made, or failed, is left
    out (its check asks for them, once), and so is everything when the listing itself raises."""
    view = _checking()
    view.memo("needed a", lambda: "a's answer")
    view.memo("needed d", lambda: "d's answer")
    view.prefetch("first", lambda: [("needed b", lambda: 1 / 0), ("other", lambda: "x")])  # b failed, kept
    asked: list[str] = []

    def listing() -> list[Any]:
        entries = []
        for item in ("a", "b", "c", "d"):
            try:
                needed = view.memo(f"needed {item}", partial(asked.append, item))  # never made here
            except Exception:
                continue
            entries.append((f"then {item}", partial(str, needed)))
        return entries

    view.prefetch("then", listing)
    assert asked == []
    assert view.memo("then a", lambda: "asked by the check") == "a's answer"
    assert view.memo("then d", lambda: "asked by the check") == "d's answer"
    assert view.memo("then c", lambda: "asked by the check") == "asked by the check"
    with pytest.raises(ZeroDivisionError):  # b's failure reaches its first check, as if made there
        view.memo("needed b", lambda: "asked again")

    def listing_skips() -> list[Any]:
        pytest.skip("the listing's own material is missing")

    def listing_fails() -> list[Any]:
        raise OSError("no route")

    view.prefetch("skips", listing_skips)  # neither skips nor errs the check that asked
    view.prefetch("fails", listing_fails)


def test_prefetch_leaves_made_entries_as_they_are() -> None:
    view = _checking()
    view.memo("a", lambda: "first")
    made: list[str] = []
    view.prefetch("made", lambda: [("a", lambda: made.append("a")), ("b", lambda: made.append("b")),
                                   ("c", lambda: made.append("c"))])
    assert sorted(made) == ["b", "c"] and view.memo("a", lambda: "again") == "first"


def test_no_prefetch_by_default_near_max_requests_or_for_another_standard() -> None:
    """One request at a time (the default), entries that would take more than half of the requests left, or
    a view that only serves another standard's reads (not :attr:`checking`): each entry is made when a check
    asks for it."""
    made: list[str] = []
    for view in (_checking(FakeRun()), _checking(FakeRun(limits=FakeLimits(Budget(concurrent_requests=4), left=3))),
                 Things(_service(), FakeRun(limits=FakeLimits(Budget(concurrent_requests=4))))):  # type: ignore[arg-type]
        view.prefetch("things", lambda: [("a", lambda: made.append("a")), ("b", lambda: made.append("b"))])
    assert made == []


def test_a_prefetch_asked_while_listing_another_makes_nothing_there() -> None:
    view = _checking(FakeRun(limits=FakeLimits(Budget(concurrent_requests=2))))
    made: list[str] = []

    def listing() -> list[Any]:
        view.prefetch("nested", lambda: [("x", lambda: made.append("x")), ("y", lambda: made.append("y"))])
        return [("a", lambda: made.append("a")), ("b", lambda: made.append("b"))]

    view.prefetch("outer", listing)
    assert sorted(made) == ["a", "b"]  # the nested one asked nothing while the outer was listed...
    view.prefetch("nested", lambda: [("x", lambda: made.append("x")), ("y", lambda: made.append("y"))])
    assert sorted(made) == ["a", "b", "x", "y"]  # ...and is made when a check asks for it


def test_after_an_error_no_entry_of_the_prefetch_is_started() -> None:
    """A server that fails is asked the rest one at a time, by the checks that need them."""
    import time

    view = _checking(FakeRun(limits=FakeLimits(Budget(concurrent_requests=2))))
    started: list[str] = []
    failed = threading.Event()

    def failing() -> str:
        started.append("f")
        failed.set()
        raise OSError("reset")

    def after_the_failure() -> str:
        started.append("g")
        failed.wait(5)
        time.sleep(0.1)  # the failure is recorded meanwhile
        return "g"

    view.prefetch("p", lambda: [("f", failing), ("g", after_the_failure), ("h", partial(started.append, "h")),
                                ("i", partial(started.append, "i"))])
    assert "f" in started and "h" not in started and "i" not in started  # g: only if it was under way
    assert view.memo("h", lambda: "made by its check") == "made by its check"
