"""The refget suite's reading beside the official refget compliance suite (PyPI refget-compliance 1.2.6, the
suite refget 1.0.1 §Compliance names; its module is ``compliance_suite``).

refget-compliance is an optional test dependency. The reference server runs in 1.0.1 mode on 127.0.0.1
with the option ``compliance_sequences`` (the three FASTA files the compliance suite expects a server to
hold, read from the installed package). The compliance suite runs in a subprocess as its documented CLI,
``refget-compliance report -s <url> --json - --no-web`` (its report as JSON on stdout, no tarball, no web
server; its requests carry no timeout, so the subprocess has one). Its 30 cases (the test graph of
``compliance_suite.tests.initiate_tests``) are asserted one by one: 1 passed, 0 skipped, -1 failed.
The refget suite then runs against the same server with the compliance suite's own ids as ``sequences``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from conformance_suites.refget.reference.app import RefgetApp

from conformance.reference.server import ReferenceServer
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

pytest.importorskip("compliance_suite.test_runner", reason="refget-compliance is not installed (optional test "
                    "dependency: pip install refget-compliance==1.2.6)", exc_type=ImportError)

COMPLIANCE_VERSION = "1.2.6"
COMPLIANCE_SECONDS = 60.0
PASSED, SKIPPED, FAILED = 1, 0, -1
I_MD5 = "6681ac2f62509cfc220d78751b8dc524"  # yeast chromosome I, linear, 230,218 bases
NC_MD5 = "3332ed720ac7eaa9b3655c06f6b9e196"  # phiX174 NC_001422.1, circular, 5,386 bases

# Every case of refget-compliance 1.2.6 and its outcome against the 1.0.1 reference server. The server does
# not support circular sequences (service-info circular_supported: false, as refget 1.0.1 §Method: get
# sequence by ID allows: "A server may support circular chromosomes ... but this is not mandatory"), so the
# three cases written for servers that do are skipped by the compliance suite itself.
EXPECTED: dict[str, int] = {
    "test_info_implement": PASSED,
    "test_info_implement_default": PASSED,
    "test_info_circular": PASSED,
    "test_info_algorithms": PASSED,
    "test_info_subsequence": PASSED,
    "test_info_api_version": PASSED,
    "test_metadata_implement": PASSED,
    "test_metadata_implement_default": PASSED,
    "test_metadata_query_by_trunc512": PASSED,
    "test_metadata_query_circular_sequence": SKIPPED,
    "test_metadata_md5": PASSED,
    "test_metadata_trunc512": PASSED,
    "test_metadata_length": PASSED,
    "test_metadata_aliases": PASSED,
    "test_metadata_invalid_checksum_404_error": PASSED,
    "test_metadata_invalid_encoding_406_error": PASSED,
    "test_sequence_implement": PASSED,
    "test_sequence_implement_default": PASSED,
    "test_sequence_query_by_trunc512": PASSED,
    "test_sequence_invalid_checksum_404_error": PASSED,
    "test_sequence_invalid_encoding_406_error": PASSED,
    "test_sequence_start_end": PASSED,
    "test_sequence_start_end_success_cases": PASSED,
    "test_sequence_range": PASSED,
    "test_sequence_range_success_cases": PASSED,
    "test_sequence_circular": SKIPPED,
    "test_sequence_start_end_errors": FAILED,
    "test_sequence_range_errors": FAILED,
    "test_sequence_circular_support_false_errors": PASSED,
    "test_sequence_circular_support_true_errors": SKIPPED,
}

# Expected failures: the edge cases of a failed compliance case that the 2018 suite decides otherwise than
# the refget 1.0.1 text, each with the clause. Every one is asked of NC_001422.1 (5,386 bases, circular) on
# a server without circular support.
EXPECTED_FAILED_EDGE_CASES: dict[str, dict[str, str]] = {
    "test_sequence_start_end_errors": {
        # The texts name no status for an end beyond the sequence (refget 1.0.1 §Method: get sequence by ID ›
        # Query parameters: end has no out-of-bounds sentence; the prose's "outside the bounds ... shall
        # return Range Not Satisfiable" holds only "If the server supports circular chromosomes"). The
        # compliance suite wants 416; the server answers 400 (Bad Request, "the requested parameters do
        # not adhere to the specification", §Errors), which the refget suite accepts as well as 416.
        f"sequence/{NC_MD5}:?start=67&end=5387": "416 wanted; 400 answered (the text names neither)",
        # start > end on a circular sequence, server without circular support: "Otherwise if the server
        # does not support circular chromosomes it MUST respond with Not Implemented if the start is
        # greater than the end" (§Method: get sequence by ID › Query parameters, start and end; the prose:
        # "Otherwise if circular chromosomes are not supported, a Not Implemented shall be returned").
        # start = 5386 is not "larger than the total sequence length" (the 400 sentence). The server
        # answers 501; the compliance suite wants 416.
        f"sequence/{NC_MD5}:?start=5386&end=5375": "416 wanted; 501 answered (MUST 501)",
        f"sequence/{NC_MD5}:?start=5386&end=5": "416 wanted; 501 answered (MUST 501)",
        # start = end = length: start is not larger than the length, so no 400, and "If start and end are
        # set to the same value the server should return a 0-length string" (§Method: get sequence by ID;
        # › Response: "the server should respond with a zero length string"). The server answers 200 with
        # no bases; the compliance suite wants 416.
        f"sequence/{NC_MD5}:?start=5386&end=5386": "416 wanted; 200 '' answered (SHOULD 0-length string)",
    },
    "test_sequence_range_errors": {
        # A Range whose last byte is before its first: RFC 7233 §2.1 calls the byte-range-spec invalid
        # (and §3.1 lets a server ignore the header); refget 1.0.1 names no status for it, and "Sub-sequences
        # of circular chromosomes across the origin may not be requested via the Range header" (§Method: get
        # sequence by ID) names none either. The server answers 400 (malformed request, §Errors); the
        # compliance suite wants 416, which neither text gives.
        f"{NC_MD5}:bytes=5200-19": "416 wanted; 400 answered (the text names neither)",
        f"{NC_MD5}:bytes=59-50": "416 wanted; 400 answered (the text names neither)",
        f"{NC_MD5}:bytes=5385-5382": "416 wanted; 400 answered (the text names neither)",
        # A Range past the end: "The server MUST respond with a Bad Request error if one or more ranges are
        # out of bounds of the sequence" (§Method: get sequence by ID › Request parameters, Range). The
        # server answers 400; the compliance suite wants RFC 7233's 416 (the refget suite accepts both,
        # erratum E7).
        f"{NC_MD5}:bytes=5387-5391": "416 wanted; 400 answered (MUST 400)",
        f"{NC_MD5}:bytes=5386-5387": "416 wanted; 400 answered (MUST 400)",
        f"{NC_MD5}:bytes=9999-99999": "416 wanted; 400 answered (MUST 400)",
    },
}


def _checksums() -> dict[str, Any]:
    """The compliance suite's own ids of its test sequences (its ``checksums.json``)."""
    found = metadata.distribution("refget-compliance").locate_file("compliance_suite/sequences/checksums.json")
    document: dict[str, Any] = json.loads(Path(str(found)).read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def server() -> Iterator[ReferenceServer]:
    if metadata.version("refget-compliance") != COMPLIANCE_VERSION:
        pytest.skip(f"refget-compliance {metadata.version('refget-compliance')} is installed; the expected "
                    f"outcomes are those of {COMPLIANCE_VERSION}")
    app = RefgetApp(version="1.0.1", options={"compliance_sequences": True})
    with ReferenceServer(app) as running:
        yield running


def test_official_compliance_suite(server: ReferenceServer, tmp_path: Path) -> None:
    environment = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        environment.pop(name, None)
    # the CLI joins paths to the base URL as given: it must end with "/"
    command = [sys.executable, "-m", "compliance_suite.cli", "report", "-s", server.url.rstrip("/") + "/",
               "--json", "-", "--no-web"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=COMPLIANCE_SECONDS, cwd=tmp_path,
                          env=environment)
    assert done.returncode == 0, done.stderr[-2000:]
    [report] = json.loads(done.stdout)
    results = {r["name"]: r for r in report["test_results"]}
    outcomes = {name: r["result"] for name, r in results.items()}
    print("refget-compliance 1.2.6 against the 1.0.1 reference server:",
          *(f"{o:>2} {n}: {results[n]['text'][:120]}" for n, o in outcomes.items()), sep="\n  ")
    assert len(report["test_results"]) == report["total_tests"] == len(EXPECTED)
    assert outcomes == EXPECTED, {n: (outcomes.get(n), EXPECTED.get(n)) for n in set(outcomes) | set(EXPECTED)
                                  if outcomes.get(n) != EXPECTED.get(n)}
    for name, expected_cases in EXPECTED_FAILED_EDGE_CASES.items():
        failed = {case["api"] for case in results[name]["edge_cases"] if case["result"] != PASSED}
        assert failed == set(expected_cases), (name, sorted(failed ^ set(expected_cases)))
    assert (report["total_tests_passed"], report["total_tests_skipped"], report["total_tests_failed"]) == (25, 3, 2)


def test_refget_suite_on_the_compliance_sequences(server: ReferenceServer, report_root: Path,
                                                  specs_dir: str | None) -> None:
    checksums = _checksums()
    # each sequence by the compliance suite's own MD5 and TRUNC512; its circular flag as circular_sequences
    sequences = [ident for stem in ("I", "VI", "NC") for ident in (checksums[stem]["md5"], checksums[stem]["sha512"])]
    circular = [checksums[s][key] for s in checksums if checksums[s]["is_circular"] for key in ("md5", "sha512")]
    document = {"initiative": "refget-compliance sequences", "services": [{
        "standard": "refget", "version": "1.0.1", "url": server.url.rstrip("/"), "sequences": sequences,
        "circular_sequences": circular,
    }]}
    result = run_profile(document, report_root, specs_dir=specs_dir, standards=["refget"], seed=13)
    assert "Traceback" not in result.output, result.output
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.exit_code == 0, result.output
    # the bases of all three were fetched and their digests recomputed
    assert result.outcome("refget.sequence.md5-matches-bytes") == "passed"
    assert result.outcome("refget.sequence.trunc512-matches-bytes") == "passed"
