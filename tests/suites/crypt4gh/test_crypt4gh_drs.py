"""crypt4gh files served as DRS objects (check_drs.py, view.py's drs:// streaming, issue 17): the
DrsObject's size and checksums are compared with the encrypted bytes, once (the DRS suite's own checks
keep the objects its entry lists), and the file is streamed, never held whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_suites.crypt4gh.reference import Crypt4ghApp

from conformance.testing import reference_entries, run_profile

CHECK = "crypt4gh.drs.bytes-match"


def _profile(faults: list[str], drs_objects: list[str] | None = None) -> dict[str, Any]:
    companions = Crypt4ghApp.companion_entries()
    if drs_objects is not None:
        companions = [{**entry, "objects": drs_objects} for entry in companions]
    return {"initiative": "crypt4gh over drs", "services": reference_entries("crypt4gh", faults) + companions}


def _outcome(result: Any, check_id: str) -> tuple[str, str]:
    found = [(c.outcome, c.message or "") for s in result.scorecard.services for c in s.checks if c.id == check_id]
    assert found, result.output
    return found[0]


def test_the_conformant_drs_object_passes(tmp_path: Path) -> None:
    result = run_profile(_profile([]), tmp_path, checks=[CHECK, "crypt4gh.data.segments-authenticate"],
                        standards=["crypt4gh"])
    assert _outcome(result, CHECK)[0] == "passed", result.output
    assert result.exit_code == 0, result.output


def test_a_checksum_of_the_plaintext_fails_and_says_so(tmp_path: Path) -> None:
    result = run_profile(_profile(["drs-checksum-of-plaintext"]), tmp_path, checks=[CHECK], standards=["crypt4gh"])
    outcome, message = _outcome(result, CHECK)
    assert outcome == "failed" and "plain-text" in message and "sha-256" in message, message
    assert result.exit_code == 1


def test_an_object_the_drs_entry_lists_is_left_to_the_drs_suite(tmp_path: Path) -> None:
    """One root cause, one failure: the DRS suite fails drs.object.checksum-matches-bytes for a listed object;
    the crypt4gh check does not fail it again."""
    result = run_profile(_profile(["drs-checksum-of-plaintext"], ["blob-1", "c4g-object"]), tmp_path,
                         checks=[CHECK, "drs.object.checksum-matches-bytes"])
    outcome, message = _outcome(result, CHECK)
    assert outcome == "skipped" and "drs.object.checksum-matches-bytes" in message, message
    failed = result.failed()
    assert len(failed) == 1 and "drs.object.checksum-matches-bytes" in failed[0], failed


def test_a_drs_file_is_streamed_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The drs:// file goes through the streaming reader: a document budget smaller than the file is no
    limit (it would be for a whole read), and no whole read of it happens."""
    from conformance_suites.drs import documents

    whole: list[str] = []
    original = documents.read_drs_document

    def recording(run: Any, uri: str, limit: int, on_chunk: Any = None) -> Any:
        if on_chunk is None:
            whole.append(uri)
        return original(run, uri, limit, on_chunk)

    monkeypatch.setattr(documents, "read_drs_document", recording)
    document = _profile([])
    document["budget"] = {"max_document_bytes": 1024, "max_response_bytes": 1024}
    result = run_profile(document, tmp_path, checks=[CHECK, "crypt4gh.data.segments-authenticate"],
                        standards=["crypt4gh"])
    assert _outcome(result, CHECK)[0] == "passed", result.output
    assert _outcome(result, "crypt4gh.data.segments-authenticate")[0] == "passed", result.output
    assert whole == []
