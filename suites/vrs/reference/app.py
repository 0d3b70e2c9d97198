"""Reference VRS document server: serves the documents of :mod:`.documents` for its version at
``/documents/<name>``, conformant unless named faults of ``../faults.yaml`` are injected (each one violation
in one document; a 2.0 server ignores the ``v1-`` faults, a 1.3 server all others)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance import DocumentApp

from .documents import HELD, NAMES, SQ_A, SQ_B, documents


class VrsApp(DocumentApp):
    """An HTTP server of VRS documents; the demo has one of each version (1.3 and 2.0), so the faults of
    each version run where they apply."""

    document_names = NAMES
    demo_every_version = True

    def served(self) -> Mapping[str, bytes]:
        return documents(self.version, self.faults)

    @classmethod
    def companion_entries(cls) -> list[dict[str, Any]]:
        """A refget 2.0.0 reference server holding the two sequences the documents name, its profile entry
        naming them (which is how the VRS suite tells it holds these documents' sequences)."""
        return [{"standard": "refget", "version": "2.0.0", "sequences": [SQ_A, SQ_B],
                 "reference": {"options": {"extra_sequences": dict(HELD)}}}]
