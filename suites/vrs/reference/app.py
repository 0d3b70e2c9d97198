"""Reference VRS document server: serves the documents of :mod:`.documents` for its version at
``/documents/<name>``, conformant unless named faults of ``../faults.yaml`` are injected (each one violation
in one document; a 2.0 server ignores the ``v1-`` faults, a 1.3 server all others)."""

from __future__ import annotations

from typing import Any

from conformance import ReferenceApp, Reply, Request, route

from .documents import NAMES, documents

TYPES = {".json": "application/json", ".yaml": "application/yaml"}


class VrsApp(ReferenceApp):
    """An HTTP server of VRS documents."""

    @route("GET", "/documents/{name}")
    def document(self, request: Request) -> Reply:
        name = request.params["name"]
        served = documents(self.version, self.faults)
        if name not in served:
            return Reply(404, b"no such document\n", {"Content-Type": "text/plain"})
        return Reply(200, served[name], {"Content-Type": TYPES[name[name.rindex("."):]]})

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        """A server of each version (1.3 and 2.0): the faults of each run where they apply."""
        return [{"standard": cls.standard, "version": version, "reference": True,
                 "documents": [f"documents/{name}" for name in NAMES]} for version in cls.versions]
