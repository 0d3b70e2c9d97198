"""The suite's VRS 1.x identifier implementation against the official VRS validation data, and the
reference beacon's hard-coded identifiers against it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conformance_suites.beacon import vrs1
from conformance_suites.beacon.reference import data as beacon_data
from hypothesis import given, settings
from hypothesis import strategies as st


def _top_level_pairs(path: Path) -> list[tuple[Any, Any]]:
    """The top-level entries of a YAML mapping, duplicates kept (VRS models.yaml repeats class keys;
    yaml.safe_load keeps only the last of each)."""
    loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
    try:
        node = loader.get_single_node()
        assert isinstance(node, yaml.MappingNode)
        return [(loader.construct_object(k, deep=True), loader.construct_object(v, deep=True)) for k, v in node.value]
    finally:
        loader.dispose()


@pytest.mark.parametrize(("version", "expected_count"), [("1.2.1", 46), ("1.3.0", 62)])
def test_vrs1_identifiers_match_the_validation_data(version: str, expected_count: int, requires_specs: str) -> None:
    root = Path(requires_specs) / "vrs" / version / "validation"
    matched, mismatched = 0, []
    for cls, cases in _top_level_pairs(root / "models.yaml"):
        for case in cases:
            got = {"ga4gh_serialize": vrs1.ga4gh_serialize(case["in"]).decode(),
                   "ga4gh_digest": vrs1.ga4gh_digest(case["in"])}
            if "ga4gh_identify" in case["out"]:
                got["ga4gh_identify"] = vrs1.ga4gh_identify(case["in"])
            for key, expected in case["out"].items():
                if got.get(key) == expected:
                    matched += 1
                else:
                    mismatched.append((cls, case.get("name"), key, got.get(key), expected))
    functions = yaml.safe_load((root / "functions.yaml").read_text(encoding="utf-8"))
    for case in functions["sha512t24u"]:
        if vrs1.sha512t24u(case["in"]["blob"].encode()) == case["out"]:
            matched += 1
        else:
            mismatched.append(("sha512t24u", case["in"], "", "", case["out"]))
    assert mismatched == []
    assert matched == expected_count


def test_reference_identifiers_are_computed() -> None:
    for variant in beacon_data.build()["genomicVariant"]:
        variation = variant["variation"]
        if "_id" in variation:
            assert vrs1.ga4gh_identify(variation) == variation["_id"]
            location = variation["location"]
            if "_id" in location:
                assert vrs1.ga4gh_identify(location) == location["_id"]


def test_sequence_digest() -> None:
    assert vrs1.sha512t24u(b"") == "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXc"
    assert vrs1.sequence_id("acgt") == "ga4gh:SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2"


def test_vrs2_objects_are_identified_through_ga4gh_vrs() -> None:
    from conformance_suites.beacon.check_records import _vrs2_identify

    allele = {"type": "Allele", "location": {
        "type": "SequenceLocation", "sequenceReference": {"type": "SequenceReference",
                                                          "refgetAccession": "SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"},
        "start": 44908821, "end": 44908822}, "state": {"type": "LiteralSequenceExpression", "sequence": "T"}}
    assert _vrs2_identify(allele) == "ga4gh:VA.0AePZIWZUNsUlQTamyLrjm2HWUw2opLt"
    assert _vrs2_identify({"type": "Allele", "location": {"sequence_id": "x"}}) is None


@settings(max_examples=60, derandomize=True, deadline=None)
@given(digest=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=32, max_size=32),
       start=st.integers(0, 10**9), length=st.integers(0, 50), state=st.text("ACGTN", max_size=20))
def test_allele_and_location_ids_agree_with_ga4gh_vrs(digest: str, start: int, length: int, state: str) -> None:
    """The hand-written 1.x identifiers (no well-kept library computes VRS 1.3 beside VRS 2) agree with
    ga4gh-vrs's own VRS 1.3 identifiers (``as_version=PrevVrsVersion.V1_3``) for the classes it can compute them
    for: Alleles and SequenceLocations."""
    from ga4gh.core import PrevVrsVersion, ga4gh_identify
    from ga4gh.vrs import models

    location = models.SequenceLocation(sequenceReference=models.SequenceReference(refgetAccession=f"SQ.{digest}"),
                                       start=start, end=start + length)
    allele = models.Allele(location=location, state=models.LiteralSequenceExpression(sequence=state))
    old_location = {"type": "SequenceLocation", "sequence_id": f"ga4gh:SQ.{digest}",
                    "interval": {"type": "SequenceInterval", "start": {"type": "Number", "value": start},
                                 "end": {"type": "Number", "value": start + length}}}
    old_allele = {"type": "Allele", "location": old_location,
                  "state": {"type": "LiteralSequenceExpression", "sequence": state}}
    assert vrs1.ga4gh_identify(old_location) == ga4gh_identify(location, as_version=PrevVrsVersion.V1_3)
    assert vrs1.ga4gh_identify(old_allele) == ga4gh_identify(allele, as_version=PrevVrsVersion.V1_3)
