"""The run state machine, watched read-only: runs polled within the budget never leave a terminal state and
never resume after CANCELING (WES 1.0.0 Swagger definitions/State; WES 1.1.0 OpenAPI components/schemas/State).
A run this suite submitted (writes: true) is watched too."""

from __future__ import annotations

import pytest

from conformance import Response, check, fail

from .states import TERMINAL, canceling_resumed, terminal_change
from .view import Wes

#: Reads of each watched run's status; runs watched at most.
POLLS = 6
WATCHED = 4


def _watched(wes: Wes) -> list[tuple[str, list[tuple[str, Response]]]]:
    """Each watched run with the states it reported: the listed state, then its status polled."""
    return wes.memo("watched", lambda: _watch(wes))


def _watch(wes: Wes) -> list[tuple[str, list[tuple[str, Response]]]]:
    first: dict[str, tuple[str, Response]] = {}
    try:
        walk = wes.listed()
        first = {str(i.get("run_id")): (str(i.get("state")), walk.pages[0])
                 for i in walk.items if isinstance(i.get("state"), str)}
    except pytest.skip.Exception:
        pass
    unwatched = ""
    try:
        ids = wes.run_ids()
    except pytest.skip.Exception as exc:  # no run to read: the run this suite submits is still watched
        ids, unwatched = [], str(exc.msg)
    # the runs still moving first (they show transitions), then finished ones (they must stay finished)
    moving = [i for i in ids if i not in first or first[i][0] not in TERMINAL]
    done = [i for i in ids if i not in moving]
    chosen = (moving[:WATCHED - 1] + done[:1] + moving[WATCHED - 1:])[:WATCHED]
    polled = wes.poll_each(chosen, POLLS, wes.poll_interval)
    watched = [(run_id, ([first[run_id]] if run_id in first else []) + observed)
               for run_id, observed in zip(chosen, polled)]
    try:
        run_id, followed = wes.followed()
        followed = list(followed)
        if followed and followed[-1][0] in TERMINAL:  # followed to its end: read once more, to see it stay there
            state, response = wes.fresh_state(run_id, "")
            if state is not None:
                followed.append((state, response))
        watched.append((run_id, followed))
    except pytest.skip.Exception as exc:
        if not watched:
            pytest.skip(f"{unwatched}; {exc.msg}" if unwatched else str(exc.msg))
    return watched


@check("wes.state.terminal-states-never-change")
def test_terminal_states_never_change(wes: Wes) -> None:
    """A run that reported COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR or CANCELED reports no other state after
    (UNKNOWN aside) (WES 1.0.0 Swagger definitions/State; WES 1.1.0 OpenAPI State)."""
    watched = _watched(wes)
    if not any(state in TERMINAL for _, observed in watched for state, _ in observed[:-1]):
        pytest.skip(f"none of the {len(watched)} watched run(s) reported a terminal state "
                    f"({', '.join(sorted(TERMINAL))}) before a later read: none could be seen to stay in it")
    for run_id, observed in watched:
        change = terminal_change([state for state, _ in observed])
        if change is not None:
            later = next(r for s, r in reversed(observed) if s == change[1])
            # a later state that is no State at all is wes.run.state-in-enum's finding, not a transition
            cause = "wes.run.state-in-enum" if change[1] not in wes.states else None
            raise fail(f"run {run_id} reported {change[0]} and later {change[1]} (states seen: "
                       f"{' → '.join(s for s, _ in observed)})", later, caused_by=cause)


@check("wes.state.canceling-never-resumes")
def test_canceling_never_resumes(wes: Wes) -> None:
    """A run that reported CANCELING never reports QUEUED, INITIALIZING, RUNNING or PAUSED after (WES 1.0.0
    Swagger definitions/State CANCELING: "in the process of stopping")."""
    watched = _watched(wes)
    seen = False
    for run_id, observed in watched:
        states = [state for state, _ in observed]
        seen = seen or "CANCELING" in states
        resumed = canceling_resumed(states)
        if resumed is not None:
            later = next(r for s, r in reversed(observed) if s == resumed)
            raise fail(f"run {run_id} reported CANCELING and later {resumed} (states seen: {' → '.join(states)})",
                       later)
    if not seen:
        pytest.skip("no watched run reported CANCELING")
