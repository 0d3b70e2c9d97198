"""Reference WES server (WES 1.0.0, 1.0.1, 1.1.0) with named faults: a fake engine, no containers.

It holds eight runs (nine in 1.1.0, one PREEMPTED) in fixed states; three of them move, one state per read of
the run (its RunLog or status), so a run's progress depends on how often it is read, never on the wall
clock: run-06 goes QUEUED → INITIALIZING → RUNNING → COMPLETE, run-07 CANCELING → CANCELED, run-08 RUNNING →
COMPLETE. A run submitted with POST /runs (multipart/form-data, validated as the RunRequest describes)
moves the same way, QUEUED → INITIALIZING → RUNNING → COMPLETE; a cancel moves it to CANCELING, then CANCELED.
Every endpoint but /service-info wants the bearer token the server issues for the run. The run list pages
by 3 unless page_size says otherwise; a run's tasks (1.1.0) by 2.

Each fault is one spec violation and names the checks that must catch it (``../faults.yaml``).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document

DEFAULT_PAGE = 3
DEFAULT_TASK_PAGE = 2
MAX_PAGE = 100
EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
TERMINAL = frozenset({"COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED", "PREEMPTED"})
WORKFLOW_URL = "https://example.org/workflows/hello.cwl"
SUBMIT = {"workflow_url": WORKFLOW_URL, "workflow_type": "CWL", "workflow_type_version": "v1.0",
          "workflow_params": {"message": "hello"}, "tags": {"purpose": "conformance"},
          "attachments": {"hello.cwl": "{cwlVersion: v1.0, class: CommandLineTool, baseCommand: echo}"}}
#: The seeded runs: id → the states it goes through (one per read; the last one stays).
SEEDED: dict[str, tuple[str, ...]] = {
    "run-01": ("COMPLETE",),
    "run-02": ("COMPLETE",),
    "run-03": ("EXECUTOR_ERROR",),
    "run-04": ("SYSTEM_ERROR",),
    "run-05": ("CANCELED",),
    "run-06": ("QUEUED", "INITIALIZING", "RUNNING", "COMPLETE"),
    "run-07": ("CANCELING", "CANCELING", "CANCELED"),
    "run-08": ("RUNNING", "RUNNING", "COMPLETE"),
}


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Run:
    run_id: str
    trajectory: list[str]
    request: dict[str, Any]
    started: dt.datetime
    reads: int = 0
    submitted: bool = False
    attachments: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.trajectory[min(self.reads, len(self.trajectory) - 1)]

    def read(self) -> str:
        """The state now; the run then moves one step (a read is the fake engine's clock)."""
        state = self.state
        self.reads += 1
        return state

    def cancel(self) -> None:
        if self.state not in TERMINAL:
            self.trajectory = [*self.trajectory[:self.reads], "CANCELING", "CANCELED"]


class WesApp(ReferenceApp):
    """A WES server over seeded runs and the runs submitted to it."""

    base_path = "/ga4gh/wes/v1"
    #: The states a submitted run goes through, one per read.
    submitted_trajectory: ClassVar[tuple[str, ...]] = ("QUEUED", "INITIALIZING", "RUNNING", "COMPLETE")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = secrets.token_urlsafe(24)
        self.lock = threading.Lock()
        #: every (method, path) received: what a test reads to prove that nothing was written
        self.received: list[tuple[str, str]] = []
        self.runs: dict[str, Run] = {}
        seeded = dict(SEEDED)
        if self.v1_1:
            seeded["run-09"] = ("PREEMPTED",)
        if self.has("canceling-resumes"):
            seeded["run-07"] = ("CANCELING", "RUNNING", "RUNNING", "COMPLETE")
        for index, (run_id, trajectory) in enumerate(seeded.items()):
            request = {key: value for key, value in SUBMIT.items() if key != "attachments"}
            self.runs[run_id] = Run(run_id, list(trajectory), request, EPOCH + dt.timedelta(hours=index))
        self.counter = 0

    @property
    def v1_1(self) -> bool:
        return self.version == "1.1.0"

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        # the demo is read-only (issue 14): 1.0.0 and 1.1.0, nothing submitted
        return [{"standard": "wes", "version": "1.0.0", "reference": True, "runs": ["run-01"]},
                {"standard": "wes", "version": "1.1.0", "reference": True}]

    @classmethod
    def fault_entries(cls) -> list[dict[str, Any]]:
        # 1.0.0 read-only; 1.1.0 with writes against this embedded fake engine (nothing runs anywhere)
        return [{"standard": "wes", "version": "1.0.0", "reference": True, "runs": ["run-01"]},
                {"standard": "wes", "version": "1.1.0", "reference": True, "writes": True, "submit": dict(SUBMIT)}]

    def issued_secrets(self) -> dict[str, str]:
        return {"bearer_token_env": self.token}

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.received.append((request.method, request.path))
            if not request.path.endswith("/service-info") and not self.authorised(request):
                return self.error(401, "a valid bearer token is required")
            return super().handle(request)

    def authorised(self, request: Request) -> bool:
        header = request.header("Authorization") or ""
        if self.has("auth-not-enforced") and not header:
            return True
        if self.has("forged-token-accepted") and header.startswith("Bearer ") and header[7:].strip():
            return True
        return header == f"Bearer {self.token}"

    def error(self, status: int, message: str) -> Reply:
        return json_reply({"msg": message, "status_code": status}, status)

    def not_found(self, request: Request) -> Reply:
        return self.error(404, f"no such endpoint: {request.path}")

    # -- service-info ---------------------------------------------------------------------------------

    def state_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for run in self.runs.values():
            state = self.shown_state(run, run.state)
            counts[state] = counts.get(state, 0) + 1
        if self.has("state-counts-unknown-key"):
            counts["FINISHED"] = counts.get("COMPLETE", 0)
        if self.has("state-counts-too-low"):
            counts["COMPLETE"] = 0
        return counts

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        if self.has("service-info-500"):
            return self.error(500, "the engine did not answer")
        types: dict[str, Any] = {"CWL": {"workflow_type_version": ["v1.0"]}}
        if self.has("workflow-type-versions-flat"):
            types = {"CWL": ["v1.0"]}
        engines: dict[str, Any] = ({"fake-engine": {"workflow_engine_version": ["1.0"]}} if self.v1_1
                                   else {"fake-engine": "1.0"})
        wes: dict[str, Any] = {
            "workflow_type_versions": types,
            "supported_wes_versions": [self.version],
            "supported_filesystem_protocols": ["http", "https", "file"],
            "workflow_engine_versions": engines,
            "default_workflow_engine_parameters": [{"name": "cores", "type": "int", "default_value": "1"}],
            "system_state_counts": self.state_counts(),
            "auth_instructions_url": "https://example.org/ga4gh-conformance/wes-auth",
            "tags": {"engine": "fake"},
        }
        if not self.v1_1:
            wes["contact_info_url"] = "mailto:conformance@example.org"
            return json_reply(wes)
        return json_reply(service_info_document("wes", self.version, name="Reference WES",
                                                service_id="org.ga4gh.conformance.reference.wes", extra=wes))

    # -- the run list ---------------------------------------------------------------------------------

    def shown_state(self, run: Run, state: str) -> str:
        if self.has("run-state-invalid") and run.run_id == "run-02":
            return "SUCCEEDED"
        if self.has("terminal-state-changes") and run.run_id == "run-01" and run.reads > 2:
            return "RUNNING"
        return state

    def visible(self) -> list[Run]:
        runs = sorted(self.runs.values(), key=lambda r: r.run_id)
        if self.has("submitted-run-not-listed"):
            runs = [r for r in runs if not r.submitted]
        return runs

    @staticmethod
    def page_params(request: Request, default: int) -> tuple[int, int, bool] | Reply:
        size_text, token = request.arg("page_size"), request.arg("page_token")
        try:
            size = int(size_text) if size_text is not None else default
            offset = int(token[1:]) if token else 0
        except ValueError:
            return json_reply({"msg": "page_size and page_token must be as this server gave them",
                               "status_code": 400}, 400)
        if size < 1 or offset < 0 or (token and not token.startswith("p")):
            return json_reply({"msg": "invalid paging parameters", "status_code": 400}, 400)
        return min(size, MAX_PAGE), offset, size_text is not None

    @route("GET", "/runs")
    def list_runs(self, request: Request) -> Reply:
        if self.has("runs-list-500"):
            return self.error(500, "database unavailable")
        paging = self.page_params(request, DEFAULT_PAGE)
        if isinstance(paging, Reply):
            return paging
        size, offset, explicit = paging
        runs = self.visible()
        if self.has("page-size-ignored") and explicit:
            size = len(runs)
        page = runs[offset: offset + size]
        following = offset + size
        if self.has("paging-repeats-run"):
            following -= 1
        if self.has("paging-loses-run") and explicit:
            following += 1
        items = [self.summary(run) for run in page]
        token = f"p{following}" if following < len(runs) and page else ""
        key = "workflows" if self.has("runs-keyed-workflows") else "runs"  # WES 0.3's name (toil 9.6)
        return json_reply({key: items, "next_page_token": token})

    def summary(self, run: Run) -> dict[str, Any]:
        item: dict[str, Any] = {"run_id": run.run_id, "state": self.shown_state(run, run.state)}
        if self.has("runs-list-bad-item") and run.run_id == "run-03":
            del item["run_id"]
            item["id"] = run.run_id
        if self.v1_1:
            item["tags"] = dict(run.request.get("tags") or {})
            item["start_time"] = stamp(run.started)
            if item["state"] in TERMINAL:
                item["end_time"] = stamp(run.started + dt.timedelta(minutes=30))
        return item

    # -- one run --------------------------------------------------------------------------------------

    def find(self, request: Request) -> Run | Reply:
        run_id = request.params["run_id"]
        run = self.runs.get(run_id)
        if run is not None:
            return run
        if self.has("unknown-run-500") or (self.has("long-unknown-ids-500") and len(run_id) > 40):
            return self.error(500, f"KeyError: {run_id!r}")
        if self.has("unknown-run-html"):
            return Reply(404, b"<html><body>Not Found</body></html>", {"Content-Type": "text/html"})
        return self.error(404, f"no run {run_id}")

    @route("GET", "/runs/{run_id}")
    def run_log(self, request: Request) -> Reply:
        run = self.find(request)
        if isinstance(run, Reply):
            return run
        state = self.shown_state(run, run.read())
        start = run.started
        end = start + dt.timedelta(minutes=30)
        run_log: dict[str, Any] = {"name": "hello", "cmd": ["fake-engine", "run", WORKFLOW_URL],
                                   "start_time": stamp(start), "stdout": f"{self.url}/logs/{run.run_id}/stdout",
                                   "stderr": f"{self.url}/logs/{run.run_id}/stderr"}
        if state in TERMINAL and not (self.has("complete-without-outputs") and state == "COMPLETE"):
            run_log["end_time"] = stamp(end)
            run_log["exit_code"] = 0 if state == "COMPLETE" else 1
        if self.has("timestamps-not-iso") and run.run_id == "run-01":
            run_log["start_time"] = str(int(start.timestamp()))
        if self.has("end-before-start") and run.run_id == "run-02":
            run_log["end_time"] = stamp(start - dt.timedelta(minutes=5))
        outputs: dict[str, Any] = {}
        if state == "COMPLETE":
            outputs = {"out": {"class": "File", "location": f"file:///outputs/{run.run_id}/out.txt"}}
        request_echo = dict(run.request)
        if self.has("request-not-echoed") and run.submitted:
            request_echo["workflow_params"] = {}
        log: dict[str, Any] = {"run_id": run.run_id, "request": request_echo, "state": state, "run_log": run_log}
        if not (self.has("complete-without-outputs") and state == "COMPLETE"):
            log["outputs"] = outputs
        if self.has("run-log-wrong-run-id"):
            log["run_id"] = run.run_id + "-log"
        if self.v1_1:
            tail = "/task" if self.has("task-logs-url-broken") else "/tasks"
            log["task_logs_url"] = f"{self.url}/runs/{run.run_id}{tail}"
            log["task_logs"] = None
        else:
            log["task_logs"] = [self.task(run, i, v1_0=True) for i in range(3)]
        return json_reply(log)

    def task(self, run: Run, index: int, *, v1_0: bool = False) -> dict[str, Any]:
        start = run.started + dt.timedelta(minutes=10 * index)
        task: dict[str, Any] = {"name": f"step-{index + 1}", "cmd": ["echo", f"step {index + 1}"],
                                "start_time": stamp(start), "end_time": stamp(start + dt.timedelta(minutes=5)),
                                "exit_code": 0, "stdout": f"{self.url}/logs/{run.run_id}/{index}/stdout",
                                "stderr": f"{self.url}/logs/{run.run_id}/{index}/stderr"}
        if not v1_0:
            task["id"] = f"{run.run_id}-task-{index + 1}"
            task["system_logs"] = []
            if self.has("task-log-missing-name") and index == 0:
                del task["name"]
        return task

    @route("GET", "/runs/{run_id}/status")
    def run_status(self, request: Request) -> Reply:
        run = self.find(request)
        if isinstance(run, Reply):
            return run
        state = self.shown_state(run, run.read())
        if self.has("status-disagrees") and state in TERMINAL:
            state = "RUNNING"
        return json_reply({"run_id": run.run_id, "state": state})

    @route("POST", "/runs/{run_id}/cancel")
    def cancel_run(self, request: Request) -> Reply:
        run = self.find(request)
        if isinstance(run, Reply):
            return run
        if self.has("cancel-ignored") and run.state not in TERMINAL:
            # acknowledged, then ignored: the engine goes on with the run
            run.trajectory = [*run.trajectory[:run.reads], "CANCELING", "RUNNING", "COMPLETE"]
        else:
            run.cancel()
        return json_reply({"run_id": run.run_id})

    # -- tasks (1.1.0) --------------------------------------------------------------------------------

    @route("GET", "/runs/{run_id}/tasks")
    def list_tasks(self, request: Request) -> Reply:
        if not self.v1_1:
            return self.not_found(request)
        run = self.find(request)
        if isinstance(run, Reply):
            return run
        if self.has("tasks-list-404"):
            return self.error(404, "no tasks")
        paging = self.page_params(request, DEFAULT_TASK_PAGE)
        if isinstance(paging, Reply):
            return paging
        size, offset, explicit = paging
        tasks = [self.task(run, i) for i in range(3)]
        if self.has("tasks-page-size-ignored") and explicit:
            size = len(tasks)
        page = tasks[offset: offset + size]
        token = f"p{offset + size}" if offset + size < len(tasks) else ""
        return json_reply({"task_logs": page, "next_page_token": token})

    @route("GET", "/runs/{run_id}/tasks/{task_id}")
    def get_task(self, request: Request) -> Reply:
        if not self.v1_1:
            return self.not_found(request)
        run = self.find(request)
        if isinstance(run, Reply):
            return run
        for index in range(3):
            task = self.task(run, index)
            if task["id"] == request.params["task_id"] and not self.has("task-get-404"):
                return json_reply(task)
        return self.error(404, f"no task {request.params['task_id']}")

    # -- submission -----------------------------------------------------------------------------------

    @route("POST", "/runs")
    def run_workflow(self, request: Request) -> Reply:
        form, files = parse_form(request)
        problem = self.invalid(form)
        if problem and self.has("refused-submission-created"):
            # refused with 400, yet the engine was handed the run all the same
            self.create(form, files)
            return self.error(400, problem)
        if problem and not (self.has("invalid-submission-accepted") and problem.startswith("workflow_type ")):
            return self.error(400, problem)
        run_id = self.create(form, files)
        if self.has("submit-no-run-id"):
            return json_reply({"id": run_id})
        return json_reply({"run_id": run_id})

    def create(self, form: dict[str, str], files: dict[str, bytes]) -> str:
        """A new run of the request ``form`` (a field that is not JSON is kept as the string sent)."""
        self.counter += 1
        run_id = f"submitted-{self.counter:03d}-{secrets.token_hex(4)}"
        run_request: dict[str, Any] = {k: v for k, v in form.items()
                                       if k not in ("workflow_params", "tags", "workflow_engine_parameters")}
        for name in ("workflow_params", "tags", "workflow_engine_parameters"):
            if name in form:
                try:
                    run_request[name] = json.loads(form[name])
                except ValueError:
                    run_request[name] = form[name]
        self.runs[run_id] = Run(run_id, list(self.submitted_trajectory), run_request,
                                dt.datetime.now(dt.timezone.utc), submitted=True, attachments=sorted(files))
        return run_id

    def invalid(self, form: dict[str, str]) -> str | None:
        for name in ("workflow_url", "workflow_type", "workflow_type_version"):
            if not form.get(name):
                return f"{name} is required"
        for name in ("workflow_params", "tags", "workflow_engine_parameters"):
            if name in form:
                try:
                    value = json.loads(form[name])
                except ValueError:
                    return f"{name} is not JSON"
                if not isinstance(value, dict):
                    return f"{name} is not a JSON object"
        if form["workflow_type"] != "CWL":
            return f"workflow_type {form['workflow_type']} is not supported (CWL only)"
        if form["workflow_type_version"] != "v1.0":
            return f"workflow_type_version {form['workflow_type_version']} is not supported (v1.0 only)"
        return None


def parse_form(request: Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """The fields and workflow_attachment files of a multipart/form-data body (RFC 7578)."""
    content_type = request.header("Content-Type") or ""
    if not content_type.lower().startswith("multipart/form-data"):
        return {}, {}
    message = email.message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + request.body,
                                       policy=email.policy.HTTP)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if not isinstance(name, str):
            continue
        if filename is not None:
            files[filename] = data
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields, files
