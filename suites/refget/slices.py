"""Sub-sequence rules (refget 1.0.1 and 2.0.0 §Method: get sequence by ID, §Range headers): what a
request for ``start``/``end`` or a ``Range`` must answer, and the windows of a streamed sequence that
the answers are compared with.

Coordinates: ``start``/``end`` are 0-based half-open; a Range is ``bytes=first-last``, 0-based and
inclusive ("bytes=5-14" is "?start=5&end=15"). A start greater than the end asks for the wrap of a
circular sequence: ``sequence[start:] + sequence[:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bases of the sequence kept around each point of interest (its head, middle and tail).
WINDOW = 2048


def range_header(start: int, end: int) -> str:
    """The Range header of the half-open ``[start, end)`` (refget §Range headers)."""
    return f"bytes={start}-{end - 1}"


def piece_of(sequence: bytes, start: int, end: int) -> bytes:
    """``[start, end)`` of a sequence, or the wrap across the origin when start > end."""
    if start > end:
        return sequence[start:] + sequence[:end]
    return sequence[start:end]


class Capture:
    """Keeps, of a sequence streamed in normalised pieces, its first and last ``width`` bases and
    ``width`` bases around ``middle`` (when the length is known before the stream): bounded memory
    whatever the sequence's size."""

    def __init__(self, width: int = WINDOW, middle: int | None = None) -> None:
        self.width = width
        self.count = 0
        self.head = bytearray()
        self.middle_start = max(0, middle - width // 2) if middle is not None else None
        self.middle = bytearray()
        self._tail = bytearray()

    def feed(self, piece: bytes | bytearray) -> None:
        start, end = self.count, self.count + len(piece)
        if len(self.head) < self.width:
            self.head += piece[: self.width - len(self.head)]
        if self.middle_start is not None:
            low, high = max(start, self.middle_start), min(end, self.middle_start + self.width)
            if low < high:
                self.middle += piece[low - start: high - start]
        self._tail += piece[-self.width:]
        if len(self._tail) > 2 * self.width:
            del self._tail[: -self.width]
        self.count = end

    def known(self) -> Known:
        tail = bytes(self._tail[-self.width:])
        windows = [(0, bytes(self.head)), (self.count - len(tail), tail)]
        if self.middle_start is not None and self.middle:
            windows.insert(1, (self.middle_start, bytes(self.middle)))
        return Known(self.count, tuple(windows))


@dataclass(frozen=True)
class Known:
    """What the harness knows of a sequence whose digest it verified: its length and a few windows
    (offset, bases). Slices are judged against these."""

    length: int
    windows: tuple[tuple[int, bytes], ...]

    @classmethod
    def whole(cls, sequence: bytes) -> Known:
        return cls(len(sequence), ((0, sequence),))

    def slice(self, start: int, end: int) -> bytes | None:
        """``[start, end)`` if one window holds it, else None."""
        for offset, data in self.windows:
            if offset <= start and end <= offset + len(data):
                return data[start - offset: end - offset]
        return None

    def piece(self, start: int, end: int) -> bytes | None:
        """``[start, end)``, or the wrap across the origin when start > end, if the windows hold it."""
        if start > end:
            head, tail = self.slice(start, self.length), self.slice(0, end)
            return None if head is None or tail is None else head + tail
        return self.slice(start, end)

    def difference(self, body: bytes, start: int, end: int) -> str | None:
        """Why ``body`` is not the piece ``[start, end)`` (a wrap when start > end): a wrong length, or the
        first base where it disagrees with a known window; None when nothing known contradicts it."""
        parts = [(start, self.length), (0, end)] if start > end else [(start, end)]
        expected_length = sum(high - low for low, high in parts)
        if len(body) != expected_length:
            return f"{len(body)} bases where {expected_length} were asked for"
        position = 0
        for low, high in parts:
            for offset, data in self.windows:
                a, b = max(low, offset), min(high, offset + len(data))
                if a >= b:
                    continue
                got = body[position + a - low: position + b - low]
                want = data[a - offset: b - offset]
                if got != want:
                    first = next(i for i in range(len(want)) if got[i:i + 1] != want[i:i + 1])
                    return (f"base {a + first} is {got[first:first + 1].decode('ascii', 'replace')!r}, "
                            f"but the sequence has {want[first:first + 1].decode('ascii', 'replace')!r} there")
            position += high - low
        return None


@dataclass(frozen=True)
class Expected:
    """What the spec allows as the answer to a start/end request: error statuses, and whether a 200 with
    the piece is allowed (``piece``; a wrap when start > end)."""

    statuses: frozenset[int]
    piece: bool

    def describe(self) -> str:
        options = [str(status) for status in sorted(self.statuses)]
        if self.piece:
            options.insert(0, "200 with the sub-sequence")
        return " or ".join(options)


def expected_query(start: int, end: int, length: int, *, circular_supported: bool | None,
                   limit: int | None, circular: bool = False) -> Expected:
    """The answers refget 1.0.1 / 2.0.0 allow to ``?start=<start>&end=<end>`` on a sequence of ``length``.

    - start larger than the length: ``Bad Request`` ("MUST respond with a Bad Request error if start is
      specified and is larger than the total sequence length"); a server that supports circular sequences
      may answer 416 instead (§Method: get sequence by ID: "If the server supports circular chromosomes
      and ... the range is outside the bounds of the chromosome the server shall return Range Not
      Satisfiable" — the two sentences disagree, and neither answer is failed);
    - end beyond the length: the texts name no status for it, so 400 or 416;
    - either of these with start greater than end: the start > end rule below applies as well, and the
      texts order neither, so its answers are allowed too;
    - start greater than end: without circular support 501 ("Not Implemented"), or 416 (the query
      parameter table: "Range Not Satisfiable ... if ... start is greater than end and the sequence is not
      a circular chromosome" — again both are accepted), whatever the limit; with circular support, the
      wrap of a circular sequence or 416 for a linear one (``circular`` marks a sequence known to be
      circular: only the wrap, but for a start equal to the length, where 416 is allowed too: that start is
      "outside the bounds of the chromosome");
    - a piece longer than ``subsequence_limit``: 416 ("queries exceeding this limit shall return Range Not
      Satisfiable"; a server without circular support may answer a wrap with 501 first);
    - otherwise 200 with exactly the piece.
    """
    errors: set[int] = set()
    if start > length:
        errors.add(400)
        if circular_supported is not False:
            errors.add(416)
    if end > length:
        errors |= {400, 416}
    if errors:
        if start > end:
            # start > end breaks the start > end rule too, and the text orders neither before the other: its
            # answers (501 without circular support, 416 for a linear sequence) are as much the text's
            errors |= {416} if circular_supported is True else {416, 501}
        return Expected(frozenset(errors), False)
    if start > end:
        over = limit is not None and length - start + end > limit
        if circular_supported is not True:
            # 501 is due whatever the limit ("MUST respond with Not Implemented if the start is greater than
            # the end"), and so is the limit's 416: a server may apply either rule first
            return Expected(frozenset({416, 501}), circular_supported is None and not over)
        if over:
            return Expected(frozenset({416}), False)
        if circular and start < length:
            return Expected(frozenset(), True)
        # a linear sequence: 416; a wrap from start == length starts "outside the bounds of the chromosome"
        return Expected(frozenset({416}), True)
    if limit is not None and end - start > limit:
        return Expected(frozenset({416}), False)
    return Expected(frozenset(), True)
