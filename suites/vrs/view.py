"""What the VRS checks share: the profile's documents, read and parsed once each, and their VRS objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conformance import CheckFailure, Document, ServiceView, SpecStore, SpecsUnavailable, fail, read_document

from . import identifiers, schema
from .objects import NotADocument, find, parse

#: What the identifier checks keep of one VRS 2.0 object: the problems of its ids and of its digests, and how
#: many stated ids and digests were compared (:func:`.identifiers.compared_2_of`).
Judged = tuple[tuple[str, ...], tuple[str, ...], int, int]
#: The values of objects whose identifiers are all right (most of them): one value shared by all that agree.
_COMMON: dict[Judged, Judged] = {}


def _problems(obj: dict[str, Any], path: str) -> Judged | str:
    """The identifier problems of a VRS 2.0 object (both fields, one model built) and how many values were
    compared, or why ga4gh-vrs cannot build it: only these few strings and numbers are kept, never the model
    (about 4 KB an Allele, with its parts)."""
    try:
        found, compared = identifiers.compared_2_of(obj, path)
    except identifiers.Uncomputable as exc:
        return str(exc)
    judged = (tuple(found["id"]), tuple(found["digest"]), compared["id"], compared["digest"])
    return judged if any(found.values()) else _COMMON.setdefault(judged, judged)


#: The schema verdict of a valid object (most of them): one value shared by all.
_VALID: tuple[str, str | None] = ("valid", None)


@dataclass(frozen=True)
class Read:
    document: Document
    #: (JSON path, object) of each outermost VRS object
    objects: list[tuple[str, dict[str, Any]]]
    #: Why the document holds no VRS object (None when it does).
    problem: str | None


class Vrs(ServiceView):
    """The run's view of one VRS profile entry (a data standard: documents, no API)."""

    def documents(self) -> list[Read]:
        return self.memo("documents", lambda: [self._read(ref) for ref in self.option("documents")])

    def _read(self, ref: str) -> Read:
        document = read_document(self, ref)
        try:
            loaded = parse(document.data)
        except NotADocument as exc:
            return Read(document, [], str(exc))
        if loaded is None:
            return Read(document, [], "is empty or null: no JSON or YAML value, so no VRS object")
        found = list(find(loaded, self.version))
        if not found:
            return Read(document, [], f"holds no object whose type is a VRS {self.version} class")
        return Read(document, found, None)

    def objects(self) -> list[tuple[Document, str, dict[str, Any]]]:
        found = [(r.document, path, obj) for r in self.documents() for path, obj in r.objects]
        if not found:
            pytest.skip("no document of the profile holds a VRS object (see vrs.document.objects)")
        return found

    def identifier_problems(self, document: Document, path: str, obj: dict[str, Any], field: str) -> list[str]:
        """The ``field`` ("id" or "digest") problems of a VRS 2.0 object (:func:`.identifiers.problems_2`),
        computed once per run for both identifier checks, which keep only the problems: a ga4gh-vrs model kept
        per object made the peak memory of a large document several times its parsed size. Raises
        :class:`~.identifiers.Uncomputable`."""
        ids, digests, _, _ = self._judged(document, path, obj)
        return list(ids if field == "id" else digests)

    def identifiers_compared(self, document: Document, path: str, obj: dict[str, Any], field: str) -> int:
        """How many stated values of ``field`` of a VRS 2.0 object were compared with computed ones."""
        _, _, ids, digests = self._judged(document, path, obj)
        return ids if field == "id" else digests

    def _judged(self, document: Document, path: str, obj: dict[str, Any]) -> Judged:
        found = self.memo(("identifiers", document.ref, path), lambda: _problems(obj, path))
        if isinstance(found, str):
            raise identifiers.Uncomputable(found)
        return found

    def schema_verdict(self, schemas: SpecStore, document: Document, path: str,
                       obj: dict[str, Any]) -> tuple[str, str | None] | None:
        """:func:`.schema.verdict` of an object, once per run (None when the version's schema has no such class);
        raises SpecsUnavailable without the official schema."""
        def judge() -> tuple[str, str | None] | None:
            cls = str(obj["type"])
            validator = self.memo(("validator", cls), lambda: schema.validator(schemas, self.version, cls))
            if validator is None:
                return None
            found = schema.verdict(validator, self.version, obj)
            return _VALID if found == _VALID else found

        return self.memo(("schema", document.ref, path), judge)

    def schema_cause(self, schemas: SpecStore, document: Document, path: str, obj: dict[str, Any]) -> str | None:
        """"vrs.schema.valid" when that check fails the object at an identifier member (a stated id or digest the
        schema refuses: an identifier finding about it is then its consequence); None otherwise, or when the
        official schema is not at hand. A schema error elsewhere in the object is another defect: a wrong
        identifier beside it is its own root failure (objects ga4gh-vrs cannot build are not recomputed)."""
        try:
            found = self.schema_verdict(schemas, document, path, obj)
        except SpecsUnavailable:
            return None
        if found is None or found[0] != "invalid":
            return None
        validator = self.memo(("validator", str(obj["type"])),
                              lambda: schema.validator(schemas, self.version, str(obj["type"])))
        return "vrs.schema.valid" if schema.refuses_identifier(validator, obj) else None

    def failure(self, document: Document, problem: str, caused_by: str | None = None) -> CheckFailure:
        return fail(f"{document.ref}: {problem}.", document.response, caused_by=caused_by)
