"""The refget suite's slice logic: Range and start/end coordinates (the texts' own examples), the windows a
streamed sequence keeps, how an answer is compared with them, and which answers the texts allow."""

from __future__ import annotations

import pytest
from conformance_suites.refget.slices import Capture, Known, expected_query, piece_of, range_header
from hypothesis import given
from hypothesis import strategies as st

# refget 1.0.1 and 2.0.0 §Range headers
EXAMPLE = b"CAACAGAGACTGCTGCTGACAGTGGGCGGGGGAGTAGTTTGCTTGGCCCGTGGTTGAGGA"


def test_the_texts_range_examples() -> None:
    assert range_header(5, 15) == "bytes=5-14"
    assert piece_of(EXAMPLE, 5, 15) == b"GAGACTGCTG"
    assert range_header(0, 1) == "bytes=0-0"
    assert piece_of(EXAMPLE, 0, 1) == b"C"


def test_wrap_across_the_origin() -> None:
    # "the sequence from the start location to the end of the reference, immediately followed by the
    # sequence from the first base to the end"
    assert piece_of(b"ABCDEFGH", 6, 2) == b"GHAB"
    known = Known.whole(b"ABCDEFGH")
    assert known.piece(6, 2) == b"GHAB"
    assert known.difference(b"GHAB", 6, 2) is None
    assert known.difference(b"ABGH", 6, 2) is not None


sequences = st.integers(min_value=1, max_value=3000).flatmap(
    lambda n: st.binary(min_size=n, max_size=n).map(lambda b: bytes(b"ACGT"[x % 4] for x in b)))


@given(sequences, st.integers(min_value=1, max_value=700), st.data())
def test_capture_keeps_true_windows_for_any_chunking(sequence: bytes, chunk: int, data: st.DataObject) -> None:
    capture = Capture(width=256, middle=len(sequence) // 2)
    for offset in range(0, len(sequence), chunk):
        capture.feed(sequence[offset: offset + chunk])
    known = capture.known()
    assert known.length == len(sequence)
    for offset, window in known.windows:
        assert sequence[offset: offset + len(window)] == window
    assert known.slice(0, min(256, len(sequence))) == sequence[:256]
    assert known.slice(max(0, len(sequence) - 256), len(sequence)) == sequence[-256:]
    start = data.draw(st.integers(min_value=0, max_value=len(sequence)))
    end = data.draw(st.integers(min_value=start, max_value=len(sequence)))
    body = sequence[start:end]
    assert known.difference(body, start, end) is None
    if body:
        wrong = bytes([body[0] ^ 0x20]) + body[1:]  # the first base in lower case
        found = known.difference(wrong, start, end)
        assert found is None or f"base {start}" in found  # caught wherever a window holds it
        assert known.difference(body[:-1], start, end) is not None  # a base short


def test_difference_names_the_first_wrong_base() -> None:
    known = Known.whole(EXAMPLE)
    assert known.difference(b"GAGACTGCTA", 5, 15) == "base 14 is 'A', but the sequence has 'G' there"
    assert known.difference(b"AGACTGCTGC", 5, 15) is not None  # off by one
    assert known.difference(b"GAGACTGCT", 5, 15) == "9 bases where 10 were asked for"


@pytest.mark.parametrize(("start", "end", "support", "circular", "limit", "statuses", "piece"), [
    (5, 15, False, False, None, set(), True),          # in bounds: the piece
    (61, 62, False, False, None, {400, 416}, False),   # start larger than the length (60) and the end past it
    (61, 10, False, False, None, {400, 416, 501}, False),  # start > end too: that rule's answers as well
    (61, 10, True, False, None, {400, 416}, False),    # ... with circular support (400, or 416: E5), no 501
    (60, 60, False, False, None, set(), True),         # start == length is not "larger"
    (50, 61, False, False, None, {400, 416}, False),   # end past the length: no status named
    (50, 10, False, False, None, {416, 501}, False),   # start > end, no circular support (E6)
    (50, 10, True, False, None, {416}, True),          # supported: 416 (linear) or the wrap
    (50, 10, True, True, None, set(), True),           # a known circular sequence: the wrap only
    (50, 10, None, False, None, {416, 501}, True),     # support unknown: any of these
    (0, 40, False, False, 30, {416}, False),           # over the subsequence limit
    (50, 25, True, True, 30, {416}, False),            # a wrap of 35 bases over a limit of 30
    (50, 25, False, False, 30, {416, 501}, False),     # ... without circular support 501 is as due
    (50, 25, None, False, 30, {416, 501}, False),      # ... and support unknown: either
    (60, 10, True, True, None, {416}, True),           # a wrap from start == length: "outside the bounds"
])
def test_expected_answers(start: int, end: int, support: bool | None, circular: bool, limit: int | None,
                          statuses: set[int], piece: bool) -> None:
    expected = expected_query(start, end, 60, circular_supported=support, limit=limit, circular=circular)
    assert expected.statuses == statuses
    assert expected.piece is piece
