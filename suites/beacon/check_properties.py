"""Property checks: queries generated around the beacon's own variants and random pages; the invariants
of the other checks must hold for every one (Beacon v2 docs/variant-queries.md, docs/framework.md).

The strategies draw from small finite sets (the beacon's variants, a few offsets, a few page sizes), so
examples repeat and the cached answers keep the request count low.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from conformance import check, fail

from .view import (
    GRANULARITIES,
    START_IS_ZERO_BASED,
    Beacon,
    is_int,
    read_variant,
    sequence_query,
    variant_matches_name,
)

OFFSETS = (0, 1, 10, 100, 1000)


@check("beacon.property.returned-variants-match-query")
@given(data=st.data())
def test_random_variant_queries_return_matching_variants(beacon: Beacon, data: st.DataObject) -> None:
    """For sequence and range queries generated around the beacon's own variants, every returned variant
    matches the query (sequence: same start and alternate bases; range: overlaps [start, end)) and a
    sequence query finds its variant (docs/variant-queries.md). Each generated request has a form the text
    defines: a sequence query with referenceName, start, referenceBases and alternateBases, or a range query
    with one start and one end."""
    variants = [v for v in beacon.queryable() if v.alt is not None]
    variant = data.draw(st.sampled_from(variants), label="variant")
    root = beacon.require_root("genomicVariant")
    name = str(variant.query_name)
    # A sequence query only where the spec's text makes one valid for the variant (issue 19.10).
    sequence = sequence_query(variant)
    if sequence is not None and data.draw(st.booleans(), label="sequence query"):
        answer = beacon.get_answer(root, sequence)
        if answer.granularity == "record" and variant.id not in answer.ids():
            cause = START_IS_ZERO_BASED if beacon.found_one_base_later(variant) else None
            raise fail(f"{answer.label}: does not find the beacon's own variant {variant.id}", answer.response,
                       caused_by=cause)
        for record in answer.records():
            found = read_variant(record)
            if found is not None and (found.start != variant.start or found.alt not in (None, variant.alt)):
                raise fail(f"{answer.label}: returns {found.id} at {found.start} with {found.alt!r}", answer.response)
        return
    start = max(0, variant.start - data.draw(st.sampled_from(OFFSETS), label="before"))
    end = variant.end + data.draw(st.sampled_from(OFFSETS), label="after")
    answer = beacon.get_answer(root, {"referenceName": name, "start": start, "end": end})
    for record in answer.records():
        found = read_variant(record)
        if found is None:
            continue
        on_sequence = variant_matches_name(found, name)
        if on_sequence is False or (on_sequence and not (found.start < end and found.end > start)):
            raise fail(f"{answer.label}: returns {found.id} [{found.start}, {found.end}), outside [{start}, {end}) "
                       f"on {name}", answer.response)


@check("beacon.property.granularities-agree")
@given(data=st.data())
def test_granularities_agree(beacon: Beacon, data: st.DataObject) -> None:
    """For variant queries around the beacon's own variants, boolean, count and record answers agree:
    the same exists, and the same numTotalResults for count and record (framework beaconResponseMeta
    returnedGranularity; beaconSummaryResponseSection)."""
    variants = beacon.queryable()
    variant = data.draw(st.sampled_from(variants), label="variant")
    before = data.draw(st.sampled_from(OFFSETS), label="before")
    parameters: dict[str, Any] = {"referenceName": variant.query_name, "start": [max(0, variant.start - before)],
                                  "end": [variant.end + before]}
    root = beacon.require_root("genomicVariant")
    record = beacon.post_answer(root, beacon.body(parameters=parameters, granularity="record"))
    granularity = data.draw(st.sampled_from(GRANULARITIES[:2]), label="granularity")
    other = beacon.post_answer(root, beacon.body(parameters=parameters, granularity=granularity))
    if isinstance(other.exists, bool) and isinstance(record.exists, bool) and other.exists != record.exists:
        raise fail(f"{other.label} says exists {other.exists}, the record answer exists {record.exists}",
                   other.response)
    if other.granularity == "count" and record.granularity == "record" and is_int(other.total) \
            and is_int(record.total) and other.total != record.total:
        raise fail(f"{other.label} counts {other.total} results, the record answer {record.total}", other.response)


@check("beacon.property.random-pagination-safe")
@given(skip=st.integers(min_value=0, max_value=12), limit=st.sampled_from((1, 2, 3, 5, 7, 10)))
def test_random_pages_are_safe(beacon: Beacon, skip: int, limit: int) -> None:
    """Random skip and limit never cause a server error, pages hold at most limit records, and pages skip
    and skip+1 share no record (framework beaconCommonComponents Skip, Limit)."""
    entry = "genomicVariant" if "genomicVariant" in beacon.entry_types() else beacon.entry_types()[0]
    root = beacon.require_root(entry)
    pages = []
    for page in (skip, skip + 1):
        response = beacon.get(root, {"skip": page, "limit": limit})
        if response.status >= 500:
            raise fail(f"GET {entry} with skip={page}&limit={limit} answered {response.status}", response)
        pages.append(beacon.answer(response, f"GET {entry} skip={page}&limit={limit}"))
    first, second = (a.set_ids() for a in pages)
    for set_id, ids in first.items():
        if len(ids) > limit:
            # the finding of beacon.pagination.limit-caps-page, which asks one such page: one cause, once
            raise fail(f"{pages[0].label}: result set {set_id!r} holds {len(ids)} records", pages[0].response,
                       caused_by="beacon.pagination.limit-caps-page")
        shared = set(ids) & set(second.get(set_id, []))
        if shared:
            raise fail(f"{pages[1].label}: repeats {sorted(shared)[:3]} of the previous page", pages[1].response)
