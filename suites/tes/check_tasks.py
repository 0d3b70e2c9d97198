"""Tasks by id: GET /tasks/{id}, the state enum, RFC 3339 timestamps, tasks that are over staying
over, and an unknown id (TES 1.0.0 and 1.1.0 GetTask, tesTask, tesState, tesTaskLog, tesExecutorLog)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import FORMAT_CHECKER, check, fail, json_type

from .view import ACTIVE, FINAL, UNKNOWN_ID, Tes, task_path


@check("tes.task.get-by-id")
def test_task_is_read_by_id(tes: Tes) -> None:
    """GET /tasks/{id} of a listed task answers 200 with that task (TES 1.0.0 and 1.1.0 GetTask "Get a
    single task, based on providing the exact task ID string")."""
    purged: list[str] = []
    for task_id in tes.ids()[:5]:
        response = tes.task(task_id, "MINIMAL")
        if response.status == 404 and task_id not in tes.option("tasks") and tes.purged(task_id):
            purged.append(task_id)  # listed, then purged ("How long completed tasks are stored ...", ListTasks)
            continue
        if response.status == 401:  # credentials missing or refused: what an admitted caller reads is unknown
            tes.require_admission(response, f"GET /tasks/{task_id}")
        if response.status != 200:
            raise fail(f"GET /tasks/{task_id} answered {response.status}, not 200 with the task", response)
        body = response.json()  # a body that is no JSON fails saying why (Response.json)
        if not isinstance(body, dict):
            raise fail(f"GET /tasks/{task_id} answered a JSON {json_type(body)}, not a task", response)
        if body.get("id") != task_id:
            raise fail(f"GET /tasks/{task_id} answered a task with id {body.get('id')!r}", response)
    if purged and len(purged) == len(tes.ids()[:5]):
        pytest.skip(f"every task read by id ({', '.join(purged)}) answered 404 and is no longer listed: purged "
                    "since the listing, nothing left to judge")


@check("tes.task.state-enum")
def test_state_is_in_the_enum(tes: Tes) -> None:
    """A task's state is one of the tesState values of the version (TES 1.0.0 tesState: UNKNOWN ...
    CANCELED; 1.1.0 adds PREEMPTED and CANCELING)."""
    states = tes.states()
    listed, response = tes.listed(view="MINIMAL")
    for where, task, got in [(f"GET /tasks task {t.get('id')!r}", t, response) for t in listed] + [
            (f"GET /tasks/{i}", t, r) for i, t, r in tes.tasks("MINIMAL")]:
        if "state" in task and task["state"] not in states:
            raise fail(f"{where} has state {task['state']!r}, not a TES {tes.version} state", got)


def _rfc3339(value: Any) -> bool:
    """An RFC 3339 date-time (§5.6), its date and time apart by "T", "t" or, as the section's NOTE lets an
    application choose for readability, a space."""
    if not isinstance(value, str):
        return False
    if len(value) > 10 and value[10] == " ":
        value = value[:10] + "T" + value[11:]
    return bool(FORMAT_CHECKER.conforms(value, "date-time"))


def _times(task: dict[str, Any]) -> list[tuple[str, Any]]:
    found = [("creation_time", task["creation_time"])] if "creation_time" in task else []
    for i, log in enumerate(task.get("logs") or []):
        if not isinstance(log, dict):
            continue
        found += [(f"logs[{i}].{k}", log[k]) for k in ("start_time", "end_time") if k in log]
        for j, executor_log in enumerate(log.get("logs") or []):
            if isinstance(executor_log, dict):
                found += [(f"logs[{i}].logs[{j}].{k}", executor_log[k]) for k in ("start_time", "end_time")
                          if k in executor_log]
    return found


@check("tes.task.timestamps")
def test_timestamps_are_rfc3339(tes: Tes) -> None:
    """creation_time, task logs' and executor logs' start_time and end_time are RFC 3339 (TES 1.0.0 and
    1.1.0 tesTask.creation_time, tesTaskLog, tesExecutorLog: "in RFC 3339 format")."""
    read = tes.tasks("FULL")
    for task_id, task, response in read:
        for where, value in _times(task):
            if not _rfc3339(value):
                raise fail(f"task {task_id}: {where} {value!r} is not an RFC 3339 date-time", response)
    if not any(_times(task) for _, task, _ in read):
        pytest.skip(f"does not apply: none of the {len(read)} task(s) read in the FULL view gives a creation_time or "
                    "a log's start_time or end_time, which TES does not require")


@check("tes.task.final-stays-final")
def test_final_task_stays_final(tes: Tes) -> None:
    """A task that is over (COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED) is not later queued,
    initializing, running or paused (TES 1.0.0 and 1.1.0 tesState definitions), read again by id."""
    read = tes.tasks("MINIMAL")
    if not any(task.get("state") in FINAL for _, task, _ in read):
        pytest.skip(f"does not apply: none of the {len(read)} task(s) read by id is over "
                    f"({', '.join(FINAL)}): none can be seen to stay so")
    for task_id, task, _ in read:
        if task.get("state") not in FINAL:
            continue
        again = tes.client.get(task_path(task_id), params={"view": "MINIMAL"})
        body = again.json_object() if again.status == 200 else None
        if body is not None and body.get("state") in ACTIVE:
            raise fail(f"task {task_id} was {task['state']} and is now {body['state']}", again)


@check("tes.task.unknown-id")
def test_unknown_id_is_not_found(tes: Tes) -> None:
    """GET /tasks/{id} of an id the server never issued answers 404, not a task and not a server error
    (TES 1.0.0 and 1.1.0 §Standards: "standard HTTP/HTTPS"; RFC 9110 §15.5.5)."""
    response = tes.client.get(task_path(UNKNOWN_ID), params={"view": "MINIMAL"})
    tes.require_admission(response, f"GET /tasks/{UNKNOWN_ID}")
    if response.status != 404:
        raise fail(f"GET /tasks/{UNKNOWN_ID} (an id never issued) answered {response.status}, not 404", response)
