"""Reference GA4GH service-registry 1.0.0 server with named faults.

It lists two small services it hosts itself under ``/listed/<name>`` (each answers its own
``/service-info``, of a type no suite checks, so that a registry run stays self-contained), and any
ExternalService entries the option ``listed`` gives (a test's other reference servers: a profile with
``registry:`` then tests each of them through its own suite).

Each fault is one spec violation and names the checks that must catch it (``../faults.yaml``).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document

STUBS = {
    "a": {"id": "org.example.registry.stub-a", "name": "Example API A",
          "type": {"group": "org.example", "artifact": "example-api", "version": "1.0.0"}},
    "b": {"id": "org.example.registry.stub-b", "name": "Example API B",
          "type": {"group": "org.example", "artifact": "other-api", "version": "2.1.0"}},
}
ORGANIZATION = {"name": "Example Organization", "url": "https://example.org"}


def stub_info(name: str) -> dict[str, Any]:
    stub = STUBS[name]
    return {**copy.deepcopy(stub), "description": f"{stub['name']}, listed by the reference registry",
            "organization": dict(ORGANIZATION), "version": "1.0.0"}


class RegistryApp(ReferenceApp):
    """An in-memory service registry (service-registry 1.0.0)."""

    base_path: ClassVar[str] = ""

    def error(self, status: int, title: str) -> Reply:
        return json_reply({"status": status, "title": title}, status)

    def entries(self) -> list[dict[str, Any]]:
        listed = []
        for name in STUBS if self.options.get("stubs", True) else ():
            entry = {**stub_info(name), "url": f"{self.url}/listed/{name}"}
            listed.append(entry)
        listed.extend(copy.deepcopy(e) for e in self.options.get("listed") or [] if isinstance(e, dict))
        if self.has("entry-disagrees-with-service-info") and listed:
            listed[0]["type"]["version"] = "9.9.9"
        if self.has("service-url-unreachable") and len(listed) > 1:
            # a service of a GA4GH type, which should answer {url}/service-info (ExternalService.url)
            listed[1]["url"] = f"{self.url}/broken"
            listed[1]["type"] = {**listed[1]["type"], "group": "org.ga4gh"}
        return listed

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        """The demo's registry (``registry: reference``) lists the demo's other reference servers, not its own
        stubs: their types have no suite, and they are not services of the demo initiative."""
        return [{**entry, "reference": {"options": {"stubs": False}}} for entry in super().demo_entries()]

    @classmethod
    def fault_entries(cls) -> list[dict[str, Any]]:
        """The faults run on a registry that lists its stubs (no other reference server to list)."""
        return super().demo_entries()

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        return json_reply(service_info_document("service-registry", self.version, name="Reference service registry"))

    @route("GET", "/services")
    def services(self, request: Request) -> Reply:
        listed = self.entries()
        if self.has("services-not-array"):
            return json_reply({"services": listed})
        if self.has("listed-service-missing-url"):
            for entry in listed:
                entry.pop("url", None)
        if self.has("duplicate-service-id"):
            listed[1]["id"] = listed[0]["id"]
        return json_reply(listed)

    @route("GET", "/services/types")
    def types(self, request: Request) -> Reply:
        found: list[dict[str, Any]] = []
        for entry in self.entries():
            if entry.get("type") not in found:
                found.append(entry["type"])
        if self.has("types-missing-one"):
            found = found[1:]
        if self.has("types-with-extra"):
            found.append({"group": "org.example", "artifact": "unlisted-api", "version": "1.0.0"})
        return json_reply(found)

    @route("GET", "/services/{service_id}")
    def service(self, request: Request) -> Reply:
        listed = self.entries()
        for index, entry in enumerate(listed):
            if entry.get("id") == request.params["service_id"]:
                if self.has("service-by-id-404"):
                    break
                if self.has("service-by-id-other"):
                    return json_reply(listed[(index + 1) % len(listed)])
                return json_reply(entry)
        if self.has("unknown-service-200"):
            return json_reply(listed[0])
        if self.has("not-found-without-title"):
            return json_reply({"status": 404}, 404)
        if self.has("error-status-mismatch"):
            return json_reply({"status": 400, "title": "Not found"}, 404)
        return self.error(404, "Not found")

    @route("GET", "/broken/service-info")
    def broken(self, request: Request) -> Reply:
        return self.error(500, "Internal server error")

    @route("GET", "/listed/{name}/service-info")
    def listed_service_info(self, request: Request) -> Reply:
        name = request.params["name"]
        if name not in STUBS:
            return self.error(404, "Not found")
        return json_reply(stub_info(name))
