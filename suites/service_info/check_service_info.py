"""Checks of the service-info endpoint every GA4GH service shares (GA4GH service-info 1.0.0)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import (
    FORMAT_CHECKER,
    CheckFailure,
    Response,
    Service,
    ServiceClient,
    SpecStore,
    check,
    fail,
    json_type,
    schema_errors,
    suite_for,
    versions,
)

SCHEMA = "service-info/1.0.0/service-info.yaml"


def paths(service: Service) -> tuple[str, ...]:
    suite = suite_for(service.standard)
    if service.standard != "service-info" and not suite.has_service_info(service.version):
        pytest.skip(f"{suite.title} {service.version} defines no service-info endpoint")
    return suite.service_info_paths_for(service)


def document(client: ServiceClient, path: str) -> tuple[dict[str, Any], Response]:
    """The service-info document at ``path``; checks other than the endpoint check skip without one,
    so that a missing endpoint is reported once, by the check that is about it."""
    response = client.get(path)
    if response.status != 200:
        pytest.skip(f"no service-info document: GET {path} answered {response.status} "
                    "(see service-info.endpoint.answers-200)")
    try:
        body = response.json()
    except CheckFailure:
        pytest.skip(f"no service-info document: GET {path} did not answer JSON "
                    "(see service-info.endpoint.answers-200)")
    if not isinstance(body, dict):
        pytest.skip(f"no service-info document: GET {path} answered a JSON {type(body).__name__}, "
                    "not an object (see service-info.schema.valid)")
    return body, response


def documents(service: Service, client: ServiceClient) -> list[tuple[str, dict[str, Any], Response]]:
    """The service-info documents to examine. Where a standard offers several (htsget 1.3.0 §Service
    info: "/reads/service-info and/or /variants/service-info"), those that answer are examined."""
    candidates = paths(service)
    if len(candidates) == 1:
        return [(candidates[0], *document(client, candidates[0]))]
    found = []
    for path in candidates:
        response = client.get(path)
        body = response.json_object() if response.status == 200 else None
        if body is not None:
            found.append((path, body, response))
    if not found:
        pytest.skip(f"no service-info document at {' or '.join(candidates)} (see service-info.endpoint.answers-200)")
    return found



@check("service-info.endpoint.answers-200")
def test_service_info_answers_200_with_json(service: Service, client: ServiceClient) -> None:
    """GET /service-info answers 200 with a JSON object (service-info 1.0.0 §GET /service-info); where
    a standard offers several service-info paths, at least one of them does."""
    candidates = paths(service)
    answered = []
    for path in candidates:
        response = client.get(path)
        if response.status == 200 and not isinstance(response.json(), dict):
            raise fail(f"GET {path} answered JSON that is not an object", response)
        answered.append((path, response))
    if not any(response.status == 200 for _, response in answered):
        path, response = answered[-1]
        statuses = ", ".join(f"GET {p} answered {r.status} {r.reason}".rstrip() for p, r in answered)
        raise fail(f"{statuses}, not 200", response)


@check("service-info.content-type.is-json")
def test_service_info_is_served_as_json(service: Service, client: ServiceClient) -> None:
    """The document's media type is application/json (service-info 1.0.0 §GET /service-info)."""
    for path, _, response in documents(service, client):
        if response.content_type != "application/json":
            got = response.headers.get("Content-Type") or "no Content-Type"
            raise fail(f"GET {path} is served as {got!r}, not application/json", response)


@check("service-info.schema.valid")
def test_service_info_matches_official_schema(service: Service, client: ServiceClient,
                                              schemas: SpecStore) -> None:
    """The document validates against the official ``Service`` schema with format checking
    (service-info 1.0.0 §components.schemas.Service)."""
    validator = schemas.validator(SCHEMA, "/components/schemas/Service", openapi="3.0")
    for path, body, response in documents(service, client):
        errors = schema_errors(validator, body)
        if errors:
            raise fail(f"{path} does not match the service-info Service schema: {'; '.join(errors)}", response)


@check("service-info.fields.required-present")
def test_required_fields_present(service: Service, client: ServiceClient) -> None:
    """id, name, type, organization and version are present with the right JSON types
    (service-info 1.0.0 §Service, required)."""
    expected = {"id": str, "name": str, "type": dict, "organization": dict, "version": str}
    for path, body, response in documents(service, client):
        missing = [key for key in expected if key not in body]
        if missing:
            raise fail(f"{path} lacks required field(s) {', '.join(missing)}", response)
        for key, kind in expected.items():
            if not isinstance(body[key], kind):
                raise fail(f"{path}: {key} is a JSON {json_type(body[key])}, not a "
                           f"{'string' if kind is str else 'object'}", response)


@check("service-info.type.fields-present")
def test_type_has_group_artifact_version(service: Service, client: ServiceClient) -> None:
    """type carries group, artifact and version as non-empty strings (service-info 1.0.0 §ServiceType)."""
    for path, body, response in documents(service, client):
        service_type = _type(path, body)
        for key in ("group", "artifact", "version"):
            value = service_type.get(key)
            if not isinstance(value, str) or not value:
                problem = "is missing" if key not in service_type else f"is {value!r}, not a non-empty string"
                raise fail(f"{path}: type.{key} {problem}", response)


@check("service-info.type.group-is-org-ga4gh")
def test_type_group_is_org_ga4gh(service: Service, client: ServiceClient) -> None:
    """An implementation of an official GA4GH specification uses type.group ``org.ga4gh``
    (service-info 1.0.0 §ServiceType.group)."""
    if _expected_artifact(service) is None:
        pytest.skip("the profile declares no GA4GH specification for this service")
    for path, body, response in documents(service, client):
        group = _type(path, body).get("group")
        if group != "org.ga4gh":
            raise fail(f"{path}: type.group is {group!r}; implementations of official GA4GH specifications "
                       "use 'org.ga4gh'", response)


@check("service-info.type.artifact-matches-standard")
def test_type_artifact_matches_declared_standard(service: Service, client: ServiceClient) -> None:
    """type.artifact names the specification the profile declares (service-info 1.0.0
    §ServiceType.artifact)."""
    expected = _expected_artifact(service)
    if expected is None:
        pytest.skip("the profile entry names no artifact for this service (add `artifact:` to check it)")
    for path, body, response in documents(service, client):
        artifact = _type(path, body).get("artifact")
        if artifact != expected:
            raise fail(f"{path}: type.artifact is {artifact!r}, but the profile declares a {service.standard} "
                       f"service, whose artifact is {expected!r}", response)


@check("service-info.type.version-matches-declared")
def test_type_version_matches_declared_version(service: Service, client: ServiceClient) -> None:
    """type.version is the specification version the profile declares (service-info 1.0.0
    §ServiceType.version). A mismatch is a finding about the deployment or about the declaration."""
    for path, body, response in documents(service, client):
        reported = _type(path, body).get("version")
        if not isinstance(reported, str) or not versions.same_release(reported, service.version):
            raise fail(f"{path}: the service reports type.version {reported!r}, but the profile declares "
                       f"{service.standard} {service.version}: the deployment or the declaration is wrong",
                       response)


@check("service-info.organization.name-and-url")
def test_organization_has_name_and_uri(service: Service, client: ServiceClient) -> None:
    """organization has a name and an RFC 3986 url (service-info 1.0.0 §Service.organization)."""
    for path, body, response in documents(service, client):
        organization = body.get("organization")
        if not isinstance(organization, dict):
            pytest.skip(f"{path} has no organization object (see service-info.fields.required-present)")
        name, url = organization.get("name"), organization.get("url")
        if not isinstance(name, str) or not name:
            raise fail(f"{path}: organization.name is {name!r}, not a non-empty string", response)
        if not isinstance(url, str) or not FORMAT_CHECKER.conforms(url, "uri"):
            raise fail(f"{path}: organization.url {url!r} is not an RFC 3986 URI", response)


@check("service-info.urls.are-uris")
def test_contact_and_documentation_urls_are_uris(service: Service, client: ServiceClient) -> None:
    """contactUrl and documentationUrl, when given, are URIs (service-info 1.0.0 §Service, format uri)."""
    for path, body, response in documents(service, client):
        for key in ("contactUrl", "documentationUrl"):
            if key in body and (not isinstance(body[key], str) or not FORMAT_CHECKER.conforms(body[key], "uri")):
                raise fail(f"{path}: {key} {body[key]!r} is not a URI (RFC 3986)", response)


@check("service-info.timestamps.rfc3339")
def test_timestamps_are_rfc3339(service: Service, client: ServiceClient) -> None:
    """createdAt and updatedAt, when given, are RFC 3339 date-times (service-info 1.0.0 §Service,
    format date-time)."""
    for path, body, response in documents(service, client):
        for key in ("createdAt", "updatedAt"):
            if key in body and (not isinstance(body[key], str) or
                                not FORMAT_CHECKER.conforms(body[key], "date-time")):
                raise fail(f"{path}: {key} {body[key]!r} is not an RFC 3339 date-time", response)


def _type(path: str, body: dict[str, Any]) -> dict[str, Any]:
    service_type = body.get("type")
    if not isinstance(service_type, dict):
        pytest.skip(f"{path} has no type object (see service-info.fields.required-present)")
    return service_type


def _expected_artifact(service: Service) -> str | None:
    if service.standard == "service-info":
        artifact = service.options.get("artifact")
        return str(artifact) if artifact else None
    return suite_for(service.standard).service_info_artifact

