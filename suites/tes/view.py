"""What the TES checks share: one cached view of a Task Execution Service per run.

Reads (service-info, the task list in each view, filtered lists, tasks by id) are fetched once. The
list is read as one large page (:data:`ALL_PAGE_SIZE`, under the spec's 2048) and walked in small pages
(:data:`WALK_PAGE_SIZE`) for at most :data:`MAX_PAGES` pages, so a run against a large server stays
bounded. With ``writes: true`` the view creates tasks from the profile's ``submit`` and, when the run
ends (:meth:`Tes.close`), cancels every one it created that is not yet in a final state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from conformance import Response, ServiceView

#: States of TES 1.0.0 (tesState) and those 1.1.0 adds.
STATES_1_0 = ("UNKNOWN", "QUEUED", "INITIALIZING", "RUNNING", "PAUSED", "COMPLETE", "EXECUTOR_ERROR",
              "SYSTEM_ERROR", "CANCELED")
STATES_1_1 = (*STATES_1_0, "PREEMPTED", "CANCELING")
#: States whose definitions say the task is over: it "has completed running", an executor or the system
#: "stopped" it, or it "was canceled" (tesState). PREEMPTED is left out: a system may re-queue it.
FINAL = ("COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED")
#: States a task that is over can never report again.
ACTIVE = ("QUEUED", "INITIALIZING", "RUNNING", "PAUSED")
VIEWS = ("MINIMAL", "BASIC", "FULL")
ALL_PAGE_SIZE = 2047
WALK_PAGE_SIZE = 5
MAX_PAGES = 50
#: Tasks read by id in each view.
MAX_TASKS = 5
#: The most tasks missing from a list that are read again by id before the check is decided.
MAX_REREAD = 10
#: How long a submitted task may take to reach a final state, and the longest pause between polls.
POLL_SECONDS = 120.0
POLL_PAUSE = 2.0
#: Name prefix of the tasks the suite creates (so that they can be told from others').
TASK_NAME = "ga4gh-conformance"


def tasks_of(body: dict[str, Any] | None) -> Any:
    """The ``tasks`` of a ListTasksResponse body (None for no body). A body that leaves ``tasks`` out and holds
    nothing but next_page_token lists no task: the proto3 JSON mapping, which Funnel's gateway follows (TES 1.0
    and 1.1 came from that proto), leaves an empty repeated field out, so a list of no task is ``{}``. A body
    with other members instead (the tasks under another name) is not read as empty."""
    if body is None:
        return None
    if "tasks" not in body and set(body) <= {"next_page_token"}:
        return []
    return body.get("tasks")


def task_path(task_id: str) -> str:
    return f"/tasks/{quote(task_id, safe='')}"


UNKNOWN_ID = "ga4gh-conformance-no-such-task-0000"


def named(tasks: list[Any], most: int = 5) -> str:
    """The first tasks as ``'id' (name 'n')``, for a message about names (a task without a name says so)."""
    def one(task: Any) -> str:
        if not isinstance(task, dict):
            return f"{task!r} (not a task)"
        name = task.get("name")
        return f"{task.get('id')!r} ({'name ' + repr(name) if isinstance(name, str) else 'no name'})"
    return ", ".join(one(task) for task in tasks[:most])


@dataclass
class TaskWalk:
    """GET /tasks walked from its first page by next_page_token, every page read afresh."""

    tasks: list[dict[str, Any]] = field(default_factory=list)
    #: the last page read (the evidence of a finding)
    last: Response | None = None
    #: walked to a page without next_page_token (not stopped at the page limit)
    whole: bool = False
    #: (id, the page that listed it a second time)
    repeated: tuple[str, Response] | None = None

    def ids(self) -> set[str]:
        return {t["id"] for t in self.tasks if isinstance(t.get("id"), str)}


class Tes(ServiceView):
    """The run's view of one TES service."""

    created: list[str]
    #: (its number, the answer) of the last page a walk found no list of tasks on (see :meth:`walk_tasks`)
    broken_page: tuple[int, Response] | None = None
    #: the last walk of GET /tasks made afresh to tell a purged task, None when broken (see :meth:`purged`)
    _fresh_walk: TaskWalk | None = None

    def states(self) -> tuple[str, ...]:
        return STATES_1_1 if self.at_least("1.1.0") else STATES_1_0

    # -- reads -------------------------------------------------------------------------------------

    def service_info(self) -> tuple[dict[str, Any], Response]:
        response = self.memo("service-info", lambda: self.client.get("/service-info"))
        body = response.json_object() if response.status == 200 else None
        if body is None:
            pytest.skip(f"GET /service-info answered {response.status} without a JSON object "
                        "(see service-info.endpoint.answers-200)")
        return body, response

    def list_response(self, **params: str) -> Response:
        key = ("list", tuple(sorted(params.items())))
        return self.memo(key, lambda: self.client.get("/tasks", params=params or None))

    def listed(self, **params: str) -> tuple[list[dict[str, Any]], Response]:
        """The tasks of one page of GET /tasks; skips when it is not a ListTasksResponse."""
        response = self.list_response(**params)
        self.require_admission(response, "GET /tasks")
        body = response.json_object() if response.status == 200 else None
        tasks = tasks_of(body)
        if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
            # tes.list.response judges GET /tasks without parameters: pointed at where that read fails too
            query = "?" + urlencode(params) if params else ""
            plain = self.list_response() if params else response
            judged = not isinstance(tasks_of(plain.json_object() if plain.status == 200 else None), list)
            pytest.skip(f"GET /tasks{query} answered {response.status} without a tasks array of objects"
                        + (" (see tes.list.response)" if judged else ""))
        return tasks, response

    def all_tasks(self, view: str = "BASIC") -> tuple[list[dict[str, Any]], Response]:
        """The tasks of one large page, in ``view``."""
        return self.listed(view=view, page_size=str(ALL_PAGE_SIZE))

    def walk_tasks(self, params: dict[str, str], first: Response | None = None,
                   max_pages: int = MAX_PAGES) -> TaskWalk | None:
        """GET /tasks with ``params`` walked by next_page_token from ``first`` (a first page already read) or
        from a fresh first page, at most ``max_pages`` pages; None when a page is not a list of tasks (that is
        tes.list.response's finding)."""
        walk = TaskWalk()
        tokens: set[str] = set()
        token = ""
        response = first if first is not None else self.client.get("/tasks", params=params)
        for index in range(max_pages):
            if index:
                response = self.client.get("/tasks", params={**params, "page_token": token})
            walk.last = response
            body = response.json_object() if response.status == 200 else None
            tasks = tasks_of(body)
            if body is None or not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
                self.broken_page = (index + 1, response)
                return None
            seen = walk.ids()
            for task in tasks:
                task_id = task.get("id")
                if walk.repeated is None and isinstance(task_id, str) and task_id in seen:
                    walk.repeated = (task_id, response)
                if isinstance(task_id, str):
                    seen.add(task_id)
            walk.tasks.extend(tasks)
            given = body.get("next_page_token")
            if not isinstance(given, str) or not given or given in tokens:
                walk.whole = not isinstance(given, str) or not given
                return walk
            token = given
            tokens.add(token)
        return walk

    def still_listable(self, task_id: str, keep: Callable[[dict[str, Any]], bool]) -> bool:
        """Whether the task, read again by id now (BASIC view), still exists, is over and matches ``keep``:
        a task purged meanwhile (404: "How long completed tasks are stored by the system may be dependent on
        the underlying implementation", TES ListTasks) or that answers anything else cannot be missed."""
        response = self.client.get(task_path(task_id), params={"view": "BASIC"})
        body = response.json_object() if response.status == 200 else None
        return body is not None and body.get("state") in FINAL and bool(keep(body))

    def unlisted(self, expected: list[dict[str, Any]], params: dict[str, str], keep: Callable[[dict[str, Any]], bool],
                 first: Response | None = None) -> tuple[list[str], Response | None]:
        """The tasks of ``expected`` (an earlier read) that match ``keep``, are over (so cannot have changed
        since), and that GET /tasks with ``params``, walked to its end, leaves out although they still exist and
        match when read again by id, and are left out again by a second walk (a walk of a list that other
        clients change meanwhile may skip a task: TES asks for no stable order). Empty when the list could not
        be walked to its end (nothing can be told missing)."""
        walk = self.walk_tasks(params, first)
        if walk is None or not walk.whole:
            return [], None
        listed = walk.ids()
        candidates = [t["id"] for t in expected if isinstance(t.get("id"), str) and t["id"] not in listed
                      and t.get("state") in FINAL and keep(t)]
        if not candidates:
            return [], walk.last
        missing = [task_id for task_id in candidates[:MAX_REREAD] if self.still_listable(task_id, keep)]
        if not missing:
            return [], walk.last
        again = self.walk_tasks(params)
        if again is None or not again.whole:
            return [], None
        listed = again.ids()
        return [task_id for task_id in missing if task_id not in listed], again.last

    def purged(self, task_id: str) -> bool:
        """Whether a task listed earlier is gone now: GET /tasks walked afresh to its end no longer lists it (a
        TES may purge completed tasks: "How long completed tasks are stored by the system may be dependent on the
        underlying implementation", ListTasks).

        One walk afresh serves every task asked of (up to 50 pages each: not one per task); it is walked again
        only when it still lists the task asked of, or did not end, as it may be older than that task's purge.
        Its broken page, if any, is not kept in :attr:`broken_page`, which names that of a listing check's walk."""
        def leaves_out(walk: TaskWalk | None) -> bool:
            return walk is not None and walk.whole and task_id not in walk.ids()

        def gone() -> bool:
            if leaves_out(self._fresh_walk):
                return True
            kept = self.broken_page
            try:
                walk = self._fresh_walk = self.walk_tasks({"view": "MINIMAL", "page_size": str(ALL_PAGE_SIZE)})
            finally:
                self.broken_page = kept
            return leaves_out(walk)

        return bool(self.memo(("purged", task_id), gone))

    def ids(self) -> list[str]:
        """Task ids: the profile's, then the listed ones, each once."""
        def read() -> tuple[list[str], str]:
            found = list(self.option("tasks"))
            unlisted = "GET /tasks lists none"
            try:
                tasks, _ = self.all_tasks("MINIMAL")
            except pytest.skip.Exception as exc:  # the listing was not read: say why, not that it is empty
                tasks, unlisted = [], str(exc.msg)
            for task in tasks:
                if isinstance(task.get("id"), str) and task["id"] not in found:
                    found.append(task["id"])
            return found, unlisted
        found, unlisted = self.memo("ids", read)
        if not found:
            pytest.skip(f"the profile names no task, and {unlisted}")
        return found

    def task(self, task_id: str, view: str | None) -> Response:
        params = {"view": view} if view else None
        return self.memo(("task", task_id, view), lambda: self.client.get(task_path(task_id), params=params))

    def tasks(self, view: str | None) -> list[tuple[str, dict[str, Any], Response]]:
        """(id, task, response) of the first tasks read by id in ``view`` (None: no view parameter)."""
        found = []
        answers: list[str] = []
        for task_id in self.ids()[:MAX_TASKS]:
            response = self.task(task_id, view)
            body = response.json_object() if response.status == 200 else None
            if body is not None:
                found.append((task_id, body, response))
            elif not answers:
                query = f"?view={view}" if view else ""
                answers.append(f"GET {task_path(task_id)}{query} answered {response.status}"
                               + ("" if response.status == 200 else " without a task"))
        if not found:
            # tes.task.get-by-id judges the MINIMAL view: another view's answer is not its finding
            see = " (see tes.task.get-by-id)" if view == "MINIMAL" else ""
            pytest.skip(f"no task could be read by id: {answers[0]}{see}")
        return found

    # -- writes ------------------------------------------------------------------------------------

    def require_writes(self) -> dict[str, Any]:
        if self.service.options.get("writes") is not True:
            # the requirement applies to the server; the profile only keeps the harness from testing it
            pytest.skip("read-only: the profile entry does not say writes: true (with a submit task, the suite "
                        "creates and cancels tasks)")
        submit = self.service.options.get("submit")
        if not isinstance(submit, dict):
            pytest.skip("writes: true but the profile entry gives no submit task")
        return dict(submit)

    def create(self, label: str) -> tuple[str | None, Response]:
        """POST /tasks with the profile's task, named for the suite; remembers the id to cancel it."""
        submit = self.require_writes()
        document = {**submit, "name": f"{TASK_NAME}-{label}"}
        response = self.client.post("/tasks", json=document)
        body = response.json_object() if response.status == 200 else None
        task_id = body.get("id") if body is not None else None
        if isinstance(task_id, str) and task_id:
            self.created_ids().append(task_id)
            self.record_created("task", task_id)
            return task_id, response
        return None, response

    def created_ids(self) -> list[str]:
        if not hasattr(self, "created"):
            self.created = []
        return self.created

    def cancelled_ids(self) -> set[str]:
        """Tasks whose cancel this suite sent and the service answered 200."""
        if not hasattr(self, "_cancelled"):
            self._cancelled: set[str] = set()
        return self._cancelled

    def cancel(self, task_id: str) -> Response:
        """POST /tasks/{id}:cancel (only of a task this suite created: see :meth:`create`)."""
        response = self.client.post(f"{task_path(task_id)}:cancel", json={})
        if response.status == 200:
            self.cancelled_ids().add(task_id)
        return response

    def state_now(self, task_id: str) -> str | None:
        response = self.client.get(task_path(task_id), params={"view": "MINIMAL"})
        body = response.json_object() if response.status == 200 else None
        state = body.get("state") if body is not None else None
        return state if isinstance(state, str) else None

    def submitted(self) -> tuple[str, Response]:
        """The task created for the run (once); skips when the service did not give an id."""
        task_id, response = self.memo("submitted", lambda: self.create("run"))
        self.require_admission(response, "POST /tasks")
        if task_id is None:
            pytest.skip("POST /tasks gave no task id (see tes.submit.create)")
        return task_id, response

    def poll(self, task_id: str) -> tuple[list[str], Response]:
        """The states seen polling the task (MINIMAL view) until a final one or :data:`POLL_SECONDS`."""
        seen: list[str] = []
        limit = self.service.options.get("poll_seconds")
        deadline = time.monotonic() + (float(limit) if isinstance(limit, (int, float)) else POLL_SECONDS)
        pause = 0.05
        while True:
            response = self.client.get(task_path(task_id), params={"view": "MINIMAL"})
            body = response.json_object() if response.status == 200 else None
            state = body.get("state") if body is not None else None
            if isinstance(state, str) and (not seen or seen[-1] != state):
                seen.append(state)
            if state in FINAL or time.monotonic() + pause > deadline:
                return seen, response
            time.sleep(pause)
            pause = min(pause * 2, POLL_PAUSE)

    def finished(self) -> tuple[str, list[str], Response]:
        """The submitted task polled once to its end: (id, states seen, last response)."""
        task_id, _ = self.submitted()
        seen, response = self.memo("finished", lambda: self.poll(task_id))
        return task_id, seen, response

    def clean_up(self) -> None:
        """Cancel every task this run created that is not in a final state (cleanup, also after a
        failure, an interrupted run or a spent budget: three requests per task are granted beyond it, its
        state, the cancel and its state after), and settle each one's outcome for the report."""
        pending = [item for item in self.created_items() if not item.settled]
        if not pending:
            return
        self.run.limits.grant(requests=3 * len(pending), seconds=30 * len(pending))
        for item in pending:
            self.settle_created(item, partial(self.state_now, item.id), partial(self.cancel, item.id),
                                final=FINAL, stopping=("CANCELING",),
                                cancelled_before=item.id in self.cancelled_ids())

    def close(self) -> None:
        self.clean_up()
