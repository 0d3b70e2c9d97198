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

    @classmethod
    def of(cls: type[V], service: Service, run: Run) -> V:
        """The run's one view of ``service`` of this class (made on first use)."""
        key = (cls, service.key)
        view = run.views.get(key)
        if view is None:
            view = run.views[key] = cls(service, run)
        assert isinstance(view, cls)
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
        so that every check needing that material skips with the same reason without asking again."""
        if key not in self._memo:
            try:
                self._memo[key] = make()
            except _SKIP as exc:
                self._memo[key] = exc
        value = self._memo[key]
        if isinstance(value, _SKIP):
            raise value
        return value  # type: ignore[no-any-return]

    def prefetch(self, name: str, entries: Callable[[], Iterable[tuple[Any, Callable[[], Any]]]]) -> None:
        """Once per view and ``name``: make the :meth:`memo` entries that ``entries()`` lists and that are not
        made yet side by side, at most the budget's ``concurrent_requests`` at once, and return when all are
        made. For answers that checks will ask for one after another (every listed object's, each of its
        AccessURLs), so that a service a network away is waited for once per few answers, not once per
        answer (issue 20).

        ``entries()`` runs here, in the caller's thread, and resolves what the entries depend on (their
        objects' answers, memoised); each ``make`` then runs in a thread of its own and only asks: it may
        request and register secrets (the client and the redactor are safe across threads), not read or
        write other entries. An entry is kept as :meth:`memo` keeps it (a skip too); one whose ``make``
        raises anything else is left unmade, and the check that asks for it makes it again and meets the
        error itself, as it would without this. So is everything when ``entries()`` itself skips or fails:
        no check is skipped or errs for another's material. The threads are daemons: a Ctrl-C stops the
        waiting at once, and a request in flight ends within its timeout without holding the process."""
        marker = ("prefetched", name)
        if marker in self._memo:
            return
        self._memo[marker] = None
        width = max(1, self.run.limits.budget.concurrent_requests)
        if width == 1:
            return  # one at a time: each is made when a check first asks for it, as without this
        try:
            pending = [(key, make) for key, make in dict(entries()).items() if key not in self._memo]
        except (Exception, _SKIP):
            return
        if len(pending) < 2:
            return
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
                except BaseException:
                    pass  # left unmade: the check that asks for it meets the error

        threads = [threading.Thread(target=work, name="conformance-prefetch", daemon=True)
                   for _ in range(min(width, len(pending)))]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        finally:
            stopped.set()
        for key, _ in pending:  # in the order listed, whatever order they were made in
            if key in made:
                self._memo[key] = made[key]
