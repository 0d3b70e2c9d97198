"""The sequence itself: each profile sequence streamed with the default Accept, its bytes checked and its
MD5, TRUNC512 and ga4gh digests recomputed and compared with the metadata (refget 1.0.1 and 2.0.0
§Method: get sequence by ID, §Checksum calculation, §refget Checksum Algorithm)."""

from __future__ import annotations

import pytest

from conformance import check, fail

from .digests import same_checksum
from .view import Refget, Verified, answered, is_int, sequence_path, trunc512_value

_SKIP = pytest.skip.Exception


@check("refget.sequence.known-id-answers-200", per="sequences")
def test_known_id_answers_200(refget: Refget, case: str) -> None:
    """GET /sequence/<id> for a profile id answers 200 (redirects followed) (refget 1.0.1 §Method: get
    sequence by ID › Response: "MUST issue a 200 status code if the entire sequence is returned")."""
    response = refget.fetched(case).response
    if response.status != 200:
        raise fail(f"GET {sequence_path(case)} answered {answered(response)}, not 200", response)


@check("refget.sequence.body-is-uppercase-letters")
def test_body_is_uppercase_letters(refget: Refget) -> None:
    """The sequence is "a single string in uppercase ASCII text (bytes 0x41-0x5A) with no line terminators
    or other formatting characters" (refget 1.0.1 §Method: get sequence by ID › Response)."""
    read = 0
    for ident in refget.sequence_ids():
        fetched = refget.fetched(ident)
        if fetched.response.status != 200:
            continue
        read += 1
        if fetched.bad is not None:
            offset, byte = fetched.bad
            raise fail(f"the sequence of {ident} has the byte {bytes([byte])!r} (0x{byte:02x}) at offset {offset}; "
                       "a sequence is uppercase A-Z only, with no line terminators", fetched.response)
    if not read:
        pytest.skip("no sequence could be read (see refget.sequence.known-id-answers-200)")


@check("refget.sequence.md5-matches-bytes")
def test_md5_matches_bytes(refget: Refget) -> None:
    """The metadata's md5 is the MD5 of the streamed, normalised bases (refget 1.0.1 §Checksum
    calculation; case-insensitive hex)."""
    compared = 0
    reason = "no sequence with both metadata and bases could be read"
    for ident in refget.sequence_ids():
        try:
            inner, _ = refget.metadata(ident)
            fetched = refget.fetched_ok(ident)
        except _SKIP as exc:
            reason = str(exc.msg)
            continue
        listed = inner.get("md5")
        if not isinstance(listed, str):
            reason = f"the metadata of {ident} lists no md5 string (see refget.metadata.fields-valid)"
            continue
        compared += 1
        if not same_checksum("md5", listed, fetched.digest.md5):
            raise fail(f"the metadata of {ident} lists md5 {listed!r}, but the {fetched.length} bases served hash "
                       f"to {fetched.digest.md5}", fetched.response)
    if not compared:
        pytest.skip(f"no md5 to compare: {reason}")


def _compare_sha512(refget: Refget, kind: str) -> None:
    compared = 0
    for verified in refget.verified():
        listed = _listed(verified, kind)
        if listed is None:
            continue
        compared += 1
        computed = verified.fetched.digest.ga4gh if kind == "ga4gh" else verified.fetched.digest.trunc512
        if not same_checksum(kind, listed, computed):
            raise fail(f"the metadata of {verified.ident} lists {kind} {listed!r}, but the bases served give "
                       f"{computed}", verified.metadata_response)
    if not compared:
        for ident, inner, _ in refget.documents():
            if isinstance(trunc512_value(inner) if kind == "trunc512" else inner.get(kind), str):
                try:
                    refget.verified_one(ident)
                except _SKIP as exc:  # listed, but its bases are not verified: say why
                    pytest.skip(f"the metadata of {ident} lists {kind}, but {exc.msg}")
        # no metadata document read lists one: the requirement is of a listed value, so it does not apply
        pytest.skip(f"does not apply: no metadata lists a {kind} identifier")


def _listed(verified: Verified, kind: str) -> str | None:
    value = trunc512_value(verified.metadata) if kind == "trunc512" else verified.metadata.get(kind)
    return value if isinstance(value, str) else None


@check("refget.sequence.ga4gh-matches-bytes")
def test_ga4gh_matches_bytes(refget: Refget) -> None:
    """A non-null ga4gh is "SQ." + base64url of the first 24 bytes of the SHA-512 of the bases (refget
    2.0.0 §refget Checksum Algorithm); judged on sequences whose MD5 matches."""
    _compare_sha512(refget, "ga4gh")


@check("refget.sequence.trunc512-matches-bytes")
def test_trunc512_matches_bytes(refget: Refget) -> None:
    """A non-null trunc512 is the hex of the first 24 bytes of the SHA-512 of the bases (refget 1.0.1
    §refget Checksum Algorithm, §TRUNC512 Algorithm Details); judged on sequences whose MD5 matches."""
    _compare_sha512(refget, "trunc512")


@check("refget.sequence.length-matches-bytes")
def test_length_matches_bytes(refget: Refget) -> None:
    """The metadata's length is the number of bases served (refget 1.0.1 §Method: Get known metadata for
    an id › Response); judged on sequences whose MD5 matches, or whose body ran past twice that length."""
    compared = 0
    why: list[str] = []  # what kept each sequence from being compared
    for ident in refget.sequence_ids():
        fetched = refget.fetched(ident)
        try:
            inner, _ = refget.metadata(ident)
        except _SKIP as exc:
            why.append(f"{ident}: {exc.msg}")
            continue
        declared = inner.get("length")
        if fetched.response.status == 200 and fetched.cut and is_int(declared):
            raise fail(f"the metadata of {ident} gives length {declared}, but the body ran past twice that "
                       "(the harness stopped reading there)", fetched.response)
        try:
            verified = refget.verified_one(ident)
        except _SKIP as exc:
            why.append(f"{ident}: {exc.msg}")
            continue
        if not is_int(declared):
            why.append(f"{ident}: its metadata gives no integer length")
            continue
        compared += 1
        if declared != verified.length:
            raise fail(f"the metadata of {ident} gives length {declared}, but {verified.length} bases are served "
                       "(and they hash to the listed md5)", verified.metadata_response)
    if not compared:
        pytest.skip("no sequence whose bases match its md5 has a length to compare ("
                    + ("; ".join(why[:2]) + ("; …" if len(why) > 2 else "") if why else "no sequence listed") + ")")


@check("refget.sequence.unknown-id-is-404")
def test_unknown_id_is_404(refget: Refget) -> None:
    """GET /sequence/<unknown> answers 404 ("If the identifier is not known by the server, a 404 status
    code and NotFound error shall be returned", refget 1.0.1 §Method: get sequence by ID › Response)."""
    response = refget.unknown_sequence()
    if response.status != 404:
        raise fail(f"GET {response.exchange.url} for an unknown id answered {answered(response)}, not 404",
                   response)
