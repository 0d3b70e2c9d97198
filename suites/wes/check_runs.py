"""GET /runs: the list, its schema, page_size, and the walk by next_page_token (WES 1.0.0 Swagger §ListRuns,
definitions/RunListResponse; WES 1.1.0 OpenAPI idem)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, seed
from hypothesis import strategies as st

from conformance import Run, SpecStore, check, fail, json_type, schema_errors

from .states import TERMINAL, with_known_states
from .view import SMALL_PAGE, Wes, answered, run_path

#: The most missing runs read again by id.
MAX_REREAD = 10


@check("wes.runs.list-answers-200")
def test_run_list_answers_200(wes: Wes) -> None:
    """GET /runs answers 200 with a JSON object (WES 1.0.0 Swagger §ListRuns; WES 1.1.0 OpenAPI §ListRuns)."""
    response = wes.first_page()
    wes.require_admission(response, "GET /runs")
    if response.status != 200:
        raise fail(f"GET /runs answered {answered(response)}, not 200", response)
    body = response.json()
    if not isinstance(body, dict):
        raise fail(f"GET /runs answered a JSON {json_type(body)}, not an object", response)


@check("wes.schema.run-list-valid")
def test_run_list_pages_match_schema(wes: Wes, schemas: SpecStore) -> None:
    """Every page of GET /runs matches RunListResponse (WES 1.0.0 Swagger definitions/RunListResponse; WES
    1.1.0 OpenAPI components/schemas/RunListResponse; erratum E6)."""
    relative, pointer, openapi = wes.schema("RunListResponse")
    validator = schemas.validator(relative, pointer, openapi=openapi)
    walk = wes.walk()  # not wes.listed(): a page without a runs list is still a page to validate
    judged = 0
    for page in walk.pages:
        body = page.json_object() if page.status == 200 else None
        if body is None:
            continue
        judged += 1
        errors = schema_errors(validator, body)
        if errors:
            # a state outside the enum, and nothing else, is wes.run.state-in-enum's finding
            only_states = not schema_errors(validator, with_known_states(body, wes.states))
            raise fail(f"a page of GET /runs does not match the WES {wes.version} RunListResponse schema: "
                       f"{'; '.join(errors)}", page, caused_by="wes.run.state-in-enum" if only_states else None)
    if not judged:
        wes.require_admission(walk.pages[0], "GET /runs")  # wes.runs.list-answers-200 skips for it too
        pytest.skip(f"GET /runs answered {answered(walk.pages[0])}, no JSON object (see wes.runs.list-answers-200)")


@check("wes.runs.page-size-respected")
def test_page_size_is_respected(wes: Wes, conformance_run: Run) -> None:
    """No page holds more runs than page_size ("The implementation must not return more items than
    `page_size`", WES 1.0.0 Swagger §ListRuns; WES 1.1.0 OpenAPI §ListRuns); page sizes are generated."""
    walk = wes.listed()
    if len(walk.items) < 2:
        pytest.skip("the service lists fewer than 2 runs: no page size can be exceeded")

    def prop(page_size: int) -> None:
        response = wes.runs_page(page_size)
        body = response.json_object() if response.status == 200 else None
        runs = body.get("runs") if body is not None else None
        if isinstance(runs, list) and len(runs) > page_size:
            raise fail(f"GET /runs?page_size={page_size} returned {len(runs)} runs", response)

    test: Any = given(page_size=st.integers(1, max(1, min(len(walk.items) - 1, 50))))(prop)
    test = example(page_size=1)(test)
    seed(conformance_run.seed)(test)()


@check("wes.runs.paging-no-duplicates")
def test_paging_lists_no_run_twice(wes: Wes) -> None:
    """Walking next_page_token to its end lists no run twice and ends ("a stable ordering", "An empty string
    indicates there are no more items", WES 1.0.0 Swagger §ListRuns, RunListResponse)."""
    for walk, how in ((wes.listed(), "in the default page size"), (wes.walk(SMALL_PAGE), f"by {SMALL_PAGE}")):
        if walk.duplicate is not None:
            ident, page = walk.duplicate
            raise fail(f"walking GET /runs {how} lists run {ident} twice", page)
        if walk.looped is not None:
            raise fail(f"walking GET /runs {how}, a next_page_token came back that was already given: the walk "
                       "never ends", walk.looped)


@check("wes.runs.paging-no-lost-runs")
def test_paging_loses_no_run(wes: Wes) -> None:
    """Walked by 2, the list holds every run the default walk lists in a terminal state ("stable ordering",
    WES 1.0.0 Swagger §ListRuns). The walks are apart in time and the text keeps no run for ever: a missing run
    is read again by id (its status), and one that is gone (404, 410) was deleted meanwhile, not lost."""
    whole = wes.listed()
    small = wes.walk(SMALL_PAGE)
    if small.broken is not None or small.unfinished or small.looped is not None:
        pytest.skip(f"GET /runs?page_size={SMALL_PAGE} could not be walked to its end")
    if whole.unfinished or whole.looped is not None:
        pytest.skip("GET /runs could not be walked to its end in the default page size")
    if not any(item.get("state") in TERMINAL for item in whole.items):
        pytest.skip("GET /runs lists no run in a terminal state, the runs that cannot move between the two walks: "
                    "none can be looked for")
    seen = {item.get("run_id") for item in small.items}
    missing = [item for item in whole.items if item.get("state") in TERMINAL and item.get("run_id") not in seen]
    unsure: list[str] = []
    for item in missing[:MAX_REREAD]:
        run_id = item.get("run_id")
        if not isinstance(run_id, str):
            continue
        _, now = wes.fresh_state(run_id)
        if now.status in (404, 410):
            continue  # deleted between the walks: not lost
        if now.status != 200:
            unsure.append(f"{run_id} ({answered(now)})")
            continue
        raise fail(f"run {run_id} ({item.get('state')}) is listed by GET /runs but missing when the list is "
                   f"walked by page_size={SMALL_PAGE}, and GET {run_path(run_id, '/status')} still finds it",
                   small.pages[-1])
    if unsure:
        pytest.skip(f"run(s) {', '.join(unsure[:5])} listed by the default walk are missing from the walk by "
                    f"{SMALL_PAGE}, and reading them again by id did not tell whether they still exist")
