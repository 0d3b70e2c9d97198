"""The encrypted data of each crypt4gh file: every 64 KiB segment authenticates and decrypts, the last
one is whole, and the edit list lies within the plain-text (crypt4gh 1.0 §3.4, §4.1, §4.2)."""

from __future__ import annotations

import pytest

from conformance import check

from .view import Crypt4gh, File, failure, stopped


def _decrypted(crypt4gh: Crypt4gh) -> list[File]:
    crypt4gh.secret()
    every = crypt4gh.files()
    files = [f for f in every if f.examination.data_read]
    if not files:
        pytest.skip(stopped("no file's data could be decrypted")(every))
    return files


@check("crypt4gh.data.segments-authenticate")
def test_every_segment_authenticates(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §4.1 chacha20_ietf_poly1305 Decryption: each segment's MAC is checked against its
    cipher-text with the data keys of the header; "An error MUST be reported if the cipher-text is not
    authenticated" (the last segment: crypt4gh.data.last-segment)."""
    files = _decrypted(crypt4gh)
    for file in files:
        found = file.examination
        if found.bad_segment is not None:
            raise failure(f"{file.document.ref}: segment {found.bad_segment} of {found.segments} does not "
                          "authenticate with any data key of the header.", file.document)
    if not any(f.examination.segments > 1 for f in files):
        pytest.skip("does not apply: every file holds one segment, its last, which crypt4gh.data.last-segment "
                    "judges")


@check("crypt4gh.data.last-segment")
def test_last_segment_is_whole(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §3.4.2 Segmenting the input: each segment is its nonce (12 bytes), the encrypted data
    ("the last segment will be shorter") and the MAC (16 bytes); §4.1: it must authenticate."""
    for file in _decrypted(crypt4gh):
        found = file.examination
        if found.last_segment_problem is not None:
            # a last segment that does not authenticate where no segment at all did: the data key decrypts none
            # of them, which crypt4gh.data.segments-authenticate reports (one cause, one failure); where some
            # earlier segment did authenticate, a bad last segment is a defect of its own beside a corrupt one
            cause = ("crypt4gh.data.segments-authenticate"
                     if found.last_unauthenticated and found.bad_segment is not None
                     and found.unauthenticated == found.segments else None)
            raise failure(f"{file.document.ref}: {found.last_segment_problem}.", file.document, caused_by=cause)


@check("crypt4gh.edit-list.well-formed")
def test_edit_list_is_well_formed(crypt4gh: Crypt4gh) -> None:
    """crypt4gh 1.0 §3.2.4 data_edit_list packet: "number_lengths is the number of items in the lengths
    array". Lengths past the end of the plain-text are no failure: §4.2's substr returns a shorter part "if the
    requested part extends beyond the end of the input string"."""
    files = [f for f in _decrypted(crypt4gh) if f.examination.edit_list is not None
             or f.examination.edit_list_problem is not None]
    if not files:
        pytest.skip("does not apply: no file has an edit list")
    for file in files:
        if file.examination.edit_list_problem is not None:
            raise failure(f"{file.document.ref}: {file.examination.edit_list_problem}.", file.document)
