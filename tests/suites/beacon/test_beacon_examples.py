"""The official Beacon v2 examples that are valid responses or records pass the suite's schema
validation (its offline registry, the v2.1.1 info.json fallback and the map's templated URLs), so the
schemas are applied as the spec means them. Upstream-invalid examples are listed with the reason, and
the test asserts that they do fail, so the list cannot hide a validator that accepts everything."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conformance_suites.beacon.view import SPEC_VERSIONS, SchemaSet

from conformance.specs import SpecStore

FULL = "framework/json/responses/examples-fullDocuments"
MODELS = "models/json/beacon-v2-default-model"
#: Official examples that are invalid against their own schema (all three versions), and why.
UPSTREAM_INVALID = {
    f"{FULL}/beaconBooleanResponse-example.json": "meta lacks returnedGranularity; receivedRequestSummary lacks "
                                                  "requestedGranularity",
    f"{FULL}/beaconCountResponse-example.json": "the same two missing required fields",
    f"{FULL}/beaconCollectionsResponse-MIN-example.json": "the same two missing required fields",
    f"{FULL}/beaconCollectionsResponse-MID-example.json": "the same two missing required fields",
    f"{FULL}/beaconErrorResponse_example.json": "the same two, and requestParameters is a list, not an object",
    f"{FULL}/beaconResultsetResponse-MIN-example.json": "'response' is missing, and the same two meta fields",
    f"{MODELS}/genomicVariations/examples/genomicVariant-MID-example.json":
        "identifiers.variantAlternativeIds are strings, not externalReference objects",
    f"{MODELS}/individuals/examples/individual-MID-example.json":
        "timeElement values nested Phenopackets-style (ageGroup, age) and measurementValue.units (unit expected)",
    f"{MODELS}/individuals/examples/individual-with-pedigree-MID-example.json":
        "diseases[0].ageOfOnset {ageGroup: ...} matches no timeElement branch",
}


#: Of those, the ones v2.0.0 accepts: its age.json, ageRange.json and complexValue.json require nothing, so under
#: the erratum E1 reading (timeElement and measurementValue oneOf as anyOf) any object is a time element or value.
VALID_IN_2_0_0 = {f"{MODELS}/individuals/examples/individual-MID-example.json",
                  f"{MODELS}/individuals/examples/individual-with-pedigree-MID-example.json"}


def _response_schema(name: str) -> str:
    if name.startswith("beaconInfo-"):
        return "beaconInfoResponse"
    if name.startswith("beaconResultsetResponse"):
        return "beaconResultsetsResponse"
    return re.sub(r"([-_]M..)?[-_]example\.json$", "", name)


def _examples(root: Path, version: str) -> list[tuple[str, str]]:
    """(example path, schema path) relative to the version directory."""
    base = root / "beacon-v2" / f"v{version}"
    found = [(f"{FULL}/{p.name}", f"framework/json/responses/{_response_schema(p.name)}.json")
             for p in sorted((base / FULL).glob("*.json"))]
    for path in sorted((base / MODELS).glob("*/examples/*.json")):
        if path.name == "pedigree-example.json":
            continue
        relative = path.relative_to(base).as_posix()
        found.append((relative, f"{MODELS}/{path.parent.parent.name}/defaultSchema.json"))
    return found


@pytest.mark.parametrize("version", SPEC_VERSIONS)
def test_official_examples_are_judged_as_the_spec_means(version: str, requires_specs: str) -> None:
    store = SpecStore(Path(requires_specs))
    schema_set = SchemaSet(store, version)
    examples = _examples(Path(requires_specs), version)
    assert len(examples) >= 25
    wrongly_failed, wrongly_passed = [], []
    invalid = set(UPSTREAM_INVALID) - (VALID_IN_2_0_0 if version == "2.0.0" else set())
    for example, schema in examples:
        errors = schema_set.errors(schema, store.load(f"beacon-v2/v{version}/{example}"))
        if example in invalid and not errors:
            wrongly_passed.append(example)
        elif example not in invalid and errors:
            wrongly_failed.append(f"{example}: {errors}")
    assert wrongly_failed == []
    assert wrongly_passed == []
