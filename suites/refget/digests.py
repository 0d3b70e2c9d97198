"""Refget checksums and identifier forms (refget 1.0.1 §Checksum calculation, §refget Checksum Algorithm,
§TRUNC512 Algorithm Details; refget 2.0.0 §Checksum calculation, §refget Checksum Algorithm, §Namespace of
the checksums, §Checksum Identifier Identification).

A sequence is hashed as it streams, never held whole: :class:`SequenceDigest` normalises each chunk (non
letters removed, letters upper-cased: the texts' normalisation) and feeds MD5 and SHA-512 incrementally.
``TRUNC512`` is the hex of the first 24 bytes of the SHA-512 digest; the ``ga4gh`` identifier is ``SQ.``
and the unpadded base64url of the same 24 bytes (``ga4gh.core.sha512t24u``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from conformance import ParallelHashes

#: Every byte but the ASCII letters: what the normalisation removes ("all non-base symbols (\\n, spaces,
#: etc) must be removed and then uppercase the rest", refget 1.0.1 §Checksum calculation).
NON_LETTERS = bytes(c for c in range(256) if not (0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A))
#: The bytes A-Z: a chunk from which deleting them leaves nothing is already in normalised form (the
#: common case, checked at memory speed, before any slower scan).
UPPER_LETTERS = bytes(range(0x41, 0x5B))


#: :func:`is_normalised` looks at a piece this much at a time.
SCAN = 64 * 1024


def is_normalised(chunk: bytes | bytearray) -> bool:
    """Whether every byte of ``chunk`` is an upper-case letter A-Z.

    In slices of :data:`SCAN` bytes, each as ``bytes``: a translate of a whole 1 MiB piece allocates a
    result as long (freeing it had the allocator trim memory that the next piece then faulted in page
    by page), and ``bytearray.translate`` scans at about two thirds of the speed of ``bytes.translate``
    (issue 13). The slices cost the same scan and stay in the cache."""
    if type(chunk) is bytes and len(chunk) <= SCAN:
        return not chunk.translate(None, UPPER_LETTERS)
    view = memoryview(chunk)
    return all(not bytes(view[start: start + SCAN]).translate(None, UPPER_LETTERS)
               for start in range(0, len(chunk), SCAN))


#: The bytes a served sequence may hold: "uppercase ASCII text (bytes 0x41-0x5A)".
NOT_UPPER = bytes(c for c in range(256) if not 0x41 <= c <= 0x5A)
TRUNCATION = 24

HEX = re.compile(r"^[0-9A-Fa-f]+$")
GA4GH = re.compile(r"^SQ\.[A-Za-z0-9_-]{32}$")
#: The algorithm namespaces refget 2.0.0 defines for checksums (§Namespace of the checksums; Appendix 1).
CHECKSUM_NAMESPACES = ("md5", "ga4gh", "trunc512")


def normalise(sequence: bytes) -> bytes:
    """The canonical form the checksums are computed over: letters only, upper case."""
    return sequence.translate(None, NON_LETTERS).upper()


def md5(sequence: bytes) -> str:
    return hashlib.md5(normalise(sequence)).hexdigest()


def trunc512(sequence: bytes) -> str:
    """refget 1.0.1 §TRUNC512: hex of the first 24 bytes of SHA-512 (48 characters)."""
    return hashlib.sha512(normalise(sequence)).digest()[:TRUNCATION].hex()


def ga4gh(sequence: bytes) -> str:
    """refget 2.0.0 §refget Checksum Algorithm: ``SQ.`` + base64url of the first 24 bytes of SHA-512."""
    return ga4gh_of(hashlib.sha512(normalise(sequence)).digest())


def ga4gh_of(sha512_digest: bytes) -> str:
    return "SQ." + base64.urlsafe_b64encode(sha512_digest[:TRUNCATION]).decode("ascii").rstrip("=")


def trunc512_to_ga4gh(value: str) -> str:
    """The ``ga4gh`` form of a TRUNC512 digest (refget 2.0.0: "It is possible to translate between the
    ga4gh and TRUNC512 systems")."""
    return "SQ." + base64.urlsafe_b64encode(bytes.fromhex(value)).decode("ascii").rstrip("=")


class SequenceDigest:
    """MD5, TRUNC512 and ga4gh of a sequence fed in chunks, over its normalised form, in constant memory."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5()
        self._sha512 = hashlib.sha512()
        # pipelined: the next piece of the body is read while this one is hashed
        self._both = ParallelHashes(self._md5, self._sha512, pipelined=True)
        #: Letters seen (the length of the normalised sequence).
        self.length = 0

    def update(self, chunk: bytes | bytearray, normalised: bool = False) -> bytes | bytearray:
        """Hash one chunk; returns its normalised form (what positions in the sequence refer to).
        ``normalised``: the caller knows the chunk is upper-case letters only (:func:`is_normalised`)."""
        piece = chunk if normalised else chunk.translate(None, NON_LETTERS).upper()
        self._both.update(piece)
        self.length += len(piece)
        return piece

    @property
    def md5(self) -> str:
        self._both.wait()
        return self._md5.hexdigest()

    @property
    def trunc512(self) -> str:
        self._both.wait()
        return self._sha512.digest()[:TRUNCATION].hex()

    @property
    def ga4gh(self) -> str:
        self._both.wait()
        return ga4gh_of(self._sha512.digest())


@dataclass(frozen=True)
class Identifier:
    """A checksum identifier: its algorithm, the digest without a namespace, and the namespace it came with."""

    kind: str
    digest: str
    namespace: str | None = None


def checksum_identifier(ident: str, *, namespaces: bool = True) -> Identifier | None:
    """What kind of checksum ``ident`` is, by the texts' rules: a namespace prefix when given (refget 2.0.0
    §Namespace of the checksums), else 32 hex digits are MD5, 48 TRUNC512, and ``SQ.`` marks ga4gh (§Checksum
    Identifier Identification). None for anything else (an alias, a server-specific identifier)."""
    namespace: str | None = None
    value = ident
    if namespaces and ":" in ident:
        prefix, _, rest = ident.partition(":")
        if prefix.lower() not in CHECKSUM_NAMESPACES:
            return None
        namespace, value = prefix.lower(), rest
    if namespace in (None, "md5") and len(value) == 32 and HEX.match(value):
        return Identifier("md5", value.lower(), namespace)
    if namespace in (None, "trunc512") and len(value) == 48 and HEX.match(value):
        return Identifier("trunc512", value.lower(), namespace)
    if namespace in (None, "ga4gh") and GA4GH.match(value):
        return Identifier("ga4gh", value, namespace)
    return None


def bare_ga4gh(value: str) -> str:
    """A ga4gh identifier without the ``ga4gh:`` namespace the 2.0.0 OpenAPI example carries
    (``ga4gh:SQ.aKF4...``), for comparison with the text's form (``SQ.aKF4...``)."""
    return value[len("ga4gh:"):] if value.lower().startswith("ga4gh:") else value


def same_checksum(kind: str, listed: str, computed: str) -> bool:
    """Whether a listed checksum names the computed one: hex case-insensitively ("0xa is equivalent to
    0xA"), ga4gh exactly (base64url is case-sensitive) with or without its namespace."""
    if kind == "ga4gh":
        return bare_ga4gh(listed) == computed
    return listed.lower() == computed.lower()
