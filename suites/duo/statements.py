"""Data-use statements found in a document, and every DUO term they mention, with where each is.

A statement has the shape of Beacon v2's ``duoDataUse`` item, the form GA4GH hosts use: an ontology
term (``id``, optional ``label``), an optional ``version`` (the DUO release) and optional ``modifiers``
(ontology terms). Statements are found as the items of every ``duoDataUse`` array of the document
(``dataUseConditions.duoDataUse`` in a Beacon dataset), or as the document itself when it is one such
item or an array of them; the statements of one array are one data object's conditions (Beacon v2 lists a
dataset's "Data Use Ontology codes" there, modifiers as items of their own too). Any other object whose
``id`` names DUO (as a CURIE, written well or badly, or as the term's OBO IRI) is a term mention (checked
as a term, not as a statement).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from conformance import load_yaml

from .ontology import curie_of

#: An ontology CURIE of any prefix (MONDO:0005148, DOID:162, HP:0000118, SNOMED:...).
_ANY_CURIE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*:[^\s:]+")
#: An id that claims to be a DUO term, well or badly written (DUO:0000042, DUO_0000042, duo:0000004,
#: DUO0000042, DUO:GRU): "DUO" then a colon, or digits (after an underscore or not). An id that only begins
#: with those letters is another name: a DUOS dataset id (DUOS-000123, the Data Use Oversight System's),
#: "Duodenum biopsies", a cohort "DUO-2" or "DUO cohort".
_CLAIMS_DUO = re.compile(r"\s*DUO(?::|_?[0-9])", re.IGNORECASE)


def claims_duo(value: Any) -> bool:
    """Whether ``value`` is an id that claims to be a DUO term (or names one by its OBO IRI)."""
    return isinstance(value, str) and (_CLAIMS_DUO.match(value) is not None or curie_of(value) is not None)


class NotADocument(ValueError):
    """The bytes are neither JSON nor YAML holding an object or an array."""


@dataclass(frozen=True)
class Mention:
    """One ontology term as a document gives it: ``id`` (any JSON value), ``label`` if any, and where."""

    id: Any
    label: Any
    path: str

    @property
    def says_duo(self) -> bool:
        """Whether the id claims to be a DUO term (:func:`claims_duo`)."""
        return claims_duo(self.id)

    @property
    def curie(self) -> str | None:
        """The DUO CURIE the id names (as a CURIE or as the term's OBO IRI), or None."""
        return curie_of(self.id)


@dataclass(frozen=True)
class Statement:
    path: str
    permission: Mention
    modifiers: tuple[Mention, ...]
    #: Non-DUO CURIEs anywhere in the statement (a disease term for disease-specific research).
    other_terms: tuple[str, ...]
    #: The ``version`` field when present (None when absent).
    version: Any = None
    has_version: bool = False
    #: Where the list of the data object's statements is (its duoDataUse array, or the document): the
    #: statements of one group are one data object's data-use conditions together.
    group: str = ""


@dataclass
class Found:
    statements: list[Statement] = field(default_factory=list)
    #: Every DUO term mention: the statements' permissions and modifiers, and any other object naming DUO.
    mentions: list[Mention] = field(default_factory=list)


def parse(data: bytes) -> Any:
    """The document as JSON, else as YAML; raises :class:`NotADocument`."""
    try:
        return json.loads(data)
    except ValueError:
        pass
    try:
        document = load_yaml(data.decode("utf-8"))  # timestamps kept as text
    except UnicodeDecodeError:
        raise NotADocument("not UTF-8 text, so neither JSON nor YAML") from None
    except yaml.YAMLError as exc:  # the parser's reason, or aliases refused (a cycle, a "billion laughs")
        raise NotADocument(f"neither JSON nor YAML a suite reads ({' '.join(str(exc).split())[:200]})") from None
    if not isinstance(document, (dict, list)):
        raise NotADocument("neither a JSON/YAML object nor an array")
    return document


def _is_statement_shaped(node: Any) -> bool:
    return isinstance(node, dict) and "id" in node and ("modifiers" in node or claims_duo(node.get("id")))


def find(document: Any) -> Found:
    """The statements and DUO term mentions of a parsed document."""
    found = Found()
    claimed: set[int] = set()
    if isinstance(document, list) and document and all(_is_statement_shaped(n) for n in document):
        for index, item in enumerate(document):
            _statement(item, f"/{index}", found, claimed, "")
    elif _is_statement_shaped(document):
        _statement(document, "", found, claimed, "")
    for node, path in _walk(document, ""):
        if isinstance(node, dict) and isinstance(node.get("duoDataUse"), list):
            for index, item in enumerate(node["duoDataUse"]):
                if isinstance(item, dict) and id(item) not in claimed:
                    _statement(item, f"{path}/duoDataUse/{index}", found, claimed, f"{path}/duoDataUse")
    for node, path in _walk(document, ""):
        if isinstance(node, dict) and id(node) not in claimed:
            mention = Mention(node.get("id"), node.get("label"), path)
            if mention.says_duo:
                found.mentions.append(mention)
    return found


def groups(statements: list[Statement]) -> dict[str, list[Statement]]:
    """The statements by data object (:attr:`Statement.group`), in the order found."""
    found: dict[str, list[Statement]] = {}
    for statement in statements:
        found.setdefault(statement.group, []).append(statement)
    return found


def _statement(item: dict[str, Any], path: str, found: Found, claimed: set[int], group: str) -> None:
    claimed.add(id(item))
    permission = Mention(item.get("id"), item.get("label"), path)
    modifiers: list[Mention] = []
    raw = item.get("modifiers")
    if isinstance(raw, list):
        for index, modifier in enumerate(raw):
            if isinstance(modifier, dict):
                claimed.add(id(modifier))
                modifiers.append(Mention(modifier.get("id"), modifier.get("label"), f"{path}/modifiers/{index}"))
    others = tuple(sorted({text for key, value in item.items() if key not in ("id", "label", "version")
                           for text in _strings(value)
                           if _ANY_CURIE.fullmatch(text) and not text.upper().startswith("DUO")
                           and curie_of(text) is None}))
    statement = Statement(path, permission, tuple(modifiers), others, item.get("version"), "version" in item, group)
    found.statements.append(statement)
    found.mentions.append(permission)
    found.mentions.extend(m for m in modifiers if m.says_duo)


def _strings(node: Any) -> Iterator[str]:
    for value, _ in _walk(node, ""):
        if isinstance(value, str):
            yield value.strip()


def _walk(node: Any, path: str, seen: set[int] | None = None) -> Iterator[tuple[Any, str]]:
    """Every value of the document with its path, each object and array once: YAML aliases share one
    (``&a [*b, *b, ...]``, a few hundred bytes, would otherwise stand for billions of values), reached by
    the first path to it."""
    seen = set() if seen is None else seen
    if isinstance(node, (dict, list)):
        if id(node) in seen:
            return
        seen.add(id(node))
    yield node, path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}", seen)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}", seen)
