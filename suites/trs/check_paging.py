"""TRS paging of GET /tools: ``offset``/``limit`` and the ``next_page``, ``last_page``, ``self_link``,
``current_offset`` and ``current_limit`` headers (TRS 2.0.x OpenAPI, /tools › parameters and 200 ›
headers). The listing is walked with a small ``limit`` following ``next_page``, within the budget."""

from __future__ import annotations

import pytest

from conformance import check, fail

from .view import PAGE_LIMIT, Trs, answered, paging_link


@check("trs.paging.limit-respected")
def test_pages_hold_at_most_limit(trs: Trs) -> None:
    """A page holds at most ``limit`` tools ("limit: Amount of records to return in a given page", TRS
    2.0.x OpenAPI, components › parameters › limit)."""
    _, pages, _ = trs.walk()
    for response in pages:
        body = response.json()
        if isinstance(body, list) and len(body) > PAGE_LIMIT:
            raise fail(f"a page of GET /tools?limit={PAGE_LIMIT} holds {len(body)} tools", response)


@check("trs.paging.walk-complete")
def test_walk_loses_and_repeats_nothing(trs: Trs) -> None:
    """Walking the pages by ``next_page`` ("A URL that can be used to reach the next page based on the
    current offset and page record limit", TRS 2.0.x OpenAPI, /tools › 200 › headers) gives every listed
    tool once."""
    listed = trs.listed_ids()
    _, unfiltered = trs.listing()
    if unfiltered.headers.get("next_page") or len(listed) >= 1000:
        pytest.skip("GET /tools answered one page of several; the walk is compared with a complete listing only")
    ids, pages, stopped = trs.walk()
    if stopped:
        pytest.skip(f"the walk stopped after {stopped}")
    if len(pages) == 1 and len(ids) < len(listed):
        pytest.skip(f"the first page of limit={PAGE_LIMIT} gives no next_page header; the walk cannot go on")
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    lost = [i for i in listed if i not in ids]
    if repeated or lost:
        what = []
        if lost:
            what.append(f"loses {lost[:3]}")
        if repeated:
            what.append(f"repeats {repeated[:3]}")
        raise fail(f"walking GET /tools?limit={PAGE_LIMIT} by next_page {' and '.join(what)}", pages[-1])


@check("trs.paging.links-resolve")
def test_paging_links_resolve(trs: Trs) -> None:
    """``self_link`` ("A URL that can be used to return to the current page later") gives the same page,
    and ``last_page`` and ``next_page`` answer a page (TRS 2.0.x OpenAPI, /tools › 200 › headers)."""
    _, pages, _ = trs.walk()
    judged = False
    for response in pages[:2]:
        here = response.json()
        for header in ("self_link", "next_page", "last_page"):
            link = paging_link(response, header)
            if not link:
                continue
            judged = True
            other = trs.client.get(link)
            if other.status != 200 or not isinstance(other.json(), list):
                raise fail(f"the {header} header {link} answered {answered(other)}, not a page of tools", other)
            if header == "self_link" and isinstance(here, list) and [t.get("id") for t in other.json()
                                                                      if isinstance(t, dict)] != [
                    t.get("id") for t in here if isinstance(t, dict)]:
                raise fail(f"the self_link {link} gives another page than the one it came with", other)
    if not judged:
        pytest.skip("does not apply: the pages give no self_link, next_page or last_page header")


@check("trs.paging.current-offset-and-limit")
def test_current_offset_and_limit(trs: Trs) -> None:
    """``current_limit`` is "The current page record limit used for this result" (an integer) and the
    first page's ``current_offset`` "The current start index" is the start (TRS 2.0.x OpenAPI, /tools ›
    200 › headers); a following page's current_offset is not the first's."""
    _, pages, _ = trs.walk()
    offsets = []
    for response in pages:
        limit = response.headers.get("current_limit")
        if limit is not None and not limit.strip().isdigit():
            raise fail(f"the current_limit header {limit!r} is not an integer", response)
        offset = response.headers.get("current_offset")
        if offset is not None:
            offsets.append((offset, response))
    if not offsets:
        pytest.skip("does not apply: the pages give no current_offset header")
    seen: dict[str, int] = {}
    for index, (offset, response) in enumerate(offsets):
        if offset in seen:
            raise fail(f"pages {seen[offset] + 1} and {index + 1} of the walk both give current_offset {offset!r}",
                       response)
        seen[offset] = index


@check("trs.paging.offset-beyond-end-empty")
def test_offset_beyond_end_is_empty(trs: Trs) -> None:
    """An offset past the results gives an empty page ("If this exceeds the current result set return an
    empty set", TRS 2.0.x OpenAPI, components › parameters › offset); judged where the server's offsets
    are numbers (current_offset of the first page is 0) and the unfiltered listing is complete on one
    page, so that its length is where the results end."""
    _, pages, _ = trs.walk()
    if pages[0].headers.get("current_offset", "").strip() != "0":
        pytest.skip("does not apply: the server does not show numeric offsets (current_offset of the first "
                    "page is not 0)")
    listed = trs.listed_ids()
    _, unfiltered = trs.listing()
    if unfiltered.headers.get("next_page") or len(listed) >= 1000:
        # the listing's length is then one page's, not where the results end
        pytest.skip("GET /tools answered one page of several; an offset past the end is judged on a complete "
                    "listing only")
    beyond = str(len(listed) + 1000)
    response = trs.client.get("/tools", params={"offset": beyond})
    body = response.json() if response.status == 200 else None
    if response.status != 200 or body != []:
        got = answered(response) if response.status != 200 else f"{len(body) if isinstance(body, list) else body}"
        raise fail(f"GET /tools?offset={beyond} (past the {len(listed)} tools) answered {got}, not an empty "
                   "array", response)
