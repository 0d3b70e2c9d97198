"""Conformant beacons that choose differently where the Beacon v2 text allows it (precision review): each
variant of the reference Beacon runs every Beacon check and none may fail."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.beacon.reference import BeaconApp

from conformance import ReferenceServer, Request
from conformance.testing import RunResult, run_profile


def _judge(app: BeaconApp, report_root: Path, specs_dir: str | None, checks: list[str] | None = None) -> RunResult:
    with ReferenceServer(app).start() as server:
        entry = {"standard": "beacon", "version": app.version, "url": server.url.rstrip("/")}
        return run_profile({"initiative": "beacon precision", "services": [entry]}, report_root, checks=checks,
                           specs_dir=specs_dir, standards=["beacon"])


class _SomeEntryTypes(BeaconApp):
    """Exposes only some entry types of the default model ("the different endpoints implemented in that Beacon
    instance", docs/framework.md): /configuration, /map and /filtering_terms name those alone, and the paths of
    the others are no endpoints of this beacon."""

    KEEP: frozenset[str] = frozenset()

    def entry_types(self) -> dict[str, Any]:
        kept = {k: copy.deepcopy(d) for k, d in super().entry_types().items() if k in self.KEEP}
        for definition in kept.values():
            if "aCollectionOf" in definition:
                definition["aCollectionOf"] = [m for m in definition["aCollectionOf"] if m["id"] in self.KEEP]
        return kept

    def beacon_map(self) -> dict[str, Any]:
        found = super().beacon_map()
        sets = {k: s for k, s in found["endpointSets"].items() if s["entryType"] in self.KEEP}
        for endpoint_set in sets.values():
            endpoint_set["endpoints"] = {k: e for k, e in endpoint_set["endpoints"].items()
                                         if e["returnedEntryType"] in self.KEEP}
        return {**found, "endpointSets": sets}

    def entry_of(self, request: Request, path: str) -> str | None:
        entry = super().entry_of(request, path)
        return entry if entry in self.KEEP else None

    def informational(self, response: dict[str, Any]) -> Any:
        if "filteringTerms" in response:
            terms = [{**t, "scopes": [s for s in t["scopes"] if s in self.KEEP]} for t in response["filteringTerms"]
                     if set(t.get("scopes", [])) & self.KEEP]
            response = {**response, "filteringTerms": terms}
        return super().informational(response)


class _VariantsOnly(_SomeEntryTypes):
    KEEP = frozenset({"dataset", "genomicVariant"})


class _SamplesOnly(_SomeEntryTypes):
    KEEP = frozenset({"dataset", "biosample", "run"})


@pytest.mark.parametrize("app", [_VariantsOnly, _SamplesOnly], ids=["variants-only", "samples-only"])
def test_a_beacon_without_individuals(app: type[BeaconApp], report_root: Path, specs_dir: str | None) -> None:
    # the shared probes (a POST per granularity, testMode, totals by page) ask an entry type the beacon
    # declares, not /individuals, the default model's path
    result = _judge(app(), report_root, specs_dir)
    assert result.failed() == [], result.output
    assert result.errors() == []


def test_invalid_start_is_not_asked_of_a_beacon_without_variants(report_root: Path) -> None:
    # start=abc is a genomic-variation parameter: without that entry type the check skips for that reason, not
    # as "refused too (404)" of /individuals, which this beacon never offered
    checks = ["beacon.errors.invalid-parameter-rejected", "beacon.errors.no-error-body-with-2xx"]
    result = _judge(_SamplesOnly(), report_root, None, checks)
    assert [result.outcome(c) for c in checks] == ["skipped", "passed"], result.output
    assert result.check(checks[0]).message == "the beacon does not serve the entry type genomicVariant"
