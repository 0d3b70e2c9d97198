"""Reading a Phenopackets 2.0 document with the official ``phenopackets`` package: JSON or YAML in the
protobuf JSON mapping (unknown fields are errors), or binary protobuf; Phenopacket, Family or Cohort.

A document that the mapping refuses is classified by what the protobuf parser objects to (an unknown
field, a one-of set twice, an enum value the schema lacks, anything else), so that each class is one
requirement of its own."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message
from google.protobuf.unknown_fields import UnknownFieldSet
from phenopackets import Cohort, Family, Phenopacket

from conformance import load_yaml

#: Top-level messages, in the order a binary document is tried.
TOP_LEVEL: dict[str, type[Message]] = {"Phenopacket": Phenopacket, "Family": Family, "Cohort": Cohort}


class Unreadable(Exception):
    """The document is no Phenopackets message: ``kind`` says why (unknown-field, one-of, enum, invalid)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Parsed:
    """A document as a message; for a Cohort read member by member (:mod:`.stream`), either the Cohort
    without its members (``source`` set: :func:`.stream.windows` gives the parts) or one part of it, with
    what the rules need of the whole document."""

    #: Phenopacket, Family or Cohort
    kind: str
    message: Message
    #: The member's index in the whole Cohort when ``message`` is a Cohort holding that one member.
    index: int | None = None
    #: The Cohort without its members (its id, metaData...) of a streamed Cohort's part.
    top: Message | None = None
    #: The number of members of a streamed Cohort.
    members: int | None = None
    #: Every namespace prefix declared anywhere in a streamed Cohort.
    declared: frozenset[str] | None = None
    #: Every Individual and Biosample id of a streamed Cohort.
    subjects: frozenset[str] | None = None
    #: The document's bytes again, in chunks (a streamed Cohort, not one of its parts).
    source: Callable[[], Iterator[bytes]] | None = None

    def of_type(self, name: str) -> Iterator[tuple[str, Any]]:
        """:func:`of_type` of the message, a member's paths as in the whole Cohort (``members[<index>]``)."""
        for path, found in of_type(self.message, name):
            if self.index is not None and path.startswith("members[0]"):
                path = f"members[{self.index}]{path[len('members[0]'):]}"
            yield path, found

    @property
    def whole(self) -> Message:
        """The top-level message for what concerns the document as a whole (its id, metaData)."""
        return self.top if self.top is not None else self.message


def top_level_of(data: dict[str, Any]) -> str:
    """Which top-level message a JSON object is: a Family has a proband or a pedigree, a Cohort members."""
    if "proband" in data or "pedigree" in data:
        return "Family"
    if "members" in data:
        return "Cohort"
    return "Phenopacket"


def classify(error: str) -> str:
    if "has no field named" in error:
        return "unknown-field"
    if "oneof" in error:
        return "one-of"
    if "enum" in error.lower():
        return "enum"
    return "invalid"


#: The most characters kept of the protobuf parser's reason (it quotes the value it refuses, of any length):
#: a longer one keeps its beginning and its end, which names where the value is.
REASON_CHARS = 600


def one_line(error: str) -> str:
    """The protobuf parser's reason, first line, without the list of available fields, at most
    :data:`REASON_CHARS` long (a long value it quotes is cut in the middle)."""
    line = error.split("\n", 1)[0].split(" Available Fields", 1)[0].rstrip(".") + "."
    if len(line) > REASON_CHARS:
        line = f"{line[:REASON_CHARS // 2]} … {line[-(REASON_CHARS // 2 - 3):]}"
    return line


def parse(data: bytes) -> Parsed:
    """The document as a protobuf message; raises :class:`Unreadable`."""
    text: str | None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    loaded: Any = None
    #: what the JSON (or, for a text that does not open as JSON does, the YAML) parser said of a text it refused
    said = ""
    if text is not None:
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            said = f"JSON: {exc}"
            try:
                loaded = load_yaml(text)  # timestamps kept as text (RFC 3339 strings)
            except yaml.YAMLError as error:
                loaded = None
                if text.lstrip()[:1] not in ("{", "["):
                    said = "YAML: " + " ".join(str(error).split())
    if isinstance(loaded, dict):
        kind = top_level_of(loaded)
        message = TOP_LEVEL[kind]()
        try:
            json_format.ParseDict(loaded, message)
        except json_format.ParseError as exc:
            raise Unreadable(classify(str(exc)), f"not a valid {kind} in the protobuf JSON mapping: "
                                                 f"{one_line(str(exc))}") from None
        return Parsed(kind, message)
    for kind, cls in TOP_LEVEL.items():
        message = cls()
        try:
            message.ParseFromString(data)
        except DecodeError:
            continue
        if message.ListFields() and not len(UnknownFieldSet(message)):
            return Parsed(kind, message)
    if loaded is not None:
        raise Unreadable("invalid", f"a JSON or YAML {type(loaded).__name__}, not an object, so no Phenopacket, "
                                    "Family or Cohort")
    raise Unreadable("invalid", "neither JSON, YAML nor a binary Phenopacket, Family or Cohort"
                                + (f" ({said[:200]})" if said else ""))


def messages(message: Message, path: str = "") -> Iterator[tuple[str, Message]]:
    """Every message inside ``message`` (itself first) with its JSON path."""
    yield path or message.DESCRIPTOR.name, message
    for field, value in message.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        where = f"{path}.{field.json_name}" if path else field.json_name
        if field.message_type.GetOptions().map_entry:
            continue
        if field.is_repeated:
            for index, item in enumerate(value):
                yield from messages(item, f"{where}[{index}]")
        else:
            yield from messages(value, where)


def of_type(message: Message, name: str) -> Iterator[tuple[str, Any]]:
    """Every message of the type named ``name`` (e.g. ``OntologyClass``) inside ``message``."""
    for path, found in messages(message):
        if found.DESCRIPTOR.name == name:
            yield path, found
