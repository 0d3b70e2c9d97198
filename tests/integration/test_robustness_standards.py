"""Robustness of the standards beyond service-info against the corpus of misbehaving servers: the corpus
server misbehaves on every path (``everywhere=True``) or serves a data standard's document, and the
run must still end within its budget with one true line per check, every report written."""

from __future__ import annotations

import re
from pathlib import Path

import corpus
import pytest
from test_robustness import MARGIN, MAX_SECONDS, assert_clean_reports, document, one_line, timed_run

pytestmark = pytest.mark.integration


def reader_key() -> str:
    from conformance_suites.crypt4gh import keys

    return keys.private_key_text(keys.new_secret(), "robustness reader")


@pytest.mark.parametrize("name", ["endless-body", "gzip-bomb"])
def test_a_streamed_document_that_never_ends_is_not_called_slow(name: str, report_root: Path,
                                                                 specs_dir: str | None) -> None:
    """A crypt4gh file is streamed (its bytes decrypted as they come, none kept), bounded by the request's
    clock: a server sending an endless body, or one inflating without end, as fast as it can, is cut by the
    clock, and the message says that the body did not end, not that the server sends it too slowly."""
    with corpus.CorpusServer(name, everywhere=True) as server:
        entry = {"standard": "crypt4gh", "version": "1.0", "documents": [f"{server.url}/documents/f.c4gh"],
                 "auth": {"private_key_env": "ROBUSTNESS_READER_KEY"}}
        result, elapsed = timed_run(document(entry, max_run_bytes=64 * 1024**3), report_root, specs_dir,
                                    environ={"ROBUSTNESS_READER_KEY": reader_key()})
    assert elapsed < MAX_SECONDS + MARGIN
    service = result.scorecard.services[0]
    assert service.verdict() == "incomplete", result.output
    cut = [c for c in service.checks if c.limit == "request_timeout_seconds"]
    assert cut, [(c.id, c.outcome, c.message) for c in service.checks]
    for check in cut:
        assert check.outcome == "error"
        assert re.search(r"response body not complete within request_timeout_seconds=1 \(the server had sent "
                         r"[\d,]+ bytes(, inflating to [\d,]+,)? without ending its body\)",
                         check.message), check.message
        assert "slowly" not in check.message
    for check in service.checks:
        if check.outcome != "passed":
            one_line(check.message)
    assert_clean_reports(result.run_dir, result.output)
