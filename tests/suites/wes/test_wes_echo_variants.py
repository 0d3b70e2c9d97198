"""The RunLog of the run the suite submitted: an empty workflow_params left out of the echo is the request sent
(the proto3 JSON mapping WES 1.0 came from leaves an empty object out), and a RunLog the service does not give for
a run it has just created is that check's own failure, not a pointer to wes.run.log-answers-200 (which judges
listed runs only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance_suites.wes.reference.app import SUBMIT, WesApp

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import LOOPBACK_BUDGET, RunResult, run_profile

CHECKS = ["wes.submit.returns-run-id", "wes.submit.request-echoed"]
#: The profile's request without workflow_params: the suite sends "{}".
NO_PARAMS = {k: v for k, v in SUBMIT.items() if k != "workflow_params"}


def _run(app: WesApp, report_root: Path, submit: dict[str, Any]) -> RunResult:
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"},
                 "writes": True, "submit": submit}
        return run_profile({"initiative": "wes echo", "services": [entry], "budget": {**LOOPBACK_BUDGET,
                                                                                      "max_seconds": 20}},
                           report_root, checks=CHECKS, environ={"WES_TOKEN": app.token})


class EmptyParamsLeftOut(WesApp):
    """Echoes the request, leaving an empty workflow_params out."""

    @route("GET", "/runs/{run_id}")
    def run_log(self, request: Request) -> Reply:
        reply: Reply = super().run_log(request)
        body = json.loads(reply.body)
        if reply.status == 200 and body.get("request", {}).get("workflow_params") == {}:
            del body["request"]["workflow_params"]
        return json_reply(body, reply.status)


def test_an_empty_workflow_params_left_out_of_the_echo_is_the_request_sent(report_root: Path) -> None:
    result = _run(EmptyParamsLeftOut(version="1.1.0"), report_root, NO_PARAMS)
    assert result.outcome("wes.submit.request-echoed") == "passed", result.check("wes.submit.request-echoed").message


class SubmittedRunNotFound(WesApp):
    """Answers 404 for the RunLog of every run submitted to it (the seeded runs read fine)."""

    @route("GET", "/runs/{run_id}")
    def run_log(self, request: Request) -> Reply:
        run = self.runs.get(request.params["run_id"])
        if run is not None and run.submitted:
            return self.error(404, f"no run {run.run_id}")
        reply: Reply = super().run_log(request)
        return reply


def test_the_run_just_submitted_answered_404_fails_the_echo_itself(report_root: Path) -> None:
    result = _run(SubmittedRunNotFound(version="1.1.0"), report_root, dict(SUBMIT))
    check = result.check("wes.submit.request-echoed")
    assert check.outcome == "failed" and "404" in check.message, check.message
    assert "wes.run.log-answers-200" not in check.message, check.message


class CancelAnswersEmptyRunId(WesApp):
    """Cancels, answering 200 with {}: a RunId, whose schema requires no property."""

    @route("POST", "/runs/{run_id}/cancel")
    def cancel_run(self, request: Request) -> Reply:
        reply: Reply = super().cancel_run(request)
        return json_reply({}, reply.status) if reply.status == 200 else reply


def test_a_cancel_answered_with_an_empty_run_id_object_is_not_failed(report_root: Path) -> None:
    with ReferenceServer(app := CancelAnswersEmptyRunId(version="1.1.0")) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"},
                 "writes": True, "submit": dict(SUBMIT)}
        result = run_profile({"initiative": "wes cancel {}", "services": [entry]}, report_root,
                             checks=["wes.submit.cancel-stops-run"], environ={"WES_TOKEN": app.token})
    check = result.check("wes.submit.cancel-stops-run")
    assert check.outcome == "passed", check.message


class FinishesAsCancelled(WesApp):
    """A WES whose run ends COMPLETE in the moment between the suite's last read of it and its cancel, which is then
    refused as a cancel of a finished run (Cromwell answers 403 to an abort of a workflow in a terminal state);
    ``every``: each run does so, a cancel that is in truth never honoured."""

    every = False
    raced = 0

    @route("POST", "/runs/{run_id}/cancel")
    def cancel_run(self, request: Request) -> Reply:
        run = self.runs.get(request.params["run_id"])
        if run is not None and run.submitted and (self.every or not self.raced):
            self.raced += 1
            run.trajectory = [*run.trajectory[:run.reads], "COMPLETE"]
            return self.error(403, f"cannot abort {run.run_id}: it is in a terminal state")
        reply: Reply = super().cancel_run(request)
        return reply


def _cancel_check(app: WesApp, report_root: Path) -> Any:
    with ReferenceServer(app) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"},
                 "writes": True, "submit": dict(SUBMIT)}
        result = run_profile({"initiative": "wes cancel race", "services": [entry]}, report_root,
                             checks=["wes.submit.cancel-stops-run"], environ={"WES_TOKEN": app.token})
    return result.check("wes.submit.cancel-stops-run")


def test_a_run_that_ends_as_the_cancel_arrives_is_not_a_refused_cancel(report_root: Path) -> None:
    app = FinishesAsCancelled(version="1.1.0")
    check = _cancel_check(app, report_root)
    assert app.raced == 1 and check.outcome == "passed", check.message


def test_every_cancel_refused_as_its_run_ends_still_fails(report_root: Path) -> None:
    app = FinishesAsCancelled(version="1.1.0")
    app.every = True
    check = _cancel_check(app, report_root)
    assert check.outcome == "failed" and "403" in check.message, check.message


def test_checks_with_refused_credentials_say_so(report_root: Path, requires_specs: str) -> None:
    """The profile's token refused (401): wes.runs.list-answers-200 skips for it, and the auth checks say the
    credentials were refused rather than point at that skipped check."""
    with ReferenceServer(app := WesApp(version="1.1.0")) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"},
                 "runs": ["run-01"]}
        result = run_profile({"initiative": "wes wrong token", "services": [entry]}, report_root,
                             checks=["wes.runs.list-answers-200", "wes.auth.refuses-missing-token",
                                     "wes.auth.refuses-forged-token", "wes.run.log-answers-200",
                                     "wes.schema.run-list-valid", "wes.schema.run-log-valid",
                                     "wes.run.status-agrees-with-log"], environ={"WES_TOKEN": "not-" + app.token},
                             specs_dir=requires_specs)
    assert result.outcome("wes.runs.list-answers-200") == "skipped", result.output
    for check_id in ("wes.auth.refuses-missing-token", "wes.auth.refuses-forged-token", "wes.run.log-answers-200",
                     "wes.schema.run-list-valid", "wes.schema.run-log-valid", "wes.run.status-agrees-with-log"):
        check = result.check(check_id)
        assert check.outcome == "skipped" and "list-answers-200" not in check.message, (check_id, check.message)
        assert "refused the profile's credentials" in check.message, check.message


def test_a_submission_refused_for_credentials_is_not_failed(report_root: Path) -> None:
    """writes: true with a token the service refuses: POST /runs answers 401, which says nothing of what a caller
    it admits gets (wes.submit.returns-run-id skips saying so)."""
    with ReferenceServer(app := WesApp(version="1.1.0")) as server:
        entry = {"standard": "wes", "version": "1.1.0", "url": server.url, "auth": {"bearer_token_env": "WES_TOKEN"},
                 "writes": True, "submit": dict(SUBMIT)}
        result = run_profile({"initiative": "wes refused writes", "services": [entry]}, report_root,
                             checks=["wes.submit.returns-run-id", "wes.submit.invalid-refused"],
                             environ={"WES_TOKEN": "not-" + app.token})
    for check_id in ("wes.submit.returns-run-id", "wes.submit.invalid-refused"):
        check = result.check(check_id)
        assert check.outcome == "skipped" and "answered 401" in check.message, (check_id, check.message)


class CancelForbidden(WesApp):
    """A WES whose policy lets this caller submit runs but not cancel them: 403, "The requester is not authorized to
    perform this action", as CancelRun documents."""

    @route("POST", "/runs/{run_id}/cancel")
    def cancel_run(self, request: Request) -> Reply:
        return self.error(403, "this user may not cancel runs")


def test_a_cancel_the_policy_forbids_is_not_failed(report_root: Path) -> None:
    check = _cancel_check(CancelForbidden(version="1.1.0"), report_root)
    assert check.outcome == "skipped" and "answered 403" in check.message, check.message
