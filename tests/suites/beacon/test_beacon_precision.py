"""Conformant beacons that choose differently where the Beacon v2 text allows it (precision review): each
variant of the reference Beacon runs every Beacon check and none may fail."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.beacon.reference import BeaconApp
from conformance_suites.beacon.reference.app import BadRequest, Query

from conformance import ReferenceServer, Reply, Request
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


class _RegisteredTier(BeaconApp):
    """Keeps some entry types at the registered tier: a caller who does not identify itself gets 401 there
    (docs/security.md §Registered; securityLevels "apply to different parts of the Beacon"), but a testMode
    request is answered "skipping any user authentication" (docs/framework.md §testMode)."""

    PROTECTED: tuple[str, ...] = ("individuals",)
    TEST_MODE_ADMITTED = True

    def handle(self, request: Request) -> Reply:
        first = request.path.removeprefix(self.base_path).strip("/").split("/")[0]
        body = request.json() if request.method == "POST" else None
        test_mode = isinstance(body, dict) and body.get("query", {}).get("testMode") is True
        if first in self.PROTECTED and not (test_mode and self.TEST_MODE_ADMITTED):
            return self.error(Query(), "individual", 401, "registered users only")
        return super().handle(request)


class _RegisteredData(_RegisteredTier):
    PROTECTED = ("individuals", "biosamples", "g_variants")


@pytest.mark.parametrize(("app", "version"), [(_RegisteredTier, "2.1.1"), (_RegisteredData, "2.0.0")],
                         ids=["individuals", "individuals-biosamples-variants"])
def test_entry_types_at_the_registered_tier(app: type[BeaconApp], version: str, report_root: Path,
                                            specs_dir: str | None) -> None:
    # a 401 to a caller without credentials is no missing endpoint, no refused filter and no data response
    # to judge: those checks judge what the beacon answers elsewhere, or skip saying why
    result = _judge(app([], version), report_root, specs_dir)
    assert result.failed() == [], result.output
    assert result.errors() == []
    skipped = result.check("beacon.pagination.limit-caps-page")
    if version == "2.0.0":
        assert "ask for credentials" in skipped.message, skipped.message


def test_a_test_mode_request_refused_for_credentials_is_one_failure(report_root: Path) -> None:
    class _TestModeRefused(_RegisteredTier):
        TEST_MODE_ADMITTED = False

    cause = "beacon.test-mode.responds-without-authentication"
    result = _judge(_TestModeRefused(), report_root, None)
    assert result.causes() == {cause: None, "beacon.meta.test-mode-flagged": cause}, result.output


class _AlphanumericTerm(BeaconApp):
    """Advertises an alphanumeric term (age), which a filter uses with an operator and a value (framework
    requests/filteringTerms AlphanumericFilter, required id, operator, value): the term alone is refused."""

    def informational(self, response: dict[str, Any]) -> Any:
        if "filteringTerms" in response:
            age = {"type": "alphanumeric", "id": "age", "label": "age at diagnosis", "scopes": ["individual"]}
            terms = response["filteringTerms"]
            response = {**response, "filteringTerms": [age, *terms][:len(terms)]}  # a page keeps its size
        return super().informational(response)

    def matches(self, entry: str, record: dict[str, Any], query: Query) -> bool:
        if any(f["id"] == "age" and not {"operator", "value"} <= set(f) for f in query.filters):
            raise BadRequest("the alphanumeric filter age needs an operator and a value")
        rest = dataclasses.replace(query, filters=[f for f in query.filters if f["id"] != "age"])
        return bool(super().matches(entry, record, rest))


def test_an_alphanumeric_term_is_not_sent_without_operator_and_value(report_root: Path) -> None:
    check = "beacon.filtering-terms.advertised-terms-accepted"
    result = _judge(_AlphanumericTerm(), report_root, None, [check])
    assert result.outcome(check) == "passed", result.output


class _OwnBiosampleModel(BeaconApp):
    """Keeps its biosamples in a model of its own ("copy the Beacon Model and modify it to your specific case",
    docs/models.md), which /configuration names as the entry type's defaultSchema and returnedSchemas echo:
    those records lack the default model's required sampleOriginType."""

    def __init__(self) -> None:
        super().__init__()
        for biosample in self.records["biosample"]:
            del biosample["sampleOriginType"]

    def default_schema(self, entry: str, model: str, name: str) -> dict[str, str]:
        if entry == "biosample":
            return {"id": "org.example.biosample-v1", "name": "Biosamples of this beacon",
                    "referenceToSchemaDefinition": "https://example.org/schemas/biosample.json", "schemaVersion": "v1"}
        return dict(super().default_schema(entry, model, name))


def test_records_in_a_model_of_its_own_are_not_judged_by_the_default_model(report_root: Path,
                                                                            requires_specs: str) -> None:
    checks = ["beacon.records.valid-against-entry-type-schema", "beacon.records.schema.valid"]
    result = _judge(_OwnBiosampleModel(), report_root, requires_specs, checks)
    assert [result.outcome(c) for c in checks] == ["passed", "passed"], result.output


class _OwnEntryTypeIds(BeaconApp):
    """Declares the genomic variations under an id of its own (genomicVariation) in /configuration, /map and
    returnedSchemas: entryTypeDefinition.id is "A unique identifier of the element"."""

    def entry_types(self) -> dict[str, Any]:
        types = {k: copy.deepcopy(d) for k, d in super().entry_types().items()}
        variants = types.pop("genomicVariant")
        types["genomicVariation"] = {**variants, "id": "genomicVariation"}
        for definition in types.values():
            for member in definition.get("aCollectionOf", []):
                member["id"] = "genomicVariation" if member["id"] == "genomicVariant" else member["id"]
        return types

    def beacon_map(self) -> dict[str, Any]:
        found = copy.deepcopy(super().beacon_map())
        for endpoint_set in found["endpointSets"].values():
            if endpoint_set["entryType"] == "genomicVariant":
                endpoint_set["entryType"] = "genomicVariation"
            for related in endpoint_set["endpoints"].values():
                if related["returnedEntryType"] == "genomicVariant":
                    related["returnedEntryType"] = "genomicVariation"
        return found

    def meta(self, query: Query, entry: str, returned: str) -> dict[str, Any]:
        meta = super().meta(query, entry, returned)
        for item in meta["returnedSchemas"]:
            item["entityType"] = "genomicVariation" if item["entityType"] == "genomicVariant" else item["entityType"]
        return dict(meta)


def test_an_entry_type_declared_under_its_own_id(report_root: Path) -> None:
    result = _judge(_OwnEntryTypeIds(), report_root, None)
    assert result.failed() == [], result.output
    message = result.check("beacon.variant.sequence-query-finds-variant").message
    assert message.startswith("the beacon declares no entry type genomicVariant: it declares 'genomicVariation'")
