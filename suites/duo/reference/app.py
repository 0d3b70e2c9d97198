"""Reference DUO document server: serves the data-use documents of :mod:`.documents` at
``/documents/<name>``, conformant unless named faults of ``../faults.yaml`` are injected (each one
violation in one document)."""

from __future__ import annotations

from typing import Any

from conformance import ReferenceApp, Reply, Request, route

from .documents import NAMES, documents

TYPES = {".json": "application/json", ".yaml": "application/yaml"}


class DuoApp(ReferenceApp):
    """An HTTP server of DUO data-use documents."""

    @route("GET", "/documents/{name}")
    def document(self, request: Request) -> Reply:
        name = request.params["name"]
        served = documents(self.faults)
        if name not in served:
            return Reply(404, b"no such document\n", {"Content-Type": "text/plain"})
        return Reply(200, served[name], {"Content-Type": TYPES[name[name.rindex("."):]]})

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{"standard": cls.standard, "version": cls.versions[-1], "reference": True,
                 "documents": [f"documents/{name}" for name in NAMES]}]
