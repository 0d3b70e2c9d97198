"""One URL tests a whole initiative: a profile of just ``initiative:`` and ``registry:`` runs every
service the registry lists through its own suite, with the verdicts of a profile that names them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.service_registry.reference.app import RegistryApp
from conformance_suites.trs.reference.app import TrsApp

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
