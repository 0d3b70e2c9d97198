"""WES run states (WES 1.0.0 Swagger definitions/State; WES 1.1.0 OpenAPI components/schemas/State) and
the transitions the descriptions rule out, judged over a sequence of observed states."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from typing import Any

STATES_1_0 = ("UNKNOWN", "QUEUED", "INITIALIZING", "RUNNING", "PAUSED", "COMPLETE", "EXECUTOR_ERROR",
              "SYSTEM_ERROR", "CANCELED", "CANCELING")
#: 1.1.0 adds PREEMPTED ("The task is stopped (preempted) by the system").
STATES_1_1 = (*STATES_1_0, "PREEMPTED")
#: States a run never leaves: "has completed running", "was stopped", "was canceled". PREEMPTED is left out:
#: the text does not say whether a preempted run may be resumed or requeued.
TERMINAL = frozenset({"COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED"})
#: States a run that is "in the process of stopping" (CANCELING) never returns to.
ACTIVE = frozenset({"QUEUED", "INITIALIZING", "RUNNING", "PAUSED"})
#: ISO 8601 / RFC 3339 date-time: a date, "T" (or a space; "t", as RFC 3339 §5.6 allows "T" and "Z" in lower
#: case), a time with optional fraction, optional zone.
ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$")


def states_of(version_1_1: bool) -> tuple[str, ...]:
    return STATES_1_1 if version_1_1 else STATES_1_0


def with_known_states(document: Any, states: Collection[str]) -> Any:
    """A copy of a WES document with every ``state`` member outside ``states`` set to UNKNOWN: what the schemas
    would say of it but for the states wes.run.state-in-enum judges (one root cause, one failure)."""
    if isinstance(document, dict):
        return {key: "UNKNOWN" if key == "state" and value is not None and value not in states
                else with_known_states(value, states) for key, value in document.items()}
    if isinstance(document, list):
        return [with_known_states(item, states) for item in document]
    return document


def terminal_change(observed: Sequence[str]) -> tuple[str, str] | None:
    """The first (terminal state, later state) pair where a run left a terminal state; UNKNOWN ("the state
    is unknown") says nothing and is passed over."""
    reached: str | None = None
    for state in observed:
        if state == "UNKNOWN":
            continue
        if reached is not None and state != reached:
            return reached, state
        if state in TERMINAL:
            reached = state
    return None


def canceling_resumed(observed: Sequence[str]) -> str | None:
    """The active state a run reported after CANCELING, if any."""
    canceling = False
    for state in observed:
        if state == "CANCELING":
            canceling = True
        elif canceling and state in ACTIVE:
            return state
    return None


def parse_time(value: str) -> dt.datetime | None:
    """An ISO 8601 date-time as a datetime (naive when it carries no zone), or None when it is not one."""
    if not ISO_DATE_TIME.match(value):
        return None
    text = value.replace("z", "Z")
    text = text[:10] + "T" + text[11:]  # the separator: "T", "t" or a space
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    zone = re.search(r"([+-])(\d{2})(\d{2})$", text)
    if zone:  # +hhmm, which fromisoformat of older Pythons refuses
        text = text[: zone.start()] + f"{zone.group(1)}{zone.group(2)}:{zone.group(3)}"
    leap = text[17:19] == "60" and text[16:17] == ":"  # RFC 3339 §5.6: a leap second, 60
    if leap:
        text = text[:17] + "59" + text[19:]
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if leap:
        in_utc = parsed.astimezone(dt.timezone.utc) if parsed.tzinfo else parsed
        if (in_utc.hour, in_utc.minute) != (23, 59):  # §5.7: only the last second of a UTC day
            return None
        parsed += dt.timedelta(seconds=1)
    return parsed


def ordered(start: dt.datetime, end: dt.datetime) -> bool | None:
    """Whether end is not before start; None when one has a zone and the other not (not comparable)."""
    if (start.tzinfo is None) != (end.tzinfo is None):
        return None
    return end >= start
