"""The exceptions that decide a check's outcome.

A check *fails* when the server broke a requirement (:class:`CheckFailure`, or a plain
``AssertionError``). It is an *error* when the harness could not tell (:class:`HarnessError` and its
subclasses: network trouble, a budget that ran out, an unreachable service). Anything else a check
raises is a defect of the check and is also reported as an error, never as a failure, so that a
conformant server never gets a false failure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.exchange import Exchange


class ConformanceError(Exception):
    """Base of the harness's own exceptions."""


class UsageError(ConformanceError):
    """A problem with what the user asked for: bad options, a broken profile. Exit code 4."""


def did_you_mean(name: object, known: Iterable[object]) -> str:
    """``"did you mean 'budget'? "`` for the known name nearest to a misspelt one, or ``""`` when none is near: the
    start of a usage error's parenthesis."""
    near = difflib.get_close_matches(str(name), sorted(str(k) for k in known), n=1, cutoff=0.6)
    return f"did you mean {near[0]!r}? " if near else ""


def unknown(what: str, name: object, known: Iterable[object]) -> str:
    """``"unknown <what> (did you mean 'x'? known: a, b, c)"``: the message for a name nothing knows (a misspelt
    key, standard or option), the nearest known one first, then every known one."""
    names = sorted(str(k) for k in known)
    return f"unknown {what} ({did_you_mean(name, names)}known: {', '.join(names)})"


class ProfileError(UsageError):
    """A profile that cannot be used. The message names the file, the key and the problem."""


class CheckFailure(AssertionError):
    """The server broke a requirement. ``message`` is the one sentence that says what is wrong;
    ``caused_by`` names the check whose failure this one is a consequence of, if any."""

    def __init__(self, message: str, exchange: Exchange | None = None, *, caused_by: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exchange = exchange
        self.caused_by = caused_by


class HarnessError(ConformanceError):
    """The harness could not tell whether the requirement holds (outcome ``error``)."""

    #: Which configured limit cut the check short, if any (``max_requests``, ``max_seconds``, ...).
    limit: str | None = None

    def __init__(self, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exchange = exchange


class TransportError(HarnessError):
    """The request could not be completed: refused, reset, timed out, TLS, bad redirect."""


class BudgetExceeded(HarnessError):
    """A limit from the profile's ``budget`` (or the command line) stopped the check."""

    def __init__(self, message: str, limit: str, exchange: Exchange | None = None) -> None:
        super().__init__(message, exchange)
        self.limit = limit


class ServiceUnreachable(HarnessError):
    """The service did not answer at all; every check of it is an error and its verdict unreachable."""


class ResponseError(HarnessError):
    """The server answered, but its answer could not be read: a broken body, a lying Content-Length or
    Content-Encoding, a reset in the middle. The harness cannot tell (``error``); the service did
    answer, so it is not *unreachable*."""

    def __init__(self, message: str, exchange: Exchange | None = None, *, transient: bool = False) -> None:
        super().__init__(message, exchange)
        self.transient = transient


class ServiceBusy(HarnessError):
    """The server said it cannot answer now (429, 502, 503, 504), also after the retries the run allows."""


class DocumentUnavailable(HarnessError):
    """A document the profile names could not be read: no such file, an HTTP error, a URI scheme no suite
    resolves, or more bytes than the budget allows. The harness cannot tell (``error``)."""


class SpecsUnavailable(ConformanceError):
    """The official schemas are not available; checks that need them are skipped with this reason."""
