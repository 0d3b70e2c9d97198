"""With ``writes: true`` and a ``submit`` task: POST /tasks, the task listed, polled to a final state
through legal states, its logs, and POST /tasks/{id}:cancel (TES 1.0.0 and 1.1.0 CreateTask, ListTasks,
GetTask, CancelTask). Every task the suite creates is cancelled when the run ends unless it is over."""

from __future__ import annotations

import pytest

from conformance import check, fail

from .view import ACTIVE, ALL_PAGE_SIZE, FINAL, Tes, task_path, tasks_of


@check("tes.submit.create")
def test_create_returns_an_id(tes: Tes) -> None:
    """POST /tasks with a valid task answers 200 with a CreateTaskResponse whose required ``id`` names
    the task (TES 1.0.0 and 1.1.0 CreateTask, tesCreateTaskResponse required: id)."""
    tes.require_writes()
    task_id, response = tes.memo("submitted", lambda: tes.create("run"))
    tes.require_admission(response, "POST /tasks")  # refused for credentials: tells nothing of an admitted caller
    if task_id is None:
        raise fail(f"POST /tasks answered {response.status} without a task id", response)


@check("tes.submit.listed")
def test_created_task_is_listed(tes: Tes) -> None:
    """The created task is tracked: GET /tasks lists it ("List tasks tracked by the TES server. This
    includes queued, active and completed tasks", TES 1.0.0 and 1.1.0 ListTasks)."""
    task_id, _ = tes.submitted()
    # Unfiltered, so that a broken name_prefix filter is not blamed here too.
    response = tes.client.get("/tasks", params={"view": "MINIMAL", "page_size": str(ALL_PAGE_SIZE)})
    body = response.json_object() if response.status == 200 else None
    tasks = tasks_of(body)
    if not isinstance(tasks, list):
        pytest.skip("GET /tasks did not answer a tasks array (see tes.list.response)")
    if task_id in [t.get("id") for t in tasks if isinstance(t, dict)]:
        return
    if len(tasks) >= ALL_PAGE_SIZE or (body or {}).get("next_page_token"):
        pytest.skip(f"cannot decide: the first page of {len(tasks)} tasks does not hold the new task and the list "
                    "goes on")
    raise fail(f"GET /tasks does not list the task {task_id} just created", response)


@check("tes.submit.final-state")
def test_created_task_reaches_a_final_state(tes: Tes) -> None:
    """The created task, polled, goes through states of the version to a final one (TES 1.0.0 and 1.1.0
    tesState). TES bounds no task's duration (a task may wait in a busy queue for hours): a task still
    active when the polling budget ends is undecided, not failed."""
    task_id, seen, response = tes.finished()
    if not seen:
        raise fail(f"GET /tasks/{task_id} never answered the task's state", response)
    outside = [s for s in seen if s not in tes.states()]
    if outside:
        raise fail(f"task {task_id} went through state(s) {', '.join(outside)}, not TES {tes.version} states", response)
    if seen[-1] not in FINAL:
        pytest.skip(f"task {task_id} was still {seen[-1]} when the polling budget (poll_seconds) ended (states "
                    f"seen: {' → '.join(seen)}); TES bounds no task's duration, so this is not a failure")


@check("tes.submit.transitions")
def test_polled_states_never_go_back(tes: Tes) -> None:
    """Once over (COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED) a task is never seen queued,
    initializing, running or paused again (TES 1.0.0 and 1.1.0 tesState definitions), polled after its
    end too."""
    task_id, seen, _ = tes.finished()
    if not seen or seen[-1] not in FINAL:
        pytest.skip(f"the created task {task_id} did not reach a final state while polled (states seen: "
                    f"{' → '.join(seen) or 'none'})")
    again = tes.client.get(task_path(task_id), params={"view": "MINIMAL"})
    body = again.json_object() if again.status == 200 else None
    if body is not None and body.get("state") in ACTIVE:
        raise fail(f"task {task_id} was {seen[-1]} and is now {body['state']} (states seen: "
                   f"{' → '.join([*seen, body['state']])})", again)


@check("tes.submit.logs")
def test_finished_task_logs_hold_what_they_require(tes: Tes) -> None:
    """Where the FULL view of a task that ran gives task logs, each task log has its required ``logs`` array,
    each executor log its required ``exit_code`` an integer and each output file log, where outputs are given,
    its url, path and size_bytes (TES 1.0.0 and 1.1.0 tesTaskLog required: logs, outputs; tesExecutorLog
    required: exit_code; tesOutputFileLog required: url, path, size_bytes). tesTask.logs itself is optional
    ("Normally, this will contain only one entry"): a task without logs is not judged. An executor log without
    exit_code is not judged: the proto3 JSON mapping, which Funnel follows, leaves an exit code 0 out; also in
    a task that ended EXECUTOR_ERROR, which "Generally" (not always) "means that an Executor exited with a
    non-zero exit code": an executor that never started has none to give. A task whose logs give no exit code
    and no output file log to judge is skipped, saying so."""
    task_id, seen, _ = tes.finished()
    if not seen or seen[-1] not in ("COMPLETE", "EXECUTOR_ERROR"):
        pytest.skip("the created task did not run to COMPLETE or EXECUTOR_ERROR")
    response = tes.client.get(task_path(task_id), params={"view": "FULL"})
    body = response.json_object() if response.status == 200 else None
    if body is None:
        pytest.skip(f"GET /tasks/{task_id}?view=FULL answered {response.status} without a task "
                    "(see tes.task.get-by-id)")
    logs = body.get("logs")
    if logs is None or logs == []:
        pytest.skip(f"does not apply: task {task_id} ended {seen[-1]} and its FULL view gives no task logs, which "
                    "tesTask does not require")
    if not isinstance(logs, list) or not all(isinstance(log, dict) for log in logs):
        raise fail(f"task {task_id}: logs is not an array of task logs (tesTask.logs: tesTaskLog[])", response)
    judged = 0
    for index, log in enumerate(logs):
        executor_logs = log.get("logs")
        if not isinstance(executor_logs, list):
            what = "has no logs" if executor_logs is None else "has logs that is not an array"
            raise fail(f"task {task_id}: task log {index} {what}; tesTaskLog requires its executor logs array",
                       response)
        for number, executor_log in enumerate(executor_logs):
            if not isinstance(executor_log, dict):
                raise fail(f"task {task_id}: executor log {number} of task log {index} is not an executor log "
                           "(tesExecutorLog)", response)
            if "exit_code" not in executor_log:
                continue  # an exit code 0 as the proto3 JSON mapping writes it: left out (requirements.yaml)
            judged += 1
            code = executor_log["exit_code"]
            if not isinstance(code, int) or isinstance(code, bool):
                raise fail(f"task {task_id}: executor log {number} of task log {index} has exit_code {code!r}, not "
                           "the integer tesExecutorLog requires", response)
        outputs = log.get("outputs")
        judged += len(outputs) if isinstance(outputs, list) else outputs is not None
        problem = _output_logs_problem(outputs)
        if problem:
            raise fail(f"task {task_id}: task log {index} {problem}", response)
    if not judged:
        pytest.skip(f"nothing to judge: the task logs of task {task_id} (ended {seen[-1]}) give no exit_code (each "
                    "left out, an exit code 0 as the proto3 JSON mapping writes it) and no output file log")


def _output_logs_problem(outputs: object) -> str | None:
    """What is wrong with a task log's ``outputs`` (tesTaskLog.outputs: tesOutputFileLog[], each requiring url,
    path and size_bytes), None when nothing is. Absent or null is not judged: proto3 servers leave an empty list
    out. size_bytes is "coded as a string because official JSON doesn't support int64 numbers"; a JSON integer
    means the same size and is taken too."""
    if outputs is None:
        return None
    if not isinstance(outputs, list):
        return "has outputs that is not an array of output file logs (tesTaskLog.outputs)"
    for number, output in enumerate(outputs):
        if not isinstance(output, dict):
            return f"has output {number} that is not an output file log (tesOutputFileLog)"
        for key in ("url", "path"):
            if not isinstance(output.get(key), str):
                what = "no" if key not in output else "a non-string"
                return f"has output {number} with {what} {key}, which tesOutputFileLog requires as a string"
        size = output.get("size_bytes")
        if not (isinstance(size, str) and size.isdigit() and size.isascii()) and not (
                isinstance(size, int) and not isinstance(size, bool) and size >= 0):
            return (f"has output {number} whose size_bytes {size!r} is not a size in bytes (tesOutputFileLog "
                    "requires size_bytes, an int64 as a string)")
    return None


#: Tasks the cancel check creates before a task that was active when read just before its cancel, yet ended
#: in a final state other than CANCELED, is failed (once may be a task that ended in the moment between).
CANCEL_ATTEMPTS = 2


@check("tes.submit.cancel")
def test_cancel_stops_a_task(tes: Tes) -> None:
    """POST /tasks/{id}:cancel of a task that is not over answers 200 and the task ends CANCELED
    (or CANCELING in 1.1.0) (TES 1.0.0 and 1.1.0 CancelTask, tesState CANCELED/CANCELING).

    The task's state is read just before the cancel: a task already over then has nothing to cancel (not
    judged). One that was not over yet ends COMPLETE, EXECUTOR_ERROR or SYSTEM_ERROR may have ended in the moment
    between that read and the cancel, so a second task is created and cancelled: the check fails when both end
    so. A task still active when the polls end has not shown the cancel yet (TES bounds no cancel's duration)."""
    allowed = {"CANCELED", "CANCELING"} if tes.at_least("1.1.0") else {"CANCELED"}
    ended_otherwise: list[str] = []
    for attempt in range(CANCEL_ATTEMPTS):
        task_id, created = tes.create("cancel")
        tes.require_admission(created, "POST /tasks")
        if task_id is None:
            if attempt:
                break  # the first task's finding stands alone: undecided below
            pytest.skip(f"POST /tasks answered {created.status} without a task id (see tes.submit.create)")
        before = tes.state_now(task_id)
        if before in FINAL:
            pytest.skip(f"task {task_id} was already {before} when read just before the cancel: nothing to cancel "
                        "(the submit task ends before a cancel can be sent)")
        response = tes.cancel(task_id)
        tes.require_admission(response, f"POST /tasks/{task_id}:cancel")  # authorization is the implementer's
        if response.status != 200:
            raise fail(f"POST /tasks/{task_id}:cancel answered {response.status}, not 200", response)
        seen, last = tes.poll(task_id)
        if not seen:
            raise fail(f"after cancelling, GET /tasks/{task_id} never answered the task's state", last)
        ended = seen[-1]
        if ended in allowed:
            return
        if ended in tes.states() and ended not in FINAL and not allowed & set(seen):
            # TES bounds no cancel's duration: a task still going when the polls end has not shown the cancel yet
            pytest.skip(f"task {task_id} still reported {' → '.join(seen)} when the polling budget (poll_seconds) "
                        "ended: the cancel has not taken effect yet, which the text does not bound")
        if ended not in FINAL or allowed & set(seen):
            raise fail(f"task {task_id} was cancelled but is {ended} (states seen after the cancel: "
                       f"{' → '.join(seen)})", last)
        if before not in tes.states() or before == "UNKNOWN":
            pytest.skip(f"cannot decide: task {task_id} ended {ended} after a cancel answered 200, and its state just "
                        f"before the cancel was {'not read' if before is None else before}, so it may have been over "
                        "already")
        ended_otherwise.append(f"task {task_id} was {before} just before its cancel (answered 200) and ended "
                               f"{ended} (states seen after the cancel: {' → '.join(seen)})")
        if len(ended_otherwise) == CANCEL_ATTEMPTS:
            raise fail(f"{'; '.join(ended_otherwise)}: a cancelled task ends {' or '.join(sorted(allowed))}", last)
    pytest.skip(f"cannot decide: {ended_otherwise[0]}, which a task that ended just before the cancel also shows, "
                "and no second task could be created to tell")
