"""A TES whose JSON follows the proto3 JSON mapping, as Funnel's gRPC gateway writes it (protojson,
EmitUnpopulated false): a member holding its type's default (an empty list or map, "", 0, false, the enum's
zero value) is left out. TES 1.0.0 and 1.1.0 came from that proto; such a server is not failed for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.tes.reference.app import TesApp

from conformance.reference.app import Reply, Request
from conformance.reference.server import ReferenceServer
from conformance.testing import run_profile

SUBMIT = {"executors": [{"image": "alpine", "command": ["echo", "hello"]}]}


def proto3(value: Any) -> Any:
    """``value`` as protojson writes it: members at their default left out, at every depth."""
    if isinstance(value, dict):
        kept = {key: proto3(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if not _default(key, item)}
    if isinstance(value, list):
        return [proto3(item) for item in value]
    return value


def _default(key: str, item: Any) -> bool:
    if isinstance(item, bool):
        return not item
    return item in ([], {}, "", 0, None) or (key == "state" and item == "UNKNOWN")  # tesState's zero value


class Proto3Tes(TesApp):
    """The reference TES with every JSON answer written as protojson writes it."""

    def handle(self, request: Request) -> Reply:
        reply: Reply = super().handle(request)
        if reply.headers.get("Content-Type", "").startswith("application/json") and reply.body:
            reply.body = json.dumps(proto3(json.loads(reply.body))).encode()
        return reply


class EmptyProto3Tes(Proto3Tes):
    """A freshly deployed protojson TES: no task yet, so GET /tasks answers {}."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tasks: dict[str, dict[str, Any]] = {}


def _entry(server: ReferenceServer, version: str, **options: Any) -> dict[str, Any]:
    return {"standard": "tes", "version": version, "url": server.url, **options}


def test_the_stand_in_writes_what_protojson_writes() -> None:
    assert proto3({"tasks": []}) == {}
    assert proto3({"logs": [{"exit_code": 0, "stderr": "", "start_time": "t"}]}) == {"logs": [{"start_time": "t"}]}
    assert proto3({"id": "t", "state": "UNKNOWN", "resources": {"preemptible": False, "cpu_cores": 1}}) == \
        {"id": "t", "resources": {"cpu_cores": 1}}


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_an_empty_list_answered_as_an_empty_object_is_not_failed(version: str, report_root: Path,
                                                                 specs_dir: str | None) -> None:
    """tesListTasksResponse requires tasks, but protojson leaves an empty repeated field out: a TES holding no
    task answers GET /tasks with {}, which lists no task (tes.list.response passes; nothing else is failed)."""
    app = EmptyProto3Tes(version=version, options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes empty proto3", "services": [_entry(server, version)]},
                             report_root, specs_dir=specs_dir, standards=["tes"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("tes.list.response") == "passed", result.check("tes.list.response").message


def test_a_list_without_tasks_but_with_other_members_still_fails(report_root: Path) -> None:
    """{} is the empty list; a body whose tasks come under another member (fault list-no-tasks) is not."""
    app = TesApp(faults=["list-no-tasks"], version="1.1.0", options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes items", "services": [_entry(server, "1.1.0")]}, report_root,
                             checks=["tes.list.response"])
    assert result.outcome("tes.list.response") == "failed", result.output


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0"])
def test_a_task_that_exited_0_written_as_protojson_is_not_failed(version: str, report_root: Path,
                                                                 specs_dir: str | None) -> None:
    """tesExecutorLog requires exit_code, but protojson leaves an int32 0 out: the executor log of a task that
    ran to COMPLETE has no exit_code, which tes.submit.logs does not fail (the rest of the suite neither). With
    no output file log either, nothing is left to judge: skipped, saying so, not passed."""
    app = Proto3Tes(version=version, options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes proto3 writes", "services": [
            _entry(server, version, writes=True, submit=SUBMIT, poll_seconds=5)]},
            report_root, specs_dir=specs_dir, standards=["tes"])
    assert result.failed() == [] and result.errors() == [], result.output
    check = result.check("tes.submit.logs")
    assert check.outcome == "skipped" and "no exit_code" in check.message, (check.outcome, check.message)


def test_an_exit_code_that_is_no_integer_still_fails(report_root: Path) -> None:
    app = TesApp(faults=["executor-log-exit-code-string"], version="1.1.0", options={"open": True})
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes exit code", "services": [
            _entry(server, "1.1.0", writes=True, submit=SUBMIT, poll_seconds=5)]},
            report_root, checks=["tes.submit.logs"])
    check = result.check("tes.submit.logs")
    assert check.outcome == "failed" and "exit_code" in check.message, check.message


class ExecutorErrorTes(TesApp):
    """A TES whose created task ends EXECUTOR_ERROR, its one executor having exited 2 (``exit_code``: what the
    executor log gives of it, None: left out)."""

    def __init__(self, *args: Any, exit_code: Any = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exit_code = exit_code

    def advance(self, task: dict[str, Any]) -> None:
        super().advance(task)
        if task["state"] == "COMPLETE" and task.get("logs"):
            task["state"] = "EXECUTOR_ERROR"
            for executor_log in task["logs"][-1]["logs"]:
                executor_log.pop("exit_code", None)
                if self.exit_code is not None:
                    executor_log["exit_code"] = self.exit_code


def _logs_check(app: TesApp, report_root: Path, submit: dict[str, Any] = SUBMIT) -> Any:
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "tes executor error", "services": [
            _entry(server, "1.1.0", writes=True, submit=submit, poll_seconds=5)]},
            report_root, checks=["tes.submit.logs"])
    return result.check("tes.submit.logs")


def test_an_executor_error_task_without_exit_code_is_not_failed(report_root: Path) -> None:
    """EXECUTOR_ERROR "Generally" (not always) means a non-zero exit: an executor that never started has no exit
    code, and left out an exit code is protojson's 0. Nothing else judged: skipped, saying so."""
    check = _logs_check(ExecutorErrorTes(version="1.1.0", exit_code=None, options={"open": True}), report_root)
    assert check.outcome == "skipped" and "no exit_code" in check.message, (check.outcome, check.message)


def test_an_executor_error_task_with_its_exit_code_passes(report_root: Path) -> None:
    check = _logs_check(ExecutorErrorTes(version="1.1.0", exit_code=2, options={"open": True}), report_root)
    assert check.outcome == "passed", (check.outcome, check.message)
