"""Unit tests of conformance/scorecard.py: aggregation of cases into checks, the verdict of a service
(ARCHITECTURE.md "Outcomes", DESIGN §4), exit codes (DESIGN §6) and the JSON contract (DESIGN §5,
conformance/scorecard.schema.json)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.checks import Level
from conformance.scorecard import (
    CONFORMANT,
    FORMAT,
    INCOMPLETE,
    NON_CONFORMANT,
    NOT_APPLICABLE,
    OUTCOMES,
    UNDECIDED,
    UNREACHABLE,
    CaseResult,
    CheckResult,
    Scorecard,
    ServiceResult,
    aggregate,
    link_causes,
    utc_stamp,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "conformance" / "scorecard.schema.json"
STARTED = dt.datetime(2026, 11, 24, 10, 0, 0, 250_000, tzinfo=dt.timezone.utc)
FINISHED = dt.datetime(2026, 11, 24, 11, 1, 12, 999_999, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def case(outcome: str, message: str = "", *, nodeid: str = "suites/drs/check_x.py::test_x",
         case_name: str | None = None, limit: str | None = None) -> CaseResult:
    return CaseResult(nodeid=nodeid, check_id="drs.object.x", service_key="drs", case=case_name,
                      outcome=outcome, message=message, limit=limit)


def check(outcome: str, level: str = "MUST", *, check_id: str = "drs.object.x", message: str = "",
          expected_failure: dict[str, Any] | None = None) -> CheckResult:
    return CheckResult(id=check_id, level=level, citation="DRS 1.4.0 §Objects", requirement="a requirement",
                       outcome=outcome, message=message, expected_failure=expected_failure)


def service(*checks: CheckResult, key: str = "drs", standard: str = "drs", unreachable: str | None = None,
            not_run: int = 0, name: str | None = None, untested: str | None = None) -> ServiceResult:
    return ServiceResult(key=key, standard=standard, version="1.4.0", url="https://drs.example.org/ga4gh/drs/v1",
                         name=name, checks=list(checks), unreachable=unreachable, not_run=not_run, untested=untested)


def scorecard(*services: ServiceResult, **extra: Any) -> Scorecard:
    return Scorecard(initiative="Example National Genomics", harness_version="0.1.0", started=STARTED,
                     finished=FINISHED, services=list(services), **extra)


def waived(reason: str = "known bug") -> dict[str, Any]:
    return {"reason": reason, "expires": "2099-01-01", "status": "waived"}


# -- utc_stamp -----------------------------------------------------------------------------------------------


def test_utc_stamp_is_to_the_second_in_utc_with_z() -> None:
    assert utc_stamp(STARTED) == "2026-11-24T10:00:00Z"
    assert utc_stamp(FINISHED) == "2026-11-24T10:01:12Z"  # 11:01 at +01:00, microseconds dropped


# -- aggregate -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outcomes, expected", [
    (["passed"], "passed"),
    (["skipped"], "skipped"),
    (["passed", "skipped"], "passed"),
    (["skipped", "passed", "error"], "error"),  # an error hides a pass
    (["passed", "error", "failed"], "failed"),  # a failure anywhere fails the check
    (["error", "failed", "skipped"], "failed"),
    (["failed", "failed"], "failed"),
])
def test_aggregate_precedence(outcomes: list[str], expected: str) -> None:
    result = aggregate("drs.object.x", "MUST", "DRS §1", "req", [case(o, o) for o in outcomes])
    assert result.outcome == expected


def test_aggregate_keeps_the_check_metadata_and_the_cases() -> None:
    cases = [case("passed"), case("failed", "bad size")]
    result = aggregate("drs.object.x", "SHOULD", "DRS 1.4.0 §Objects", "the size is right", iter(cases))
    assert (result.id, result.level, result.citation, result.requirement) == \
           ("drs.object.x", "SHOULD", "DRS 1.4.0 §Objects", "the size is right")
    assert result.cases == cases
    assert result.expected_failure is None


def test_aggregate_message_of_a_single_bad_case_is_that_case_message() -> None:
    result = aggregate("c.x", "MUST", "c", "r", [case("passed", "fine"), case("failed", "size 3, not 4"),
                                                   case("error", "timeout")])
    assert result.message == "size 3, not 4"


def test_aggregate_message_counts_the_bad_cases() -> None:
    cases = [case("failed", "first failure"), case("passed"), case("failed", "second failure")]
    result = aggregate("c.x", "MUST", "c", "r", cases)
    assert result.message == "first failure (2 of 3 cases failed)"


def test_aggregate_message_counts_errors_too() -> None:
    cases = [case("error", "timeout"), case("error", "reset"), case("error", "refused"), case("skipped", "n/a")]
    result = aggregate("c.x", "MUST", "c", "r", cases)
    assert result.outcome == "error"
    assert result.message == "timeout (3 of 4 cases error)"


def test_aggregate_skipped_check_keeps_the_first_reason() -> None:
    result = aggregate("c.x", "MUST", "c", "r", [case("skipped", "version 1.0 excluded"), case("skipped", "other")])
    assert result.outcome == "skipped"
    assert result.message == "version 1.0 excluded"


def test_aggregate_limit_is_the_first_case_limit() -> None:
    cases = [case("passed"), case("error", "budget", limit="max_requests"), case("error", "t", limit="max_seconds")]
    assert aggregate("c.x", "MUST", "c", "r", cases).limit == "max_requests"
    assert aggregate("c.x", "MUST", "c", "r", [case("passed")]).limit is None


# -- CheckResult ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level, outcome, warning", [
    ("MUST", "failed", False),
    ("SHOULD", "failed", True),
    ("MAY", "failed", True),
    ("SHOULD", "passed", False),
    ("SHOULD", "error", False),
    ("MAY", "skipped", False),
])
def test_warning_is_a_failed_should_or_may(level: str, outcome: str, warning: bool) -> None:
    assert check(outcome, level).warning is warning


@pytest.mark.parametrize("expected_failure, is_waived", [
    (None, False),
    ({"reason": "r", "expires": "2099-01-01", "status": "waived"}, True),
    ({"reason": "r", "expires": "2020-01-01", "status": "expired"}, False),
    ({"reason": "r", "expires": "2099-01-01", "status": "no-longer-fails"}, False),
    ({"reason": "r", "expires": "2099-01-01", "status": "not-decided"}, False),
])
def test_waived_only_with_status_waived(expected_failure: dict[str, Any] | None, is_waived: bool) -> None:
    assert check("failed", expected_failure=expected_failure).waived is is_waived


def test_check_to_dict_minimal() -> None:
    result = check("passed")
    result.cases = [case("passed", nodeid="n1", case_name="obj-1")]
    data = result.to_dict()
    assert data == {
        "id": "drs.object.x", "level": "MUST", "outcome": "passed", "citation": "DRS 1.4.0 §Objects",
        "message": "", "requirement": "a requirement",
        "cases": [{"nodeid": "n1", "case": "obj-1", "outcome": "passed", "message": "", "evidence": [],
                   "duration": 0.0, "limit": None, "started": "", "finished": ""}],
    }
    assert "limit" not in data and "expected_failure" not in data


def test_check_to_dict_with_limit_and_expected_failure() -> None:
    result = check("failed", "SHOULD", message="m", expected_failure=waived())
    result.limit = "max_requests"
    data = result.to_dict()
    assert data["limit"] == "max_requests"
    assert data["expected_failure"] == waived()
    assert data["cases"] == []
    json.dumps(data)  # serialisable


# -- ServiceResult.counts ------------------------------------------------------------------------------------


def test_counts() -> None:
    result = service(check("passed"), check("passed"), check("failed"), check("skipped"), check("error"),
                     check("failed", "SHOULD"), check("failed", "MAY"), check("passed", "SHOULD"),
                     check("skipped", "SHOULD"))
    assert result.counts() == {"passed": 3, "failed": 3, "error": 1, "skipped": 2, "warnings": 2,
                               "must_total": 4, "must_passed": 2, "consequences": 0, "not_applicable": 0,
                               "undecided": 2, "schemas_not_checked": 0}


def test_counts_of_an_empty_service() -> None:
    assert service().counts() == {**dict.fromkeys(OUTCOMES, 0), "warnings": 0, "must_total": 0, "must_passed": 0,
                                  "consequences": 0, "not_applicable": 0, "undecided": 0,
                                  "schemas_not_checked": 0}


def skipped(kind: str | None, level: str = "MUST", *, schemas: bool = False) -> CheckResult:
    result = check("skipped", level)
    result.skip_kind, result.schemas_missing = kind, schemas
    return result


def test_counts_split_skips_into_not_applicable_and_undecided() -> None:
    counts = service(check("passed"), skipped(NOT_APPLICABLE), skipped(UNDECIDED), skipped(None),
                     skipped(UNDECIDED, schemas=True)).counts()
    assert (counts["skipped"], counts["not_applicable"], counts["undecided"]) == (4, 1, 3)
    assert counts["schemas_not_checked"] == 1


def test_a_must_check_skipped_for_want_of_schemas_is_not_met() -> None:
    """Issue 21.3: the score does not count schema checks that never ran as met, nor as absent."""
    counts = service(check("passed"), skipped(UNDECIDED, schemas=True), skipped(NOT_APPLICABLE)).counts()
    assert (counts["must_passed"], counts["must_total"]) == (1, 2)


def test_schemas_not_checked_is_not_conformant() -> None:
    result = service(check("passed"), skipped(UNDECIDED, schemas=True))
    assert result.schemas_not_checked and result.verdict() == INCOMPLETE
    assert result.to_dict()["schemas_not_checked"] is True
    card = scorecard(result)
    assert card.headline() == "incomplete (schemas not checked)" and card.exit_code() == 2
    assert card.to_dict()["schemas_not_checked"] is True
    # a SHOULD schema check skipped does not decide the verdict; a failed MUST still says non-conformant
    assert service(check("passed"), skipped(UNDECIDED, "SHOULD", schemas=True)).verdict() == CONFORMANT
    assert service(check("failed"), skipped(UNDECIDED, schemas=True)).verdict() == NON_CONFORMANT


def test_an_interrupted_service_is_never_conformant() -> None:
    """Issue 21.2: Ctrl-C after the last check still leaves no "conformant" behind."""
    result = service(check("passed"))
    result.interrupted = True
    assert result.verdict() == INCOMPLETE and result.to_dict()["interrupted"] is True
    card = scorecard(result, interrupted=True)
    assert card.headline() == "incomplete (interrupted)" and card.exit_code() == 2


def test_a_run_of_selected_checks_says_so_in_its_headline() -> None:
    card = scorecard(service(check("passed")))
    card.selection = {"standards": None, "checks": ["drs.object.checksum-matches-bytes"]}
    assert card.headline() == "conformant (only the 1 selected check)" and card.exit_code() == 0
    card.selection = {"standards": None, "checks": ["a.b", "c.d"]}
    assert card.headline() == "conformant (only the 2 selected checks)"


def test_aggregate_skip_kind_is_undecided_when_any_case_is() -> None:
    def skip(kind: str | None, *, schemas: bool = False) -> CaseResult:
        result = case("skipped", "why")
        result.skip_kind, result.schemas_missing = kind, schemas
        return result

    assert aggregate("a.b", "MUST", "c", "r", [skip(NOT_APPLICABLE), skip(NOT_APPLICABLE)]).skip_kind == NOT_APPLICABLE
    assert aggregate("a.b", "MUST", "c", "r", [skip(NOT_APPLICABLE), skip(UNDECIDED)]).skip_kind == UNDECIDED
    mixed = aggregate("a.b", "MUST", "c", "r", [skip(UNDECIDED), skip(UNDECIDED, schemas=True)])
    assert mixed.schemas_missing
    data = mixed.to_dict()
    assert data["skip_kind"] == UNDECIDED and {c["skip_kind"] for c in data["cases"]} == {UNDECIDED}
    assert "schemas_missing" not in data["cases"][0]
    assert "skip_kind" not in check("passed").to_dict()


# -- the verdict (ARCHITECTURE.md "Outcomes") ----------------------------------------------------------------


@pytest.mark.parametrize("checks, not_run, expected", [
    # conformant: every MUST check that ran passed, and at least one did
    ([("passed", "MUST")], 0, CONFORMANT),
    ([("passed", "MUST"), ("skipped", "MUST")], 0, CONFORMANT),
    # SHOULD and MAY failures are warnings, never non-conformance
    ([("passed", "MUST"), ("failed", "SHOULD"), ("failed", "MAY")], 0, CONFORMANT),
    # a SHOULD that errored does not make the service incomplete
    ([("passed", "MUST"), ("error", "SHOULD")], 0, CONFORMANT),
    # non-conformant: a MUST failed, whatever else happened
    ([("failed", "MUST")], 0, NON_CONFORMANT),
    ([("passed", "MUST"), ("error", "MUST"), ("failed", "MUST")], 0, NON_CONFORMANT),
    ([("failed", "MUST")], 3, NON_CONFORMANT),
    # incomplete: no MUST failed, but a MUST errored
    ([("passed", "MUST"), ("error", "MUST")], 0, INCOMPLETE),
    # incomplete: a check did not run
    ([("passed", "MUST")], 1, INCOMPLETE),
    # incomplete: no MUST check was decided
    ([], 0, INCOMPLETE),
    ([("skipped", "MUST"), ("skipped", "MUST")], 0, INCOMPLETE),
    ([("passed", "SHOULD"), ("passed", "MAY")], 0, INCOMPLETE),
])
def test_verdict(checks: list[tuple[str, str]], not_run: int, expected: str) -> None:
    result = service(*(check(outcome, level) for outcome, level in checks), not_run=not_run)
    assert result.verdict() == expected
    assert result.verdict(waive=True) == expected  # nothing is waived here


def test_unreachable_beats_every_other_verdict() -> None:
    assert service(unreachable="connection refused").verdict() == UNREACHABLE
    assert service(check("failed"), check("error"), unreachable="timed out").verdict() == UNREACHABLE
    assert service(check("passed"), unreachable="dns").verdict(waive=True) == UNREACHABLE


def test_an_untested_service_is_incomplete_but_a_failure_still_counts() -> None:
    """Its entry names none of its suite's test data (Suite.test_data): never conformant, whatever passed,
    and not even with every failure waived; a MUST that failed still makes it non-conformant."""
    why = "the profile names no objects for it"
    assert service(check("passed"), untested=why).verdict() == INCOMPLETE
    assert service(check("passed"), untested=why).to_dict()["untested"] == why
    assert service(check("failed", expected_failure=waived()), check("passed"), untested=why).verdict(
        waive=True) == INCOMPLETE
    assert service(check("failed"), untested=why).verdict() == NON_CONFORMANT


def test_waived_failure_counts_only_with_waive() -> None:
    result = service(check("passed", check_id="drs.a.ok"), check("failed", check_id="drs.a.bad",
                                                                  expected_failure=waived()))
    assert result.verdict() == NON_CONFORMANT  # the scorecard keeps the true verdict
    assert result.verdict(waive=True) == CONFORMANT  # the exit code follows this one


def test_waive_only_applies_to_status_waived() -> None:
    expired = {"reason": "r", "expires": "2020-01-01", "status": "expired"}
    result = service(check("passed"), check("failed", expected_failure=expired))
    assert result.verdict(waive=True) == NON_CONFORMANT


def test_waived_failure_alone_is_no_ground_for_conformant() -> None:
    assert service(check("failed", expected_failure=waived())).verdict(waive=True) == INCOMPLETE


def test_verdict_compares_levels_by_value() -> None:
    assert service(check("failed", Level.MUST.value)).verdict() == NON_CONFORMANT
    assert service(check("failed", Level.SHOULD.value), check("passed", Level.MUST.value)).verdict() == CONFORMANT


def test_service_to_dict() -> None:
    result = service(check("passed"), check("failed", "SHOULD", check_id="drs.b.y"), name="Main DRS")
    data = result.to_dict()
    assert data["key"] == "drs" and data["standard"] == "drs" and data["version"] == "1.4.0"
    assert data["url"] == "https://drs.example.org/ga4gh/drs/v1"
    assert data["name"] == "Main DRS"
    assert data["verdict"] == CONFORMANT and data["verdict_with_expected_failures"] == CONFORMANT
    assert data["summary"] == result.counts()
    assert [c["id"] for c in data["checks"]] == ["drs.object.x", "drs.b.y"]
    assert "unreachable" not in data and "not_run" not in data
    # a failed SHOULD keeps outcome "failed" with its level (DESIGN §5)
    assert data["checks"][1]["outcome"] == "failed" and data["checks"][1]["level"] == "SHOULD"


def test_service_to_dict_optional_fields() -> None:
    data = service(unreachable="connection refused", not_run=2).to_dict()
    assert data["unreachable"] == "connection refused"
    assert data["not_run"] == 2
    assert "name" not in data
    assert data["verdict"] == UNREACHABLE


# -- Scorecard: exit code, overall verdict -------------------------------------------------------------------


@pytest.mark.parametrize("services, interrupted, code", [
    ([service(check("passed"))], False, 0),
    ([service(check("passed")), service(check("passed"), key="b")], False, 0),
    ([service(check("failed"))], False, 1),
    ([service(check("failed")), service(unreachable="down", key="b")], False, 1),
    ([service(check("passed")), service(check("error"), key="b")], False, 2),
    ([service(unreachable="down")], False, 2),
    ([service(check("passed"))], True, 2),
    ([service(check("failed"))], True, 1),
    ([], False, 2),
])
def test_exit_code(services: list[ServiceResult], interrupted: bool, code: int) -> None:
    assert scorecard(*services, interrupted=interrupted).exit_code() == code


def test_exit_code_follows_the_waived_verdict() -> None:
    card = scorecard(service(check("passed", check_id="drs.a.ok"),
                             check("failed", check_id="drs.a.bad", expected_failure=waived())))
    assert card.exit_code() == 0
    assert card.overall() == NON_CONFORMANT  # the headline keeps the true verdict


@pytest.mark.parametrize("verdicts, expected", [
    ([CONFORMANT], CONFORMANT),
    ([CONFORMANT, INCOMPLETE], INCOMPLETE),
    ([INCOMPLETE, UNREACHABLE], UNREACHABLE),
    ([UNREACHABLE, NON_CONFORMANT, CONFORMANT], NON_CONFORMANT),
    ([], INCOMPLETE),
])
def test_overall_is_the_worst_service_verdict(verdicts: list[str], expected: str) -> None:
    makers = {
        CONFORMANT: lambda k: service(check("passed"), key=k),
        NON_CONFORMANT: lambda k: service(check("failed"), key=k),
        INCOMPLETE: lambda k: service(check("error"), key=k),
        UNREACHABLE: lambda k: service(unreachable="down", key=k),
    }
    services = [makers[v](f"s{i}") for i, v in enumerate(verdicts)]
    assert [s.verdict() for s in services] == verdicts
    assert scorecard(*services).overall() == expected


# -- the JSON contract (DESIGN §5) ---------------------------------------------------------------------------


def full_scorecard() -> Scorecard:
    evidence = {"curl": "curl -sS -i https://drs.example.org/ga4gh/drs/v1/objects/x", "method": "GET",
                "url": "https://drs.example.org/ga4gh/drs/v1/objects/x", "status": 500,
                "response_headers": {"Content-Type": "text/plain"}, "response_body": "oops", "error": None}
    failing_case = CaseResult(nodeid="suites/drs/check_objects.py::test_x[drs-obj1]", check_id="drs.object.x",
                              service_key="drs", case="obj1", outcome="failed", message="answered 500",
                              evidence=[evidence], duration=0.25, limit=None,
                              started="2026-11-24T10:00:01Z", finished="2026-11-24T10:00:02Z")
    failing = aggregate("drs.object.checksum-matches-bytes", "MUST", "DRS 1.4.0 §Checksums", "checksums match",
                        [failing_case])
    failing.expected_failure = {"reason": "tracked upstream", "expires": "2099-12-31", "status": "waived"}
    limited = aggregate("drs.object.size", "MUST", "DRS 1.4.0 §Objects", "size",
                        [case("error", "budget", limit="max_requests")])
    warned = aggregate("drs.service-info.type", "SHOULD", "DRS 1.4.0 §Service Info", "type",
                       [case("failed", "wrong group")])
    return scorecard(
        service(failing, limited, warned, name="Main DRS", not_run=1),
        service(key="htsget", standard="htsget", unreachable="connection refused"),
        service(check("passed", check_id="service-info.fields.required-present"), key="si",
                standard="service-info"),
        contact="ops@example.org", profile={"path": "profile.yaml", "sha256": "ab" * 32},
        suites={"drs": {"versions": ["1.4.0"], "checks": 3, "version": "x"}}, seed=1234, explore=True,
        specs={"available": False, "how_to_get": "conformance specs fetch"}, budget={"max_requests": 10},
        limits_hit=["max_requests"], requests=10, bytes_read=2048, notices=["a notice"], interrupted=False,
    )


def test_scorecard_to_dict_validates_against_the_contract_schema() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    data = full_scorecard().to_dict()
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    json.loads(json.dumps(data))  # plain JSON types only


def test_scorecard_to_dict_fields() -> None:
    card = full_scorecard()
    data = card.to_dict()
    assert data["format"] == FORMAT == "ga4gh-conformance-scorecard/1"
    assert data["initiative"] == "Example National Genomics"
    assert data["contact"] == "ops@example.org"
    assert data["harness"] == {"version": "0.1.0", "suites": {"drs": {"versions": ["1.4.0"], "checks": 3,
                                                                       "version": "x"}}}
    assert data["started"] == "2026-11-24T10:00:00Z" and data["finished"] == "2026-11-24T10:01:12Z"
    assert data["usage"] == {"requests": 10, "bytes": 2048, "limits_hit": ["max_requests"], "rate": {}}
    assert data["seed"] == 1234 and data["explore"] is True and data["interrupted"] is False
    assert data["notices"] == ["a notice"]
    assert data["verdict"] == card.overall() == NON_CONFORMANT
    assert data["exit_code"] == card.exit_code() == 2  # the failure is waived; drs is incomplete (not_run)
    by_key = {s["key"]: s for s in data["services"]}
    assert by_key["drs"]["verdict"] == NON_CONFORMANT
    assert by_key["drs"]["verdict_with_expected_failures"] == INCOMPLETE
    assert by_key["htsget"]["verdict"] == UNREACHABLE
    assert by_key["si"]["verdict"] == CONFORMANT
    checks = {c["id"]: c for c in by_key["drs"]["checks"]}
    assert checks["drs.object.size"]["limit"] == "max_requests"
    assert checks["drs.object.checksum-matches-bytes"]["expected_failure"]["status"] == "waived"
    evidence = checks["drs.object.checksum-matches-bytes"]["cases"][0]["evidence"]
    assert evidence[0]["status"] == 500
    for check_data in checks.values():
        for case_data in check_data["cases"]:
            assert "check_id" not in case_data and "service_key" not in case_data


def test_scorecard_defaults_give_a_minimal_valid_document() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    data = scorecard().to_dict()
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["services"] == [] and data["verdict"] == INCOMPLETE and data["exit_code"] == 2
    assert data["contact"] is None


# -- caused_by: one root cause, one failure (issue 19) ------------------------------------------------------


def caused(outcome: str, check_id: str, cause: str | None, level: str = "MUST") -> CheckResult:
    result = check(outcome, level, check_id=check_id)
    result.caused_by = cause
    return result


def test_aggregate_takes_the_cause_all_failed_cases_share() -> None:
    one = CaseResult("n1", "drs.object.x", "drs", "a", "failed", caused_by="drs.cause.y")
    two = CaseResult("n2", "drs.object.x", "drs", "b", "failed", caused_by="drs.cause.y")
    passed = CaseResult("n3", "drs.object.x", "drs", "c", "passed")
    assert aggregate("drs.object.x", "MUST", "c", "r", [one, two, passed]).caused_by == "drs.cause.y"


def test_aggregate_drops_the_cause_when_one_failed_case_stands_alone() -> None:
    one = CaseResult("n1", "drs.object.x", "drs", "a", "failed", caused_by="drs.cause.y")
    alone = CaseResult("n2", "drs.object.x", "drs", "b", "failed")
    assert aggregate("drs.object.x", "MUST", "c", "r", [one, alone]).caused_by is None


def test_a_consequence_links_to_its_failed_cause_and_counts_once() -> None:
    root = caused("failed", "drs.cause.root", None)
    consequences = [caused("failed", f"drs.cons.c{i}", "drs.cause.root") for i in range(4)]
    result = service(root, *consequences, check("passed", check_id="drs.other.ok"))
    link_causes(result)
    assert [c.caused_by for c in consequences] == ["drs.cause.root"] * 4
    counts = result.counts()
    assert (counts["failed"], counts["consequences"], counts["must_total"], counts["must_passed"]) == (1, 4, 2, 1)
    assert result.verdict() == NON_CONFORMANT
    document = result.to_dict()
    assert [c.get("caused_by") for c in document["checks"]] == [None, *["drs.cause.root"] * 4, None]


@pytest.mark.parametrize(("cause_outcome", "cause_level"), [
    ("passed", "MUST"), ("skipped", "MUST"), ("error", "MUST"), ("failed", "SHOULD")])
def test_a_link_to_a_cause_that_did_not_fail_at_that_level_is_dropped(cause_outcome: str, cause_level: str) -> None:
    consequence = caused("failed", "drs.cons.c", "drs.cause.root")
    result = service(caused(cause_outcome, "drs.cause.root", None, cause_level), consequence)
    link_causes(result)
    assert consequence.caused_by is None
    assert result.counts()["consequences"] == 0
    assert result.verdict() == NON_CONFORMANT  # the failure stands alone: a link never hides one


def test_a_link_to_an_unknown_check_or_itself_is_dropped() -> None:
    unknown, itself = caused("failed", "drs.cons.a", "drs.no.such"), caused("failed", "drs.cons.b", "drs.cons.b")
    result = service(unknown, itself)
    link_causes(result)
    assert (unknown.caused_by, itself.caused_by) == (None, None)


def test_a_chain_of_causes_points_at_the_first_failure() -> None:
    root = caused("failed", "drs.cause.root", None)
    middle = caused("failed", "drs.cause.middle", "drs.cause.root")
    last = caused("failed", "drs.cause.last", "drs.cause.middle", "SHOULD")
    loop_a, loop_b = caused("failed", "drs.loop.a", "drs.loop.b"), caused("failed", "drs.loop.b", "drs.loop.a")
    result = service(last, middle, root, loop_a, loop_b)
    link_causes(result)
    assert (root.caused_by, middle.caused_by, last.caused_by) == (None, "drs.cause.root", "drs.cause.root")
    assert (loop_a.caused_by, loop_b.caused_by) == (None, None)  # a cycle has no first failure


def test_a_waived_cause_waives_its_consequences() -> None:
    root = check("failed", check_id="drs.cause.root", expected_failure=waived())
    consequence = caused("failed", "drs.cons.c", "drs.cause.root")
    result = service(root, consequence, check("passed", check_id="drs.other.ok"))
    link_causes(result)
    assert result.verdict() == NON_CONFORMANT
    assert result.verdict(waive=True) == CONFORMANT


def test_caused_by_validates_against_the_contract_schema() -> None:
    root = caused("failed", "drs.cause.root", None)
    consequence = caused("failed", "drs.cons.c", "drs.cause.root")
    consequence.cases = [CaseResult("n", "drs.cons.c", "drs", None, "failed", caused_by="drs.cause.root")]
    result = service(root, consequence)
    link_causes(result)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(scorecard(result).to_dict(), schema)


# -- what a writes run created (issue 14) ---------------------------------------------------------------------


def test_created_items_are_listed_per_service_and_validate() -> None:
    from conformance.scorecard import CREATED_OUTCOMES, Created

    done, stopped, refused, left = (Created("run", "r-1"), Created("run", "r-2"), Created("run", "r-3"),
                                    Created("run", "r-4"))
    done.finished("COMPLETE")
    stopped.cancelled("CANCELING")
    refused.cancel_failed("RUNNING")
    result = service(check("passed"), key="wes", standard="wes")
    result.created = [done, stopped, refused, left]
    data = scorecard(result).to_dict()
    assert data["services"][0]["created"] == [
        {"kind": "run", "id": "r-1", "outcome": "finished", "state": "COMPLETE"},
        {"kind": "run", "id": "r-2", "outcome": "cancelled", "state": "CANCELING"},
        {"kind": "run", "id": "r-3", "outcome": "cancel-failed", "state": "RUNNING"},
        {"kind": "run", "id": "r-4", "outcome": "unsettled"},
    ]
    assert {c["outcome"] for c in data["services"][0]["created"]} == set(CREATED_OUTCOMES)
    assert not left.settled and done.settled
    jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))).validate(data)


def test_a_service_that_created_nothing_has_no_created_field() -> None:
    assert "created" not in scorecard(service(check("passed"))).to_dict()["services"][0]


def test_counts_of_one_are_singular() -> None:
    from conformance.scorecard import counted

    assert [counted(n, "warning") for n in (0, 1, 2)] == ["0 warnings", "1 warning", "2 warnings"]


def test_a_case_skipped_for_want_of_the_schemas_says_so_in_its_record() -> None:
    """The flag, not the wording of its reason, is what a reader of scorecard.json (certify) goes by."""
    skipped = case("skipped", "official GA4GH schemas not available")
    skipped.schemas_missing = True
    record = aggregate("drs.object.x", "MUST", "DRS 1.4.0 §Objects", "a requirement",
                       [skipped, case("passed", nodeid="n2")]).to_dict()
    assert [c.get("schemas_missing") for c in record["cases"]] == [True, None]
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(record, {"$defs": schema["$defs"], "$ref": "#/$defs/check"})


def test_the_initiative_id_is_written_only_when_the_profile_gives_one() -> None:
    """``initiative_id`` is a field added within format 1: a scorecard of a profile without ``id:`` is as it was."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    without = scorecard(service(check("passed"))).to_dict()
    assert "initiative_id" not in without
    data = scorecard(service(check("passed")), initiative_id="example-genomics").to_dict()
    assert data["initiative_id"] == "example-genomics"
    assert list(data)[:3] == ["format", "initiative", "initiative_id"]
    jsonschema.Draft202012Validator(schema).validate(data)
    for wrong in ("Example Genomics", "a--b", "", "a" * 65):
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors({**data, "initiative_id": wrong}))
        assert errors, wrong
