"""GET /tasks: the ListTasksResponse, page_size and next_page_token, and the filters (name_prefix in
1.0.0 and 1.1.0; state, tag_key and tag_value in 1.1.0), each filtered list checked against the
unfiltered one (TES 1.0.0 and 1.1.0 ListTasks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance import Response, check, fail, json_type

from .view import ALL_PAGE_SIZE, FINAL, MAX_PAGES, WALK_PAGE_SIZE, TaskWalk, Tes, named, tasks_of

#: Walks of the list the paging check tries before a list that others keep changing is undecided.
WALK_ATTEMPTS = 3


@check("tes.list.response")
def test_list_answers_a_list_tasks_response(tes: Tes) -> None:
    """GET /tasks answers 200 with a ListTasksResponse: a required ``tasks`` array of tasks, and
    ``next_page_token`` a string when given (TES 1.0.0 and 1.1.0 tesListTasksResponse). A body with neither
    member, ``{}``, is the empty list as the proto3 JSON mapping writes it (erratum in requirements.yaml)."""
    response = tes.list_response()
    tes.require_admission(response, "GET /tasks")
    if response.status != 200:
        raise fail(f"GET /tasks answered {response.status}, not 200 with a ListTasksResponse", response)
    body = response.json_object()
    if body is None:
        raise fail("GET /tasks did not answer a JSON object", response)
    tasks = tasks_of(body)  # {}: no task, as protojson writes an empty list (view.tasks_of)
    if not isinstance(tasks, list):
        what = "has no tasks" if "tasks" not in body else f"has tasks as a JSON {json_type(tasks)}"
        raise fail(f"GET /tasks {what}; a ListTasksResponse requires a tasks array", response)
    token = body.get("next_page_token")
    if token is not None and not isinstance(token, str):
        raise fail(f"GET /tasks has next_page_token as a JSON {json_type(token)}, not a string", response)


def _page_size(tes: Tes, check: str) -> int:
    """The page size that exercises ``check``: :data:`WALK_PAGE_SIZE`, or one less than the tasks listed where
    the list holds no more than a page of it (a page of page_size tasks, from a list of no more, holds them all
    whether page_size is honoured or not, and has no next page to follow). Skips where the list holds at most
    one task: no page_size can be exceeded, no next page followed."""
    tasks, response = tes.all_tasks("MINIMAL")
    body = response.json_object() or {}
    more = isinstance(body.get("next_page_token"), str) and bool(body["next_page_token"])
    if len(tasks) > WALK_PAGE_SIZE:
        return WALK_PAGE_SIZE
    if len(tasks) + more < 2:
        listed = f"{len(tasks)} task{'' if len(tasks) == 1 else 's'}"
        pytest.skip(f"does not apply: GET /tasks lists {listed}, no more than a page of 1: {check}")
    return min(WALK_PAGE_SIZE, len(tasks) + more - 1)


@check("tes.list.page-size")
def test_page_size_bounds_the_page(tes: Tes) -> None:
    """A page holds at most page_size tasks ("page_size: Optional number of tasks to return in one
    page", TES 1.0.0 and 1.1.0 ListTasks). The page asked is smaller than the list (:func:`_page_size`), so
    that a page_size ignored shows."""
    size = _page_size(tes, "no page can hold more than page_size tasks")
    tasks, response = tes.listed(view="MINIMAL", page_size=str(size))
    if len(tasks) > size:
        raise fail(f"GET /tasks?page_size={size} answered {len(tasks)} tasks", response)


@check("tes.list.paging")
def test_paging_neither_repeats_nor_loses_tasks(tes: Tes) -> None:
    """Following next_page_token (given as page_token) walks the list: no task twice, none of the
    unpaged list lost (TES 1.0.0 and 1.1.0 ListTasks page_token, tesListTasksResponse.next_page_token).

    Other clients create, finish and purge tasks while the harness reads ("How long completed tasks are
    stored by the system may be dependent on the underlying implementation", ListTasks), and TES asks for no
    stable order, so a walk over a list that changed can repeat or skip a task without any fault: the unpaged
    list is read just before and just after each walk, and a repeat or a miss is judged only in a walk over
    which it stayed the same (the same tasks in the same order and states); a task gone by the read after is
    purged, not lost. A list that changed during each of :data:`WALK_ATTEMPTS` walks is undecided.

    The pages are smaller than the list (:func:`_page_size`); a first page that holds the whole list, page_size
    not honoured, without a next_page_token leaves nothing to walk: undecided (tes.list.page-size's finding)."""
    size = _page_size(tes, "there is no next page to follow")
    first, response = tes.listed(view="MINIMAL", page_size=str(size))
    token = (response.json_object() or {}).get("next_page_token")
    if len(first) > size and not (isinstance(token, str) and token):
        pytest.skip(f"GET /tasks?page_size={size} answered {len(first)} tasks in one page without next_page_token "
                    "(page_size not honoured: see tes.list.page-size), so there is no next page to follow")
    unpaged = {"view": "MINIMAL", "page_size": str(ALL_PAGE_SIZE)}
    paged = {"view": "MINIMAL", "page_size": str(size)}
    for _ in range(WALK_ATTEMPTS):
        before = tes.walk_tasks(unpaged, max_pages=1)
        walk = tes.walk_tasks(paged)
        after = tes.walk_tasks(unpaged, max_pages=1)
        if before is None or walk is None or after is None:
            number, page = tes.broken_page or (0, None)
            said = f"page {number} answered {page.status}" if page is not None else "a page did not answer one"
            pytest.skip(f"GET /tasks walked by next_page_token did not answer a list of tasks on every page ({said} "
                        "without a tasks array), so the walk could not be followed to its end")
        quiet = _order(before) == _order(after)
        lost: list[str] = []
        if before.whole and walk.whole:
            seen, now = walk.ids(), after.ids()
            lost = [t["id"] for t in before.tasks if isinstance(t.get("id"), str) and t.get("state") in FINAL
                    and t["id"] not in seen and t["id"] in now]
        if quiet and walk.repeated is not None:
            task_id, page = walk.repeated
            raise fail(f"paging GET /tasks returned task {task_id!r} twice (the list did not change meanwhile)", page)
        if quiet and lost:
            raise fail(f"paging GET /tasks never returned task(s) {', '.join(map(repr, lost[:5]))} of the unpaged "
                       "list (the list did not change meanwhile)", walk.last)
        if quiet or (walk.repeated is None and not lost):
            if not walk.whole:
                pytest.skip(f"the list has more than {MAX_PAGES} pages of {size}: walked only part of it")
            return
    pytest.skip(f"the list changed during each of {WALK_ATTEMPTS} walks (tasks created, finished or purged by other "
                "clients), and a walk over a changing list may repeat or skip a task (TES asks for no stable order): "
                "cannot tell")


def _exercising(candidates: list[Any], tasks: list[dict[str, Any]], keep: Callable[[Any, dict[str, Any]], bool]) -> Any:
    """The first candidate filter value that leaves out some listed task (so that a filter ignored shows), else
    the first candidate (then only that no matching task is lost can be judged)."""
    for candidate in candidates:
        if not all(keep(candidate, t) for t in tasks):
            return candidate
    return candidates[0]


def _order(walk: TaskWalk) -> list[tuple[Any, Any]]:
    return [(t.get("id"), t.get("state")) for t in walk.tasks]


@check("tes.list.name-prefix")
def test_name_prefix_filters(tes: Tes) -> None:
    """name_prefix keeps exactly the tasks whose name starts with it ("Filter the list to include tasks
    where the name matches this prefix", TES 1.0.0 and 1.1.0 ListTasks)."""
    everything, _ = tes.all_tasks("BASIC")
    names = [t["name"] for t in everything if isinstance(t.get("name"), str) and t["name"]]
    if not names:
        pytest.skip("no listed task has a name")
    prefix = _exercising([n[: max(1, len(n) // 2)] for n in names] + names, everything,
                         lambda p, t: str(t.get("name") or "").startswith(p))
    filtered, response = tes.listed(view="BASIC", page_size=str(ALL_PAGE_SIZE), name_prefix=prefix)
    wrong = [t for t in filtered if not str(t.get("name") or "").startswith(prefix)]
    if wrong:
        raise fail(f"GET /tasks?name_prefix={prefix} listed task(s) {named(wrong)} whose name does not start with "
                   "it", response)
    _no_final_task_lost(tes, everything, {"view": "BASIC", "page_size": str(ALL_PAGE_SIZE), "name_prefix": prefix},
                        response, lambda t: str(t.get("name") or "").startswith(prefix), f"name_prefix={prefix}")


def _no_final_task_lost(tes: Tes, everything: list[dict[str, Any]], params: dict[str, str], first: Response,
                        keep: Callable[[dict[str, Any]], bool], query: str) -> None:
    """Every task of the unfiltered list that matches and is in a final state (so cannot have changed
    since) is in the filtered list, walked by next_page_token to its end, unless it is gone or no longer
    matches when read again by id (:meth:`Tes.unlisted`)."""
    lost, response = tes.unlisted(everything, params, keep, first=first)
    if lost:
        raise fail(f"GET /tasks?{query} left out matching task(s) {', '.join(map(repr, lost[:5]))}",
                   response or first)


@check("tes.list.state-filter")
def test_state_filters(tes: Tes) -> None:
    """state keeps exactly the tasks in that state (TES 1.1.0 ListTasks "state: OPTIONAL. Filter tasks
    by state")."""
    everything, _ = tes.all_tasks("MINIMAL")
    final = [t["state"] for t in everything if t.get("state") in FINAL]
    if not final:
        pytest.skip("no listed task is in a final state to filter by")
    state = _exercising(final, everything, lambda s, t: t.get("state") == s)
    filtered, response = tes.listed(view="MINIMAL", page_size=str(ALL_PAGE_SIZE), state=state)
    wrong = [f"{t.get('id')!r} ({t.get('state')})" for t in filtered if t.get("state") != state]
    if wrong:
        raise fail(f"GET /tasks?state={state} listed task(s) in other states: {', '.join(wrong[:5])}", response)
    _no_final_task_lost(tes, everything, {"view": "MINIMAL", "page_size": str(ALL_PAGE_SIZE), "state": state},
                        response, lambda t: t.get("state") == state, f"state={state}")


@check("tes.list.tag-filter")
def test_tag_filters(tes: Tes) -> None:
    """tag_key with tag_value keeps the tasks whose tags hold that key with that value; tag_key alone
    keeps those holding the key with any value (TES 1.1.0 ListTasks tag_key, tag_value and their table)."""
    everything, _ = tes.all_tasks("BASIC")
    tagged = [(k, v) for t in everything if isinstance(t.get("tags"), dict)
              for k, v in t["tags"].items() if isinstance(v, str) and v]
    if not tagged:
        pytest.skip("no listed task has a tag with a value")
    key, value = _exercising(tagged, everything,
                             lambda kv, t: isinstance(t.get("tags"), dict) and t["tags"].get(kv[0]) == kv[1])
    filtered, response = tes.listed(view="BASIC", page_size=str(ALL_PAGE_SIZE), tag_key=key, tag_value=value)
    wrong = [t.get("id") for t in filtered if not isinstance(t.get("tags"), dict) or t["tags"].get(key) != value]
    if wrong:
        raise fail(f"GET /tasks?tag_key={key}&tag_value={value} listed task(s) {', '.join(map(repr, wrong[:5]))} "
                   "without that tag value", response)
    _no_final_task_lost(tes, everything, {"view": "BASIC", "page_size": str(ALL_PAGE_SIZE), "tag_key": key,
                                          "tag_value": value},
                        response, lambda t: isinstance(t.get("tags"), dict) and t["tags"].get(key) == value,
                        f"tag_key={key}&tag_value={value}")
    any_value, response = tes.listed(view="BASIC", page_size=str(ALL_PAGE_SIZE), tag_key=key)
    wrong = [t.get("id") for t in any_value if not isinstance(t.get("tags"), dict) or key not in t["tags"]]
    if wrong:
        raise fail(f"GET /tasks?tag_key={key} listed task(s) {', '.join(map(repr, wrong[:5]))} without that tag",
                   response)
