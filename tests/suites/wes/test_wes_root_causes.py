"""One root cause, one failure: a run state outside the version's State enum is wes.run.state-in-enum's finding;
the schema checks and the state machine that see the same state declare their failure a consequence of it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.wes import view
from conformance_suites.wes.reference.app import Run, WesApp

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile

STATE_CHECKS = ["wes.run.state-in-enum", "wes.schema.run-list-valid", "wes.schema.run-log-valid",
                "wes.state.terminal-states-never-change"]


def _run(app: WesApp, report_root: Path, specs_dir: str | None) -> RunResult:
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"}}
        return run_profile({"initiative": "wes root causes", "services": [entry]}, report_root, specs_dir=specs_dir,
                           checks=STATE_CHECKS, environ={"WES_TOKEN": app.token})


def test_a_state_outside_the_enum_fails_once_in_the_schema_checks(report_root: Path, requires_specs: str) -> None:
    """Fault run-state-invalid: run-02 is SUCCEEDED in the list and its RunLog. The schemas refuse the state
    too; that is the same finding, counted under wes.run.state-in-enum."""
    result = _run(WesApp(version="1.1.0", faults={"run-state-invalid"}), report_root, requires_specs)
    assert result.outcome("wes.run.state-in-enum") == "failed", result.output
    for check_id in ("wes.schema.run-list-valid", "wes.schema.run-log-valid"):
        check = result.check(check_id)
        assert check.outcome == "failed" and check.caused_by == "wes.run.state-in-enum", (check_id, check)


class DeletedAfterListing(WesApp):
    """A WES (as Sapporo 2 does) that lists a run from a snapshot as COMPLETE while its RunLog and status report
    DELETED, a state of its own beyond the WES State enum, once the run is deleted."""

    def shown_state(self, run: Run, state: str) -> str:
        return "DELETED" if run.run_id == "run-01" else super().shown_state(run, state)

    def summary(self, run: Run) -> dict[str, Any]:
        item: dict[str, Any] = super().summary(run)
        if run.run_id == "run-01":
            item["state"] = "COMPLETE"
        return item


def test_a_terminal_run_later_outside_the_enum_is_a_consequence(report_root: Path, requires_specs: str) -> None:
    result = _run(DeletedAfterListing(version="1.1.0"), report_root, requires_specs)
    assert result.outcome("wes.run.state-in-enum") == "failed", result.output
    check = result.check("wes.state.terminal-states-never-change")
    assert check.outcome == "failed" and check.caused_by == "wes.run.state-in-enum", check
    log = result.check("wes.schema.run-log-valid")
    assert log.outcome == "failed" and log.caused_by == "wes.run.state-in-enum", log
    assert result.check("wes.schema.run-list-valid").outcome == "passed"


def test_a_list_longer_than_the_walk_is_not_blamed_on_paging(report_root: Path, requires_specs: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A run list of more pages than the suite walks (MAX_PAGES) is no paging defect: the checks that need the
    whole list say so, not "see wes.runs.paging-no-duplicates", which passes."""
    monkeypatch.setattr(view, "MAX_PAGES", 2)  # the reference lists nine runs, three a page
    app = WesApp(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"}}
        result = run_profile({"initiative": "wes long list", "services": [entry]}, report_root,
                             specs_dir=requires_specs, environ={"WES_TOKEN": app.token},
                             checks=["wes.runs.paging-no-duplicates",
                                     "wes.service-info.state-counts-cover-listed-runs"])
    assert result.outcome("wes.runs.paging-no-duplicates") == "passed", result.output
    check = result.check("wes.service-info.state-counts-cover-listed-runs")
    assert check.outcome == "skipped" and "more than 2 pages" in check.message, check.message
    assert "paging-no-duplicates" not in check.message, check.message


class AllRunningUntimed(WesApp):
    """A WES whose runs are all RUNNING and whose logs give no start_time or end_time (both optional)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for run in self.runs.values():
            run.trajectory = ["RUNNING"]

    def handle(self, request: Request) -> Reply:
        reply: Reply = super().handle(request)
        if reply.headers.get("Content-Type", "").startswith("application/json") and reply.body:
            reply.body = json.dumps(_untimed(json.loads(reply.body))).encode()
        return reply


def _untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in ("start_time", "end_time")}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


VACUOUS = ["wes.run.timestamps-iso8601", "wes.run.timestamps-ordered", "wes.state.terminal-states-never-change",
           "wes.runs.paging-no-lost-runs", "wes.service-info.state-counts-cover-listed-runs"]


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_checks_with_nothing_to_judge_skip_rather_than_pass(version: str, report_root: Path,
                                                            requires_specs: str) -> None:
    """No timestamp given, no run in a terminal state: these checks judged nothing, and say so."""
    app = AllRunningUntimed(version=version)
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": version, "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"}}
        result = run_profile({"initiative": "wes nothing to judge", "services": [entry]}, report_root,
                             specs_dir=requires_specs, environ={"WES_TOKEN": app.token}, checks=VACUOUS)
    for check_id in VACUOUS:
        assert result.outcome(check_id) == "skipped", (check_id, result.check(check_id).message)


class DeletedBeforeReadById(WesApp):
    """A WES whose run-03 is deleted (by its owner, by a retention policy) between the suite's listing and its
    read of that run: from then on it is neither listed nor found."""

    deleted = False

    def find(self, request: Request) -> Any:
        if request.params["run_id"] == "run-03" and not self.deleted:
            self.deleted = True
            del self.runs["run-03"]
        return super().find(request)


def test_a_listed_run_deleted_before_its_read_is_not_failed(report_root: Path, requires_specs: str) -> None:
    app = DeletedBeforeReadById(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"}}
        result = run_profile({"initiative": "wes deleted run", "services": [entry]}, report_root,
                             specs_dir=requires_specs, environ={"WES_TOKEN": app.token},
                             checks=["wes.run.log-answers-200"])
    assert app.deleted
    check = result.check("wes.run.log-answers-200")
    assert check.outcome == "passed", check.message


class DeletedBeforeItsTasks(WesApp):
    """A WES whose run-03 is deleted after the suite read its RunLog and before it lists its tasks."""

    deleted = False

    def find(self, request: Request) -> Any:
        if request.params["run_id"] == "run-03" and request.path.endswith("/tasks") and not self.deleted:
            self.deleted = True
            del self.runs["run-03"]
        return super().find(request)


def test_a_run_deleted_before_its_tasks_are_listed_is_not_failed(report_root: Path, requires_specs: str) -> None:
    app = DeletedBeforeItsTasks(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"}}
        result = run_profile({"initiative": "wes deleted run", "services": [entry]}, report_root,
                             specs_dir=requires_specs, environ={"WES_TOKEN": app.token},
                             checks=["wes.tasks.list-answers-200", "wes.run.task-logs-url-resolves"])
    assert app.deleted
    for check_id in ("wes.tasks.list-answers-200", "wes.run.task-logs-url-resolves"):
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)


class StatusSometimesUnknown(WesApp):
    """A WES whose quick status endpoint answers UNKNOWN ("The state of the task is unknown", a safe default) when
    its cache does not hold the run, while the RunLog reads the state from the engine."""

    @route("GET", "/runs/{run_id}/status")
    def run_status(self, request: Request) -> Reply:
        reply: Reply = super().run_status(request)
        body = json.loads(reply.body)
        if reply.status == 200 and body.get("run_id") == "run-01":
            body["state"] = "UNKNOWN"
        return json_reply(body, reply.status)


def test_a_status_that_says_unknown_does_not_disagree(report_root: Path, requires_specs: str) -> None:
    app = StatusSometimesUnknown(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"},
                 "runs": ["run-01"]}
        result = run_profile({"initiative": "wes unknown status", "services": [entry]}, report_root,
                             specs_dir=requires_specs, environ={"WES_TOKEN": app.token},
                             checks=["wes.run.status-agrees-with-log"])
    check = result.check("wes.run.status-agrees-with-log")
    assert check.outcome == "passed", check.message


def test_a_state_count_keyed_by_a_listed_state_outside_the_enum_is_a_consequence(report_root: Path,
                                                                                 requires_specs: str) -> None:
    """WES 1.0.0, fault run-state-invalid: run-02 is SUCCEEDED, and system_state_counts counts it under that key:
    one finding, wes.run.state-in-enum's."""
    app = WesApp(version="1.0.0", faults={"run-state-invalid"})
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.0.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"}}
        result = run_profile({"initiative": "wes counts", "services": [entry]}, report_root, specs_dir=requires_specs,
                             environ={"WES_TOKEN": app.token},
                             checks=["wes.run.state-in-enum", "wes.service-info.state-counts-keys-are-states"])
    assert result.outcome("wes.run.state-in-enum") == "failed", result.output
    check = result.check("wes.service-info.state-counts-keys-are-states")
    assert check.outcome == "failed" and check.caused_by == "wes.run.state-in-enum", check


class StatusAlwaysUnknown(WesApp):
    """A WES whose status endpoint answers UNKNOWN for every run while each RunLog gives its state: the status
    says nothing the RunLog could be compared with."""

    @route("GET", "/runs/{run_id}/status")
    def run_status(self, request: Request) -> Reply:
        reply: Reply = super().run_status(request)
        body = json.loads(reply.body)
        if reply.status == 200:
            body["state"] = "UNKNOWN"
        return json_reply(body, reply.status)


def test_a_status_that_is_always_unknown_compares_nothing(report_root: Path, requires_specs: str) -> None:
    app = StatusAlwaysUnknown(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"}}
        result = run_profile({"initiative": "wes unknown status", "services": [entry]}, report_root,
                             specs_dir=requires_specs, environ={"WES_TOKEN": app.token},
                             checks=["wes.run.status-agrees-with-log"])
    check = result.check("wes.run.status-agrees-with-log")
    assert check.outcome == "skipped" and "UNKNOWN" in check.message, (check.outcome, check.message)


class ManyDeletedBeforeReadById(WesApp):
    """A WES whose runs 02 to 05 are deleted together between the suite's listing and its reads of them; counts
    the reads of GET /runs (without a page_token: each one a walk of the list)."""

    GONE = ("run-02", "run-03", "run-04", "run-05")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.walks = 0

    @route("GET", "/runs")
    def list_runs(self, request: Request) -> Reply:
        if request.arg("page_token") is None:
            self.walks += 1
        reply: Reply = super().list_runs(request)
        return reply

    def find(self, request: Request) -> Any:
        if request.params["run_id"] in self.GONE:  # deleted together (a retention policy's sweep)
            for run_id in self.GONE:
                self.runs.pop(run_id, None)
        return super().find(request)


def test_runs_deleted_since_the_listing_are_told_by_one_walk(report_root: Path, requires_specs: str) -> None:
    app = ManyDeletedBeforeReadById(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"}}
        result = run_profile({"initiative": "wes deleted runs", "services": [entry]}, report_root,
                             specs_dir=requires_specs, environ={"WES_TOKEN": app.token},
                             checks=["wes.run.log-answers-200"])
    check = result.check("wes.run.log-answers-200")
    assert check.outcome == "passed", check.message
    assert app.walks == 2, app.walks  # the listing, then one walk afresh for all four deleted runs
