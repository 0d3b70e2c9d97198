"""Reference VRS document server: serves the documents of :mod:`.documents` for its version at
``/documents/<name>``, conformant unless named faults of ``../faults.yaml`` are injected (each one violation
in one document; a 2.0 server ignores the ``v1-`` faults, a 1.3 server all others)."""

from __future__ import annotations

from collections.abc import Mapping

from conformance import DocumentApp

from .documents import NAMES, documents


class VrsApp(DocumentApp):
    """An HTTP server of VRS documents; the demo has one of each version (1.3 and 2.0), so the faults of
    each version run where they apply."""

    document_names = NAMES
    demo_every_version = True

    def served(self) -> Mapping[str, bytes]:
        return documents(self.version, self.faults)
