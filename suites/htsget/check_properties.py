"""Property and metamorphic checks (hypothesis) on regions drawn from the file's own header and records.

Boundaries sit at the exact first or last base of real records, so an off-by-one at either end of a
0-based half-open region loses a record that the whole-file ground truth says must be there.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

from conformance import Run, Service, ServiceClient, check, fail

from .check_post_service_info import post_records
from .view import Htsget, Record, cases, missing, names, overlapping


def _target(service: Service, client: ServiceClient, hts: Htsget,
            kinds: tuple[str, ...] = ("reads", "variants")) -> tuple[str, str, list[Record]]:
    for kind in kinds:
        found = cases(service, kind)
        if found:
            truth = hts.ground_truth(client, kind, found[0]["id"])
            if any(r.ref for r in truth):
                return kind, found[0]["id"], [r for r in truth if r.ref]
    pytest.skip("no reads or variants id with placed records")


@st.composite
def edge_regions(draw: Any, placed: list[Record]) -> tuple[str, int, int]:
    """A region one of whose ends is a record's first or last base."""
    record = draw(st.sampled_from(placed))
    width = draw(st.sampled_from([1, 7, 60, 250]))
    if draw(st.booleans()):
        start = record.end - 1  # the record's last base is `start`
        return str(record.ref), start, start + width
    end = record.start + 1  # the record's first base is `end - 1`
    return str(record.ref), max(0, end - width), end


def _check_region(client: ServiceClient, hts: Htsget, kind: str, ident: str, truth: list[Record],
                  ref: str, start: int, end: int) -> None:
    got, ticket = hts.region_records(client, kind, ident, ref, start, end)
    lost = missing(overlapping(truth, ref, start, end), got)
    if lost:
        raise fail(f"{ref}:[{start},{end}) lacks {names(lost)}, which overlap it in the whole file",
                   ticket.exchange)
    foreign = missing(got, truth)
    if foreign:
        raise fail(f"{ref}:[{start},{end}) returned {names(foreign)}, which the whole file does not hold",
                   ticket.exchange)


@check("htsget.property.region-matches-whole-file")
def test_region_records_match_whole_file(service: Service, client: ServiceClient, hts: Htsget,
                                         conformance_run: Run) -> None:
    """Every record overlapping a region is returned, and only records of the file (htsget 1.3.0 §Methods,
    §Design principles: 0-based half-open)."""
    kind, ident, placed = _target(service, client, hts)
    truth = hts.ground_truth(client, kind, ident)

    @given(edge_regions(placed))
    def prop(region: tuple[str, int, int]) -> None:
        _check_region(client, hts, kind, ident, truth, *region)

    seed(conformance_run.seed)(prop)()  # the run's seed: the same deployment, the same examples


@check("htsget.property.adjacent-regions-compose")
def test_adjacent_regions_compose(service: Service, client: ServiceClient, hts: Htsget,
                                  conformance_run: Run) -> None:
    """The records of [a,b) and [b,c) together are those of [a,c), restricted to [a,c) (htsget 1.3.0
    §Methods). Sparse data shows a record lost at a boundary that no other record spans, so variants
    are preferred."""
    kind, ident, placed = _target(service, client, hts, ("variants", "reads"))

    @given(st.sampled_from(placed), st.sampled_from([1, 30, 450, 1000]), st.sampled_from([1, 30, 450, 1000]))
    def prop(record: Record, left: int, right: int) -> None:
        ref, b = str(record.ref), record.start
        a, c = max(0, b - left), b + right
        parts: dict[tuple[int, int], list[Record]] = {}
        for lo, hi in ((a, b), (b, c), (a, c)):
            if lo >= hi:
                parts[(lo, hi)] = []
                continue
            got, ticket = hts.region_records(client, kind, ident, ref, lo, hi)
            parts[(lo, hi)] = got
        whole = {r.key for r in overlapping(parts[(a, c)], ref, a, c)}
        union = {r.key for r in overlapping(parts[(a, b)] + parts[(b, c)], ref, a, c)}
        if whole != union:
            only = sorted(str(k[0]) for k in whole ^ union)[:3]
            raise fail(f"{ref}:[{a},{c}) and {ref}:[{a},{b}) + [{b},{c}) disagree on {', '.join(only)}",
                       ticket.exchange)

    seed(conformance_run.seed)(prop)()  # the run's seed: the same deployment, the same examples


@check("htsget.property.post-equals-union-of-gets")
def test_post_equals_union_of_gets(service: Service, client: ServiceClient, hts: Htsget,
                                   conformance_run: Run) -> None:
    """A POST with several regions returns, within them, the union of the GETs of each (htsget 1.3.0
    §Region list)."""
    kind, ident, placed = _target(service, client, hts)
    post_records(client, hts, kind, ident, {})  # skips when POST is not offered

    @given(st.lists(edge_regions(placed), min_size=2, max_size=3))
    def prop(regions: list[tuple[str, int, int]]) -> None:
        body = {"regions": [{"referenceName": r, "start": s, "end": e} for r, s, e in regions]}
        got, response = post_records(client, hts, kind, ident, body)
        union: set[Any] = set()
        for ref, start, end in regions:
            part, _ = hts.region_records(client, kind, ident, ref, start, end)
            union |= {r.key for r in overlapping(part, ref, start, end)}
        inside = {r.key for r in got if any(r.overlaps(ref, s, e) for ref, s, e in regions)}
        if union - inside:
            raise fail(f"POST with {len(regions)} regions lacks {len(union - inside)} record(s) the GETs "
                       "of those regions return", response.exchange)

    seed(conformance_run.seed)(prop)()  # the run's seed: the same deployment, the same examples


@check("htsget.property.bad-input-never-5xx")
def test_bad_input_never_5xx(service: Service, client: ServiceClient, hts: Htsget,
                             conformance_run: Run) -> None:
    """Unknown ids and out-of-range coordinates never answer 5xx (htsget 1.3.0 §Errors)."""
    kind, ident, placed = _target(service, client, hts)
    ref = str(placed[0].ref)
    ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=8, max_size=24).map(
        lambda s: "conformance-" + s)
    coordinates = st.integers(min_value=0, max_value=(1 << 32) - 1)

    @given(st.one_of(ids.map(lambda i: (i, None)), st.tuples(coordinates, coordinates).map(lambda c: (None, c))))
    def prop(choice: tuple[str | None, tuple[int, int] | None]) -> None:
        unknown, coords = choice
        if unknown is not None:
            response = hts.request(client, kind, unknown, cache=False)
        else:
            assert coords is not None
            start, end = sorted(coords)
            response = hts.request(client, kind, ident, {"referenceName": ref, "start": start, "end": end},
                                   cache=False)
        if response.status >= 500:
            raise fail(f"{response.exchange.url} answered {response.status}", response.exchange)

    seed(conformance_run.seed)(prop)()  # the run's seed: the same deployment, the same examples
