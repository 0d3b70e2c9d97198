"""Check results → the scorecard (DESIGN §5), with a verdict per service.

``scorecard.json`` is a contract read by other tools: fields are added, never renamed, within
``ga4gh-conformance-scorecard/1``; its JSON Schema is ``conformance/scorecard.schema.json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.checks import Level

FORMAT = "ga4gh-conformance-scorecard/1"
OUTCOMES = ("passed", "failed", "error", "skipped")
#: How cases of one check combine: a failure anywhere fails the check; an error hides a pass.
_PRECEDENCE = {"failed": 3, "error": 2, "passed": 1, "skipped": 0}

CONFORMANT = "conformant"
NON_CONFORMANT = "non-conformant"
INCOMPLETE = "incomplete"
UNREACHABLE = "unreachable"

#: Why a check was skipped (issue 21.12): the requirement does not apply to this service (another
#: version, another role), or it applies but the harness could not decide it (no test data, no
#: token, no official schema).
NOT_APPLICABLE = "not-applicable"
UNDECIDED = "undecided"
SKIP_KINDS = (NOT_APPLICABLE, UNDECIDED)

#: How the run left something a suite created on a service with ``writes: true`` (issue 14): the harness
#: cancelled it; it had ended by itself; the service did not take the cancel; or it was never settled (its
#: state could not be read and no cancel was sent, or the run ended before the clean-up).
CANCELLED = "cancelled"
FINISHED = "finished"
CANCEL_FAILED = "cancel-failed"
UNSETTLED = "unsettled"
CREATED_OUTCOMES = (CANCELLED, FINISHED, CANCEL_FAILED, UNSETTLED)


@dataclass
class Created:
    """One thing a suite created on a service (a run, a task: ``kind`` is the standard's word), its last
    state as the service reported it and the clean-up's :data:`CREATED_OUTCOMES` outcome. Ids only: no
    request body or credential is kept."""

    kind: str
    id: str
    outcome: str = UNSETTLED
    state: str | None = None

    @property
    def settled(self) -> bool:
        return self.outcome != UNSETTLED

    def cancelled(self, state: str | None = None) -> None:
        """The harness cancelled it (or it was being cancelled already); ``state``: the last one read."""
        self.outcome, self.state = CANCELLED, state or self.state

    def finished(self, state: str | None = None) -> None:
        """It had ended by itself: nothing to cancel."""
        self.outcome, self.state = FINISHED, state or self.state

    def cancel_failed(self, state: str | None = None) -> None:
        """The harness asked to cancel it and the service did not take the cancel (it may still run)."""
        self.outcome, self.state = CANCEL_FAILED, state or self.state

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "id": self.id, "outcome": self.outcome}
        if self.state is not None:
            data["state"] = self.state
        return data



def counted(count: int, word: str) -> str:
    """``1 warning``, ``2 warnings``: a count and its noun (an English plural in -s)."""
    return f"{count} {word}{'' if count == 1 else 's'}"

def skip_reasons(scorecard: Scorecard, kind: str) -> list[tuple[str, int]]:
    """The reasons of the checks skipped as ``kind`` (:data:`NOT_APPLICABLE` or :data:`UNDECIDED`) over
    every service, each with how many checks gave it, most frequent first (issue 21.12)."""
    reasons: dict[str, int] = {}
    for service in scorecard.services:
        for check in service.checks:
            if check.outcome == "skipped" and (check.skip_kind or UNDECIDED) == kind:
                reasons[check.message] = reasons.get(check.message, 0) + 1
    return sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))


def utc_stamp(moment: dt.datetime) -> str:
    """Timestamps to the second with ``Z``, as the GA4GH testbed API parses them."""
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class CaseResult:
    """One executed pytest item: a check against one service (and one ``per`` element)."""

    nodeid: str
    check_id: str
    service_key: str
    case: str | None
    outcome: str
    message: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    duration: float = 0.0
    limit: str | None = None
    started: str = ""
    finished: str = ""
    #: the check a failure declared itself a consequence of (``fail(..., caused_by=...)``)
    caused_by: str | None = None
    #: For a skipped case: :data:`NOT_APPLICABLE` or :data:`UNDECIDED`.
    skip_kind: str | None = None
    #: The case was skipped because an official schema was not available.
    schemas_missing: bool = False


@dataclass
class CheckResult:
    id: str
    level: str
    citation: str
    requirement: str
    outcome: str
    message: str = ""
    limit: str | None = None
    cases: list[CaseResult] = field(default_factory=list)
    expected_failure: dict[str, Any] | None = None
    #: the id of the failed check of the same service whose failure this one is a consequence of
    #: (issue 19: one root cause, one failure); set by :func:`link_causes`, never for a root itself
    caused_by: str | None = None
    skip_kind: str | None = None
    schemas_missing: bool = False

    @property
    def warning(self) -> bool:
        """A failed SHOULD or MAY: shown as a warning, never non-conformance."""
        return self.outcome == "failed" and self.level != Level.MUST.value

    @property
    def consequence(self) -> bool:
        """A failure grouped under the failure of its cause: counted once, with the cause."""
        return self.outcome == "failed" and self.caused_by is not None

    @property
    def waived(self) -> bool:
        return self.expected_failure is not None and self.expected_failure.get("status") == "waived"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "level": self.level, "outcome": self.outcome, "citation": self.citation,
            "message": self.message, "requirement": self.requirement,
        }
        if self.limit:
            data["limit"] = self.limit
        if self.outcome == "skipped":
            data["skip_kind"] = self.skip_kind or UNDECIDED
        if self.expected_failure:
            data["expected_failure"] = self.expected_failure
        if self.caused_by:
            data["caused_by"] = self.caused_by
        data["cases"] = [
            {k: v for k, v in asdict(c).items()
             if k not in ("check_id", "service_key", "skip_kind", "schemas_missing")
             and not (k == "caused_by" and v is None)}
            | ({"skip_kind": c.skip_kind or UNDECIDED} if c.outcome == "skipped" else {})
            | ({"schemas_missing": True} if c.schemas_missing else {})
            for c in self.cases
        ]
        return data


@dataclass
class ServiceResult:
    key: str
    standard: str
    version: str
    url: str
    name: str | None
    checks: list[CheckResult] = field(default_factory=list)
    unreachable: str | None = None
    not_run: int = 0
    #: What the service's service-info endpoint answered when the run probed it (a JSON object), if it did.
    service_info: dict[str, Any] | None = None
    #: The run was interrupted (Ctrl-C, SIGTERM): never conformant (issue 21.2).
    interrupted: bool = False
    #: What the suite created on the service (``writes: true``) and how the run left each (issue 14).
    created: list[Created] = field(default_factory=list)
    #: Why what the service serves went unchecked (its entry names none of its suite's ``test_data``):
    #: never conformant.
    untested: str | None = None

    def counts(self) -> dict[str, int]:
        """Outcome counts. ``must_total`` counts the MUST checks that ran and those skipped for want of an
        official schema (not met: an offline run never scores 100 % on checks it skipped, issue 21.3)."""
        counts = {outcome: 0 for outcome in OUTCOMES}
        for check in self.checks:
            counts[check.outcome] += 1
        # A consequence is counted once, with its cause (issue 19): not as a failure, warning or MUST of its own.
        counts["consequences"] = sum(1 for c in self.checks if c.consequence)
        counts["failed"] -= counts["consequences"]
        counts["warnings"] = sum(1 for c in self.checks if c.warning and not c.consequence)
        counts["must_total"] = sum(1 for c in self.checks if c.level == "MUST" and not c.consequence and (
            c.outcome != "skipped" or c.schemas_missing))
        counts["must_passed"] = sum(1 for c in self.checks if c.level == "MUST" and c.outcome == "passed")
        skipped = [c for c in self.checks if c.outcome == "skipped"]
        counts["not_applicable"] = sum(1 for c in skipped if c.skip_kind == NOT_APPLICABLE)
        counts["undecided"] = len(skipped) - counts["not_applicable"]
        counts["schemas_not_checked"] = sum(1 for c in skipped if c.schemas_missing)
        return counts

    @property
    def schemas_not_checked(self) -> bool:
        """A MUST check was skipped because an official schema was not available (issue 21.3)."""
        return any(c.schemas_missing and c.level == Level.MUST.value and c.outcome == "skipped"
                   for c in self.checks)

    def verdict(self, *, waive: bool = False, schemas_required: bool = True) -> str:
        """conformant / non-conformant / incomplete / unreachable (DESIGN §4).

        With ``waive``, failures the profile lists as expected (and not expired) do not count: that is
        the verdict the exit code follows, while the scorecard keeps the true one. Without
        ``schemas_required``, MUST checks skipped for want of the official schemas do not make the service
        incomplete (only ``conformance demo`` asks, to tell "the harness works" apart, see its exit code).
        """
        if self.unreachable:
            return UNREACHABLE
        musts = [c for c in self.checks if c.level == Level.MUST.value]
        waived = {c.id for c in self.checks if c.waived}  # an expected failure waives its consequences too
        if any(c.outcome == "failed" and not (waive and (c.waived or c.caused_by in waived)) for c in musts):
            return NON_CONFORMANT
        if self.not_run or self.interrupted or self.untested or any(c.outcome == "error" for c in musts):
            return INCOMPLETE
        if self.schemas_not_checked and schemas_required:
            return INCOMPLETE  # schemas not checked is not conformant (issue 21.3)
        if not any(c.outcome == "passed" for c in musts):
            return INCOMPLETE  # nothing required was decided: no ground for "conformant"
        return CONFORMANT

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key, "standard": self.standard, "version": self.version, "url": self.url,
            "verdict": self.verdict(), "verdict_with_expected_failures": self.verdict(waive=True),
            "summary": self.counts(),
        }
        if self.name:
            data["name"] = self.name
        if self.unreachable:
            data["unreachable"] = self.unreachable
        if self.not_run:
            data["not_run"] = self.not_run
        if self.untested:
            data["untested"] = self.untested
        if self.service_info is not None:
            data["service_info"] = self.service_info
        if self.interrupted:
            data["interrupted"] = True
        if self.schemas_not_checked:
            data["schemas_not_checked"] = True
        if self.created:
            data["created"] = [c.to_dict() for c in self.created]
        data["checks"] = [c.to_dict() for c in self.checks]
        return data


@dataclass
class Scorecard:
    initiative: str
    harness_version: str
    started: dt.datetime
    finished: dt.datetime
    services: list[ServiceResult]
    contact: str | None = None
    #: The profile's ``id:`` (the initiative's identity across runs and renames), written as ``initiative_id``
    #: only when the profile gives one: the dashboard groups runs by it, else by the initiative's name.
    initiative_id: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    suites: dict[str, dict[str, Any]] = field(default_factory=dict)
    seed: int = 0
    explore: bool = False
    specs: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, Any] = field(default_factory=dict)
    limits_hit: list[str] = field(default_factory=list)
    requests: int = 0
    bytes_read: int = 0
    #: The rate the run kept (the cap, loopback throttled or not, per paced origin its adaptive rate).
    rate: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    interrupted: bool = False
    #: The run's --standard / --check filters (None: not filtered), so a certification can state them.
    selection: dict[str, list[str] | None] = field(default_factory=lambda: {"standards": None, "checks": None})
    #: The scorecard (as JSON) of the run given as ``--baseline``: summary.md and report.html compare with it.
    baseline: dict[str, Any] | None = None
    #: ``registry:`` in the profile: ``{url, listed, tested: [{id, url}], not_tested: [{id, type, reason}]}``.
    registry: dict[str, Any] | None = None

    def exit_code(self) -> int:
        """DESIGN §6: 0 conformant, 1 non-conformant, 2 incomplete or unreachable."""
        verdicts = {s.verdict(waive=True) for s in self.services}
        if NON_CONFORMANT in verdicts:
            return 1
        if verdicts & {INCOMPLETE, UNREACHABLE} or self.interrupted or not self.services:
            return 2
        return 0

    @property
    def schemas_not_checked(self) -> bool:
        return any(s.schemas_not_checked for s in self.services)

    def headline(self) -> str:
        """The verdict line's words: the overall verdict and what qualifies it."""
        words = self.overall()
        checks = self.selection.get("checks")
        notes = (["interrupted"] if self.interrupted else []) + \
            (["schemas not checked"] if self.schemas_not_checked else []) + \
            ([f"only the {len(checks)} selected check{'s' if len(checks) > 1 else ''}"] if checks else [])
        return f"{words} ({', '.join(notes)})" if notes else words

    def overall(self) -> str:
        """The worst service verdict (for headlines; the dashboard keeps per-standard verdicts)."""
        order = [NON_CONFORMANT, UNREACHABLE, INCOMPLETE, CONFORMANT]
        verdicts = {s.verdict() for s in self.services}
        return next((v for v in order if v in verdicts), INCOMPLETE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "initiative": self.initiative,
            **({"initiative_id": self.initiative_id} if self.initiative_id else {}),
            "contact": self.contact,
            "harness": {"version": self.harness_version, "suites": self.suites},
            "started": utc_stamp(self.started),
            "finished": utc_stamp(self.finished),
            "interrupted": self.interrupted,
            "profile": self.profile,
            "seed": self.seed,
            "explore": self.explore,
            "specs": self.specs,
            "budget": self.budget,
            "usage": {"requests": self.requests, "bytes": self.bytes_read, "limits_hit": self.limits_hit,
                      "rate": self.rate},
            "notices": self.notices,
            "selection": self.selection,
            "verdict": self.overall(),
            "schemas_not_checked": self.schemas_not_checked,
            "exit_code": self.exit_code(),
            "services": [s.to_dict() for s in self.services],
            **({"registry": self.registry} if self.registry is not None else {}),
        }


_STRENGTH = {Level.MUST.value: 3, Level.SHOULD.value: 2, Level.MAY.value: 1}


def link_causes(service: ServiceResult) -> None:
    """Keep each declared ``caused_by`` only where it holds: the named check of the same service failed
    at the same or a stronger level (a SHOULD never absorbs a MUST). A chain points at its root, the
    first failure. Deterministic: it depends only on the outcomes, never on the order checks ran in."""
    by_id = {c.id: c for c in service.checks}

    def root(check: CheckResult) -> str | None:
        seen, current = {check.id}, check
        found: str | None = None
        cause = by_id.get(check.caused_by or "")
        while cause is not None and cause.outcome == "failed" and \
                _STRENGTH.get(cause.level, 0) >= _STRENGTH.get(current.level, 0):
            if cause.id in seen:
                return None  # a cycle has no first failure: each of its failures stands alone
            found, current = cause.id, cause
            seen.add(cause.id)
            cause = by_id.get(cause.caused_by or "")
        return found

    roots = {c.id: root(c) if c.outcome == "failed" else None for c in service.checks}
    for check in service.checks:
        check.caused_by = roots[check.id]


def aggregate(check_id: str, level: str, citation: str, requirement: str,
              cases: Iterable[CaseResult]) -> CheckResult:
    """One check's result over its cases: failed beats error beats passed beats skipped."""
    cases = list(cases)
    worst = max(cases, key=lambda c: _PRECEDENCE[c.outcome])
    outcome = worst.outcome
    message = worst.message
    if len(cases) > 1 and outcome in ("failed", "error"):
        bad = sum(1 for c in cases if c.outcome == outcome)
        message = f"{message} ({bad} of {len(cases)} cases {outcome})" if bad > 1 else message
    skip_kind = None
    schemas_missing = False
    if outcome == "skipped":
        message = cases[0].message
        # A check applies when one of its cases does: a case that could not be decided makes it undecided.
        kinds = {c.skip_kind or UNDECIDED for c in cases}
        skip_kind = UNDECIDED if UNDECIDED in kinds else NOT_APPLICABLE
        schemas_missing = any(c.schemas_missing for c in cases)
        if schemas_missing:
            message = next(c.message for c in cases if c.schemas_missing)
    limit = next((c.limit for c in cases if c.limit), None)
    # A consequence only when every failed case names the same cause: one failure of its own stands alone.
    causes = {c.caused_by for c in cases if c.outcome == "failed"}
    caused_by = causes.pop() if outcome == "failed" and len(causes) == 1 else None
    return CheckResult(check_id, level, citation, requirement, outcome, message, limit, cases,
                       caused_by=caused_by, skip_kind=skip_kind, schemas_missing=schemas_missing)
