"""Reference crypt4gh file server: serves crypt4gh files made when it starts (``/documents/<name>``),
encrypted for a throwaway reader key that it issues to the run (``auth.private_key_env``). Conformant
unless the named faults of ``../faults.yaml`` are injected; each fault breaks one rule in the first file.

The conformant set: ``plain.c4gh`` (three segments, the last one short), ``shared.c4gh`` (a second
header packet for another reader, which the harness must skip, and an edit list within the plain-text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance import DocumentApp

from ..keys import new_secret, private_key_text
from .files import build, plaintext

NAMES = ("plain.c4gh", "shared.c4gh")


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

    def served(self) -> Mapping[str, bytes]:
        return self.files

    def issued_secrets(self) -> dict[str, str]:
        return {"private_key_env": private_key_text(self.reader)}
