"""crypt4gh files made for the reference server with the ``crypt4gh`` library and a throwaway reader key
(made per server): a conformant set, and each named fault as one violation of one file."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from ..keys import new_secret, public_key

SEGMENT = 65536
_LETTERS = bytes(b"ACGT\n"[value % 5] for value in range(256))


@dataclass(frozen=True)
class Made:
    data: bytes
    plaintext: bytes


def plaintext(seed: int, length: int) -> bytes:
    """Deterministic bytes that look like a text file (the content does not matter): random bytes mapped
    onto ``ACGT`` and newlines at C speed (a Python draw per byte cost the reference server's start-up
    most of a second, issue 20)."""
    return random.Random(seed).randbytes(length).translate(_LETTERS)


def _packets(reader: bytes, writer: bytes, plain_packets: list[bytes]) -> list[bytes]:
    from crypt4gh import header

    keys = [(0, writer, public_key(reader))]
    return [encrypted for packet in plain_packets for encrypted in header.encrypt(packet, keys)]


def _segments(data: bytes, key: bytes) -> list[bytes]:
    from crypt4gh import sodium

    out = []
    for start in range(0, len(data), SEGMENT):
        piece = data[start:start + SEGMENT]
        cipher = bytearray(len(piece) + 28)
        length = sodium.chacha20poly1305_encrypt(cipher, piece, key)
        out.append(bytes(cipher[:length]))
    return out


def build(reader: bytes, plain: bytes, *, edit_list: list[int] | None = None, faults: frozenset[str] = frozenset(),
          other_reader: bool = False) -> Made:
    """A crypt4gh file of ``plain`` for ``reader`` (plus one packet for another reader where asked),
    with ``faults`` (names of faults.yaml that concern a file) applied."""
    from crypt4gh import header

    writer = new_secret()
    data_key = hashlib.sha256(writer).digest()  # any 32 bytes: a fresh key per file
    method = 1 if "bad-data-method" in faults else 0
    plain_packets = [header.make_packet_data_enc(method, data_key)]
    if edit_list is not None or "two-edit-lists" in faults:
        plain_packets.append(header.make_packet_data_edit_list(edit_list or [0, len(plain)]))
    if "two-edit-lists" in faults:
        plain_packets.append(header.make_packet_data_edit_list([0, 10]))
    if "edit-list-malformed" in faults:  # number_lengths 3, two lengths
        plain_packets.append(header.PACKET_TYPE_EDIT_LIST + (3).to_bytes(4, "little")
                             + b"".join(n.to_bytes(8, "little") for n in (0, len(plain))))
    if "unknown-packet-type" in faults:
        plain_packets.append(b"\x07\x00\x00\x00" + b"\x00" * 8)
    target = new_secret() if "undecryptable-packet" in faults else reader
    packets = _packets(target, writer, plain_packets)
    if other_reader:
        packets += _packets(new_secret(), writer, plain_packets[:1])
    head = header.serialize(packets)
    if "bad-magic" in faults:
        head = b"crypt4GH" + head[8:]
    if "wrong-version" in faults:
        head = head[:8] + (2).to_bytes(4, "little") + head[12:]
    if "packet-count-too-high" in faults:
        head = head[:12] + (len(packets) + 1).to_bytes(4, "little") + head[16:]
    if "packet-length-short" in faults:
        head = head[:16] + (3).to_bytes(4, "little") + head[20:]
    segments = _segments(plain, data_key)
    if "mac-failure" in faults:
        broken = bytearray(segments[1])
        broken[100] ^= 0x01
        segments[1] = bytes(broken)
    body = b"".join(segments)
    if "truncated-last-segment" in faults:
        body = body[:-5]
    if "truncated-header" in faults:
        return Made(head[:len(head) - 40], plain)
    if "file-truncated-to-5-bytes" in faults:
        return Made(head[:5], plain)
    if "file-truncated-after-wrong-version" in faults:
        return Made(head[:8] + (2).to_bytes(4, "little"), plain)
    if "file-truncated-to-12-bytes" in faults:
        return Made(head[:12], plain)
    return Made(head + body, plain)
