"""What the VRS checks share: the profile's documents, read and parsed once each, and their VRS objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conformance import CheckFailure, Document, ServiceView, fail, read_document

from . import identifiers
from .objects import NotADocument, find, parse


def _computed(obj: dict[str, Any]) -> Any:
    try:
        return identifiers.computed_2(obj)
    except identifiers.Uncomputable as exc:
        return exc


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
        found = list(find(loaded, self.version))
        if not found:
            return Read(document, [], f"holds no object whose type is a VRS {self.version} class")
        return Read(document, found, None)

    def objects(self) -> list[tuple[Document, str, dict[str, Any]]]:
        found = [(r.document, path, obj) for r in self.documents() for path, obj in r.objects]
        if not found:
            pytest.skip("no document of the profile holds a VRS object (see vrs.document.objects)")
        return found

    def model(self, document: Document, path: str, obj: dict[str, Any]) -> Any:
        """The ga4gh-vrs model of a VRS 2.0 object, identifiers computed, once per run (both identifier
        checks read it); raises :class:`~.identifiers.Uncomputable`."""
        found = self.memo(("model", document.ref, path), lambda: _computed(obj))
        if isinstance(found, identifiers.Uncomputable):
            raise found
        return found

    def failure(self, document: Document, problem: str) -> CheckFailure:
        return fail(f"{document.ref}: {problem}.", document.response)
