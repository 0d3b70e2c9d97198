"""The demo is tested from one URL (issue 15): its reference service registry (``registry: reference``)
lists the other reference servers, and a profile of just ``initiative:`` and ``registry:`` pointing at it
tests each of them with the verdicts the demo profile gives when it names them one by one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import suite as suites
from conformance.demo import demo_document, demo_profile
from conformance.errors import ProfileError
from conformance.profile import REFERENCE_REGISTRY, is_http_url, parse_profile
from conformance.run import Run, prepare
from conformance.testing import run_profile


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The demo's reference servers, started as ``conformance demo`` starts them (not run)."""
    run = prepare(demo_profile(), report_root=tmp_path_factory.mktemp("reports"))
    try:
        yield run
    finally:
        run.close()


def test_demo_profile_names_its_reference_registry() -> None:
    assert demo_document()["registry"] == REFERENCE_REGISTRY
    assert demo_profile().registry == REFERENCE_REGISTRY


def test_demo_registry_lists_the_other_reference_servers(demo_run: Run) -> None:
    profile = demo_run.profile
    assert profile.registry is not None and is_http_url(profile.registry)
    (registry,) = [s for s in profile.services if s.standard == "service-registry"]
    assert registry.url == profile.registry
    record = demo_run.registry
    assert record is not None and record["url"] == profile.registry
    # everything it lists is a service of the demo, tested through its own suite (with the entry's hints)
    urls = {s.url for s in profile.services}
    assert record["listed"] == len(record["tested"]) >= 8 and record["not_tested"] == []
    assert {t["url"] for t in record["tested"]} <= urls
    listed_standards = {s.standard for s in profile.services if s.url in {t["url"] for t in record["tested"]}}
    assert listed_standards >= {"beacon", "drs", "htsget", "refget", "seqcol", "service-info", "tes", "trs", "wes"}
    # one service per service-info id: a registry's ids are unique
    assert len({t["id"] for t in record["tested"]}) == len(record["tested"])
    # what it cannot list stays named in the profile, and the run says so
    (notice,) = [n for n in demo_run.notices if n.startswith("the reference registry")]
    # grouped by why, each entry once with how many there are
    assert "documents of a data standard, not a service: crypt4gh 1.0, duo 2021-02-23 ×2, phenopackets 2.0" in notice
    assert "no GA4GH service-info in that version: passports 1.2 ×2, refget 1.0.1, trs 2.0.0, wes 1.0.0" in notice
    assert "another server with its service-info id is listed: tes 1.1.0" in notice
    # the demo stays as it was: every entry is still a service of the run (none discovered twice)
    assert len(profile.services) == len(demo_profile().services)


def test_reference_registry_needs_a_service_registry_reference_entry() -> None:
    document = {"initiative": "x", "registry": "reference",
                "services": [{"standard": "trs", "version": "2.0.1", "reference": True}]}
    with pytest.raises(ProfileError, match=r"registry.*needs a service-registry entry with reference:"):
        parse_profile(document, standards=suites.discover())
    with pytest.raises(ProfileError, match=r"registry.*not an http"):
        parse_profile({**document, "registry": "registry.example.org"}, standards=suites.discover())


def _by_service(result: Any) -> dict[tuple[str, str], Any]:
    """The scorecard's services by (standard, version); the first of a pair (the demo's refget companion
    comes after the refget the registry lists)."""
    found: dict[tuple[str, str], Any] = {}
    for service in result.scorecard.services:
        found.setdefault((service.standard, service.version), service)
    return found


def _outcomes(service: Any) -> dict[str, str]:
    return {c.id: c.outcome for c in service.checks}


@pytest.mark.slow
def test_registry_alone_tests_what_the_demo_registry_lists_as_naming_them(
        demo_run: Run, report_root: Path, specs_dir: str | None) -> None:
    """``initiative:`` + ``registry:`` (the demo's registry URL) tests every service the registry lists,
    check by check as a profile naming each of them (standard, version, url) one by one; where the demo's
    entry carries nothing a registry entry cannot (no test data hints, no credentials), as the demo itself."""
    assert demo_run.registry is not None
    listed = {t["url"] for t in demo_run.registry["tested"]}
    by_registry = run_profile({"initiative": "Demo", "registry": demo_run.profile.registry},
                              report_root / "registry", specs_dir=specs_dir)
    assert by_registry.scorecard.registry is not None
    assert {t["url"] for t in by_registry.scorecard.registry["tested"]} == listed
    assert {s.url for s in by_registry.scorecard.services} == listed  # every listed service, nothing else
    named_entries = [{"standard": s.standard, "version": s.version, "url": s.url,
                      **({"artifact": s.options["artifact"]} if "artifact" in s.options else {})}
                     for s in demo_run.profile.services if s.url in listed]
    by_name = run_profile({"initiative": "Demo", "services": named_entries}, report_root / "named",
                          specs_dir=specs_dir)
    registry_services, named_services = _by_service(by_registry), _by_service(by_name)
    assert registry_services.keys() == named_services.keys()
    for key, service in registry_services.items():
        assert (service.verdict(), _outcomes(service)) == (named_services[key].verdict(),
                                                         _outcomes(named_services[key])), key
    # against the demo: the same verdicts wherever its entry adds nothing to what the registry lists
    demo_services = _by_service(run_profile(demo_document(), report_root / "demo", specs_dir=specs_dir))
    # (seqcol's resolve-on-refget reads the demo's companion refget, which the registry cannot list: it has the
    # service-info id of the demo's other refget 2.0.0)
    plain = {(s.standard, s.version) for s in demo_run.profile.services
             if s.url in listed and not (s.options.keys() - {"artifact"}) and not s.auth.keys()} - {("seqcol", "1.0.0")}
    assert plain == {("beacon", "2.1.1"), ("service-info", "1.0.0"), ("trs", "2.0.1")}
    for key in plain:
        assert registry_services[key].verdict() == demo_services[key].verdict() == "conformant", key
        assert _outcomes(registry_services[key]) == _outcomes(demo_services[key]), key
