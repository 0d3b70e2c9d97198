"""What the DUO checks share: the profile's documents, read and parsed once, their statements and term
mentions, and the declared DUO release."""

from __future__ import annotations

from dataclasses import dataclass

from conformance import CheckFailure, Document, ServiceView, SpecStore, fail, read_document

from . import ontology
from .statements import Found, NotADocument, find, parse


@dataclass(frozen=True)
class Read:
    document: Document
    found: Found | None
    #: Why the document is not a data-use document (None when it parsed).
    problem: str | None


def failure(message: str, document: Document, *, caused_by: str | None = None) -> CheckFailure:
    """A failure about ``document``, with its HTTP answer as evidence when it came over HTTP."""
    return fail(message, document.response, caused_by=caused_by)


class Duo(ServiceView):
    """The run's view of one DUO profile entry (a data standard: documents, no API)."""

    def documents(self) -> list[Read]:
        return self.memo("documents", lambda: [self._read(ref) for ref in self.option("documents")])

    def _read(self, ref: str) -> Read:
        document = read_document(self, ref)
        try:
            return Read(document, find(parse(document.data)), None)
        except NotADocument as exc:
            return Read(document, None, str(exc))

    def parsed(self) -> list[tuple[Document, Found]]:
        return [(r.document, r.found) for r in self.documents() if r.found is not None]

    def release(self, schemas: SpecStore) -> ontology.Release:
        return ontology.release(schemas, self.version)
