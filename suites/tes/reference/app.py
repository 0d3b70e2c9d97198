"""Reference TES server (GA4GH Task Execution Service 1.0.0 and 1.1.0) with named faults.

It holds twelve finished tasks (names, tags, inputs with content, logs with stdout, stderr and system
logs) and runs the tasks POSTed to it on a fake engine, no containers: each GET of a submitted task
moves it one state on (QUEUED, INITIALIZING, RUNNING, COMPLETE), so a task's life is deterministic and
as quick as the client polls. Views, paging (an opaque offset token), name_prefix and (1.1.0) the state
and tag filters follow the spec; a fault breaks one rule and stays self-consistent otherwise.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document

DEFAULT_PAGE_SIZE = 256
SEEDED_STATES = ("COMPLETE", "COMPLETE", "EXECUTOR_ERROR", "COMPLETE", "CANCELED", "SYSTEM_ERROR")
LIFE = ("QUEUED", "INITIALIZING", "RUNNING", "COMPLETE")
FINAL = ("COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED")


def _seeded(index: int) -> dict[str, Any]:
    state = SEEDED_STATES[index % len(SEEDED_STATES)]
    stamp = f"2026-01-{index + 1:02d}T10:00:00Z"
    end = f"2026-01-{index + 1:02d}T10:05:00Z"
    return {
        "id": f"task-{index + 1:02d}",
        "state": state,
        "name": f"{'align' if index % 2 else 'call'}-sample-{index + 1:02d}",
        "description": "reference task",
        "inputs": [{"path": "/data/script.sh", "content": "echo hello\n", "type": "FILE"}],
        "outputs": [{"path": "/data/out.txt", "url": f"file:///tmp/out-{index + 1:02d}.txt", "type": "FILE"}],
        "resources": {"cpu_cores": 1, "ram_gb": 1.0},
        "executors": [{"image": "alpine", "command": ["sh", "/data/script.sh"]}],
        "tags": {"project": "p1" if index < 6 else "p2", "sample": f"s{index + 1:02d}"},
        "creation_time": stamp,
        "logs": [{"start_time": stamp, "end_time": end, "system_logs": ["scheduled on node-1"],
                  "logs": [{"start_time": stamp, "end_time": end, "exit_code": 0 if state == "COMPLETE" else 1,
                            "stdout": "hello\n", "stderr": ""}]}],
    }


#: The task a writes run of the fault entries creates: one executor, one output (its log gives url, path, size).
DEMO_SUBMIT = {"executors": [{"image": "alpine", "command": ["sh", "-c", "echo hello > /out/result.txt"]}],
               "outputs": [{"path": "/out/result.txt", "url": "file:///tmp/tes/result.txt"}]}


class TesApp(ReferenceApp):
    """An in-memory TES server with a fake engine."""

    base_path = "/ga4gh/tes/v1"
    OPTIONS: ClassVar[Mapping[str, str]] = {"open": "true: /tasks asks no bearer token"}
    #: A fake engine whose created tasks stay RUNNING until cancelled: still conformant (TES bounds no
    #: task's duration), what a busy queue looks like to a client that polls for a while.
    endless: ClassVar[bool] = False
    #: The state the ``task-never-ends`` fault reports for a created task that stays running: no tesState.
    STALLED = "STALLED"

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        self.tasks: dict[str, dict[str, Any]] = {}
        for index in range(12):
            task = _seeded(index)
            if index == 0 and self.has("state-not-in-enum"):
                task["state"] = "DONE"
            if index == 1 and self.has("timestamp-not-rfc3339"):
                task["creation_time"] = "02/01/2026 10:00"
            self.tasks[task["id"]] = task
        self.submitted: set[str] = set()
        self.minimal_reads: dict[str, int] = {}
        self.went_back: set[str] = set()
        self.posts = 0
        self._explicit = False
        #: The bearer token /tasks requires (issued to the run); ``open`` (set only by tests that build
        #: the server themselves) serves without one.
        self.token = secrets.token_urlsafe(24)
        self.open = bool(self.options.get("open"))

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        """The demo is read-only (issue 14): 1.0.0 and 1.1.0, no task created."""
        return [{"standard": "tes", "version": version, "reference": True}
                for version in (cls.versions[0], cls.versions[-1])]

    @classmethod
    def fault_entries(cls) -> list[dict[str, Any]]:
        """1.0.0 read-only, and 1.1.0 with writes (it creates two tasks on this embedded server only)."""
        return [{"standard": "tes", "version": cls.versions[0], "reference": True},
                {"standard": "tes", "version": cls.versions[-1], "reference": True, "writes": True,
                 "poll_seconds": 5, "submit": DEMO_SUBMIT}]

    def issued_secrets(self) -> dict[str, str]:
        return {"bearer_token_env": self.token}

    def handle(self, request: Request) -> Reply:
        if request.path.startswith(f"{self.base_path}/tasks") and not self.open:
            header = request.header("Authorization")
            forged = self.has("forged-token-accepted") and bool(header) and str(header).startswith("Bearer ")
            if header != f"Bearer {self.token}" and not forged:
                return self.error(401, "a valid bearer token is required")
        return super().handle(request)

    # -- helpers -----------------------------------------------------------------------------------

    def error(self, status: int, msg: str) -> Reply:
        return json_reply({"msg": msg, "status_code": status}, status)

    def states(self) -> tuple[str, ...]:
        extra = ("PREEMPTED", "CANCELING") if self.version >= "1.1" else ()
        return ("UNKNOWN", "QUEUED", "INITIALIZING", "RUNNING", "PAUSED", *FINAL, *extra)

    def render(self, task: dict[str, Any], view: str) -> dict[str, Any]:
        shown = self._render(task, view)
        if self.has("task-never-ends") and task["id"] in self.submitted and task["state"] == "RUNNING":
            shown["state"] = self.STALLED
        return shown

    def _render(self, task: dict[str, Any], view: str) -> dict[str, Any]:
        if view == "MINIMAL":
            shown = {"id": task["id"], "state": task["state"]}
            if self.has("minimal-view-extra-fields") and self._explicit:
                shown["name"] = task.get("name", "")
            return shown
        shown = copy.deepcopy(task)
        if self.has("cpu-cores-string") and isinstance(shown.get("resources"), dict) \
                and "cpu_cores" in shown["resources"]:
            shown["resources"]["cpu_cores"] = str(shown["resources"]["cpu_cores"])
        if view == "FULL":
            if self.has("full-view-no-executors"):
                shown.pop("executors", None)
            return shown
        if not self.has("basic-view-has-input-content"):
            for item in shown.get("inputs") or []:
                item.pop("content", None)
        for log in shown.get("logs") or []:
            if not self.has("basic-view-has-system-logs"):
                log.pop("system_logs", None)
            if not self.has("basic-view-has-stdout"):
                for executor_log in log.get("logs") or []:
                    executor_log.pop("stdout", None)
                    executor_log.pop("stderr", None)
        return shown

    def view_of(self, request: Request) -> str | None:
        view = request.arg("view")
        self._explicit = view is not None
        if view is None:
            return "BASIC" if self.has("default-view-basic") else "MINIMAL"
        return view if view in ("MINIMAL", "BASIC", "FULL") else None

    def advance(self, task: dict[str, Any]) -> None:
        """One step of a submitted task's life, taken on each read by id."""
        state = task["state"]
        if state in LIFE[:-1]:
            if (self.endless or self.has("task-never-ends")) and state == "RUNNING":
                return
            task["state"] = LIFE[LIFE.index(state) + 1]
            if task["state"] == "COMPLETE":
                stamp = task["creation_time"]
                executor_log: dict[str, Any] = {"start_time": stamp, "end_time": stamp, "exit_code": 0,
                                                "stdout": "hello\n", "stderr": ""}
                if self.has("executor-log-exit-code-string"):
                    executor_log["exit_code"] = "0"
                outputs = [{"url": output.get("url", ""), "path": output.get("path", ""), "size_bytes": "6"}
                           for output in task.get("outputs") or [] if isinstance(output, dict)]
                if self.has("output-log-no-url"):
                    outputs = [{"path": "/out/result.txt", "size_bytes": "6"}]
                task["logs"] = [{"start_time": stamp, "end_time": stamp, "system_logs": ["ran on the fake engine"],
                                 "logs": [executor_log], **({"outputs": outputs} if outputs else {})}]

    # -- endpoints ---------------------------------------------------------------------------------

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        extra: dict[str, Any] = {"storage": "file:///tmp" if self.has("service-info-storage-not-array")
                                 else ["file:///tmp/tes"]}
        if self.version >= "1.1":
            broken = self.has("service-info-backend-parameters-not-array")
            extra["tesResources_backend_parameters"] = "VmSize" if broken else ["VmSize"]
        return json_reply(service_info_document("tes", self.version, name="Reference TES", extra=extra))

    @route("GET", "/tasks")
    def list_tasks(self, request: Request) -> Reply:
        view = self.view_of(request)
        if view is None:
            return self.error(400, "view must be MINIMAL, BASIC or FULL")
        tasks = [t for t in self.tasks.values() if not (self.has("created-not-listed") and t["id"] in self.submitted)]
        prefix = request.arg("name_prefix")
        if prefix and self.has("name-prefix-substring"):
            tasks = [t for t in tasks if prefix in str(t.get("name", ""))]
        elif prefix and not self.has("name-prefix-ignored"):
            tasks = [t for t in tasks if str(t.get("name", "")).startswith(prefix)]
        if self.version >= "1.1":
            state = request.arg("state")
            if state and not self.has("state-filter-ignored"):
                tasks = [t for t in tasks if t["state"] == state]
            keys = request.query.get("tag_key") or []
            values = request.query.get("tag_value") or []
            for i, key in enumerate(keys):
                value = values[i] if i < len(values) and not self.has("tag-value-ignored") else ""
                tasks = [t for t in tasks if key in (t.get("tags") or {})
                         and (not value or t["tags"][key] == value)]
        try:
            size = int(request.arg("page_size") or DEFAULT_PAGE_SIZE)
            offset = int(request.arg("page_token") or 0)
        except ValueError:
            return self.error(400, "page_size must be an integer and page_token one this server gave")
        if size < 1 or size >= 2048:
            return self.error(400, "page_size must be between 1 and 2047")
        if self.has("page-size-ignored"):
            size = DEFAULT_PAGE_SIZE
        page = tasks[offset:offset + size]
        body: dict[str, Any] = {"tasks": [self.render(t, view) for t in page]}
        if offset + size < len(tasks):
            following = offset + size
            if self.has("paging-repeats"):
                following -= 1
            if self.has("paging-loses"):
                following += 1
            body["next_page_token"] = str(following)
        if self.has("list-no-tasks"):
            body = {"items": body.pop("tasks"), **body}
        return json_reply(body)

    @route("POST", "/tasks")
    def create_task(self, request: Request) -> Reply:
        self.posts += 1
        document = request.json()
        if not isinstance(document, dict) or not isinstance(document.get("executors"), list) \
                or not document["executors"]:
            return self.error(400, "a task needs at least one executor")
        task_id = f"submitted-{len(self.submitted) + 1:02d}"
        task = {**copy.deepcopy(document), "id": task_id, "state": "QUEUED",
                "creation_time": "2026-12-01T12:00:00Z"}
        task.setdefault("tags", {})
        self.tasks[task_id] = task
        self.submitted.add(task_id)
        return json_reply({} if self.has("create-no-id") else {"id": task_id})

    @route("GET", "/tasks/{id}")
    def get_task(self, request: Request) -> Reply:
        task_id = request.params["id"]
        task = self.tasks.get(task_id)
        if task is None:
            if self.has("unknown-id-500"):
                return self.error(500, "internal error looking up the task")
            return self.error(404, f"no task {task_id}")
        view = self.view_of(request)
        if view is None:
            return self.error(400, "view must be MINIMAL, BASIC or FULL")
        if task_id in self.submitted:
            if task["state"] == "COMPLETE" and self.has("final-state-goes-back") and task_id not in self.went_back:
                self.went_back.add(task_id)
                return json_reply({**self.render(task, view), "state": "RUNNING"})
            self.advance(task)
        shown = self.render(task, view)
        if task_id not in self.submitted:
            if self.has("get-wrong-task"):
                shown["id"] = f"{task_id}-copy"
            if view == "MINIMAL" and self.has("final-task-restarts"):
                self.minimal_reads[task_id] = self.minimal_reads.get(task_id, 0) + 1
                if self.minimal_reads[task_id] > 1:
                    shown["state"] = "RUNNING"
        return json_reply(shown)

    @route("POST", "/tasks/{id}:cancel")
    def cancel_task(self, request: Request) -> Reply:
        self.posts += 1
        task = self.tasks.get(request.params["id"])
        if task is None:
            return self.error(404, f"no task {request.params['id']}")
        if task["state"] not in FINAL and not self.has("cancel-ignored"):
            task["state"] = "CANCELED"
        return json_reply({})
