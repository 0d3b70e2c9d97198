"""Property checks (hypothesis) of a tool registry: generated offset/limit pairs give the slice of the
listing they name, and unknown tool ids of many shapes are 404 (TRS 2.0.x OpenAPI, components ›
parameters › offset and limit; /tools/{id} › 404). Each property runs with the run's seed."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import example, given, seed
from hypothesis import strategies as st

from conformance import CheckFailure, Run, check, fail

from .view import PAGE_LIMIT, Trs, answered, segment

SAFE = string.ascii_letters + string.digits + "._-"


def _unknown_ids() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(SAFE, min_size=1, max_size=40).map(lambda s: "conformance-unknown-" + s),
        st.text(string.digits, min_size=9, max_size=12).map(lambda s: "9" + s),
        st.text(SAFE, min_size=1, max_size=30).map(lambda s: f"#workflow/github.com/conformance-unknown/{s}"),
        st.text(SAFE, min_size=61, max_size=200).map(lambda s: "conformance-unknown-" + s),
    )


@check("trs.property.unknown-ids-are-404")
def test_unknown_ids_are_404(trs: Trs, conformance_run: Run) -> None:
    """Generated unknown tool ids (names, numbers, Dockstore-style paths, long ids) answer 404 on
    /tools/{id}, never 5xx ("The tool can not be found", TRS 2.0.x OpenAPI, /tools/{id} › 404). A generated
    id answered with the status trs.tool.unknown-404's id is answered with, not 404, is that check's defect
    (unknown ids are not answered 404): a consequence of it, raised once no id shows a defect of its own."""
    known = set(trs.listed_ids()) | set(trs.option("tools"))
    fixed = trs.unknown_tool().status
    inherited: list[CheckFailure] = []

    def prop(ident: str) -> None:
        if ident in known:
            return
        path = f"/tools/{segment(ident)}"
        response = trs.client.get(path, max_bytes=65536)
        if response.status != 404:
            message = f"GET /tools/{{id}} of the unknown id {ident[:80]!r} answered {answered(response)}, not 404"
            if response.status == fixed:
                inherited[:] = inherited or [fail(message, response, caused_by="trs.tool.unknown-404")]
                return
            raise fail(message, response)

    test: Any = given(ident=_unknown_ids())(prop)
    for ident in ("conformance-unknown-tool", "#workflow/github.com/conformance-unknown/x",
                  "conformance-unknown-" + "x" * 80):
        test = example(ident=ident)(test)
    seed(conformance_run.seed)(test)()
    if inherited:
        raise inherited[0]


def _ids(page: Any) -> list[Any]:
    """The ids of a page's tools (none for a page that is no array)."""
    return [t.get("id") for t in page if isinstance(t, dict)] if isinstance(page, list) else []


@check("trs.property.offset-limit-slices")
def test_offset_limit_give_their_slice(trs: Trs, conformance_run: Run) -> None:
    """For a registry whose offsets are indexes of tools, GET /tools?offset=o&limit=l gives the tools o to
    o+l-1 of the listing ("offset: Start index of paging", "limit: Amount of records to return in a given
    page", TRS 2.0.x OpenAPI, components › parameters). "Pagination results can be based on numbers or other
    values chosen by the registry implementor": a number may count pages (Dockstore's offset=1 is the second
    page), so offsets are taken for indexes only where the walk shows it: the first page's current_offset is
    0 and the second's the number of tools on the first, or the second page repeats the first (the offset
    ignored, which a page-counting registry does not do either)."""
    _, pages, _ = trs.walk()
    if pages[0].headers.get("current_offset", "").strip() != "0":
        pytest.skip("does not apply: the server does not show numeric offsets (current_offset of the first "
                    "page is not 0)")
    if len(pages) < 2:
        pytest.skip(f"the walk of limit={PAGE_LIMIT} has one page: whether offsets count tools or pages is not "
                    "shown")
    first = pages[0].json()
    second = pages[1].headers.get("current_offset", "").strip()
    # a second page that repeats the first shows an offset ignored, not offsets counting pages: judged as
    # indexes (the slices show whether offset is honoured); a second page of other tools still at
    # current_offset 0 shows neither meaning
    if _ids(pages[1].json()) == _ids(first) != []:
        second = str(len(first))
    elif second == "0":
        pytest.skip(f"cannot decide whether offsets count tools or pages: the second page of limit={PAGE_LIMIT} "
                    "gives other tools than the first, but current_offset 0 as the first does")
    if not isinstance(first, list) or second != str(len(first)):
        pytest.skip(f"does not apply: offsets are not indexes of tools (the second page of limit={PAGE_LIMIT} "
                    f"gives current_offset {second or 'no'}, after a first page of "
                    f"{len(first) if isinstance(first, list) else 'no'} tools): the implementor's choice")
    listed = trs.listed_ids()
    _, unfiltered = trs.listing()
    if unfiltered.headers.get("next_page") or len(listed) >= 1000:
        pytest.skip("GET /tools answered one page of several; slices are compared with a complete listing only")
    size = len(listed)
    # a listing that repeats a tool (trs.tools.ids-unique) is no base to slice; an offset past the results is
    # trs.paging.offset-beyond-end-empty's to judge: a slice failing there is that check's defect, raised
    # once no other pair shows a defect of its own
    repeated = len(set(listed)) != size
    inherited: list[CheckFailure] = []

    def prop(offset: int, limit: int) -> None:
        response = trs.client.get("/tools", params={"offset": str(offset), "limit": str(limit)})
        body = response.json() if response.status == 200 else None
        cause = "trs.tools.ids-unique" if repeated else "trs.paging.offset-beyond-end-empty" if offset >= size else None
        if not isinstance(body, list):
            failure = fail(f"GET /tools?offset={offset}&limit={limit} answered {answered(response)} without an array",
                           response, caused_by=cause)
        else:
            got = [t.get("id") for t in body if isinstance(t, dict)]
            if got == listed[offset: offset + limit]:
                return
            failure = fail(f"GET /tools?offset={offset}&limit={limit} gives {got[:4]}, not tools {offset} to "
                           f"{offset + limit - 1} of the listing ({listed[offset: offset + limit][:4]})", response,
                           caused_by=cause)
        if cause is None:
            raise failure
        inherited[:] = inherited or [failure]

    test: Any = given(offset=st.integers(0, size + 2), limit=st.integers(1, size + 2))(prop)
    test = example(offset=0, limit=max(1, size))(test)
    test = example(offset=1, limit=3)(test)
    seed(conformance_run.seed)(test)()
    if inherited:
        raise inherited[0]
