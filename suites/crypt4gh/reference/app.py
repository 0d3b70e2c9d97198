"""Reference crypt4gh file server: serves crypt4gh files made when it starts (``/documents/<name>``),
encrypted for a throwaway reader key that it issues to the run (``auth.private_key_env``). Conformant
unless the named faults of ``../faults.yaml`` are injected; each fault breaks one rule in the first file.

The conformant set: ``plain.c4gh`` (three segments, the last one short), ``shared.c4gh`` (a second
header packet for another reader, which the harness must skip, and an edit list within the plain-text),
and the DRS object ``c4g-object`` (two segments) that a companion DRS reference server serves
(:meth:`Crypt4ghApp.companion_entries`, reference option ``blob_provider``: :func:`drs_blobs`), named by
the entry as ``drs://127.0.0.1/c4g-object``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from conformance import DocumentApp

from ..keys import new_secret, private_key_text
from .files import build, plaintext

NAMES = ("plain.c4gh", "shared.c4gh")
#: The DRS object id of the crypt4gh file the companion DRS server holds, and its drs:// URI (hostname-based,
#: DRS 1.4.0 §DRS URIs; the port is the server's own, so the profile's DRS service on that host reads it).
DRS_OBJECT = "c4g-object"
DRS_URI = f"drs://127.0.0.1/{DRS_OBJECT}"
#: The server started last in this process: its companion DRS server serves its DRS object (the two start
#: one after the other for one run, the crypt4gh entry first).
_LATEST: list[Crypt4ghApp] = []


def drs_blobs() -> list[dict[str, Any]]:
    """The companion DRS server's extra blobs (its ``blob_provider``): the DRS object of the crypt4gh server
    started last, with the checksum a fault puts in its DRS metadata."""
    if not _LATEST:
        return []
    return [_LATEST[-1].drs_blob()]


class Crypt4ghApp(DocumentApp):
    """An HTTP server of crypt4gh files (served as application/octet-stream)."""

    document_names = NAMES

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        self.reader = new_secret()
        first = plaintext(1, 150_000)
        second = plaintext(2, 70_000)
        self.files = {
            "plain.c4gh": build(self.reader, first, faults=self.faults).data,
            "shared.c4gh": build(self.reader, second, edit_list=[100, 60_000, 500], other_reader=True).data,
        }
        self.drs_plaintext = plaintext(3, 100_000)
        self.drs_file = build(self.reader, self.drs_plaintext).data
        _LATEST[:] = [self]

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{**entry, "documents": [*entry["documents"], DRS_URI]} for entry in super().demo_entries()]

    def served_entry(self) -> dict[str, Any]:
        """The documents this server serves itself: the DRS one needs the demo's DRS server beside it."""
        entry = super().served_entry()
        entry["documents"] = [d for d in entry["documents"] if d != DRS_URI]
        return entry

    @classmethod
    def companion_entries(cls) -> list[dict[str, Any]]:
        """The DRS reference server's demo entry, holding the DRS object too (:func:`drs_blobs`)."""
        from ...drs.reference.app import DrsApp

        entry = dict(DrsApp.demo_entries()[0])
        entry["reference"] = {"options": {"blob_provider": f"{__name__}:drs_blobs"}}
        return [entry]

    def drs_blob(self) -> dict[str, Any]:
        checksums = {}
        if self.has("drs-checksum-of-plaintext"):
            checksums["sha-256"] = hashlib.sha256(self.drs_plaintext).hexdigest()
        return {"id": DRS_OBJECT, "name": "reads.bam.c4gh", "data": self.drs_file, "checksums": checksums}

    def served(self) -> Mapping[str, bytes]:
        return self.files

    def issued_secrets(self) -> dict[str, str]:
        return {"private_key_env": private_key_text(self.reader)}
