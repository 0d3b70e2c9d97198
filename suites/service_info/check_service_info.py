"""Checks of the service-info endpoint every GA4GH service shares (GA4GH service-info 1.0.0)."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import (
    FORMAT_CHECKER,
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

from .view import ServiceInfo

SCHEMA = "service-info/1.0.0/service-info.yaml"
#: The schema check validates every field these checks read, with the same format checker (uri, date-time):
#: a field that breaks one of them breaks the Service schema too (a null optional field breaks its type, as
#: OpenAPI 3.0 has no ``nullable``, issue 19). One cause, one failure: each such failure is declared a
#: consequence of the schema check, a link the scorecard drops where that check did not fail (no schemas,
#: the schemas missing, it skips).
SCHEMA_CHECK = "service-info.schema.valid"
TYPE_CHECK = "service-info.type.fields-present"


@check("service-info.endpoint.answers-200")
def test_service_info_answers_200_with_json(info: ServiceInfo, client: ServiceClient) -> None:
    """GET /service-info answers 200 with a JSON object (service-info 1.0.0 §GET /service-info); where
    a standard offers several service-info paths, at least one of them does."""
    candidates = info.paths()
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
def test_service_info_is_served_as_json(info: ServiceInfo) -> None:
    """The document's media type is JSON: application/json (service-info 1.0.0 §GET /service-info), or a
    vendor type with the +json structured-syntax suffix (RFC 6839 §3.1), which a standard may demand
    for its own service-info (refget 2.0.0 serves its vendor JSON type)."""
    for path, _, response in info.documents():
        kind = response.content_type
        if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
            got = response.headers.get("Content-Type") or "no Content-Type"
            raise fail(f"GET {path} is served as {got!r}, not application/json (or a +json type)", response)


@check("service-info.schema.valid")
def test_service_info_matches_official_schema(info: ServiceInfo,
                                              schemas: SpecStore) -> None:
    """The document validates against the official ``Service`` schema with format checking
    (service-info 1.0.0 §components.schemas.Service)."""
    validator = schemas.validator(SCHEMA, "/components/schemas/Service", openapi="3.0")
    for path, body, response in info.documents():
        errors = schema_errors(validator, body)
        if errors:
            raise fail(f"{path} does not match the service-info Service schema: {'; '.join(errors)}", response)


@check("service-info.fields.required-present")
def test_required_fields_present(info: ServiceInfo) -> None:
    """id, name, type, organization and version are present with the right JSON types
    (service-info 1.0.0 §Service, required)."""
    expected = {"id": str, "name": str, "type": dict, "organization": dict, "version": str}
    for path, body, response in info.documents():
        # a required field absent or mistyped breaks the Service schema too: one cause, one failure (issue 19:
        # the refget seqcol store's `version` object); without the schemas the link is dropped
        missing = [key for key in expected if key not in body]
        if missing:
            raise fail(f"{path} lacks required field(s) {', '.join(missing)}", response, caused_by=SCHEMA_CHECK)
        for key, kind in expected.items():
            if not isinstance(body[key], kind):
                raise fail(f"{path}: {key} is a JSON {json_type(body[key])}, not a "
                           f"{'string' if kind is str else 'object'}", response, caused_by=SCHEMA_CHECK)


@check("service-info.type.fields-present")
def test_type_has_group_artifact_version(info: ServiceInfo) -> None:
    """type carries group, artifact and version as strings (service-info 1.0.0 §ServiceType: required, type
    string; the schema sets no minLength: what a value must be is for the checks of group, artifact and
    version to say)."""
    for path, body, response in info.documents():
        service_type = _type(path, body)
        for key in ("group", "artifact", "version"):
            value = service_type.get(key)
            if not isinstance(value, str):
                problem = "is missing" if key not in service_type else f"is {value!r}, not a string"
                raise fail(f"{path}: type.{key} {problem}", response, caused_by=SCHEMA_CHECK)


@check("service-info.type.group-is-org-ga4gh")
def test_type_group_is_org_ga4gh(service: Service, info: ServiceInfo) -> None:
    """An implementation of an official GA4GH specification uses type.group ``org.ga4gh``
    (service-info 1.0.0 §ServiceType.group)."""
    if _expected_artifact(service) is None:
        pytest.skip("the profile declares no GA4GH specification for this service")
    for path, body, response in info.documents():
        group = _type(path, body).get("group")
        if group != "org.ga4gh":
            # an absent or non-string group is service-info.type.fields-present's failure first
            raise fail(f"{path}: type.group is {group!r}; implementations of official GA4GH specifications "
                       "use 'org.ga4gh'", response,
                       caused_by=None if isinstance(group, str) else TYPE_CHECK)


@check("service-info.type.artifact-matches-standard")
def test_type_artifact_matches_declared_standard(service: Service, info: ServiceInfo) -> None:
    """type.artifact names the specification the profile declares (service-info 1.0.0
    §ServiceType.artifact)."""
    expected = _expected_artifact(service)
    if expected is None:
        pytest.skip("the profile entry names no artifact for this service (add `artifact:` to check it)")
    allowed = _allowed_artifacts(service)
    for path, body, response in info.documents():
        artifact = _type(path, body).get("artifact")
        if artifact not in allowed:
            also = f" (or {', '.join(repr(a) for a in allowed[1:])})" if len(allowed) > 1 else ""
            raise fail(f"{path}: type.artifact is {artifact!r}, but the profile declares a {service.standard} "
                       f"service, whose artifact is {expected!r}{also}", response)


@check("service-info.type.version-matches-declared")
def test_type_version_matches_declared_version(service: Service, info: ServiceInfo) -> None:
    """type.version is the specification version the profile declares (service-info 1.0.0
    §ServiceType.version). A mismatch is a finding about the deployment or about the declaration. A service
    that names another group than org.ga4gh reports the version of that namespace's API ("For services with
    custom APIs ... or implementations diverging from official GA4GH specifications, use a different
    namespace", §ServiceType.group): not judged (issue 19: sapporo's sapporo-wes 2.1.0)."""
    for path, body, response in info.documents():
        group = _type(path, body).get("group")
        if isinstance(group, str) and group != "org.ga4gh":
            pytest.skip(f"{path}: type.group is {group!r}, not org.ga4gh: type.version is the version of that "
                        "namespace's API (see service-info.type.group-is-org-ga4gh)")
        reported = _type(path, body).get("version")
        if not isinstance(reported, str) or not versions.same_release(reported, service.version):
            raise fail(f"{path}: the service reports type.version {reported!r}, but the profile declares "
                       f"{service.standard} {service.version}: the deployment or the declaration is wrong",
                       response)


@check("service-info.organization.name-and-url")
def test_organization_has_name_and_uri(info: ServiceInfo) -> None:
    """organization has a name (a string: required, type string, no minLength) and an RFC 3986 url
    (service-info 1.0.0 §Service.organization)."""
    for path, body, response in info.documents():
        organization = body.get("organization")
        if not isinstance(organization, dict):
            pytest.skip(f"{path} has no organization object (see service-info.fields.required-present)")
        name, url = organization.get("name"), organization.get("url")
        if not isinstance(name, str):
            raise fail(f"{path}: organization.name is {name!r}, not a string", response,
                       caused_by=SCHEMA_CHECK)
        if not isinstance(url, str) or not FORMAT_CHECKER.conforms(url, "uri"):
            raise fail(f"{path}: organization.url {url!r} is not an RFC 3986 URI", response, caused_by=SCHEMA_CHECK)


@check("service-info.urls.are-uris")
def test_contact_and_documentation_urls_are_uris(info: ServiceInfo) -> None:
    """contactUrl and documentationUrl, when given, are URIs (service-info 1.0.0 §Service, format uri)."""
    for path, body, response in info.documents():
        for key in ("contactUrl", "documentationUrl"):
            if key in body and (not isinstance(body[key], str) or not FORMAT_CHECKER.conforms(body[key], "uri")):
                raise fail(f"{path}: {key} {body[key]!r} is not a URI (RFC 3986)", response, caused_by=SCHEMA_CHECK)


@check("service-info.timestamps.rfc3339")
def test_timestamps_are_rfc3339(info: ServiceInfo) -> None:
    """createdAt and updatedAt, when given, are RFC 3339 date-times (service-info 1.0.0 §Service,
    format date-time)."""
    for path, body, response in info.documents():
        for key in ("createdAt", "updatedAt"):
            if key in body and (not isinstance(body[key], str) or
                                not FORMAT_CHECKER.conforms(body[key], "date-time")):
                raise fail(f"{path}: {key} {body[key]!r} is not an RFC 3339 date-time", response,
                           caused_by=SCHEMA_CHECK)


def _type(path: str, body: dict[str, Any]) -> dict[str, Any]:
    service_type = body.get("type")
    if not isinstance(service_type, dict):
        pytest.skip(f"{path} has no type object (see service-info.fields.required-present)")
    return service_type


def _allowed_artifacts(service: Service) -> tuple[str, ...]:
    """The artifact the standard names, and the other spellings its spec also gives."""
    if service.standard == "service-info":
        expected = _expected_artifact(service)
        return (expected,) if expected else ()
    return suite_for(service.standard).service_info_artifacts()


def _expected_artifact(service: Service) -> str | None:
    if service.standard == "service-info":
        artifact = service.options.get("artifact")
        return str(artifact) if artifact else None
    return suite_for(service.standard).service_info_artifact

