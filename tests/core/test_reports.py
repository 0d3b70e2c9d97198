"""Unit tests of conformance/reports/: each writer on a small in-memory scorecard, and the final
redaction pass (redact_tree). No pytest session, no server, no network."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from conformance.redact import MASK, Redactor
from conformance.reports import (
    TEXT_SUFFIXES,
    WRITERS,
    badge,
    html,
    redact_tree,
    scorecard_json,
    summary,
    testbed,
    write_reports,
)
from conformance.scorecard import CaseResult, CheckResult, Scorecard, ServiceResult, aggregate

SECRET = "tok-Secret-0123456789abcdef"  # a registered bearer token (long: masked wherever it appears)
PASSWORD = "pw12"  # a registered short password (masked as a whole word)
SCORECARD_SCHEMA = Path(__file__).resolve().parents[2] / "conformance" / "scorecard.schema.json"
SVG = "{http://www.w3.org/2000/svg}"
STARTED = dt.datetime(2026, 11, 24, 10, 0, 0, tzinfo=dt.timezone.utc)
FINISHED = dt.datetime(2026, 11, 24, 10, 1, 12, tzinfo=dt.timezone.utc)


def redactor() -> Redactor:
    return Redactor([SECRET, PASSWORD])


def exchange(status: int | None = 500, error: str | None = None) -> dict[str, Any]:
    """Evidence as an exchange carries it (here deliberately not yet redacted, to test the writers)."""
    url = f"https://drs.example.org/ga4gh/drs/v1/objects/obj1?access_token={SECRET}"
    return {
        "curl": f"curl -sS -i -H 'Authorization: Bearer {SECRET}' '{url}'",
        "method": "GET", "url": url, "status": status, "error": error,
        "response_headers": {"Content-Type": "application/json"},
        "response_body": json.dumps({"msg": f"bad token {SECRET}", "password": PASSWORD}),
    }


def mk_case(check_id: str, key: str, outcome: str, message: str = "", *, evidence: bool = False,
            name: str | None = None, started: str = "", finished: str = "") -> CaseResult:
    return CaseResult(nodeid=f"suites/x/check_x.py::test_{check_id.replace('.', '_')}[{key}]", check_id=check_id,
                      service_key=key, case=name, outcome=outcome, message=message,
                      evidence=[exchange()] if evidence else [], started=started, finished=finished)


def mk_check(check_id: str, level: str, key: str, *outcomes: str, message: str = "",
             evidence: bool = False) -> CheckResult:
    cases = [mk_case(check_id, key, o, message, evidence=evidence, name=f"case{i}",
                     started=f"2026-11-24T10:00:0{i}Z", finished=f"2026-11-24T10:00:0{i + 1}Z")
             for i, o in enumerate(outcomes)]
    return aggregate(check_id, level, f"{key} §1", f"requirement of {check_id}", cases)


def build_scorecard(**extra: Any) -> Scorecard:
    """Four services, one of each verdict, with the secrets in messages, evidence and notices."""
    drs = ServiceResult(key="drs-main", standard="drs", version="1.4.0", url="https://drs.example.org/ga4gh/drs/v1",
                        name="Main DRS", checks=[
                            mk_check("drs.object.checksum", "MUST", "drs-main", "passed", "passed"),
                            mk_check("drs.service-info.type", "SHOULD", "drs-main", "failed",
                                     message="group is not org.ga4gh"),
                            mk_check("drs.object.access", "MAY", "drs-main", "skipped", message="no access ids"),
                        ])
    failing = mk_check("service-info.fields.required-present", "MUST", "si", "failed",
                       message=f"the server echoed {SECRET} and password {PASSWORD}", evidence=True)
    failing.expected_failure = {"reason": "tracked upstream", "expires": "2099-12-31", "status": "expired"}
    si = ServiceResult(key="si", standard="service-info", version="1.0.0",
                       url=f"https://si.example.org/service-info?api_key={SECRET}", name=None,
                       checks=[failing, mk_check("service-info.id.present", "MUST", "si", "passed")])
    beacon = ServiceResult(key="beacon", standard="beacon", version="2.0.0", url="https://beacon.example.org/api",
                           name=None, checks=[
                               mk_check("beacon.info.present", "MUST", "beacon", "passed"),
                               mk_check("beacon.map.present", "MUST", "beacon", "error",
                                        message=f"timed out (Bearer {SECRET})", evidence=True),
                           ])
    htsget = ServiceResult(key="htsget", standard="htsget", version="1.3.0", url="https://htsget.example.org",
                           name=None, unreachable="connection refused",
                           checks=[mk_check("htsget.reads.ticket", "MUST", "htsget", "error", message="refused")])
    fields: dict[str, Any] = {
        "initiative": "Example <National> Genomics", "harness_version": "0.1.0", "started": STARTED,
        "finished": FINISHED, "services": [drs, si, beacon, htsget], "contact": "ops@example.org",
        "profile": {"path": "profile.yaml", "sha256": "0123456789abcdef" * 4}, "seed": 42,
        "specs": {"available": False, "how_to_get": "run `conformance specs fetch`"},
        "limits_hit": ["max_requests"], "notices": [f"token {SECRET} was refused"],
    }
    fields.update(extra)
    return Scorecard(**fields)


def assert_no_secret(text: str, where: str) -> None:
    assert SECRET not in text, f"{where} holds the registered token"
    assert f" {PASSWORD} " not in text and f'"{PASSWORD}"' not in text, f"{where} holds the registered password"


# -- scorecard.json ------------------------------------------------------------------------------------------


def test_scorecard_json_is_the_redacted_contract(tmp_path: Path) -> None:
    card = build_scorecard()
    path = scorecard_json.write(card, tmp_path, redactor())
    assert path == tmp_path / "scorecard.json"
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert_no_secret(text, path.name)
    data = json.loads(text)
    jsonschema.Draft202012Validator(json.loads(SCORECARD_SCHEMA.read_text(encoding="utf-8"))).validate(data)
    assert data == redactor().structure(card.to_dict())
    assert data["verdict"] == "non-conformant" and data["exit_code"] == 1
    assert data["initiative"] == "Example <National> Genomics"  # non-ASCII and markup kept as is in JSON
    by_key = {s["key"]: s for s in data["services"]}
    assert by_key["si"]["url"] == f"https://si.example.org/service-info?api_key={MASK}"
    failed = by_key["si"]["checks"][0]
    evidence = failed["cases"][0]["evidence"][0]
    assert evidence["url"].endswith(f"access_token={MASK}")
    assert json.loads(evidence["response_body"]) == {"msg": f"bad token {MASK}", "password": MASK}
    assert failed["message"] == f"the server echoed {MASK} and password {MASK}"


def test_scorecard_json_keeps_non_ascii_readable(tmp_path: Path) -> None:
    card = build_scorecard(initiative="Génomique «Nationale»")
    text = scorecard_json.write(card, tmp_path, Redactor()).read_text(encoding="utf-8")
    assert "Génomique «Nationale»" in text


# -- testbed-report.json -------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome, level, expected", [
    ("passed", "MUST", "PASS"),
    ("failed", "MUST", "FAIL"),
    ("failed", "SHOULD", "WARN"),
    ("failed", "MAY", "WARN"),
    ("skipped", "MUST", "SKIP"),
    ("error", "MUST", "UNKNOWN"),
    ("error", "SHOULD", "UNKNOWN"),
])
def test_testbed_status(outcome: str, level: str, expected: str) -> None:
    assert testbed.status(outcome, level) == expected


def test_testbed_report_structure(tmp_path: Path) -> None:
    path = testbed.write(build_scorecard(), tmp_path, redactor())
    assert path == tmp_path / "testbed-report.json"
    text = path.read_text(encoding="utf-8")
    assert_no_secret(text, path.name)
    report = json.loads(text)
    assert report["schema_name"] == "ga4gh-testbed-report" and report["schema_version"] == "0.1.0"
    assert report["testbed_version"] == "0.1.0"
    assert report["platform_name"] == "Example <National> Genomics"
    assert report["start_time"] == "2026-11-24T10:00:00Z" and report["end_time"] == "2026-11-24T10:01:12Z"
    assert report["input_parameters"] == {"profile": "profile.yaml", "profile_sha256": "0123456789abcdef" * 4,
                                          "seed": 42, "explore": False, "specs_available": False,
                                          "interrupted": False}
    phases = {p["phase_name"]: p for p in report["phases"]}
    assert set(phases) == {"drs 1.4.0 (drs-main)", "service-info 1.0.0 (si)", "beacon 2.0.0 (beacon)",
                           "htsget 1.3.0 (htsget)"}
    drs = phases["drs 1.4.0 (drs-main)"]
    assert drs["status"] == "WARN"
    assert {t["test_name"]: t["status"] for t in drs["tests"]} == {
        "drs.object.checksum": "PASS", "drs.service-info.type": "WARN", "drs.object.access": "SKIP"}
    assert drs["summary"] == {"unknown": 0, "passed": 1, "warned": 1, "failed": 0, "skipped": 1}
    checksum = drs["tests"][0]
    assert checksum["test_description"] == "MUST: requirement of drs.object.checksum (drs-main §1)"
    assert [c["case_name"] for c in checksum["cases"]] == ["case0", "case1"]
    assert (checksum["start_time"], checksum["end_time"]) == ("2026-11-24T10:00:00Z", "2026-11-24T10:00:02Z")
    assert phases["service-info 1.0.0 (si)"]["status"] == "FAIL"
    assert phases["beacon 2.0.0 (beacon)"]["status"] == "UNKNOWN"  # an error outranks a pass
    htsget = phases["htsget 1.3.0 (htsget)"]
    assert htsget["status"] == "UNKNOWN"
    assert htsget["phase_description"] == "https://htsget.example.org: verdict unreachable; connection refused"
    assert report["status"] == "FAIL"
    assert report["summary"] == {"unknown": 2, "passed": 3, "warned": 1, "failed": 1, "skipped": 1}


def test_testbed_case_logs_carry_the_evidence(tmp_path: Path) -> None:
    report = json.loads(testbed.write(build_scorecard(), tmp_path, redactor()).read_text(encoding="utf-8"))
    tests = {t["test_name"]: t for p in report["phases"] for t in p["tests"]}
    failed_case = tests["service-info.fields.required-present"]["cases"][0]
    assert failed_case["status"] == "FAIL"
    assert len(failed_case["log_messages"]) == 2
    # the header's whole value is masked, also inside a one-line curl command
    assert failed_case["log_messages"][0].startswith("curl -sS -i -H 'Authorization: [REDACTED]'")
    assert failed_case["log_messages"][1] == "answered 500"


def test_testbed_case_name_and_times_fall_back() -> None:
    case = CaseResult(nodeid="suites/drs/check_x.py::test_y[drs]", check_id="drs.x.y", service_key="drs",
                      case=None, outcome="passed",
                      evidence=[{"curl": "curl x", "method": "GET", "url": "x", "status": None,
                                 "error": "connection reset"}])
    check = CheckResult("drs.x.y", "MUST", "c", "r", "passed", cases=[case])
    service = ServiceResult("drs", "drs", "1.4.0", "https://d", None, checks=[check, CheckResult(
        "drs.x.z", "MUST", "c", "r", "skipped")])
    card = Scorecard("I", "0.1.0", STARTED, FINISHED, [service])
    report = testbed.build(card)
    built = report["phases"][0]["tests"]
    # the service's key and the name junit.xml gives the case, not the harness's Python function
    assert built[0]["cases"][0]["case_name"] == "drs"
    assert built[0]["cases"][0]["case_description"] == "drs.x.y[drs]"
    assert built[0]["cases"][0]["start_time"] == built[0]["cases"][0]["end_time"] == "2026-11-24T10:00:00Z"
    assert built[0]["cases"][0]["log_messages"] == ["curl x", "connection reset"]
    assert built[1]["cases"] == [] and built[1]["status"] == "SKIP"
    assert (built[1]["start_time"], built[1]["end_time"]) == ("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z")


def test_testbed_case_log_gives_each_request_with_its_answer() -> None:
    """The log listed every request, then every answer: which answer was whose could not be told."""
    evidence: list[dict[str, Any]] = [{"curl": "curl a", "status": 200, "error": None},
                                      {"curl": "curl b", "status": None, "error": "connection reset"}]
    case = CaseResult(nodeid="suites/drs/check_x.py::test_y[drs-obj1]", check_id="drs.x.y", service_key="drs",
                      case="obj1", outcome="failed", evidence=evidence)
    check = CheckResult("drs.x.y", "MUST", "c", "r", "failed", cases=[case])
    service = ServiceResult("drs", "drs", "1.4.0", "https://d", None, checks=[check])
    built = testbed.build(Scorecard("I", "0.1.0", STARTED, FINISHED, [service]))["phases"][0]["tests"][0]["cases"][0]
    assert built["log_messages"] == ["curl a", "answered 200", "curl b", "connection reset"]
    assert (built["case_name"], built["case_description"]) == ("obj1", "drs.x.y[drs-obj1]")


def test_testbed_names_the_cause_of_a_consequence() -> None:
    """Every failed check was a FAIL with its own message: the forum reading the report could not tell the one
    root cause from what followed from it, as the scorecard, the summary and junit.xml tell it."""
    tests = {t["test_name"]: t for t in testbed.build(_cascade())["phases"][0]["tests"]}
    assert tests["service-info.c.c0"]["message"] == "a consequence of service-info.schema.valid: consequence 0"
    assert tests["service-info.c.c0"]["status"] == "FAIL" and tests["service-info.c.c1"]["status"] == "WARN"
    assert tests["service-info.schema.valid"]["message"] == "contactUrl is null"


def test_testbed_unreachable_service_without_checks_is_unknown() -> None:
    service = ServiceResult("h", "htsget", "1.3.0", "https://h", None, unreachable="refused")
    report = testbed.build(Scorecard("I", "0.1.0", STARTED, FINISHED, [service]))
    assert report["phases"][0]["status"] == "UNKNOWN" and report["phases"][0]["tests"] == []
    assert report["status"] == "UNKNOWN"
    assert report["phases"][0]["start_time"] == "2026-11-24T10:00:00Z"
    assert report["phases"][0]["end_time"] == "2026-11-24T10:01:12Z"


@pytest.mark.parametrize("why", [{"interrupted": True}, {"untested": "the profile names no objects"},
                                 {"not_run": 3}])
def test_testbed_phase_of_an_incomplete_service_is_unknown(why: dict[str, Any]) -> None:
    """Every test that ran passed, but the service is incomplete: neither the phase nor the report is PASS."""
    check = CheckResult("drs.x.y", "MUST", "c", "r", "passed")
    service = ServiceResult("drs", "drs", "1.4.0", "https://d", None, checks=[check], **why)
    report = testbed.build(Scorecard("I", "0.1.0", STARTED, FINISHED, [service]))
    assert service.verdict() == "incomplete"
    assert report["phases"][0]["status"] == "UNKNOWN" and report["status"] == "UNKNOWN"
    assert report["phases"][0]["tests"][0]["status"] == "PASS"


def test_testbed_report_without_services() -> None:
    report = testbed.build(Scorecard("I", "0.1.0", STARTED, FINISHED, []))
    assert report["phases"] == [] and report["status"] == "UNKNOWN"
    assert report["summary"] == {"unknown": 0, "passed": 0, "warned": 0, "failed": 0, "skipped": 0}


def test_testbed_report_validates_against_the_official_schema(tmp_path: Path, requires_specs: str) -> None:
    document = json.loads(testbed.write(build_scorecard(), tmp_path, redactor()).read_text(encoding="utf-8"))
    schema_dir = Path(requires_specs) / "testbed-report" / "0.1.0" / "schema"
    base = "http://json-schema.org/draft-04/"  # the official files all claim this $id
    registry: Registry[Any] = Registry().with_resources(
        (base + p.name, Resource.from_contents(json.loads(p.read_text(encoding="utf-8")),
                                               default_specification=DRAFT4))
        for p in schema_dir.glob("*.json"))
    validator = jsonschema.Draft4Validator(
        {"$ref": base + "ga4gh-testbed-report.json#/definitions/ga4ghTestbedReport"}, registry=registry)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors


# -- summary.md ----------------------------------------------------------------------------------------------


def test_summary_has_the_verdict_lines(tmp_path: Path) -> None:
    path = summary.write(build_scorecard(), tmp_path, redactor())
    assert path == tmp_path / "summary.md"
    text = path.read_text(encoding="utf-8")
    assert_no_secret(text, path.name)
    lines = text.splitlines()
    assert lines[0] == "# GA4GH conformance: Example \\<National\\> Genomics"  # shown, not read as an HTML tag
    assert lines[2].startswith("Overall: **non-conformant** (exit code 1) · 2026-11-24T10:00:00Z → "
                               "2026-11-24T10:01:12Z · harness 0.1.0 · seed 42")
    assert "(explore)" not in lines[2]
    assert "| Service | Version | Verdict | MUST passed | Warnings | Errors | Does not apply | Undecided |" in lines
    assert "| drs `drs-main` https://drs.example.org/ga4gh/drs/v1 | 1.4.0 | ✅ conformant | 1/1 | 1 | 0 | 0 | 1 |" \
        in lines
    assert f"| service-info `si` https://si.example.org/service-info?api_key={MASK} | 1.0.0 | ❌ non-conformant " \
           "| 1/2 | 0 | 0 | 0 | 0 |" in lines
    assert "| beacon `beacon` https://beacon.example.org/api | 2.0.0 | ⚠️ incomplete | 1/2 | 0 | 1 | 0 | 0 |" in lines
    assert "| htsget `htsget` https://htsget.example.org | 1.3.0 | ⛔ unreachable | 0/1 | 0 | 1 | 0 | 0 |" in lines
    assert text.endswith("\n")


def test_summary_gives_the_verdict_the_exit_code_follows_when_expected_failures_change_it(tmp_path: Path) -> None:
    """The true verdict leads; where waived failures turn it, the exit code's verdict follows on its own line, so
    that a passing build's summary does not read only "non-conformant (exit code 0)"."""
    card = build_scorecard()
    card.services = [card.services[1]]  # si: its one failure ...
    lines = summary.render(card).splitlines()
    assert not any(line.startswith("Exit code ") for line in lines)  # expired: it counts, nothing changes
    card.services[0].checks[0].expected_failure = {"reason": "tracked", "expires": "2099-12-31", "status": "waived"}
    lines = summary.render(card).splitlines()
    assert lines[2].startswith("Overall: **non-conformant** (exit code 0)")
    assert lines[4] == "Exit code 0: with 1 expected failure waived: conformant."


def test_summary_puts_what_is_of_the_whole_run_under_its_own_heading(tmp_path: Path) -> None:
    """Skip reasons over every service, limits and notices followed the last service's section and read as
    that service's; with no service section they follow the table."""
    card = build_scorecard()
    card.services[0].checks.append(mk_check("drs.object.bundle", "MUST", "drs-main", "skipped",
                                            message="the profile lists no bundles"))
    lines = summary.render(card).splitlines()
    whole = lines.index("## The whole run")
    assert whole > lines.index("## htsget 1.3.0 (htsget): unreachable")  # the last service's section
    assert [h for h in lines[whole:] if h.startswith("## ")] == ["## The whole run"]
    for line in ("- 1 × the profile lists no bundles", "**Notices**",
                 "Limits reached: max_requests (see `budget` in the profile)."):
        assert lines.index(line) > whole
    passing = build_scorecard(services=[card.services[0]], notices=[], limits_hit=[])
    passing.services[0].checks = [c for c in passing.services[0].checks if c.outcome != "failed"]
    lines = summary.render(passing).splitlines()
    assert "## The whole run" not in lines and "- 1 × the profile lists no bundles" in lines


def test_summary_never_folds_a_single_skip_reason_into_other_reasons() -> None:
    card = build_scorecard(notices=[], limits_hit=[])
    card.services = [card.services[0]]
    card.services[0].checks = [mk_check(f"drs.{n}", "MUST", "drs-main", "skipped", message=f"reason {n}")
                               for n in range(11)]
    lines = summary.render(card).splitlines()
    assert "- 1 × reason 10" in lines and not any("other reasons" in line for line in lines)
    card.services[0].checks.append(mk_check("drs.11", "MUST", "drs-main", "skipped", message="reason 11"))
    lines = summary.render(card).splitlines()
    assert "- 2 × 2 other reasons (see scorecard.json)" in lines


def test_summary_sections_per_service(tmp_path: Path) -> None:
    text = summary.write(build_scorecard(), tmp_path, redactor()).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert "## drs 1.4.0 (drs-main): conformant" in lines  # a warning gets a section, the verdict stays
    assert "**Warnings (failed SHOULD/MAY checks)**" in lines
    assert "- `drs.service-info.type` (SHOULD, drs-main §1): group is not org.ga4gh" in lines
    assert "## service-info 1.0.0 (si): non-conformant" in lines
    assert "**Failed MUST checks**" in lines
    assert (f"- `service-info.fields.required-present` (MUST, si §1): the server echoed {MASK} and password "
            f"{MASK} _(expected failure: expired; tracked upstream)_") in lines
    assert "## beacon 2.0.0 (beacon): incomplete" in lines
    assert "**Errors (the harness could not tell)**" in lines
    assert f"- `beacon.map.present` (MUST, beacon §1): timed out (Bearer {MASK})" in lines
    assert "## htsget 1.3.0 (htsget): unreachable" in lines
    assert "Unreachable: connection refused" in lines
    assert "1 checks could not run." in lines
    assert "Limits reached: max_requests (see `budget` in the profile)." in lines
    assert "Schema checks were skipped: run `conformance specs fetch`." in lines
    assert "**Notices**" in lines and f"- token {MASK} was refused" in lines
    assert "interrupted" not in text


def test_summary_of_a_clean_run_has_no_sections() -> None:
    service = ServiceResult("si", "service-info", "1.0.0", "https://si", None,
                            checks=[mk_check("service-info.id.present", "MUST", "si", "passed")])
    card = Scorecard("I", "0.1.0", STARTED, FINISHED, [service], specs={"available": True}, explore=True)
    text = summary.render(card)
    assert "Overall: **conformant** (exit code 0)" in text
    assert "(explore)" in text.splitlines()[2]
    assert "##" not in text and "Schema checks" not in text and "Notices" not in text and "Limits" not in text


def test_summary_of_an_interrupted_run_says_so() -> None:
    card = build_scorecard(interrupted=True)
    text = summary.render(card)
    assert "> **The run was interrupted**: checks that did not run make the verdict incomplete." in text
    assert "Overall: **non-conformant (interrupted)**" in text


def test_summary_says_schemas_not_checked_at_the_top() -> None:
    """Issue 21.3: a run without the official schemas says so before the table, not only at the end."""
    check = mk_check("service-info.schema.valid", "MUST", "si", "skipped")
    check.skip_kind, check.schemas_missing = "undecided", True
    service = ServiceResult("si", "service-info", "1.0.0", "https://si", None,
                            checks=[mk_check("service-info.id.present", "MUST", "si", "passed"), check])
    card = Scorecard("I", "0.1.0", STARTED, FINISHED, [service],
                     specs={"available": False, "how_to_get": "run `conformance specs fetch`"})
    lines = summary.render(card).splitlines()
    assert lines[2].startswith("Overall: **incomplete (schemas not checked)** (exit code 2)")
    assert lines[4] == ("> **Schemas not checked**: run `conformance specs fetch`. "
                        "No service is conformant until they are.")
    assert "**Skipped: could not be decided** (1 checks)" in lines


def test_summary_groups_skip_reasons_by_kind() -> None:
    def skip(check_id: str, reason: str, kind: str) -> CheckResult:
        check = mk_check(check_id, "MUST", "p", "skipped")
        check.message, check.skip_kind = reason, kind
        return check

    checks = [mk_check("p.a", "MUST", "p", "passed")] + \
        [skip(f"p.broker-{i}", "does not apply: a broker check", "not-applicable") for i in range(3)] + \
        [skip("p.visa", "no visas to examine", "undecided")]
    card = Scorecard("I", "0.1.0", STARTED, FINISHED,
                     [ServiceResult("p", "passports", "1.2", "https://p", None, checks=checks)],
                     specs={"available": True})
    lines = summary.render(card).splitlines()
    assert lines[lines.index("**Skipped: does not apply** (3 checks)") + 1] == "- 3 × does not apply: a broker check"
    assert lines[lines.index("**Skipped: could not be decided** (1 checks)") + 1] == "- 1 × no visas to examine"


HOSTILE_TEXT = ("a | b\n# heading <img src=https://e.example/t.png> [link](https://e.example) ![i](https://e.example/i)"
                " **bold** _em_ `code` ~~gone~~ &amp; \\ \x1b[31m")


def rendered(markdown: str) -> str:
    """summary.md as a CI step summary shows it: CommonMark with GitHub's tables."""
    markdown_it = pytest.importorskip("markdown_it")
    return str(markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown))


def test_summary_shows_server_text_as_text_on_one_line() -> None:
    """A message quoting a server, a skip reason, a registry's entry or a URL the registry gave was Markdown in
    the CI step summary: an image fetched, a link, HTML, emphasis, a new heading, a table cut in extra cells."""
    failing = mk_check("service-info.fields.required-present", "MUST", "si", "failed", message=HOSTILE_TEXT)
    skipped = mk_check("service-info.x.skip", "MUST", "si", "skipped", message=HOSTILE_TEXT)
    service = ServiceResult("si", "service-info", "1.0.0", f"https://si.example.org/{HOSTILE_TEXT}", None,
                            checks=[failing, skipped, mk_check("service-info.ok", "MUST", "si", "passed")])
    registry = {"url": "https://r.example.org", "listed": 2, "tested": [],
                "not_tested": [{"id": HOSTILE_TEXT, "type": "x", "reason": "y"}]}
    card = Scorecard(HOSTILE_TEXT, "0.1.0", STARTED, FINISHED, [service], specs={"available": True},
                     notices=[HOSTILE_TEXT], registry=registry)
    markdown = summary.render(card)
    page = rendered(markdown)
    for tag in ("<img", "<a ", "<strong>bold", "<em>em", "<code>code", "<s>", "<h2>heading", "<h1>heading"):
        assert tag not in page, tag
    assert "\x1b" not in markdown
    assert page.count("<h1>") == 1 and page.count("<tr>") == 2  # the header row and the one service
    row = page[page.index("<tbody>"):page.index("</tbody>")]
    assert row.count("<td>") == 8
    shown = "a | b # heading &lt;img src=https://e.example/t.png&gt; [link](https://e.example) " \
            "![i](https://e.example/i) **bold** _em_ `code` ~~gone~~ &amp;amp; \\ \\x1b[31m"
    assert page.count(shown) == 6  # heading, URL, message, skip reason, notice, registry entry
    assert f"https://si.example.org/{shown}" in row


# -- badges --------------------------------------------------------------------------------------------------


def badge_title(path: Path) -> str:
    root = ET.fromstring(path.read_text(encoding="utf-8"))
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text is not None
    assert root.get("aria-label") == title.text
    return title.text


def test_one_badge_per_standard_with_its_verdict(tmp_path: Path) -> None:
    paths = badge.write(build_scorecard(), tmp_path, redactor())
    assert [p.name for p in paths] == ["badge-beacon.svg", "badge-drs.svg", "badge-htsget.svg",
                                       "badge-service-info.svg"]
    titles = {p.name: badge_title(p) for p in paths}
    assert titles == {"badge-beacon.svg": "beacon 2.0.0: incomplete", "badge-drs.svg": "drs 1.4.0: conformant",
                      "badge-htsget.svg": "htsget 1.3.0: unreachable",
                      "badge-service-info.svg": "service-info 1.0.0: non-conformant"}
    for path in paths:
        assert_no_secret(path.read_text(encoding="utf-8"), path.name)


def test_badge_of_a_standard_with_several_services_shows_the_worst_verdict(tmp_path: Path) -> None:
    ok = ServiceResult("a", "drs", "1.4.0", "https://a", None, checks=[mk_check("drs.a.b", "MUST", "a", "passed")])
    old = ServiceResult("b", "drs", "1.2.0", "https://b", None, checks=[mk_check("drs.a.b", "MUST", "b", "error")])
    same = ServiceResult("c", "drs", "1.4.0", "https://c", None, checks=[mk_check("drs.a.b", "MUST", "c", "passed")])
    [path] = badge.write(Scorecard("I", "0.1.0", STARTED, FINISHED, [ok, old, same]), tmp_path, Redactor())
    assert badge_title(path) == "drs 1.2.0, 1.4.0: incomplete"


def test_badge_versions_are_in_release_order(tmp_path: Path) -> None:
    services = [ServiceResult(k, "drs", v, f"https://{k}", None, checks=[mk_check("drs.a.b", "MUST", k, "passed")])
                for k, v in (("a", "1.10.0"), ("b", "1.9.0"), ("c", "1.2"))]
    [path] = badge.write(Scorecard("I", "0.1.0", STARTED, FINISHED, services), tmp_path, Redactor())
    assert badge_title(path) == "drs 1.2, 1.9.0, 1.10.0: conformant"


@pytest.mark.parametrize("verdict", sorted(badge.COLOURS))
def test_badge_colour_repeats_the_verdict(verdict: str) -> None:
    root = ET.fromstring(badge.render("drs 1.4.0", verdict))
    rects = root.findall(f"{SVG}rect")
    assert rects[-1].get("fill") == badge.COLOURS[verdict]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["drs 1.4.0", verdict]


def test_badge_escapes_its_label() -> None:
    root = ET.fromstring(badge.render('a<b>&"c"', "conformant"))
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == 'a<b>&"c": conformant'
    assert root.get("aria-label") == 'a<b>&"c": conformant'


def test_no_services_no_badges(tmp_path: Path) -> None:
    assert badge.write(Scorecard("I", "0.1.0", STARTED, FINISHED, []), tmp_path, Redactor()) == []
    assert list(tmp_path.iterdir()) == []


# -- the HTML fragments --------------------------------------------------------------------------------------


VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "embed", "source", "track", "wbr"}


class _Balance(HTMLParser):
    """Checks that every element of a fragment is closed in order (enough to call it well formed)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def assert_balanced(fragment: str) -> None:
    parser = _Balance()
    parser.feed(fragment)
    parser.close()
    assert not parser.errors and not parser.stack, (parser.errors, parser.stack)


def test_html_scorecard_block() -> None:
    block = html.scorecard_block(build_scorecard())
    assert_balanced(block)
    assert "Scorecard: Example &lt;National&gt; Genomics" in block  # escaped
    assert "<National>" not in block
    assert '<span class="cf-verdict cf-non-conformant">non-conformant</span>' in block
    for verdict in ("conformant", "incomplete", "unreachable"):
        assert f'<span class="cf-verdict cf-{verdict}">{verdict}</span>' in block
    assert "2026-11-24T10:00:00Z → 2026-11-24T10:01:12Z" in block
    assert "seed 42" in block and "<code>0123456789abcdef</code>" in block  # the sha256, shortened
    assert "<code>drs.service-info.type</code> (SHOULD, warning): group is not org.ga4gh" in block
    assert "<br>connection refused" in block
    assert "Schema checks skipped: run `conformance specs fetch`" in block
    assert "<h3>Notices</h3>" in block


def test_html_evidence_block_escapes_and_truncates() -> None:
    evidence = exchange()
    evidence["curl"] = "curl '<script>alert(1)</script>'"
    evidence["response_body"] = "<b>" + "x" * 5000
    block = html.evidence_block(evidence)
    assert_balanced(block)
    assert "<script>" not in block and "&lt;script&gt;" in block
    assert "<b>Answer</b>: 500" in block
    assert "x" * 3997 in block and "x" * 3998 not in block  # the body is cut at 4000 characters
    assert "Content-Type: application/json" in block
    errored = html.evidence_block({"curl": "curl x", "error": "connection reset", "status": None})
    assert "<b>Answer</b>: connection reset" in errored


def test_html_needs_redact_tree_for_its_secrets(tmp_path: Path) -> None:
    # the fragments are written into report.html by pytest-html; redaction of that file is redact_tree's job
    page = tmp_path / "report.html"
    page.write_text("<html><body>" + html.scorecard_block(build_scorecard())
                    + html.evidence_block(exchange()) + "</body></html>", encoding="utf-8")
    assert SECRET in page.read_text(encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert_no_secret(page.read_text(encoding="utf-8"), page.name)


def test_redact_tree_keeps_html_well_formed(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text("<html><body>" + html.scorecard_block(build_scorecard()) + "</body></html>", encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert_balanced(page.read_text(encoding="utf-8"))


# -- write_reports and redact_tree ---------------------------------------------------------------------------


def test_write_reports_writes_every_format_without_a_secret(tmp_path: Path) -> None:
    assert len(WRITERS) == 5
    run = SimpleNamespace(run_dir=tmp_path, redactor=redactor())
    write_reports(build_scorecard(), cast(Any, run))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["badge-beacon.svg", "badge-drs.svg", "badge-htsget.svg", "badge-service-info.svg",
                     "report.html", "scorecard.json", "summary.md", "testbed-report.json"]
    for path in tmp_path.iterdir():
        text = path.read_text(encoding="utf-8")
        assert_no_secret(text, path.name)
        if path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".svg":
            ET.fromstring(text)
    # the final pass finds nothing left to change
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    redact_tree(tmp_path, redactor())
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_writing_again_removes_what_an_interrupted_writing_left(tmp_path: Path) -> None:
    """A Ctrl-C between the making of a writer's staging directory and its removal leaves it; the writing again
    that follows every interrupt (plugin.finish_interrupted) leaves only the reports."""
    stale = tmp_path / ".writing-k3l2"
    stale.mkdir()
    (stale / "scorecard.json").write_text("{")
    write_reports(build_scorecard(), cast(Any, SimpleNamespace(run_dir=tmp_path, redactor=redactor())))
    assert not stale.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_redact_tree_of_a_missing_directory_does_nothing(tmp_path: Path) -> None:
    redact_tree(tmp_path / "missing", redactor())
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("suffix", sorted(TEXT_SUFFIXES - {".json"}))
def test_redact_tree_cleans_every_text_file(tmp_path: Path, suffix: str) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    path = nested / f"file{suffix}"
    path.write_text(f"line 1\nAuthorization: Bearer xyz123456\ntoken {SECRET} and {PASSWORD} passed\n",
                    encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert path.read_text(encoding="utf-8") == f"line 1\nAuthorization: {MASK}\ntoken {MASK} and {MASK} passed\n"


def test_redact_tree_leaves_other_files_alone(tmp_path: Path) -> None:
    content = f"token {SECRET}\n".encode()
    for name in ("data.bin", "trace.zip", "noext", "image.png"):
        (tmp_path / name).write_bytes(content)
    redact_tree(tmp_path, redactor())
    for name in ("data.bin", "trace.zip", "noext", "image.png"):
        assert (tmp_path / name).read_bytes() == content


def test_redact_tree_keeps_json_valid(tmp_path: Path) -> None:
    document = {
        "message": f"got {SECRET}",
        SECRET: ["a key", 1, True, None, 2.5],
        "body": json.dumps({"passports": ["opaque-visa"], "client_secret": "abc"}),
        "weird": 'quote " and backslash \\ ' + SECRET,
    }
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    redact_tree(tmp_path, redactor())
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    cleaned = json.loads(text)
    assert cleaned == {
        "message": f"got {MASK}",
        MASK: ["a key", 1, True, None, 2.5],
        "body": json.dumps({"passports": [MASK], "client_secret": MASK}),
        "weird": f'quote " and backslash \\ {MASK}',
    }


def test_redact_tree_does_not_rewrite_clean_json(tmp_path: Path) -> None:
    path = tmp_path / "clean.json"
    original = '{"a":1,"b":["x"]}'  # compact: a rewrite would show as indentation
    path.write_text(original, encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert path.read_text(encoding="utf-8") == original


def test_redact_tree_falls_back_to_text_for_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(f'{{"message": "got {SECRET}", "access_token": "abc", ', encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert path.read_text(encoding="utf-8") == f'{{"message": "got {MASK}", "access_token": "{MASK}", '


@pytest.mark.parametrize("document", [
    {"access_token": "opaque-value-1"},
    {"kty": "RSA", "d": "opaque-value-1"},
    {"passports": ["opaque-value-1"]},
])
def test_redact_tree_masks_sensitive_members_of_a_json_file(tmp_path: Path, document: dict[str, Any]) -> None:
    (tmp_path / "data.txt").write_text(json.dumps(document), encoding="utf-8")
    (tmp_path / "data.json").write_text(json.dumps(document), encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert "opaque-value-1" not in (tmp_path / "data.txt").read_text(encoding="utf-8")  # the text rule holds
    assert "opaque-value-1" not in (tmp_path / "data.json").read_text(encoding="utf-8")


def test_redact_tree_masks_a_member_whose_name_json_escapes(tmp_path: Path) -> None:
    # a document is read as written only without \u escapes: one in a member's name would hide it from the rule
    path = tmp_path / "escaped.json"
    path.write_text('{"\\u0061ccess_token": "opaque-value-1", "kept": "caf\\u00e9"}', encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert json.loads(path.read_text(encoding="utf-8")) == {"access_token": MASK, "kept": "café"}


def test_redact_tree_masks_a_member_written_twice(tmp_path: Path) -> None:
    # read once, the first value would go unseen: such a file is redacted as text
    path = tmp_path / "twice.json"
    path.write_text(f'{{"note": "got {SECRET}", "note": "ok", "a": 1}}', encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert SECRET not in path.read_text(encoding="utf-8")


def test_redact_tree_masks_a_json_file_as_written(tmp_path: Path) -> None:
    path = tmp_path / "compact.json"
    path.write_text('{"a":1,"access_token":"opaque-value-1"}', encoding="utf-8")
    redact_tree(tmp_path, redactor())
    assert path.read_text(encoding="utf-8") == f'{{"a":1,"access_token":"{MASK}"}}'


# -- caused_by (issue 19: one root cause, one failure) --------------------------------------------------------


def _cascade() -> Scorecard:
    from conformance.scorecard import link_causes

    root = mk_check("service-info.schema.valid", "MUST", "si", "failed", message="contactUrl is null")
    consequences = [mk_check(f"service-info.c.c{i}", level, "si", "failed", message=f"consequence {i}")
                    for i, level in enumerate(("MUST", "SHOULD"))]
    for check in consequences:
        check.caused_by = root.id
    service = ServiceResult("si", "service-info", "1.0.0", "https://si", None,
                            checks=[*consequences, root, mk_check("service-info.ok", "MUST", "si", "passed")])
    link_causes(service)
    return Scorecard("I", "0.1.0", STARTED, FINISHED, [service], specs={"available": True})


def test_summary_nests_consequences_under_their_cause_and_counts_the_cause_once() -> None:
    lines = summary.render(_cascade()).splitlines()
    start = lines.index("**Failed MUST checks**")
    assert lines[start + 1:start + 4] == [
        "- `service-info.schema.valid` (MUST, si §1): contactUrl is null",
        "  - consequence: `service-info.c.c0` (MUST, si §1): consequence 0",
        "  - consequence: `service-info.c.c1` (SHOULD, si §1): consequence 1",
    ]
    assert "**Warnings (failed SHOULD/MAY checks)**" not in lines  # the SHOULD consequence is not a warning of its own
    assert "| service-info `si` https://si | 1.0.0 | ❌ non-conformant | 1/2 | 0 | 0 | 0 | 0 |" in lines


def test_junit_marks_consequences_with_caused_by(tmp_path: Path) -> None:
    from conformance.reports.junit import annotate

    card = _cascade()
    testcases = []
    for check in card.services[0].checks:
        name = check.cases[0].nodeid.rsplit("::", 1)[-1]
        testcases.append(f'<testcase classname="c" name="{name}"><properties>'
                         f'<property name="check_id" value="{check.id}" /></properties></testcase>')
    path = tmp_path / "junit.xml"
    path.write_text(f"<testsuites><testsuite>{''.join(testcases)}</testsuite></testsuites>", encoding="utf-8")
    annotate(path, card)
    found = {}
    for testcase in ET.parse(path).iter("testcase"):
        props = {p.get("name"): p.get("value") for p in testcase.iter("property")}
        found[props["check_id"]] = props.get("caused_by")
        assert (testcase.get("classname"), testcase.get("name")) == ("si", f"{props['check_id']}[si]")
    assert found == {"service-info.c.c0": "service-info.schema.valid", "service-info.c.c1": "service-info.schema.valid",
                     "service-info.schema.valid": None, "service-info.ok": None}


def test_junit_counts_one_failure_per_root_cause(tmp_path: Path) -> None:
    """A CI test view counted each consequence as a failure of its own (fifteen for one missing endpoint): the
    cause's test case is the failure, its consequences are skipped cases naming it, as the scorecard counts."""
    from conformance.reports.junit import annotate

    card = _cascade()
    testcases = []
    for check in card.services[0].checks:
        name = check.cases[0].nodeid.rsplit("::", 1)[-1]
        outcome = check.cases[0].outcome
        element = f'<failure message="{check.message}">evidence</failure>' if outcome == "failed" else ""
        testcases.append(f'<testcase classname="c" name="{name}"><properties>'
                         f'<property name="check_id" value="{check.id}" />'
                         f'<property name="outcome" value="{outcome}" /></properties>{element}</testcase>')
    path = tmp_path / "junit.xml"
    path.write_text(f'<testsuites><testsuite failures="3" skipped="0">{"".join(testcases)}</testsuite></testsuites>',
                    encoding="utf-8")
    annotate(path, card)
    suite = next(ET.parse(path).iter("testsuite"))
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "2")
    found = {}
    for testcase in suite.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in testcase.iter("property")}
        found[props["check_id"]] = [(c.tag, c.get("message")) for c in testcase if c.tag != "properties"]
    assert found["service-info.schema.valid"] == [("failure", "contactUrl is null")]
    assert found["service-info.c.c0"] == [("skipped", "a consequence of service-info.schema.valid, the one failure of "
                                                      "this root cause: consequence 0")]
    assert str(found["service-info.c.c1"][0][1]).startswith("a consequence of service-info.schema.valid")


def test_junit_writes_a_should_check_that_erred_as_skipped_whatever_its_case_id(tmp_path: Path) -> None:
    """A SHOULD or MAY check that erred does not fail the run (its exit code is 0): junit.xml says so, for an
    error in the call (<failure>) and in the set-up (<error>), and for a case id that holds "::"."""
    from conformance.reports.junit import annotate

    erred = mk_check("service-info.s.erred", "SHOULD", "si", "error", message="no answer within 10 s")
    erred.cases[0].nodeid = "suites/x/check_x.py::test_erred[si-id=a::b]"
    setup = mk_check("service-info.s.setup", "MAY", "si", "error", message="unreachable")
    must = mk_check("service-info.m.erred", "MUST", "si", "error", message="no answer")
    card = Scorecard("I", "0.1.0", STARTED, FINISHED, [ServiceResult("si", "service-info", "1.0.0", "https://si", None,
                                                                     checks=[erred, setup, must])])
    cases = "".join(
        f'<testcase classname="c" name="{case.nodeid.split("::", 1)[1]}"><properties>'
        f'<property name="check_id" value="{check.id}" /></properties><{tag} message="m">text</{tag}></testcase>'
        for check, tag in ((erred, "failure"), (setup, "error"), (must, "error")) for case in check.cases)
    path = tmp_path / "junit.xml"
    path.write_text(f'<testsuites><testsuite errors="2" failures="1" skipped="0">{cases}</testsuite></testsuites>',
                    encoding="utf-8")
    annotate(path, card)
    root = ET.parse(path).getroot()
    found = {next(p.get("value") for p in case.iter("property")):
             [child.tag for child in case if child.tag != "properties"] for case in root.iter("testcase")}
    assert found == {erred.id: ["skipped"], setup.id: ["skipped"], must.id: ["error"]}
    suite = root.find("testsuite")
    assert suite is not None and (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("0", "1", "2")
    skipped = next(root.iter("skipped"))
    assert skipped.get("message", "").startswith("a SHOULD check the harness could not decide (never non-conformance)")


def junit_of(card: Scorecard, tmp_path: Path, suite_properties: str = "") -> Path:
    """The junit.xml pytest writes for ``card``'s cases: classname the module's dotted path, name the function's
    with its parameters, the check's properties, a skip's text its source file and line, then the reason."""
    cases = []
    for service in card.services:
        for check in service.checks:
            for case in check.cases:
                module, name = case.nodeid.split("::", 1)
                inner = {"failed": '<failure message="m">text</failure>', "error": '<error message="m">text</error>',
                         "skipped": f'<skipped type="pytest.skip" message="{check.message}">/site-packages/'
                                    f'conformance_suites/x/check_x.py:12: {check.message}</skipped>'}
                cases.append(f'<testcase classname="{module.removesuffix(".py").replace("/", ".")}" name="{name}">'
                             f'<properties><property name="check_id" value="{check.id}" />'
                             f'<property name="outcome" value="{case.outcome}" /></properties>'
                             f'{inner.get(case.outcome, "")}</testcase>')
    path = tmp_path / "junit.xml"
    path.write_text(f'<testsuites><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="{len(cases)}">'
                    f"{suite_properties}{''.join(cases)}</testsuite></testsuites>", encoding="utf-8")
    return path


def test_junit_names_each_case_by_its_check_and_service(tmp_path: Path) -> None:
    """A CI test view (GitHub Actions, GitLab, Jenkins) showed test_checksums_match_bytes[drs-main-case0]
    under suites.x.check_x: each case is named by its check id with its service and item, under its service's
    key, and the suite by the initiative, as every other report names them."""
    from conformance.reports.junit import annotate

    card = build_scorecard()
    path = junit_of(card, tmp_path)
    annotate(path, card)
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "Example <National> Genomics: GA4GH conformance"
    names = [(case.get("classname"), case.get("name")) for case in root.iter("testcase")]
    assert ("drs-main", "drs.object.checksum[drs-main]") in names
    assert ("si", "service-info.fields.required-present[si]") in names
    assert len(names) == sum(len(c.cases) for s in card.services for c in s.checks)
    skipped = next(case for case in root.iter("testcase") if case.get("name") == "drs.object.access[drs-main]")
    assert skipped.findtext("skipped") == "no access ids"  # the reason, not the suite's source file and line
    before = path.read_bytes()
    annotate(path, card)  # named already: nothing changes
    assert path.read_bytes() == before


def test_junit_leaves_out_what_differs_between_runs_whose_results_agree(tmp_path: Path) -> None:
    """hypothesis records its statistics (the time each property took) on the test suite: two runs of a
    profile with the same results wrote different junit.xml files."""
    from conformance.reports.junit import annotate

    card = build_scorecard()
    written = []
    for seconds in ("0.13", "0.37"):
        statistics = f'<properties><property name="hypothesis-statistics-x/check_x.py::test_p[drs-main]" ' \
                     f'value="{seconds} seconds" /></properties>'
        path = junit_of(card, tmp_path, statistics)
        annotate(path, card)
        written.append(path.read_text(encoding="utf-8"))
    assert written[0] == written[1] and "hypothesis" not in written[0] and "<properties />" not in written[0]


def test_junit_suite_name_holds_no_character_xml_cannot(tmp_path: Path) -> None:
    from conformance.reports.junit import annotate

    card = build_scorecard(initiative="Bell\x07 & <co>")
    path = junit_of(card, tmp_path)
    annotate(path, card)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None and suite.get("name") == "Bell#x07 & <co>: GA4GH conformance"


def test_summary_lists_what_the_run_created() -> None:
    from conformance.scorecard import Created

    made = Created("run", "run|1")
    made.cancelled("CANCELED")
    service = ServiceResult("wes", "wes", "1.1.0", "https://wes", None,
                            checks=[mk_check("wes.service-info.answers-200", "MUST", "wes", "passed")],
                            created=[made, Created("run", "run-2")])
    text = summary.render(Scorecard("I", "0.1.0", STARTED, FINISHED, [service], specs={"available": True}))
    assert "**Created by this run** (writes: true)" in text
    assert "| wes `wes` | run | `run\\|1` | CANCELED | cancelled |" in text
    assert "| wes `wes` | run | `run-2` | not read | unsettled |" in text
    clean = ServiceResult("si", "service-info", "1.0.0", "https://si", None)
    assert "Created by this run" not in summary.render(Scorecard("I", "0.1.0", STARTED, FINISHED, [clean]))
