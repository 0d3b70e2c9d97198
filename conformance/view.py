"""The typed view of one service for one run, on which each standard builds its own (``view.py`` of
a suite): the profile entry, a client whose exchanges become evidence, and every answer that several
checks need fetched once per run."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from conformance import versions

if TYPE_CHECKING:
    from conformance.http import Response
    from conformance.http.client import ServiceClient
    from conformance.profile import Service
    from conformance.run import Run
    from conformance.scorecard import Created

T = TypeVar("T")
V = TypeVar("V", bound="ServiceView")

_SKIP = pytest.skip.Exception
_MISSING = object()


class NotMade(Exception):
    """A :meth:`ServiceView.memo` entry asked for while :meth:`ServiceView.prefetch` lists its entries, which
    is not made yet (or whose making failed): the item that needs it is left to its check."""


class _Failed:
    """The error a prefetch met making an entry, kept to be raised to the first check that asks for it."""

    def __init__(self, error: Exception) -> None:
        self.error = error


#: How deep this thread is in listing :meth:`ServiceView.prefetch` entries (memo then gives only what is made).
_building = threading.local()


def _building_depth() -> int:
    return int(getattr(_building, "depth", 0))


class ServiceView:
    """One service of one run, seen through its standard.

    A suite subclasses it with the standard's reads (an object by id, a listing, ...), each
    memoised with :meth:`memo`, and gives its checks a session fixture that returns
    ``View.of(service, conformance_run)``: every check of the service then shares one view.
    """

    def __init__(self, service: Service, run: Run) -> None:
        self.service = service
        self.run = run
        self.client: ServiceClient = run.client_for(service)
        self._memo: dict[Any, Any] = {}
        #: Set when the view serves its own standard's checks (:meth:`checked`, a suite's fixture): only then
        #: does it :meth:`prefetch`. A view that only serves another standard's reads (a document of a data standard
        #: read through an API service, material another suite's check reads from it) asks only what is read.
        self.checking = False

    @classmethod
    def of(cls: type[V], service: Service, run: Run) -> V:
        """The run's one view of ``service`` of this class (made on first use)."""
        key = (cls, service.key)
        view = run.views.get(key)
        if view is None:
            view = run.views[key] = cls(service, run)
        assert isinstance(view, cls)
        return view

    @classmethod
    def checked(cls: type[V], service: Service, run: Run) -> V:
        """:meth:`of`, for the checks of the view's own standard (a suite's fixture): only such a view
        fetches side by side (:attr:`checking`, :meth:`prefetch`)."""
        view = cls.of(service, run)
        view.checking = True
        return view

    def __repr__(self) -> str:  # hypothesis prints it in a falsifying example: no run, cache or client
        return f"{type(self).__name__}({self.service.url})"

    @property
    def version(self) -> str:
        """The declared spec version, already one the suite supports (the profile loader made it so)."""
        return self.service.version

    def at_least(self, version: str) -> bool:
        return versions.parse(self.service.version) >= versions.parse(version)

    def option(self, name: str) -> list[str]:
        """A list of test-data hints from the profile entry (``objects``, ``reads``, ...), as strings."""
        values: list[Any] = list(self.service.options.get(name) or [])
        return [str(v) for v in values]

    def close(self) -> None:
        """Release what the view holds (temporary files, servers it started); the run calls it once,
        when it ends, for every view it made. Nothing by default."""

    def require_admission(self, response: Response, what: str) -> None:
        """Skips when ``response`` refuses the caller for want of credentials (401 or 403), for a check whose
        requirement is about what the service answers a caller it admits: the refusal tells nothing of that
        (without credentials in the profile; or with credentials it refused, which are then the question)."""
        if response.status in (401, 403):
            given = ("it refused the profile's credentials" if self.service.auth.keys()
                     else "the profile gives none (auth)")
            pytest.skip(f"{what} answered {response.status}: the service asks for credentials and {given}")

    def unusable(self, reason: str) -> None:
        """Note that what the profile gives for this service (a key, documents) cannot be used for the
        checks it is there for (``reason``: what and why, one sentence; never a secret): those checks skip,
        and the service's verdict is incomplete with the reason, as for test data the profile does not name
        (the harness could not tell, and "conformant" would claim checks that never ran). The first reason
        noted stands."""
        self.run.unusable.setdefault(self.service.key, reason)

    # -- what a suite writes (``writes: true``) ---------------------------------------------------------

    def record_created(self, kind: str, ident: str) -> Created:
        """Note that the suite created ``ident`` on the service (``kind``: the standard's word, "run",
        "task"): the scorecard lists it with the outcome :meth:`clean_up` settles. Only the id is kept."""
        from conformance.scorecard import Created

        item = Created(kind, ident)
        self.run.created.setdefault(self.service.key, []).append(item)
        return item

    def created_items(self) -> list[Created]:
        """What this view recorded, in the order it was created."""
        return list(self.run.created.get(self.service.key, []))

    def clean_up(self) -> None:
        """Cancel or remove what the suite created and settle each recorded item's outcome. The run calls
        it before it builds the scorecard (and again when it closes, so it must skip settled items).
        Nothing by default."""

    def settle_created(self, item: Created, state_now: Callable[[], str | None], cancel: Callable[[], Response], *,
                       final: Collection[str], stopping: Collection[str] = (), cancelled_before: bool = False) -> None:
        """Settle one created item for the report, cancelling it when it is still going: a ``final`` state is
        ``finished`` (``cancelled`` where the suite cancelled it before, ``cancelled_before``), a ``stopping``
        one (the standard's CANCELING) ``cancelled``; otherwise ``cancel()`` is asked, and the item is
        ``cancelled`` with the state read after (``cancel_failed`` when the cancel is not answered 200).
        Best effort: an exception reading or cancelling never stops the clean-up of the next item."""
        try:
            state = state_now()
        except Exception:
            state = None
        if state in final or state in stopping:
            if cancelled_before or state in stopping:
                item.cancelled(state)
            else:
                item.finished(state)
            return
        try:
            response = cancel()
        except Exception:
            item.cancel_failed(state)
            return
        if response.status != 200:
            item.cancel_failed(state)
            return
        try:
            after = state_now()
        except Exception:
            after = None
        item.cancelled(after or state)

    def memo(self, key: Any, make: Callable[[], T]) -> T:
        """``make()`` once per view. A skip it raises (material the service does not offer) is kept too,
        so that every check needing that material skips with the same reason without asking again. An
        error is not kept: the next check that asks makes it again (an error :meth:`prefetch` met is raised
        once, to the first check that asks, as if that check had made it)."""
        value = self._memo.get(key, _MISSING)
        if value is _MISSING or isinstance(value, _Failed):
            if _building_depth():
                raise NotMade(key)
            if isinstance(value, _Failed):
                del self._memo[key]
                raise value.error
            try:
                value = self._memo[key] = make()
            except _SKIP as exc:
                value = self._memo[key] = exc
        if isinstance(value, _SKIP):
            raise value
        return value  # type: ignore[no-any-return]

    def prefetch(self, name: str, entries: Callable[[], Iterable[tuple[Any, Callable[[], Any]]]]) -> None:
        """Once per view and ``name``: make the :meth:`memo` entries that ``entries()`` lists and that are not
        made yet side by side, at most the budget's ``concurrent_requests`` at once, and return when all are
        made. For answers that checks will ask for one after another (every listed object's, each of its
        AccessURLs), so that a service a network away is waited for once per few answers, not once per
        answer (issue 20). Only where the view serves its own standard's checks (:attr:`checking`).

        ``entries()`` runs here, in the caller's thread, where :meth:`memo` gives only what is made: an entry
        missing, or one whose making failed, raises :class:`NotMade` instead of being asked for (a list
        of entries never asks what a check would not: a failing answer is asked once per check that needs
        it, as without this). It resolves each item's needs on its own, leaving out an item whose needs
        raise. Each ``make`` then runs in a thread of its own and only asks: it may request and register
        secrets (the client and the redactor are safe across threads), not record results. An entry is kept
        as :meth:`memo` keeps it (a skip too); an error is kept to be raised once, to the first check that
        asks for the entry, and no entry is started after it (the rest are left to their checks). When
        ``entries()`` itself raises, or asks for another prefetch, nothing is made there: no check is
        skipped or errs for another's material. Nothing is made side by side either when the entries would
        take more than half of the requests left (``max_requests``): near that limit the checks ask one at a
        time, in their order. The threads are daemons: a Ctrl-C stops the waiting at once, and a request in
        flight ends within its timeout without holding the process.

        Off by default (``concurrent_requests: 1``): side by side, a server that answers one request at a
        time can keep queued requests past their timeout, one that prepares answers in turn (202 Accepted)
        can answer otherwise than one at a time, and the run's stop of a failing origin, or a spent
        ``max_requests``, can come at other checks (tests/quality/test_side_by_side.py shows where the
        outcomes are the same)."""
        marker = ("prefetched", name)
        if marker in self._memo or not self.checking or _building_depth():
            return  # done, not its own checks, or asked while listing another prefetch's entries (never asks)
        self._memo[marker] = None
        width = max(1, self.run.limits.budget.concurrent_requests)
        if width == 1:
            return  # one at a time: each is made when a check first asks for it, as without this
        _building.depth = _building_depth() + 1
        try:
            pending = [(key, make) for key, make in dict(entries()).items() if key not in self._memo]
        except (Exception, _SKIP):
            return
        finally:
            _building.depth -= 1
        if len(pending) < 2 or not self.run.limits.within_half(requests=len(pending)):
            return  # near max_requests the checks ask one at a time, in their order
        queue = iter(pending)
        taking = threading.Lock()
        stopped = threading.Event()
        made: dict[Any, Any] = {}

        def work() -> None:
            while not stopped.is_set():
                with taking:
                    key, make = next(queue, (None, None))
                if make is None:
                    return
                try:
                    made[key] = make()
                except _SKIP as exc:
                    made[key] = exc
                except Exception as exc:  # raised to the first check that asks (memo)
                    made[key] = _Failed(exc)
                    stopped.set()  # a server that fails is asked the rest one at a time, by the checks

        threads = [threading.Thread(target=work, name="conformance-prefetch", daemon=True)
                   for _ in range(min(width, len(pending)))]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        finally:
            stopped.set()
        self._memo.update(made)
