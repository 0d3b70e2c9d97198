"""Tasks read with the ecosystem's client: every task and list answer the suite read parses with
py-tes's models (TES 1.0.0 and 1.1.0 tesTask, tesListTasksResponse schemas), the client a workflow
manager would drive the service with."""

from __future__ import annotations

from typing import Any

from conformance import check, fail

from .view import Tes

#: the views whose tasks carry typed fields the client converts (MINIMAL is id and state only)
VIEWS = ("BASIC", "FULL")


def _client_error(body: dict[str, Any], model: str) -> str | None:
    """py-tes's complaint about ``body`` read as ``model`` (its last line, the reason), or None."""
    from tes import models, utils  # imported here: the client is needed by this check only

    try:
        utils.unmarshal(body, getattr(models, model))
    except (utils.UnmarshalError, TypeError, ValueError) as error:
        lines = [line for line in str(error).splitlines() if line.strip()]
        return lines[-1] if lines else type(error).__name__
    return None


@check("tes.client.py-tes-parses")
def test_answers_parse_with_py_tes(tes: Tes) -> None:
    """Every GET /tasks and GET /tasks/{id} answer read in the BASIC and FULL views parses with py-tes's
    ListTasksResponse and Task models (TES 1.0.0 and 1.1.0 OpenAPI tesListTasksResponse, tesTask and the
    schemas they use: field types and enums)."""
    for view in VIEWS:
        listed, response = tes.listed(view=view)
        problem = _client_error({"tasks": listed}, "ListTasksResponse")
        if problem is not None:
            raise fail(f"py-tes cannot read GET /tasks?view={view}: {problem}", response)
        for task_id, task, got in tes.tasks(view):
            problem = _client_error(task, "Task")
            if problem is not None:
                raise fail(f"py-tes cannot read GET /tasks/{task_id}?view={view}: {problem}", got)
