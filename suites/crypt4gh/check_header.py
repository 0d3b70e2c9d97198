"""The header of each crypt4gh file (crypt4gh 1.0 §3.2 Header, §3.2.1-§3.2.4 header packets, §3.3.3
Reading the header, §2.3 multiple readers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance import HarnessError, check

from .examine import VERSION_END, Examination
from .view import Crypt4gh, File, failure, stopped


def _each(files: list[File], problem: Callable[[Examination], str | None],
          applies: Callable[[Examination], bool], reason: str) -> None:
    _judge(files, lambda f: problem(f.examination), lambda f: applies(f.examination), stopped(reason))


def _judge(files: list[File], problem: Callable[[File], str | None], applies: Callable[[File], bool],
           reason: Callable[[list[File]], str]) -> None:
    checked = [f for f in files if applies(f)]
    if not checked:
        pytest.skip(reason(files))
    for file in checked:
        found = problem(file)
        if found is not None:
            raise failure(f"{file.document.ref}: {found}.", file.document)


def _header_read(found: Examination) -> bool:
    return found.header_read


def _magic_problem(file: File) -> str | None:
    return file.examination.magic_problem


def _version_problem(file: File) -> str | None:
    return file.examination.version_problem


def _version_held(file: File) -> bool:
    held = file.examination.held
    return held is None or held >= VERSION_END


def _why_no_version(files: list[File]) -> str:
    """Why no file's version is judged, file by file: no magic number, or too few bytes to hold a version."""
    if not files:
        return "no file was read"
    reasons = []
    for file in files:
        if _magic_problem(file) is not None:
            reasons.append(f"{file.document.ref} has no magic number (crypt4gh.header.magic)")
        elif not _version_held(file):
            reasons.append(f"{file.document.ref} ends after {file.examination.held} bytes, before the end of its "
                           f"version (bytes 9 to 12, after the magic number; the truncated header fails "
                           f"crypt4gh.header.packets)")
    more = f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
    return "no file holds a version to check: " + "; ".join(reasons[:3]) + more


@check("crypt4gh.header.magic")
def test_magic_number(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §3.2 Header: "The magic_number is the ASCII representation of the string
    'crypt4gh'" (the first 8 bytes of the file: a file of fewer bytes has none)."""
    _judge(crypt4gh.files(), _magic_problem, lambda f: True, lambda files: "no file was read")


@check("crypt4gh.header.version")
def test_version_is_1(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §3.2 Header: "The version number is stored as a four-byte little-endian unsigned
    integer. The current version number is 1." Judged where the four bytes after the magic number are
    there: the section says what the version field holds, and a file that ends before it has a truncated
    header, which crypt4gh.header.packets fails (§3.2's struct Header: header_packet_count and the packets
    follow the version); without the magic number there is no crypt4gh version to read."""
    _judge(crypt4gh.files(), _version_problem, lambda f: _magic_problem(f) is None and _version_held(f),
           _why_no_version)


@check("crypt4gh.header.packets")
def test_header_packets_are_whole(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §3.2 Header and §3.2.1 Header Packets: header_packet_count packets follow, each
    packet_length long "including the packet_length itself" (a file that ends before header_packet_count
    has neither)."""
    files = crypt4gh.files()
    _judge(files, lambda f: f.examination.packets_problem,
           lambda f: _magic_problem(f) is None and _version_problem(f) is None,
           stopped("no file has a crypt4gh 1 header"))
    unexamined = [f for f in files if f.examination.unexamined]
    if unexamined:
        raise HarnessError(f"{unexamined[0].document.ref}: {unexamined[0].examination.unexamined}.")


@check("crypt4gh.header.reader-key")
def test_reader_decrypts_data_encryption_parameters(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §2.3: failing to decrypt another reader's packet "SHOULD NOT cause an error to be
    reported; however an error MUST be raised if, on reaching the end of the header, it has not been
    possible to decrypt at least one data encryption key packet" (with the reader key the profile names)."""
    crypt4gh.secret()
    _each(crypt4gh.files(), lambda f: f.reader_problem, lambda f: f.header_read and f.packet_type_problem is None,
          "no file's header packets could be read")


@check("crypt4gh.header.packet-type")
def test_packet_types_are_defined(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §3.2.2 Header packet encrypted payload: Header_packet_type is data_encryption_parameters
    (0) or data_edit_list (1); §3.1.7 "There must be a case for every possible enumerated value"."""
    crypt4gh.secret()
    _each(crypt4gh.files(), lambda f: f.packet_type_problem, _header_read, "no file's header packets could be read")


@check("crypt4gh.header.data-encryption")
def test_data_encryption_method(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §3.2.3 data_encryption_parameters packet: the method is chacha20_ietf_poly1305 (0),
    the one Data_encryption_method defined, with a 32-byte data_key; "If there is more than one, the
    data_encryption_method MUST be the same for all of them"."""
    crypt4gh.secret()
    _each(crypt4gh.files(), lambda f: f.data_method_problem,
          lambda f: f.header_read and f.packet_type_problem is None and f.data_keys > 0,
          "no file has data encryption parameters for the reader")


@check("crypt4gh.header.one-edit-list")
def test_at_most_one_edit_list(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §3.2.4 data_edit_list packet: "It is not permitted to have more than one edit list.
    If more than one edit list is present, the file SHOULD be rejected." """
    crypt4gh.secret()

    def problem(found: Examination) -> str | None:
        return f"the header holds {found.edit_lists} edit list packets" if found.edit_lists > 1 else None
    _each(crypt4gh.files(), problem, lambda f: f.header_read and f.packet_type_problem is None,
          "no file's header packets could be read")
