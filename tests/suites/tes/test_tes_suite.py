"""The TES reference server passes clean in both versions, read-only and with writes; read-only runs
send no POST; a run with writes leaves no task of its own unfinished, even when one never ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.tes.check_writes import _output_logs_problem
from conformance_suites.tes.reference.app import FINAL, TesApp

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import run_profile

SUBMIT = {"executors": [{"image": "alpine", "command": ["echo", "hello"]}]}


def _entry(server: ReferenceServer, version: str, **options: Any) -> dict[str, Any]:
    return {"standard": "tes", "version": version, "url": server.url, **options}


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_read_only_run_is_clean_and_sends_no_post(version: str, report_root: Path, specs_dir: str | None) -> None:
    app = TesApp(version=version, options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": f"tes {version}", "services": [_entry(server, version, submit=SUBMIT)]},
                             report_root, specs_dir=specs_dir, standards=["tes"])
    assert result.failed() == [], result.output
    assert result.errors() == [], result.output
    assert app.posts == 0
    assert app.submitted == set()
    check = result.check("tes.submit.create")
    assert check.outcome == "skipped" and check.message.startswith("read-only: ")
    expected = "skipped" if version == "1.0.0" else "passed"
    assert result.outcome("tes.list.state-filter") == expected
    assert result.outcome("tes.view.basic") == "passed"


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_run_with_writes_is_clean_and_leaves_nothing_running(version: str, report_root: Path,
                                                             specs_dir: str | None) -> None:
    app = TesApp(version=version, options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": f"tes writes {version}", "services": [
            _entry(server, version, writes=True, submit=SUBMIT, poll_seconds=5)]},
            report_root, specs_dir=specs_dir, standards=["tes"])
    assert result.failed() == [], result.output
    assert result.errors() == [], result.output
    for check_id in ("tes.submit.create", "tes.submit.listed", "tes.submit.final-state", "tes.submit.logs",
                     "tes.submit.cancel", "tes.submit.transitions"):
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id))
    assert len(app.submitted) == 2
    assert all(app.tasks[t]["state"] in FINAL for t in app.submitted)


def test_a_task_that_never_ends_fails_and_is_cancelled(report_root: Path) -> None:
    app = TesApp(faults=["task-never-ends"], options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes never ends", "services": [
            _entry(server, "1.1.0", writes=True, submit=SUBMIT, poll_seconds=1)]},
            report_root, checks=["tes.submit.final-state"])
    check = result.check("tes.submit.final-state")
    assert check.outcome == "failed" and "STALLED" in check.message, check.message
    assert app.submitted and all(app.tasks[t]["state"] == "CANCELED" for t in app.submitted)


def test_a_1_1_state_on_a_1_0_server_fails(report_root: Path) -> None:
    app = TesApp(version="1.0.0", options={"open": True})
    app.tasks["task-03"]["state"] = "PREEMPTED"
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes 1.0 preempted", "services": [_entry(server, "1.0.0")]},
                             report_root, checks=["tes.task.state-enum"])
    assert result.outcome("tes.task.state-enum") == "failed", result.output


def test_py_tes_is_not_the_judge_of_members_the_schema_allows() -> None:
    """py-tes refuses members its models lack, which the TES schemas allow: those never make the check fail;
    a wrong type still does."""
    from conformance_suites.tes.check_client import _client_error

    assert _client_error({"id": "t", "state": "COMPLETE", "vendor": 1,
                          "resources": {"cpu_cores": 1, "x_gpu": 2}}, "Task") is None
    problem = _client_error({"id": "t", "state": "COMPLETE", "resources": {"cpu_cores": "1"}}, "Task")
    assert problem is not None and "cpu_cores" in problem


def test_a_writes_run_lists_exactly_the_tasks_it_created(report_root: Path, specs_dir: str | None) -> None:
    """Issue 14: the report lists every task the suite created, each cancelled or finished."""
    app = TesApp(version="1.1.0", options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes created", "services": [
            _entry(server, "1.1.0", writes=True, submit=SUBMIT, poll_seconds=5)]},
            report_root, specs_dir=specs_dir, standards=["tes"])
    created = result.scorecard.services[0].created
    assert sorted(c.id for c in created) == sorted(app.submitted) and len(created) == 2
    assert all(c.kind == "task" for c in created)
    by_outcome = {c.outcome: c for c in created}
    assert set(by_outcome) == {"finished", "cancelled"}, created
    assert by_outcome["finished"].state == "COMPLETE" and by_outcome["cancelled"].state == "CANCELED"
    document = json.loads((result.run_dir / "scorecard.json").read_text(encoding="utf-8"))
    assert document["services"][0]["created"] == [c.to_dict() for c in created]
    assert "echo" not in json.dumps(document["services"][0]["created"])  # ids only, not the submitted task


def test_a_task_the_cleanup_cancels_is_listed_as_cancelled(report_root: Path) -> None:
    app = TesApp(faults=["task-never-ends"], options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes never ends", "services": [
            _entry(server, "1.1.0", writes=True, submit=SUBMIT, poll_seconds=1)]},
            report_root, checks=["tes.submit.final-state"])
    created = result.scorecard.services[0].created
    assert [c.id for c in created] == sorted(app.submitted)
    assert created[0].outcome == "cancelled" and created[0].state == "CANCELED", created


def test_a_task_is_cancelled_even_when_the_budget_is_spent(report_root: Path) -> None:
    app = TesApp(faults=["task-never-ends"], options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes spent", "services": [
            _entry(server, "1.1.0", writes=True, submit=SUBMIT, poll_seconds=1)],
            "budget": {"requests_per_second": 500, "max_requests": 4}},
            report_root, checks=["tes.submit.final-state"])
    created = result.scorecard.services[0].created
    assert created and [c.id for c in created] == sorted(app.submitted)
    assert all(c.outcome == "cancelled" for c in created), created


def test_a_service_that_asks_for_credentials_the_profile_lacks_is_not_failed(report_root: Path) -> None:
    # the reference TES without `open` wants a bearer token; a profile without one (e.g. tested from a registry
    # alone) cannot see what it answers a caller it admits: skipped with the reason, never failed
    app = TesApp(version="1.1.0")
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes closed", "services": [_entry(server, "1.1.0")]}, report_root,
                             standards=["tes"])
    assert result.failed() == [], result.output
    for check_id in ("tes.list.response", "tes.task.unknown-id"):
        check = result.check(check_id)
        assert check.outcome == "skipped" and "answered 401" in check.message, (check_id, check.message)
        assert "the profile gives none" in check.message


class SlowQueue(TesApp):
    """A conformant TES on a busy queue: created tasks run for longer than the suite polls (TES bounds no task's
    duration), and a cancel takes effect later than the polls too (TES bounds no cancel's either)."""

    endless = True

    @route("POST", "/tasks/{id}:cancel")
    def cancel_task(self, request: Request) -> Reply:
        self.posts += 1
        task = self.tasks.get(request.params["id"])
        if task is None:
            return self.error(404, f"no task {request.params['id']}")
        self.cancels.append(task["id"])
        if len(self.cancels) > 1:  # the clean-up's cancel, long after the check's: it has taken effect by then
            for task_id in self.cancels:
                self.tasks[task_id]["state"] = "CANCELED"
        return json_reply({})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cancels: list[str] = []


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_a_task_that_outlasts_the_polls_is_undecided_not_failed(version: str, report_root: Path) -> None:
    """TES 1.0.0 and 1.1.0 tesState: no text bounds how long a task or its cancel takes; a conformant service
    whose created task is still RUNNING when poll_seconds ends is not failed (final-state, cancel)."""
    app = SlowQueue(version=version, options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes slow queue", "services": [
            _entry(server, version, writes=True, submit=SUBMIT, poll_seconds=1)]},
            report_root, checks=["tes.submit.final-state", "tes.submit.cancel"])
    assert result.failed() == [] and result.errors() == [], result.output
    for check_id in ("tes.submit.final-state", "tes.submit.cancel"):
        check = result.check(check_id)
        assert check.outcome == "skipped" and "polling budget" in check.message, (check_id, check.message)
    assert app.submitted and all(app.tasks[t]["state"] == "CANCELED" for t in app.submitted)


class UnknownStateLeftOut(TesApp):
    """A TES whose task-12 is in the state UNKNOWN, which it leaves out as a proto3 server leaves out an enum's
    zero value: tesState's UNKNOWN "provides a safe default for messages where this field is missing"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tasks["task-12"]["state"] = "UNKNOWN"

    def render(self, task: dict[str, Any], view: str) -> dict[str, Any]:
        shown = super().render(task, view)
        if shown.get("state") == "UNKNOWN":
            del shown["state"]
        return shown


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_a_minimal_task_without_its_unknown_state_is_not_failed(version: str, report_root: Path,
                                                                specs_dir: str | None) -> None:
    app = UnknownStateLeftOut(version=version, options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes state left out", "services": [_entry(server, version)]},
                             report_root, specs_dir=specs_dir, standards=["tes"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("tes.view.minimal") == "passed"


# -- a live deployment: other clients create, finish and purge tasks while the suite reads ------------------

FILTERS = ("name_prefix", "state", "tag_key")


def _matches(task: dict[str, Any], request: Request) -> bool:
    prefix, state, key = (request.arg(name) for name in FILTERS)
    tags = task.get("tags") or {}
    value = request.arg("tag_value")
    return ((not prefix or str(task.get("name", "")).startswith(prefix)) and (not state or task["state"] == state)
            and (not key or (key in tags and (not value or tags[key] == value))))


class PurgedMidWalk(TesApp):
    """A conformant TES whose completed task-01 is purged (TES ListTasks: "How long completed tasks are stored by the
    system may be dependent on the underlying implementation") once the suite's first paged walk has read its
    first page: the offset tokens then skip task-06, which TES, asking for no stable order, allows."""

    purged = False

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if request.arg("page_token") and request.arg("page_size") == "5" and not self.purged:
            self.purged = True
            del self.tasks["task-01"]
        return super().list_tasks(request)


class CreatedMidWalk(TesApp):
    """A conformant TES that lists the newest task first, where another client creates a task once (or, with
    ``every``, each time) the suite's walk asks for a next page: the offset tokens then repeat a task."""

    every = False
    made = 0

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if request.arg("page_token") and (self.every or not self.made):
            self.made += 1
            task = {"id": f"other-{self.made:03d}", "state": "QUEUED", "name": "someone-else", "tags": {},
                    "executors": [{"image": "alpine", "command": ["true"]}], "creation_time": "2026-12-02T00:00:00Z"}
            self.tasks = {task["id"]: task, **self.tasks}
        return super().list_tasks(request)


@pytest.mark.parametrize("app_class", [PurgedMidWalk, CreatedMidWalk])
def test_a_list_that_changes_during_the_walk_is_not_failed(app_class: type[TesApp], report_root: Path) -> None:
    app = app_class(version="1.1.0", options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes busy list", "services": [_entry(server, "1.1.0")]}, report_root,
                             checks=["tes.list.paging"])
    check = result.check("tes.list.paging")
    assert check.outcome == "passed", check.message


def test_a_list_that_changes_during_every_walk_is_undecided(report_root: Path) -> None:
    app = CreatedMidWalk(version="1.1.0", options={"open": True})
    app.every = True
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes very busy list", "services": [_entry(server, "1.1.0")]},
                             report_root, checks=["tes.list.paging"])
    check = result.check("tes.list.paging")
    assert check.outcome == "skipped" and "changed during each" in check.message, check.message


class PurgedBeforeFiltering(TesApp):
    """A conformant TES where the last stored task a filter matches is purged just before the suite's first
    request with that filter: it was in the unfiltered list, and is gone (404) by the filtered one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purged: list[str] = []

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if any(request.arg(name) for name in FILTERS) and not self.purged:
            matching = [t["id"] for t in self.tasks.values() if _matches(t, request)]
            if matching:
                self.purged.append(matching[-1])
                del self.tasks[matching[-1]]
        return super().list_tasks(request)


class FilteredInWindows(TesApp):
    """A conformant TES that answers a filtered list by scanning its tasks four at a time: each page holds the
    matches among the next four, with a next_page_token while tasks remain (ListTasks: page_token "is used to
    retrieve the next page of results"), so a first page short of page_size is not the whole filtered list."""

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if not any(request.arg(name) for name in FILTERS):
            return super().list_tasks(request)
        offset = int(request.arg("page_token") or 0)
        stored = list(self.tasks.values())
        page = [self.render(t, self.view_of(request) or "MINIMAL") for t in stored[offset:offset + 4]
                if _matches(t, request)]
        body: dict[str, Any] = {"tasks": page}
        if offset + 4 < len(stored):
            body["next_page_token"] = str(offset + 4)
        return json_reply(body)


class FilterLeavesOneOut(FilteredInWindows):
    """A TES whose filtered lists always leave out the last matching task: a real violation, still caught."""

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if any(request.arg(name) for name in FILTERS):
            last = [t["id"] for t in self.tasks.values() if _matches(t, request)][-1:]
            hidden = {i: self.tasks.pop(i) for i in last}
            try:
                return super().list_tasks(request)
            finally:
                self.tasks.update(hidden)
        return super().list_tasks(request)


FILTER_CHECKS = ["tes.list.name-prefix", "tes.list.state-filter", "tes.list.tag-filter", "tes.property.name-prefix"]


@pytest.mark.parametrize("check_id", FILTER_CHECKS)
def test_a_task_purged_before_the_filtered_read_is_not_lost(check_id: str, report_root: Path) -> None:
    app = PurgedBeforeFiltering(version="1.1.0", options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes purged", "services": [_entry(server, "1.1.0")]}, report_root,
                             checks=[check_id])
    assert app.purged, "the stand-in purged nothing"
    assert result.outcome(check_id) == "passed", result.check(check_id).message


def test_a_filtered_list_is_walked_by_its_next_page_token(report_root: Path) -> None:
    app = FilteredInWindows(version="1.1.0", options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes windows", "services": [_entry(server, "1.1.0")]}, report_root,
                             checks=FILTER_CHECKS)
    for check_id in FILTER_CHECKS:
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)


def test_a_filtered_list_that_leaves_a_task_out_still_fails(report_root: Path) -> None:
    app = FilterLeavesOneOut(version="1.1.0", options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes filter loses", "services": [_entry(server, "1.1.0")]}, report_root,
                             checks=FILTER_CHECKS)
    for check_id in FILTER_CHECKS:
        check = result.check(check_id)
        assert check.outcome == "failed" and "left out matching task" in check.message, (check_id, check.message)


class NoTaskLogs(TesApp):
    """A conformant TES that gives no task logs: tesTask.logs is optional in TES 1.0.0 and 1.1.0."""

    def advance(self, task: dict[str, Any]) -> None:
        super().advance(task)
        task.pop("logs", None)


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_a_completed_task_without_logs_is_not_failed(version: str, report_root: Path) -> None:
    app = NoTaskLogs(version=version, options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes no logs", "services": [
            _entry(server, version, writes=True, submit=SUBMIT, poll_seconds=5)]},
            report_root, checks=["tes.submit.logs"])
    check = result.check("tes.submit.logs")
    assert check.outcome == "skipped" and check.message.startswith("does not apply: "), check.message


def test_a_task_answered_with_a_page_fails_saying_it_is_no_json(report_root: Path) -> None:
    # an HTML page for GET /tasks/{id} failed as "a task with id None"
    class PageForTask(TesApp):
        @route("GET", "/tasks/{id}")
        def get_task(self, request: Request) -> Reply:
            return Reply(200, b"<html><body>Task</body></html>", {"Content-Type": "text/html"})

    with ReferenceServer(PageForTask(version="1.1.0", options={"open": True})) as server:
        result = run_profile({"initiative": "pages", "services": [_entry(server, "1.1.0")]}, report_root,
                             checks=["tes.task.get-by-id"])
    message = result.check("tes.task.get-by-id").message
    assert result.outcome("tes.task.get-by-id") == "failed", message
    assert "not JSON" in message and "id None" not in message, message


@pytest.mark.parametrize("outputs", [None, [], [{"url": "s3://b/f", "path": "/out/f", "size_bytes": "1024"}],
                                     [{"url": "s3://b/f", "path": "/out/f", "size_bytes": 1024}]])
def test_output_file_logs_the_text_allows(outputs: Any) -> None:
    """Absent (proto3 leaves an empty list out), and size_bytes as the int64 string or a JSON integer."""
    assert _output_logs_problem(outputs) is None


@pytest.mark.parametrize(("outputs", "said"), [({"url": "x"}, "not an array"), (["x"], "not an output file log"),
                                               ([{"path": "/f", "size_bytes": "1"}], "with no url"),
                                               ([{"url": "s3://b/f", "path": 3, "size_bytes": "1"}], "non-string path"),
                                               ([{"url": "s3://b/f", "path": "/f", "size_bytes": "1 kB"}],
                                                "size_bytes")])
def test_output_file_logs_missing_what_they_require(outputs: Any, said: str) -> None:
    problem = _output_logs_problem(outputs)
    assert problem is not None and said in problem


def test_tasks_not_listed_is_not_called_an_empty_list(report_root: Path) -> None:
    """GET /tasks answered without a tasks array (fault list-no-tasks) and the profile names no task: the checks
    that read tasks by id skip saying the listing was not read, not "GET /tasks lists none"."""
    app = TesApp(faults=["list-no-tasks"], version="1.1.0", options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes unlisted", "services": [_entry(server, "1.1.0")]}, report_root,
                             checks=["tes.task.get-by-id", "tes.task.timestamps"])
    for check_id in ("tes.task.get-by-id", "tes.task.timestamps"):
        finding = result.check(check_id)
        assert finding.outcome == "skipped", finding
        assert "lists none" not in finding.message and "without a tasks array" in finding.message, finding.message
