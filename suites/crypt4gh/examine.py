"""One crypt4gh 1.0 file examined with the ``crypt4gh`` library: the header parsed by
``crypt4gh.header.parse``, each packet decrypted by ``header.decrypt_packet`` with the reader key and
sorted by ``header.partition_packets``, every segment authenticated and decrypted by
``crypt4gh.lib.decrypt_block``. Nothing of the cryptography, and of the binary format only the header's
first 16 bytes (§3.2: magic number, version, header_packet_count; fixed in place and width), is written
here: those are judged before the library reads the header, so that each problem is named by the
requirement it breaks without reading the library's messages (and a file too short for the library is
judged on the bytes it has). What else this module adds is where each of the library's refusals belongs.

The data part is read in segments of 65 564 bytes from a stream, and only the plain-text's length (and,
where asked, its sha-256) is kept: memory stays constant whatever the file's size.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Any

SEGMENT = 65536
CIPHER_SEGMENT = SEGMENT + 28  # §3.4.2: a 12-byte nonce and a 16-byte MAC around each segment

# the library logs each failed key at ERROR (and debug-logs key material): nothing of it reaches a run
logging.getLogger("crypt4gh").setLevel(logging.CRITICAL)


#: crypt4gh 1.0 §3.2 Header: magic_number[8], then version and header_packet_count (le_uint32 each).
MAGIC = b"crypt4gh"
VERSION_END = 12
START = 16
#: crypt4gh 1.0 §3.2.2: the data_key of chacha20_ietf_poly1305.
DATA_KEY = 32
#: The most header bytes the harness reads. §3.2 sets no bound, but a packet is a few dozen bytes (an edit list
#: 8 a length): a packet_length or header_packet_count claiming more is a corrupt header, whose bytes the
#: library would otherwise gather in memory (a packet_length of 4 GiB, the data segments read as its body).
HEADER_BYTES = 16 * 1024 * 1024


@dataclass
class Examination:
    """What the file is, as far as it could be read; each ``*_problem`` is one sentence or None."""

    magic_problem: str | None = None
    version_problem: str | None = None
    packets_problem: str | None = None
    #: the bytes a file shorter than the header's first 16 holds (None for any other)
    held: int | None = None
    packet_count: int = 0
    #: header packets the reader key decrypted, and those it did not (another reader's)
    decrypted: int = 0
    skipped: int = 0
    packet_type_problem: str | None = None
    edit_lists: int = 0
    data_method_problem: str | None = None
    data_keys: int = 0
    reader_problem: str | None = None
    edit_list: list[int] | None = None
    segments: int = 0
    #: the first segment (0-based) that did not authenticate, the last one excepted
    bad_segment: int | None = None
    last_segment_problem: str | None = None
    #: whether the last segment was whole (more than a nonce and a MAC) but did not authenticate
    last_unauthenticated: bool = False
    plaintext_length: int = 0
    plaintext_sha256: str = ""
    edited_length: int | None = None
    edit_list_problem: str | None = None
    #: segments that did not authenticate (the last one included)
    unauthenticated: int = 0
    #: why the header's packets were not read at all (more than :data:`HEADER_BYTES`): no check can judge them
    unexamined: str | None = None

    @property
    def header_read(self) -> bool:
        return not (self.magic_problem or self.version_problem or self.packets_problem or self.unexamined)

    @property
    def data_read(self) -> bool:
        return self.header_read and not (self.reader_problem or self.packet_type_problem
                                         or self.data_method_problem)

    def stopped(self) -> str | None:
        """Why the examination stopped before the data, as the check that judges it ("fails
        crypt4gh.header.magic"), for a skip's reason; None when it reached the data."""
        if self.unexamined:
            return "has a header too large to examine (crypt4gh.header.packets)"
        for problem, check in ((self.magic_problem, "crypt4gh.header.magic"),
                               (self.version_problem, "crypt4gh.header.version"),
                               (self.packets_problem, "crypt4gh.header.packets"),
                               (self.packet_type_problem, "crypt4gh.header.packet-type"),
                               (self.reader_problem, "crypt4gh.header.reader-key"),
                               (self.data_method_problem, "crypt4gh.header.data-encryption")):
            if problem:
                return f"fails {check}"
        return None


def examine(stream: io.BufferedIOBase, secret: bytes, *, digest: bool = False) -> Examination:
    """Examine the file ``stream`` reads; ``digest``: also the sha-256 of the decrypted plain-text."""
    from crypt4gh import header

    found = Examination()
    head = stream.read(START)
    if _preamble(head, found):
        return found
    found.packet_count = int.from_bytes(head[VERSION_END:START], "little")
    if stream.seekable():
        stream.seek(-len(head), io.SEEK_CUR)
    else:  # a download: the 16 bytes are handed back in front of the rest (one more copy of each byte)
        stream = io.BufferedReader(_Prefixed(head, stream), buffer_size=CIPHER_SEGMENT)
    try:
        packets = list(header.parse(_Bounded(stream, HEADER_BYTES)))
    except _TooLarge as exc:
        found.unexamined = str(exc)
        return found
    except ValueError as exc:
        found.packets_problem = f"the header is malformed: {exc}"
        return found
    decrypted, ignored = header.decrypt(packets, [(0, secret, None)])
    found.decrypted, found.skipped = len(decrypted), len(ignored)
    types = [int.from_bytes(bytes(p[:4]), "little") for p in decrypted]
    found.edit_lists = types.count(1)
    unknown = sorted({t for t in types if t not in (0, 1)})
    if unknown:
        found.packet_type_problem = f"a header packet has type {unknown[0]}, neither 0 (data encryption " \
                                    "parameters) nor 1 (data edit list)"
        return found
    data_packets = [bytes(p[4:]) for p, t in zip(decrypted, types) if t == 0]
    found.data_keys = len(data_packets)
    if not data_packets:
        found.reader_problem = (
            f"the reader key decrypts {found.decrypted} of the {len(packets)} header packet(s), none of them data "
            "encryption parameters" if found.decrypted else
            f"none of the {len(packets)} header packet(s) decrypts with the reader key: the file was encrypted for "
            "other readers only (not for the key the profile names), or its packets are not encrypted as §3.2.1 says")
        return found
    keys: list[bytes] = []
    for packet in data_packets:
        try:
            key = bytes(header.parse_enc_packet(packet))
        except ValueError as exc:
            found.data_method_problem = f"a data encryption parameters packet is not usable: {exc}"
            return found
        # §3.2.2: data_key[32]; §3.2.1: a packet may be longer, padded after its data. The library hands back
        # the rest of the packet and its decryption reads 32 bytes whatever it is given: a shorter key is
        # refused here, never read past its end.
        if len(key) < DATA_KEY:
            found.data_method_problem = (f"a data encryption parameters packet holds a {len(key)}-byte data_key, "
                                         f"not the {DATA_KEY} bytes of chacha20_ietf_poly1305")
            return found
        keys.append(key[:DATA_KEY])
    if found.edit_lists == 1:
        raw = next(bytes(p[4:]) for p, t in zip(decrypted, types) if t == 1)
        try:
            found.edit_list = list(header.parse_edit_list_packet(raw))
        except ValueError as exc:
            found.edit_list_problem = f"the edit list packet is malformed: {exc}"
    _data(stream, keys, found, digest)
    return found


def _preamble(head: bytes, found: Examination) -> bool:
    """Judge the header's first 16 bytes (§3.2: magic number, version, header_packet_count), whose layout
    is fixed; whether the examination ends there. The library parses the rest (and refuses a file shorter
    than 16 bytes before it looks at the magic number or the version: a short file is judged here on the
    bytes it has; a version is judged where its four bytes are there)."""
    if len(head) < START:
        found.held = len(head)
    if len(head) < len(MAGIC):
        found.magic_problem = (f"the file holds only {len(head)} byte(s) ({head!r}), not the {len(MAGIC)}-byte "
                               f"magic number {MAGIC!r}" if head else f"the file is empty: it has no magic number "
                                                                       f"{MAGIC!r}")
    elif head[:len(MAGIC)] != MAGIC:
        found.magic_problem = f"the file begins with {head[:len(MAGIC)]!r}, not the magic number {MAGIC!r}"
    elif len(head) >= VERSION_END and (version := int.from_bytes(head[len(MAGIC):VERSION_END], "little")) != 1:
        found.version_problem = f"the version is {version}, not 1"
    elif len(head) < START:
        found.packets_problem = (f"the file ends after {len(head)} bytes, before the end of header_packet_count "
                                 f"(the header's first {START} bytes: magic number, version, header_packet_count)")
    return not found.header_read


def _data(stream: io.BufferedIOBase, keys: list[bytes], found: Examination, hashing: bool) -> None:
    from crypt4gh import lib

    digest = hashlib.sha256() if hashing else None
    plain = bytearray(SEGMENT)
    # two segment buffers, swapped: the one after is read first so that the last segment is known
    chunk, following = bytearray(CIPHER_SEGMENT), bytearray(CIPHER_SEGMENT)
    pending = _fill(stream, chunk)
    while pending:
        after = _fill(stream, following) if pending == CIPHER_SEGMENT else 0
        last = not after
        index = found.segments
        found.segments += 1
        if pending <= 28:
            found.last_segment_problem = (f"the last segment ({index}) is {pending} bytes: "
                                          "no room for a nonce, data and a MAC (truncated)")
            break
        try:
            length = lib.decrypt_block(plain, memoryview(chunk)[:pending], keys)
        except ValueError:
            if last:
                found.last_segment_problem = (f"the last segment ({index}, {pending} bytes) does not "
                                              "authenticate with any data key (truncated or corrupt)")
                found.last_unauthenticated = True
            elif found.bad_segment is None:
                found.bad_segment = index
            length = max(pending - 28, 0)  # count the bytes it holds; their content is unknown
            found.unauthenticated += 1
        else:
            if digest is not None:
                digest.update(memoryview(plain)[:length])
        found.plaintext_length += length
        chunk, following, pending = following, chunk, after
    found.plaintext_sha256 = digest.hexdigest() if digest is not None else ""
    if found.edit_list is not None:
        _apply(found)


class _TooLarge(Exception):
    """The header claims more bytes than :data:`HEADER_BYTES`, and the file holds them."""


class _Bounded:
    """``stream`` as ``crypt4gh.header.parse`` reads it (``readinto`` of the first 16 bytes, then ``read`` of
    each packet), never more than ``bound`` bytes in all: a request past the bound is answered with what the
    file holds when it ends first (the library then says the packet is too small), else :class:`_TooLarge`."""

    def __init__(self, stream: io.BufferedIOBase, bound: int) -> None:
        self.stream, self.left = stream, bound

    def readinto(self, buffer: Any) -> int:
        count = _fill(self.stream, buffer)
        self.left -= count
        return count

    def read(self, size: int) -> bytes:
        if size <= self.left:
            data = self.stream.read(size)
            self.left -= len(data)
            return data
        held = bytearray()
        while len(held) <= self.left:
            piece = self.stream.read(min(1 << 20, self.left + 1 - len(held)))
            if not piece:
                self.left -= len(held)
                return bytes(held)  # the file ends inside the packet: the library says so
            held += piece
        raise _TooLarge(f"the header runs past the {HEADER_BYTES} bytes the harness reads of one (its "
                        f"header_packet_count and packet_length fields claim more: a read of {size} bytes; crypt4gh "
                        "1.0 §3.2 sets no bound, but a packet is a few dozen bytes), so its packets were not examined")


class _Prefixed(io.RawIOBase):
    """``prefix`` then the rest of ``stream``: a stream that cannot seek back is read once."""

    def __init__(self, prefix: bytes, stream: io.BufferedIOBase) -> None:
        self.prefix, self.stream = memoryview(prefix), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.prefix:
            count = min(len(buffer), len(self.prefix))
            buffer[:count] = self.prefix[:count]
            self.prefix = self.prefix[count:]
            return count
        return self.stream.readinto(buffer)


def _fill(stream: io.BufferedIOBase, buffer: bytearray) -> int:
    """Read into ``buffer`` until it is full or the stream ends (a network stream may return less)."""
    view, filled = memoryview(buffer), 0
    while filled < len(buffer):
        got = stream.readinto(view[filled:])
        if not got:
            break
        filled += got
    return filled


def _apply(found: Examination) -> None:
    """crypt4gh 1.0 §4.2 ApplyEditList, on lengths only: the edited length (a length past the end of the
    plain-text takes what there is, as substr does)."""
    edits = list(found.edit_list or [])
    if not edits:
        found.edited_length = found.plaintext_length
        return
    total, position, out = found.plaintext_length, 0, 0
    while edits:
        position += edits.pop(0)
        if not edits:
            out += max(total - position, 0)
        else:
            keep = edits.pop(0)
            out += max(min(keep, total - position), 0)
            position += keep
    found.edited_length = out


def examine_bytes(data: bytes, secret: bytes, *, digest: bool = False) -> Examination:
    return examine(io.BytesIO(data), secret, digest=digest)
