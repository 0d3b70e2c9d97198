"""A JSON Cohort read one member at a time, so that its size does not set the run's memory.

:func:`events` splits the top-level object of a JSON document read in chunks: each top-level field other
than ``members`` whole, and each element of the ``members`` array on its own, with the standard library's
JSON decoder (``raw_decode``: the same grammar as ``json.loads``). Anything it does not expect (no object
at the top, a duplicate top-level key, ``members`` not an array, invalid JSON or UTF-8, a value nested
deeper than the decoder goes) raises :class:`NotStreamable`, and the caller reads the document whole as
before, so that every verdict and message stays the one of the whole reading.

:func:`cohort` reads such a document as :mod:`.model` reads it whole (the same classification of what the
protobuf mapping refuses, the same messages), keeping only the Cohort without its members, the number of
members and what the rules need of the whole document (the declared ontology prefixes and the individual
and biosample ids); :func:`windows` gives the document again, member by member, each as a Cohort holding
that one member, then the Cohort without its members (the order in which :func:`.model.messages` walks
a whole Cohort: members, then files and metaData).

Bound: the largest member, the top-level fields other than ``members``, the declared prefixes and the
individual and biosample ids (a few bytes a member), and one chunk (1 MiB) of the file.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from phenopackets import Cohort

from . import rules
from .model import Parsed, Unreadable, classify, of_type, one_line

CHUNK = 1024 * 1024
_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class NotStreamable(Exception):
    """The document is not a JSON object this reader splits: read it whole."""


class _Buffer:
    """Decoded text of the chunks, refilled on demand."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.eof = False

    def refill(self) -> bool:
        if self.eof:
            return False
        if self.pos > CHUNK:
            self.text, self.pos = self.text[self.pos:], 0
        try:
            chunk = next(self.chunks)
        except StopIteration:
            chunk, self.eof = b"", True
        try:
            self.text += self.decoder.decode(chunk, final=self.eof)
        except UnicodeDecodeError:
            raise NotStreamable("not UTF-8") from None
        return True

    def more(self) -> bool:
        """Twice as much text from the position on (each retry of a long value reads as much again as
        the last, so that a value of n bytes is decoded O(log n) times, not n / CHUNK times)."""
        wanted = 2 * max(len(self.text) - self.pos, 1)
        grew = False
        while len(self.text) - self.pos < wanted and self.refill():
            grew = True
        return grew

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.refill():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise NotStreamable(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value; refills while it may be cut by the end of the text read so far (a number
        ending at the end of the text might go on)."""
        self.peek()
        while True:
            try:
                found, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if not self.more():
                    raise NotStreamable("invalid JSON") from None
                continue
            except RecursionError:  # read whole, the kit names the depth (conformance.documents)
                raise NotStreamable("nested too deeply to parse") from None
            if end == len(self.text) and self.refill():
                continue
            self.pos = end
            return found


def events(chunks: Iterator[bytes]) -> Iterator[tuple[str, Any]]:
    """("field", (key, value)) for each top-level field but ``members``, ("member", value) for each of its
    elements, in document order; raises :class:`NotStreamable`."""
    buffer = _Buffer(chunks)
    buffer.expect("{")
    seen: set[str] = set()
    if buffer.peek() == "}":
        buffer.pos += 1
    else:
        while True:
            key = buffer.value()
            if not isinstance(key, str) or key in seen:
                raise NotStreamable("a duplicate or non-string key")
            seen.add(key)
            buffer.expect(":")
            if key == "members":
                buffer.expect("[")
                if buffer.peek() == "]":
                    buffer.pos += 1
                else:
                    while True:
                        yield "member", buffer.value()
                        if buffer.peek() == "]":
                            buffer.pos += 1
                            break
                        buffer.expect(",")
                yield "members-end", None
            else:
                yield "field", (key, buffer.value())
            if buffer.peek() == "}":
                buffer.pos += 1
                break
            buffer.expect(",")
    if buffer.peek() != "":
        raise NotStreamable("extra data after the object")


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _field_key(key: str) -> str:
    """The Cohort field a top-level key names (its JSON or proto name), so that a field given under both
    names is found (the mapping refuses it; the whole reading says so)."""
    descriptor = Cohort.DESCRIPTOR
    field = descriptor.fields_by_camelcase_name.get(key) or descriptor.fields_by_name.get(key)
    return field.name if field is not None else key


def _member(value: Any, index: int) -> Cohort:
    """A Cohort holding the one member, parsed as the whole Cohort would parse it (same messages, the
    member's index put back); raises :class:`Unreadable`."""
    window = Cohort()
    try:
        json_format.ParseDict({"members": [value]}, window)
    except json_format.ParseError as exc:
        error = str(exc).replace("Cohort.members[0]", f"Cohort.members[{index}]", 1)
        raise Unreadable(classify(error),
                         f"not a valid Cohort in the protobuf JSON mapping: {one_line(error)}") from None
    return window


def cohort(source: Callable[[], Iterator[bytes]]) -> Parsed:
    """The document as a streamed Cohort; raises :class:`Unreadable` as :func:`.model.parse` would, or
    :class:`NotStreamable` when it is no JSON Cohort (or when this reading could differ from the whole
    one)."""
    shell = Cohort()
    keys: set[str] = set()
    problem: Unreadable | None = None
    members = 0
    declared: set[str] = set()
    subjects: set[str] = set()
    for kind, value in events(source()):
        if kind == "member":
            if problem is None:
                try:
                    window = _member(value, members)
                except Unreadable as exc:
                    problem = exc
                else:
                    declared |= {r.namespace_prefix for _, r in of_type(window, "Resource")}
                    subjects |= rules.subjects(window)
            members += 1
        elif kind == "members-end":
            keys.add("members")
        else:
            key, field = value
            name = _field_key(key)
            if name in keys:
                raise NotStreamable(f"the field {key} given twice")
            keys.add(name)
            if problem is None:
                try:
                    json_format.ParseDict({key: field}, shell)
                except json_format.ParseError as exc:
                    problem = Unreadable(classify(str(exc)), "not a valid Cohort in the protobuf JSON mapping: "
                                                             f"{one_line(str(exc))}")
    if "members" not in keys or keys & {"proband", "pedigree"}:
        raise NotStreamable("not a Cohort")  # model.top_level_of: a Family or a Phenopacket, read whole
    if problem is not None:
        raise problem
    declared |= {r.namespace_prefix for _, r in of_type(shell, "Resource")}
    return Parsed("Cohort", shell, members=members, top=shell, declared=frozenset(declared),
                  subjects=frozenset(subjects | rules.subjects(shell)), source=source)


def windows(parsed: Parsed) -> Iterator[Parsed]:
    """The parts of a document: itself unless it is a streamed Cohort; else the Cohort again, one member
    at a time (a Cohort holding member i, ``index`` i), then the Cohort without its members, each with the
    whole document's context (declared prefixes, ids, number of members)."""
    if parsed.source is None:
        yield parsed
        return
    index = 0
    for kind, value in events(parsed.source()):
        if kind == "member":
            yield replace(parsed, message=_member(value, index), index=index, source=None)
            index += 1
    yield replace(parsed, source=None)
