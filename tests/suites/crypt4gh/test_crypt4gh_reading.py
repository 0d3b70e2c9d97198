"""How the crypt4gh suite reads a file: a file named by its path is examined from disk in segments (constant
memory, whatever its size, never bounded by one HTTP answer's cap), and a header that claims more bytes
than any header needs is refused with one sentence, never read into memory."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from conformance_suites.crypt4gh.keys import new_secret, private_key_text, public_key
from conformance_suites.crypt4gh.reference.files import plaintext

from conformance.testing import run_profile


def _library_encrypted(reader: bytes, data: bytes) -> bytes:
    from crypt4gh import lib

    out = io.BytesIO()
    lib.encrypt([(0, new_secret(), public_key(reader))], io.BytesIO(data), out)
    return out.getvalue()


def _run(tmp_path: Path, path: Path, reader: bytes, **budget: Any) -> Any:
    entry = {"standard": "crypt4gh", "version": "1.0", "documents": [str(path)],
             "auth": {"private_key_env": "CONFORMANCE_TEST_READER_KEY"}}
    document: dict[str, Any] = {"initiative": "files", "services": [entry]}
    if budget:
        document["budget"] = budget
    return run_profile(document, tmp_path / "r", environ={"CONFORMANCE_TEST_READER_KEY": private_key_text(reader)})


def test_a_file_larger_than_one_answer_may_be_is_examined_from_disk(tmp_path: Path) -> None:
    """max_response_bytes caps one HTTP answer held in memory; a file on disk is read a segment at a time."""
    reader = new_secret()
    path = tmp_path / "large.c4gh"
    path.write_bytes(_library_encrypted(reader, plaintext(4, 400_000)))
    result = _run(tmp_path, path, reader, max_response_bytes=100_000, max_document_bytes=100_000)
    assert result.exit_code == 0, result.output
    outcomes = {c.id: c.outcome for s in result.scorecard.services for c in s.checks}
    assert outcomes["crypt4gh.data.segments-authenticate"] == outcomes["crypt4gh.data.last-segment"] == "passed"


def test_a_folder_is_named_not_read(tmp_path: Path) -> None:
    result = _run(tmp_path, tmp_path, new_secret())
    [check] = [c for s in result.scorecard.services for c in s.checks if c.id == "crypt4gh.header.magic"]
    assert check.outcome == "error" and "a folder, not a document" in check.message, check.message
