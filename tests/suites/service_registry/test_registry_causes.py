"""One defect of the listed entries is one failure: GET /services/{serviceId} serves the entry GET /services
lists, so an entry that breaks the ExternalService schema breaks it in both answers, and
service-registry.services.schema reports it; the checks that read the same entry again name it as their
cause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance_suites.service_registry.reference.app import RegistryApp

from conformance.reference.app import Reply, Request, route
from conformance.reference.server import ReferenceServer
from conformance.testing import reference_entries, run_profile


class EntriesWithoutOrganization(RegistryApp):
    """A registry whose every entry, listed or read by id, lacks the required organization."""

    def entries(self) -> list[dict[str, Any]]:
        listed = super().entries()
        for entry in listed:
            entry.pop("organization", None)
        return listed


def test_an_entry_breaking_the_schema_is_one_failure(report_root: Path, requires_specs: str) -> None:
    with ReferenceServer(EntriesWithoutOrganization(version="1.0.0")) as server:
        entry = {"standard": "service-registry", "version": "1.0.0", "url": server.url}
        result = run_profile({"initiative": "registry without organization", "services": [entry]}, report_root,
                             specs_dir=requires_specs, standards=["service-registry"])
    failures = result.causes()
    assert failures.pop("service-registry.services.schema") is None, result.output
    assert failures == {"service-registry.service.by-id": "service-registry.services.schema"}, result.output


class ByIdOtherDefect(EntriesWithoutOrganization):
    """Besides, GET /services/{serviceId} gives each entry a url that is no URI: a defect of its own."""

    @route("GET", "/services/{service_id}")
    def service(self, request: Request) -> Reply:
        reply = super().service(request)
        if reply.status == 200:
            reply.body = reply.body.replace(b'"url": "http', b'"url": "not a uri http', 1)
        return reply


def test_a_defect_of_the_answer_by_id_is_its_own(report_root: Path, requires_specs: str) -> None:
    with ReferenceServer(ByIdOtherDefect(version="1.0.0")) as server:
        entry = {"standard": "service-registry", "version": "1.0.0", "url": server.url}
        result = run_profile({"initiative": "registry by-id defect", "services": [entry]}, report_root,
                             specs_dir=requires_specs, checks=["service-registry.services.schema",
                                                               "service-registry.service.by-id"])
    assert result.causes() == {"service-registry.services.schema": None, "service-registry.service.by-id": None}, \
        result.output


class TypesWithoutVersion(RegistryApp):
    """A registry whose every entry's type lacks the required version, in GET /services, GET
    /services/{serviceId} and so in GET /services/types, which lists those types."""

    def entries(self) -> list[dict[str, Any]]:
        listed = super().entries()
        for entry in listed:
            entry["type"].pop("version", None)
        return listed


def test_a_listed_type_breaking_the_schema_is_one_failure(report_root: Path, requires_specs: str) -> None:
    checks = ["service-registry.services.schema", "service-registry.service.by-id",
              "service-registry.types.match-services"]
    with ReferenceServer(TypesWithoutVersion(version="1.0.0")) as server:
        entry = {"standard": "service-registry", "version": "1.0.0", "url": server.url}
        result = run_profile({"initiative": "registry types without version", "services": [entry]}, report_root,
                             specs_dir=requires_specs, checks=checks)
    assert result.causes() == {"service-registry.services.schema": None,
                               "service-registry.service.by-id": "service-registry.services.schema",
                               "service-registry.types.match-services": "service-registry.services.schema"}, \
        result.output


def test_a_repeated_id_is_one_failure(report_root: Path) -> None:
    """Two entries sharing an id (the second gives the first's): its own service-info disagrees over that id
    only, which is service-registry.services.ids-unique's finding."""
    checks = ["service-registry.services.ids-unique", "service-registry.services.service-info-agrees"]
    result = run_profile({"initiative": "registry repeated id",
                          "services": reference_entries("service-registry", ["duplicate-service-id"])},
                         report_root, checks=checks)
    assert result.causes() == {checks[0]: None, checks[1]: checks[0]}, result.output
