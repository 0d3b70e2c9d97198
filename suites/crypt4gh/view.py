"""What the crypt4gh checks share: each file of the profile read once and examined once with the
reader key (held in memory only, never in a message)."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from conformance import (
    BudgetExceeded,
    CheckFailure,
    Document,
    DocumentUnavailable,
    ServiceView,
    fail,
    read_document,
)

from .examine import Examination, examine
from .keys import KeyProblem, new_secret, reader_key
from .pipe import Pipe


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
        scheme = urlsplit(ref).scheme.lower()
        if scheme in ("http", "https") or (not scheme and self.service.url):
            url = ref if scheme else urljoin(self.service.url.rstrip("/") + "/", ref)
            return self._streamed(ref, url, secret)
        # drs:// (through the DRS suite) and files: read whole, within the run's response cap
        document = read_document(self, ref, limit=self.run.limits.budget.max_response_bytes)
        return File(document, examine(io.BytesIO(document.data), secret))

    def _streamed(self, ref: str, url: str, secret: bytes) -> File:
        """The file at ``url`` examined as it downloads: the client pushes chunks into a bounded pipe that
        the examination, on a worker thread, pulls segments from (constant memory)."""
        pipe = Pipe()
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["found"] = examine(io.BufferedReader(pipe, buffer_size=1 << 20), secret)
            except BaseException as exc:  # re-raised below, on the check's thread
                outcome["error"] = exc
            finally:
                pipe.reader_done = True

        worker = threading.Thread(target=work, name="crypt4gh-examine", daemon=True)
        worker.start()
        limits = self.run.limits
        try:
            response = self.client.stream(url, pipe.write_chunk, follow_redirects=True,
                                          max_bytes=max(1, limits.budget.max_run_bytes - limits.bytes))
        finally:
            pipe.finish()
            worker.join()
        if response.status != 200:
            raise DocumentUnavailable(f"{ref}: GET {self.run.redactor.url(url)} answered HTTP {response.status}, "
                                      "not the file", response.exchange)
        if response.truncated:
            limits.note(response.limit_name)
            raise BudgetExceeded(f"{ref}: {response.cut_reason()}", response.limit_name, response.exchange)
        if "error" in outcome:
            raise outcome["error"]
        document = Document(ref, self.run.redactor.url(url), b"", response.content_type or None, response)
        return File(document, outcome["found"])
