"""Reference service-info server (GA4GH service-info 1.0.0) and the document every reference shares.

Its faults are the violations the ``suites/service_info`` checks exist to catch; each other reference
server answers ``/service-info`` with :func:`service_info_document` for its own artifact.
"""

from __future__ import annotations

from typing import Any, ClassVar

from conformance.reference.base import Fault, ReferenceApp, Reply, Request, json_reply, route

CITE = "service-info 1.0.0"


def service_info_document(artifact: str, version: str, *, name: str = "Reference server",
                          service_id: str | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A conformant service-info document (service-info 1.0.0 §Service)."""
    document: dict[str, Any] = {
        "id": service_id or f"org.ga4gh.conformance.reference.{artifact.replace('-', '')}",
        "name": name,
        "type": {"group": "org.ga4gh", "artifact": artifact, "version": version},
        "description": f"Embedded {artifact} reference server of the GA4GH conformance harness",
        "organization": {"name": "GA4GH conformance harness", "url": "https://example.org/ga4gh-conformance"},
        "contactUrl": "mailto:conformance@example.org",
        "documentationUrl": "https://example.org/ga4gh-conformance/docs",
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-11-01T12:30:00Z",
        "environment": "test",
        "version": "1.0.0",
    }
    document.update(extra or {})
    return document


def _faults(*items: tuple[str, str, str]) -> dict[str, Fault]:
    return {name: Fault(name, description, (check,)) for name, description, check in items}


class ServiceInfoApp(ReferenceApp):
    """A GA4GH service that implements nothing but service-info."""

    standard: ClassVar[str] = "service-info"
    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)
    FAULTS: ClassVar[dict[str, Fault]] = _faults(
        ("endpoint-404", "GET /service-info answers 404", "service-info.endpoint.answers-200"),
        ("wrong-content-type", "service-info is served as text/plain",
         "service-info.content-type.is-json"),
        ("missing-id", "the required `id` is absent", "service-info.fields.required-present"),
        ("missing-organization", "the required `organization` is absent",
         "service-info.fields.required-present"),
        ("name-not-string", "`name` is a number", "service-info.fields.required-present"),
        ("type-missing-group", "`type.group` is absent", "service-info.type.fields-present"),
        ("custom-group", "`type.group` is a custom namespace for an official GA4GH API",
         "service-info.type.group-is-org-ga4gh"),
        ("wrong-artifact", "`type.artifact` names another standard",
         "service-info.type.artifact-matches-standard"),
        ("wrong-type-version", "`type.version` is not the version the profile declares",
         "service-info.type.version-matches-declared"),
        ("organization-url-not-uri", "`organization.url` is not an RFC 3986 URI",
         "service-info.organization.name-and-url"),
        ("contact-url-not-uri", "`contactUrl` is not a URI", "service-info.urls.are-uris"),
        ("created-at-not-rfc3339", "`createdAt` is not an RFC 3339 date-time",
         "service-info.timestamps.rfc3339"),
        ("schema-violation", "`environment` is a list, against the official schema",
         "service-info.schema.valid"),
    )

    def _artifact(self) -> str:
        return str(self.options.get("artifact", "service-info"))

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{"standard": "service-info", "version": "1.0.0", "artifact": "service-info",
                 "reference": True}]

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        if self.has("endpoint-404"):
            return json_reply({"msg": "not found", "status_code": 404}, 404)
        version = "0.9.0" if self.has("wrong-type-version") else self.version
        artifact = "beacon" if self.has("wrong-artifact") else self._artifact()
        document = service_info_document(artifact, version)
        if self.has("missing-id"):
            del document["id"]
        if self.has("missing-organization"):
            del document["organization"]
        if self.has("name-not-string"):
            document["name"] = 42
        if self.has("type-missing-group"):
            del document["type"]["group"]
        if self.has("custom-group"):
            document["type"]["group"] = "org.example.custom"
        if self.has("organization-url-not-uri") and "organization" in document:
            document["organization"]["url"] = "example organisation website"
        if self.has("contact-url-not-uri"):
            document["contactUrl"] = "support at example dot org"
        if self.has("created-at-not-rfc3339"):
            document["createdAt"] = "24/11/2026 10:00"
        if self.has("schema-violation"):
            document["environment"] = ["test", "staging"]
        content_type = "text/plain" if self.has("wrong-content-type") else "application/json"
        return json_reply(document, content_type=content_type)


REFERENCE_APPS = [ServiceInfoApp]
