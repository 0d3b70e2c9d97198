"""Reference VRS document server: serves the documents of :mod:`.documents` for its version at
``/documents/<name>``, conformant unless named faults of ``../faults.yaml`` are injected (each one violation
in one document; the faults are VRS 2.0 ones, so a 1.3 server serves its conformant documents)."""

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
        return [{"standard": cls.standard, "version": cls.versions[-1], "reference": True,
                 "documents": [f"documents/{name}" for name in NAMES]}]
