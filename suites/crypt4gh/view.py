"""What the crypt4gh checks share: each file of the profile read once and examined once with the
reader key (held in memory only, never in a message)."""

from __future__ import annotations

import io
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance import (
    CheckFailure,
    Document,
    DocumentUnavailable,
    ParallelHashes,
    ServiceView,
    document_file,
    fail,
    stream_document,
)

from ..drs.documents import DrsBlob, drs_blob
from ..drs.view import hasher
from .examine import Examination, examine
from .keys import KeyProblem, new_secret, reader_key
from .pipe import Pipe


@dataclass
class DrsBytes:
    """A file read as a DRS object: its DrsObject, and the count and digests of the encrypted bytes served
    (the checksum types the object lists that have a well-kept implementation)."""

    blob: DrsBlob
    count: int = 0
    digests: dict[str, str] = field(default_factory=dict)
    unverifiable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class File:
    document: Document
    examination: Examination
    #: where the file is a drs:// DRS object
    drs: DrsBytes | None = None


def failure(message: str, document: Document, *, caused_by: str | None = None) -> CheckFailure:
    """A failure about ``document``, with its HTTP answer (headers and digest of the body) as evidence."""
    return fail(message, document.response, caused_by=caused_by)


def stopped(head: str) -> Callable[[list[File]], str]:
    """A skip's reason: ``head``, then where each file's examination stopped and the check that judged it."""
    def reason(files: list[File]) -> str:
        said = [f"{f.document.ref} {why}" for f in files if (why := f.examination.stopped())]
        if not said:
            return "no file was read" if not files else head
        more = f"; and {len(said) - 3} more" if len(said) > 3 else ""
        return f"{head}: " + "; ".join(said[:3]) + more
    return reason


class Crypt4gh(ServiceView):
    """The run's view of one crypt4gh profile entry (files, no API)."""

    def secret(self) -> bytes:
        """The reader key, for the checks that decrypt; when the profile names none or it cannot be used, they
        skip, and the service is incomplete with the reason (:meth:`unusable`): "conformant" on the header's
        framing alone would claim what no check could see. Checks that do not decrypt never ask, so a run of
        those alone (``--check``) is not marked."""
        found = self._secret()
        if isinstance(found, str):
            self.unusable(found)
            pytest.skip(found)
        return found

    def _secret(self) -> bytes | str:
        def load() -> bytes | str:
            text = self.service.auth.secret("private_key_env")
            if not text:
                return "the profile names no reader key (auth.private_key_env), so no header packet could be decrypted"
            try:
                return reader_key(text)
            except KeyProblem as exc:
                return f"auth.private_key_env: {exc}, so no header packet could be decrypted"
        return self.memo("secret", load)

    def files(self) -> list[File]:
        """Every file, examined; without a usable reader key only the header's framing is meaningful (the
        checks that need decryption ask :meth:`secret` first, and skip)."""
        found = self._secret()
        secret = found if isinstance(found, bytes) else new_secret()
        return self.memo("files", lambda: [self._examine(ref, secret) for ref in self.option("documents")])

    def _examine(self, ref: str, secret: bytes) -> File:
        scheme = urlsplit(ref).scheme.lower()
        if scheme == "drs":
            return self._drs(ref, secret)
        path = document_file(self, ref)
        if path is None:  # http(s), or relative to the entry's url: streamed
            return self._streamed(ref, secret, lambda on_chunk: stream_document(self, ref, on_chunk))
        return self._local(ref, path, secret)

    @staticmethod
    def _local(ref: str, path: Path, secret: bytes) -> File:
        """A file named by its path, examined from disk a segment at a time (constant memory, whatever its size:
        an HTTP answer's cap, max_response_bytes, is no bound of a file). Only a regular file is opened: a FIFO
        would block the read, a device never end."""
        try:
            info = os.stat(path)
            if stat.S_ISDIR(info.st_mode):
                raise DocumentUnavailable(f"{ref}: a folder, not a document ({path})")
            if not stat.S_ISREG(info.st_mode):
                raise DocumentUnavailable(f"{ref}: not a regular file, so not read ({path})")
            # O_NONBLOCK: a FIFO put in the file's place since the stat opens at once, and is refused below
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            with open(descriptor, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise DocumentUnavailable(f"{ref}: not a regular file, so not read ({path})")
                found = examine(handle, secret)
        except FileNotFoundError:
            raise DocumentUnavailable(f"{ref}: no such file ({path})") from None
        except OSError as exc:
            raise DocumentUnavailable(f"{ref}: cannot read {path}: {exc.strerror or exc}") from None
        return File(Document(ref, str(path), b""), found)

    def _drs(self, ref: str, secret: bytes) -> File:
        """A drs:// file streamed through the profile's DRS service, the encrypted bytes counted and hashed
        on the way for the DrsObject's size and checksums; the plain-text's sha-256 too where the object
        lists a sha-256 (to tell a checksum of the plain-text in a failure's message)."""
        found = DrsBytes(drs_blob(self.run, ref))
        hashers: dict[str, tuple[Any, int | None]] = {}
        for item in found.blob.document.get("checksums") or []:
            kind = str(item.get("type", "")).lower() if isinstance(item, dict) else ""
            made = hasher(kind)
            if isinstance(made, str):
                found.unverifiable[kind] = made
            else:
                hashers[kind] = made

        # hashed on worker threads while the examination decrypts (pipelined, as the DRS suite's download)
        digests = ParallelHashes(*(digest for digest, _ in hashers.values()), pipelined=True)

        def read(on_chunk: Callable[[bytes], None]) -> Document:
            def counted(chunk: bytes) -> None:
                found.count += len(chunk)
                digests.update(chunk)
                on_chunk(chunk)
            try:
                return stream_document(self, ref, counted)
            finally:
                digests.wait()

        file = self._streamed(ref, secret, read, digest="sha-256" in hashers)
        found.digests = {kind: digest.hexdigest()[:keep] if keep else digest.hexdigest()
                         for kind, (digest, keep) in hashers.items()}
        return File(file.document, file.examination, found)

    def _streamed(self, ref: str, secret: bytes, read: Callable[[Callable[[bytes], None]], Document], *,
                  digest: bool = False) -> File:
        """The file ``read`` streams examined as it downloads: the reader pushes chunks into a bounded pipe
        that the examination, on a worker thread, pulls segments from (constant memory)."""
        pipe = Pipe()
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["found"] = examine(io.BufferedReader(pipe, buffer_size=1 << 20), secret, digest=digest)
            except BaseException as exc:  # re-raised below, on the check's thread
                outcome["error"] = exc
            finally:
                pipe.reader_done = True

        worker = threading.Thread(target=work, name="crypt4gh-examine", daemon=True)
        worker.start()
        try:
            document = read(pipe.write_chunk)
        finally:
            pipe.finish()
            worker.join()
        if "error" in outcome:
            raise outcome["error"]
        return File(document, outcome["found"])
