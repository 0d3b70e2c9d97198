"""The typed view of one service for one run, on which each standard builds its own (``view.py`` of
a suite): the profile entry, a client whose exchanges become evidence, and every answer that several
checks need fetched once per run."""

from __future__ import annotations

from collections.abc import Callable, Collection
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
