"""The encrypted data of a crypt4gh file (crypt4gh 1.0 §3.4.2, §4.1): one root cause, one failure (a header
whose data key decrypts no segment fails crypt4gh.data.segments-authenticate, and the last segment's failure
to authenticate is grouped under it), and crypt4gh.data.segments-authenticate judges the segments before the
last one or says that there are none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance_suites.crypt4gh.keys import new_secret, private_key_text, public_key
from conformance_suites.crypt4gh.reference.files import build, plaintext

from conformance.testing import run_profile

SEGMENTS, LAST = "crypt4gh.data.segments-authenticate", "crypt4gh.data.last-segment"


def _wrong_data_key(reader: bytes, plain: bytes) -> bytes:
    """A file whose header gives the reader a data key that encrypted none of its segments."""
    from crypt4gh import header, sodium

    recipients = [(0, new_secret(), public_key(reader))]
    packets = list(header.encrypt(header.make_packet_data_enc(0, new_secret()), recipients))
    key, body = new_secret(), b""
    for start in range(0, len(plain), 65536):
        piece = plain[start:start + 65536]
        cipher = bytearray(len(piece) + 28)
        body += bytes(cipher[:sodium.chacha20poly1305_encrypt(cipher, piece, key)])
    return header.serialize(packets) + body


def _checks(tmp_path: Path, data: bytes, reader: bytes) -> dict[str, Any]:
    path = tmp_path / "file.c4gh"
    path.write_bytes(data)
    result = run_profile({"initiative": "data", "services": [
        {"standard": "crypt4gh", "version": "1.0", "documents": [str(path)],
         "auth": {"private_key_env": "CONFORMANCE_TEST_READER_KEY"}}]}, tmp_path / "r",
        environ={"CONFORMANCE_TEST_READER_KEY": private_key_text(reader)}, checks=[SEGMENTS, LAST])
    return {c.id: c for s in result.scorecard.services for c in s.checks}


def test_a_data_key_that_decrypts_no_segment_is_one_failure(tmp_path: Path) -> None:
    reader = new_secret()
    checks = _checks(tmp_path, _wrong_data_key(reader, plaintext(2, 150_000)), reader)
    assert checks[SEGMENTS].outcome == "failed" and checks[SEGMENTS].caused_by is None
    assert checks[LAST].outcome == "failed" and checks[LAST].caused_by == SEGMENTS


def test_a_truncated_last_segment_after_good_ones_stands_alone(tmp_path: Path) -> None:
    reader = new_secret()
    checks = _checks(tmp_path, build(reader, plaintext(1, 150_000), faults=frozenset({"truncated-last-segment"})).data,
                     reader)
    assert checks[SEGMENTS].outcome == "passed"
    assert checks[LAST].outcome == "failed" and checks[LAST].caused_by is None


def test_a_corrupt_middle_segment_and_a_truncated_last_one_are_two_failures(tmp_path: Path) -> None:
    # the data key decrypts the first segment: the corrupt middle one and the truncated last one are two
    # separate defects, neither a consequence of the other
    reader = new_secret()
    made = build(reader, plaintext(1, 150_000), faults=frozenset({"mac-failure", "truncated-last-segment"}))
    checks = _checks(tmp_path, made.data, reader)
    assert checks[SEGMENTS].outcome == "failed" and checks[SEGMENTS].caused_by is None
    assert checks[LAST].outcome == "failed" and checks[LAST].caused_by is None


def test_files_of_one_segment_leave_nothing_before_the_last(tmp_path: Path) -> None:
    reader = new_secret()
    checks = _checks(tmp_path, build(reader, plaintext(1, 1_000)).data, reader)
    assert checks[SEGMENTS].outcome == "skipped" and checks[LAST].outcome == "passed"
    assert checks[SEGMENTS].message == ("does not apply: every file holds one segment, its last, which "
                                        "crypt4gh.data.last-segment judges")
