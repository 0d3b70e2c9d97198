"""The WES suite beyond the generic fault matrix: read-only means no write leaves the harness, WES 1.0.1,
runs the suite started are cancelled at the end, the multipart encoding, and the state rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conformance_suites.wes.reference.app import SUBMIT, WesApp, parse_form
from conformance_suites.wes.states import canceling_resumed, ordered, parse_time, terminal_change
from conformance_suites.wes.view import multipart

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import LOOPBACK_BUDGET, reference_entries, run_profile

READS = {"GET", "HEAD", "OPTIONS"}


def _entry(server: ReferenceServer, **extra: Any) -> dict[str, Any]:
    return {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"},
            **extra}


def test_read_only_sends_no_write_even_with_a_submit_block(report_root: Path, specs_dir: str | None) -> None:
    app = WesApp(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = _entry(server, writes=False, submit=dict(SUBMIT))
        result = run_profile({"initiative": "read-only wes", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["wes"], environ={"WES_TOKEN": app.token})
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.exit_code == 0, result.output
    assert {method for method, _ in app.received} <= READS, sorted({m for m, _ in app.received})
    assert len(app.runs) == 9  # the seeded runs only
    assert result.outcome("wes.submit.returns-run-id") == "skipped"


def test_an_open_wes_is_warned_not_failed(report_root: Path, specs_dir: str | None) -> None:
    """Anonymous GET /runs answered: the authorization policy is the implementer's (WES 1.0.0 §Authorization &
    Authentication), a SHOULD warning; the forged-token check does not apply."""
    app = WesApp(version="1.1.0", faults={"auth-not-enforced"})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "open wes", "services": [_entry(server)]}, report_root,
                             specs_dir=specs_dir, standards=["wes"], environ={"WES_TOKEN": app.token})
    assert result.outcome("wes.auth.refuses-missing-token") == "failed", result.output
    assert result.exit_code == 0, result.output
    assert result.outcome("wes.auth.refuses-forged-token") == "skipped"
    assert "answered without credentials" in result.check("wes.auth.refuses-forged-token").message


def test_wes_1_0_1_is_conformant(report_root: Path, specs_dir: str | None) -> None:
    entries = reference_entries("wes", version="1.0.1")
    result = run_profile({"initiative": "wes 1.0.1", "services": entries}, report_root, specs_dir=specs_dir,
                         standards=["wes"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.exit_code == 0


class NeverFinishes(WesApp):
    """A fake engine whose submitted runs run for ever (until cancelled)."""

    submitted_trajectory: ClassVar[tuple[str, ...]] = ("QUEUED", "RUNNING")


def test_runs_the_suite_started_are_cancelled_at_the_end(report_root: Path, specs_dir: str | None) -> None:
    app = NeverFinishes(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = _entry(server, writes=True, submit=dict(SUBMIT))
        document = {"initiative": "cleanup", "services": [entry], "budget": {**LOOPBACK_BUDGET, "max_seconds": 9}}
        run_profile(document, report_root, specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                    checks=["wes.submit.returns-run-id", "wes.submit.cancel-stops-run",
                            "wes.state.terminal-states-never-change"])
    submitted = [run for run in app.runs.values() if run.submitted]
    assert len(submitted) == 2, [r.run_id for r in submitted]
    assert all(run.state in ("CANCELING", "CANCELED") for run in submitted), [r.state for r in submitted]
    # the profile's request arrived as the spec encodes it: workflow_params a JSON object, the attachment a file
    assert all(run.request["workflow_params"] == SUBMIT["workflow_params"] for run in submitted)
    assert all(run.attachments == ["hello.cwl"] for run in submitted)
    assert ("POST", "/ga4gh/wes/v1/runs/" + submitted[0].run_id + "/cancel") in app.received


def test_runs_are_cancelled_even_when_the_budget_is_spent(report_root: Path, specs_dir: str | None) -> None:
    app = NeverFinishes(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = _entry(server, writes=True, submit=dict(SUBMIT))
        document = {"initiative": "cleanup", "services": [entry], "budget": {**LOOPBACK_BUDGET, "max_requests": 8}}
        run_profile(document, report_root, specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                    checks=["wes.submit.returns-run-id", "wes.submit.cancel-stops-run"])
    submitted = [run for run in app.runs.values() if run.submitted]
    assert submitted
    assert all(run.state in ("CANCELING", "CANCELED") for run in submitted), [r.state for r in submitted]


def test_runs_are_cancelled_when_a_parallel_run_spent_the_shared_budget(report_root: Path,
                                                                       specs_dir: str | None) -> None:
    """With --jobs, the request budget is one pool shared by the workers: the clean-up's room is granted in
    the pool too (RunLimits.grant), or the cancels of a spent run are refused by it."""
    app = NeverFinishes(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = _entry(server, writes=True, submit=dict(SUBMIT))
        other = reference_entries("trs")
        document = {"initiative": "cleanup", "services": [entry, *other],
                    "budget": {**LOOPBACK_BUDGET, "max_requests": 8}}
        run_profile(document, report_root, specs_dir=specs_dir, environ={"WES_TOKEN": app.token}, jobs=2,
                    checks=["wes.submit.returns-run-id", "wes.submit.cancel-stops-run"])
    submitted = [run for run in app.runs.values() if run.submitted]
    assert submitted
    assert all(run.state in ("CANCELING", "CANCELED") for run in submitted), [r.state for r in submitted]


def test_multipart_round_trip() -> None:
    fields = {"workflow_params": '{"a": 1}', "workflow_type": "CWL"}
    body = multipart(fields, {"x.cwl": b"class: Workflow\n"}, "b0undary")
    request = Request("POST", "/runs", {}, {"Content-Type": "multipart/form-data; boundary=b0undary"}, body)
    parsed, files = parse_form(request)
    assert parsed == fields
    assert files == {"x.cwl": b"class: Workflow\n"}


@pytest.mark.parametrize(("observed", "change"), [
    (["QUEUED", "RUNNING", "COMPLETE", "COMPLETE"], None),
    (["COMPLETE", "UNKNOWN", "COMPLETE"], None),
    (["RUNNING", "COMPLETE", "RUNNING"], ("COMPLETE", "RUNNING")),
    (["CANCELED", "COMPLETE"], ("CANCELED", "COMPLETE")),
    (["PREEMPTED", "QUEUED"], None),  # the text does not say a preempted run stays stopped
])
def test_terminal_change(observed: list[str], change: tuple[str, str] | None) -> None:
    assert terminal_change(observed) == change


def test_canceling_resumed() -> None:
    assert canceling_resumed(["RUNNING", "CANCELING", "CANCELED"]) is None
    assert canceling_resumed(["CANCELING", "RUNNING"]) == "RUNNING"


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123+02:00", "2026-01-01T00:00:00",
                                   "2026-01-01 00:00:00+0100", "2026-01-01t00:00:00z", "2016-12-31T23:59:60Z",
                                   "2016-12-31T15:59:60.5-08:00"])
def test_iso8601_accepted(value: str) -> None:
    assert parse_time(value) is not None


@pytest.mark.parametrize("value", ["1767225600", "yesterday", "2026-13-01T00:00:00Z", "01/02/2026 10:00",
                                   "2016-12-31T12:59:60Z"])
def test_not_iso8601_refused(value: str) -> None:
    assert parse_time(value) is None


def test_a_leap_second_is_ordered_before_the_next_day() -> None:
    leap, next_day = parse_time("2016-12-31T23:59:60Z"), parse_time("2017-01-01T00:00:00.5Z")
    assert leap is not None and next_day is not None
    assert ordered(leap, next_day)


def test_times_with_and_without_zone_are_not_compared() -> None:
    start, end = parse_time("2026-01-01T10:00:00Z"), parse_time("2026-01-01T09:00:00")
    assert start is not None and end is not None
    assert ordered(start, end) is None


class AllowedChoices(WesApp):
    """Answers the WES texts allow that the reference server does not give: 403 (not 401) without credentials,
    1.1.0 run lists of bare RunStatus items (erratum E6), RunLogs without task_logs_url or task_logs (E4),
    timestamps with fractional seconds and an offset (E3), empty system_state_counts, an ErrorResponse without
    msg, and a cancel that goes straight to CANCELED."""

    def handle(self, request: Request) -> Reply:
        reply = super().handle(request)
        if reply.status == 401:
            return json_reply({"status_code": 403}, 403)
        if reply.status == 404:
            return json_reply({"status_code": 404}, 404)
        if reply.status != 200 or not reply.body:
            return reply
        document = json.loads(reply.body)
        if request.path.endswith("/service-info"):
            document["system_state_counts"] = {}
        elif request.method == "GET" and request.path.endswith("/runs"):
            document["runs"] = [{"run_id": r["run_id"], "state": r["state"]} for r in document["runs"]]
        elif isinstance(document, dict) and "run_log" in document:
            document.pop("task_logs_url", None)
            document.pop("task_logs", None)
            log = document["run_log"]
            for key in ("start_time", "end_time"):
                if key in log:
                    log[key] = log[key].replace("Z", ".250+01:00").replace("T00:", "T01:")
        return json_reply(document)

    @route("POST", "/runs/{run_id}/cancel")
    def cancel_run(self, request: Request) -> Reply:
        reply = super().cancel_run(request)
        run = self.runs.get(request.params["run_id"])
        if run is not None and run.state == "CANCELING":
            run.trajectory = [*run.trajectory[:run.reads], "CANCELED"]
        return reply


@pytest.mark.parametrize("version", ["1.1.0", "1.0.0"])
def test_choices_the_texts_allow_are_never_failed(version: str, report_root: Path, specs_dir: str | None) -> None:
    app = AllowedChoices(version=version)
    with ReferenceServer(app) as server:
        entry = {**_entry(server, writes=True, submit=dict(SUBMIT)), "version": version}
        result = run_profile({"initiative": f"allowed {version}", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["wes"], environ={"WES_TOKEN": app.token})
    assert result.failed() == [], result.output
    assert result.errors() == [], result.output
    assert result.exit_code == 0
    for check_id in ("wes.auth.refuses-missing-token", "wes.run.timestamps-ordered", "wes.submit.cancel-stops-run",
                     "wes.run.unknown-is-404"):
        assert result.outcome(check_id) == "passed", (check_id, result.output)


# -- issue 14: invalid submissions create no run; the report lists what a writes run created ------------------


def test_a_writes_run_lists_exactly_the_runs_it_created(report_root: Path, specs_dir: str | None) -> None:
    app = WesApp(version="1.1.0")
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes created", "services": [_entry(server, writes=True,
                                                                                submit=dict(SUBMIT))]},
                             report_root, specs_dir=specs_dir, standards=["wes"], environ={"WES_TOKEN": app.token})
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("wes.submit.invalid-refused") == "passed"
    submitted = {run.run_id: run for run in app.runs.values() if run.submitted}
    created = result.scorecard.services[0].created
    assert sorted(c.id for c in created) == sorted(submitted) and len(created) == 2  # the invalid ones made none
    assert all(c.kind == "run" for c in created)
    outcomes = {c.outcome for c in created}
    assert outcomes <= {"cancelled", "finished"} and "cancelled" in outcomes, created
    assert all(c.state in ("COMPLETE", "CANCELED", "CANCELING") for c in created), created
    document = (result.run_dir / "scorecard.json").read_text(encoding="utf-8")
    assert json.loads(document)["services"][0]["created"] == [c.to_dict() for c in created]
    assert app.token not in document and "hello.cwl" not in document  # no credential, no submitted payload
    assert "**Created by this run** (writes: true)" in result.summary()


def test_a_refused_submission_that_creates_a_run_fails_and_the_run_is_cancelled(
        report_root: Path, specs_dir: str | None) -> None:
    app = WesApp(version="1.1.0", faults=["refused-submission-created"])
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes refused yet created", "services": [
            _entry(server, writes=True, submit=dict(SUBMIT))]}, report_root, specs_dir=specs_dir,
            environ={"WES_TOKEN": app.token}, checks=["wes.submit.invalid-refused"])
    check = result.check("wes.submit.invalid-refused")
    submitted = sorted(run.run_id for run in app.runs.values() if run.submitted)
    assert check.outcome == "failed", check
    assert len(submitted) == 3 and all(run_id in check.message for run_id in submitted), check.message
    assert "POST /runs without workflow_url answered 400 but created run" in check.message
    created = result.scorecard.services[0].created
    assert sorted(c.id for c in created) == submitted
    assert all(c.outcome == "cancelled" for c in created), created
    assert all(app.runs[run_id].state in ("CANCELING", "CANCELED") for run_id in submitted)


class SomebodyElseSubmits(WesApp):
    """Another user's run appears while the suite's invalid submissions are refused (and create nothing)."""

    @route("POST", "/runs")
    def run_workflow(self, request: Request) -> Reply:
        reply = super().run_workflow(request)
        if reply.status == 400:
            self.create({"workflow_url": "https://example.org/other.cwl", "workflow_type": "CWL",
                         "workflow_type_version": "v1.0", "tags": '{"owner": "someone else"}'}, {})
        return reply


def test_a_run_somebody_else_submitted_meanwhile_is_not_blamed(report_root: Path, specs_dir: str | None) -> None:
    app = SomebodyElseSubmits(version="1.1.0")
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes busy", "services": [_entry(server, writes=True,
                                                                             submit=dict(SUBMIT))]},
                             report_root, specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                             checks=["wes.submit.invalid-refused"])
    assert result.outcome("wes.submit.invalid-refused") == "passed", result.check("wes.submit.invalid-refused").message
    assert result.scorecard.services[0].created == []
    others = [run for run in app.runs.values() if run.submitted]
    assert len(others) == 3 and all(run.reads <= 1 for run in others)  # read to tell, never cancelled


def test_a_run_list_keyed_workflows_is_validated_and_its_new_run_is_unlisted(report_root: Path,
                                                                               specs_dir: str | None) -> None:
    """toil 9.6 lists runs under `workflows`: its pages are still validated (RunListResponse requires no key, so
    they pass), and a run just submitted is not in the list, a failure rather than a skip."""
    app = WesApp(version="1.0.0", faults={"runs-keyed-workflows"})
    with ReferenceServer(app) as server:
        entry = {**_entry(server, writes=True, submit=dict(SUBMIT)), "version": "1.0.0"}
        result = run_profile({"initiative": "runs as workflows", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["wes"], environ={"WES_TOKEN": app.token})
    failed = {name.split(":", 2)[1] for name in result.failed()}
    assert failed == {"wes.submit.run-is-listed"}, result.output
    if specs_dir is not None:
        assert result.outcome("wes.schema.run-list-valid") == "passed", result.output
    # the runs it reads are skipped for what GET /runs answered, not for "the service lists no run"
    assert "without a runs list" in (result.check("wes.run.state-in-enum").message or "")


class FreshDeployment(WesApp):
    """A server that has run nothing yet (sapporo and toil started afresh): GET /runs lists only what the
    suite submits."""

    def visible(self) -> list[Any]:
        return [run for run in super().visible() if run.submitted]


def test_the_run_the_suite_submits_is_watched_on_a_server_with_no_run(report_root: Path,
                                                                       specs_dir: str | None) -> None:
    app = FreshDeployment(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = _entry(server, writes=True, submit=dict(SUBMIT))
        result = run_profile({"initiative": "fresh wes", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["wes"], environ={"WES_TOKEN": app.token})
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("wes.state.terminal-states-never-change") == "passed", result.output


def test_a_service_that_asks_for_credentials_the_profile_lacks_is_not_failed(report_root: Path) -> None:
    # WES documents 401 for every operation: a profile without credentials (a whole initiative tested from its
    # registry, say) cannot see what the service answers a caller it admits: skipped with the reason
    app = WesApp(version="1.1.0")
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url}
        result = run_profile({"initiative": "wes closed", "services": [entry]}, report_root, standards=["wes"])
    assert result.failed() == [] and result.errors() == [], result.output
    for check_id in ("wes.runs.list-answers-200", "wes.run.unknown-is-404", "wes.property.unknown-runs-are-404"):
        check = result.check(check_id)
        assert check.outcome == "skipped" and "answered 401" in check.message, (check_id, check.message)
        assert "the profile gives none" in check.message


def test_the_watched_runs_are_polled_side_by_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20: each watched run is read POLLS times, a wait apart, but the waits are shared by the runs."""
    from conformance_suites.wes import check_state, view

    reads: dict[str, int] = {}
    sleeps: list[float] = []
    monkeypatch.setattr(view.time, "sleep", sleeps.append)

    class Stub:
        poll = view.Wes.poll
        poll_each = view.Wes.poll_each
        poll_interval = 0.05

        def listed(self) -> Any:
            raise pytest.skip.Exception("no list")

        def run_ids(self) -> list[str]:
            return ["a", "b", "c", "d", "e"]

        def fresh_state(self, run_id: str, via: str) -> tuple[str, Any]:
            reads[run_id] = reads.get(run_id, 0) + 1
            return "RUNNING", object()

        def followed(self) -> Any:
            raise pytest.skip.Exception("no follow")

    watched = check_state._watch(Stub())  # type: ignore[arg-type]
    assert [(run_id, len(observed)) for run_id, observed in watched] == [(r, check_state.POLLS) for r in "abcd"]
    assert reads == {r: check_state.POLLS for r in "abcd"}
    assert sleeps == [0.05] * (check_state.POLLS - 1)


class TasklessRun(WesApp):
    """WES 1.1.0: run-05, cancelled before it ran, has no task; its task list leaves task_logs out, which
    TaskListResponse allows (it requires no property)."""

    @route("GET", "/runs/{run_id}/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if request.params["run_id"] == "run-05":
            return json_reply({"next_page_token": ""})
        return super().list_tasks(request)


def test_a_task_list_without_task_logs_is_not_failed(report_root: Path, specs_dir: str | None) -> None:
    app = TasklessRun(version="1.1.0")
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes taskless run", "services": [_entry(server)]}, report_root,
                             specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                             checks=["wes.tasks.list-answers-200", "wes.schema.task-list-valid",
                                     "wes.run.task-logs-url-resolves"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("wes.tasks.list-answers-200") == "passed", result.output


def test_a_broken_task_list_fails_once_not_again_through_task_logs_url(report_root: Path,
                                                                       specs_dir: str | None) -> None:
    """One root cause, one failure: a task list that answers 404 is wes.tasks.list-answers-200's finding; the
    task_logs_url that names that same list fails as its consequence (WES 1.1.0 RunLog.task_logs_url)."""
    app = WesApp(version="1.1.0", faults=["tasks-list-404"])
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes tasks 404", "services": [_entry(server)]}, report_root,
                             specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                             checks=["wes.tasks.list-answers-200", "wes.run.task-logs-url-resolves"])
    root, consequence = result.check("wes.tasks.list-answers-200"), result.check("wes.run.task-logs-url-resolves")
    assert (root.outcome, root.caused_by) == ("failed", None), root
    assert (consequence.outcome, consequence.caused_by) == ("failed", "wes.tasks.list-answers-200"), consequence


def test_a_task_logs_url_of_another_list_fails_on_its_own(report_root: Path, specs_dir: str | None) -> None:
    app = WesApp(version="1.1.0", faults=["task-logs-url-broken"])
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes task_logs_url", "services": [_entry(server)]}, report_root,
                             specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                             checks=["wes.tasks.list-answers-200", "wes.run.task-logs-url-resolves"])
    check = result.check("wes.run.task-logs-url-resolves")
    assert (check.outcome, check.caused_by) == ("failed", None), check
    assert result.outcome("wes.tasks.list-answers-200") == "passed"


class DeletedBetweenWalks(WesApp):
    """A conformant WES where another client deletes the CANCELED run-05 after the suite's walk in the default
    page size and before its walk by 2: gone (404) by then, it is not lost by the paging."""

    deleted = False

    @route("GET", "/runs")
    def list_runs(self, request: Request) -> Reply:
        if request.arg("page_size") == "2" and not self.deleted:
            self.deleted = True
            del self.runs["run-05"]
        return super().list_runs(request)


@pytest.mark.parametrize("faults", [[], ["paging-loses-run"]])
def test_a_run_deleted_between_the_walks_is_not_lost(faults: list[str], report_root: Path,
                                                     specs_dir: str | None) -> None:
    app = DeletedBetweenWalks(version="1.1.0", faults=faults)
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes deleted run", "services": [_entry(server)]}, report_root,
                             specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                             checks=["wes.runs.paging-no-lost-runs"])
    assert app.deleted
    check = result.check("wes.runs.paging-no-lost-runs")
    expected = "failed" if faults else "passed"  # a run that still exists and is skipped is still lost
    assert check.outcome == expected, check.message


class FinishesAfterServiceInfo(WesApp):
    """A conformant WES whose run-06 completes after the suite first reads service-info and before it lists the
    runs: the first system_state_counts gives one COMPLETE run fewer than the list, the next one agrees."""

    @route("GET", "/runs")
    def list_runs(self, request: Request) -> Reply:
        run = self.runs["run-06"]
        if ("GET", "/ga4gh/wes/v1/service-info") in self.received and run.state != "COMPLETE":
            run.reads = len(run.trajectory) - 1
        return super().list_runs(request)


@pytest.mark.parametrize("faults", [[], ["state-counts-too-low"]])
def test_a_run_that_ends_after_service_info_is_counted_by_the_next_read(faults: list[str], report_root: Path,
                                                                       specs_dir: str | None) -> None:
    app = FinishesAfterServiceInfo(version="1.1.0", faults=faults)
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes run ends", "services": [_entry(server)]}, report_root,
                             specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                             checks=["wes.service-info.state-counts-cover-listed-runs"])
    assert app.runs["run-06"].state == "COMPLETE"
    check = result.check("wes.service-info.state-counts-cover-listed-runs")
    assert check.outcome == ("failed" if faults else "passed"), check.message


class PathOnlyTaskLogsUrl(WesApp):
    """A WES 1.1.0 whose RunLogs give task_logs_url as a path alone (/ga4gh/wes/v1/runs/{run_id}/tasks), not the
    complete url the text asks for."""

    @route("GET", "/runs/{run_id}")
    def run_log(self, request: Request) -> Reply:
        reply = super().run_log(request)
        if reply.status != 200:
            return reply
        log = json.loads(reply.body)
        log["task_logs_url"] = f"{self.base_path}/runs/{log['run_id']}/tasks"
        return json_reply(log)


def test_a_path_only_task_logs_url_fails_once_as_not_complete(report_root: Path, specs_dir: str | None) -> None:
    app = PathOnlyTaskLogsUrl(version="1.1.0")
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes path-only task_logs_url", "services": [_entry(server)]},
                             report_root, specs_dir=specs_dir, environ={"WES_TOKEN": app.token},
                             checks=["wes.tasks.list-answers-200", "wes.run.task-logs-url-resolves"])
    check = result.check("wes.run.task-logs-url-resolves")
    assert (check.outcome, check.caused_by) == ("failed", None), check
    assert "not the complete url" in check.message and "answers a task list" in check.message, check.message
    # resolved per RFC 3986 against the RunLog's URL: the prefix is not doubled
    assert "/ga4gh/wes/v1/ga4gh/wes/v1/" not in check.message
    assert not any(path.startswith("/ga4gh/wes/v1/ga4gh/") for _, path in app.received), app.received
    assert result.outcome("wes.tasks.list-answers-200") == "passed"


def test_task_lists_that_answer_404_are_not_called_empty(report_root: Path, specs_dir: str | None) -> None:
    """The checks reading the task lists skip naming the 404 (wes.tasks.list-answers-200's finding), not "no run
    lists a task", and the schema check of the list pages does not pass without a page to validate."""
    app = WesApp(version="1.1.0", faults=["tasks-list-404"])
    checks = ["wes.tasks.listed-task-answers-200", "wes.tasks.page-size-respected", "wes.schema.task-list-valid"]
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "wes tasks 404", "services": [_entry(server)]}, report_root,
                             specs_dir=specs_dir, environ={"WES_TOKEN": app.token}, checks=checks)
    for check_id in checks:
        if check_id == "wes.schema.task-list-valid" and specs_dir is None:
            continue
        finding = result.check(check_id)
        assert finding.outcome == "skipped", (check_id, finding)
        assert "answered 404" in finding.message and "wes.tasks.list-answers-200" in finding.message, finding.message
