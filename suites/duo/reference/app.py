"""Reference DUO document server: serves the data-use documents of :mod:`.documents` at
``/documents/<name>``, conformant unless named faults of ``../faults.yaml`` are injected (each one
violation in one document)."""

from __future__ import annotations

from collections.abc import Mapping

from conformance import DocumentApp

from .documents import NAMES, documents


class DuoApp(DocumentApp):
    """An HTTP server of DUO data-use documents."""

    document_names = NAMES

    def served(self) -> Mapping[str, bytes]:
        return documents(self.faults)
