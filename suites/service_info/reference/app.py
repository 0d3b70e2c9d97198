"""Reference service-info server (GA4GH service-info 1.0.0): a service that implements nothing but
service-info. Its faults (``suites/service_info/faults.yaml``) are the violations the service-info
checks exist to catch; every other reference server answers ``/service-info`` with the kit's
``service_info_document`` for its own artifact."""

from __future__ import annotations

from typing import Any, ClassVar

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document


class ServiceInfoApp(ReferenceApp):
    """A GA4GH service that implements nothing but service-info."""

    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)

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
        if self.has("optional-fields-null"):  # issue 19: Galaxy 26.1
            document.update(dict.fromkeys(("contactUrl", "documentationUrl", "createdAt", "updatedAt"), None))
        if self.has("schema-violation"):
            document["environment"] = ["test", "staging"]
        content_type = "text/plain" if self.has("wrong-content-type") else "application/json"
        return json_reply(document, content_type=content_type)
