"""Data responses: meta, granularity, summaries and result sets (Beacon v2 framework
responses/sections/beaconResponseMeta, beaconReceivedRequestSummary, beaconResultsets; docs/framework.md)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import SpecStore, check, fail

from .view import GRANULARITIES, META_REQUIRED, UNADMITTED, Answer, Beacon, is_error_body, is_int, schema_cause

#: testMode "MUST respond ... skipping any user authentication" (docs/framework.md §testMode): a testMode request
#: refused for want of credentials is this check's finding, whichever check sent it.
TEST_MODE_WITHOUT_AUTHENTICATION = "beacon.test-mode.responds-without-authentication"
RESPONSE_SCHEMA = {"boolean": "beaconBooleanResponse", "count": "beaconCountResponse",
                   "record": "beaconResultsetsResponse"}


def _individual(beacon: Beacon) -> str:
    return beacon.served_entry()


def _individuals(beacon: Beacon) -> str:
    return str(beacon.require_root(_individual(beacon)))


def _restriction(beacon: Beacon) -> list[dict[str, Any]]:
    """An accepted advertised filter where the entry type declares nonFilteredQueriesAllowed false."""
    filters: list[dict[str, Any]] = beacon.required_filters(_individual(beacon))
    return filters


def _granularity_answers(beacon: Beacon) -> dict[str, Answer]:
    root = _individuals(beacon)
    return {g: beacon.post_answer(root, beacon.body(granularity=g, filters=_restriction(beacon)))
            for g in GRANULARITIES}


def _rank(granularity: object) -> int | None:
    return GRANULARITIES.index(granularity) if granularity in GRANULARITIES else None


@check("beacon.meta.required-fields")
def test_data_response_meta_has_required_fields(beacon: Beacon) -> None:
    """Every data response has meta with beaconId, apiVersion, returnedSchemas, returnedGranularity and
    receivedRequestSummary (framework responses/sections/beaconResponseMeta, required)."""
    for answer in beacon.sample_answers():
        missing = [k for k in META_REQUIRED if k not in answer.meta]
        if missing:
            raise fail(f"{answer.label}: meta lacks the required {', '.join(missing)}", answer.response)


@check("beacon.meta.informational-required-fields")
def test_informational_meta_has_required_fields(beacon: Beacon) -> None:
    """Every informational response has meta with beaconId, apiVersion and returnedSchemas (framework
    responses/sections/beaconInformationalResponseMeta, required)."""
    for path in ("/info", "/configuration", "/map", "/entry_types", "/filtering_terms"):
        body, response = beacon.document(path)
        meta = body.get("meta")
        missing = [k for k in ("beaconId", "apiVersion", "returnedSchemas")
                   if not isinstance(meta, dict) or k not in meta]
        if missing:
            raise fail(f"GET {path}: meta lacks the required {', '.join(missing)}", response)


@check("beacon.meta.received-request-summary-required")
def test_received_request_summary_has_required_fields(beacon: Beacon) -> None:
    """receivedRequestSummary has apiVersion, requestedSchemas, pagination and requestedGranularity, also
    when the request gave none (framework responses/sections/beaconReceivedRequestSummary, required)."""
    for answer in beacon.sample_answers():
        summary = answer.meta.get("receivedRequestSummary")
        if not isinstance(summary, dict):
            continue
        missing = [k for k in ("apiVersion", "requestedSchemas", "pagination", "requestedGranularity")
                   if k not in summary]
        if missing:
            raise fail(f"{answer.label}: receivedRequestSummary lacks the required {', '.join(missing)}",
                       answer.response)


@check("beacon.meta.beacon-id-matches-info")
def test_beacon_id_matches_info(beacon: Beacon) -> None:
    """meta.beaconId of every response is the id /info gives (framework beaconResponseMeta.beaconId)."""
    expected = beacon.beacon_id()
    if expected is None:
        pytest.skip("/info gives no id")
    for answer in beacon.sample_answers():
        if "beaconId" in answer.meta and answer.meta["beaconId"] != expected:
            raise fail(f"{answer.label}: meta.beaconId is {answer.meta['beaconId']!r}, but /info says {expected!r}",
                       answer.response)


@check("beacon.meta.summary-echoes-granularity")
def test_summary_echoes_requested_granularity(beacon: Beacon) -> None:
    """receivedRequestSummary.requestedGranularity is the granularity requested ("the request received
    as it has been interpreted", framework beaconReceivedRequestSummary)."""
    for granularity, answer in _granularity_answers(beacon).items():
        echoed = answer.meta.get("receivedRequestSummary", {}).get("requestedGranularity")
        if echoed is not None and echoed != granularity:
            raise fail(f"{answer.label}: requestedGranularity {granularity!r} is echoed as {echoed!r}",
                       answer.response)


@check("beacon.meta.summary-echoes-pagination")
def test_summary_echoes_pagination(beacon: Beacon) -> None:
    """receivedRequestSummary.pagination echoes the skip and limit sent ("Pagination as requested",
    framework beaconReceivedRequestSummary.pagination)."""
    answer = beacon.get_answer(_individuals(beacon), {"skip": 1, "limit": 2})
    pagination = answer.meta.get("receivedRequestSummary", {}).get("pagination")
    if isinstance(pagination, dict) and (pagination.get("skip"), pagination.get("limit")) != (1, 2):
        raise fail(f"{answer.label}: receivedRequestSummary.pagination is {pagination}, not skip 1 and limit 2",
                   answer.response)


def _filter_sample(beacon: Beacon) -> tuple[str, str]:
    """An advertised ontology or custom term the beacon accepts on an entry type of its scope."""
    for term in beacon.filtering_terms():
        for entry in term.get("scopes") or ["individual"]:
            if entry in beacon.entry_types() and beacon.accepts_filter(entry, term):
                return entry, term["id"]
    pytest.skip("/filtering_terms lists no accepted term scoped to a served entry type")


@check("beacon.meta.summary-echoes-filters")
def test_summary_echoes_filters(beacon: Beacon) -> None:
    """When a request has filters, receivedRequestSummary.filters lists their ids (framework
    beaconReceivedRequestSummary.filters)."""
    entry, term = _filter_sample(beacon)
    response = beacon.get(beacon.require_root(entry), {"filters": term})
    if response.status != 200:
        pytest.skip(f"the filter {term} was not accepted (see beacon.filtering-terms.advertised-terms-accepted)")
    answer = beacon.answer(response, f"GET {entry} filters={term}")
    echoed = answer.meta.get("receivedRequestSummary", {}).get("filters")
    ids = [f.get("id") if isinstance(f, dict) else f for f in echoed] if isinstance(echoed, list) else []
    if term not in ids:
        raise fail(f"{answer.label}: receivedRequestSummary.filters is {echoed!r}, without the filter sent",
                   answer.response)


@check("beacon.meta.summary-echoes-request-parameters")
def test_summary_echoes_request_parameters(beacon: Beacon) -> None:
    """A variant query's parameters are echoed in receivedRequestSummary.requestParameters (framework
    beaconReceivedRequestSummary.requestParameters)."""
    variant = beacon.queryable()[0]
    root = beacon.require_root("genomicVariant")
    answer = beacon.get_answer(root, {"referenceName": variant.query_name, "start": variant.start,
                                      "end": variant.end})
    echoed = answer.meta.get("receivedRequestSummary", {}).get("requestParameters")
    text = repr(echoed)
    if not isinstance(echoed, dict) or str(variant.query_name) not in text or str(variant.start) not in text:
        raise fail(f"{answer.label}: receivedRequestSummary.requestParameters is {echoed!r}, not the parameters "
                   "sent", answer.response)


def _listing_answers(beacon: Beacon) -> list[tuple[str, Answer]]:
    """Each entry type's listing; one refused as it may be (unfiltered where nonFilteredQueriesAllowed is false,
    or for want of credentials) is left out, and the check skips for that reason only where every one is."""
    found: list[tuple[str, Answer]] = []
    skipped: list[BaseException] = []
    for entry in beacon.entry_types():
        if beacon.root_url(entry) is not None:
            try:
                found.append((entry, beacon.listing(entry)))
            except pytest.skip.Exception as exc:
                skipped.append(exc)
    if not found and skipped:
        raise skipped[0]
    return found


def _entity_names(beacon: Beacon, entry: str) -> set[str]:
    """The names by which returnedSchemas[].entityType may name an entry type, compared case-insensitively (the
    schema's example is "Individual", framework common/beaconCommonComponents SchemasPerEntity): its id, its
    /configuration name, and for genomicVariant "genomicVariation" (the docs' requestedSchemas examples)."""
    names = {entry.casefold()}
    try:
        definition = beacon.configured_entry_types().get(entry, {})
    except pytest.skip.Exception:
        definition = {}
    if isinstance(definition.get("name"), str):
        names.add(definition["name"].casefold())
    if entry == "genomicVariant":
        names.add("genomicvariation")
    return names


@check("beacon.meta.returned-schemas-name-entity")
def test_returned_schemas_name_the_entry_type(beacon: Beacon) -> None:
    """For an entry-type query, meta.returnedSchemas names the queried entity (framework
    beaconResponseMeta.returnedSchemas)."""
    for entry, answer in _listing_answers(beacon):
        schemas = answer.meta.get("returnedSchemas")
        if not isinstance(schemas, list) or not schemas:
            raise fail(f"{answer.label}: meta.returnedSchemas is empty for the {entry} endpoint", answer.response)
        entities = [s.get("entityType") for s in schemas if isinstance(s, dict)]
        if not {str(e).casefold() for e in entities} & _entity_names(beacon, entry):
            raise fail(f"{answer.label}: meta.returnedSchemas names {entities}, not the queried entry type {entry!r}",
                       answer.response)


@check("beacon.meta.returned-schemas-declared")
def test_returned_schemas_are_declared(beacon: Beacon) -> None:
    """Each returnedSchemas[].schema is the entry type's defaultSchema or an additionallySupportedSchema of
    /configuration (framework configuration/entryTypeDefinition)."""
    configured = beacon.configured_entry_types()
    for entry, answer in _listing_answers(beacon):
        definition = configured.get(entry, {})
        declared: set[str] = set()
        for schema in [definition.get("defaultSchema"), *list(definition.get("additionallySupportedSchemas") or [])]:
            if isinstance(schema, dict):
                declared |= {str(schema[k]) for k in ("id", "referenceToSchemaDefinition") if k in schema}
        for item in answer.meta.get("returnedSchemas") or []:
            name = item.get("schema") if isinstance(item, dict) else None
            if isinstance(name, str) and not any(name == d or name.endswith(d.lstrip("./")) for d in declared):
                raise fail(f"{answer.label}: returnedSchemas names {name!r}, which /configuration does not declare "
                           f"for {entry}", answer.response)


@check("beacon.meta.test-mode-flagged")
def test_test_mode_is_flagged(beacon: Beacon) -> None:
    """A request with query.testMode true is answered with meta.testMode true (Beacon v2
    docs/framework.md §testMode; beaconResponseMeta.testMode)."""
    entry = beacon.served_entry(admitted=False)  # test mode skips authentication: asked where it is needed
    root = beacon.require_root(entry)
    body = beacon.body(test_mode=True, filters=beacon.required_filters(entry))
    response = beacon.post(root, body)
    if response.status in UNADMITTED:
        raise fail(f"POST {root} with testMode true answered {response.status}; test mode skips authentication",
                   response, caused_by=TEST_MODE_WITHOUT_AUTHENTICATION)
    answer = beacon.post_answer(root, body)
    if answer.meta.get("testMode") is not True:
        raise fail(f"{answer.label}: a testMode request is answered without meta.testMode true", answer.response)


@check(TEST_MODE_WITHOUT_AUTHENTICATION)
def test_test_mode_needs_no_authentication(beacon: Beacon) -> None:
    """A testMode request is answered with a Beacon response, not 401/403 (docs/framework.md §testMode)."""
    root = beacon.require_root(beacon.served_entry(admitted=False))
    response = beacon.client.without_credentials().post(root, json=beacon.body(test_mode=True))
    if response.status in (401, 403):
        raise fail(f"a testMode request was answered {response.status}; test mode skips authentication", response)


# -- granularity ---------------------------------------------------------------------------------------


@check("beacon.granularity.value-in-enum")
def test_granularity_values_are_defined(beacon: Beacon) -> None:
    """returnedGranularity is boolean, count or record (v2.0.0 also aggregated) (framework
    beaconCommonComponents Granularity)."""
    allowed = GRANULARITIES + (("aggregated",) if beacon.version == "2.0.0" else ())
    for answer in beacon.sample_answers():
        value = answer.granularity
        if "returnedGranularity" in answer.meta and value not in allowed:
            raise fail(f"{answer.label}: returnedGranularity {value!r} is not one of {', '.join(allowed)}",
                       answer.response)


@check("beacon.granularity.shape-matches-returned")
def test_response_shape_matches_returned_granularity(beacon: Beacon) -> None:
    """A record-granularity answer has response.resultSets or response.collections, a count answer has
    numTotalResults (framework beaconResultsetsResponse, beaconCountResponse, required). Records in a boolean or
    count answer are beacon.granularity.boolean-has-no-records' and count-has-no-records' (SHOULD)."""
    for answer in beacon.sample_answers():
        if answer.granularity == "record" and not answer.result_sets and answer.collections is None:
            response = answer.body.get("response")
            if not isinstance(response, dict) or "resultSets" not in response:
                raise fail(f"{answer.label}: returnedGranularity is record but there is no response.resultSets "
                           "or response.collections", answer.response)
        if answer.granularity == "count" and not is_int(answer.total):
            raise fail(f"{answer.label}: returnedGranularity is count but responseSummary.numTotalResults is "
                       f"{answer.total!r}", answer.response)


@check("beacon.granularity.boolean-has-no-count")
def test_boolean_answer_has_no_count(beacon: Beacon) -> None:
    """A boolean answer provides *only* exists (framework beaconBooleanResponse description)."""
    answer = _granularity_answers(beacon)["boolean"]
    if answer.granularity == "boolean" and "numTotalResults" in answer.summary:
        raise fail(f"{answer.label}: a boolean answer carries numTotalResults {answer.total!r}", answer.response)


@check("beacon.granularity.boolean-has-no-records")
def test_boolean_answer_has_no_records(beacon: Beacon) -> None:
    """A boolean answer carries no record-level data (framework beaconBooleanResponse)."""
    answer = _granularity_answers(beacon)["boolean"]
    if answer.granularity is None:  # no returnedGranularity: not known to be a boolean answer
        pytest.skip("the boolean request was answered without a meta.returnedGranularity "
                    "(see beacon.meta.required-fields)")
    if answer.granularity != "boolean":
        pytest.skip(f"the boolean request was answered at {answer.granularity!r} granularity "
                    "(see beacon.granularity.never-exceeds-requested)")
    if answer.records():
        raise fail(f"{answer.label}: a boolean request is answered with {len(answer.records())} records",
                   answer.response)


@check("beacon.granularity.count-has-no-records")
def test_count_answer_has_no_records(beacon: Beacon) -> None:
    """A count answer carries no record-level data (framework beaconCountResponse)."""
    answer = _granularity_answers(beacon)["count"]
    if answer.granularity is None:  # no returnedGranularity: not known to be a count answer
        pytest.skip("the count request was answered without a meta.returnedGranularity "
                    "(see beacon.meta.required-fields)")
    if answer.granularity != "count":
        pytest.skip(f"the count request was answered at {answer.granularity!r} granularity "
                    "(see beacon.granularity.never-exceeds-requested)")
    if answer.records():
        raise fail(f"{answer.label}: a count request is answered with records (returnedGranularity "
                   f"{answer.granularity!r})", answer.response)


@check("beacon.granularity.never-exceeds-requested")
def test_granularity_never_exceeds_requested(beacon: Beacon) -> None:
    """returnedGranularity is never finer than requestedGranularity (docs/framework.md §Granularity:
    a beacon may answer coarser, not finer)."""
    for granularity, answer in _granularity_answers(beacon).items():
        rank = _rank(answer.granularity)
        if rank is not None and rank > GRANULARITIES.index(granularity):
            raise fail(f"{answer.label}: {granularity} was requested but {answer.granularity} returned",
                       answer.response)


# -- summaries and result sets -------------------------------------------------------------------------


def _counted(beacon: Beacon) -> list[Answer]:
    return [a for a in beacon.sample_answers() if "numTotalResults" in a.summary]


@check("beacon.summary.exists-iff-total-positive")
def test_exists_iff_total_positive(beacon: Beacon) -> None:
    """exists is true exactly when numTotalResults > 0 (framework beaconSummaryResponseSection)."""
    answers = _counted(beacon)
    root = beacon.root_url("genomicVariant")
    if root is not None and "genomicVariant" in beacon.entry_types():
        empty = {"referenceName": "NC_000001.11", "start": 1, "end": 2}
        probe = beacon.post(root, beacon.body(parameters=empty, granularity="count"))
        # a probe only: a GRCh37 beacon, or one requiring assemblyId, may refuse it (even with a 200 error body,
        # which is beacon.errors.no-error-body-with-2xx's to report)
        if probe.status == 200 and not is_error_body(probe.json_object()):
            answers.append(beacon.answer(probe, f"POST {root} (a GRCh38 range without variants)"))
    for answer in answers:
        total = answer.total
        if is_int(total) and isinstance(answer.exists, bool) and answer.exists != (total > 0):
            raise fail(f"{answer.label}: exists is {answer.exists} but numTotalResults is {total}", answer.response)


@check("beacon.summary.exists-matches-resultsets")
def test_exists_matches_result_sets(beacon: Beacon) -> None:
    """In a result-sets answer, exists is true exactly when a returned result set has exists true
    (framework beaconResultsets)."""
    for answer in beacon.sample_answers():
        if not answer.result_sets:
            continue
        any_hit = any(s.get("exists") is True for s in answer.result_sets)
        if answer.exists is False and (any_hit or answer.records()):
            raise fail(f"{answer.label}: responseSummary.exists is false while result sets hold records",
                       answer.response)


@check("beacon.summary.total-not-page-size")
def test_total_is_not_the_page_size(beacon: Beacon) -> None:
    """numTotalResults counts all matches, not the records of this page, and is the same for every page
    ("NOT the number of results returned in this batch", framework beaconCommonComponents.NumTotalResults)."""
    root = _individuals(beacon)
    first = beacon.get_answer(root, {"skip": 0, "limit": 1})
    second = beacon.get_answer(root, {"skip": 1, "limit": 1})
    full = beacon.listing(_individual(beacon))
    if not (is_int(first.total) and is_int(full.total)):
        pytest.skip("the answers carry no numTotalResults")
    if len(full.ids()) > 1 and (first.total != full.total or second.total != full.total):
        raise fail(f"numTotalResults is {first.total} with limit=1 (skip 0), {second.total} (skip 1) and "
                   f"{full.total} without paging: it must count every match", first.response)


@check("beacon.summary.total-matches-resultsets")
def test_total_matches_result_sets(beacon: Beacon) -> None:
    """numTotalResults lies between the largest resultsCount and the sum over result sets (derived from
    framework beaconResultsets and NumTotalResults)."""
    for answer in beacon.sample_answers():
        raw_counts = [s.get("resultsCount") for s in answer.result_sets]
        if not raw_counts or not all(is_int(c) for c in raw_counts) or not is_int(answer.total):
            continue
        counts = [c for c in raw_counts if is_int(c)]
        if not max(counts) <= answer.total <= sum(counts):
            raise fail(f"{answer.label}: numTotalResults {answer.total} is outside [max, sum] of the result sets' "
                       f"resultsCount {counts}", answer.response)


@check("beacon.resultsets.exists-iff-count-positive")
def test_result_set_exists_iff_count_positive(beacon: Beacon) -> None:
    """Every result set's exists is true exactly when resultsCount > 0 (framework beaconResultsets)."""
    root = _individuals(beacon)
    answers = [*beacon.sample_answers(), beacon.post_answer(root, beacon.body(include="ALL",
                                                                              filters=_restriction(beacon)))]
    try:
        entry, term = _filter_sample(beacon)
    except pytest.skip.Exception:
        entry = ""
    if entry:
        body = beacon.body(include="ALL", filters=[{"id": term}])
        answers.append(beacon.post_answer(beacon.require_root(entry), body))
    for answer in answers:
        for result_set in answer.result_sets:
            count, exists = result_set.get("resultsCount"), result_set.get("exists")
            if is_int(count) and isinstance(exists, bool) and exists != (count > 0):
                raise fail(f"{answer.label}: result set {result_set.get('id')!r} says exists {exists} with "
                           f"resultsCount {count}", answer.response)


@check("beacon.resultsets.results-within-count")
def test_results_within_count(beacon: Beacon) -> None:
    """No result set returns more records than its resultsCount (framework beaconResultsets.resultsCount)."""
    for answer in beacon.sample_answers():
        for result_set in answer.result_sets:
            results, count = result_set.get("results"), result_set.get("resultsCount")
            if isinstance(results, list) and is_int(count) and len(results) > count:
                raise fail(f"{answer.label}: result set {result_set.get('id')!r} returns {len(results)} records but "
                           f"resultsCount is {count}", answer.response)


@check("beacon.resultsets.set-type-is-collection")
def test_set_type_is_a_collection(beacon: Beacon) -> None:
    """resultSets[].setType "SHOULD MATCH an entry type declared as collection in the Beacon
    configuration" (framework beaconResultsets.setType)."""
    configured = beacon.configured_entry_types()
    collections = {k for k, d in configured.items() if d.get("aCollectionOf")} | {"dataset"}
    for answer in beacon.sample_answers():
        for result_set in answer.result_sets:
            set_type = result_set.get("setType", "dataset")
            if set_type not in collections:
                raise fail(f"{answer.label}: result set setType {set_type!r} is not a collection entry type",
                           answer.response)


@check("beacon.resultsets.include-resultset-responses-honoured")
def test_include_resultset_responses_is_honoured(beacon: Beacon) -> None:
    """includeResultsetResponses HIT (the default) returns only result sets with exists true, MISS only
    those with exists false (framework requests/beaconRequestBody.includeResultsetResponses)."""
    root = _individuals(beacon)
    entry = _individual(beacon)
    accepted = [t["id"] for t in beacon.filtering_terms()
                if entry in (t.get("scopes") or ["individual"]) and beacon.accepts_filter(entry, t)]
    default = beacon.get_answer(root, {"filters": accepted[0]}) if accepted else beacon.listing(entry)
    miss = beacon.post_answer(root, beacon.body(include="MISS", filters=_restriction(beacon)))
    for answer, wanted in ((default, True), (miss, False)):
        for result_set in answer.result_sets:
            if result_set.get("exists") is not wanted:
                mode = "HIT (the default)" if wanted else "MISS"
                raise fail(f"{answer.label}: with includeResultsetResponses {mode} the result set "
                           f"{result_set.get('id')!r} with exists {result_set.get('exists')} is returned",
                           answer.response)


@check("beacon.framework.schema.data-responses-valid")
def test_data_responses_match_schemas(beacon: Beacon, schemas: SpecStore) -> None:
    """Data responses validate against the framework schema of their returnedGranularity (boolean,
    count, resultsets or collections response), formats checked (framework responses/)."""
    schema_set = beacon.schema_set(schemas)
    for answer in beacon.sample_answers():
        name = "beaconCollectionsResponse" if answer.collections is not None else RESPONSE_SCHEMA.get(
            str(answer.granularity))
        if name is None:
            continue
        errors = schema_set.response_errors(name, answer.body)
        if errors:
            raise fail(f"{answer.label} does not match the Beacon {beacon.version} {name} schema: "
                       f"{'; '.join(errors)}", answer.response, caused_by=schema_cause(errors))
