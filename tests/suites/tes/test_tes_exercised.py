"""TES checks judge what they claim to judge: a check that exercised nothing skips with the true reason
(or asks what exercises it), a cancel is judged by the state read just before it, a view parameter that is
ignored is one root, and the failures name what is needed to see why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.tes.reference.app import TesApp

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile

SUBMIT = {"executors": [{"image": "alpine", "command": ["echo", "hello"]}]}
PAGING = ["tes.list.page-size", "tes.list.paging"]


def _run(app: TesApp, report_root: Path, checks: list[str], **options: Any) -> RunResult:
    with ReferenceServer(app) as server:
        entry = {"standard": "tes", "version": "1.1.0", "url": server.url, **options}
        return run_profile({"initiative": "tes exercised", "services": [entry]}, report_root, checks=checks)


class FewTasks(TesApp):
    """A TES holding only ``keep`` of the reference tasks."""

    keep = 3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tasks = dict(list(self.tasks.items())[: self.keep])


class FewTasksOnePage(FewTasks):
    """Ignores page_size and never sends next_page_token: every list is one page of all its tasks."""

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        request.query.pop("page_size", None)
        request.query.pop("page_token", None)
        return super().list_tasks(request)


def test_few_tasks_on_one_page_whatever_page_size_is_not_passed(report_root: Path) -> None:
    """TES ListTasks page_size: a page holds at most page_size tasks. Three tasks, page_size ignored: the check
    asks a page smaller than the list, so it is exercised (fails); paging, with no next page, is undecided."""
    result = _run(FewTasksOnePage(version="1.1.0", options={"open": True}), report_root, PAGING)
    size = result.check("tes.list.page-size")
    assert size.outcome == "failed" and "page_size=2" in size.message, size
    paging = result.check("tes.list.paging")
    assert paging.outcome == "skipped" and "tes.list.page-size" in paging.message, paging


@pytest.mark.parametrize("keep", [2, 3, 5])
def test_few_tasks_paged_as_asked_pass(keep: int, report_root: Path) -> None:
    app = type("Kept", (FewTasks,), {"keep": keep})(version="1.1.0", options={"open": True})
    result = _run(app, report_root, PAGING)
    assert [result.outcome(c) for c in PAGING] == ["passed", "passed"], result.output


class PagesLoseTheRest(FewTasks):
    """Honours page_size but never sends next_page_token: the tasks after the first page are lost."""

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        reply = super().list_tasks(request)
        body = json.loads(reply.body)
        return json_reply({"tasks": body["tasks"]}) if "tasks" in body else reply


def test_few_tasks_whose_next_page_is_never_given_fail_paging(report_root: Path) -> None:
    """Three tasks, pages of two, no next_page_token: the third is never listed while paging (TES ListTasks
    page_token, tesListTasksResponse.next_page_token)."""
    result = _run(PagesLoseTheRest(version="1.1.0", options={"open": True}), report_root, PAGING)
    assert result.outcome("tes.list.page-size") == "passed", result.output
    paging = result.check("tes.list.paging")
    assert paging.outcome == "failed" and "never returned" in paging.message, paging


@pytest.mark.parametrize("keep", [1, 0])
def test_a_list_of_at_most_one_task_does_not_apply(keep: int, report_root: Path) -> None:
    app = type("Kept", (FewTasksOnePage,), {"keep": keep})(version="1.1.0", options={"open": True})
    result = _run(app, report_root, PAGING)
    for check_id in PAGING:
        finding = result.check(check_id)
        assert finding.outcome == "skipped" and finding.message.startswith("does not apply: "), finding
        assert f"lists {keep} task" in finding.message, finding.message


# -- the filters are asked values that leave some task out ---------------------------------------------------------

class AlikeAndUnfiltered(TesApp):
    """A TES that ignores every filter, whose tasks share the first name prefix, final state and tag the suite
    used to pick (run-…, COMPLETE, project p1): only a value that leaves some task out shows it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, task in enumerate(self.tasks.values()):
            task.update(name=f"run-{index:02d}", state="COMPLETE", tags={"project": "p1", "sample": f"s{index:02d}"})
        task["state"] = "CANCELED"

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        for name in ("name_prefix", "state", "tag_key", "tag_value"):
            request.query.pop(name, None)
        return super().list_tasks(request)


def test_filters_are_asked_values_that_leave_some_task_out(report_root: Path) -> None:
    checks = ["tes.list.name-prefix", "tes.list.state-filter", "tes.list.tag-filter"]
    result = _run(AlikeAndUnfiltered(version="1.1.0", options={"open": True}), report_root, checks)
    assert [result.outcome(c) for c in checks] == ["failed"] * 3, result.output


# -- tes.submit.cancel: judged by the state read just before the cancel ------------------------------------------

class CancelCompletes(TesApp):
    """A TES that answers a cancel 200 and turns the task, not yet over, into COMPLETE at once."""

    @route("POST", "/tasks/{id}:cancel")
    def cancel_task(self, request: Request) -> Reply:
        self.posts += 1
        task = self.tasks.get(request.params["id"])
        if task is None:
            return self.error(404, f"no task {request.params['id']}")
        task["state"] = "COMPLETE"
        return json_reply({})


def test_a_cancel_that_completes_an_active_task_fails(report_root: Path) -> None:
    """TES 1.1.0 CancelTask, tesState CANCELED/CANCELING: a task QUEUED (or INITIALIZING) just before a cancel
    answered 200 that ends COMPLETE was not cancelled; a second task shows it is no chance."""
    app = CancelCompletes(version="1.1.0", options={"open": True})
    result = _run(app, report_root, ["tes.submit.cancel"], writes=True, submit=SUBMIT, poll_seconds=2)
    finding = result.check("tes.submit.cancel")
    assert finding.outcome == "failed", finding
    assert "just before its cancel" in finding.message and "ended COMPLETE" in finding.message, finding.message
    assert len(app.submitted) == 2


class CancelCompletesOnce(CancelCompletes):
    """A conformant TES whose first cancelled task happened to end COMPLETE just before its cancel arrived."""

    @route("POST", "/tasks/{id}:cancel")
    def cancel_task(self, request: Request) -> Reply:
        if self.posts > 2:  # the second task's cancel: it takes effect
            return TesApp.cancel_task(self, request)
        return super().cancel_task(request)


def test_a_task_that_ended_just_before_its_cancel_once_is_not_failed(report_root: Path) -> None:
    app = CancelCompletesOnce(version="1.1.0", options={"open": True})
    result = _run(app, report_root, ["tes.submit.cancel"], writes=True, submit=SUBMIT, poll_seconds=2)
    assert result.outcome("tes.submit.cancel") == "passed", result.check("tes.submit.cancel")


class InstantTasks(TesApp):
    """A conformant TES whose tasks are over as soon as they are created: there is nothing left to cancel."""

    @route("POST", "/tasks")
    def create_task(self, request: Request) -> Reply:
        reply = super().create_task(request)
        for task_id in self.submitted:
            self.tasks[task_id]["state"] = "COMPLETE"
        return reply


def test_a_task_over_before_its_cancel_is_skipped_saying_so(report_root: Path) -> None:
    app = InstantTasks(version="1.1.0", options={"open": True})
    result = _run(app, report_root, ["tes.submit.cancel"], writes=True, submit=SUBMIT, poll_seconds=2)
    finding = result.check("tes.submit.cancel")
    assert finding.outcome == "skipped" and "already COMPLETE when read just before the cancel" in finding.message, \
        finding


# -- checks with nothing to judge skip saying so -------------------------------------------------------------------

class BareTasks(TesApp):
    """A conformant TES whose tasks are all RUNNING and carry no timestamps, no logs and no input content (all
    optional in tesTask): nothing for BASIC to leave out, no time to judge, no task over to stay over."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for task in self.tasks.values():
            task.update(state="RUNNING", inputs=[{"path": "/data/in.txt", "url": "file:///tmp/in.txt"}])
            task.pop("creation_time")
            task.pop("logs")


BARE = {"tes.view.basic": "BASIC has nothing to leave out", "tes.task.timestamps": "gives a creation_time",
        "tes.task.final-stays-final": "is over"}


def test_checks_with_nothing_to_judge_skip_saying_so(report_root: Path) -> None:
    result = _run(BareTasks(version="1.1.0", options={"open": True}), report_root, list(BARE))
    for check_id, said in BARE.items():
        finding = result.check(check_id)
        assert finding.outcome == "skipped" and finding.message.startswith("does not apply: "), finding
        assert said in finding.message, finding.message


# -- the view parameter ignored: one root, and the default's own requirement --------------------------------------

class ViewIgnored(TesApp):
    """A TES that ignores the view parameter: every task comes whole (FULL), asked in any view or none."""

    def view_of(self, request: Request) -> str | None:
        return "FULL"


def test_a_view_parameter_ignored_is_one_root_besides_the_default(report_root: Path) -> None:
    """TES components.parameters.view: MINIMAL and BASIC answered as FULL are one defect (the view is not honoured:
    tes.view.minimal the root, tes.view.basic its consequence); "default: MINIMAL" is a requirement of its own."""
    checks = ["tes.view.minimal", "tes.view.basic", "tes.view.default-minimal", "tes.view.full"]
    result = _run(ViewIgnored(version="1.1.0", options={"open": True}), report_root, checks)
    assert [(result.outcome(c), result.check(c).caused_by) for c in checks] == [
        ("failed", None), ("failed", "tes.view.minimal"), ("failed", None), ("passed", None)], result.output
    assert "not honoured" in result.check("tes.view.basic").message


def test_basic_keeping_stdout_in_a_view_that_is_honoured_is_its_own_root(report_root: Path) -> None:
    result = _run(TesApp(faults=["basic-view-has-stdout"], version="1.1.0", options={"open": True}), report_root,
                  ["tes.view.minimal", "tes.view.basic"])
    assert [(result.outcome(c), result.check(c).caused_by) for c in ("tes.view.minimal", "tes.view.basic")] == [
        ("passed", None), ("failed", None)], result.output


# -- name_prefix failures name the names --------------------------------------------------------------------------

@pytest.mark.parametrize(("fault", "check_id"), [("name-prefix-substring", "tes.property.name-prefix"),
                                                 ("name-prefix-ignored", "tes.list.name-prefix")])
def test_a_name_prefix_failure_names_the_task_names(fault: str, check_id: str, report_root: Path) -> None:
    result = _run(TesApp(faults=[fault], version="1.1.0", options={"open": True}), report_root, [check_id])
    finding = result.check(check_id)
    assert finding.outcome == "failed" and "(name '" in finding.message, finding.message



class NoFullView(TesApp):
    """A TES that answers 400 to view=FULL, on the list and by id; the unparameterised list and MINIMAL reads by id
    work, so tes.list.response and tes.task.get-by-id pass."""

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if request.arg("view") == "FULL":
            return self.error(400, "view FULL is not served")
        return super().list_tasks(request)

    @route("GET", "/tasks/{id}")
    def get_task(self, request: Request) -> Reply:
        if request.arg("view") == "FULL":
            return self.error(400, "view FULL is not served")
        return super().get_task(request)


def test_a_read_refused_is_not_blamed_on_a_check_that_passed(report_root: Path) -> None:
    checks = ["tes.list.response", "tes.task.get-by-id", "tes.view.full", "tes.task.timestamps"]
    result = _run(NoFullView(version="1.1.0", options={"open": True}), report_root, checks)
    for check_id in checks[:2]:
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)
    for check_id in checks[2:]:
        check = result.check(check_id)
        assert check.outcome == "skipped" and "view=FULL" in check.message and "answered 400" in check.message, \
            (check_id, check.message)
        assert "tes.list.response" not in check.message and "tes.task.get-by-id" not in check.message, check.message


class NoOptionalServiceInfo(TesApp):
    """A TES whose service-info gives neither storage nor tesResources_backend_parameters (both optional)."""

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        body = json.loads(super().service_info(request).body)
        body.pop("storage", None)
        body.pop("tesResources_backend_parameters", None)
        return json_reply(body)


def test_service_info_fields_left_out_are_not_judged(report_root: Path) -> None:
    checks = ["tes.service-info.storage", "tes.service-info.backend-parameters"]
    result = _run(NoOptionalServiceInfo(version="1.1.0", options={"open": True}), report_root, checks)
    for check_id in checks:
        check = result.check(check_id)
        assert check.outcome == "skipped" and check.message.startswith("does not apply: "), (check_id, check.message)


class PurgedBeforeReadById(TesApp):
    """A TES that purges the completed task-01 (ListTasks: "How long completed tasks are stored by the system may
    be dependent on the underlying implementation") between the suite's listing and its read of that task by id."""

    purged = False

    @route("GET", "/tasks/{id}")
    def get_task(self, request: Request) -> Reply:
        if request.params["id"] == "task-01" and not self.purged:
            self.purged = True
            del self.tasks["task-01"]
        return super().get_task(request)


def test_a_listed_task_purged_before_its_read_by_id_is_not_failed(report_root: Path) -> None:
    app = PurgedBeforeReadById(version="1.1.0", options={"open": True})
    result = _run(app, report_root, ["tes.task.get-by-id"])
    assert app.purged
    check = result.check("tes.task.get-by-id")
    assert check.outcome == "passed", check.message


def test_a_state_outside_the_enum_is_one_finding_not_also_py_tes_s(report_root: Path) -> None:
    """py-tes refuses a state outside tesState as tes.task.state-enum does: the client's complaint about that state
    alone is a consequence of the state-enum finding."""
    checks = ["tes.task.state-enum", "tes.client.py-tes-parses"]
    result = _run(TesApp(faults=["state-not-in-enum"], version="1.1.0", options={"open": True}), report_root, checks)
    assert result.outcome("tes.task.state-enum") == "failed", result.output
    client = result.check("tes.client.py-tes-parses")
    assert client.outcome == "failed" and client.caused_by == "tes.task.state-enum", client


@pytest.mark.parametrize(("value", "conforms"), [("2026-01-01 10:00:00Z", True), ("2026-01-01t10:00:00+01:00", True),
                                                 ("2026-01-01T10:00:00.5-05:00", True), ("2026-01-01 10:00:00", False),
                                                 ("2026-01-01", False), ("02/01/2026 10:00", False)])
def test_rfc3339_date_times_as_the_text_allows(value: str, conforms: bool) -> None:
    """RFC 3339 §5.6: "T" or "t" between date and time, or (its NOTE) a space, which applications may choose for
    readability; a zone is required."""
    from conformance_suites.tes.check_tasks import _rfc3339

    assert _rfc3339(value) is conforms


class SecondPageBroken(TesApp):
    """A TES whose pages after the first answer 500 (the first page, read without parameters, is fine)."""

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if request.arg("page_token"):
            return self.error(500, "the page could not be read")
        return super().list_tasks(request)


def test_a_later_page_broken_is_not_blamed_on_list_response(report_root: Path) -> None:
    result = _run(SecondPageBroken(version="1.1.0", options={"open": True}), report_root,
                  ["tes.list.response", "tes.list.paging"])
    assert result.outcome("tes.list.response") == "passed", result.output
    paging = result.check("tes.list.paging")
    assert paging.outcome == "skipped" and "tes.list.response" not in paging.message, paging.message
    assert "500" in paging.message, paging.message


def test_a_named_task_read_without_admission_is_not_failed(report_root: Path) -> None:
    """The reference TES wants a bearer token the profile lacks: the task the profile names answers 401, which says
    nothing of what an admitted caller reads (tes.task.get-by-id skips saying so, as tes.list.response does)."""
    result = _run(TesApp(version="1.1.0"), report_root, ["tes.list.response", "tes.task.get-by-id"], tasks=["task-01"])
    for check_id in ("tes.list.response", "tes.task.get-by-id"):
        check = result.check(check_id)
        assert check.outcome == "skipped" and "answered 401" in check.message, (check_id, check.message)


def test_a_task_creation_refused_for_credentials_is_not_failed(report_root: Path) -> None:
    result = _run(TesApp(version="1.1.0"), report_root, ["tes.submit.create"], writes=True, submit=SUBMIT)
    check = result.check("tes.submit.create")
    assert check.outcome == "skipped" and "answered 401" in check.message, check.message


class CancelForbidden(TesApp):
    """A TES whose policy lets this caller create tasks but not cancel them (403)."""

    @route("POST", "/tasks/{id}:cancel")
    def cancel_task(self, request: Request) -> Reply:
        self.posts += 1
        return self.error(403, "this user may not cancel tasks")


def test_a_cancel_the_policy_forbids_is_not_failed(report_root: Path) -> None:
    app = CancelForbidden(version="1.1.0", options={"open": True})
    app.endless = True
    result = _run(app, report_root, ["tes.submit.cancel"], writes=True, submit=SUBMIT, poll_seconds=1)
    check = result.check("tes.submit.cancel")
    assert check.outcome == "skipped" and "answered 403" in check.message, check.message


class ManyPurgedBeforeReadById(TesApp):
    """A TES that purges the completed tasks 01, 02 and 04 together (a retention sweep) between the suite's
    listing and its reads of them by id; counts the reads of GET /tasks without a page_token (each one a walk of
    the list, or the listing)."""

    GONE = ("task-01", "task-02", "task-04")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.walks = 0

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if request.arg("page_token") is None:
            self.walks += 1
        reply: Reply = super().list_tasks(request)
        return reply

    @route("GET", "/tasks/{id}")
    def get_task(self, request: Request) -> Reply:
        if request.params["id"] in self.GONE:
            for task_id in self.GONE:
                self.tasks.pop(task_id, None)
        reply: Reply = super().get_task(request)
        return reply


def test_tasks_purged_since_the_listing_are_told_by_one_walk(report_root: Path) -> None:
    app = ManyPurgedBeforeReadById(version="1.1.0", options={"open": True})
    result = _run(app, report_root, ["tes.task.get-by-id"])
    check = result.check("tes.task.get-by-id")
    assert check.outcome == "passed", check.message
    assert app.walks == 2, app.walks  # the listing, then one walk afresh for the three purged tasks


class _Page:
    """An answer to GET /tasks: what a walk reads of it."""

    def __init__(self, status: int, body: dict[str, Any] | None) -> None:
        self.status, self.body = status, body

    def json_object(self) -> dict[str, Any] | None:
        return self.body


class _Listing:
    """A client whose GET /tasks answers ``first``, and ``then`` to a page_token; counts the walks."""

    def __init__(self, first: _Page, then: _Page | None = None) -> None:
        self.first, self.then, self.walks = first, then, 0

    def get(self, path: str, params: dict[str, str] | None = None) -> _Page:
        if params and "page_token" in params and self.then is not None:
            return self.then
        self.walks += 1
        return self.first


def test_purged_leaves_the_broken_page_of_an_earlier_walk_and_walks_once() -> None:
    """The broken page tes.list.paging names is that of its own walk: a walk purged() makes does not overwrite
    it, and is made once for every task asked of."""
    from types import SimpleNamespace

    from conformance_suites.tes.view import Tes

    client = _Listing(_Page(500, None))
    tes = Tes(SimpleNamespace(options={}), SimpleNamespace(client_for=lambda service: client))
    assert tes.walk_tasks({"view": "MINIMAL"}) is None
    broken = tes.broken_page
    assert broken is not None and broken[0] == 1
    # a list whose second page is broken: it tells no task purged
    client.first = _Page(200, {"tasks": [{"id": "task-02"}], "next_page_token": "2"})
    client.then = _Page(503, None)
    assert not tes.purged("task-01")
    assert tes.broken_page is broken
    # whole now: task-03 and task-05 are told purged by one walk afresh
    client.first = _Page(200, {"tasks": [{"id": "task-02"}]})
    client.walks = 0
    assert tes.purged("task-03") and tes.purged("task-05")
    assert client.walks == 1, client.walks
