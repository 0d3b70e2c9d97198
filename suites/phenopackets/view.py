"""What the Phenopackets checks share: the profile's documents, read and parsed once each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from conformance import Document, ServiceView, fail, read_document

from .model import Parsed, Unreadable, parse


@dataclass(frozen=True)
class Read:
    document: Document
    parsed: Parsed | None
    #: Why the document is no Phenopackets message (None when it parsed).
    problem: Unreadable | None


class Phenopackets(ServiceView):
    """The run's view of one Phenopackets profile entry (a data standard: documents, no API)."""

    def documents(self) -> list[Read]:
        return self.memo("documents", lambda: [self._read(ref) for ref in self.option("documents")])

    def _read(self, ref: str) -> Read:
        document = read_document(self, ref)
        try:
            return Read(document, parse(document.data), None)
        except Unreadable as exc:
            return Read(document, None, exc)

    def ontology_files(self) -> dict[str, str]:
        """The profile's ontology files by CURIE prefix (``ontologies``)."""
        named = self.service.options.get("ontologies") or {}
        return {str(prefix): str(ref) for prefix, ref in named.items()} if isinstance(named, dict) else {}

    def parsed(self) -> list[tuple[Document, Parsed]]:
        found = [(r.document, r.parsed) for r in self.documents() if r.parsed is not None]
        if not found:
            pytest.skip("no document of the profile parsed as a Phenopacket, Family or Cohort "
                        "(see phenopackets.document.*)")
        return found

    def apply(self, rule: Callable[[Parsed], str | None]) -> None:
        """Fails on the first document that breaks ``rule``."""
        for document, parsed in self.parsed():
            problem = rule(parsed)
            if problem is not None:
                raise fail(f"{document.ref}: {problem}.", document.response)
