"""The seqcol JSON Schema a server publishes in service-info (Sequence Collections 1.0.0 §1, §3.1 "The
service-info JSON-schema document", §4.7): its attribute qualifiers, and a form of it the harness can
validate collections with.

A served schema may point its properties at the approved seqcol schema with ``$ref`` (§3.1 RECOMMENDS
it; the spec's own example uses ``"$ref": "/lengths"``). Such a reference names a base term; it is
replaced by that term's definition in the official minimal schema when the official files are at hand.
Any other remote reference is not fetched: that property is left unconstrained.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from conformance import FORMAT_CHECKER, SpecStore

#: The approved minimal schema (path in the specs directory; pinned in specs_pins.json).
MINIMAL = "refget/seqcol-1.0.0/schemas/seqcol_minimal_v1.0.0.json"
QUALIFIERS = ("inherent", "transient", "passthru")


@dataclass
class Qualifiers:
    """The global qualifiers of a schema (``ga4gh.inherent`` / ``transient`` / ``passthru``, §4.7) and
    what is wrong with them, if anything."""

    inherent: list[str] | None = None
    transient: set[str] = field(default_factory=set)
    passthru: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    #: the qualifier lists that are present but malformed (unusable)
    malformed: set[str] = field(default_factory=set)


def qualifiers(schema: dict[str, Any]) -> Qualifiers:
    found = Qualifiers()
    section = schema.get("ga4gh")
    if "ga4gh" in schema and not isinstance(section, dict):
        found.problems.append("ga4gh is not an object")
        found.malformed.update(QUALIFIERS)
        section = {}
    section = section or {}
    for name in QUALIFIERS:
        value = section.get(name)
        if name not in section:
            if name == "inherent":
                found.problems.append("ga4gh.inherent is missing (a seqcol schema MUST define its inherent "
                                      "attributes)")
            continue
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            found.problems.append(f"ga4gh.{name} is not an array of attribute names")
            found.malformed.add(name)
            continue
        if name == "inherent":
            if not value:
                found.problems.append("ga4gh.inherent is empty (at least one attribute must be inherent)")
                continue
            found.inherent = list(value)
        elif name == "transient":
            found.transient = set(value)
        else:
            found.passthru = set(value)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, definition in properties.items():
            if isinstance(definition, dict) and "collated" in definition \
                    and not isinstance(definition["collated"], bool):
                found.problems.append(f"properties.{name}.collated is not a boolean")
    return found


def properties(schema: dict[str, Any]) -> dict[str, Any]:
    value = schema.get("properties")
    return value if isinstance(value, dict) else {}


def meta_problem(schema: object) -> str | None:
    """Why ``schema`` is not a valid JSON Schema (checked against the meta-schema of its ``$schema``,
    2020-12 when it names none), or None."""
    if not isinstance(schema, dict):
        return "it is not a JSON object"
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        return f"at {where}: {exc.message[:200]}"
    return None


def official_terms(schemas: SpecStore) -> dict[str, Any]:
    """The definitions of the base terms in the approved minimal schema, or {} without the official files."""
    if not schemas.has(MINIMAL):
        return {}
    document = schemas.load(MINIMAL)
    found = document.get("properties") if isinstance(document, dict) else None
    return dict(found) if isinstance(found, dict) else {}


def resolved(schema: dict[str, Any], terms: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``schema`` with every remote ``$ref`` replaced by the official definition of the base term it
    names, or by ``{}`` (returned in the list) when it names none the harness holds."""
    unresolved: list[str] = []

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                name = re.split(r"[/#]", ref.rstrip("/"))[-1]
                if name in terms:
                    return copy.deepcopy(terms[name])
                unresolved.append(ref)
                return {}
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return node

    document = walk(schema)
    document.pop("$id", None)  # local "#..." references resolve within the document itself
    return document, unresolved


def collection_validator(schema: dict[str, Any], terms: dict[str, Any], omit_required: set[str]) -> Validator:
    """A validator of level-2 collections by the served schema (references resolved as above), not
    requiring the attributes in ``omit_required`` (transient ones have no level-2 value, §4.5)."""
    document, _ = resolved(schema, terms)
    required = document.get("required")
    if isinstance(required, list):
        document["required"] = [name for name in required if name not in omit_required]
    cls = validator_for(document, default=Draft202012Validator)
    validator: Validator = cls(document, format_checker=FORMAT_CHECKER)
    return validator


def is_collated(schema: dict[str, Any], terms: dict[str, Any], name: str) -> bool:
    """Whether the served schema marks ``name`` collated (``collated: true``, §4.2), looking through a
    reference to a base term."""
    definition = properties(schema).get(name)
    if isinstance(definition, dict) and isinstance(definition.get("$ref"), str) and "collated" not in definition:
        document, _ = resolved({"d": definition}, terms)
        definition = document["d"]
    return isinstance(definition, dict) and definition.get("collated") is True
