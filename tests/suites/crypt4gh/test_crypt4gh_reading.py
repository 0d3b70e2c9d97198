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


class _Download(io.RawIOBase):
    """A stream that cannot seek back, as a download is."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), len(self.data), 9_973)
        buffer[:count] = self.data[:count]
        self.data = self.data[count:]
        return count


def _huge_packet(tail: int) -> bytes:
    """Magic, version 1, one packet whose packet_length claims 4 GiB, then ``tail`` bytes."""
    return b"crypt4gh" + (1).to_bytes(4, "little") * 2 + (0xFFFFFFF0).to_bytes(4, "little") + b"\x00" * tail


def test_a_header_claiming_gigabytes_is_not_read_into_memory(monkeypatch: Any) -> None:
    """A packet_length of 4 GiB before megabytes of data: the header is refused once past the bytes the harness
    reads of one, in one sentence, and memory never holds more than that bound."""
    import tracemalloc

    from conformance_suites.crypt4gh import examine

    monkeypatch.setattr(examine, "HEADER_BYTES", 1 << 20)
    tracemalloc.start()
    try:
        found = examine.examine(io.BufferedReader(_Download(_huge_packet(3 << 20)), buffer_size=1 << 16), new_secret())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak
    assert found.packets_problem is None and found.unexamined is not None and "\n" not in found.unexamined
    assert "runs past the 1048576 bytes the harness reads of one" in found.unexamined
    assert not found.header_read and found.stopped() == "has a header too large to examine (crypt4gh.header.packets)"


def test_a_header_claiming_more_than_the_file_holds_fails_packets(monkeypatch: Any) -> None:
    from conformance_suites.crypt4gh import examine

    monkeypatch.setattr(examine, "HEADER_BYTES", 1 << 20)
    found = examine.examine(io.BufferedReader(_Download(_huge_packet(1000))), new_secret())
    assert found.unexamined is None and found.packets_problem == "the header is malformed: Packet 0 too small"


def test_a_run_errs_on_a_header_too_large_to_examine(tmp_path: Path, monkeypatch: Any) -> None:
    from conformance_suites.crypt4gh import examine

    monkeypatch.setattr(examine, "HEADER_BYTES", 1 << 16)
    path = tmp_path / "huge.c4gh"
    path.write_bytes(_huge_packet(200_000))
    result = _run(tmp_path, path, new_secret())
    outcomes = {c.id: (c.outcome, c.message) for s in result.scorecard.services for c in s.checks}
    assert outcomes["crypt4gh.header.magic"][0] == outcomes["crypt4gh.header.version"][0] == "passed"
    outcome, message = outcomes["crypt4gh.header.packets"]
    assert outcome == "error" and "its packets were not examined" in message, message
    assert outcomes["crypt4gh.header.reader-key"] == (
        "skipped", f"no file's header packets could be read: {path} has a header too large to examine "
                   "(crypt4gh.header.packets)")
    assert result.exit_code == 2
