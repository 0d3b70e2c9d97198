"""``testbed-report.json``: the GA4GH testbed report (schema ``ga4gh-testbed-report`` 0.1.0).

One phase per service, one test per check, one case per executed item. Statuses: a passed check is
PASS, a failed MUST is FAIL, a failed SHOULD or MAY is WARN, a skipped check SKIP, and a check the
harness could not decide UNKNOWN; a phase is UNKNOWN when its service is incomplete or unreachable. A
consequence keeps its status, and its message names its cause (one root cause, one failure: issue 19). A
case is named by its item (or its service's key) and described by the name junit.xml gives it; its log is
each request made, followed by its answer. Timestamps are to the second with ``Z``, as the testbed API parses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.redact import Redactor
from conformance.reports.atomic import encodable
from conformance.reports.junit import testcase_name
from conformance.scorecard import INCOMPLETE, UNREACHABLE, CheckResult, Scorecard, ServiceResult, utc_stamp

SCHEMA_NAME = "ga4gh-testbed-report"
SCHEMA_VERSION = "0.1.0"


def status(outcome: str, level: str) -> str:
    if outcome == "failed":
        return "FAIL" if level == "MUST" else "WARN"
    return {"passed": "PASS", "skipped": "SKIP"}.get(outcome, "UNKNOWN")


def _summary(statuses: list[str]) -> dict[str, int]:
    return {"unknown": statuses.count("UNKNOWN"), "passed": statuses.count("PASS"),
            "warned": statuses.count("WARN"), "failed": statuses.count("FAIL"),
            "skipped": statuses.count("SKIP")}


def _rollup(statuses: list[str]) -> str:
    for candidate in ("FAIL", "UNKNOWN", "WARN", "PASS"):
        if candidate in statuses:
            return candidate
    return "SKIP" if statuses else "UNKNOWN"


def _test(check: CheckResult, fallback: str) -> dict[str, Any]:
    cases: list[dict[str, Any]] = []
    for case in check.cases:
        log = [line for e in case.evidence for line in (e["curl"], e["error"] or f"answered {e['status']}")]
        cases.append({
            "case_name": case.case or case.service_key,
            "case_description": testcase_name(check.id, case.nodeid),
            "log_messages": log,
            "start_time": case.started or fallback,
            "end_time": case.finished or fallback,
            "status": status(case.outcome, check.level),
            "message": case.message,
        })
    statuses: list[str] = [c["status"] for c in cases]
    starts: list[str] = [c["start_time"] for c in cases]
    ends: list[str] = [c["end_time"] for c in cases]
    return {
        "test_name": check.id,
        "test_description": f"{check.level}: {check.requirement} ({check.citation})",
        "start_time": min(starts, default=fallback),
        "end_time": max(ends, default=fallback),
        "status": status(check.outcome, check.level),
        "summary": _summary(statuses),
        "message": f"a consequence of {check.caused_by}: {check.message}" if check.consequence else check.message,
        "cases": cases,
    }


def _phase(service: ServiceResult, start: str, end: str) -> dict[str, Any]:
    tests = [_test(check, start) for check in service.checks]
    statuses = [t["status"] for t in tests]
    verdict = service.verdict()
    # An incomplete or unreachable service (interrupted, checks not run, its test data not named) passed
    # nothing as a whole, whatever its tests that ran say: the phase is UNKNOWN, as its verdict says.
    phase_status = "UNKNOWN" if verdict in (INCOMPLETE, UNREACHABLE) else _rollup(statuses)
    why = service.unreachable or service.untested
    return {
        "phase_name": f"{service.standard} {service.version} ({service.key})",
        "phase_description": f"{service.url}: verdict {verdict}" + (f"; {why}" if why else ""),
        "start_time": min((t["start_time"] for t in tests), default=start),
        "end_time": max((t["end_time"] for t in tests), default=end),
        "status": phase_status,
        "summary": _summary(statuses),
        "tests": tests,
    }


def build(scorecard: Scorecard) -> dict[str, Any]:
    start, end = utc_stamp(scorecard.started), utc_stamp(scorecard.finished)
    phases = [_phase(s, start, end) for s in scorecard.services]
    all_statuses = [t["status"] for p in phases for t in p["tests"]]
    return {
        "schema_name": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "testbed_name": "ga4gh-conformance",
        "testbed_version": scorecard.harness_version,
        "testbed_description": "Conformance checks of deployed GA4GH APIs (schema, behaviour, property and "
                               "data-integrity checks) producing an adoption scorecard",
        "platform_name": scorecard.initiative,
        "platform_description": "; ".join(f"{s.standard} {s.version} at {s.url}" for s in scorecard.services),
        "input_parameters": {"profile": scorecard.profile.get("path"),
                             "profile_sha256": scorecard.profile.get("sha256"),
                             "seed": scorecard.seed, "explore": scorecard.explore,
                             "specs_available": scorecard.specs.get("available"),
                             "interrupted": scorecard.interrupted},
        "start_time": start,
        "end_time": end,
        "status": "UNKNOWN" if any(p["status"] == "UNKNOWN" and not p["tests"] for p in phases)
        else _rollup([p["status"] for p in phases]),
        "summary": _summary(all_statuses),
        "phases": phases,
    }


def write(scorecard: Scorecard, directory: Path, redactor: Redactor) -> Path:
    path = directory / "testbed-report.json"
    text = json.dumps(redactor.structure(build(scorecard)), indent=2, ensure_ascii=False)
    path.write_text(encodable(text) + "\n", encoding="utf-8")
    return path
