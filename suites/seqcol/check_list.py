"""/list/collection: the paged listing, its pagination, and filters by level-1 attribute digests
(Sequence Collections 1.0.0 §3.4; decision record 2024-08-08, 2024-10-02). Walks are bounded:
:data:`WALK_PAGES` pages of :data:`WALK_PAGE_SIZE`."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import Response, check, fail, json_type

from . import schema as seqcol_schema
from .view import Seqcol, unknown_digest

WALK_PAGE_SIZE = 2
WALK_PAGES = 8
FILTER_PAGE_SIZE = 100
FILTER_PAGES = 3
#: Results of a filtered listing whose level-1 attribute is verified.
MAX_VERIFIED = 5
HONOURED = "seqcol.list.page-size-honoured"
#: The pages (of WALK_PAGE_SIZE) that seqcol.list.page-size-honoured asks for; page 1 only when page 0's
#: pagination.total says there is one (§3.4 says nothing of a page past the end).
HONOURED_PAGES = (0, 1)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def listing_problem(body: object) -> str | None:
    """Why an answer is not a paged listing (``results``: identifiers; ``pagination``: page, page_size,
    total), or None."""
    if not isinstance(body, dict):
        return f"it is a JSON {json_type(body)}, not an object"
    results = body.get("results")
    if not isinstance(results, list) or not all(isinstance(r, str) for r in results):
        return "results is not an array of identifiers" if "results" in body else "it has no results"
    pagination = body.get("pagination")
    if not isinstance(pagination, dict):
        return "it has no pagination object" if "pagination" not in body else "pagination is not an object"
    for key in ("page", "page_size", "total"):
        if not _is_count(pagination.get(key)):
            return f"pagination.{key} is {'missing' if key not in pagination else repr(pagination[key])}, " \
                   "not a non-negative integer"
    return None


ANSWERS_PAGED = "seqcol.list.answers-paged"


def _cause(seqcol: Seqcol) -> str | None:
    """The check whose failure a filter's failure follows from: seqcol.list.answers-paged when
    /list/collection answers no listing at all (one root cause, one failure), else None."""
    response = seqcol.list_response({})
    body = response.json_object() if response.status == 200 else None
    return ANSWERS_PAGED if body is None or listing_problem(body) else None


def _page(seqcol: Seqcol, params: dict[str, str], judged_by: str | None = None) -> tuple[dict[str, Any], Response]:
    """One page that is a well-formed listing. When it is not: a skip pointing at seqcol.list.answers-paged
    where the listing without parameters is no listing either, or at ``judged_by``, the check that asked
    for this page first; else the caller's own failure (§3.4 takes ?page=&page_size= with no bound)."""
    response = seqcol.list_response(params)
    body = response.json_object() if response.status == 200 else None
    problem = listing_problem(body) if body is not None else None
    if body is None or problem:
        cause = _cause(seqcol) or judged_by
        what = f"GET /list/collection?{_query(params)} answered {response.status}"
        if cause is not None:
            pytest.skip(f"{what} without a paged listing (see {cause})")
        detail = f" ({problem})" if problem else " (no JSON object)" if response.status == 200 else ""
        raise fail(f"{what}{detail}, not a paged listing, though without paging parameters it answers one",
                   response)
    return body, response


def _query(params: dict[str, str]) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


@check("seqcol.list.answers-paged")
def test_list_answers_a_paged_listing(seqcol: Seqcol) -> None:
    """GET /list/collection answers 200 with ``results`` (the collection digests) and ``pagination``
    (``page``, ``page_size``, ``total``) (Sequence Collections 1.0.0 §3.4: "The list endpoint MUST be
    implemented"; "a paged list of identifiers following the GA4GH paging guide format, grouped into a
    results and a pagination section")."""
    response = seqcol.list_response({})
    if response.status != 200:
        raise fail(f"GET /list/collection answered {response.status}, not 200", response)
    problem = listing_problem(response.json())
    if problem:
        raise fail(f"GET /list/collection is not a paged listing: {problem}", response)


@check("seqcol.list.page-size-honoured")
def test_list_honours_page_and_page_size(seqcol: Seqcol) -> None:
    """``page`` and ``page_size`` select one page, numbered from 0: at most ``page_size`` results, and
    ``pagination`` echoes the page and page size asked for (Sequence Collections 1.0.0 §3.4 "Page
    numbering begins at page 0"). Page 1 is asked for only when page 0's ``total`` exceeds the page
    size: §3.4 says nothing of a page past the end, which a service may refuse."""
    total: int | None = None
    for page in HONOURED_PAGES:
        if total is not None and total <= page * WALK_PAGE_SIZE:
            return  # no such page by page 0's own total: whatever answers it, this check does not judge
        params = {"page": str(page), "page_size": str(WALK_PAGE_SIZE)}
        body, response = _page(seqcol, params)
        pagination = body["pagination"]
        total = pagination["total"] if total is None else total
        if len(body["results"]) > WALK_PAGE_SIZE:
            raise fail(f"GET /list/collection?{_query(params)} answered {len(body['results'])} results, more than "
                       f"page_size {WALK_PAGE_SIZE}", response)
        if pagination["page"] != page or pagination["page_size"] != WALK_PAGE_SIZE:
            raise fail(f"GET /list/collection?{_query(params)} answered pagination page {pagination['page']}, "
                       f"page_size {pagination['page_size']}", response)


@check("seqcol.list.pages-cover-total")
def test_list_pages_cover_the_total(seqcol: Seqcol) -> None:
    """Walking the pages (``page_size`` 2, at most 8 pages) gives ``total`` distinct identifiers: every
    page full until the last, the same ``total`` on each, none listed twice (Sequence Collections 1.0.0
    §3.4, "pagination" with "total")."""
    seen: list[str] = []
    totals: set[int] = set()
    for page in range(WALK_PAGES):
        params = {"page": str(page), "page_size": str(WALK_PAGE_SIZE)}
        body, response = _page(seqcol, params, judged_by=HONOURED if page in HONOURED_PAGES else None)
        results, total = body["results"], body["pagination"]["total"]
        if len(results) > WALK_PAGE_SIZE and page in HONOURED_PAGES:
            pytest.skip("the listing does not honour page_size (see seqcol.list.page-size-honoured)")
        totals.add(total)
        if len(totals) > 1:
            raise fail(f"pagination.total changes between pages: {sorted(totals)}", response)
        twice = sorted(set(results) & set(seen))
        if twice:
            raise fail(f"page {page} lists {twice[0]} again (it was on an earlier page)", response)
        expected = min(WALK_PAGE_SIZE, max(0, total - page * WALK_PAGE_SIZE))
        if len(results) != expected:
            raise fail(f"page {page} of page_size {WALK_PAGE_SIZE} has {len(results)} results, but with "
                       f"pagination.total {total} it must have {expected}", response)
        seen.extend(results)
        if len(seen) >= total:
            return


def _filtered(seqcol: Seqcol, filters: dict[str, str]) -> tuple[list[str], bool, Response]:
    """The identifiers a filtered listing gives (walking up to FILTER_PAGES pages), whether that was all of
    them, and the first answer. A 404 counts as no results; any other non-listing fails the caller (as a
    consequence of seqcol.list.answers-paged when the listing itself is missing)."""
    found: list[str] = []
    first: Response | None = None
    for page in range(FILTER_PAGES):
        params = {**filters, "page": str(page), "page_size": str(FILTER_PAGE_SIZE)}
        response = seqcol.list_response(params)
        first = first or response
        if response.status == 404 and page == 0:
            return [], True, response
        if response.status != 200:
            raise fail(f"GET /list/collection?{_query(params)} answered {response.status}, not a filtered listing",
                       response, caused_by=_cause(seqcol))
        body = response.json_object()
        problem = "no JSON object" if body is None else listing_problem(body)
        if body is None or problem:
            raise fail(f"GET /list/collection?{_query(params)} answered {response.status} ({problem}), not a filtered "
                       "listing", response, caused_by=_cause(seqcol))
        found += body["results"]
        if len(found) >= body["pagination"]["total"] or not body["results"]:
            return found, True, first
    assert first is not None
    return found, False, first


def _subject(seqcol: Seqcol) -> tuple[str, dict[str, Any], list[str], Response]:
    """A collection with a level-1 representation, and its attributes the listing must filter on: the
    non-passthru ones the schema defines (transient ones included, §4.5 "/list: No change")."""
    digest, _, level1, response = seqcol.both_levels()[0]
    passthru = seqcol.passthru()
    try:
        document, _ = seqcol.schema()
        defined = set(seqcol_schema.properties(document)) or set(level1)
    except pytest.skip.Exception:
        defined = set(level1)
    names = [n for n, v in sorted(level1.items()) if n not in passthru and n in defined and isinstance(v, str)]
    if not names:
        pytest.skip(f"{digest} has no attribute to filter on")
    return digest, level1, names, response


def _verify(seqcol: Seqcol, results: list[str], filters: dict[str, str], subject: str, response: Response) -> None:
    for other in [r for r in results if r != subject][:MAX_VERIFIED]:
        got = seqcol.level1(other)
        if got is None:
            continue  # not readable at level 1: seqcol.collection.* says why
        wrong = {name: got[0].get(name) for name, value in filters.items() if got[0].get(name) != value}
        if wrong:
            name = next(iter(wrong))
            raise fail(f"GET /list/collection?{_query(filters)} lists {other}, whose level-1 {name} is "
                       f"{wrong[name]!r}", response)


@check("seqcol.list.filter-by-attribute")
def test_list_filters_by_each_attribute(seqcol: Seqcol) -> None:
    """``/list/collection?<attribute>=<level-1 digest>`` lists exactly the collections with that level-1
    value, for every attribute the schema defines but passthru ones: a collection's own digests list
    it, the collections listed have the value, and a digest no collection has lists none (Sequence
    Collections 1.0.0 §3.4 "MUST allow filtering using any attribute defined in the schema, except
    attributes marked as passthru"; §4.5)."""
    digest, level1, names, _ = _subject(seqcol)
    for name in names:
        filters = {name: level1[name]}
        results, complete, response = _filtered(seqcol, filters)
        if complete and digest not in results:
            raise fail(f"GET /list/collection?{_query(filters)} does not list {digest}, whose level-1 {name} it is",
                       response, caused_by=_cause(seqcol))
        _verify(seqcol, results, filters, digest, response)
    filters = {names[0]: unknown_digest()}
    results, _, response = _filtered(seqcol, filters)
    if results:
        raise fail(f"GET /list/collection?{_query(filters)}, a digest no collection has, lists {len(results)} "
                   f"collection(s): the filter is not applied", response)


@check("seqcol.list.filter-and")
def test_list_filters_combine_with_and(seqcol: Seqcol) -> None:
    """Several attribute filters are combined with AND: the listing has only the collections matching
    all of them ("If multiple attributes are provided, the filter should require ALL of these
    attributes to match", Sequence Collections 1.0.0 §3.4)."""
    digest, level1, names, _ = _subject(seqcol)
    if len(names) < 2:
        pytest.skip(f"{digest} has fewer than two attributes to filter on")
    first, second = ("names", "lengths") if {"names", "lengths"} <= set(names) else (names[0], names[1])
    if _filtered(seqcol, {first: unknown_digest()})[0]:
        pytest.skip("a single filter is not applied (see seqcol.list.filter-by-attribute)")
    filters = {first: level1[first], second: level1[second]}
    results, complete, response = _filtered(seqcol, filters)
    if complete and digest not in results:
        raise fail(f"GET /list/collection?{_query(filters)} does not list {digest}, which has both values", response,
                   caused_by=_cause(seqcol))
    _verify(seqcol, results, filters, digest, response)
    filters = {first: level1[first], second: unknown_digest()}
    results, _, response = _filtered(seqcol, filters)
    if results:
        raise fail(f"GET /list/collection?{_query(filters)} lists {len(results)} collection(s), though no collection "
                   f"has that {second}: the filters are not combined with AND", response)
