"""What the WES checks share: one cached view of a WES service per run.

The run list is walked once per page size (bounded), each run's RunLog read once for the checks that judge
it and afresh where a check watches a run move. Writes happen only through :meth:`Wes.submit` and
:meth:`Wes.cancel`, which refuse unless the profile says ``writes: true``; every run the suite creates is
remembered and cancelled when the view closes unless it has reached a terminal state.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote

import pytest

from conformance import CheckFailure, Response, ServiceView, json_type

from .states import TERMINAL, states_of

_SKIP = pytest.skip.Exception
#: The most pages a walk of GET /runs (or of a run's tasks) reads before it stops.
MAX_PAGES = 50
#: The page size of the small-page walk (wes.runs.paging-no-lost-runs).
SMALL_PAGE = 2
#: The most runs whose RunLog the read-only checks read.
MAX_RUNS = 20
#: An id no server holds.
UNKNOWN_RUN = "conformance-no-such-run-7d1f0c2a"
SWAGGER = "wes/{version}/openapi/workflow_execution_service.swagger.yaml"
OPENAPI_1_1 = "wes/1.1.0/openapi/workflow_execution_service.openapi.yaml"


def answered(response: Response) -> str:
    return f"{response.status} {response.reason}".strip()


def run_path(run_id: str, tail: str = "") -> str:
    return f"/runs/{quote(run_id, safe='')}{tail}"


@dataclass
class Walk:
    """GET /runs (or /runs/{id}/tasks) walked from the first page by next_page_token."""

    items: list[dict[str, Any]] = field(default_factory=list)
    pages: list[Response] = field(default_factory=list)
    #: (id, the page that repeated it)
    duplicate: tuple[str, Response] | None = None
    #: the page whose next_page_token had already been given (the walk would never end)
    looped: Response | None = None
    #: the walk stopped at MAX_PAGES with a token left
    unfinished: bool = False
    #: a page that was not a 200 JSON object with a list (the walk stopped there)
    broken: Response | None = None

    def unended(self, what: str = "GET /runs") -> str | None:
        """Why the walk did not reach the end of the list, naming the check that judges it only where one does
        (none judges a list longer than MAX_PAGES pages, nor a later page that breaks); None when it did."""
        if self.looped is not None:
            return (f"walking {what}, a next_page_token came back that was already given "
                    "(see wes.runs.paging-no-duplicates)")
        if self.unfinished:
            return f"{what} has more than {MAX_PAGES} pages: only the first {MAX_PAGES} were walked"
        if self.broken is not None:
            number = len(self.pages)
            judged = number == 1 and (self.broken.status != 200 or self.broken.json_object() is None)
            return (f"page {number} of {what} answered {answered(self.broken)} without a list"
                    + (" (see wes.runs.list-answers-200)" if judged else ""))
        return None


class Wes(ServiceView):
    """The run's view of one WES service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: run ids this suite created (cancelled on close unless terminal)
        self.created: list[str] = []
        #: run ids whose cancel this suite sent and the service answered 200
        self.cancelled: set[str] = set()
        #: the last walk of GET /runs made afresh to tell a deleted run (see :meth:`deleted`)
        self._fresh_walk: Walk | None = None

    @property
    def v1_1(self) -> bool:
        return self.at_least("1.1.0")

    @property
    def states(self) -> tuple[str, ...]:
        return states_of(self.v1_1)

    # -- schemas -------------------------------------------------------------------------------------

    def schema(self, name: str) -> tuple[str, str, str | None]:
        """(document, pointer, openapi) of a schema of the declared version (erratum E1: 1.0.x by its Swagger)."""
        if self.v1_1:
            pointer = f"/components/schemas/{name}"
            if name == "ServiceInfo":
                pointer += "/allOf/1"  # the WES part; GA4GH service-info is the shared suite's to judge
            return OPENAPI_1_1, pointer, "3.0"
        return SWAGGER.format(version=self.version), f"/definitions/{name}", None

    # -- service-info --------------------------------------------------------------------------------

    def service_info_response(self) -> Response:
        return self.memo("service-info", lambda: self.client.get("/service-info"))

    def service_info(self) -> tuple[dict[str, Any], Response]:
        response = self.service_info_response()
        return document(response, "GET /service-info", "wes.service-info.answers-200"), response

    def workflow_types(self) -> set[str] | None:
        try:
            info = self.service_info()[0]
        except _SKIP:
            return None
        types = info.get("workflow_type_versions")
        return set(types) if isinstance(types, dict) else None

    # -- the run list --------------------------------------------------------------------------------

    def runs_page(self, page_size: int | None = None, token: str | None = None) -> Response:
        params: dict[str, str] = {}
        if page_size is not None:
            params["page_size"] = str(page_size)
        if token:
            params["page_token"] = token
        return self.client.get("/runs", params=params)

    def first_page(self) -> Response:
        return self.memo("runs-first", lambda: self.runs_page())

    def walk(self, page_size: int | None = None) -> Walk:
        return self.memo(("walk", page_size), lambda: self._walk("/runs", "runs", "run_id", page_size))

    def _walk(self, path: str, key: str, id_key: str, page_size: int | None, *, optional: bool = False) -> Walk:
        """``optional``: a page that leaves ``key`` out lists no item (WES 1.1.0 TaskListResponse requires no
        property), rather than stopping the walk as broken."""
        walk = Walk()
        seen_ids: set[str] = set()
        tokens: set[str] = set()
        token: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, str] = {}
            if page_size is not None:
                params["page_size"] = str(page_size)
            if token:
                params["page_token"] = token
            response = self.client.get(path, params=params)
            walk.pages.append(response)
            body = response.json_object() if response.status == 200 else None
            items = body.get(key, [] if optional else None) if body is not None else None
            if not isinstance(items, list) or body is None:
                walk.broken = response
                return walk
            for item in items:
                if not isinstance(item, dict):
                    continue
                ident = item.get(id_key)
                if isinstance(ident, str) and ident in seen_ids and walk.duplicate is None:
                    walk.duplicate = (ident, response)
                if isinstance(ident, str):
                    seen_ids.add(ident)
                walk.items.append(item)
            token = body.get("next_page_token")
            if not isinstance(token, str) or token == "":
                return walk
            if token in tokens:
                walk.looped = response
                return walk
            tokens.add(token)
        walk.unfinished = True
        return walk

    def listed(self) -> Walk:
        """The default walk; skips when GET /runs gives no list."""
        walk = self.walk()
        if walk.broken is not None and not walk.items:
            # refused for want of credentials: wes.runs.list-answers-200 skips for it too, so it is said here
            self.require_admission(walk.broken, "GET /runs")
            body = walk.broken.json_object() if walk.broken.status == 200 else None
            if body is not None:  # RunListResponse requires nothing: a page without runs is not failed
                keys = ", ".join(sorted(body)[:8]) or "none"
                pytest.skip(f"GET /runs answered a JSON object without a runs list (its keys: {keys}): no run "
                            "to judge")
            pytest.skip(f"GET /runs answered {answered(walk.broken)} without a runs list "
                        "(see wes.runs.list-answers-200)")
        return walk

    def run_ids(self) -> list[str]:
        """Runs to read: the profile's, then those listed (at most MAX_RUNS); skips when there are none."""
        ids = list(self.option("runs"))
        unlisted = "the service lists no run"
        try:
            listed = self.listed().items
        except _SKIP as exc:  # e.g. runs listed under another key than `runs`: say so, not "no run"
            listed = []
            unlisted = str(exc.msg).split(": no run to judge")[0]
        for item in listed:
            ident = item.get("run_id")
            if isinstance(ident, str) and ident not in ids and ident not in self.created:
                ids.append(ident)
        if not ids:
            pytest.skip(f"{unlisted} and the profile names none (`runs`)")
        return ids[:MAX_RUNS]

    def deleted(self, run_id: str) -> bool:
        """Whether a run listed earlier is gone now: GET /runs walked afresh to its end no longer lists it (the
        text keeps no run for ever; a run may be deleted between the listing and a read of it).

        One walk afresh serves every run asked of (up to 50 pages each: not one per run); it is walked again
        only when it still lists the run asked of, or did not end, as it may be older than that run's
        deletion."""
        def leaves_out(walk: Walk) -> bool:
            return walk.unended() is None and all(item.get("run_id") != run_id for item in walk.items)

        def gone() -> bool:
            earlier = self._fresh_walk
            if earlier is not None and leaves_out(earlier):
                return True
            walk = self._fresh_walk = self._walk("/runs", "runs", "run_id", None)
            return leaves_out(walk)

        return bool(self.memo(("deleted", run_id), gone))

    # -- one run -------------------------------------------------------------------------------------

    def run_log_response(self, run_id: str) -> Response:
        return self.memo(("log", run_id), lambda: self.client.get(run_path(run_id)))

    def run_log(self, run_id: str) -> tuple[dict[str, Any], Response]:
        response = self.run_log_response(run_id)
        if response.status == 401:  # wes.run.log-answers-200 skips for it too: said here, not pointed at
            self.require_admission(response, f"GET {run_path(run_id)}")
        return document(response, f"GET {run_path(run_id)}", "wes.run.log-answers-200"), response

    def run_logs(self) -> list[tuple[str, dict[str, Any], Response]]:
        found = []
        reason = ""
        for run_id in self.run_ids():
            try:
                log, response = self.run_log(run_id)
            except _SKIP as exc:
                reason = reason or str(exc.msg)
                continue
            found.append((run_id, log, response))
        if not found:
            pytest.skip(f"no RunLog could be read: {reason}")
        return found

    def _state_of(self, run_id: str) -> str | None:
        return self.fresh_state(run_id)[0]

    def fresh_state(self, run_id: str, via: str = "/status") -> tuple[str | None, Response]:
        """The state of a run read now (from /status, or "" for the RunLog)."""
        response = self.client.get(run_path(run_id, via))
        body = response.json_object() if response.status == 200 else None
        state = body.get("state") if body is not None else None
        return (state if isinstance(state, str) else None), response

    def poll(self, run_id: str, times: int, interval: float) -> list[tuple[str, Response]]:
        """The states a run reports on ``times`` reads of its RunLog, ``interval`` seconds apart (the RunLog,
        not /status: a status that disagrees with it is wes.run.status-agrees-with-log's finding alone)."""
        observed: list[tuple[str, Response]] = []
        for index in range(times):
            if index:
                time.sleep(interval)
            state, response = self.fresh_state(run_id, "")
            if state is not None:
                observed.append((state, response))
        return observed

    def poll_each(self, run_ids: list[str], times: int, interval: float) -> list[list[tuple[str, Response]]]:
        """:meth:`poll` of several runs side by side, one list per entry of ``run_ids``: each round reads
        every run once, then one wait of ``interval``, so that each run is still read ``times`` times at
        least ``interval`` apart while the waits are not added up run after run (issue 20)."""
        observed: list[list[tuple[str, Response]]] = [[] for _ in run_ids]
        for index in range(times):
            if index:
                time.sleep(interval)
            for entry, run_id in zip(observed, run_ids):
                state, response = self.fresh_state(run_id, "")
                if state is not None:
                    entry.append((state, response))
        return observed

    @property
    def poll_interval(self) -> float:
        return 0.05 if self.service.is_loopback else 2.0

    # -- tasks (1.1.0) -------------------------------------------------------------------------------

    def task_walk(self, run_id: str, page_size: int | None = None) -> Walk:
        return self.memo(("tasks", run_id, page_size),
                         lambda: self._walk(run_path(run_id, "/tasks"), "task_logs", "id", page_size, optional=True))

    # -- writes --------------------------------------------------------------------------------------

    def submit_block(self) -> dict[str, Any]:
        """The profile's run request; skips unless the profile allows writes and gives one."""
        if self.service.options.get("writes") is not True:
            pytest.skip("the profile does not allow writes (writes: true, with a submit block, lets the suite "
                        "submit and cancel runs)")
        block = self.service.options.get("submit")
        if not isinstance(block, dict):
            pytest.skip("writes: true but the profile gives no submit block (the run request to submit)")
        return dict(block)

    def submit(self, fields: dict[str, str], files: dict[str, bytes] | None = None) -> Response:
        """POST /runs as multipart/form-data (WES §RunWorkflow); a run id in the answer is remembered."""
        self.submit_block()  # the guard: no POST leaves the harness without writes: true
        boundary = "conformance-" + secrets.token_hex(12)
        body = multipart(fields, files or {}, boundary)
        response = self.client.request("POST", "/runs", data=body, idempotent=False,
                                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        body_json = response.json_object() if response.status == 200 else None
        run_id = body_json.get("run_id") if body_json is not None else None
        if isinstance(run_id, str) and run_id:
            self.track(run_id)
        return response

    def track(self, run_id: str) -> None:
        """Remember a run this suite created: cancelled at the end unless terminal, listed in the report."""
        if run_id not in self.created:
            self.created.append(run_id)
            self.record_created("run", run_id)

    def request_fields(self, block: dict[str, Any]) -> tuple[dict[str, str], dict[str, bytes]]:
        """The form fields of a run request: strings as given, objects as JSON strings (WES §RunWorkflow
        requestBody: workflow_params, tags and workflow_engine_parameters are strings)."""
        fields: dict[str, str] = {}
        for name in ("workflow_params", "workflow_type", "workflow_type_version", "tags", "workflow_engine",
                     "workflow_engine_version", "workflow_engine_parameters", "workflow_url"):
            value = block.get(name)
            if value is None:
                continue
            fields[name] = value if isinstance(value, str) else json.dumps(value)
        fields.setdefault("workflow_params", "{}")
        attachments = block.get("attachments") or {}
        files = {str(k): str(v).encode() for k, v in attachments.items()}
        return fields, files

    def submitted(self, purpose: str) -> tuple[str, Response]:
        """A run submitted from the profile's request (one per purpose: "follow" or "cancel")."""
        return self.memo(("submitted", purpose), lambda: self._submitted(purpose))

    def submission(self, purpose: str) -> Response:
        """The answer to POST /runs of the profile's request, sent once per purpose."""
        def send() -> Response:
            fields, files = self.request_fields(self.submit_block())
            return self.submit(fields, files)

        return self.memo(("submission", purpose), send)

    def _submitted(self, purpose: str) -> tuple[str, Response]:
        response = self.submission(purpose)
        self.require_admission(response, "POST /runs")
        body = response.json_object() if response.status == 200 else None
        run_id = body.get("run_id") if body is not None else None
        if not isinstance(run_id, str) or not run_id:
            pytest.skip(f"POST /runs answered {answered(response)} without a run_id "
                        "(see wes.submit.returns-run-id)")
        return run_id, response

    def followed(self) -> tuple[str, list[tuple[str, Response]]]:
        """The "follow" run polled until it reaches a terminal state (or the time allowed runs out)."""
        return self.memo("followed", self._follow)

    def _follow(self) -> tuple[str, list[tuple[str, Response]]]:
        run_id, _ = self.submitted("follow")
        budget = self.run.limits.budget
        deadline = time.monotonic() + min(300.0, budget.max_seconds / 3)
        observed: list[tuple[str, Response]] = []
        while time.monotonic() < deadline:
            state, response = self.fresh_state(run_id, "")
            if state is not None:
                observed.append((state, response))
                if state in TERMINAL:
                    break
            time.sleep(self.poll_interval)
        return run_id, observed

    def cancel(self, run_id: str) -> Response:
        if self.service.options.get("writes") is not True:
            raise RuntimeError("cancel without writes: true")  # never reached: submit refuses first
        response = self.client.request("POST", run_path(run_id, "/cancel"), idempotent=False)
        if response.status == 200:
            self.cancelled.add(run_id)
        return response

    def clean_up(self) -> None:
        """Cancel every run this suite started that has not reached a terminal state, even when the run's
        budget is spent (a timeout, the request budget): three requests per run are granted beyond it (its
        state, the cancel, its state after), since leaving a workflow running on the initiative's platform
        costs more than three requests. Each run's outcome goes to the report (``record_created``)."""
        pending = [item for item in self.created_items() if not item.settled]
        if not pending:
            return
        self.run.limits.grant(requests=3 * len(pending), seconds=30 * len(pending))
        for item in pending:
            self.settle_created(item, partial(self._state_of, item.id), partial(self.cancel, item.id),
                                final=TERMINAL, stopping=("CANCELING",), cancelled_before=item.id in self.cancelled)

    def close(self) -> None:
        self.clean_up()


def multipart(fields: dict[str, str], files: dict[str, bytes], boundary: str) -> bytes:
    """A multipart/form-data body (RFC 7578): one part per field, one ``workflow_attachment`` part per file."""
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").encode()
        out += value.encode() + b"\r\n"
    for filename, content in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"workflow_attachment\"; "
                f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def document(response: Response, what: str, see: str) -> dict[str, Any]:
    if response.status != 200:
        pytest.skip(f"{what} answered {answered(response)} (see {see})")
    try:
        body = response.json()
    except CheckFailure:
        pytest.skip(f"{what} did not answer JSON (see {see})")
    if not isinstance(body, dict):
        pytest.skip(f"{what} answered a JSON {json_type(body)}, not an object (see {see})")
    return body
