"""Property check (hypothesis) on the name_prefix filter: for generated prefixes, drawn from pieces of
the listed tasks' names (so that they match some tasks, none, or the middle of a name), the filtered
list holds exactly the tasks whose name starts with the prefix (TES 1.0.0 and 1.1.0 ListTasks
name_prefix). It runs with the run's seed: the same deployment gets the same examples."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, seed
from hypothesis import strategies as st

from conformance import Run, check, fail

from .view import ALL_PAGE_SIZE, Tes, named, tasks_of


def _pieces(names: list[str]) -> st.SearchStrategy[str]:
    """Substrings of the names: prefixes (start 0) and pieces from the middle, which a prefix filter must
    not confuse with a substring match."""
    return st.sampled_from(sorted(names)).flatmap(
        lambda n: st.tuples(st.integers(0, len(n) - 1), st.integers(1, len(n))).map(lambda p: n[p[0]:p[0] + p[1]]))


@check("tes.property.name-prefix")
def test_name_prefix_keeps_exactly_the_matching_tasks(tes: Tes, conformance_run: Run) -> None:
    """For each generated prefix GET /tasks?name_prefix= lists only tasks whose name starts with it, and
    every such task of the unfiltered list that is over (so cannot have changed) ("Filter the list to
    include tasks where the name matches this prefix", TES 1.0.0 and 1.1.0 ListTasks name_prefix)."""
    everything, _ = tes.all_tasks("BASIC")
    if len(everything) >= ALL_PAGE_SIZE:
        pytest.skip(f"the list holds {ALL_PAGE_SIZE} tasks or more: the unfiltered list is not whole")
    names = sorted({t["name"] for t in everything if isinstance(t.get("name"), str) and t["name"]})
    if not names:
        pytest.skip("no listed task has a name")

    def prop(prefix: str) -> None:
        params = {"view": "BASIC", "page_size": str(ALL_PAGE_SIZE), "name_prefix": prefix}
        response = tes.client.get("/tasks", params=params)
        body = response.json_object() if response.status == 200 else None
        tasks = tasks_of(body)
        if not isinstance(tasks, list):
            return  # not a listing: tes.list.response's finding
        wrong = [t for t in tasks if not isinstance(t, dict) or not str(t.get("name") or "").startswith(prefix)]
        if wrong:
            raise fail(f"GET /tasks?name_prefix={prefix} listed task(s) {named(wrong)} whose name does not start "
                       "with it", response, caused_by="tes.list.name-prefix")
        # the filtered list walked to its end; a task purged meanwhile is not counted missing (Tes.unlisted)
        lost, last = tes.unlisted(everything, params, lambda t: str(t.get("name") or "").startswith(prefix),
                                  first=response)
        if lost:
            raise fail(f"GET /tasks?name_prefix={prefix} left out matching task(s) {', '.join(map(repr, lost[:5]))}",
                       last or response, caused_by="tes.list.name-prefix")

    test: Any = given(prefix=_pieces(names))(prop)
    test = example(prefix=names[0])(test)
    seed(conformance_run.seed)(test)()
