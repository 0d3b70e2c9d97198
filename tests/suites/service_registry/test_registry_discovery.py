"""One URL tests a whole initiative: a profile of just ``initiative:`` and ``registry:`` runs every
service the registry lists through its own suite, with the verdicts of a profile that names them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conformance_suites.service_registry.reference.app import RegistryApp
from conformance_suites.trs.reference.app import TrsApp

import conformance
from conformance.reference.app import Reply, json_reply
from conformance.reference.server import ReferenceServer
from conformance.testing import run_profile


def _entry(url: str, version: str) -> dict[str, Any]:
    """The registry entry of a TRS reference server: what its service-info says, with its url."""
    return {"id": f"org.ga4gh.conformance.reference.trs{version.replace('.', '')}", "name": "Reference TRS",
            "type": {"group": "org.ga4gh", "artifact": "trs", "version": version},
            "organization": {"name": "GA4GH conformance harness", "url": "https://example.org"},
            "version": "1.0.0", "url": url}


@pytest.fixture
def initiative() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A registry listing a TRS 2.0.1 and a TRS 2.0.0 reference server (and nothing else)."""
    with ExitStack() as stack:
        named = []
        listed = []
        for version in ("2.0.1", "2.0.0"):
            server = stack.enter_context(ReferenceServer(TrsApp(version=version)))
            named.append({"standard": "trs", "version": version, "url": server.url})
            listed.append(_entry(server.url, version))
        registry = stack.enter_context(ReferenceServer(RegistryApp(options={"listed": listed, "stubs": False})))
        yield registry.url, named


def _verdicts(result: Any) -> dict[tuple[str, str, str], str]:
    return {(s.standard, s.version, c.id): c.outcome for s in result.scorecard.services for c in s.checks
            if s.standard == "trs"}


def test_registry_alone_tests_every_listed_service(initiative: tuple[str, list[dict[str, Any]]],
                                                    report_root: Path, specs_dir: str | None) -> None:
    registry_url, named = initiative
    by_registry = run_profile({"initiative": "one url", "registry": registry_url}, report_root / "registry",
                              specs_dir=specs_dir)
    assert by_registry.failed() == [] and by_registry.errors() == [], by_registry.output
    versions = sorted(s.version for s in by_registry.scorecard.services if s.standard == "trs")
    assert versions == ["2.0.0", "2.0.1"], by_registry.output
    by_name = run_profile({"initiative": "named", "services": named}, report_root / "named", specs_dir=specs_dir)
    assert _verdicts(by_registry) == _verdicts(by_name)
    assert by_registry.exit_code == by_name.exit_code == 0


def test_registry_services_not_tested_are_listed_with_their_reason(report_root: Path,
                                                                    specs_dir: str | None) -> None:
    """A listed service the harness cannot test is "not tested" in the scorecard, with the reason."""
    with ExitStack() as stack:
        trs = stack.enter_context(ReferenceServer(TrsApp(version="2.0.1")))
        listed = [_entry(trs.url, "2.0.1"),
                  {**_entry("http://127.0.0.1:9/", "9.0.0"), "id": "future.trs"},
                  {**_entry("ftp://example.org/", "2.0.1"), "id": "no.http"}]
        registry = stack.enter_context(ReferenceServer(RegistryApp(options={"listed": listed, "stubs": False})))
        result = run_profile({"initiative": "one url", "registry": registry.url}, report_root,
                             specs_dir=specs_dir)
    assert result.scorecard is not None
    record = result.scorecard.registry
    assert record is not None and record["url"] == registry.url and record["listed"] == 3
    assert [e["id"] for e in record["tested"]] == [listed[0]["id"]]
    reasons = {e["id"]: (e["type"], e["reason"]) for e in record["not_tested"]}
    assert reasons == {"future.trs": ("org.ga4gh:trs:9.0.0", "trs 9.0.0 is a version this harness does not check"),
                       "no.http": ("org.ga4gh:trs:2.0.1", "no http(s) url and type (artifact, version)")}
    card = result.scorecard.to_dict()
    assert card["registry"] == record
    schema = json.loads((Path(conformance.__file__).parent / "scorecard.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads((result.run_dir / "scorecard.json").read_text()))
    summary = (result.run_dir / "summary.md").read_text()
    assert "3 listed, 1 tested, 2 not tested" in summary and "not tested: future.trs" in summary
    html = (result.run_dir / "report.html").read_text()
    assert "Service registry" in html and "not tested: no.http" in html


def test_listed_type_without_suite_is_not_tested_for_its_type(report_root: Path, specs_dir: str | None) -> None:
    """A listed service of a GA4GH type that has no suite gets its service-info checked, but counts as "not
    tested" (for its own type, with the reason) in the registry field and the dashboard, never as "tested"; one
    whose type group is not org.ga4gh claims no GA4GH specification and is not asked anything."""
    from conformance_suites.service_info.reference.app import ServiceInfoApp

    from conformance.dashboard.runs import collect, registry_counts

    with ExitStack() as stack:
        trs = stack.enter_context(ReferenceServer(TrsApp(version="2.0.1")))
        # Data Connect: a GA4GH standard with no suite here
        other = stack.enter_context(ReferenceServer(ServiceInfoApp(options={"artifact": "data-connect"})))
        connect = {**_entry(other.url, "1.0.0"), "id": "org.ga4gh.conformance.reference.dataconnect",
                   "type": {"group": "org.ga4gh", "artifact": "data-connect", "version": "1.0.0"}}
        # with the registry's own two stubs: org.example:example-api:1.0.0 and org.example:other-api:2.1.0
        registry = stack.enter_context(ReferenceServer(RegistryApp(options={"listed": [
            _entry(trs.url, "2.0.1"), connect]})))
        result = run_profile({"initiative": "one url", "registry": registry.url}, report_root, specs_dir=specs_dir)
    assert result.scorecard is not None
    record = result.scorecard.registry
    assert record is not None and record["listed"] == 4, result.output
    assert [e["id"] for e in record["tested"]] == ["org.ga4gh.conformance.reference.trs201"]
    reasons = {e["id"]: (e["type"], e["reason"]) for e in record["not_tested"]}
    assert reasons == {
        "org.ga4gh.conformance.reference.dataconnect": (
            "org.ga4gh:data-connect:1.0.0", "data-connect is a standard this harness has no suite for: only its "
                                            "service-info was checked"),
        "org.example.registry.stub-a": ("org.example:example-api:1.0.0", "type group org.example is not org.ga4gh: "
                                        "no GA4GH specification claimed"),
        "org.example.registry.stub-b": ("org.example:other-api:2.1.0", "type group org.example is not org.ga4gh: "
                                        "no GA4GH specification claimed")}
    # the Data Connect service's service-info results stay in the scorecard
    shared = {s.url for s in result.scorecard.services if s.standard == "service-info"}
    assert shared == {other.url.rstrip("/")}
    summary = (result.run_dir / "summary.md").read_text()
    assert "4 listed, 1 tested, 3 not tested" in summary
    (run,) = [r for r in collect([report_root]).runs if r.registry is not None]
    assert registry_counts(run) == {"listed": 4, "tested": 1, "conformant": 1, "not_tested": 3}


class ListsAWebApp(RegistryApp):
    """A registry that also lists a service of no GA4GH type ("you're welcome to list arbitrary services",
    service-registry 1.0.0 README §FAQ), a web application whose {url}/service-info answers 500."""

    def entries(self) -> list[dict[str, Any]]:
        web = {"id": "com.example.portal", "name": "Example portal", "version": "3.1",
               "type": {"group": "com.example", "artifact": "portal", "version": "3.1"},
               "organization": {"name": "Example", "url": "https://example.org"}, "url": f"{self.url}/broken"}
        return [*super().entries(), web]


def test_only_ga4gh_services_are_asked_for_their_service_info(report_root: Path, specs_dir: str | None) -> None:
    """ExternalService.url: "services implementing GA4GH specifications defined in OAS format (as per the
    `type` field) should respond to ... `{url}/service-info`": a service of another type need not."""
    with ReferenceServer(ListsAWebApp()) as registry:
        entry = {"standard": "service-registry", "version": "1.0.0", "url": registry.url}
        result = run_profile({"initiative": "registry of anything", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=["service-registry.services.url-answers"])
    assert result.failed() == [] and result.errors() == [], result.output
    # the registry's own two stubs are of the group org.example too: nothing of a GA4GH type to ask
    assert result.outcome("service-registry.services.url-answers") == "skipped"


class StringStatusRegistry(RegistryApp):
    """A registry whose Error bodies give the status as a string of digits, as the OpenAPI's own example
    does ('500'): the status matches the HTTP one, only its type breaks the Error schema."""

    def error(self, status: int, title: str) -> Reply:
        return json_reply({"status": str(status), "title": title}, status)


def test_error_status_is_compared_as_a_number(report_root: Path, specs_dir: str | None) -> None:
    checks = ["service-registry.error.status-matches"]
    with ReferenceServer(StringStatusRegistry(version="1.0.0")) as server:
        entry = {"standard": "service-registry", "version": "1.0.0", "url": server.url}
        result = run_profile({"initiative": "registry string status", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=checks)
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.outcome("service-registry.error.status-matches") == "passed"
