"""The pytest plugin (conformance/plugin.py): its options, how it classifies an outcome and what it
keeps as evidence, and small in-process runs against reference servers for its fixtures (the service,
its client, the version guard, per-case parametrization) and its result capture."""

from __future__ import annotations

import json
import signal
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal, cast

import pytest
import yaml

from conformance.errors import BudgetExceeded, CheckFailure, HarnessError, SpecsUnavailable
from conformance.exchange import Exchange
from conformance.http import HttpClient, RunLimits, ServiceClient
from conformance.limits import Budget
from conformance.plugin import (
    RunPlugin,
    _case_id,
    _case_label,
    _evidence,
    _longrepr,
    _unwrap_group,
)
from conformance.profile import Service, parse_profile
from conformance.redact import Redactor
from conformance.run import Run, prepare
from conformance.suite import discover
from conformance.testing import RunResult, reference_entries, run_profile

if sys.version_info >= (3, 11):
    from builtins import ExceptionGroup
else:  # pragma: no cover - the backport hypothesis brings along
    from exceptiongroup import ExceptionGroup

pytest_plugins = ["pytester"]

ARTIFACT = "service-info.type.artifact-matches-standard"
ANSWERS = "service-info.endpoint.answers-200"
KNOWN_ID = "drs.object.get-known-id-returns-200"
#: A DRS requirement of 1.4.0 and later.
BULK_LENGTH = "drs.service-info.max-bulk-request-length-present"


def si_entry(url: str | None, **extra: Any) -> dict[str, Any]:
    return {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": url, **extra}


# -- options ----------------------------------------------------------------------------------------------------


def test_the_options_and_their_defaults(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    assert config.getoption("conformance_profile") is None
    assert config.getoption("conformance_report_dir") == "reports"
    assert config.getoption("conformance_standard") == []
    assert config.getoption("conformance_check") == []
    assert config.getoption("conformance_seed") is None
    assert config.getoption("conformance_explore") is False
    assert config.getoption("specs_dir") is None


def test_the_options_are_parsed(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig("--conformance-seed", "7", "--conformance-check", "a.b", "--conformance-check",
                                  "c.d", "--conformance-standard", "drs", "--conformance-explore",
                                  "--conformance-report-dir", "out", "--specs-dir", "/specs")
    assert config.getoption("conformance_seed") == 7
    assert config.getoption("conformance_check") == ["a.b", "c.d"]
    assert config.getoption("conformance_standard") == ["drs"]
    assert config.getoption("conformance_explore") is True
    assert config.getoption("conformance_report_dir") == "out"
    assert config.getoption("specs_dir") == "/specs"


def test_a_seed_that_is_no_number_is_a_usage_error(pytester: pytest.Pytester) -> None:
    with pytest.raises(pytest.UsageError):
        pytester.parseconfig("--conformance-seed", "seven")


def test_without_a_profile_no_run_is_prepared(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfigure()
    assert not config.pluginmanager.has_plugin(RunPlugin.NAME)


def test_a_profile_prepares_a_run_with_the_options(pytester: pytest.Pytester, tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Options", "services": [si_entry("http://127.0.0.1:9")]}))
    config = pytester.parseconfigure("--conformance-profile", str(profile), "--conformance-report-dir",
                                     str(tmp_path / "r"), "--conformance-seed", "7", "--conformance-check", ARTIFACT,
                                     "--conformance-standard", "service-info")
    plugin = config.pluginmanager.get_plugin(RunPlugin.NAME)
    assert isinstance(plugin, RunPlugin) and plugin.owns_run
    run = plugin.run
    assert (run.seed, run.explore, run.selected_checks, run.standards) == (7, False, {ARTIFACT}, {"service-info"})
    assert run.run_dir.parent == tmp_path / "r" / "options"
    assert config.option.xmlpath == str(run.run_dir / "junit.xml")
    assert not config.option.htmlpath  # report.html is the harness's own page, not pytest-html's
    assert plugin.suite_dirs() == [str(discover()["service-info"].path.resolve())]


@pytest.mark.parametrize(("args", "message"), [
    (["--conformance-profile", "missing.yaml"], "missing.yaml: no such file"),
    (["--conformance-check", "no.such.check"], "--check no.such.check: no such check"),
    (["--conformance-standard", "nope"], "--standard nope: unknown standard"),
])
def test_what_the_user_must_fix_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path, args: list[str],
                                                 message: str) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Bad", "services": [si_entry("http://127.0.0.1:9")]}))
    if args[0] != "--conformance-profile":
        args = ["--conformance-profile", str(profile), *args]
    with pytest.raises(pytest.UsageError) as caught:
        pytester.parseconfigure(*args, "--conformance-report-dir", str(tmp_path / "r"))
    assert message in str(caught.value)


# -- classifying an outcome -------------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    """A prepared run of one (unreachable, never asked) service-info service."""
    profile = parse_profile({"initiative": "Unit", "services": [si_entry("http://127.0.0.1:9")]},
                            source="<test profile>", standards=discover())
    prepared = prepare(profile, report_root=tmp_path, seed=11)
    yield prepared
    prepared.close()


Classify = Callable[..., tuple[str, str, Exchange | None, str | None]]


@pytest.fixture
def classify(run: Run) -> Classify:
    plugin = RunPlugin(run)

    def outcome(exc: BaseException | None, *, when: Literal["setup", "call"] = "call", skipped: str | None = None,
                hypothesis: bool = False) -> tuple[str, str, Exchange | None, str | None]:
        def check() -> None:
            if exc is not None:
                raise exc

        call = pytest.CallInfo.from_call(check, when)
        state: Literal["passed", "failed", "skipped"] = (
            "skipped" if skipped is not None else "passed" if exc is None else "failed")
        longrepr = ("check_x.py", 3, f"Skipped: {skipped}") if skipped is not None else None
        report = pytest.TestReport("check_x.py::test_x", ("check_x.py", 3, "test_x"), {}, state, longrepr, when)
        item = SimpleNamespace(obj=SimpleNamespace(is_hypothesis_test=hypothesis))
        return plugin._classify(report, call, cast(pytest.Item, item))

    return outcome


class NotedFailure(CheckFailure):
    __notes__: list[str]


def test_a_check_that_passes_is_passed(classify: Classify) -> None:
    assert classify(None) == ("passed", "", None, None)


def test_a_passed_check_keeps_the_note_it_recorded(run: Run) -> None:
    """A passed check may leave one line of information (``record_property("note", ...)``), bounded."""
    call = pytest.CallInfo.from_call(lambda: None, "call")
    report = pytest.TestReport("check_x.py::test_x", ("check_x.py", 3, "test_x"), {}, "passed", None, "call")
    item = SimpleNamespace(obj=SimpleNamespace(is_hypothesis_test=False),
                           user_properties=[("check_id", "x.y"), ("note", "3 terms from release 2021-02-23")])
    assert RunPlugin(run)._classify(report, call, cast(pytest.Item, item)) == (
        "passed", "3 terms from release 2021-02-23", None, None)
    item.user_properties = [("note", "x" * 5000)]
    assert len(RunPlugin(run)._classify(report, call, cast(pytest.Item, item))[1]) < 5000


def test_a_skip_keeps_its_reason(classify: Classify) -> None:
    assert classify(None, skipped="the profile lists no objects") == (
        "skipped", "the profile lists no objects", None, None)


def test_a_check_failure_is_failed_with_its_evidence(classify: Classify) -> None:
    exchange = Exchange(method="GET", url="http://h/x", status=500)
    assert classify(CheckFailure("answered 500", exchange)) == ("failed", "answered 500", exchange, None)


def test_a_plain_assertion_is_failed_with_its_first_line(classify: Classify) -> None:
    assert classify(AssertionError("ids differ\nassert 1 == 2")) == ("failed", "ids differ", None, None)
    assert classify(AssertionError()) == ("failed", "assertion failed", None, None)


def test_a_harness_error_is_an_error_with_its_limit(classify: Classify) -> None:
    exchange = Exchange(method="GET", url="http://h/x", error="not sent")
    assert classify(BudgetExceeded("request budget exhausted", "max_requests", exchange)) == (
        "error", "request budget exhausted", exchange, "max_requests")
    assert classify(HarnessError("connection refused")) == ("error", "connection refused", None, None)


def test_missing_official_schemas_skip_the_check(classify: Classify) -> None:
    assert classify(SpecsUnavailable("no schemas; run `conformance specs fetch`")) == (
        "skipped", "no schemas; run `conformance specs fetch`", None, None)


def test_any_other_exception_is_an_error_of_the_harness_never_a_failure(classify: Classify) -> None:
    outcome, message, _, _ = classify(KeyError("objects"))
    assert (outcome, message) == ("error", "the harness could not complete the check (KeyError in the check: "
                                           "'objects')")
    outcome, message, _, _ = classify(TypeError("x" * 1000), when="setup")
    assert outcome == "error" and "(TypeError while setting up the check: xxx" in message
    assert len(message) == 500


def test_a_property_failure_shows_its_request_and_seed_never_hypothesis_notes(classify: Classify) -> None:
    # issue 19.11: hypothesis's notes repeat the falsifying call, fixtures and profile data included
    failure = NotedFailure("an unknown id answered 500")
    failure.__notes__ = ["Falsifying example: test_x(\n  service=Service(options={...}), id='\\x00',\n)"]
    outcome, message, _, _ = classify(failure, hypothesis=True)
    assert (outcome, message) == ("failed", "an unknown id answered 500 (reproduce with --seed 11)")
    exchange = Exchange(method="POST", url="http://h/objects/%00", request_body='{"a":\n 1}')
    failure = NotedFailure("an unknown id answered 500", exchange)
    failure.__notes__ = ["Falsifying example: test_x(id='\\x00')"]
    assert classify(failure, hypothesis=True)[1] == (
        "an unknown id answered 500 — falsifying request: POST http://h/objects/%00 {\"a\": 1} "
        "(reproduce with --seed 11)")
    assert classify(failure)[1] == "an unknown id answered 500 — Falsifying example: test_x(id='\\x00')"


def test_an_explored_property_failure_is_reproduced_with_explore(classify: Classify, run: Run) -> None:
    """--explore draws and shrinks examples another way: the seed alone would reproduce another example."""
    run.explore = True
    assert classify(NotedFailure("an unknown id answered 500"), hypothesis=True)[1] == (
        "an unknown id answered 500 (reproduce with --seed 11 --explore)")


def test_a_failure_sentence_is_bounded(classify: Classify) -> None:
    message = classify(CheckFailure("x" * 5000, Exchange(method="GET", url="http://h/" + "y" * 900)),
                       hypothesis=True)[1]
    sentence, request = message.split(" — falsifying request: ")
    assert len(sentence) == 1000 and sentence.endswith("…")
    assert len(request.removesuffix(" (reproduce with --seed 11)")) == 300


def test_the_telling_member_of_an_exception_group_decides(classify: Classify) -> None:
    group = ExceptionGroup("several", [ValueError("noise"), HarnessError("timeout"),
                                                ExceptionGroup("inner", [CheckFailure("the bug")])])
    assert classify(group)[:2] == ("failed", "the bug")


# -- helpers of the plugin --------------------------------------------------------------------------------------


def test_unwrap_group_prefers_a_failure_then_an_assertion_then_a_harness_error() -> None:
    harness, assertion, failure, other = HarnessError("h"), AssertionError("a"), CheckFailure("f"), ValueError("v")
    assert _unwrap_group(ExceptionGroup("g", [other, harness, assertion])) is assertion
    assert _unwrap_group(ExceptionGroup("g", [harness, other])) is harness
    assert _unwrap_group(ExceptionGroup("g", [other, ExceptionGroup("n", [failure])])) is failure
    assert _unwrap_group(ExceptionGroup("g", [other])) is other
    assert _unwrap_group(other) is other
    assert _unwrap_group(None) is None


def test_case_labels_and_ids() -> None:
    assert _case_label({"referenceName": "chr1", "start": 0}) == "referenceName=chr1,start=0"
    assert _case_label("blob-1") == "blob-1"
    assert _case_id("blob-1", 0) == "blob-1"
    assert _case_id("x" * 41, 3) == "case3"
    assert _case_id("line\nbreak", 2) == "case2"


def test_longrepr_shows_the_curl_the_answer_and_a_cut_body() -> None:
    answered = Exchange(method="GET", url="http://h/x", request_headers={"Authorization": "[REDACTED]"}, status=404,
                        reason="Not Found", response_headers={"Content-Type": "text/plain"},
                        response_body="b" * 2000).to_dict()
    refused = Exchange(method="GET", url="http://h/y", error="connection refused").to_dict()
    text = _longrepr("failed", "the object is missing", [answered, refused])
    lines = text.splitlines()
    assert lines[0] == "FAILED: the object is missing"
    assert lines[1:6] == ["", "Reproduce:", f"  {answered['curl']}", "  → 404", "  Content-Type: text/plain"]
    assert f"  {'b' * 1500} …" in lines
    assert lines[-3:] == ["Reproduce:", "  curl -sS -i http://h/y", "  → connection refused"]


def test_evidence_is_the_exchange_of_the_exception_or_the_clients_last() -> None:
    exchange = Exchange(method="GET", url="http://h/x", status=200)
    item = cast(pytest.Item, SimpleNamespace(funcargs={}))
    assert _evidence(exchange, item) == [exchange.to_dict()]
    assert _evidence(None, item) == []
    http = HttpClient(RunLimits(Budget()), Redactor())
    try:
        client = ServiceClient(http, Service(index=0, standard="x", version="1", url="http://h"), None)
        with_client = cast(pytest.Item, SimpleNamespace(funcargs={"client": client}))
        assert _evidence(None, with_client) == []
        first, last = Exchange(method="GET", url="http://h/1"), Exchange(method="GET", url="http://h/2")
        client.exchanges += [first, last]
        assert _evidence(None, with_client) == [last.to_dict()]
    finally:
        http.close()


# -- in-process runs --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """Two checks of the service-info reference server with one fault: one fails, one passes."""
    return run_profile({"initiative": "Plugin", "services": [
        si_entry(None, reference={"faults": ["wrong-artifact"]})]},
        tmp_path_factory.mktemp("faulty"), checks=[ARTIFACT, ANSWERS], seed=5)


def test_a_failed_check_is_captured_with_its_evidence(faulty: RunResult) -> None:
    check = faulty.check(ARTIFACT)
    assert check.outcome == "failed" and check.level == "MUST"
    case = check.cases[0]
    assert case.message.startswith("/service-info: type.artifact is 'beacon'")
    assert case.limit is None and case.case is None
    [evidence] = case.evidence
    assert evidence["status"] == 200 and evidence["curl"].startswith("curl -sS -i http://127.0.0.1:")
    assert '"artifact": "beacon"' in evidence["response_body"]
    assert case.started <= case.finished and case.duration >= 0


def test_a_passed_check_is_captured_without_evidence(faulty: RunResult) -> None:
    case = faulty.check(ANSWERS).cases[0]
    assert (case.outcome, case.message, case.evidence) == ("passed", "", [])
    assert faulty.scorecard.seed == 5


def test_the_progress_lines_name_the_outcome_the_level_and_the_message(faulty: RunResult) -> None:
    lines = faulty.output.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith("FAIL "))
    assert lines[failed].split() == ["FAIL", "MUST", "service-info-0", ARTIFACT]
    assert lines[failed + 1].strip().startswith("/service-info: type.artifact is 'beacon'")
    assert any(line.split() == ["PASS", "MUST", "service-info-0", ANSWERS] for line in lines)


def test_junit_carries_the_headline_and_the_evidence_of_a_failure(faulty: RunResult) -> None:
    root = ET.parse(faulty.run_dir / "junit.xml").getroot()
    failures = [failure.text or "" for failure in root.iter("failure")]
    assert len(failures) == 1 and len(list(root.iter("testcase"))) == 2
    assert failures[0].startswith(f"FAILED: {ARTIFACT} (MUST, service-info 1.0.0 §")
    assert "Reproduce:\n  curl -sS -i http://127.0.0.1:" in failures[0]
    assert '"artifact": "beacon"' in failures[0]


def test_junit_carries_the_check_id_level_and_outcome_of_each_check(faulty: RunResult) -> None:
    root = ET.parse(faulty.run_dir / "junit.xml").getroot()
    properties = [{p.get("name"): p.get("value") for p in case.iter("property")} for case in root.iter("testcase")]
    assert {"check_id": ARTIFACT, "level": "MUST", "outcome": "failed"} in properties
    assert {"check_id": ANSWERS, "level": "MUST", "outcome": "passed"} in properties


def test_a_session_freezes_what_it_collected_and_unfreezes_it_at_its_end(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """What exists once the checks are collected is out of the collector's reach during the checks; after the
    session the process collects as before, so runs in one process (these tests) do not pile up frozen objects."""
    import gc

    during: list[int] = []
    real_freeze = gc.freeze

    def freeze() -> None:
        real_freeze()
        during.append(gc.get_freeze_count())

    monkeypatch.setattr(gc, "freeze", freeze)
    assert gc.get_freeze_count() == 0
    result = run_profile({"initiative": "Frozen", "services": [si_entry(None, reference=True)]}, tmp_path,
                         checks=[ANSWERS])
    assert result.check(ANSWERS).outcome == "passed"
    assert len(during) == 1 and during[0] > 0
    assert gc.get_freeze_count() == 0


GROUP = "service-info.type.group-is-org-ga4gh"  # a SHOULD


@pytest.mark.parametrize("jobs", [1, 2])
def test_junit_writes_a_failure_that_does_not_fail_the_run_as_a_skipped_case_saying_why(tmp_path: Path,
                                                                                        jobs: int) -> None:
    """A failed SHOULD (a warning) and a MUST failure the profile waives until a date do not fail the run:
    junit.xml says so (a skipped case with the reason), so that CI systems reading it agree with the exit
    code; a MUST failure stays a failure. Alike in one process and in workers (their junit.xml merged)."""
    services = [si_entry(None, reference={"faults": ["custom-group", "wrong-artifact"]}),
                si_entry(None, reference={"faults": ["wrong-artifact"]})]
    result = run_profile({"initiative": "Soft", "services": services, "expected_failures": [
        {"check": ARTIFACT, "service": "service-info-0", "reason": "known", "expires": "2099-01-01"}]},
        tmp_path, checks=[GROUP, ARTIFACT], jobs=jobs)
    root = ET.parse(result.run_dir / "junit.xml").getroot()
    cases = {(props["check_id"], case.get("name", "").rsplit("[", 1)[-1].rstrip("]")): case
             for case in root.iter("testcase")
             for props in [{p.get("name"): p.get("value") for p in case.iter("property")}]}
    warning = cases[(GROUP, "service-info-0")]
    assert warning.find("failure") is None
    skipped = warning.find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith(
        f"warning: a SHOULD requirement not met (never non-conformance): FAILED: {GROUP} (SHOULD,")
    assert "Reproduce:" in (skipped.text or "")
    waived = cases[(ARTIFACT, "service-info-0")].find("skipped")
    assert waived is not None and waived.get("message", "").startswith(
        "an expected failure, waived until 2099-01-01 by the profile's expected_failures: FAILED: ")
    assert cases[(ARTIFACT, "service-info-1")].find("failure") is not None
    assert {p.get("value") for p in cases[(ARTIFACT, "service-info-0")].iter("property")
            if p.get("name") == "outcome"} == {"failed"}
    suite = root.find("testsuite")
    assert suite is not None and (suite.get("failures"), suite.get("skipped")) == ("1", "2")


def test_a_spent_budget_is_an_error_that_names_its_limit(tmp_path: Path) -> None:
    """The probe takes the one request allowed; the check is stopped by the budget, never failed."""
    result = run_profile({"initiative": "Spent", "services": [si_entry(None, reference=True)],
                          "budget": {"max_requests": 1, "requests_per_second": 500}}, tmp_path, checks=[ARTIFACT])
    case = result.check(ARTIFACT).cases[0]
    assert (case.outcome, case.limit) == ("error", "max_requests")
    assert case.message == "request budget exhausted (max_requests=1)"
    assert result.scorecard.limits_hit == ["max_requests"]
    assert result.scorecard.services[0].verdict() == "incomplete"


def test_a_check_that_raised_is_reported_without_rendering_its_traceback(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest's rendering of a traceback parses every frame's source file; the harness writes a failed or erred
    check's report itself, so a failure (in the call) and an error (the budget, in the set-up) render none."""
    rendered: list[str] = []
    getrepr = pytest.ExceptionInfo.getrepr

    def counted(self: pytest.ExceptionInfo[BaseException], *args: Any, **kwargs: Any) -> Any:
        rendered.append(type(self.value).__name__)
        return getrepr(self, *args, **kwargs)

    monkeypatch.setattr(pytest.ExceptionInfo, "getrepr", counted)
    failed = run_profile({"initiative": "Plugin", "services": [
        si_entry(None, reference={"faults": ["wrong-artifact"]})]}, tmp_path / "failed", checks=[ARTIFACT])
    spent = run_profile({"initiative": "Spent", "services": [si_entry(None, reference=True)],
                         "budget": {"max_requests": 1, "requests_per_second": 500}}, tmp_path / "spent",
                        checks=[ARTIFACT, ANSWERS])
    assert failed.check(ARTIFACT).outcome == "failed"
    assert failed.check(ARTIFACT).cases[0].message.startswith("/service-info: type.artifact is 'beacon'")
    assert {spent.check(c).outcome for c in (ARTIFACT, ANSWERS)} == {"error"}
    assert rendered == []


def test_checks_run_per_case_and_skip_what_the_version_or_the_profile_lacks(tmp_path: Path) -> None:
    listed, unlisted = reference_entries("drs", version="1.2.0") * 2
    listed = {**listed, "objects": ["blob-1", "no-such-object"]}
    unlisted = {key: value for key, value in unlisted.items() if key != "objects"}
    result = run_profile({"initiative": "Cases", "services": [listed, unlisted]}, tmp_path,
                         checks=[KNOWN_ID, BULK_LENGTH])
    cases = {case.case: case for case in result.check(KNOWN_ID, "drs-0").cases}
    assert cases["blob-1"].outcome == "passed"
    assert cases["no-such-object"].outcome == "failed"
    assert cases["no-such-object"].message == "GET of listed object 'no-such-object' answered 404, not 200"
    assert cases["no-such-object"].evidence[0]["status"] == 404
    unlisted_case = result.check(KNOWN_ID, "drs-1").cases[0]
    assert (unlisted_case.outcome, unlisted_case.message) == ("skipped", "the profile lists no objects for drs-1")
    for key in ("drs-0", "drs-1"):
        skipped = result.check(BULK_LENGTH, key).cases[0]
        assert (skipped.outcome, skipped.message) == ("skipped", "not a requirement of drs 1.2.0 (applies to "
                                                                 ">=1.4.0)")
        assert skipped.skip_kind == "not-applicable"  # issue 21.12
    assert unlisted_case.skip_kind == "undecided"  # the profile gave no data: the harness could not tell


# -- plugin mode behaves like pytest (issue 21.14) ---------------------------------------------------------------


@pytest.fixture
def plain_profile(tmp_path: Path) -> Path:
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Plain", "services": [{**si_entry(None), "reference": True}]}))
    return profile


def plugin_run(pytester: pytest.Pytester, profile: Path, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "--conformance-profile", str(profile),
                                         "--conformance-report-dir", str(pytester.path / "r"), *args)


def report_files(pytester: pytest.Pytester) -> list[str]:
    return sorted(p.name for p in (pytester.path / "r").rglob("*") if p.is_file())


def test_the_users_junitxml_and_html_paths_are_honoured(pytester: pytest.Pytester, plain_profile: Path) -> None:
    result = plugin_run(pytester, plain_profile, f"--junitxml={pytester.path / 'mine.xml'}",
                        f"--html={pytester.path / 'mine.html'}")
    assert result.ret == 0, result.stdout.str()
    assert (pytester.path / "mine.xml").is_file() and (pytester.path / "mine.html").is_file()
    assert "junit.xml" not in report_files(pytester)
    # the run directory keeps the harness's own page; pytest-html wrote only where the user asked
    assert {"scorecard.json", "report.html"} <= set(report_files(pytester))
    page = next((pytester.path / "r").rglob("report.html")).read_text()
    assert "GA4GH conformance" in page and "pytest-html" not in page


@pytest.mark.parametrize("args", [["--collect-only"], ["-k", "no-check-is-called-this"]])
def test_a_session_that_runs_no_check_writes_no_report(pytester: pytest.Pytester, plain_profile: Path,
                                                       args: list[str]) -> None:
    result = plugin_run(pytester, plain_profile, *args)
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED), result.stdout.str()
    assert report_files(pytester) == []


def test_a_check_id_selects_with_k(pytester: pytest.Pytester, plain_profile: Path) -> None:
    result = plugin_run(pytester, plain_profile, "-k", ANSWERS, "-q")
    result.assert_outcomes(passed=1)
    card = json.loads(next((pytester.path / "r").rglob("scorecard.json")).read_text())
    assert [c["id"] for c in card["services"][0]["checks"]] == [ANSWERS]
    assert "not_run" not in card["services"][0]  # deselected is not "did not run"


def test_plugin_mode_prints_no_deprecation_warning(pytester: pytest.Pytester, plain_profile: Path) -> None:
    result = plugin_run(pytester, plain_profile, "-q")
    assert result.ret == 0, result.stdout.str()
    assert "PytestRemovedIn10Warning" not in result.stdout.str()
    assert "warning" not in result.stdout.str().splitlines()[-1]


# -- a Ctrl-C while pytest writes junit.xml ---------------------------------------------------------------------

JUNIT_INTERRUPTED = """
import signal

from _pytest.junitxml import LogXML

written = LogXML.pytest_sessionfinish


def interrupted_first(self):
    signal.raise_signal(signal.SIGNAL)  # as pytest starts writing junit.xml
    written(self)


LogXML.pytest_sessionfinish = interrupted_first
"""


def assert_whole_and_interrupted(run_dir: Path) -> None:
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith(".")]  # no temporary file left
    suites = ET.parse(run_dir / "junit.xml").getroot().iter("testsuite")
    assert all({p.get("name"): p.get("value") for p in suite.iter("property")}.get("interrupted") == "true"
               for suite in suites)
    card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    assert card["interrupted"] is True and card["exit_code"] != 0


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_ctrl_c_while_pytest_writes_junit_xml_waits_for_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    signame: str) -> None:
    """pytest writes junit.xml in place: the signal is delivered once it is whole, and the run's reports are
    written again, saying interrupted."""
    from _pytest.junitxml import LogXML

    written = LogXML.pytest_sessionfinish

    def interrupted_first(self: LogXML) -> None:
        signal.raise_signal(getattr(signal, signame))  # as pytest starts writing junit.xml
        written(self)

    monkeypatch.setattr(LogXML, "pytest_sessionfinish", interrupted_first)
    result = run_profile({"initiative": "Plain", "services": [{**si_entry(None), "reference": True}]}, tmp_path)
    assert result.scorecard.interrupted and result.exit_code != 0
    assert_whole_and_interrupted(result.run_dir)


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_plugin_mode_writes_the_reports_of_a_run_interrupted_at_its_end(pytester: pytest.Pytester,
                                                                        plain_profile: Path, signame: str) -> None:
    """SIGTERM too: pytest leaves it to its default action, which would end the process before the run says
    it was interrupted."""
    pytester.makeconftest(JUNIT_INTERRUPTED.replace("SIGNAL", signame))
    result = plugin_run(pytester, plain_profile, "-q")
    assert result.ret not in (0, 1), result.stdout.str()
    (run_dir,) = [p.parent for p in (pytester.path / "r").rglob("scorecard.json")]
    assert_whole_and_interrupted(run_dir)


def test_generated_values_draw_no_literal_of_the_harness() -> None:
    """Issue 19.13: hypothesis pools literals of every local module loaded so far into generated values, so
    what a run loaded decided what it asked (a Beacon literal as a sequence-collection digest in some runs).
    During a run the pool is empty; afterwards hypothesis has its own back."""
    from hypothesis.internal.conjecture import providers

    from conformance.plugin import _without_harness_constants

    original, cache = providers._get_local_constants, providers.CONSTANTS_CACHE
    restore = _without_harness_constants()
    try:
        assert not providers._get_local_constants().strings
        assert providers.CONSTANTS_CACHE is not cache
    finally:
        restore()
    assert providers._get_local_constants is original and providers.CONSTANTS_CACHE is cache


def test_a_property_check_imported_before_the_run_gets_the_runs_settings(tmp_path: Path) -> None:
    """@given keeps the settings current at import: a suite imported earlier in the process (a test
    session, a previous run) must not keep hypothesis's 200 ms deadline or another run's max_examples."""
    from conformance_suites.drs import check_errors
    from hypothesis import settings

    function = check_errors.test_unknown_ids_are_404_with_error
    function._hypothesis_internal_use_settings = settings(deadline=200, max_examples=100)
    entries = reference_entries("drs")
    result = run_profile({"initiative": "Settings", "services": entries,
                          "budget": {"max_examples": 3, "requests_per_second": 500}},
                         tmp_path, checks=["drs.object.unknown-id-is-404"])
    assert result.outcome("drs.object.unknown-id-is-404") == "passed", result.output
    used = function._hypothesis_internal_use_settings
    assert used.deadline is None and used.max_examples == 3


def test_hypothesis_storage_is_the_user_cache_during_a_run_and_as_before_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The place is set for the run and put back as it was, unchosen included: a later run in the process
    that names HYPOTHESIS_STORAGE_DIRECTORY gets it."""
    from hypothesis import configuration

    from conformance.plugin import hypothesis_storage

    def setting() -> Path | None:
        value: Path | None = vars(configuration)["__hypothesis_home_directory"]
        return value

    monkeypatch.setattr(configuration, "__hypothesis_home_directory", None)
    monkeypatch.delenv("HYPOTHESIS_STORAGE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with hypothesis_storage():
        assert setting() == tmp_path / "ga4gh-conformance" / "hypothesis"
    assert setting() is None  # not chosen: hypothesis still chooses on first use
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(tmp_path / "mine"))
    with hypothesis_storage():  # the user's choice wins
        assert setting() is None
    chosen = configuration.storage_directory("x", intent_to_write=False)
    assert getattr(chosen, "path", chosen) == tmp_path / "mine" / "x"
