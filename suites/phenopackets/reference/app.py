"""Reference Phenopackets document server: serves the documents of :mod:`.documents` at
``/documents/<name>``, conformant unless named faults of ``../faults.yaml`` are injected (each one
violation in one document)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance import DocumentApp

from .documents import NAMES, ONTOLOGY, documents, ontology_obo


class PhenopacketsApp(DocumentApp):
    """An HTTP server of Phenopackets documents."""

    document_names = NAMES

    def served(self) -> Mapping[str, bytes]:
        return {**documents(self.faults), ONTOLOGY: ontology_obo()}

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        """The documents, with the served HP release named for the HP terms (``ontologies``)."""
        return [{**entry, "ontologies": {"HP": f"documents/{ONTOLOGY}"}} for entry in super().demo_entries()]
