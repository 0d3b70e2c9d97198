"""GET /runs/{run_id} and /runs/{run_id}/status: the RunLog, its schema and state, the status agreeing with
it, timestamps, a COMPLETE run's end and outputs, unknown runs (WES 1.0.0 Swagger §GetRunLog, §GetRunStatus,
definitions/RunLog, Log, State; WES 1.1.0 OpenAPI idem)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance import Response, SpecStore, check, fail, json_type, schema_errors

from .states import TERMINAL, ordered, parse_time, with_known_states
from .view import UNKNOWN_RUN, Wes, answered, run_path


@check("wes.run.log-answers-200")
def test_run_log_answers_200_naming_the_run(wes: Wes) -> None:
    """GET /runs/{run_id} of a listed run answers 200 with a RunLog of that run_id (WES 1.0.0 Swagger
    §GetRunLog; WES 1.1.0 OpenAPI §GetRunLog)."""
    gone: list[str] = []
    ids = wes.run_ids()
    for run_id in ids:
        response = wes.run_log_response(run_id)
        if response.status in (404, 410) and run_id not in wes.option("runs") and wes.deleted(run_id):
            gone.append(run_id)  # listed, then deleted before this read: GET /runs no longer lists it
            continue
        if response.status == 401:  # credentials missing or refused: what an admitted caller gets is unknown
            wes.require_admission(response, f"GET {run_path(run_id)}")
        if response.status != 200:
            raise fail(f"GET {run_path(run_id)} of a listed run answered {answered(response)}, not 200", response)
        body = response.json()
        if not isinstance(body, dict):
            raise fail(f"GET {run_path(run_id)} answered a JSON {json_type(body)}, not an object", response)
        if "run_id" in body and body["run_id"] != run_id:
            raise fail(f"GET {run_path(run_id)} answered the RunLog of run {body['run_id']!r}", response)
    if len(gone) == len(ids):
        pytest.skip(f"every run read ({', '.join(gone[:5])}) answered 404 or 410 and is no longer listed: deleted "
                    "since the listing, nothing left to judge")


@check("wes.schema.run-log-valid")
def test_run_logs_match_schema(wes: Wes, schemas: SpecStore) -> None:
    """Each RunLog matches the version's schema (WES 1.0.0 Swagger definitions/RunLog; WES 1.1.0 OpenAPI
    components/schemas/RunLog; erratum E4)."""
    relative, pointer, openapi = wes.schema("RunLog")
    validator = schemas.validator(relative, pointer, openapi=openapi)
    for run_id, log, response in wes.run_logs():
        errors = schema_errors(validator, log)
        if errors:
            # a state outside the enum, and nothing else, is wes.run.state-in-enum's finding
            only_states = not schema_errors(validator, with_known_states(log, wes.states))
            raise fail(f"the RunLog of {run_id} does not match the WES {wes.version} schema: {'; '.join(errors)}",
                       response, caused_by="wes.run.state-in-enum" if only_states else None)


@check("wes.run.state-in-enum")
def test_states_are_of_the_enum(wes: Wes) -> None:
    """Run states in the list and the RunLogs are the version's State values (WES 1.0.0 Swagger
    definitions/State; WES 1.1.0 OpenAPI State adds PREEMPTED)."""
    for run_id, log, response in wes.run_logs():
        state = log.get("state")
        if state is not None and state not in wes.states:
            raise fail(f"the RunLog of {run_id} gives state {state!r}, which is no WES {wes.version} state", response)
    walk = wes.walk()
    for page in walk.pages:
        body = page.json_object() if page.status == 200 else None
        for item in (body or {}).get("runs") or []:
            if isinstance(item, dict) and item.get("state") is not None and item["state"] not in wes.states:
                raise fail(f"GET /runs lists run {item.get('run_id')} in state {item['state']!r}, which is no WES "
                           f"{wes.version} state", page)


@check("wes.run.status-agrees-with-log")
def test_status_agrees_with_run_log(wes: Wes) -> None:
    """/runs/{run_id}/status answers 200 with the run's RunStatus, whose state is the RunLog's read at the same
    moment (WES 1.0.0 Swagger §GetRunStatus; WES 1.1.0 OpenAPI §GetRunStatus)."""
    compared = 0
    unread: Response | None = None  # the first RunLog read that gave no state
    unknown: Response | None = None  # the first status that said UNKNOWN
    for run_id in wes.run_ids()[:5]:
        before, log_response = wes.fresh_state(run_id, "")
        if before is None:
            unread = unread or log_response
            continue
        state, response = wes.fresh_state(run_id)
        if response.status != 200:
            raise fail(f"GET {run_path(run_id, '/status')} answered {answered(response)}, not 200", response)
        body = response.json_object()
        if body is None or body.get("run_id") != run_id:
            got = body.get("run_id") if body is not None else None
            raise fail(f"GET {run_path(run_id, '/status')} answered run_id {got!r}, not {run_id!r}", response)
        if "UNKNOWN" in (state, before):
            # "The state of the task is unknown", a safe default that contradicts no state, nor agrees with one:
            # nothing compared
            unknown = unknown or response
            continue
        compared += 1
        if state == before:
            continue
        after, _ = wes.fresh_state(run_id, "")
        if state != after and (before in TERMINAL or state is None):
            raise fail(f"GET {run_path(run_id, '/status')} reports {state!r} while the RunLog reports {before!r} "
                       f"before and {after!r} after", response)
    if not compared:  # no RunLog gave a state to compare the status with: nothing was judged
        if unknown is not None:
            pytest.skip(f"nothing compared: the status or the RunLog of each run read said UNKNOWN (GET {unknown.url} "
                        "among them), \"The state of the task is unknown\", a safe default that neither agrees nor "
                        "disagrees with a state")
        if unread is not None:
            wes.require_admission(unread, f"GET {unread.url}")
            pytest.skip(f"no RunLog read gives a state to compare the status with (GET {unread.url} "
                        f"answered {answered(unread)})")
        pytest.skip("no RunLog read gives a state to compare the status with")


def _logs(log: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, Log) of the run_log and of every task log in the RunLog."""
    if isinstance(log.get("run_log"), dict):
        yield "run_log", log["run_log"]
    tasks = log.get("task_logs")
    for index, task in enumerate(tasks if isinstance(tasks, list) else []):
        if isinstance(task, dict):
            yield f"task_logs[{index}]", task


def _timed(wes: Wes) -> Iterator[tuple[str, dict[str, Any], Response]]:
    for run_id, log, response in wes.run_logs():
        for name, entry in _logs(log):
            yield f"{name} of run {run_id}", entry, response
    for run_id in wes.run_ids() if wes.v1_1 else []:
        walk = wes.task_walk(run_id)
        for task in walk.items:
            yield f"task {task.get('id')} of run {run_id}", task, walk.pages[-1]


@check("wes.run.timestamps-iso8601")
def test_timestamps_are_iso8601(wes: Wes) -> None:
    """start_time and end_time are ISO 8601 date-times (WES 1.0.0 Swagger definitions/Log: "in ISO 8601
    format "%Y-%m-%dT%H:%M:%SZ""; WES 1.1.0 OpenAPI Log, RunSummary; erratum E3)."""
    judged = 0
    for where, entry, response in _timed(wes):
        for key in ("start_time", "end_time"):
            value = entry.get(key)
            if value is None or value == "":
                continue
            judged += 1
            if not isinstance(value, str) or parse_time(value) is None:
                raise fail(f"{key} of {where} is {value!r}, not an ISO 8601 date-time", response)
    for item in wes.walk().items:
        for key in ("start_time", "end_time"):
            value = item.get(key)
            judged += value not in (None, "")
            if value not in (None, "") and (not isinstance(value, str) or parse_time(value) is None):
                raise fail(f"{key} of run {item.get('run_id')} in GET /runs is {value!r}, not an ISO 8601 "
                           "date-time", wes.walk().pages[-1])
    if not judged:
        pytest.skip("does not apply: no run log, task log or listed run read gives a start_time or end_time, which "
                    "Log and RunSummary do not require")


@check("wes.run.timestamps-ordered")
def test_end_is_not_before_start(wes: Wes) -> None:
    """Within one Log, end_time is not before start_time (WES 1.0.0 Swagger definitions/Log: "When the command
    started executing", "When the command stopped executing")."""
    judged = 0
    for where, entry, response in _timed(wes):
        start, end = entry.get("start_time"), entry.get("end_time")
        if not isinstance(start, str) or not isinstance(end, str):
            continue
        begun, ended = parse_time(start), parse_time(end)
        if begun is None or ended is None:
            continue  # wes.run.timestamps-iso8601 reports it
        verdict = ordered(begun, ended)
        judged += verdict is not None
        if verdict is False:
            raise fail(f"{where} ends at {end}, before it starts at {start}", response)
    if not judged:
        pytest.skip("does not apply: no run log or task log read gives both a start_time and an end_time that can "
                    "be compared (each is optional)")


@check("wes.run.complete-has-end-time-and-outputs")
def test_complete_run_has_end_time_and_outputs(wes: Wes) -> None:
    """A COMPLETE run gives run_log.end_time and an outputs object (WES 1.0.0 Swagger definitions/State
    COMPLETE: "output files have been successfully uploaded"; RunLog.outputs)."""
    judged = 0
    for run_id, log, response in wes.run_logs():
        if log.get("state") != "COMPLETE":
            continue
        judged += 1
        run_log = log.get("run_log")
        end = run_log.get("end_time") if isinstance(run_log, dict) else None
        if not isinstance(end, str) or not end:
            raise fail(f"run {run_id} is COMPLETE but its run_log gives no end_time", response)
        if not isinstance(log.get("outputs"), dict):
            raise fail(f"run {run_id} is COMPLETE but its RunLog gives no outputs object", response)
    if not judged:
        pytest.skip("no run read is COMPLETE")


def _error_body_problem(response: Response) -> str | None:
    body = response.json_object()
    if body is None:
        return "a body that is not a JSON object"
    if "msg" in body and not isinstance(body["msg"], str):
        return f"msg a JSON {json_type(body['msg'])}"
    code = body.get("status_code")
    if "status_code" in body and (not isinstance(code, int) or isinstance(code, bool)):
        return f"status_code a JSON {json_type(code)}"
    return None


def _unknown(wes: Wes, path: str) -> Response:
    return wes.memo(("unknown", path), lambda: wes.client.get(path, max_bytes=65536))


@check("wes.run.unknown-is-404")
def test_unknown_run_is_404_with_error_response(wes: Wes) -> None:
    """An unknown run answers 404 with an ErrorResponse on /runs/{run_id} and /status (WES 1.0.0 Swagger
    §GetRunLog, §GetRunStatus: 404 "The requested workflow run not found"; WES 1.1.0 OpenAPI idem)."""
    for tail in ("", "/status"):
        path = run_path(UNKNOWN_RUN, tail)
        response = _unknown(wes, path)
        wes.require_admission(response, f"GET {path}")
        if response.status != 404:
            raise fail(f"GET {path} of an unknown run answered {answered(response)}, not 404", response)
        problem = _error_body_problem(response)
        if problem:
            raise fail(f"GET {path} answered 404 with {problem}, not an ErrorResponse", response)
