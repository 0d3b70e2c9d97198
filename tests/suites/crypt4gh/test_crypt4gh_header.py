"""The first 16 bytes of a crypt4gh file (suites/crypt4gh/check_header.py; crypt4gh 1.0 §3.2 Header:
magic_number[8], version, header_packet_count): a file too short to hold them, which the crypt4gh library
refuses before it looks at the magic number or the version, is judged on the bytes it has: no magic
number fails crypt4gh.header.magic, a wrong version crypt4gh.header.version, and one that ends before
header_packet_count crypt4gh.header.packets; the version is skipped, with the reason, where it is not
there to judge."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.testing import run_profile

MAGIC, VERSION, PACKETS = "crypt4gh.header.magic", "crypt4gh.header.version", "crypt4gh.header.packets"


def _outcomes(tmp_path: Path, report_root: Path, data: bytes) -> dict[str, tuple[str, str]]:
    path = tmp_path / "file.c4gh"
    path.write_bytes(data)
    result = run_profile({"initiative": "header", "services": [
        {"standard": "crypt4gh", "version": "1.0", "documents": [str(path)]}]},
        report_root, checks=[MAGIC, VERSION, PACKETS])
    return {c.id: (c.outcome, c.message.replace(str(path), "file.c4gh"))
            for s in result.scorecard.services for c in s.checks}


@pytest.mark.parametrize(("data", "magic"), [
    (b"", "file.c4gh: the file is empty: it has no magic number b'crypt4gh'."),
    (b"hello", "file.c4gh: the file holds only 5 byte(s) (b'hello'), not the 8-byte magic number b'crypt4gh'."),
    (b"crypt", "file.c4gh: the file holds only 5 byte(s) (b'crypt'), not the 8-byte magic number b'crypt4gh'."),
    (b"crypt4GH\x01\x00\x00", "file.c4gh: the file begins with b'crypt4GH', not the magic number b'crypt4gh'."),
])
def test_a_short_file_without_the_magic_number_fails_magic(data: bytes, magic: str, tmp_path: Path,
                                                           report_root: Path) -> None:
    found = _outcomes(tmp_path, report_root, data)
    assert found[MAGIC] == ("failed", magic)
    assert found[VERSION] == ("skipped", "no file holds a version to check: file.c4gh has no magic number "
                                         "(crypt4gh.header.magic)")
    assert found[PACKETS] == ("skipped", "no file has a crypt4gh 1 header: file.c4gh fails crypt4gh.header.magic")


@pytest.mark.parametrize("data", [b"crypt4gh\x09\x00\x00\x00", b"crypt4gh\x09\x00\x00\x00\x01\x00\x00\x00"])
def test_a_wrong_version_fails_whether_or_not_the_packet_count_follows(data: bytes, tmp_path: Path,
                                                                       report_root: Path) -> None:
    found = _outcomes(tmp_path, report_root, data)
    assert found[MAGIC][0] == "passed"
    assert found[VERSION] == ("failed", "file.c4gh: the version is 9, not 1.")
    assert found[PACKETS] == ("skipped", "no file has a crypt4gh 1 header: file.c4gh fails crypt4gh.header.version")


@pytest.mark.parametrize("data", [b"crypt4gh", b"crypt4gh\x01\x00"])
def test_a_file_that_ends_before_its_version_skips_version_and_fails_packets(data: bytes, tmp_path: Path,
                                                                             report_root: Path) -> None:
    """§3.2 says what the version field holds; a file that ends before it has a truncated header, which
    crypt4gh.header.packets fails: the version check skips, saying so."""
    found = _outcomes(tmp_path, report_root, data)
    assert found[MAGIC][0] == "passed"
    assert found[VERSION] == ("skipped", f"no file holds a version to check: file.c4gh ends after {len(data)} bytes, "
                                         "before the end of its version (bytes 9 to 12, after the magic number; "
                                         "the truncated header fails crypt4gh.header.packets)")
    assert found[PACKETS] == ("failed", f"file.c4gh: the file ends after {len(data)} bytes, before the end of "
                                        "header_packet_count (the header's first 16 bytes: magic number, version, "
                                        "header_packet_count).")


def test_version_1_without_the_packet_count_fails_packets_only(tmp_path: Path, report_root: Path) -> None:
    found = _outcomes(tmp_path, report_root, b"crypt4gh\x01\x00\x00\x00")
    assert (found[MAGIC][0], found[VERSION][0], found[PACKETS][0]) == ("passed", "passed", "failed")


def test_the_checks_after_the_header_name_the_check_that_judged_it(tmp_path: Path, report_root: Path) -> None:
    """A skip points at the check that judged the file, not at a cause it did not have (no usable data
    encryption parameters, when the file has no magic number)."""
    from conformance_suites.crypt4gh.keys import new_secret, private_key_text
    from conformance_suites.crypt4gh.reference.files import build, plaintext

    reader = new_secret()
    cases = {"bad-magic": "fails crypt4gh.header.magic", "unknown-packet-type": "fails crypt4gh.header.packet-type",
             "undecryptable-packet": "fails crypt4gh.header.reader-key"}
    for fault, says in cases.items():
        path = tmp_path / f"{fault}.c4gh"
        path.write_bytes(build(reader, plaintext(1, 1000), faults=frozenset({fault})).data)
        result = run_profile({"initiative": "skips", "services": [
            {"standard": "crypt4gh", "version": "1.0", "documents": [str(path)],
             "auth": {"private_key_env": "CONFORMANCE_TEST_READER_KEY"}}]}, report_root / fault,
            environ={"CONFORMANCE_TEST_READER_KEY": private_key_text(reader)})
        outcomes = {c.id: (c.outcome, c.message) for s in result.scorecard.services for c in s.checks}
        assert outcomes["crypt4gh.data.segments-authenticate"] == (
            "skipped", f"no file's data could be decrypted: {path} {says}"), fault
    assert outcomes["crypt4gh.header.data-encryption"] == (
        "skipped", f"no file has data encryption parameters for the reader: {path} fails crypt4gh.header.reader-key")
