"""A JSON Cohort read member by member (suites/phenopackets/stream.py) gives what the whole reading gives:
the same refusal (kind and message), the same first problem of every rule, the same VRS variations and
terms with the same paths, for the conformant documents and every fault, whatever the chunk boundaries;
anything else (YAML, a Family, a duplicate key, trailing data) is left to the whole reading."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conformance_suites.phenopackets import rules, stream
from conformance_suites.phenopackets.model import Parsed, Unreadable, parse
from conformance_suites.phenopackets.reference.documents import FAULTS, documents, meta_data, ontology_obo
from conformance_suites.phenopackets.variation import variations
from conformance_suites.phenopackets.view import Phenopackets, _first_problems

from conformance.testing import run_profile


def _chunks(data: bytes, size: int) -> Callable[[], Iterator[bytes]]:
    return lambda: (data[i:i + size] for i in range(0, len(data), size))


def _cohorts(fault: str | None) -> list[bytes]:
    """The reference Cohort as JSON, and a Cohort whose member is the reference Phenopacket (its metaData
    first), with ``fault`` applied."""
    served = documents([fault] if fault else [])
    found = [json.dumps(yaml.safe_load(served["C1.yaml"])).encode()]
    packet = json.loads(served["P1.json"])
    found.append(json.dumps({"metaData": meta_data(), "id": "C2", "members": [packet, packet]}).encode())
    return found


def _whole(data: bytes) -> tuple[str, Any]:
    try:
        parsed = parse(data)
    except Unreadable as exc:
        return "refused", (exc.kind, exc.reason)
    return "parsed", _findings(parsed, [parsed])


def _findings(parsed: Parsed, parts: list[Parsed]) -> Any:
    # each rule's first problem, and why it judged nothing (rules.nothing_to_judge), alike in both readings
    problems = {rule.__name__: (rule(parsed), rules.nothing_to_judge(rule, parsed)) for rule in rules.RULES} \
        if parsed.source is None else {rule.__name__: found for rule, found in _first_problems(parsed).items()}
    found = [(path, obj) for part in parts for path, obj in variations(part)]
    terms = [(path, term.id) for part in parts for path, term in rules.ontology_classes(part)]
    return problems, found, terms


def _streamed(data: bytes, size: int) -> tuple[str, Any]:
    try:
        parsed = stream.cohort(_chunks(data, size))
    except Unreadable as exc:
        return "refused", (exc.kind, exc.reason)
    return "parsed", _findings(parsed, list(stream.windows(parsed)))


@pytest.mark.parametrize("fault", [None, *sorted(FAULTS)])
def test_streamed_cohorts_read_as_whole_ones(fault: str | None) -> None:
    for data in _cohorts(fault):
        if not isinstance(json.loads(data).get("members", [None])[0], dict):
            continue  # the not-an-object fault: no phenopacket to hold
        whole = _whole(data)
        for size in (len(data), 4096, 7):
            assert _streamed(data, size) == whole, (fault, size)


def test_the_faults_reach_the_streamed_rules() -> None:
    """Not vacuous: the cohort faults do give problems and refusals in the streamed reading."""
    refused = _streamed(_cohorts("nested-unknown-field")[0], 4096)
    assert refused[0] == "refused" and refused[1][0] == "unknown-field" and "members[0]" in refused[1][1]
    _, (problems, _, _) = _streamed(_cohorts("undeclared-prefix")[0], 4096)
    assert problems["problem_prefix_declared"][0] and "members[0]" in problems["problem_prefix_declared"][0]
    _, (problems, _, _) = _streamed(_cohorts("no-created-by")[0], 4096)
    assert problems["problem_required"] == ("metaData has no createdBy (1..1)", None)


def test_events_split_numbers_and_strings_at_any_boundary() -> None:
    data = b'{"id": "C\\u00e9", "members": [{"a": 12345}, {"b": [1.5e3, "x"]}], "n": 9876543210}'
    expected = [("field", ("id", "C\u00e9")), ("member", {"a": 12345}), ("member", {"b": [1500.0, "x"]}),
                ("members-end", None), ("field", ("n", 9876543210))]
    for size in range(1, 12):
        assert list(stream.events(_chunks(data, size)())) == expected


@pytest.mark.parametrize("data", [
    b"id: C1\nmembers: []\n",                         # YAML
    b'[{"id": "C1"}]',                                # no object at the top
    b'{"id": "C1", "id": "C2", "members": []}',       # a duplicate key (json.loads keeps the last)
    b'{"id": "C1", "members": []} x',                 # trailing data (json.loads refuses it)
    b'{"id": "F1", "members": [], "proband": {}}',    # a Family by model.top_level_of
    b'{"id": "P1"}',                                  # a Phenopacket
    b'{"metaData": {}, "meta_data": {}, "members": [{}]}',  # one field under both names
    b'{"members": {"id": "x"}}',                      # members not an array
    b'\xef\xbb\xbf{"members": []}',                   # a UTF-8 byte order mark
])
def test_anything_else_is_read_whole(data: bytes) -> None:
    with pytest.raises(stream.NotStreamable):
        stream.cohort(_chunks(data, 5))


def _outcomes(tmp_path: Path, report_root: Path, data: bytes, whole: bool, monkeypatch: pytest.MonkeyPatch,
              **options: Any) -> dict[str, tuple[str, str]]:
    path = tmp_path / "cohort.json"
    path.write_bytes(data)
    streamed: list[str] = []
    real = stream.cohort

    def counted(source: Callable[[], Iterator[bytes]]) -> Parsed:
        streamed.append("cohort")
        return real(source)

    with monkeypatch.context() as patch:
        patch.setattr(stream, "cohort", counted)
        if whole:
            patch.setattr(Phenopackets, "_streamed", lambda self, ref: None)
        result = run_profile({"initiative": "stream", "services": [
            {"standard": "phenopackets", "version": "2.0", "documents": [str(path)], **options}]},
            report_root / str(whole),
            specs_dir=os.environ.get("CONFORMANCE_SPECS_DIR"))
    assert streamed == ([] if whole else ["cohort"])
    return {c.id: (c.outcome, c.message) for s in result.scorecard.services for c in s.checks}


@pytest.mark.parametrize("fault", [None, "undeclared-prefix", "nested-unknown-field", "copy-number-comparator"])
def test_a_run_gives_the_same_outcomes_and_messages(fault: str | None, tmp_path: Path, report_root: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = _cohorts(fault)[0]
    streamed = _outcomes(tmp_path, report_root, data, False, monkeypatch)
    assert streamed == _outcomes(tmp_path, report_root, data, True, monkeypatch)
    assert ("failed" in {o for o, _ in streamed.values()}) == (fault is not None)


def test_a_long_value_across_many_chunks() -> None:
    member = {"id": "x" * 200_000, "subject": {"id": "s"}}
    data = json.dumps({"members": [member, member], "id": "C"}).encode()
    assert list(stream.events(_chunks(data, 1000)())) == [
        ("member", member), ("member", member), ("members-end", None), ("field", ("id", "C"))]


@pytest.mark.parametrize("fault", [None, "term-unknown", "term-label-mismatch"])
def test_terms_looked_up_in_a_streamed_cohort_as_in_a_whole_one(fault: str | None, tmp_path: Path,
                                                                 report_root: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "hp.obo").write_bytes(ontology_obo())
    data = _cohorts(fault)[1]  # the cohort of the reference Phenopacket, where the term faults are
    options = {"ontologies": {"HP": str(tmp_path / "hp.obo")}}
    streamed = _outcomes(tmp_path, report_root, data, False, monkeypatch, **options)
    assert streamed == _outcomes(tmp_path, report_root, data, True, monkeypatch, **options)
    terms = {k: v for k, v in streamed.items() if k.startswith("phenopackets.ontology.")}
    assert terms["phenopackets.ontology.term-exists"][0] == ("failed" if fault == "term-unknown" else "passed")
    assert terms["phenopackets.ontology.label-matches"][0] == ("failed" if fault == "term-label-mismatch"
                                                               else "passed")



def test_a_member_nested_too_deeply_is_read_whole_and_named(tmp_path: Path, report_root: Path) -> None:
    """The decoder's recursion ends in NotStreamable, not a RecursionError: the whole reading names the
    document and its depth (conformance/documents.py, the limit of HTTP answers)."""
    data = b'{"id": "C", "members": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    with pytest.raises(stream.NotStreamable, match="nested too deeply"):
        stream.cohort(_chunks(data, 1 << 20))
    (tmp_path / "cohort.json").write_bytes(data)
    result = run_profile({"initiative": "stream", "services": [
        {"standard": "phenopackets", "version": "2.0", "documents": [str(tmp_path / "cohort.json")]}]},
        report_root, checks=["phenopackets.document.is-message"])
    check = result.check("phenopackets.document.is-message")
    assert check.outcome == "error", result.output
    assert check.message == (f"{tmp_path / 'cohort.json'}: nested too deeply to parse (deeper than 512 levels "
                             "of arrays and objects)")
