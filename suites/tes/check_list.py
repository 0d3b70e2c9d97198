"""GET /tasks: the ListTasksResponse, page_size and next_page_token, and the filters (name_prefix in
1.0.0 and 1.1.0; state, tag_key and tag_value in 1.1.0), each filtered list checked against the
unfiltered one (TES 1.0.0 and 1.1.0 ListTasks)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import check, fail, json_type

from .view import ALL_PAGE_SIZE, FINAL, MAX_PAGES, WALK_PAGE_SIZE, Tes


@check("tes.list.response")
def test_list_answers_a_list_tasks_response(tes: Tes) -> None:
    """GET /tasks answers 200 with a ListTasksResponse: a required ``tasks`` array of tasks, and
    ``next_page_token`` a string when given (TES 1.0.0 and 1.1.0 tesListTasksResponse)."""
    response = tes.list_response()
    tes.require_admission(response, "GET /tasks")
    if response.status != 200:
        raise fail(f"GET /tasks answered {response.status}, not 200 with a ListTasksResponse", response)
    body = response.json_object()
    if body is None:
        raise fail("GET /tasks did not answer a JSON object", response)
    tasks = body.get("tasks")
    if not isinstance(tasks, list):
        what = "has no tasks" if "tasks" not in body else f"has tasks as a JSON {json_type(tasks)}"
        raise fail(f"GET /tasks {what}; a ListTasksResponse requires a tasks array", response)
    token = body.get("next_page_token")
    if token is not None and not isinstance(token, str):
        raise fail(f"GET /tasks has next_page_token as a JSON {json_type(token)}, not a string", response)


@check("tes.list.page-size")
def test_page_size_bounds_the_page(tes: Tes) -> None:
    """A page holds at most page_size tasks ("page_size: Optional number of tasks to return in one
    page", TES 1.0.0 and 1.1.0 ListTasks)."""
    tasks, response = tes.listed(view="MINIMAL", page_size=str(WALK_PAGE_SIZE))
    if len(tasks) > WALK_PAGE_SIZE:
        raise fail(f"GET /tasks?page_size={WALK_PAGE_SIZE} answered {len(tasks)} tasks", response)


@check("tes.list.paging")
def test_paging_neither_repeats_nor_loses_tasks(tes: Tes) -> None:
    """Following next_page_token (given as page_token) walks the list: no task twice, none of the
    unpaged list lost (TES 1.0.0 and 1.1.0 ListTasks page_token, tesListTasksResponse.next_page_token)."""
    everything, _ = tes.all_tasks("MINIMAL")
    seen: list[str] = []
    params = {"view": "MINIMAL", "page_size": str(WALK_PAGE_SIZE)}
    for _ in range(MAX_PAGES):
        tasks, response = tes.listed(**params)
        for task in tasks:
            task_id = task.get("id")
            if task_id in seen:
                raise fail(f"paging GET /tasks returned task {task_id!r} twice", response)
            if isinstance(task_id, str):
                seen.append(task_id)
        body = response.json_object() or {}
        token = body.get("next_page_token")
        if not isinstance(token, str) or not token:
            break
        params = {**params, "page_token": token}
    else:
        pytest.skip(f"the list has more than {MAX_PAGES} pages of {WALK_PAGE_SIZE}: walked only part of it")
    if len(everything) >= ALL_PAGE_SIZE:
        return
    lost = [t.get("id") for t in everything if t.get("id") not in seen and t.get("state") in FINAL]
    if lost:
        raise fail(f"paging GET /tasks never returned task(s) {', '.join(map(repr, lost[:5]))} of the unpaged "
                   "list", response)


@check("tes.list.name-prefix")
def test_name_prefix_filters(tes: Tes) -> None:
    """name_prefix keeps exactly the tasks whose name starts with it ("Filter the list to include tasks
    where the name matches this prefix", TES 1.0.0 and 1.1.0 ListTasks)."""
    everything, _ = tes.all_tasks("BASIC")
    names = [t["name"] for t in everything if isinstance(t.get("name"), str) and t["name"]]
    if not names:
        pytest.skip("no listed task has a name")
    prefix = names[0][: max(1, len(names[0]) // 2)]
    filtered, response = tes.listed(view="BASIC", page_size=str(ALL_PAGE_SIZE), name_prefix=prefix)
    wrong = [t.get("id") for t in filtered if not str(t.get("name") or "").startswith(prefix)]
    if wrong:
        raise fail(f"GET /tasks?name_prefix={prefix} listed task(s) {', '.join(map(repr, wrong[:5]))} whose name "
                   "does not start with it", response)
    _no_final_task_lost(everything, filtered, lambda t: str(t.get("name") or "").startswith(prefix),
                        f"name_prefix={prefix}", response)


def _no_final_task_lost(everything: list[dict[str, Any]], filtered: list[dict[str, Any]], keep: Any,
                        query: str, response: Any) -> None:
    """Every task of the unfiltered list that matches and is in a final state (so cannot have changed
    since) is in the filtered list."""
    if len(everything) >= ALL_PAGE_SIZE or len(filtered) >= ALL_PAGE_SIZE:
        return
    ids = {t.get("id") for t in filtered}
    lost = [t.get("id") for t in everything if keep(t) and t.get("state") in FINAL and t.get("id") not in ids]
    if lost:
        raise fail(f"GET /tasks?{query} left out matching task(s) {', '.join(map(repr, lost[:5]))}", response)


@check("tes.list.state-filter")
def test_state_filters(tes: Tes) -> None:
    """state keeps exactly the tasks in that state (TES 1.1.0 ListTasks "state: OPTIONAL. Filter tasks
    by state")."""
    everything, _ = tes.all_tasks("MINIMAL")
    final = [t["state"] for t in everything if t.get("state") in FINAL]
    if not final:
        pytest.skip("no listed task is in a final state to filter by")
    state = final[0]
    filtered, response = tes.listed(view="MINIMAL", page_size=str(ALL_PAGE_SIZE), state=state)
    wrong = [f"{t.get('id')!r} ({t.get('state')})" for t in filtered if t.get("state") != state]
    if wrong:
        raise fail(f"GET /tasks?state={state} listed task(s) in other states: {', '.join(wrong[:5])}", response)
    _no_final_task_lost(everything, filtered, lambda t: t.get("state") == state, f"state={state}", response)


@check("tes.list.tag-filter")
def test_tag_filters(tes: Tes) -> None:
    """tag_key with tag_value keeps the tasks whose tags hold that key with that value; tag_key alone
    keeps those holding the key with any value (TES 1.1.0 ListTasks tag_key, tag_value and their table)."""
    everything, _ = tes.all_tasks("BASIC")
    tagged = [(k, v) for t in everything if isinstance(t.get("tags"), dict)
              for k, v in t["tags"].items() if isinstance(v, str) and v]
    if not tagged:
        pytest.skip("no listed task has a tag with a value")
    key, value = tagged[0]
    filtered, response = tes.listed(view="BASIC", page_size=str(ALL_PAGE_SIZE), tag_key=key, tag_value=value)
    wrong = [t.get("id") for t in filtered if not isinstance(t.get("tags"), dict) or t["tags"].get(key) != value]
    if wrong:
        raise fail(f"GET /tasks?tag_key={key}&tag_value={value} listed task(s) {', '.join(map(repr, wrong[:5]))} "
                   "without that tag value", response)
    _no_final_task_lost(everything, filtered, lambda t: isinstance(t.get("tags"), dict) and t["tags"].get(key) == value,
                        f"tag_key={key}&tag_value={value}", response)
    any_value, response = tes.listed(view="BASIC", page_size=str(ALL_PAGE_SIZE), tag_key=key)
    wrong = [t.get("id") for t in any_value if not isinstance(t.get("tags"), dict) or key not in t["tags"]]
    if wrong:
        raise fail(f"GET /tasks?tag_key={key} listed task(s) {', '.join(map(repr, wrong[:5]))} without that tag",
                   response)
