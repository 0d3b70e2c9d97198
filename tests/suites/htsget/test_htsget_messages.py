"""suites/htsget/view.py: a broken BGZF stream is described by what the server's bytes did, never by
the harness's temporary file or an errno (issue 21.11)."""

from __future__ import annotations

import gzip
from pathlib import Path

from conformance_suites.htsget.view import bgzf_damage, htslib_failure

from conformance.testing import reference_entries, run_profile

MEMBERS = [gzip.compress(bytes([65 + i]) * 5000) for i in range(4)]
STREAM = b"".join(MEMBERS)


def test_a_whole_stream_has_no_damage() -> None:
    assert bgzf_damage(STREAM, "BAM") is None
    assert bgzf_damage(b"##fileformat=VCFv4.3\n", "VCF") is None  # not gzip: nothing to say


def test_a_stream_cut_inside_a_block_names_that_block() -> None:
    start = len(STREAM) - len(MEMBERS[-1])
    broken = STREAM[:-10]
    assert bgzf_damage(broken, "BAM") == (f"the BGZF block at byte {start} of the BAM data ({len(broken)} bytes) is "
                                          "incomplete: bytes are missing or damaged")


def test_a_corrupt_block_names_its_byte() -> None:
    start = len(MEMBERS[0]) + len(MEMBERS[1])
    broken = STREAM[:start] + b"\x1f\x8b\x08\x00garbage" + STREAM[start + 12:]
    message = bgzf_damage(broken, "VCF")
    assert message is not None and message.startswith(f"the VCF data is corrupt at byte {start}")


def test_htslib_words_lose_the_temporary_file_and_the_errno() -> None:
    path = "/tmp/htsget-check-x/blob0.sam"
    exc = OSError(2, "Closing failed: No such file or directory", path)
    message = htslib_failure(OSError(f"[Errno 2] Closing failed: No such file or directory: '{path}'"), "CRAM",
                             b"CRAM", path)
    assert message == ("htslib cannot parse the CRAM data the blocks assemble to "
                       "(Closing failed: No such file or directory)")
    assert path not in htslib_failure(exc, "CRAM", b"CRAM", path)


def test_the_truncated_body_fault_reads_as_what_the_server_did(tmp_path: Path) -> None:
    entries = [e for e in reference_entries("htsget", ["truncated-body"]) if e["version"] == "1.3.0"]
    result = run_profile({"initiative": "truncated", "services": entries}, tmp_path,
                         standards=["htsget"])
    messages = [c.message for s in result.scorecard.services for c in s.checks if c.outcome != "passed"]
    failed = result.check("htsget.data.concatenation-valid-format")
    assert failed.outcome == "failed" and "BGZF block at byte" in failed.message, failed.message
    assert not [m for m in messages if "Errno" in m or "htsget-check-" in m or "blob0" in m]
