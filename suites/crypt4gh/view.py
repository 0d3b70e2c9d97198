"""What the crypt4gh checks share: each file of the profile read once and examined once with the
reader key (held in memory only, never in a message)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from conformance import CheckFailure, Document, ServiceView, fail, read_document

from .examine import Examination, examine
from .keys import KeyProblem, new_secret, reader_key


@dataclass(frozen=True)
class File:
    document: Document
    examination: Examination


def failure(message: str, document: Document) -> CheckFailure:
    """A failure about ``document``, with its HTTP answer (headers and digest of the body) as evidence."""
    return fail(message, document.response)


class Crypt4gh(ServiceView):
    """The run's view of one crypt4gh profile entry (files, no API)."""

    def secret(self) -> bytes:
        """The reader key; skips (undecided) when the profile names none or it is unusable."""
        found = self._secret()
        if isinstance(found, str):
            pytest.skip(found)
        return found

    def _secret(self) -> bytes | str:
        def load() -> bytes | str:
            text = self.service.auth.secret("private_key_env")
            if not text:
                return "the profile names no reader key (auth.private_key_env), so no header packet can be decrypted"
            try:
                return reader_key(text)
            except KeyProblem as exc:
                return f"auth.private_key_env: {exc}"
        return self.memo("secret", load)

    def files(self) -> list[File]:
        """Every file, examined; without a usable reader key only the header's framing is meaningful (the
        checks that need decryption ask :meth:`secret` first, and skip)."""
        found = self._secret()
        secret = found if isinstance(found, bytes) else new_secret()
        return self.memo("files", lambda: [self._examine(ref, secret) for ref in self.option("documents")])

    def _examine(self, ref: str, secret: bytes) -> File:
        document = read_document(self, ref)
        return File(document, examine(io.BytesIO(document.data), secret))
