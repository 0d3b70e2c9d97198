"""service-registry 1.0.0: /services, /services/{serviceId}, /services/types, and the listed services'
own service-info (service-registry 1.0.0 OpenAPI, paths and components › schemas)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance import (
    BudgetExceeded,
    CheckFailure,
    HarnessError,
    Response,
    SpecStore,
    check,
    fail,
    json_type,
    schema_errors,
)

from .view import GA4GH_GROUP, SI_REMOTE, SPEC, Registry, answered


def _validate(schemas: SpecStore, name: str, body: object, response: Response, what: str) -> None:
    validator = schemas.validator(SPEC, f"/components/schemas/{name}", remote=SI_REMOTE, openapi="3.0")
    errors = schema_errors(validator, body)
    if errors:
        raise fail(f"{what} does not match the {name} schema: {'; '.join(errors)}", response)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _violations(schemas: SpecStore, name: str, instance: object) -> set[tuple[tuple[str, ...], str]]:
    """Every way ``instance`` breaks the schema: (where in it, what), to compare two documents' defects."""
    validator = schemas.validator(SPEC, f"/components/schemas/{name}", remote=SI_REMOTE, openapi="3.0")
    return {(tuple(map(str, e.absolute_path)), e.message) for e in validator.iter_errors(instance)}


@check("service-registry.services.schema")
def test_services_match_schema(registry: Registry, schemas: SpecStore) -> None:
    """GET /services answers 200 with an array of ExternalService (a service-info Service with a url)
    (service-registry 1.0.0 OpenAPI, /services › 200; components › schemas › ExternalService)."""
    response = registry.services_response()
    if response.status != 200:
        raise fail(f"GET /services answered {answered(response)}, not 200", response)
    body = response.json()
    if not isinstance(body, list):
        raise fail(f"GET /services answered a JSON {json_type(body)}, not an array", response)
    for index, item in enumerate(body):
        _validate(schemas, "ExternalService", item, response, f"service {index} of GET /services")


@check("service-registry.services.ids-unique")
def test_service_ids_unique(registry: Registry) -> None:
    """Each listed service has its own id (service-info 1.0.0 Service.id: "Unique ID of this service")."""
    ids = [str(s["id"]) for s in registry.services() if isinstance(s.get("id"), str)]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise fail(f"GET /services lists the id(s) {repeated[:3]} more than once", registry.services_response())


@check("service-registry.service.by-id")
def test_service_by_id(registry: Registry, schemas: SpecStore) -> None:
    """GET /services/{serviceId} of a listed id answers 200 with that ExternalService ("Information about a
    service with the given ID", service-registry 1.0.0 OpenAPI, /services/{serviceId} › 200).

    An answer that breaks the schema only as the listed entry of that id does (no violation of its own) is
    the defect service-registry.services.schema reports: this check then fails as its consequence, once
    every other defect it looks for is ruled out."""
    sampled = registry.sampled()
    if not sampled:
        pytest.skip("does not apply: the registry lists no service with an id")
    inherited: CheckFailure | None = None
    for entry in sampled:
        response = registry.by_id(entry["id"])
        what = f"GET /services/{entry['id']}"
        if response.status != 200:
            raise fail(f"{what} of a listed service answered {answered(response)}, not 200", response)
        body = response.json()
        if not isinstance(body, dict) or body.get("id") != entry["id"]:
            got = body.get("id") if isinstance(body, dict) else json_type(body)
            raise fail(f"{what} answered the service {got!r}", response)
        found = _violations(schemas, "ExternalService", body)
        if found - _violations(schemas, "ExternalService", entry):
            _validate(schemas, "ExternalService", body, response, what)
        if found and inherited is None:
            inherited = fail(f"{what} breaks the ExternalService schema as the entry GET /services lists does: "
                             f"{'; '.join(text for _, text in sorted(found)[:3])}", response,
                             caused_by="service-registry.services.schema")
    if inherited is not None:
        raise inherited


@check("service-registry.service.unknown-404")
def test_unknown_service_is_404(registry: Registry, schemas: SpecStore) -> None:
    """An unknown service id answers 404 with an Error (status and title required) (service-registry 1.0.0
    OpenAPI, /services/{serviceId} › 404 › NotFound; components › schemas › Error)."""
    response = registry.unknown()
    if response.status != 404:
        raise fail(f"GET /services/{{serviceId}} of an unknown id answered {answered(response)}, not 404", response)
    _validate(schemas, "Error", response.json(), response, "the 404 of GET /services/{serviceId}")


def _stated_status(body: object) -> int | None:
    """The status an Error body states: an integer (its schema), or a string of digits (the OpenAPI's own
    example is '500'; that it is no integer is service-registry.service.unknown-404's to report)."""
    if not isinstance(body, dict):
        return None
    value = body.get("status")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


@check("service-registry.error.status-matches")
def test_error_status_is_the_http_status(registry: Registry) -> None:
    """An Error's status "must match the status code in the actual HTTP response" (service-registry 1.0.0
    OpenAPI, components › schemas › Error › status). Judged on the error answers (4xx and 5xx) the suite
    reads: the 404 of an unknown id, and /services or /services/types where they answer an error."""
    responses = [registry.unknown(), registry.services_response(), registry.types_response()]
    judged = False
    for response in responses:
        if response.status < 400:
            continue
        stated = _stated_status(response.json() if response.content else None)
        if stated is None:
            continue
        judged = True
        if stated != response.status:
            raise fail(f"the Error body of an HTTP {response.status} answer states status {stated}", response)
    if not judged:
        pytest.skip("no error answer the suite read has an Error body with a status")


@check("service-registry.types.match-services")
def test_types_are_those_of_services(registry: Registry, schemas: SpecStore) -> None:
    """GET /services/types lists "all distinct values of the `type` field of exposed services"
    (service-registry 1.0.0 OpenAPI, /services/types): an array of ServiceType equal, as a set, to the
    types of /services. A type that breaks ServiceType as the listed services of that type do is the defect
    service-registry.services.schema reports: a consequence, once nothing else is wrong."""
    response = registry.types_response()
    if response.status != 200:
        raise fail(f"GET /services/types answered {answered(response)}, not 200", response)
    body = response.json()
    if not isinstance(body, list):
        raise fail(f"GET /services/types answered a JSON {json_type(body)}, not an array", response)
    listed = {_key(s.get("type")) for s in registry.services() if isinstance(s.get("type"), dict)}
    inherited: CheckFailure | None = None
    for item in body:
        if _key(item) in listed and _violations(schemas, "ServiceType", item):
            # the type of a listed service, which breaks ExternalService there: services.schema reports it
            inherited = inherited or fail(
                f"a type of GET /services/types, {_key(item)}, breaks the ServiceType schema as the listed "
                "services of that type do", response, caused_by="service-registry.services.schema")
            continue
        _validate(schemas, "ServiceType", item, response, "a type of GET /services/types")
    given = {_key(t) for t in body}
    missing, extra = sorted(listed - given), sorted(given - listed)
    if missing:
        raise fail(f"GET /services/types lacks {missing[0]}, the type of a listed service", response)
    if extra:
        raise fail(f"GET /services/types gives {extra[0]}, the type of no listed service", response)
    if inherited is not None:
        raise inherited


@check("service-registry.services.url-answers")
def test_listed_urls_answer(registry: Registry) -> None:
    """Each listed url is the service's base URL: GET {url}/service-info gets an HTTP answer (below 500)
    ("services implementing GA4GH specifications defined in OAS format ... should respond to requests
    constructed by appending relative paths from the specification to this base URL (e.g.
    `{url}/service-info`)", service-registry 1.0.0 OpenAPI, ExternalService.url). Only services of a GA4GH
    type (group ``org.ga4gh``, service-info 1.0.0 ServiceType.group) are asked: a registry may list
    "arbitrary services" (service-registry 1.0.0 README §FAQ), which have no /service-info to answer."""
    sampled = [s for s in registry.sampled() if isinstance(s.get("url"), str) and isinstance(s.get("type"), dict)
               and s["type"].get("group") == GA4GH_GROUP]
    if not sampled:
        pytest.skip("does not apply: the registry lists no service of a GA4GH type (org.ga4gh) with a url")
    for entry in sampled:
        own = registry.own_service_info(entry["url"])
        if isinstance(own, BudgetExceeded):
            raise own
        if isinstance(own, HarnessError):
            raise fail(f"the url {entry['url']} of the listed service {entry['id']} does not answer: {own.message}",
                       registry.services_response())
        if own.status >= 500:
            raise fail(f"{entry['url']}/service-info of the listed service {entry['id']} answered {answered(own)}", own)


@check("service-registry.services.service-info-agrees")
def test_entries_agree_with_service_info(registry: Registry) -> None:
    """A listed service's own /service-info gives the id, name, type and organization its registry entry
    gives ("Information about the individual services in the registry is described in a complementary
    service-info specification", service-registry 1.0.0 README; ExternalService is a service-info Service
    with a url). Judged where {url}/service-info answers 200 with a JSON object. An id the listing gives
    more than one service is service-registry.services.ids-unique's finding: an entry disagreeing only over
    such an id is its consequence."""
    judged = False
    unread = "no listed service gives a url"
    ids = [s.get("id") for s in registry.services()]
    inherited: CheckFailure | None = None
    for entry in registry.sampled():
        if not isinstance(entry.get("url"), str):
            continue
        own = registry.own_service_info(entry["url"])
        if isinstance(own, BudgetExceeded):
            raise own  # the harness's limit, not the service's answer: an error, never "no answer"
        unread = "no listed service answers GET {url}/service-info with a JSON object"
        if not isinstance(own, Response) or own.status != 200:
            continue
        document = own.json_object()
        if document is None:
            continue
        judged = True
        for key in ("id", "name", "type", "organization"):
            if key in entry and key in document and _key(entry[key]) != _key(document[key]):
                message = (f"the registry gives {entry['id']} the {key} {_key(entry[key])}, its own service-info "
                           f"{_key(document[key])}")
                if key == "id" and ids.count(entry["id"]) > 1:
                    inherited = inherited or fail(message, own, caused_by="service-registry.services.ids-unique")
                    continue
                raise fail(message, own)
    if not judged:
        pytest.skip(unread)
    if inherited is not None:
        raise inherited
