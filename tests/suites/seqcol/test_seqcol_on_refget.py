"""The cross-standard check (``check_refget.py``, ``on_refget.py``): a collection's sequence digests resolve on
the profile's refget service that holds the collection set. It passes beside the companion refget server in
either refget version, skips with the true reason without one, beside a refget of another set, and beside a
refget that does not answer ga4gh ids at all, and fails when a collection names a sequence the refget lacks."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.refget.reference.app import RefgetApp
from conformance_suites.seqcol.on_refget import from_trunc512, sq_form, to_trunc512
from conformance_suites.seqcol.reference.app import SeqcolApp
from conformance_suites.seqcol.reference.collections import S1, S5

from conformance.errors import UsageError
from conformance.testing import RunResult, run_profile

CHECK = "seqcol.sequences.resolve-on-refget"
#: refget 2.0.0 §Checksum calculation gives the ga4gh id of ACGT; refget 1.0.1 §TRUNC512 its TRUNC512.
ACGT_SQ = "SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2"
ACGT_TRUNC512 = "68a178f7c740c5c240aa67ba41843b119d3bf9f8b0f0ac36"


def test_sq_and_trunc512_are_the_same_digest() -> None:
    assert to_trunc512(ACGT_SQ) == ACGT_TRUNC512
    assert from_trunc512(ACGT_TRUNC512) == from_trunc512(ACGT_TRUNC512.upper()) == ACGT_SQ
    assert from_trunc512("not hex") is None


@pytest.mark.parametrize(("value", "expected"), [
    (ACGT_SQ, ACGT_SQ),
    ("ga4gh:" + ACGT_SQ, ACGT_SQ),                 # the namespaced form names the same sequence
    ("6aef897c3d6ff0c78aff06ac189178dd", None),    # an MD5: not a refget v2 identifier
    ("SQ.short", None),
    (42, None),
])
def test_sq_form(value: object, expected: str | None) -> None:
    assert sq_form(value) == expected


def test_the_companion_refget_server_holds_every_collection_sequence() -> None:
    entry = SeqcolApp.companion_entries()[0]
    app = RefgetApp(version=entry["version"], options=entry["reference"]["options"])
    listed = {sq for stored in SeqcolApp().store.values() for sq in stored.full["sequences"]}
    assert listed <= {seq.ga4gh for seq in app.sequences}
    assert S5.refget_id not in {seq.ga4gh for seq in app.sequences}


@pytest.mark.parametrize("value", [["ACGT"], {"s": "acgt"}, {"s": 42}])
def test_a_malformed_extra_sequences_option_is_one_line(value: object) -> None:
    with pytest.raises(UsageError, match="extra_sequences"):
        RefgetApp(options={"extra_sequences": value})


def _companion(version: str = "2.0.0", faults: list[str] | None = None, **changes: Any) -> dict[str, Any]:
    entry = copy.deepcopy(SeqcolApp.companion_entries()[0])
    entry["version"] = version
    entry["reference"]["faults"] = faults or []
    entry.update(changes)
    return entry


def _run(report_root: Path, *refgets: dict[str, Any], faults: list[str] | None = None) -> RunResult:
    seqcol = {"standard": "seqcol", "version": "1.0.0", "reference": {"faults": faults or []}}
    return run_profile({"initiative": "seqcol and refget", "services": [seqcol, *refgets]}, report_root,
                       checks=[CHECK])


def test_passes_beside_the_refget_server_holding_the_collections(report_root: Path) -> None:
    result = _run(report_root, _companion())
    assert result.outcome(CHECK) == "passed", result.check(CHECK)


def test_passes_beside_a_refget_1_0_server_asked_by_trunc512(report_root: Path) -> None:
    """refget 1.0.x has no SQ. ids: the same digest is asked in its TRUNC512 form, and a 1.0.x entry may
    name its sequence by TRUNC512 (or MD5): the metadata tells which collection sequence it is."""
    result = _run(report_root, _companion("1.0.1", sequences=[to_trunc512(S1.refget_id)]))
    assert result.outcome(CHECK) == "passed", result.check(CHECK)


def test_skips_without_a_refget_service(report_root: Path) -> None:
    check = _run(report_root).check(CHECK)
    assert check.outcome == "skipped"
    assert "declares no refget service" in check.message


def test_skips_beside_a_refget_service_of_another_collection_set(report_root: Path) -> None:
    """The demo's refget server holds other sequences: its entry names none of the collections'."""
    other = RefgetApp.demo_entries()[0]
    check = _run(report_root, {**other, "reference": {"faults": []}}, faults=["sequence-not-on-refget"]).check(CHECK)
    assert check.outcome == "skipped"
    assert "none is known to hold this collection set" in check.message


def test_skips_when_the_refget_service_answers_no_ga4gh_id(report_root: Path) -> None:
    """A refget 2.0.0 server need only support MD5 ids (ga4gh is a SHOULD): its 404 for an SQ. id then says
    nothing of the collection, so the check skips rather than blame the seqcol service."""
    entry = _companion(faults=["ga4gh-id-404"], sequences=[hashlib.md5(S1.bases.encode()).hexdigest()])
    check = _run(report_root, entry).check(CHECK)
    assert check.outcome == "skipped", check
    assert "does not answer the metadata of its own sequence" in check.message


def test_a_sequence_the_refget_service_lacks_fails(report_root: Path) -> None:
    check = _run(report_root, _companion(), faults=["sequence-not-on-refget"]).check(CHECK)
    assert check.outcome == "failed"
    assert check.message.startswith("1 of 4 sequence digests")
    assert f"{S5.refget_id} (listed by " in check.message and "answered 404" in check.message
    assert check.level == "SHOULD"


def test_a_length_other_than_refget_s_fails(report_root: Path) -> None:
    check = _run(report_root, _companion(), faults=["length-not-refget-length"]).check(CHECK)
    assert check.outcome == "failed"
    assert check.message.startswith("1 of 4 sequence digests")  # one sequence, however many collections list it
    assert "17 bases where it has 16" in check.message


def test_a_refget_metadata_length_its_bases_contradict_is_not_the_collection_s_fault(report_root: Path) -> None:
    """The companion's metadata gives every sequence one base too many: its bases show the collections'
    lengths are right, so the seqcol service is not blamed (the refget suite catches that server)."""
    check = _run(report_root, _companion(faults=["metadata-wrong-length"])).check(CHECK)
    assert check.outcome == "passed", check
