"""DRS service-info and transport checks (DRS 1.2.0 - 1.5.0 §Service Info, §DRS API Principles)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance import CheckFailure, Response, Service, ServiceClient, SpecStore, check, fail, schema_errors

from .view import ERROR_BODY, Drs, is_int, is_json_media_type, object_path

SERVICE_INFO_SCHEMA = "/components/responses/200ServiceInfo/content/application~1json/schema"
#: The generic Service schema within the DRS document (service-info 1.0.0's Service, which DRS extends).
SERVICE_SCHEMA = "/components/schemas/Service"
PREFIX = "/ga4gh/drs/v1"
#: The optional fields of service-info 1.0.0 §Service: a null one breaks the shared Service schema, which
#: service-info.schema.valid reports at this service (issue 19: one root cause, one failure).
OPTIONAL_SERVICE_FIELDS = ("description", "contactUrl", "documentationUrl", "createdAt", "updatedAt", "environment")


@check("drs.service-info.schema-valid")
def test_service_info_matches_drs_schema(drs: Drs, schemas: SpecStore) -> None:
    """service-info validates against allOf(Service, DrsService) of the declared DRS version, formats
    checked (DRS 1.2.0 §Service Info, 200ServiceInfo)."""
    document, response = drs.service_info()
    validator = drs.validator(schemas, SERVICE_INFO_SCHEMA)
    errors = schema_errors(validator, document)
    if errors:
        # Only null optional Service fields wrong, or only what the Service schema alone refuses (no type, no
        # organization): the shared Service schema check reports that cause (one root cause, one failure).
        without_nulls = {k: v for k, v in document.items() if not (k in OPTIONAL_SERVICE_FIELDS and v is None)}
        nulls_only = len(without_nulls) < len(document) and not schema_errors(validator, without_nulls)
        shared = nulls_only or _service_schema_finds_all(drs, schemas, validator, document)
        raise fail(f"service-info does not match the DRS {drs.version} service-info schema: {'; '.join(errors)}",
                   response, caused_by="service-info.schema.valid" if shared else None)


def _service_schema_finds_all(drs: Drs, schemas: SpecStore, validator: Any, document: Any) -> bool:
    """Whether the generic Service schema (the DRS document's own copy of service-info's) refuses the document
    for every reason the DRS service-info schema does: nothing DRS adds (DrsService) is broken."""
    def found(by: Any) -> set[tuple[tuple[Any, ...], str]]:
        return {(tuple(error.absolute_path), error.message) for error in by.iter_errors(document)}

    return found(validator) <= found(drs.validator(schemas, SERVICE_SCHEMA))


@check("drs.service-info.type-group-is-org-ga4gh")
def test_service_info_group_is_org_ga4gh(drs: Drs) -> None:
    """"a DRS service MUST have: a type.group value of org.ga4gh" (DRS 1.2.0 §Service Info). Kept beside
    the shared service-info.type.group-is-org-ga4gh, which is a SHOULD for services in general."""
    document, response = drs.service_info()
    service_type = document.get("type")
    group = service_type.get("group") if isinstance(service_type, dict) else None
    if not isinstance(group, str):
        # no type object or no string group: the schema (Service requires type.group, a string) is what is
        # broken, which drs.service-info.schema-valid reports; only a group naming another namespace is this check's
        where = "has no type object" if not isinstance(service_type, dict) else f"has type.group {group!r}"
        raise fail(f"service-info {where}; a DRS service MUST report type.group 'org.ga4gh'", response,
                   caused_by="drs.service-info.schema-valid")
    if group != "org.ga4gh":
        raise fail(f"service-info type.group is {group!r}; a DRS service MUST report 'org.ga4gh'", response)


@check("drs.service-info.max-bulk-request-length-present")
def test_max_bulk_request_length_present(drs: Drs) -> None:
    """service-info has an integer maxBulkRequestLength at the top level (DRS 1.4.0 §DrsService,
    required)."""
    document, response = drs.service_info()
    value = document.get("maxBulkRequestLength")
    # the DrsService schema requires it too: one cause, one failure (issue 19: the refget FASTA-DRS router)
    if "maxBulkRequestLength" not in document:
        raise fail("service-info has no top-level maxBulkRequestLength, which DrsService requires from 1.4.0",
                   response, caused_by="drs.service-info.schema-valid")
    if not is_int(value):
        raise fail(f"service-info maxBulkRequestLength is {value!r}, not an integer", response,
                   caused_by="drs.service-info.schema-valid")


@check("drs.service-info.max-bulk-request-length-at-least-one")
def test_max_bulk_request_length_at_least_one(drs: Drs) -> None:
    """maxBulkRequestLength (top level, and drs.maxBulkRequestLength in 1.5.0) is >= 1 (DRS 1.4.0
    §DrsService.maxBulkRequestLength)."""
    document, response = drs.service_info()
    section: dict[str, Any] = document["drs"] if isinstance(document.get("drs"), dict) else {}
    judged = False
    for where, value in (("maxBulkRequestLength", document.get("maxBulkRequestLength")),
                         ("drs.maxBulkRequestLength", section.get("maxBulkRequestLength"))):
        if not is_int(value):
            continue
        judged = True
        if value < 1:
            raise fail(f"service-info {where} is {value}; the bulk endpoints must handle at least 1 id", response)
    if not judged:
        pytest.skip("does not apply: service-info gives no integer maxBulkRequestLength (see "
                    "drs.service-info.max-bulk-request-length-present)")


@check("drs.service-info.drs-section-valid")
def test_drs_section_valid(drs: Drs) -> None:
    """A ``drs`` section has an integer maxBulkRequestLength and integer objectCount / totalObjectSize
    >= 0 when given (DRS 1.5.0 §DrsService.drs)."""
    document, response = drs.service_info()
    if "drs" not in document:
        pytest.skip("service-info has no drs section (it is optional)")
    section = document["drs"]
    if not isinstance(section, dict):
        raise fail(f"service-info drs is a {type(section).__name__}, not an object", response)
    if not is_int(section.get("maxBulkRequestLength")):
        raise fail("service-info drs section lacks an integer maxBulkRequestLength, which it requires", response)
    for key in ("objectCount", "totalObjectSize"):
        if key in section and (not is_int(section[key]) or section[key] < 0):
            raise fail(f"service-info drs.{key} is {section[key]!r}, not an integer >= 0", response)


@check("drs.service-info.drs-section-consistent")
def test_drs_section_consistent(drs: Drs) -> None:
    """Top-level maxBulkRequestLength (deprecated) and drs.maxBulkRequestLength agree (DRS 1.5.0
    §DrsService.maxBulkRequestLength, DEPRECATED note)."""
    document, response = drs.service_info()
    section = document.get("drs")
    if not isinstance(section, dict) or "maxBulkRequestLength" not in section \
            or "maxBulkRequestLength" not in document:
        pytest.skip("service-info does not give maxBulkRequestLength in both places")
    if section["maxBulkRequestLength"] != document["maxBulkRequestLength"]:
        raise fail(f"service-info says maxBulkRequestLength {document['maxBulkRequestLength']!r} at the top level "
                   f"but {section['maxBulkRequestLength']!r} in its drs section", response)


@check("drs.http.api-prefix-is-ga4gh-drs-v1")
def test_api_is_under_ga4gh_drs_v1(service: Service, client: ServiceClient) -> None:
    """"DRS server endpoints MUST be prefixed by the '/ga4gh/drs/v1' endpoint path" (DRS 1.2.0
    §servers.serverURL). (A profile whose url stops before the prefix of an API that answers only under it
    never gets here: the run finds the service unreachable at that url and names the url to declare.)"""
    path = urlsplit(service.url).path.rstrip("/")
    if path.endswith(PREFIX):
        return
    response = client.get(f"{service.url.rstrip('/')}{PREFIX}/service-info")
    if response.status != 200:
        raise fail(f"the service URL does not end in {PREFIX} and {PREFIX}/service-info under it answers "
                   f"{response.status}: the API is not served under the prefix DRS requires", response)


@check("drs.http.json-content-type")
def test_responses_are_application_json(drs: Drs) -> None:
    """JSON answers (service-info, DrsObjects, AccessURLs, Errors) are served as JSON: application/json, which
    every response declares, or another JSON media type (a +json suffix, RFC 6839 §3.1, such as
    application/problem+json), as the Error body check accepts ("It uses JSON in requests and responses",
    DRS 1.2.0 §DRS API Principles › Standards)."""
    responses = [("GET /service-info", drs.service_info_response())]
    for object_id in drs.option("objects") + drs.option("bundles"):
        responses.append((f"GET {object_path(object_id)}", drs.object_response(object_id)))
    for object_id, access_id, _ in drs.access_ids()[:2]:
        responses.append((f"GET access {access_id} of {object_id}", drs.access_response(object_id, access_id)))
    responses.append(("GET of an unknown object", drs.unknown_object()))
    error_page: tuple[str, Response] | None = None
    for what, response in responses:
        if response.status in (200, 400, 401, 403, 404, 413, 500) and response.content \
                and not is_json_media_type(response.content_type):
            got = response.headers.get("Content-Type") or "no Content-Type"
            message = f"{what} is served as {got!r}, not application/json (or another JSON media type)"
            if response is drs.unknown_object() and response.status >= 400 and not _parses(response):
                # no JSON under a label that says so (an HTML error page): the Error body is what is wrong, and
                # drs.error.body-is-json-error judges this very answer
                error_page = (message, response)
                continue
            raise fail(message, response)
    if error_page is not None:
        raise fail(*error_page, caused_by=ERROR_BODY)


def _parses(response: Response) -> bool:
    try:
        response.json()
    except CheckFailure:
        return False
    return True


@check("drs.http.https-on-port-443")
def test_https_on_port_443(service: Service, drs: Drs) -> None:
    """The DRS API uses "standard HTTPS on port 443", and hostname-based DRS URIs resolve to https on 443
    (DRS 1.2.0 §DRS API Principles › Hostname-based DRS URIs, › Standards); an https access method's URL
    is https. A service on plain http at a loopback address (a local test deployment) is exempt for its
    own origin: that part is reported as skipped, and only the access URLs on other hosts are judged. A
    SHOULD: neither sentence carries an RFC 2119 keyword."""
    for object_id, document, response in drs.documents():
        for index, method in enumerate(document.get("access_methods") or []):
            if not isinstance(method, dict) or method.get("type") != "https":
                continue
            access_url = method.get("access_url")
            url = access_url.get("url") if isinstance(access_url, dict) else None
            if not isinstance(url, str):
                continue
            parts = urlsplit(url)
            if parts.scheme.lower() == "http" and not _same_loopback_host(service, url):
                raise fail(f"{object_id}: access_methods[{index}] is of type https but its URL is plain http "
                           f"on {parts.hostname}", response)
    parts = urlsplit(service.url)
    if service.is_loopback and parts.scheme == "http":
        pytest.skip("does not apply: the service runs on plain http at a loopback address (a local deployment): the "
                    "https/443 rule of DRS 1.2.0 §DRS API Principles applies to public deployments only")
    if parts.scheme != "https" or (parts.port or 443) != 443:
        raise fail(f"the service is served at {parts.scheme}://{parts.netloc}, not https on port 443 as DRS describes "
                   "its transport", drs.service_info_response())


def _same_loopback_host(service: Service, url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return service.is_loopback and host == (urlsplit(service.url).hostname or "").lower()


@check("drs.http.accepted-has-retry-after")
def test_accepted_has_retry_after(drs: Drs) -> None:
    """A 202 Accepted carries Retry-After, an integral number of seconds (DRS 1.2.0 §202Accepted:
    "this must be an integral relative time in seconds")."""
    seen = False
    answers = [(f"GET access {access_id} of {object_id}", drs.access_response(object_id, access_id))
               for object_id, access_id, _ in drs.access_ids()]
    for what, response in answers + drs.accepted():
        if response.status != 202:
            continue
        seen = True
        value = (response.headers.get("Retry-After") or "").strip()
        if not value.isdigit():
            raise fail(f"{what} answered 202 with Retry-After {value or 'missing'!r}, "
                       "not an integral number of seconds", response)
    if not seen:
        pytest.skip("no request answered 202 Accepted")

