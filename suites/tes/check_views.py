"""The fields each task view includes (TES 1.0.0 and 1.1.0 components.parameters.view), in GET /tasks
and GET /tasks/{id}. Erratum: tesTask lists ``executors`` as required, but the view text says a MINIMAL
task has ONLY id and state; the text wins (requirements.yaml, tes.view.minimal)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import Response, check, fail

from .view import Tes

MINIMAL_KEYS = {"id", "state"}


def _minimal_extra(task: dict[str, Any]) -> list[str]:
    return sorted(set(task) - MINIMAL_KEYS)


def _basic_extra(task: dict[str, Any]) -> list[str]:
    """The fields BASIC excludes that the task carries (ExecutorLog stdout/stderr, tesInput.content,
    tesTaskLog.system_logs)."""
    found = []
    for i, item in enumerate(task.get("inputs") or []):
        if isinstance(item, dict) and "content" in item:
            found.append(f"inputs[{i}].content")
    for i, log in enumerate(task.get("logs") or []):
        if not isinstance(log, dict):
            continue
        if "system_logs" in log:
            found.append(f"logs[{i}].system_logs")
        for j, executor_log in enumerate(log.get("logs") or []):
            if isinstance(executor_log, dict):
                found += [f"logs[{i}].logs[{j}].{k}" for k in ("stdout", "stderr") if k in executor_log]
    return found


def _each(tes: Tes, view: str | None) -> list[tuple[str, dict[str, Any], Response]]:
    """The tasks of the list and those read by id, in ``view`` (None: no view parameter)."""
    params = {"view": view} if view else {}
    listed, response = tes.listed(**params)
    found = [(f"GET /tasks task {t.get('id')!r}", t, response) for t in listed]
    found += [(f"GET /tasks/{task_id}", task, r) for task_id, task, r in tes.tasks(view)]
    return found


@check("tes.view.minimal")
def test_minimal_view_has_only_id_and_state(tes: Tes) -> None:
    """A task in the MINIMAL view includes ONLY id and state (TES 1.0.0 and 1.1.0 parameter view:
    "MINIMAL: Task message will include ONLY the fields: tesTask.Id, tesTask.State"). A state left out is
    UNKNOWN (tesState: UNKNOWN "provides a safe default for messages where this field is missing"), not a
    failure; an id left out is."""
    for where, task, response in _each(tes, "MINIMAL"):
        extra = _minimal_extra(task)
        if extra:
            raise fail(f"{where} in the MINIMAL view includes {', '.join(extra)} besides id and state", response)
        if "id" not in task:
            raise fail(f"{where} in the MINIMAL view lacks its id", response)


@check("tes.view.default-minimal")
def test_default_view_is_minimal(tes: Tes) -> None:
    """Without a view parameter tasks come in the MINIMAL view (TES 1.0.0 and 1.1.0 parameter view:
    "default: MINIMAL")."""
    for where, task, response in _each(tes, None):
        extra = _minimal_extra(task)
        if extra:
            raise fail(f"{where} without a view parameter includes {', '.join(extra)}: the default view is "
                       "MINIMAL (id and state only)", response)


@check("tes.view.basic")
def test_basic_view_omits_logs_contents(tes: Tes) -> None:
    """A task in the BASIC view includes all fields EXCEPT executor logs' stdout and stderr, inputs'
    content and task logs' system_logs (TES 1.0.0 and 1.1.0 parameter view).

    Where the same task asked in the MINIMAL view carries those fields too, the view parameter is not honoured
    at all: one defect, tes.view.minimal's, of which this failure is a consequence. Where no task read carries
    any of them even in the FULL view, BASIC has nothing to leave out: not judged."""
    minimal = {where: task for where, task, _ in _each(tes, "MINIMAL")}
    for where, task, response in _each(tes, "BASIC"):
        extra = _basic_extra(task)
        if not extra:
            continue
        if set(extra) <= set(_basic_extra(minimal.get(where) or {})):
            raise fail(f"{where} in the BASIC view includes {', '.join(extra)}, which BASIC excludes, as it does in "
                       "the MINIMAL view: the view parameter is not honoured", response, caused_by="tes.view.minimal")
        raise fail(f"{where} in the BASIC view includes {', '.join(extra)}, which BASIC excludes", response)
    if not any(_basic_extra(task) for _, task, _ in _each(tes, "FULL")):
        pytest.skip("does not apply: no task read carries executor logs' stdout or stderr, inputs' content or task "
                    "logs' system_logs, even in the FULL view: BASIC has nothing to leave out")


@check("tes.view.full")
def test_full_view_has_the_task_document(tes: Tes) -> None:
    """A task in the FULL view includes all fields, among them its required executors (TES 1.0.0 and
    1.1.0 parameter view "FULL: Task message includes all fields"; tesTask required: executors)."""
    for where, task, response in _each(tes, "FULL"):
        executors = task.get("executors")
        if not isinstance(executors, list) or not executors:
            raise fail(f"{where} in the FULL view has no executors array", response)
