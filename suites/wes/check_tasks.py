"""WES 1.1.0 tasks: task_logs_url, GET /runs/{run_id}/tasks paged and its schema, GET
/runs/{run_id}/tasks/{task_id} (WES 1.1.0 OpenAPI §ListTasks, §GetTask, RunLog.task_logs_url)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import example, given, seed
from hypothesis import strategies as st

from conformance import Response, Run, SpecStore, check, fail, origin_of, schema_errors

from .view import Walk, Wes, answered, run_path


def _walks(wes: Wes) -> list[tuple[str, Walk]]:
    found = []
    for run_id, _, _ in wes.run_logs():
        walk = wes.task_walk(run_id)
        found.append((run_id, walk))
    return found


def _unread(walks: list[tuple[str, Walk]], otherwise: str) -> str:
    """Why the task lists gave nothing to judge: a list that was not read (wes.tasks.list-answers-200 fails it)
    is named, not called a list without tasks."""
    for run_id, walk in walks:
        if walk.broken is not None and not walk.items:
            return (f"GET {run_path(run_id, '/tasks')} answered {answered(walk.broken)} without a task_logs list "
                    "(see wes.tasks.list-answers-200)")
    return otherwise


def _same_resource(one: str, other: str) -> bool:
    """Whether two URLs name the same resource, whatever their queries (a page_size, a page_token)."""
    first, second = urlsplit(one), urlsplit(other)
    return (first.scheme, first.netloc.lower(), first.path.rstrip("/")) == \
        (second.scheme, second.netloc.lower(), second.path.rstrip("/"))


def _get(wes: Wes, url: str) -> Response:
    return wes.memo(("get", url), lambda: wes.client.get(url))


@check("wes.run.task-logs-url-resolves")
def test_task_logs_url_lists_the_tasks(wes: Wes) -> None:
    """task_logs_url, where given, is a complete (absolute) URL and answers 200 with a TaskListResponse ("A
    reference to the complete url which may be used to obtain a paginated list of task logs", WES 1.1.0 OpenAPI
    RunLog.task_logs_url). A relative reference is one failure of its own, never requested against the base."""
    tried = 0
    for run_id, log, response in wes.run_logs():
        url = log.get("task_logs_url")
        if not isinstance(url, str) or not url:
            continue
        if not urlsplit(url).scheme:
            # "the complete url": a relative reference (a path) is not one. It is resolved as RFC 3986 §5.2
            # resolves a reference, against the URL the RunLog was read from, only to say where it leads.
            resolved = urljoin(response.url, url)
            where = f"resolved against the RunLog's URL it names {resolved}"
            if origin_of(resolved) == origin_of(wes.client.url("/")):
                answer = _get(wes, resolved)
                lists = answer.status == 200 and isinstance((answer.json_object() or {}).get("task_logs", []), list)
                where += ", which " + ("answers a task list" if lists else f"answers {answered(answer)}")
            raise fail(f"task_logs_url {url!r} of run {run_id} is a relative reference, not the complete url the "
                       f"text asks for ({where})", response)
        if origin_of(url) != origin_of(wes.client.url("/")):
            continue  # credentials stay with the service's origin: another host's URL is not followed
        tried += 1
        answer = _get(wes, url)
        body = answer.json_object() if answer.status == 200 else None
        if body is None or not isinstance(body.get("task_logs", []), list):
            # the run's own GET /runs/{run_id}/tasks broken: wes.tasks.list-answers-200's finding, counted once
            own = _same_resource(wes.client.url(url), wes.client.url(run_path(run_id, "/tasks")))
            if answer.status in (404, 410) and wes.deleted(run_id):
                continue  # the run was deleted since its RunLog was read
            raise fail(f"task_logs_url {url} of run {run_id} answered {answered(answer)} without a task list",
                       answer, caused_by="wes.tasks.list-answers-200" if own else None)
    if not tried:
        pytest.skip("no RunLog gives a task_logs_url on the service's own origin")


@check("wes.tasks.list-answers-200")
def test_task_list_answers_200(wes: Wes) -> None:
    """GET /runs/{run_id}/tasks answers 200 with a TaskListResponse (WES 1.1.0 OpenAPI §ListTasks); task_logs
    may be left out (TaskListResponse requires no property), but where given it is a list."""
    for run_id, walk in _walks(wes):
        if walk.broken is not None and walk.broken.status in (404, 410) and wes.deleted(run_id):
            continue  # the run was deleted since its RunLog was read: "The requested workflow run wasn't found"
        if walk.broken is not None:
            raise fail(f"GET {run_path(run_id, '/tasks')} answered {answered(walk.broken)} without a task_logs "
                       "list", walk.broken)


@check("wes.schema.task-list-valid")
def test_task_list_pages_match_schema(wes: Wes, schemas: SpecStore) -> None:
    """Every page of GET /runs/{run_id}/tasks matches TaskListResponse (WES 1.1.0 OpenAPI TaskListResponse,
    TaskLog: id and name required)."""
    relative, pointer, openapi = wes.schema("TaskListResponse")
    validator = schemas.validator(relative, pointer, openapi=openapi)
    walks = _walks(wes)
    validated = 0
    for run_id, walk in walks:
        for page in walk.pages:
            body = page.json_object() if page.status == 200 else None
            if body is None:
                continue
            validated += 1
            errors = schema_errors(validator, body)
            if errors:
                raise fail(f"a page of GET {run_path(run_id, '/tasks')} does not match TaskListResponse: "
                           f"{'; '.join(errors)}", page)
    if not validated:  # nothing was validated: not a pass
        pytest.skip(_unread(walks, "no page of GET /runs/{run_id}/tasks answered 200 with a JSON object"))


@check("wes.tasks.page-size-respected")
def test_task_page_size_is_respected(wes: Wes, conformance_run: Run) -> None:
    """No page of tasks holds more than page_size ("must not return more items than `page_size`", WES 1.1.0
    OpenAPI §ListTasks)."""
    walks = _walks(wes)
    candidates = [(run_id, len(walk.items)) for run_id, walk in walks if len(walk.items) >= 2]
    if not candidates:
        pytest.skip(_unread(walks, "no run lists 2 tasks or more: no page size can be exceeded"))
    run_id, count = max(candidates, key=lambda c: c[1])

    def prop(page_size: int) -> None:
        response = wes.client.get(run_path(run_id, "/tasks"), params={"page_size": str(page_size)})
        body = response.json_object() if response.status == 200 else None
        tasks = body.get("task_logs") if body is not None else None
        if isinstance(tasks, list) and len(tasks) > page_size:
            raise fail(f"GET {run_path(run_id, '/tasks')}?page_size={page_size} returned {len(tasks)} tasks",
                       response)

    test: Any = given(page_size=st.integers(1, max(1, min(count - 1, 50))))(prop)
    test = example(page_size=1)(test)
    seed(conformance_run.seed)(test)()


@check("wes.tasks.listed-task-answers-200")
def test_listed_task_answers_200(wes: Wes) -> None:
    """GET /runs/{run_id}/tasks/{task_id} of a listed task answers 200 with that TaskLog (WES 1.1.0 OpenAPI
    §GetTask)."""
    tried = 0
    walks = _walks(wes)
    for run_id, walk in walks:
        for task in walk.items[:3]:
            task_id = task.get("id")
            if not isinstance(task_id, str):
                continue
            tried += 1
            path = run_path(run_id, f"/tasks/{quote(task_id, safe='')}")
            response = wes.client.get(path)
            if response.status != 200:
                raise fail(f"GET {path} of a task the run's task list names answered {answered(response)}", response)
            body = response.json_object()
            if body is None or body.get("id") != task_id:
                got = body.get("id") if body is not None else None
                raise fail(f"GET {path} answered the task {got!r}, not {task_id!r}", response)
    if not tried:
        pytest.skip(_unread(walks, "no run lists a task with an id"))
