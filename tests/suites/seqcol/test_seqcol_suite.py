"""The seqcol reference server's collections are what the spec's own algorithm gives (recomputed here
with the spec's Python snippets, not with the suite's helpers); conformant variants and profile hints
get no failed check; a hint the server does not hold is a failure; the served schema forms resolve."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.seqcol import schema as seqcol_schema
from conformance_suites.seqcol.reference.app import VARIANTS, SeqcolApp
from conformance_suites.seqcol.reference.collections import COLLECTIONS, bases

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.specs import SpecStore
from conformance.testing import run_profile


def _canonical(item: Any) -> bytes:
    """Sequence Collections 1.0.0 §2 Step 2 (ASCII data, integers: the snippet suffices)."""
    return json.dumps(item, separators=(",", ":"), ensure_ascii=False, allow_nan=False, sort_keys=True).encode()


def _t24u(data: bytes) -> str:
    """Footnote F3."""
    return base64.urlsafe_b64encode(hashlib.sha512(data).digest()[:24]).decode("ascii")


def test_reference_collections_follow_the_spec_algorithm() -> None:
    app = SeqcolApp()
    assert [s.label for s in app.store.values()] == list(COLLECTIONS)
    for stored in app.store.values():
        rows = COLLECTIONS[stored.label]
        names = [name for name, _ in rows]
        lengths = [len(seq.bases) for _, seq in rows]
        sequences = ["SQ." + _t24u(bases(seq.seed, seq.length).encode()) for _, seq in rows]
        pairs = [{"length": length, "name": name} for name, length in zip(names, lengths)]
        level2 = {"names": names, "lengths": lengths, "sequences": sequences, "name_length_pairs": pairs,
                  "sorted_sequences": sorted(sequences), "author": stored.full["author"]}
        assert stored.level2 == level2
        snlp = sorted(_t24u(_canonical(pair)) for pair in pairs)
        expected_level1 = {k: v if k == "author" else _t24u(_canonical(v)) for k, v in level2.items()}
        expected_level1["sorted_name_length_pairs"] = _t24u(_canonical(snlp))
        assert stored.level1 == expected_level1
        top = _t24u(_canonical({"names": expected_level1["names"], "sequences": expected_level1["sequences"]}))
        assert stored.digest == top


def _entry(server: ReferenceServer, **options: Any) -> dict[str, Any]:
    return {"standard": "seqcol", "version": "1.0.0", "url": server.url, **options}


def test_conformant_variants_and_hints_get_no_failed_check(report_root: Path, specs_dir: str | None) -> None:
    """The $ref form of the schema (the spec's own example), a comparison that lists no transient
    attribute (the spec authors' implementation), and the profile naming collections."""
    app = SeqcolApp(options={"variants": list(VARIANTS)})
    hinted = [stored.digest for stored in app.store.values()][-1:]
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "seqcol variants", "services": [_entry(server, collections=hinted)]},
                             report_root, specs_dir=specs_dir, standards=["seqcol"])
    assert result.failed() == [], result.output
    assert result.errors() == [], result.output
    for check_id in ("seqcol.digest.top-level-from-inherent", "seqcol.digest.level1-matches-level2",
                     "seqcol.comparison.get-content", "seqcol.comparison.post-content",
                     "seqcol.collection.level2-matches-schema", "seqcol.list.filter-by-attribute",
                     "seqcol.ancillary.sorted-name-length-pairs-correct", "seqcol.attribute.retrieves-value"):
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id))


def test_a_hinted_collection_the_server_lacks_fails(report_root: Path) -> None:
    app = SeqcolApp()
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "seqcol hint", "services": [
            _entry(server, collections=["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"])]}, report_root,
            checks=["seqcol.collection.known-digest-answers-200"])
    check = result.check("seqcol.collection.known-digest-answers-200")
    assert check.outcome == "failed" and "the profile names" in check.message


def test_without_official_files_only_the_approved_definitions_check_skips(report_root: Path, no_specs: None) -> None:
    app = SeqcolApp()
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "seqcol no specs", "services": [_entry(server)]}, report_root,
                             standards=["seqcol"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("seqcol.collection.schema.base-attributes-valid") == "skipped"
    assert result.outcome("seqcol.collection.level2-matches-schema") == "passed"


def test_schema_forms_of_the_spec_are_valid_and_resolve(requires_specs: str) -> None:
    """The approved minimal and refs schemas are valid JSON Schemas; the §3.1 "$ref": "/lengths" form
    resolves to the minimal schema's definitions."""
    store = SpecStore(Path(requires_specs))
    minimal = store.load(seqcol_schema.MINIMAL)
    refs = store.load("refget/seqcol-1.0.0/schemas/seqcol_refs_v1.0.0.json")
    assert seqcol_schema.meta_problem(minimal) is None
    assert seqcol_schema.meta_problem(refs) is None
    terms = seqcol_schema.official_terms(store)
    document, unresolved = seqcol_schema.resolved(refs, terms)
    assert unresolved == []
    assert document["properties"]["lengths"]["items"] == {"type": "integer"}
    assert seqcol_schema.is_collated(refs, terms, "names")
    validator = seqcol_schema.collection_validator(refs, terms, set())
    assert list(validator.iter_errors({"names": ["a"], "lengths": [1], "sequences": ["SQ.x"]})) == []
    assert list(validator.iter_errors({"names": ["a"], "lengths": ["1"], "sequences": ["SQ.x"]}))
    _, unresolved = seqcol_schema.resolved({"properties": {"x": {"$ref": "https://example.org/x.json"}}}, terms)
    assert unresolved == ["https://example.org/x.json"]


@pytest.mark.parametrize(("schema", "problem"), [
    ({"type": "object", "properties": {}, "ga4gh": {"inherent": ["names"]}}, None),
    ({"type": "object", "properties": {}}, "ga4gh.inherent is missing"),
    ({"ga4gh": {"inherent": []}}, "ga4gh.inherent is empty"),
    ({"ga4gh": {"inherent": ["names"], "transient": "x"}}, "ga4gh.transient is not an array"),
    ({"ga4gh": {"inherent": ["names"]}, "properties": {"names": {"collated": "yes"}}}, "collated is not a boolean"),
])
def test_qualifiers(schema: dict[str, Any], problem: str | None) -> None:
    found = seqcol_schema.qualifiers(schema)
    if problem is None:
        assert found.problems == [] and found.inherent == ["names"]
    else:
        assert any(problem in p for p in found.problems), found.problems


class NoListing(SeqcolApp):
    """A server without /list/collection (a MUST of §3.4): its collections are found through the profile."""

    @route("GET", "/list/{object_type}")
    def listing(self, request: Request) -> Reply:
        return self.error(404, "no such endpoint")


def test_a_missing_listing_is_one_failure_with_its_filters_grouped_under_it(report_root: Path) -> None:
    """One root cause, one failure: the filters of a listing that does not exist fail as its consequence."""
    app = NoListing()
    hinted = [stored.digest for stored in app.store.values()][:1]
    root = "seqcol.list.answers-paged"
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "seqcol no list", "services": [_entry(server, collections=hinted)]},
                             report_root, checks=[root, "seqcol.list.filter-by-attribute", "seqcol.list.filter-and"])
    assert (result.outcome(root), result.check(root).caused_by) == ("failed", None), result.output
    for check_id in ("seqcol.list.filter-by-attribute", "seqcol.list.filter-and"):
        finding = result.check(check_id)
        assert (finding.outcome, finding.caused_by) == ("failed", root), (check_id, result.output)


class ComparisonBroken(SeqcolApp):
    """/comparison answers 500 for collections the server holds: an endpoint that may be implemented and broke,
    not one that is absent (404, 405, 501)."""

    @route("GET", "/comparison/{digest1}/{digest2}")
    def comparison_get(self, request: Request) -> Reply:
        return self.error(500, "comparison failed")  # type: ignore[no-any-return]

    @route("POST", "/comparison/{digest1}")
    def comparison_post(self, request: Request) -> Reply:
        return self.error(500, "comparison failed")  # type: ignore[no-any-return]


COMPARISON_CHECKS = ["seqcol.comparison.structure", "seqcol.comparison.get-content",
                     "seqcol.comparison.post-content", "seqcol.comparison.unknown-digest-is-404"]


def test_comparisons_that_fail_are_undecided_not_inapplicable(report_root: Path) -> None:
    with ReferenceServer(ComparisonBroken()) as server:
        result = run_profile({"initiative": "seqcol comparison 500", "services": [_entry(server)]}, report_root,
                             checks=COMPARISON_CHECKS)
    for check_id in COMPARISON_CHECKS:
        finding = result.check(check_id)
        assert (finding.outcome, finding.skip_kind) == ("skipped", "undecided"), (check_id, finding)
        assert "answered 500" in finding.message, finding.message


def test_comparisons_not_implemented_do_not_apply(report_root: Path) -> None:
    with ReferenceServer(SeqcolApp(faults=["comparison-not-implemented"])) as server:
        result = run_profile({"initiative": "seqcol no comparison", "services": [_entry(server)]}, report_root,
                             checks=COMPARISON_CHECKS)
    for check_id in COMPARISON_CHECKS:
        finding = result.check(check_id)
        assert (finding.outcome, finding.skip_kind) == ("skipped", "not-applicable"), (check_id, finding)


class PageSizeFloor(SeqcolApp):
    """A listing that answers without paging parameters but refuses a page_size under 10 (422, as a
    ``Query(ge=10)`` would): §3.4 takes ?page=&page_size= with no bound, so the paged checks fail themselves;
    a skip pointing at seqcol.list.answers-paged, which passed, would say nothing true."""

    @route("GET", "/list/{object_type}")
    def listing(self, request: Request) -> Reply:
        size = request.arg("page_size")
        if size is not None and size.isdigit() and int(size) < 10:
            refused: Reply = self.error(422, "page_size must be at least 10")
            return refused
        listed: Reply = super().listing(request)
        return listed


def test_a_refused_page_size_is_the_paged_checks_own_failure(report_root: Path) -> None:
    honoured, cover = "seqcol.list.page-size-honoured", "seqcol.list.pages-cover-total"
    with ReferenceServer(PageSizeFloor()) as server:
        result = run_profile({"initiative": "seqcol page size floor", "services": [_entry(server)]}, report_root,
                             checks=["seqcol.list.answers-paged", honoured, cover])
    assert result.outcome("seqcol.list.answers-paged") == "passed", result.output
    finding = result.check(honoured)
    assert (finding.outcome, finding.caused_by) == ("failed", None), (finding, result.output)
    assert "answered 422" in finding.message, finding.message
    # the walk's first pages are the ones page-size-honoured asked for: its skip points there, at a failure
    walk = result.check(cover)
    assert walk.outcome == "skipped" and honoured in walk.message, walk


class FewCollectionsNoPagePastEnd(SeqcolApp):
    """A service holding two collections or fewer that answers 404 for a page past the end of its listing:
    §3.4 says nothing of such a page, so page-size-honoured asks for page 1 only when page 0's total says
    it exists."""

    def __init__(self, held: int = 2) -> None:
        super().__init__()
        self.store = dict(list(self.store.items())[:held])

    @route("GET", "/list/{object_type}")
    def listing(self, request: Request) -> Reply:
        page, size = request.arg("page"), request.arg("page_size")
        if page and size and page.isdigit() and size.isdigit() and 0 < int(page) * int(size) >= len(self.store):
            past: Reply = self.error(404, "no such page")
            return past
        listed: Reply = super().listing(request)
        return listed


@pytest.mark.parametrize("held", [0, 1, 2])
def test_a_page_past_the_end_is_not_judged(held: int, report_root: Path) -> None:
    app = FewCollectionsNoPagePastEnd(held)
    checks = ["seqcol.list.answers-paged", "seqcol.list.page-size-honoured", "seqcol.list.pages-cover-total"]
    with ReferenceServer(app) as server:
        result = run_profile({"initiative": "seqcol few collections", "services": [_entry(server)]}, report_root,
                             checks=checks)
    for check_id in checks:
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id), result.output)


class FilteredBareArray(SeqcolApp):
    """A listing whose filtered answers are a bare JSON array of digests: the unfiltered listing is well
    formed (seqcol.list.answers-paged passes), so a filtered answer that is no listing is the filter check's
    own failure, not a skip pointing at a check that passed."""

    @route("GET", "/list/{object_type}")
    def listing(self, request: Request) -> Reply:
        listed: Reply = super().listing(request)
        if not any(k not in ("page", "page_size") for k in request.query) or listed.status != 200:
            return listed
        bare: Reply = json_reply(json.loads(listed.body)["results"])
        return bare


def test_a_filtered_answer_that_is_no_listing_fails_the_filter_check(report_root: Path) -> None:
    with ReferenceServer(FilteredBareArray()) as server:
        result = run_profile({"initiative": "seqcol bare filter", "services": [_entry(server)]}, report_root,
                             checks=["seqcol.list.answers-paged", "seqcol.list.filter-by-attribute"])
    assert result.outcome("seqcol.list.answers-paged") == "passed", result.output
    finding = result.check("seqcol.list.filter-by-attribute")
    assert (finding.outcome, finding.caused_by) == ("failed", None), (finding, result.output)
    assert "not a filtered listing" in finding.message, finding.message


def test_an_ancillary_attribute_not_served_does_not_apply(report_root: Path) -> None:
    """name_length_pairs and sorted_name_length_pairs are RECOMMENDED (sorted_sequences OPTIONAL): a server
    without them is where their algorithm checks do not apply, not one whose level-1 digests are unsound."""
    checks = ["seqcol.ancillary.name-length-pairs-correct", "seqcol.ancillary.sorted-name-length-pairs-correct",
              "seqcol.digest.level1-matches-level2"]
    with ReferenceServer(SeqcolApp(faults=["ancillary-not-provided"])) as server:
        result = run_profile({"initiative": "seqcol no ancillary", "services": [_entry(server)]}, report_root,
                             checks=checks)
    assert result.outcome("seqcol.digest.level1-matches-level2") == "passed", result.output
    for check_id in checks[:2]:
        finding = result.check(check_id)
        assert (finding.outcome, finding.skip_kind) == ("skipped", "not-applicable"), (check_id, finding)
        assert "level1-matches-level2" not in finding.message, finding.message


class NoQualifiedAttributes(SeqcolApp):
    """A server whose schema declares no transient and no passthru attribute (sorted_name_length_pairs served
    at level 2, the author digested): the SHOULD NOT of §3.5 about such attributes does not apply to it."""

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        none: set[str] = set()
        self.transient, self.passthru = none, set(none)
        self.store = {stored.digest: stored for stored in map(self.build, COLLECTIONS)}


class LaterPagesOverfull(SeqcolApp):
    """Pages 0 and 1 of two honour page_size; later pages carry every collection from there on: the walk's own
    finding (pages full until the last), not a skip pointing at page-size-honoured, which passed."""

    @route("GET", "/list/{object_type}")
    def listing(self, request: Request) -> Reply:
        page = request.arg("page")
        if request.arg("page_size") != "2" or page is None or not page.isdigit() or int(page) < 2:
            honoured: Reply = super().listing(request)
            return honoured
        body = json.loads(super().listing(request).body)
        digests = list(self.store)
        body["results"] = digests[2 * int(page) - 1:]
        overfull: Reply = json_reply(body)
        return overfull


def test_skips_that_follow_from_the_server_say_what_happened(report_root: Path) -> None:
    transient = "seqcol.attribute.transient-not-served"
    with ReferenceServer(NoQualifiedAttributes()) as server:
        result = run_profile({"initiative": "seqcol no qualifiers", "services": [_entry(server)]}, report_root,
                             checks=[transient])
    finding = result.check(transient)
    assert (finding.outcome, finding.skip_kind) == ("skipped", "not-applicable"), finding
    honoured, cover = "seqcol.list.page-size-honoured", "seqcol.list.pages-cover-total"
    with ReferenceServer(LaterPagesOverfull()) as server:
        result = run_profile({"initiative": "seqcol later pages", "services": [_entry(server)]}, report_root,
                             checks=[honoured, cover])
    assert result.outcome(honoured) == "passed", result.output
    assert result.outcome(cover) == "failed", result.output


@pytest.mark.parametrize(("fault", "grouped"), [("comparison-count-wrong", True), ("comparison-post-ignored", False)])
def test_a_comparison_wrong_in_both_variants_is_one_failure(fault: str, grouped: bool, report_root: Path) -> None:
    """The same wrong field in GET and POST answers is one comparison function broken: the POST's failure is
    grouped under the GET's; a POST wrong where the GET is right stands alone."""
    get, post = "seqcol.comparison.get-content", "seqcol.comparison.post-content"
    with ReferenceServer(SeqcolApp(faults=[fault])) as server:
        result = run_profile({"initiative": f"seqcol {fault}", "services": [_entry(server)]}, report_root,
                             checks=[get, post])
    assert result.outcome(post) == "failed", result.output
    assert result.check(post).caused_by == (get if grouped else None), result.output
    assert (result.outcome(get), result.check(get).caused_by) == ("failed" if grouped else "passed", None)


class NoSequencesAtLevel2(SeqcolApp):
    """Level-2 collections without a sequences array (a coordinate system: names and lengths): the checks of the
    sequences items have nothing to judge, and must not pass as though they had."""

    @route("GET", "/collection/{digest}")
    def collection(self, request: Request) -> Reply:
        reply: Reply = super().collection(request)
        if reply.status != 200 or request.arg("level") == "1":
            return reply
        body = json.loads(reply.body)
        body.pop("sequences", None)
        trimmed: Reply = json_reply(body)
        return trimmed


def test_checks_of_the_sequences_items_without_any_do_not_pass(report_root: Path) -> None:
    check_id = "seqcol.collection.sequences-are-refget-ids"
    with ReferenceServer(NoSequencesAtLevel2()) as server:
        result = run_profile({"initiative": "seqcol no sequences", "services": [_entry(server)]}, report_root,
                             checks=[check_id])
    finding = result.check(check_id)
    assert finding.outcome == "skipped" and "sequences" in finding.message, finding
