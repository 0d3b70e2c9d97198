"""Reference crypt4gh file server: serves crypt4gh files made when it starts (``/documents/<name>``),
encrypted for a throwaway reader key that it issues to the run (``auth.private_key_env``). Conformant
unless the named faults of ``../faults.yaml`` are injected; each fault breaks one rule in the first file.

The conformant set: ``plain.c4gh`` (three segments, the last one short), ``shared.c4gh`` (a second
header packet for another reader, which the harness must skip, and an edit list within the plain-text).
"""

from __future__ import annotations

from typing import Any

from conformance import ReferenceApp, Reply, Request, route

from ..keys import new_secret, private_key_text
from .files import build, plaintext

NAMES = ("plain.c4gh", "shared.c4gh")


class Crypt4ghApp(ReferenceApp):
    """An HTTP server of crypt4gh files."""

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        self.reader = new_secret()
        first = plaintext(1, 150_000)
        second = plaintext(2, 70_000)
        self.files = {
            "plain.c4gh": build(self.reader, first, faults=self.faults).data,
            "shared.c4gh": build(self.reader, second, edit_list=[100, 60_000, 500], other_reader=True).data,
        }

    @route("GET", "/documents/{name}")
    def document(self, request: Request) -> Reply:
        data = self.files.get(request.params["name"])
        if data is None:
            return Reply(404, b"no such file\n", {"Content-Type": "text/plain"})
        return Reply(200, data, {"Content-Type": "application/octet-stream"})

    def issued_secrets(self) -> dict[str, str]:
        return {"private_key_env": private_key_text(self.reader)}

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{"standard": cls.standard, "version": cls.versions[-1], "reference": True,
                 "documents": [f"documents/{name}" for name in NAMES]}]
