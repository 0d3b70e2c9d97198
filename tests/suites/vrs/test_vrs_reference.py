"""The checks against the reference sequence (``check_reference.py``, ``on_refget.py``): beside the companion
refget server the conformant documents pass all four in the versions they apply to; without a refget service,
or beside one tied to other sequences, they skip with the true reason; each fault fails exactly its check,
and a sequence refget does not know fails only the look-up check (the others judge the rest, no cascade)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conformance_suites.refget.reference.app import LINEAR, RefgetApp
from conformance_suites.vrs.reference.app import VrsApp
from conformance_suites.vrs.reference.documents import (
    REPEAT,
    REPEAT_AT,
    SEQ_A,
    SEQ_B,
    SQ_A,
    SQ_B,
    SQ_UNKNOWN,
    objects_2,
    refget_id,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.testing import RunResult, run_profile

#: The checks of a 2.0 document set and of a 1.3 one (inside-sequence is 1.3's MUST, -expected 2.0's SHOULD).
CHECKS_2 = ["vrs.location.inside-sequence-expected", "vrs.location.reference-state-matches", "vrs.allele.normalized"]
CHECKS_1 = ["vrs.location.inside-sequence", "vrs.allele.normalized"]
CHECKS = ["vrs.location.inside-sequence", *CHECKS_2]
#: refget 2.0.0 §Checksum calculation: the ga4gh id of ACGT
ACGT_SQ = "SQ.aKF498dAxcJAqme6QYQ7EZ07-fiw8Kw2"


def test_refget_id_is_sha512t24u() -> None:
    assert refget_id("ACGT") == ACGT_SQ


def test_the_companion_refget_server_holds_the_documents_sequences() -> None:
    entry = VrsApp.companion_entries()[0]
    app = RefgetApp(version=entry["version"], options=entry["reference"]["options"])
    held = {seq.ga4gh for seq in app.sequences}
    assert {SQ_A, SQ_B} <= held
    assert SQ_UNKNOWN not in held
    assert set(entry["sequences"]) == {SQ_A, SQ_B}
    assert len(SEQ_A) == len(SEQ_B) == 600


def test_the_repeat_allele_is_normalized_by_ga4gh_vrs() -> None:
    """The reference document's repeat insertion is what ga4gh-vrs's normalizer makes of CTC inserted at the
    repeat's start, and of itself (expanded): a fixed point."""
    from ga4gh.vrs import models
    from ga4gh.vrs.dataproxy import _DataProxy
    from ga4gh.vrs.normalize import normalize

    class Local(_DataProxy):
        def get_sequence(self, identifier: str, start: int | None = None, end: int | None = None) -> str:
            return SEQ_A[start:end]

        def get_metadata(self, identifier: str) -> dict[str, Any]:
            return {"length": len(SEQ_A), "aliases": []}

    insertion = models.Allele(location=models.SequenceLocation(
        sequenceReference=models.SequenceReference(refgetAccession=SQ_A), start=REPEAT_AT + 3, end=REPEAT_AT + 3),
        state=models.LiteralSequenceExpression(sequence="CTC"))
    normalized = normalize(insertion, Local()).model_dump(exclude_none=True)
    stated = objects_2()["alleles.json"][2]
    assert (normalized["location"]["start"], normalized["location"]["end"]) == (stated["location"]["start"],
                                                                                stated["location"]["end"])
    assert normalized["state"] == stated["state"]
    assert SEQ_A[REPEAT_AT:REPEAT_AT + len(REPEAT)] == REPEAT


def _run(report_root: Path, *others: dict[str, Any], faults: list[str] | None = None,
         version: str = "2.0") -> RunResult:
    entry = next(e for e in VrsApp.demo_entries() if e["version"] == version)
    vrs = {**entry, "reference": {"faults": faults or []}}
    return run_profile({"initiative": "vrs and refget", "services": [vrs, *others]}, report_root, checks=CHECKS)


def _companion(**changes: Any) -> dict[str, Any]:
    entry = copy.deepcopy(VrsApp.companion_entries()[0])
    entry.update(changes)
    return entry


def test_passes_beside_the_refget_server_holding_the_sequences(report_root: Path) -> None:
    result = _run(report_root, _companion())
    assert [result.outcome(c) for c in CHECKS_2] == ["passed"] * 3, result.output
    assert result.check("vrs.location.inside-sequence").skip_kind == "not-applicable"


def test_1_3_passes_and_skips_the_2_0_only_check(report_root: Path) -> None:
    result = _run(report_root, _companion(), version="1.3")
    assert [result.outcome(c) for c in CHECKS_1] == ["passed", "passed"], result.output
    for check_id in ("vrs.location.reference-state-matches", "vrs.location.inside-sequence-expected"):
        assert result.check(check_id).skip_kind == "not-applicable"


def test_skips_without_a_refget_service(report_root: Path) -> None:
    result = _run(report_root)
    for check_id in CHECKS_2:
        assert result.outcome(check_id) == "skipped"
        assert "declares no refget service" in result.check(check_id).message


def test_skips_beside_a_refget_server_of_other_sequences(report_root: Path) -> None:
    """A refget service whose entry names none of the documents' sequences is not known to hold them."""
    other = {"standard": "refget", "version": "2.0.0", "reference": True, "sequences": [LINEAR.md5]}
    result = _run(report_root, other)
    for check_id in CHECKS_2:
        assert result.outcome(check_id) == "skipped"
        assert "names (under `sequences`) a sequence" in result.check(check_id).message


@pytest.mark.parametrize(("fault", "check_id"), [
    ("interval-outside-sequence", "vrs.location.inside-sequence-expected"),
    ("reference-state-mismatch", "vrs.location.reference-state-matches"),
    ("unnormalized-allele", "vrs.allele.normalized"),
])
def test_each_fault_fails_exactly_its_check(report_root: Path, fault: str, check_id: str) -> None:
    result = _run(report_root, _companion(), faults=[fault])
    outcomes = {c: result.outcome(c) for c in CHECKS_2}
    assert outcomes == {c: "failed" if c == check_id else "passed" for c in CHECKS_2}, result.output


@pytest.mark.parametrize(("fault", "check_id"), [
    ("v1-interval-outside-sequence", "vrs.location.inside-sequence"),
    ("v1-unnormalized-allele", "vrs.allele.normalized"),
])
def test_each_1_3_fault_fails_exactly_its_check(report_root: Path, fault: str, check_id: str) -> None:
    result = _run(report_root, _companion(), faults=[fault], version="1.3")
    outcomes = {c: result.outcome(c) for c in CHECKS_1}
    assert outcomes == {c: "failed" if c == check_id else "passed" for c in CHECKS_1}, result.output


@pytest.mark.parametrize("version", ["2.0", "1.3"])
def test_a_sequence_unknown_to_refget_leaves_its_location_unjudged(report_root: Path, version: str) -> None:
    """No text requires the profile's refget service to hold every sequence a document names (another refget
    may): beside a refget holding only one of the documents' two sequences, the locations on the other are
    judged by none of the checks and fail none, while those on the held one are judged."""
    entry = _companion(sequences=[SQ_A])
    entry["reference"]["options"]["extra_sequences"] = {k: v for k, v in entry["reference"]["options"][
        "extra_sequences"].items() if v == SEQ_A}
    result = _run(report_root, entry, version=version)
    outcomes = [result.outcome(c) for c in (CHECKS_2 if version == "2.0" else CHECKS_1)]
    assert "failed" not in outcomes and "passed" in outcomes, result.output


def test_failure_names_the_location_and_the_sequence(report_root: Path) -> None:
    check = _run(report_root, _companion(), faults=["interval-outside-sequence"]).check(
        "vrs.location.inside-sequence-expected")
    assert "copy-numbers.yaml" in check.message and "700" in check.message and "600 bases" in check.message


def test_normalization_failure_gives_the_normalized_form(report_root: Path) -> None:
    check = _run(report_root, _companion(), faults=["unnormalized-allele"]).check("vrs.allele.normalized")
    assert f"[{REPEAT_AT}, {REPEAT_AT})" in check.message
    assert f"[{REPEAT_AT}, {REPEAT_AT + len(REPEAT)}) with ReferenceLengthExpression(length 14, " \
           "repeatSubunitLength 3)" in check.message


class _Local:
    """The refget look-ups of the check over a sequence held in memory (``OnRefget.bases``)."""

    def __init__(self, bases: str) -> None:
        self.data = bases

    def bases(self, held: Any, start: int, end: int) -> str:
        assert 0 <= start <= end <= len(self.data)
        return self.data[start:end]


def _normalized_by_the_check(bases: str, allele: dict[str, Any]) -> tuple[Any, Any] | None:
    from conformance_suites.vrs.check_reference import _normalized
    from conformance_suites.vrs.on_refget import Held

    sq = refget_id(bases)
    held = Held(sq, None, len(bases), None)  # type: ignore[arg-type]
    allele = copy.deepcopy(allele)
    allele["location"]["sequenceReference"]["refgetAccession"] = sq
    return _normalized(_Local(bases), held, allele)  # type: ignore[arg-type]


def _allele(start: int, end: int, state: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Allele", "location": {"type": "SequenceLocation", "start": start, "end": end,
                                           "sequenceReference": {"type": "SequenceReference",
                                                                 "refgetAccession": ACGT_SQ}},
            "state": state}


#: Short sequences with repeats (an alphabet of two bases and repeated units make ambiguity common).
_SEQUENCES = st.builds(lambda unit, times, left, right: left + unit * times + right,
                       st.text("ACGT", min_size=1, max_size=4), st.integers(1, 6),
                       st.text("AC", min_size=1, max_size=8), st.text("GT", min_size=1, max_size=8))


@settings(max_examples=60, deadline=None)
@given(bases=_SEQUENCES, data=st.data())
def test_a_normalized_allele_is_a_fixed_point_of_the_check(bases: str, data: st.DataObject) -> None:
    """Issue 16's property: whatever literal allele is generated (insertion, deletion, substitution, on a
    sequence with repeats), ga4gh-vrs's normalized form of it, stated as a document would (a
    ReferenceLengthExpression included), is judged normalized by the check: never a false warning."""
    start = data.draw(st.integers(0, len(bases)))
    end = data.draw(st.integers(start, len(bases)))
    alt = data.draw(st.text("ACGT", max_size=6))
    first = _normalized_by_the_check(bases, _allele(start, end, {"type": "LiteralSequenceExpression",
                                                                 "sequence": alt}))
    assert first is not None
    _, (n_start, n_end, kind, *rest) = first
    if kind == "ReferenceLengthExpression":
        state: dict[str, Any] = {"type": kind, "length": rest[0], "repeatSubunitLength": rest[1]}
    else:
        state = {"type": kind, "sequence": rest[0]}
    again = _normalized_by_the_check(bases, _allele(n_start, n_end, state))
    assert again is not None
    stated, normalized = again
    assert stated == normalized


def test_an_empty_reference_length_expression_is_judged_not_crashed_on() -> None:
    """Inserting nothing normalizes to an empty location with a ReferenceLengthExpression of length and
    repeatSubunitLength 0; expanding that again must not divide by the zero subunit length (found by the
    property above)."""
    stated, normalized = _normalized_by_the_check("AAG", _allele(0, 0, {
        "type": "ReferenceLengthExpression", "length": 0, "repeatSubunitLength": 0})) or (None, None)
    assert stated == normalized == (0, 0, "ReferenceLengthExpression", 0, 0)


def _allele_1(start: int, end: int, alternate: str) -> dict[str, Any]:
    return {"type": "Allele", "location": {
        "type": "SequenceLocation", "sequence_id": "ga4gh:" + ACGT_SQ,
        "interval": {"type": "SequenceInterval", "start": {"type": "Number", "value": start},
                     "end": {"type": "Number", "value": end}}},
        "state": {"type": "LiteralSequenceExpression", "sequence": alternate}}


@pytest.mark.parametrize(("start", "end", "alternate", "expected"), [
    (3, 3, "CTC", (0, 11, "CTCCTCCTCCTCCT")),        # an insertion, expanded over the whole repeat
    (0, 3, "", (0, 11, "CTCCTCCT")),                 # a deletion, likewise (1.3: a literal state, no RLE)
    (0, 11, "CTCCTCCTCCT", (0, 11, "CTCCTCCTCCT")),  # a reference allele: returned unmodified (step 2.a)
    (1, 3, "AC", (1, 2, "A")),                       # a substitution: trimmed only
])
def test_1_3_normalization_is_the_1_3_algorithm(start: int, end: int, alternate: str,
                                                 expected: tuple[int, int, str]) -> None:
    from conformance_suites.vrs.check_reference import _normalized_1
    from conformance_suites.vrs.on_refget import Held

    bases = "CTCCTCCTCCTGA"
    held = Held(ACGT_SQ, None, len(bases), None)  # type: ignore[arg-type]
    found = _normalized_1(_Local(bases), held, _allele_1(start, end, alternate))  # type: ignore[arg-type]
    assert found is not None
    assert found[1] == (expected[0], expected[1], "LiteralSequenceExpression", expected[2])
    assert (found[0] == found[1]) == ((start, end, alternate) == expected)


@settings(max_examples=60, deadline=None)
@given(bases=_SEQUENCES, data=st.data())
def test_a_1_3_normalized_allele_is_a_fixed_point_of_the_check(bases: str, data: st.DataObject) -> None:
    """The same property under VRS 1.3's algorithm (literal states throughout)."""
    from conformance_suites.vrs.check_reference import _normalized_1
    from conformance_suites.vrs.on_refget import Held

    held = Held(ACGT_SQ, None, len(bases), None)  # type: ignore[arg-type]
    start = data.draw(st.integers(0, len(bases)))
    end = data.draw(st.integers(start, len(bases)))
    alt = data.draw(st.text("ACGT", max_size=6))
    first = _normalized_1(_Local(bases), held, _allele_1(start, end, alt))  # type: ignore[arg-type]
    assert first is not None
    n_start, n_end, _, n_alt = first[1]
    again = _normalized_1(_Local(bases), held, _allele_1(n_start, n_end, n_alt))  # type: ignore[arg-type]
    assert again is not None and again[0] == again[1]


@settings(max_examples=200, deadline=None)
@given(bases=_SEQUENCES, data=st.data())
def test_a_normalizer_made_reference_length_sequence_is_what_the_check_derives(bases: str,
                                                                                data: st.DataObject) -> None:
    """vrs.location.reference-state-matches derives a ReferenceLengthExpression's sequence from the reference
    (the subunit at the location, repeated to the length): for every RLE ga4gh-vrs's normalizer makes, with
    its sequence, that is the sequence it states (no false failure)."""
    from conformance_suites.vrs.check_reference import _proxy, _rle_sequence
    from conformance_suites.vrs.on_refget import Held
    from ga4gh.vrs import models
    from ga4gh.vrs.normalize import normalize

    held = Held(ACGT_SQ, None, len(bases), None)  # type: ignore[arg-type]
    start = data.draw(st.integers(0, len(bases)))
    end = data.draw(st.integers(start, len(bases)))
    alt = data.draw(st.text("ACGT", max_size=6))
    allele = models.Allele(location=models.SequenceLocation(
        sequenceReference=models.SequenceReference(refgetAccession=ACGT_SQ), start=start, end=end),
        state=models.LiteralSequenceExpression(sequence=alt))
    result = normalize(allele, _proxy(_Local(bases), held), rle_seq_limit=None)  # type: ignore[arg-type]
    if isinstance(result.state, models.ReferenceLengthExpression):
        state = result.state.model_dump(mode="json", exclude_none=True)
        span = (result.location.start, result.location.end)
        assert _rle_sequence(_Local(bases), held, span, state) == state.get("sequence", "")  # type: ignore[arg-type]


def test_skips_beside_a_refget_server_that_does_not_answer_its_own_sequence(report_root: Path) -> None:
    """A refget server that answers 404 for the SQ. id of a sequence its own entry names says nothing by a
    404 for another: skipped with that reason, never a failure of the documents."""
    entry = _companion()
    entry["reference"]["faults"] = ["ga4gh-id-404"]
    result = _run(report_root, entry)
    for check_id in CHECKS_2:
        assert result.outcome(check_id) == "skipped", result.output
        assert "does not answer the metadata of its own sequence" in result.check(check_id).message


def test_sub_sequence_reads_are_bounded() -> None:
    """Bases are read in windows of WINDOW bases, each once, at most MAX_WINDOWS a run; past that the look-up
    is undecided (the check skips that location), never an unbounded read."""
    from conformance_suites.vrs import on_refget

    class Answer:
        status = 200

        def __init__(self, size: int) -> None:
            self.content = b"A" * size

    class View:
        v1 = False
        asked: ClassVar[list[tuple[int, int]]] = []

        def query(self, ident: str, start: int, end: int) -> Answer:
            self.asked.append((start, end))
            return Answer(end - start)

    holder = on_refget.Holder(None, View())  # type: ignore[arg-type]
    held = on_refget.Held("SQ." + "A" * 32, holder, 10 * on_refget.WINDOW, None)  # type: ignore[arg-type]
    ctx = on_refget.OnRefget(None, [])  # type: ignore[arg-type]
    assert ctx.bases(held, 10, 20) == "A" * 10
    assert ctx.bases(held, 0, on_refget.WINDOW + 1) == "A" * (on_refget.WINDOW + 1)
    assert View.asked == [(0, on_refget.WINDOW), (on_refget.WINDOW, 2 * on_refget.WINDOW)]
    ctx.windows = on_refget.MAX_WINDOWS
    with pytest.raises(on_refget.Undecided, match="at most"):
        ctx.bases(held, 5 * on_refget.WINDOW, 5 * on_refget.WINDOW + 1)
    with pytest.raises(on_refget.Undecided, match="not inside"):
        ctx.bases(held, 0, 11 * on_refget.WINDOW)


@pytest.mark.parametrize(("status", "body", "expected"), [
    (400, b"", True),      # no base before the coordinate: the location is outside the sequence
    (416, b"", True),
    (200, b"A", False),    # refget serves the base: its metadata length is wrong, not the document
    (503, b"", None),      # cannot tell
])
def test_a_coordinate_past_the_metadata_length_is_confirmed_by_the_bases(status: int, body: bytes,
                                                                        expected: bool | None) -> None:
    from conformance_suites.vrs.check_reference import _past_the_end
    from conformance_suites.vrs.on_refget import Held, Holder

    class View:
        v1 = False

        def query(self, ident: str, start: int, end: int) -> Any:
            assert (start, end) == (699, 700)
            return type("Answer", (), {"status": status, "content": body})()

    held = Held("SQ." + "A" * 32, Holder(None, View()), 600, None)  # type: ignore[arg-type]
    assert _past_the_end(held, 700) is expected


def test_passes_beside_a_refget_1_0_server_asked_by_trunc512(report_root: Path) -> None:
    """refget 1.0.x has no SQ. ids: the same digests are asked in their TRUNC512 form, and its entry may name
    the sequences so."""
    from conformance_suites.seqcol.on_refget import to_trunc512

    result = _run(report_root, _companion(version="1.0.1", sequences=[to_trunc512(SQ_A), to_trunc512(SQ_B)]))
    assert [result.outcome(c) for c in CHECKS_2] == ["passed"] * 3, result.output


@pytest.mark.parametrize("version", ["2.0", "1.3"])
def test_a_refget_serving_wrong_slices_does_not_fail_the_documents(report_root: Path, version: str) -> None:
    """The refget fault slice-off-by-one answers start/end one base off: the bases read so would make the
    conformant documents look wrong. A finding is confirmed by the same bases asked with a Range header;
    here the two disagree, so the checks cannot tell (error), and never fail the documents."""
    entry = _companion()
    entry["reference"]["faults"] = ["slice-off-by-one"]
    result = _run(report_root, entry, version=version)
    judged = ["vrs.allele.normalized"] + (["vrs.location.reference-state-matches"] if version == "2.0" else [])
    for check_id in judged:
        assert result.outcome(check_id) == "error", result.output
        assert "Range header" in result.check(check_id).message
    assert "failed" not in [result.outcome(c) for c in CHECKS]


@pytest.mark.parametrize(("start", "end"), [([None, 3], 3), (3, [5, None]), ([1, 2], [4, 5])])
def test_an_allele_with_range_coordinates_is_not_judged(start: Any, end: Any) -> None:
    """The normalization algorithm is stated over integer start and end; ga4gh-vrs's handling of indefinite
    Ranges (a representative position) is no text of the spec, so such an allele is neither passed nor
    failed."""
    from conformance_suites.vrs.check_reference import _normalized
    from conformance_suites.vrs.on_refget import Held

    bases = "CTCCTCCTCCTGA"
    held = Held(ACGT_SQ, None, len(bases), None)  # type: ignore[arg-type]
    allele = _allele(start, end, {"type": "LiteralSequenceExpression", "sequence": "CTC"})
    assert _normalized(_Local(bases), held, allele) is None  # type: ignore[arg-type]


def test_a_reference_length_expression_with_a_range_length_is_not_judged() -> None:
    """def/ReferenceLengthExpression.rst: "length – integer | Range": a Range names no sequence to normalize,
    so the allele is left unjudged (it raised a TypeError, an error of the check, before)."""
    allele = {"type": "Allele", "location": {
        "type": "SequenceLocation", "sequenceReference": {"type": "SequenceReference", "refgetAccession": ACGT_SQ},
        "start": 0, "end": 2},
        "state": {"type": "ReferenceLengthExpression", "length": [2, 4], "repeatSubunitLength": 1}}
    assert _normalized_by_the_check("ACGTACGT", allele) is None


def test_an_allele_with_a_deeply_nested_extension_is_no_error(report_root: Path) -> None:
    # an Extension's value may be any JSON: an allele nested deeper than a recursive walk follows is left unjudged
    # by the normalization check, never an error of it
    import json

    allele = {**copy.deepcopy(objects_2()["alleles.json"][0]), "extensions": [{"name": "deep", "value": "@"}]}
    from conformance.testing import serving

    entry = next(e for e in VrsApp.demo_entries() if e["version"] == "2.0")
    with serving(json.dumps([allele]).replace('"@"', "[" * 490 + "]" * 490).encode(), "/deep.json") as url:
        vrs = {**entry, "documents": [url], "reference": {"faults": []}}
        result = run_profile({"initiative": "deep", "services": [vrs, _companion()]}, report_root, checks=CHECKS)
    assert result.errors() == [], result.errors()
    assert result.outcome("vrs.location.reference-state-matches") == "passed"  # the location itself is judged


def test_no_held_sequence_skips_saying_why_not_naming_an_unbuilt_check() -> None:
    # vrs.location.sequence-on-refget is uncovered (requirements.yaml): a skip must not send the reader to it
    from conformance_suites.vrs.on_refget import Lookup, OnRefget

    ctx = OnRefget(vrs=None, sites=[])  # type: ignore[arg-type]
    ctx.lookups = {"SQ.a": Lookup("SQ.a", unknown=True), "SQ.b": Lookup("SQ.b")}
    ctx.left_out = {"SQ.c"}
    with pytest.raises(pytest.skip.Exception) as skipped:
        ctx.held()
    message = str(skipped.value)
    assert "sequence-on-refget" not in message
    assert "1 unknown to" in message and "1 undecided" in message and "1 not looked up" in message, message
