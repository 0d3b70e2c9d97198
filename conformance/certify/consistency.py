"""Before ``conformance certify`` signs a run directory: do its records agree with each other?

A signature says "these bytes are what the vendor handed over", not "the harness wrote them". What certify
can check is that the run directory is self-consistent, with the harness's own rules:

- every check's outcome in ``scorecard.json`` is what its cases give (:func:`conformance.scorecard.aggregate`,
  with :func:`~conformance.scorecard.link_causes` for the consequences);
- every service's verdicts and counts, and the run's verdict and exit code, are what those outcomes give
  (:meth:`ServiceResult.verdict`, :meth:`ServiceResult.counts`, :meth:`Scorecard.overall`,
  :meth:`Scorecard.exit_code`): the scorecard is loaded back into those classes, the rules are not repeated;
- every check's ``expected_failure`` is what the profile's ``expected_failures`` give it (checked once the profile is
  found: :func:`check_expected_failures`);
- ``junit.xml`` (when the run directory has one) holds the same test cases with the same outcomes: each test
  case's ``check_id``, ``level`` and ``outcome`` properties against the cases of ``scorecard.json``, and each
  test case's element (``<failure>``, ``<error>``, ``<skipped>`` or none) against its ``outcome`` property.

A vendor who edits every file consistently is not detected: nothing in a run directory is signed by the
harness itself.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from conformance._version import __version__
from conformance.errors import UsageError
from conformance.scorecard import (
    OUTCOMES,
    UNDECIDED,
    CaseResult,
    CheckResult,
    Scorecard,
    ServiceResult,
    aggregate,
    link_causes,
)

JUNIT = "junit.xml"
#: junit.xml (conformance/reports/junit.py): a failure that does not fail the run is a skipped test case of
#: this type, whose ``outcome`` property stays ``failed``.
NOT_FAILING = "conformance.not-failing"
#: How many disagreements a refusal names (one line: the first, then how many more).
_SHOWN = 1


class Malformed(UsageError):
    """``scorecard.json`` is not a scorecard this harness can read back."""


def _schemas_missing(message: str) -> bool:
    """Whether a skipped case was skipped for want of an official schema, for a scorecard written before its
    cases recorded ``schemas_missing``: its reason (the :class:`~conformance.errors.SpecsUnavailable` message
    of :mod:`conformance.specs`)."""
    from conformance import specs

    return message == specs.HOW_TO_GET or _NOT_IN_SPECS.search(message) is not None


_NOT_IN_SPECS = re.compile(r" is not in the specs directory .* \(run `conformance specs fetch` for a complete copy\)$")


def _count(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _case(data: Any, check_id: str, service_key: str, where: str) -> CaseResult:
    if not isinstance(data, dict) or data.get("outcome") not in OUTCOMES:
        raise Malformed(f"{where}: a case without a known outcome")
    outcome = data["outcome"]
    message = _text(data.get("message"))
    return CaseResult(nodeid=_text(data.get("nodeid")), check_id=check_id, service_key=service_key,
                      case=data.get("case"), outcome=outcome, message=message, limit=data.get("limit") or None,
                      caused_by=data.get("caused_by") if isinstance(data.get("caused_by"), str) else None,
                      skip_kind=(_text(data.get("skip_kind")) or UNDECIDED) if outcome == "skipped" else None,
                      schemas_missing=outcome == "skipped" and (data.get("schemas_missing") is True
                                                                 or _schemas_missing(message)))


def _check(data: Any, service_key: str, where: str, problems: list[str]) -> CheckResult:
    """The check as the harness computes it from its cases; a recorded outcome that differs is a problem."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("level"), str) \
            or data.get("outcome") not in OUTCOMES:
        raise Malformed(f"{where}: a check without an id, a level or a known outcome")
    check_id, level, outcome = data["id"], data["level"], data["outcome"]
    cases = data.get("cases") or []
    if not isinstance(cases, list):
        raise Malformed(f"{where} {check_id}: cases is not a list")
    expected = data.get("expected_failure") if isinstance(data.get("expected_failure"), dict) else None
    if not cases:  # no case recorded: the check's own record is all there is
        message = _text(data.get("message"))
        return CheckResult(check_id, level, _text(data.get("citation")), _text(data.get("requirement")), outcome,
                           message, data.get("limit") or None, [], expected_failure=expected,
                           caused_by=data.get("caused_by") if isinstance(data.get("caused_by"), str) else None,
                           skip_kind=(_text(data.get("skip_kind")) or UNDECIDED) if outcome == "skipped" else None,
                           schemas_missing=outcome == "skipped" and _schemas_missing(message))
    check = aggregate(check_id, level, _text(data.get("citation")), _text(data.get("requirement")),
                      [_case(case, check_id, service_key, f"{where} {check_id}") for case in cases])
    check.expected_failure = expected
    if check.outcome != outcome:
        problems.append(f"{where}: {check_id} records outcome {outcome}, its cases give {check.outcome}")
    elif outcome == "skipped" and (_text(data.get("skip_kind")) or UNDECIDED) != check.skip_kind:
        problems.append(f"{where}: {check_id} records skip_kind {data.get('skip_kind')}, its cases give "
                        f"{check.skip_kind}")
    return check


def load(scorecard: dict[str, Any], problems: list[str]) -> Scorecard:
    """``scorecard.json`` read back into :class:`Scorecard` (what the verdict rules need of it)."""
    services = scorecard.get("services", [])
    if not isinstance(services, list):
        raise Malformed("services is not a list")
    results = []
    for position, data in enumerate(services):
        if not isinstance(data, dict) or not isinstance(data.get("checks", []), list):
            raise Malformed(f"services[{position}]: not a service with a list of checks")
        key = _text(data.get("key")) or f"services[{position}]"
        where = f"{data.get('standard')} {key}"
        service = ServiceResult(key, _text(data.get("standard")), _text(data.get("version")), _text(data.get("url")),
                                data.get("name") if isinstance(data.get("name"), str) else None,
                                unreachable=data.get("unreachable") or None,
                                not_run=_count(data.get("not_run")),
                                interrupted=bool(data.get("interrupted")), untested=data.get("untested") or None)
        service.checks = [_check(check, key, where, problems) for check in data.get("checks", [])]
        recorded = {c.id: c.caused_by for c in service.checks}
        if any(c.cases for c in service.checks):
            link_causes(service)  # as the run did: a consequence points at its root cause
            for check in service.checks:
                if not check.cases:
                    check.caused_by = recorded[check.id]
        results.append(service)
    moment = dt.datetime.now(dt.timezone.utc)
    return Scorecard(initiative=_text(scorecard.get("initiative")), harness_version="", started=moment,
                     finished=moment, services=results, interrupted=bool(scorecard.get("interrupted")),
                     initiative_id=scorecard.get("initiative_id") if isinstance(scorecard.get("initiative_id"), str)
                     else None)


def verdict_problems(scorecard: dict[str, Any]) -> list[str]:
    """Where the recorded outcomes, verdicts and counts differ from what the check outcomes give."""
    problems: list[str] = []
    card = load(scorecard, problems)
    for data, service in zip(scorecard.get("services", []), card.services):
        where = f"{service.standard} {service.key}"
        for field, waive in (("verdict", False), ("verdict_with_expected_failures", True)):
            computed = service.verdict(waive=waive)
            if field in data and data[field] != computed:
                problems.append(f"{where} records {field} {data[field]!r}, its checks give {computed!r}")
        summary = data.get("summary")
        if isinstance(summary, dict):
            counts = service.counts()
            wrong = [f"{name} {summary[name]!r} (its checks give {counts[name]})"
                     for name in counts if name in summary and summary[name] != counts[name]]
            if wrong:
                problems.append(f"{where} records summary {', '.join(wrong)}")
    if "verdict" in scorecard and scorecard["verdict"] != card.overall():
        problems.append(f"the run records verdict {scorecard['verdict']!r}, its services give {card.overall()!r}")
    if "exit_code" in scorecard and scorecard["exit_code"] != card.exit_code():
        problems.append(f"the run records exit code {scorecard['exit_code']!r}, its services give {card.exit_code()}")
    return problems


def _expected_entries(profile: Any) -> list[dict[str, str]]:
    """The profile's ``expected_failures`` as the run read them (check, reason, expires as YYYY-MM-DD, service or
    ""); entries the run would have refused as a profile error are not there (the profile's sha-256 is the run's)."""
    raw = profile.get("expected_failures") if isinstance(profile, dict) else None
    entries = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not item.get("check") or not item.get("expires"):
            continue
        entries.append({"check": str(item["check"]), "reason": str(item.get("reason", "")),
                        "expires": _as_run_reads(item["expires"]),
                        "service": str(item["service"]) if item.get("service") else ""})
    return entries


def _as_run_reads(expires: object) -> str:
    """An ``expires`` as the run records it (conformance/profile.py reads any ISO 8601 date, ``20261231`` or
    ``2026-W53-4`` too, and a YAML time as its day): YYYY-MM-DD, else the text as written."""
    if isinstance(expires, dt.datetime):
        return expires.date().isoformat()
    if isinstance(expires, dt.date):
        return expires.isoformat()
    try:
        return dt.date.fromisoformat(str(expires)).isoformat()
    except ValueError:
        return str(expires)


def _run_dates(scorecard: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The dates the run's own clock may have read when it judged expiry (``date.today()`` in its local time,
    while ``started`` and ``finished`` are UTC): a day either side of them. None when they are not readable."""
    try:
        started = dt.datetime.fromisoformat(str(scorecard.get("started")).replace("Z", "+00:00"))
        finished = dt.datetime.fromisoformat(str(scorecard.get("finished") or scorecard.get("started"))
                                             .replace("Z", "+00:00"))
    except ValueError:
        return None
    return (started - dt.timedelta(days=1)).date(), (finished + dt.timedelta(days=1)).date()


def _status_problem(recorded: Any, outcome: str, expires: str, dates: tuple[dt.date, dt.date] | None) -> str | None:
    """Why ``recorded`` is not the status the run gives an expected failure of a check with ``outcome``
    (conformance/run.py: expired past its date, else waived when it failed, no-longer-fails when it passed,
    else not-decided), or None."""
    try:
        expiry: dt.date | None = dt.date.fromisoformat(expires)
    except ValueError:
        expiry = None
    earliest, latest = dates if dates and expiry else (None, None)
    if recorded == "expired":
        return None if latest is None or expiry is None or latest > expiry else f"not expired (until {expires})"
    if earliest is not None and expiry is not None and earliest > expiry:
        return f"expired on {expires}"
    due = {"failed": "waived", "passed": "no-longer-fails"}.get(outcome, "not-decided")
    return None if recorded == due else f"{due}, as its outcome is {outcome}"


def expected_failure_problems(scorecard: dict[str, Any], profile: Any) -> list[str]:
    """Where the checks' ``expected_failure`` records differ from what the profile's ``expected_failures`` give
    them (conformance/run.py ``_apply_expected``: the last entry naming the check, for any service or for this
    one by standard, url or key, with its reason, expiry and a status following from the outcome and the date)."""
    from conformance.redact import Redactor

    entries = _expected_entries(profile)
    dates = _run_dates(scorecard)
    redactor = Redactor()
    problems: list[str] = []
    for service in scorecard.get("services", []):
        if not isinstance(service, dict):
            continue
        names = {service.get("standard"), service.get("url"), service.get("key")}
        where = f"{service.get('standard')} {service.get('key')}"
        for check in service.get("checks", []):
            if not isinstance(check, dict):
                continue
            matching = [e for e in entries if e["check"] == check.get("id") and (
                not e["service"] or e["service"] in names or redactor.url(e["service"]) in names)]
            recorded = check.get("expected_failure")
            if not matching:
                if recorded is not None:
                    problems.append(f"{where}: {check.get('id')} is recorded as an expected failure, which the "
                                    "profile does not list")
                continue
            entry = matching[-1]
            if not isinstance(recorded, dict):
                problems.append(f"{where}: {check.get('id')} is listed in the profile's expected_failures, but not "
                                "recorded as an expected failure")
                continue
            if (str(recorded.get("reason")), str(recorded.get("expires"))) != (entry["reason"], entry["expires"]):
                problems.append(f"{where}: {check.get('id')} records the expected failure {recorded.get('reason')!r} "
                                f"until {recorded.get('expires')}, the profile {entry['reason']!r} until "
                                f"{entry['expires']}")
                continue
            wrong = _status_problem(recorded.get("status"), str(check.get("outcome")), entry["expires"], dates)
            if wrong:
                problems.append(f"{where}: {check.get('id')} records its expected failure as "
                                f"{recorded.get('status')!r}, the run gives it {wrong}")
    return problems


def _allowed(testcase: ET.Element) -> tuple[str, set[str]]:
    """The element a test case holds and the ``outcome`` properties it goes with."""
    for child in testcase:
        if child.tag in ("failure", "error"):
            return f"<{child.tag}>", {"failed", "error"}
        if child.tag == "skipped":
            if child.get("type") == NOT_FAILING:
                return f'<skipped type="{NOT_FAILING}">', {"failed", "error"}
            return "<skipped>", {"skipped"}
    return "no failure, error or skipped element", {"passed"}


def junit_problems(path: Path, scorecard: dict[str, Any]) -> list[str]:
    """Where ``junit.xml`` disagrees with the cases of ``scorecard.json`` or with itself (none when absent).
    Of an interrupted run, or one whose worker died, junit.xml may lack the cases that ran last: it must hold no
    case the scorecard lacks."""
    if not path.is_file():
        return []
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError) as exc:
        return [f"{JUNIT} is not readable XML ({exc})"]
    problems: list[str] = []
    written: Counter[tuple[str, str, str]] = Counter()
    for testcase in tree.iter("testcase"):
        properties = testcase.find("properties")
        values = {p.get("name"): p.get("value") for p in properties.iter("property")} if properties is not None else {}
        check_id = values.get("check_id")
        if check_id is None:
            continue  # not a check's test case (a collection error): the scorecard says what it cost
        level, outcome = values.get("level") or "", values.get("outcome") or ""
        written[(check_id, level, outcome)] += 1
        element, allowed = _allowed(testcase)
        if outcome not in allowed:
            problems.append(f"{JUNIT}: test case {testcase.get('classname')}::{testcase.get('name')} says outcome "
                            f"{outcome} but holds {element}")
    recorded: Counter[tuple[str, str, str]] = Counter()
    for service in scorecard.get("services", []):
        for check in service.get("checks", []):
            for case in check.get("cases") or []:
                recorded[(check["id"], check["level"], case["outcome"])] += 1
    # an interrupted run, or one whose worker died (its services record checks not run), may lack its last cases
    cut_short = bool(scorecard.get("interrupted")) or any(
        isinstance(s, dict) and s.get("not_run") for s in scorecard.get("services", []))
    for key in sorted(set(recorded) | set(written)):
        if recorded[key] != written[key] and not (cut_short and written[key] < recorded[key]):
            check_id, level, outcome = key
            problems.append(f"{check_id} ({level}): {recorded[key]} case(s) {outcome} in scorecard.json, "
                            f"{written[key]} in {JUNIT}")
    return problems


def _one_line(problems: list[str]) -> str:
    more = len(problems) - _SHOWN
    return "; ".join(problems[:_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def check_expected_failures(scorecard: dict[str, Any], profile: Any, scorecard_path: Path, profile_source: str) -> None:
    """Raise a one-line :class:`UsageError` unless the checks' expected failures are the profile's (the bundle
    holds the profile: its caveats name the failures the profile waives)."""
    problems = expected_failure_problems(scorecard, profile)
    if problems:
        raise UsageError(f"{scorecard_path}: its expected failures are not those of the profile {profile_source} "
                         f"({_one_line(problems)}): the scorecard was edited after the run, or the profile is "
                         "not the run's; certify signs a run directory as the harness wrote it")


def check_run(report_dir: Path, scorecard: dict[str, Any], scorecard_path: Path) -> None:
    """Raise a one-line :class:`UsageError` unless the run directory's records agree (module docstring)."""
    try:
        problems = verdict_problems(scorecard)
    except Malformed as exc:
        raise UsageError(f"{scorecard_path}: not a scorecard this harness can certify ({exc})") from None
    if problems:
        written_by = (scorecard.get("harness") or {}).get("version") if isinstance(scorecard.get("harness"), dict) \
            else None
        release = (f", or it was written by another release (harness {written_by}; this is {__version__}): "
                   "certify with that release" if written_by and written_by != __version__ else "")
        raise UsageError(f"{scorecard_path}: its verdicts do not follow from its own check outcomes "
                         f"({_one_line(problems)}): it was edited after the run{release}; certify signs a run "
                         "directory as the harness wrote it")
    problems = junit_problems(report_dir / JUNIT, scorecard)
    if problems:
        raise UsageError(f"{report_dir / JUNIT} disagrees with {scorecard_path.name} ({_one_line(problems)}): "
                         "one of them was edited after the run; certify signs a run directory as the harness "
                         "wrote it")
