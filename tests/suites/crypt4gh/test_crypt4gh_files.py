"""The crypt4gh suite's reading of files: files written by the crypt4gh library's own encryptor pass,
the reader key round-trips through the key format, memory stays per segment, and the reader key never
reaches a report."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from conformance_suites.crypt4gh.examine import examine_bytes
from conformance_suites.crypt4gh.keys import (
    KeyProblem,
    new_secret,
    private_key_text,
    public_key,
    reader_key,
)
from conformance_suites.crypt4gh.reference.files import build, plaintext

from conformance.testing import reference_entries, run_profile


def _library_encrypted(reader: bytes, data: bytes) -> bytes:
    """A file written by ``crypt4gh.lib.encrypt`` (the reference implementation), not by the harness."""
    from crypt4gh import lib

    out = io.BytesIO()
    lib.encrypt([(0, new_secret(), public_key(reader))], io.BytesIO(data), out)
    return out.getvalue()


def test_a_file_of_the_reference_implementation_reads_clean() -> None:
    reader = new_secret()
    data = plaintext(7, 200_000)
    found = examine_bytes(_library_encrypted(reader, data), reader, digest=True)
    assert found.data_read and found.decrypted == 1 and found.skipped == 0
    assert found.segments == 4 and found.bad_segment is None and found.last_segment_problem is None
    assert found.plaintext_length == len(data) and found.plaintext_sha256 == hashlib.sha256(data).hexdigest()


def test_another_readers_packet_is_skipped_and_the_edit_list_applied() -> None:
    reader = new_secret()
    made = build(reader, plaintext(3, 70_000), edit_list=[100, 60_000, 500], other_reader=True)
    found = examine_bytes(made.data, reader)
    assert found.decrypted == 2 and found.skipped == 1 and found.edit_list == [100, 60_000, 500]
    assert found.edited_length == 60_000 + (70_000 - 100 - 60_000 - 500) and found.edit_list_problem is None


def test_without_the_reader_key_no_data_key_is_found() -> None:
    found = examine_bytes(_library_encrypted(new_secret(), b"x" * 10), new_secret())
    assert found.header_read and found.reader_problem is not None and found.segments == 0


def test_an_empty_plaintext_has_no_segment() -> None:
    reader = new_secret()
    found = examine_bytes(_library_encrypted(reader, b""), reader)
    assert found.data_read and found.segments == 0 and found.plaintext_length == 0


def test_reader_keys_round_trip_and_bad_ones_say_why_without_the_key() -> None:
    secret = new_secret()
    assert reader_key(private_key_text(secret, "test")) == secret
    for text in ("", "not a key", "-----BEGIN X-----\nAAAA\n-----END X-----"):
        try:
            reader_key(text)
        except KeyProblem as exc:
            assert "AAAA" not in str(exc)
        else:
            raise AssertionError("accepted a non-key")


def test_the_reader_key_never_reaches_a_report(tmp_path: Path) -> None:
    from conformance_suites.crypt4gh.reference import Crypt4ghApp

    document = {"initiative": "reader key", "services": reference_entries("crypt4gh", ["mac-failure"])
                + Crypt4ghApp.companion_entries()}
    result = run_profile(document, tmp_path, standards=["crypt4gh"])
    assert result.exit_code == 1
    written = b"".join(p.read_bytes() for p in result.run_dir.rglob("*") if p.is_file())
    # an unprotected key file's body begins with base64 of "c4gh-v1" and kdf "none": YzRnaC12MQ...
    assert b"CRYPT4GH PRIVATE KEY" not in written and b"YzRnaC12MQ" not in written


def test_keys_command_writes_a_key_pair_the_suite_reads(tmp_path: Path) -> None:
    from conformance.cli import main

    secret_path = tmp_path / "reader.sec"
    assert main(["crypt4gh", "keys", "--out", str(secret_path)]) == 0
    assert secret_path.stat().st_mode & 0o777 == 0o600
    secret = reader_key(secret_path.read_text())
    assert (tmp_path / "reader.sec.pub").read_text().startswith("-----BEGIN CRYPT4GH PUBLIC KEY-----")
    assert main(["crypt4gh", "keys", "--out", str(secret_path)]) == 4  # never overwritten silently
    assert reader_key(secret_path.read_text()) == secret


def test_a_file_pushed_in_odd_chunks_through_the_pipe_reads_as_a_whole() -> None:
    """The download pushes chunks of any size; the examination pulls whole segments (the view's pipe)."""
    import threading

    from conformance_suites.crypt4gh.examine import examine
    from conformance_suites.crypt4gh.pipe import Pipe

    reader = new_secret()
    data = plaintext(5, 300_000)
    encrypted = _library_encrypted(reader, data)
    pipe = Pipe()
    outcome = {}

    def work() -> None:
        outcome["found"] = examine(io.BufferedReader(pipe, buffer_size=1 << 20), reader, digest=True)
        pipe.reader_done = True

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    for start in range(0, len(encrypted), 9_973):
        pipe.write_chunk(encrypted[start:start + 9_973])
    pipe.finish()
    worker.join(timeout=30)
    found = outcome["found"]
    assert found.data_read and found.bad_segment is None and found.last_segment_problem is None
    assert found.plaintext_sha256 == hashlib.sha256(data).hexdigest()


def test_plaintext_is_deterministic_text_of_the_asked_length() -> None:
    """Issue 20: the reference server's plaintexts are made at C speed; still the seed's bytes, all letters
    of ACGT or newlines."""
    made = plaintext(1, 150_000)
    assert made == plaintext(1, 150_000) != plaintext(2, 150_000)
    assert len(made) == 150_000 and set(made) == set(b"ACGT\n")


@pytest.mark.parametrize(("environ", "reason"), [
    ({"CONFORMANCE_TEST_READER_KEY": "not-a-key"},
     "auth.private_key_env: the reader key is not a key file in the crypt4gh (PEM) format, so no header packet "
     "could be decrypted"),
    (None, "the profile names no reader key (auth.private_key_env), so no header packet could be decrypted"),
])
def test_without_a_usable_reader_key_the_service_is_incomplete(tmp_path: Path, environ: dict[str, str] | None,
                                                               reason: str) -> None:
    """Without a usable key no header packet is decrypted: the checks that decrypt skip, and the service is
    not "conformant" on the header's framing alone; a run of checks that do not decrypt is not marked."""
    path = tmp_path / "file.c4gh"
    path.write_bytes(build(new_secret(), plaintext(1, 1000)).data)
    entry: dict[str, object] = {"standard": "crypt4gh", "version": "1.0", "documents": [str(path)]}
    if environ:
        entry["auth"] = {"private_key_env": "CONFORMANCE_TEST_READER_KEY"}
    document = {"initiative": "reader key", "services": [entry]}
    result = run_profile(document, tmp_path / "r", environ=environ)
    service = result.scorecard.services[0]
    assert service.verdict() == "incomplete" and result.exit_code == 2, result.output
    assert service.untested == reason
    assert "not-a-key" not in result.summary()
    framing = run_profile(document, tmp_path / "framing", environ=environ, checks=["crypt4gh.header.magic"])
    assert framing.scorecard.services[0].untested is None and framing.exit_code == 0, framing.output


def _with_data_key(reader: bytes, data_key_packet: bytes, plain: bytes, key: bytes) -> bytes:
    """A file whose one data encryption parameters packet (plain-text ``data_key_packet``) is for ``reader``,
    its segments encrypted with ``key`` by the library."""
    from crypt4gh import header, sodium

    packets = list(header.encrypt(data_key_packet, [(0, new_secret(), public_key(reader))]))
    body = b""
    for start in range(0, len(plain), 65536):
        piece = plain[start:start + 65536]
        cipher = bytearray(len(piece) + 28)
        body += bytes(cipher[:sodium.chacha20poly1305_encrypt(cipher, piece, key)])
    return header.serialize(packets) + body


def test_a_padded_data_encryption_packet_reads_clean() -> None:
    """§3.2.1: "it is permitted for the packet_length to be longer than strictly needed", the rest padded."""
    from crypt4gh import header

    reader, key, data = new_secret(), new_secret(), plaintext(4, 70_000)
    found = examine_bytes(_with_data_key(reader, header.make_packet_data_enc(0, key) + bytes(16), data, key), reader)
    assert found.data_read and found.segments == 2 and found.unauthenticated == 0
    assert found.plaintext_length == len(data)


def test_a_data_key_shorter_than_32_bytes_is_the_data_encryption_problem() -> None:
    """§3.2.2: data_key[32]. A shorter one is the header's problem, not every segment's (and never read past
    its end by the library's decryption)."""
    from crypt4gh import header

    reader, key = new_secret(), new_secret()
    found = examine_bytes(_with_data_key(reader, header.make_packet_data_enc(0, key[:16]), plaintext(5, 70_000), key),
                          reader)
    assert found.data_method_problem is not None and "16-byte data_key" in found.data_method_problem
    assert not found.data_read and found.segments == 0


def test_an_edit_list_reaching_past_the_plaintext_is_no_problem() -> None:
    # §4.2 ApplyEditList: substr returns a shorter part "if the requested part extends beyond the end"
    reader = new_secret()
    made = build(reader, plaintext(1, 1_000), edit_list=[100, 5_000])
    found = examine_bytes(made.data, reader)
    assert found.edit_list == [100, 5_000] and found.edit_list_problem is None and found.edited_length == 900


def test_an_edit_list_packet_shorter_than_its_number_lengths_is_malformed() -> None:
    reader = new_secret()
    made = build(reader, plaintext(1, 1_000), faults=frozenset({"edit-list-malformed"}))
    found = examine_bytes(made.data, reader)
    assert found.edit_list is None and "the edit list packet is malformed" in str(found.edit_list_problem)


def test_a_header_the_reader_cannot_use_says_why() -> None:
    """Packets for other readers only (a file not encrypted for the profile's key), or packets for the reader
    that hold no data key: each named as what it is."""
    from crypt4gh import header

    reader = new_secret()
    others = examine_bytes(_library_encrypted(new_secret(), b"x" * 10), reader)
    assert others.reader_problem is not None and "encrypted for other readers only" in others.reader_problem
    edit_only = header.serialize(header.encrypt(header.make_packet_data_edit_list([0, 5]),
                                                [(0, new_secret(), public_key(reader))]))
    found = examine_bytes(edit_only, reader)
    assert found.reader_problem == ("the reader key decrypts 1 of the 1 header packet(s), none of them data "
                                    "encryption parameters")
