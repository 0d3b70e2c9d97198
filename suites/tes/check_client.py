"""Tasks read with the ecosystem's client: every task and list answer the suite read parses with
py-tes's models (TES 1.0.0 and 1.1.0 tesTask, tesListTasksResponse schemas), the client a workflow
manager would drive the service with."""

from __future__ import annotations

import re
from typing import Any

from conformance import check, fail

from .view import Tes

#: the views whose tasks carry typed fields the client converts (MINIMAL is id and state only)
VIEWS = ("BASIC", "FULL")


#: py-tes refuses members its models do not declare, which the TES schemas allow (no
#: additionalProperties: false): such members are dropped and the rest read again, at most this often.
UNKNOWN_MEMBER = re.compile(r"unexpected keyword argument '([^']+)'")
MAX_DROPPED = 50


def _without(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, name) for k, v in value.items() if k != name}
    if isinstance(value, list):
        return [_without(v, name) for v in value]
    return value


def _client_error(body: dict[str, Any], model: str) -> str | None:
    """py-tes's complaint about ``body`` read as ``model`` (its last line, the reason), or None. Members
    py-tes does not know are not its to judge (the schemas allow them): they are dropped, never reported."""
    from tes import models, utils  # imported here: the client is needed by this check only

    for _ in range(MAX_DROPPED):
        try:
            utils.unmarshal(body, getattr(models, model))
        except (utils.UnmarshalError, TypeError, ValueError) as error:
            lines = [line for line in str(error).splitlines() if line.strip()]
            reason = lines[-1] if lines else type(error).__name__
            unknown = UNKNOWN_MEMBER.search(reason)
            if unknown is None:
                return reason
            body = _without(body, unknown[1])
            continue
        return None
    return None


def _known_states(value: Any, states: tuple[str, ...]) -> Any:
    """``value`` with every task's ``state`` outside ``states`` set to UNKNOWN: what py-tes would say of it but for
    the states tes.task.state-enum judges (one root cause, one failure)."""
    if isinstance(value, dict):
        return {k: "UNKNOWN" if k == "state" and v not in states else _known_states(v, states)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_known_states(v, states) for v in value]
    return value


def _cause(body: dict[str, Any], model: str, tes: Tes) -> str | None:
    """tes.task.state-enum where py-tes reads ``body`` once its states outside the enum are put aside."""
    return "tes.task.state-enum" if _client_error(_known_states(body, tes.states()), model) is None else None


@check("tes.client.py-tes-parses")
def test_answers_parse_with_py_tes(tes: Tes) -> None:
    """Every GET /tasks and GET /tasks/{id} answer read in the BASIC and FULL views parses with py-tes's
    ListTasksResponse and Task models (TES 1.0.0 and 1.1.0 OpenAPI tesListTasksResponse, tesTask and the
    schemas they use: field types and enums)."""
    for view in VIEWS:
        listed, response = tes.listed(view=view)
        problem = _client_error({"tasks": listed}, "ListTasksResponse")
        if problem is not None:
            raise fail(f"py-tes cannot read GET /tasks?view={view}: {problem}", response,
                       caused_by=_cause({"tasks": listed}, "ListTasksResponse", tes))
        for task_id, task, got in tes.tasks(view):
            problem = _client_error(task, "Task")
            if problem is not None:
                raise fail(f"py-tes cannot read GET /tasks/{task_id}?view={view}: {problem}", got,
                           caused_by=_cause(task, "Task", tes))
