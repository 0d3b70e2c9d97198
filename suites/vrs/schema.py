"""The official JSON Schemas of each VRS version, read through the kit's SpecStore (never copied):
1.3.0 ``schema/vrs.json`` (``definitions/<Class>``), 2.0.0-connect.2024-09.1 ``schema/vrs/json/<Class>`` with
its gks-common parts (their ``$id`` URLs mapped to the specs directory, offline)."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator, validators

try:  # jsonschema's own oneOf, which the fast path below falls back to (a private name: guarded)
    from jsonschema._keywords import oneOf as _one_of
except ImportError:  # pragma: no cover - another jsonschema layout: the plain validator, same verdicts
    _one_of = None
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance import FORMAT_CHECKER, SpecStore

from .objects import CLASSES_2

SCHEMA_1 = "vrs/1.3.0/schema/vrs.json"
DIR_2 = "vrs/2.0.0-connect.2024-09.1/schema"


def validator(schemas: SpecStore, version: str, cls: str) -> Any:
    """The validator of class ``cls`` (memoised by the SpecStore's documents); None if the version's
    schema defines no such class."""
    if version.startswith("1."):
        definitions = schemas.load(SCHEMA_1).get("definitions", {})
        if cls not in definitions:
            return None
        # the SpecStore's validator of the class, but over a registry already holding schema/vrs.json (one that
        # retrieves it would do so again for every object validated) and with the typed oneOf
        base = schemas.path(SCHEMA_1).resolve().as_uri()
        registry = schemas.registry().with_resource(
            base, Resource.from_contents(schemas.load(SCHEMA_1), default_specification=DRAFT202012))
        return TypedValidator({"$ref": f"{base}#/definitions/{cls}"}, registry=registry,
                              format_checker=FORMAT_CHECKER)
    if cls not in CLASSES_2:
        return None
    relative = f"{DIR_2}/vrs/json/{cls}"  # absent: SpecsUnavailable, so the check is skipped, never passed
    return TypedValidator(schemas.load(relative), registry=registry_2(schemas), format_checker=FORMAT_CHECKER)


def registry_2(schemas: SpecStore) -> Registry[Any]:
    """Every 2.0 schema (VRS and gks-common) under its ``$id``, loaded once: a registry that retrieves on
    each lookup would re-read files for every object validated."""
    folder = schemas.path(f"{DIR_2}/vrs/json/Allele").parent.parent.parent  # (a file: path() reads files)
    key = str(folder)
    if key not in _REGISTRIES:
        resources = []
        for path in sorted(folder.rglob("json/*")):
            document = schemas.load(f"{DIR_2}/{path.relative_to(folder).as_posix()}")
            if isinstance(document, dict) and isinstance(document.get("$id"), str):
                resources.append((document["$id"], Resource.from_contents(document, default_specification=DRAFT202012)))
        _REGISTRIES[key] = Registry().with_resources(resources)
    return _REGISTRIES[key]


_REGISTRIES: dict[str, Registry[Any]] = {}


#: Properties VRS 2.0 final defines that the 2.0.0-connect.2024-09.1 schema does not (label became name,
#: alternativeLabels aliases; SequenceReference gained sequence and moleculeType; Expression, Extension and
#: Coding became Elements, with id and extensions, and Coding gained iris).
FINAL_ONLY_PROPERTIES = frozenset({"name", "aliases", "sequence", "moleculeType", "id", "extensions", "iris"})


def final_only(validator: Any, obj: Any) -> bool:
    """Whether every error of ``obj`` against the pre-release 2.0 schema is one VRS 2.0 final resolves: a
    property only final defines, or copyChange (a Coding there, a string in final)."""
    errors = list(validator.iter_errors(obj))
    return bool(errors) and all(_final_only(error) for error in errors)


def _final_only(error: Any) -> bool:
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else None, []).append(sub)
        return any(all(_final_only(sub) for sub in subs) for subs in branches.values())
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = set(error.instance) - set(error.schema.get("properties", {}))
        return bool(extra) and extra <= FINAL_ONLY_PROPERTIES
    return bool(error.absolute_path) and error.absolute_path[-1] == "copyChange"


def verdict(validator: Any, version: str, obj: dict[str, Any]) -> tuple[str, str | None]:
    """("valid", None), ("invalid", the first error) or ("final-only", the first error) of ``obj``: final-only
    when its every error against the 2.0 pre-release schema is one VRS 2.0 final resolves and ga4gh-vrs 2.x
    builds it (the erratum of requirements.yaml: the 2.0 schema the harness holds is the 2.0.0-connect.2024-09.1
    pre-release; VRS 2.0 final, name for label, copyChange a string..., is what ga4gh-vrs 2.x models)."""
    error = first_error(validator, obj)
    if error is None:
        return "valid", None
    if not version.startswith("1.") and final_only(validator, obj) and final_model_accepts(obj):
        return "final-only", error
    return "invalid", error


def final_model_accepts(obj: dict[str, Any]) -> bool:
    """Whether ga4gh-vrs 2.x (VRS 2.0 final) builds ``obj``, read as the JSON it is, in pydantic's strict mode
    (no coercion; its models forbid properties they do not define). Strict validation of Python values would
    refuse every enumeration given as its JSON string (final's copyChange "loss": "an instance of CopyChange"
    wanted); strict JSON validation takes the string, as the library reads a document."""
    from ga4gh.vrs import models
    from pydantic import ValidationError

    cls = getattr(models, str(obj.get("type")), None)
    if cls is None:
        return False
    try:
        cls.model_validate_json(json.dumps(obj, allow_nan=False), strict=True)
    except (ValidationError, TypeError, ValueError):
        return False
    return True


def first_error(validator: Any, obj: Any) -> str | None:
    """The first schema error, one line (where and what)."""
    for error in validator.iter_errors(obj):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        return f"{where or ' (the object)'}: {error.message[:200]}".lstrip()
    return None



#: The members that state an identifier (1.3 ``_id``; 2.0 ``id`` and ``digest``).
IDENTIFIER_MEMBERS = frozenset({"_id", "id", "digest"})


def refuses_identifier(validator: Any, obj: Any) -> bool:
    """Whether a schema error of ``obj`` lies at an identifier member (its own or a nested object's, within
    any alternative of a oneOf/anyOf): a stated identifier the schema refuses (a digest that is no digest)
    cannot match the computed one, so the identifier checks' finding follows from it. An error elsewhere (a
    property no identifier is computed from) leaves a wrong identifier a defect of its own."""
    pending = list(validator.iter_errors(obj))
    while pending:
        error = pending.pop()
        path = error.absolute_path
        if path and path[-1] in IDENTIFIER_MEMBERS:
            return True
        pending.extend(error.context or ())
    return False

#: The JSON types a Python value of each type can have under jsonschema's type checker (1.0 is an integer).
_JSON_TYPES: dict[type, frozenset[str]] = {
    dict: frozenset({"object"}), list: frozenset({"array"}), str: frozenset({"string"}),
    bool: frozenset({"boolean"}), type(None): frozenset({"null"}), int: frozenset({"integer", "number"}),
    float: frozenset({"number", "integer"})}


def _excludes(alternative: dict[str, Any], instance: Any) -> bool:
    """True when ``alternative`` (a resolved schema) fails for ``instance`` on its top-level keywords
    alone: a JSON ``type`` the instance is not, or a ``type`` property ``const`` other than the instance's."""
    kinds = _JSON_TYPES.get(type(instance))
    declared = alternative.get("type")
    if isinstance(declared, str) and kinds is not None and declared not in kinds:
        return True
    const = ((alternative.get("properties") or {}).get("type") or {}).get("const")
    return isinstance(instance, dict) and isinstance(const, str) and instance.get("type", const) != const


def _typed_one_of(validator: Any, one_of: Any, instance: Any, schema: Any) -> Any:
    """``oneOf`` with a fast path that cannot change its verdict or its errors: when every alternative but
    one fails on its top-level ``type``/``type`` const alone and that one is valid, exactly one alternative
    holds (no error); in every other case the standard ``oneOf`` runs unchanged."""
    alternatives = _alternatives(validator, one_of)
    candidates = [i for i, sub in enumerate(alternatives) if not _excludes(sub, instance)]
    if len(candidates) == 1 and not any(validator.descend(instance, one_of[candidates[0]], schema_path=candidates[0])):
        return
    yield from _one_of(validator, one_of, instance, schema)


def _alternatives(validator: Any, one_of: Any) -> list[dict[str, Any]]:
    """The resolved alternatives of ``one_of`` (:func:`_resolved`), looked up once per list and base URI (the
    same oneOf is met once or more per object validated)."""
    base = getattr(getattr(validator, "_resolver", None), "_base_uri", None)
    if not isinstance(one_of, list) or not isinstance(base, str):
        return [_resolved(validator, sub) for sub in one_of] if isinstance(one_of, list) else []
    cached = _ALTERNATIVES.get((id(one_of), base))
    if cached is None or cached[0] is not one_of:
        if len(_ALTERNATIVES) >= MAX_ALTERNATIVES:  # the schemas of runs gone by (each run parses its own)
            _ALTERNATIVES.clear()
        cached = _ALTERNATIVES[(id(one_of), base)] = (one_of, [_resolved(validator, sub) for sub in one_of])
    return cached[1]


#: (id of a oneOf list, base URI) → (the list, kept so that its id is not reused, its resolved alternatives)
_ALTERNATIVES: dict[tuple[int, str], tuple[Any, list[dict[str, Any]]]] = {}
#: oneOf lists remembered at most (a VRS version's schemas have a few dozen)
MAX_ALTERNATIVES = 512


def _resolved(validator: Any, subschema: Any) -> dict[str, Any]:
    """The schema a ``{"$ref": ...}`` alternative names (itself if it has no ``$ref``); {} when unknown."""
    if not isinstance(subschema, dict):
        return {}
    ref = subschema.get("$ref")
    if not isinstance(ref, str) or len(subschema) != 1:
        return subschema if ref is None else {}
    try:
        contents = validator._resolver.lookup(ref).contents
    except Exception:  # a private API of jsonschema, or a ref it cannot resolve: no shortcut, the plain oneOf
        return {}
    return contents if isinstance(contents, dict) else {}


TypedValidator = (validators.extend(Draft202012Validator, {"oneOf": _typed_one_of}) if _one_of is not None
                  else Draft202012Validator)


def _typed_evolve(self: Any, **changes: Any) -> Any:
    """jsonschema's ``evolve``, but a subschema declaring the 2020-12 ``$schema`` (every file of VRS 2.0, met
    at each ``$ref`` to another class) keeps the typed oneOf: jsonschema's own would switch to the plain
    Draft202012Validator registered for that ``$schema``, the same keywords but for the fast path. Any other
    dialect gets its own validator, as in jsonschema."""
    schema = changes.setdefault("schema", self.schema)
    cls = validators.validator_for(schema, default=type(self))
    if cls is Draft202012Validator:
        cls = type(self)
    for name, alias in _EVOLVE_FIELDS:
        if alias not in changes:
            changes[alias] = getattr(self, name)
    return cls(**changes)


#: (attribute, keyword) of each field ``evolve`` carries over, as jsonschema lists them (its classes are attrs
#: classes); none known: jsonschema's own evolve stays, the same verdicts without the fast path below a $ref
_FIELDS = [field for field in getattr(TypedValidator, "__attrs_attrs__", ()) if field.init]
_EVOLVE_FIELDS: list[tuple[str, str]] = [(field.name, field.alias) for field in _FIELDS
                                         if isinstance(getattr(field, "alias", None), str)]
if TypedValidator is not Draft202012Validator and _EVOLVE_FIELDS and len(_EVOLVE_FIELDS) == len(_FIELDS):
    TypedValidator.evolve = _typed_evolve
