"""Conformant variants of the reference Beacon that a check once failed (review of the Beacon suite): each
follows the spec's text where the check read more into it than the text states."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

from conformance_suites.beacon.reference import BeaconApp
from conformance_suites.beacon.reference.app import BadRequest, Query, _carries

from conformance import ReferenceServer, Reply, Request, route
from conformance.testing import RunResult, run_profile, run_reference


def _judge(app: BeaconApp, checks: list[str] | None, report_root: Path, specs_dir: str | None = None) -> RunResult:
    """A run of ``checks`` (None: every Beacon check) against ``app``."""
    with ReferenceServer(app).start() as server:
        entry = {"standard": "beacon", "version": app.version, "url": server.url.rstrip("/")}
        return run_profile({"initiative": "beacon readings", "services": [entry]}, report_root, checks=checks,
                           specs_dir=specs_dir, standards=["beacon"])


def _outcomes(result: RunResult, checks: list[str]) -> dict[str, str]:
    return {c: result.outcome(c) for c in checks}


RELATED = ["beacon.entry.related-variants-consistent", "beacon.entry.related-entries-consistent",
           "beacon.entry.collection-members-consistent"]


class _NoIndividualLinks(BeaconApp):
    """Leaves out the optional caseLevelData[].individualId and biosample.individualId."""

    def public(self, entry: str, record: dict[str, Any]) -> dict[str, Any]:
        record = copy.deepcopy(super().public(entry, record))
        for case in record.get("caseLevelData", []) if entry == "genomicVariant" else []:
            case.pop("individualId", None)
        if entry == "biosample":
            record.pop("individualId", None)
        return record


class _MaximumPage(BeaconApp):
    """Returns at most 20 records a page, "the maximum allowed by the Beacon" (Pagination.limit)."""

    def page(self, records: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
        return super().page(records, dataclasses.replace(query, limit=min(query.limit or 20, 20)))


def test_related_records_without_the_optional_link_field(report_root: Path) -> None:
    result = _judge(_NoIndividualLinks(), RELATED, report_root)
    assert set(_outcomes(result, RELATED).values()) <= {"passed", "skipped"}, result.output
    # the links the records still carry (runId, analysisId, biosampleId) are judged
    assert result.outcome(RELATED[0]) == "passed"


def test_related_records_of_a_listing_cut_at_the_maximum_page(report_root: Path) -> None:
    result = _judge(_MaximumPage(), RELATED, report_root)
    assert set(_outcomes(result, RELATED).values()) <= {"passed", "skipped"}, result.output


FILTERS = ["beacon.filters.filter-restricts", "beacon.filters.and-semantics", "beacon.filters.get-comma-separated"]
DISEASES = ("NCIT:C3058", "NCIT:C4872")


class _Filters(BeaconApp):
    """Filters its own way, as the text allows; ``TERM_ORDER`` reorders the advertised terms."""

    TERM_ORDER: tuple[int, ...] = (0, 1, 2, 3, 4, 5)

    def informational(self, response: dict[str, Any]) -> Any:
        if "filteringTerms" in response:
            response = {**response, "filteringTerms": [response["filteringTerms"][i] for i in self.TERM_ORDER]}
        return super().informational(response)

    def hit(self, record: dict[str, Any], item: dict[str, Any]) -> bool:
        return _carries(record, item["id"])

    def matches(self, entry: str, record: dict[str, Any], query: Query) -> bool:
        if not all(self.hit(record, f) for f in query.filters):
            return False
        return super().matches(entry, record, dataclasses.replace(query, filters=[]))


class _OntologyNamedTypes(_Filters):
    """Types its ontology terms by the ontology's full name (beaconFilteringTermsResults type: "Either "custom",
    "alphanumeric" or ontology/terminology full name") and expands descendant terms unless told not to
    (includeDescendantTerms, default true); in its (test) hierarchy Glioblastoma is under female."""

    def informational(self, response: dict[str, Any]) -> Any:
        if "filteringTerms" in response:
            terms = [{**t, "type": "NCI Thesaurus"} if t["type"] == "ontologyTerm" else t
                     for t in response["filteringTerms"]]
            response = {**response, "filteringTerms": terms}
        return super().informational(response)

    def hit(self, record: dict[str, Any], item: dict[str, Any]) -> bool:
        expand = item["id"] == "NCIT:C16576" and item.get("includeDescendantTerms", True) is not False
        return super().hit(record, item) or (expand and _carries(record, "NCIT:C3058"))


class _SameFieldOred(_Filters):
    """ORs several filters on the same parameter (v2.1.x docs/FAQ.md: "multiple filters for the same parameter
    which a Beacon implementation should treat as a logical OR"): the disease terms, advertised first."""

    TERM_ORDER = (2, 3, 0, 1, 4, 5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records["individual"][0]["diseases"].append({"diseaseCode": {"id": DISEASES[1], "label": "BRCA"}})

    def matches(self, entry: str, record: dict[str, Any], query: Query) -> bool:
        same = [f for f in query.filters if f["id"] in DISEASES]
        rest = dataclasses.replace(query, filters=[f for f in query.filters if f["id"] not in DISEASES])
        return (not same or any(self.hit(record, f) for f in same)) and super().matches(entry, record, rest)


def test_ontology_terms_typed_by_the_ontology_name_are_asked_without_descendants(report_root: Path) -> None:
    result = _judge(_OntologyNamedTypes(), FILTERS, report_root)
    assert _outcomes(result, FILTERS) == dict.fromkeys(FILTERS, "passed"), result.output


def test_filters_on_the_same_field_may_be_ored(report_root: Path) -> None:
    result = _judge(_SameFieldOred(), FILTERS, report_root)
    assert _outcomes(result, FILTERS) == dict.fromkeys(FILTERS, "passed"), result.output


FLAT = ["beacon.request.post-accepted", "beacon.variant.bracket-query-bounds",
        "beacon.variant.bracket-query-finds-variants", "beacon.property.granularities-agree",
        "beacon.framework.schema.error-response-valid", "beacon.framework.schema.data-responses-valid",
        "beacon.meta.summary-echoes-request-parameters"]


class _FlatRequestParameters(BeaconApp):
    """v2.0.0 as its docs/variant-queries.md writes a POST query: requestParameters flat, not under g_variant
    (which it refuses), and echoed flat in receivedRequestSummary (erratum E2)."""

    def __init__(self) -> None:
        super().__init__(["post-g-variant-rejected"], "2.0.0")

    def meta(self, query: Query, entry: str, returned: str) -> dict[str, Any]:
        meta = super().meta(query, entry, returned)
        summary = meta["receivedRequestSummary"]
        if "requestParameters" in summary:
            summary["requestParameters"] = summary["requestParameters"]["g_variant"]
        return meta


def test_v2_0_0_request_parameters_as_the_docs_write_them(report_root: Path, requires_specs: str) -> None:
    result = _judge(_FlatRequestParameters(), FLAT, report_root, requires_specs)
    assert _outcomes(result, FLAT) == dict.fromkeys(FLAT, "passed"), result.output


def test_v2_0_0_request_parameters_nested_as_the_schema_writes_them(report_root: Path, requires_specs: str) -> None:
    # a v2.0.0 beacon following requestParameters.json instead: the flat query refused, asked again nested
    class _Nested(BeaconApp):
        def parse_post(self, request: Any) -> Query:
            parameters = (request.json() or {}).get("query", {}).get("requestParameters", {})
            if parameters and "g_variant" not in parameters:
                raise BadRequest("requestParameters values are objects (requestParameters.json)")
            return super().parse_post(request)

    result = _judge(_Nested([], "2.0.0"), FLAT, report_root, requires_specs)
    assert _outcomes(result, FLAT) == dict.fromkeys(FLAT, "passed"), result.output


class _FilteringTermsPerRecord(BeaconApp):
    """v2.1.0 with a filteringTermsUrl per record: ``<rootUrl>/{id}/filtering_terms`` (a URI template)."""

    def beacon_map(self) -> dict[str, Any]:
        found = super().beacon_map()
        for endpoint_set in found["endpointSets"].values():
            endpoint_set["filteringTermsUrl"] = endpoint_set["rootUrl"] + "/{id}/filtering_terms"
        return found

    @route("GET", "/{collection}/{id}/{related}")
    @route("POST", "/{collection}/{id}/{related}")
    def related(self, request: Request) -> Reply:
        if request.params["related"] == "filtering_terms" and request.method == "GET":
            if request.params["id"] == "{id}":
                return self.not_found(request)
            return self.filtering_terms(request)
        return super().related(request)


def test_filtering_terms_url_templates_are_asked_with_a_known_id(report_root: Path) -> None:
    check = "beacon.map.filtering-terms-url-answers"
    result = _judge(_FilteringTermsPerRecord([], "2.1.0"), [check], report_root)
    assert result.outcome(check) == "passed", result.output


def test_informational_documents_are_judged_when_the_root_is_no_json(report_root: Path, requires_specs: str) -> None:
    # / answers HTML (root-returns-info-response's finding); /info breaking its schema is still found
    check = "beacon.framework.schema.informational-valid"
    result = run_reference("beacon", report_root, ["root-not-info", "info-environment-invalid"], checks=[check],
                           specs_dir=requires_specs)
    assert result.outcome(check) == "failed", result.output
    result = run_reference("beacon", report_root / "conformant", ["root-not-info"], checks=[check],
                           specs_dir=requires_specs)
    assert result.outcome(check) == "passed", result.output


class _DefaultBooleanNamedEntities(BeaconApp):
    """Declares defaultGranularity boolean yet answers records ("Some responses could return higher detail",
    beaconConfigurationSchema defaultGranularity), and names returnedSchemas entity types as the schema's example
    does ("Individual")."""

    def configuration(self) -> dict[str, Any]:
        document = super().configuration()
        document["securityAttributes"]["defaultGranularity"] = "boolean"
        return document

    def meta(self, query: Query, entry: str, returned: str) -> dict[str, Any]:
        meta = super().meta(query, entry, returned)
        for item in meta["returnedSchemas"]:
            item["entityType"] = entry[0].upper() + entry[1:]
        return meta


def test_a_default_granularity_exceeded_and_capitalised_entity_types(report_root: Path, specs_dir: str | None) -> None:
    result = _judge(_DefaultBooleanNamedEntities(), None, report_root, specs_dir)
    assert result.failed() == [], result.output
    assert result.errors() == []


MAP = ["beacon.map.url-templates", "beacon.map.entry-types-declared", "beacon.filtering-terms.scopes-are-entry-types",
       "beacon.entry.non-filtered-queries-allowed"]


class _OwnNames(BeaconApp):
    """What the text leaves open: a singleEntryUrl template variable named {entryId} (format uri-template only), an
    endpoint set whose entryType is the model's name genomicVariation (only returnedEntryType "MUST match"), a
    term scoped to genomicVariation (the schema's example), and individuals for registered users only (401)."""

    def beacon_map(self) -> dict[str, Any]:
        found = super().beacon_map()
        for endpoint_set in found["endpointSets"].values():
            endpoint_set["singleEntryUrl"] = endpoint_set["rootUrl"] + "/{entryId}"
        found["endpointSets"]["genomicVariantEndpoints"]["entryType"] = "genomicVariation"
        return found

    def informational(self, response: dict[str, Any]) -> Any:
        if "filteringTerms" in response:
            terms = copy.deepcopy(response["filteringTerms"])
            terms[0]["scopes"].append("genomicVariation")
            response = {**response, "filteringTerms": terms}
        return super().informational(response)

    def handle(self, request: Request) -> Reply:
        if request.path.rstrip("/").endswith("/individuals"):
            return self.error(Query(), "individual", 401, "registered users only")
        return super().handle(request)


def test_map_and_scopes_as_the_text_leaves_them_open(report_root: Path) -> None:
    result = _judge(_OwnNames(), MAP, report_root)
    assert {c: result.outcome(c) for c in MAP} == dict.fromkeys(MAP, "passed"), result.output


def test_refseq_curie_is_not_asked_of_v2_0_0(report_root: Path) -> None:
    # v2.0.0's RefSeqId gives the bare accession only ("NC_000009"); the refseq: CURIE comes with v2.1.0
    check = "beacon.variant.reference-name-refseq"
    result = run_reference("beacon", report_root, ["refseq-prefix-rejected"], version="2.0.0", checks=[check])
    assert result.outcome(check) == "skipped", result.output


class _RecordedSequenceNames(BeaconApp):
    """Finds a variant by the sequence name its record gives (refseq:NC_000017.11), not by the bare accession."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, found in self.coordinates.items():
            own = {n for n in found.names if n.startswith("refseq:")}
            if own and not {n for n in found.names if n.startswith("ga4gh:")}:
                self.coordinates[key] = dataclasses.replace(found, names=frozenset(own))


def test_variants_are_asked_by_their_recorded_sequence_name(report_root: Path, specs_dir: str | None) -> None:
    result = _judge(_RecordedSequenceNames(), None, report_root, specs_dir)
    assert result.failed() == [], result.output
    assert result.errors() == []
