"""Robustness of the standards beyond service-info against the corpus of misbehaving servers: the corpus
server misbehaves on every path (``everywhere=True``) or serves a data standard's document, and the
run must still end within its budget with one true line per check, every report written."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import corpus
import pytest
from test_robustness import (
    MARGIN,
    MAX_SECONDS,
    REPO,
    assert_clean_reports,
    document,
    one_line,
    scorecard_of,
    timed_run,
    write_profile,
)

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


def billion_laughs(levels: int = 9) -> str:
    """RDF/XML whose one literal is an entity expanding to 10**levels times 30 characters (no network, no
    file: only internal entities), which an XML parser expands in Python callbacks for as long as it takes."""
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description rdf:about="http://example.org/a"><rdf:value>&lol{levels};</rdf:value>'
            "</rdf:Description></rdf:RDF>\n")


def test_a_check_computing_past_max_seconds_is_stopped(tmp_path: Path, specs_dir: str | None) -> None:
    """A DUO release the profile names (newer_release) that expands entities without end kept its parser busy
    for as long as it liked, far past max_seconds (nothing the run asks of a server is involved): the check is
    stopped a little after the deadline, errs with the budget as its cause, and the run ends with its reports.
    (In a process of its own, as `conformance run` is: this test session's pytest-timeout holds SIGALRM.)"""
    release = tmp_path / "duo.owl"
    release.write_text(billion_laughs(), encoding="utf-8")
    statements = tmp_path / "datasets.json"
    statements.write_text('[{"id": "DUO:0000042", "label": "general research use"}]', encoding="utf-8")
    entry = {"standard": "duo", "version": "2021-02-23", "documents": [str(statements)],
             "newer_release": str(release)}
    max_seconds = 4.0
    profile = write_profile(tmp_path / "p.yaml", document(entry, max_seconds=max_seconds))
    command = [sys.executable, "-m", "conformance.cli", "run", "--profile", str(profile),
               "--report-dir", str(tmp_path / "reports")] + (["--specs-dir", specs_dir] if specs_dir else [])
    started = time.monotonic()
    process = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO)
    elapsed = time.monotonic() - started
    assert process.returncode == 2, process.stdout[-2000:] + process.stderr[-2000:]
    assert elapsed < max_seconds + 2 * MARGIN, f"{elapsed:.0f} s"
    assert "Traceback" not in process.stdout + process.stderr
    scorecard, run_dir = scorecard_of(tmp_path / "reports")
    assert "max_seconds" in scorecard["usage"]["limits_hit"]
    checks = scorecard["services"][0]["checks"]
    stopped = [c for c in checks if c["limit"] == "max_seconds"]
    assert stopped and all(c["outcome"] == "error" for c in stopped), [(c["id"], c["message"]) for c in checks]
    assert any(re.search(r"run time budget exhausted \(max_seconds=4\): the check was stopped", c["message"])
               for c in stopped)
    assert scorecard["services"][0]["verdict"] == "incomplete"
    for check in checks:
        if check["outcome"] != "passed":
            one_line(check["message"])
    assert_clean_reports(run_dir)
