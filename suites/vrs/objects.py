"""Finding the VRS objects of a document: JSON or YAML holding one object, a list of them, or objects
anywhere inside (an object whose ``type`` names a VRS class of the declared version that the schema
gives a computed identifier, or any VRS class at the top)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

from conformance import load_yaml

#: VRS 1.3.0 schema/vrs.json classes (the concrete ones a document holds at its top).
CLASSES_1 = frozenset({
    "Allele", "Haplotype", "CopyNumberCount", "CopyNumberChange", "Genotype", "VariationSet", "Text",
    "SequenceLocation", "ChromosomeLocation"})
#: VRS 2.0.0-connect.2024-09.1 schema/vrs/json classes.
CLASSES_2 = frozenset({
    "Allele", "CisPhasedBlock", "Adjacency", "Terminus", "DerivativeMolecule", "CopyNumberCount",
    "CopyNumberChange", "SequenceLocation", "SequenceReference", "LiteralSequenceExpression",
    "ReferenceLengthExpression", "LengthExpression"})


class NotADocument(Exception):
    """The bytes are no JSON or YAML document."""


def classes(version: str) -> frozenset[str]:
    return CLASSES_1 if version.startswith("1.") else CLASSES_2


def parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotADocument("not UTF-8 text, so neither JSON nor YAML") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        said = f"JSON: {exc}"
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        if text.lstrip()[:1] not in ("{", "["):  # a text that opens as JSON is told by the JSON parser's word
            said = "YAML: " + " ".join(str(exc).split())
        raise NotADocument(f"neither JSON nor YAML ({said[:200]})") from None


def find(document: Any, version: str, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """The outermost VRS objects of ``document`` with their JSON paths (nested ones are checked as parts
    of them)."""
    known = classes(version)
    if isinstance(document, dict):
        kind = document.get("type")
        if isinstance(kind, str) and kind in known:  # a type that is an object (a service-info's) names no class
            yield path, document
            return
        for key, value in document.items():
            yield from find(value, version, f"{path}.{key}")
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield from find(item, version, f"{path}[{index}]")


def of_type(obj: Any, path: str, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object of VRS class ``name`` inside ``obj`` (itself included), with its JSON path."""
    if isinstance(obj, dict):
        if obj.get("type") == name:
            yield path, obj
        for key, value in obj.items():
            yield from of_type(value, f"{path}.{key}", name)
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from of_type(item, f"{path}[{index}]", name)
