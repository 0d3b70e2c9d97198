"""What the DUO checks share: the profile's documents, read and parsed once, their statements and term
mentions, and the declared DUO release."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from conformance import CheckFailure, Document, DocumentUnavailable, ServiceView, SpecStore, fail, read_document

from . import ontology, rules
from .statements import Found, NotADocument, find, parse

#: The cap on a newer release's duo.owl (the 2021-02-23 one is 108 kB), above the document budget if need be.
NEWER_RELEASE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Read:
    document: Document
    found: Found | None
    #: Why the document is not a data-use document (None when it parsed).
    problem: str | None


def failure(message: str, document: Document, *, caused_by: str | None = None) -> CheckFailure:
    """A failure about ``document``, with its HTTP answer as evidence when it came over HTTP."""
    return fail(message, document.response, caused_by=caused_by)


class Duo(ServiceView):
    """The run's view of one DUO profile entry (a data standard: documents, no API)."""

    def documents(self) -> list[Read]:
        return self.memo("documents", lambda: [self._read(ref) for ref in self.option("documents")])

    def nothing_to_judge(self, reason: str) -> NoReturn:
        """Skip a check of statements or terms that found none (``reason``); when the documents that could be
        read hold neither, the service is incomplete (:meth:`unusable`): "conformant" would claim the checks
        of statements and terms, none of which could run."""
        found = [f for _, f in self.parsed()]
        if found and not any(f.statements or f.mentions for f in found):
            self.unusable("the documents hold no data-use statement and no DUO term the checks can read (a Beacon "
                          "v2 duoDataUse item, or an object whose id is a DUO CURIE such as DUO:0000042)")
        unread = [r.document.ref for r in self.documents() if r.found is None]
        if unread:
            more = f" and {len(unread) - 1} more" if len(unread) > 1 else ""
            reason += (f" that could be read ({unread[0]}{more} fails duo.document.format)" if found
                       else f": none could be read ({unread[0]}{more} fails duo.document.format)")
        pytest.skip(reason)

    def _read(self, ref: str) -> Read:
        document = read_document(self, ref)
        try:
            return Read(document, find(parse(document.data)), None)
        except NotADocument as exc:
            return Read(document, None, str(exc))

    def parsed(self) -> list[tuple[Document, Found]]:
        return [(r.document, r.found) for r in self.documents() if r.found is not None]

    def release(self, schemas: SpecStore) -> ontology.Release:
        """The declared release, holding too the terms only a newer release the profile names has."""
        declared = ontology.release(schemas, self.version)
        newer = self.newer_release()
        return declared if newer is None else ontology.with_newer(declared, newer)

    def newer_release(self) -> ontology.Release | None:
        """The newer DUO release the entry names (``newer_release``), read once; None when it names none."""
        ref = self.service.options.get("newer_release")
        if not ref:
            return None
        return self.memo(("newer-release", ref), lambda: self._newer(str(ref)))

    def _newer(self, ref: str) -> ontology.Release:
        cap = max(self.run.limits.budget.max_document_bytes, NEWER_RELEASE_BYTES)
        if Path(ref).expanduser().is_absolute():  # a file named by its full path, whatever the entry's url
            path = Path(ref).expanduser()
            if path.exists() and not path.is_file():  # a FIFO would block the read, a device never end
                raise DocumentUnavailable(f"newer_release: {path} is not a regular file, so not read")
            try:
                with path.open("rb") as handle:
                    data = handle.read(cap + 1)
            except OSError as exc:
                raise DocumentUnavailable(f"newer_release: cannot read {path}: {exc.strerror or exc}") from None
            if len(data) > cap:
                raise DocumentUnavailable(f"newer_release: {path} is larger than {cap} bytes")
            document = Document(ref, str(path), data)
        else:
            document = read_document(self, ref, limit=cap)
        try:
            newer = ontology.parse_release(document.data)
        except ValueError as exc:
            raise DocumentUnavailable(f"newer_release: {document.location} is no DUO release: {exc}") from None
        newer_date, declared_date = rules.release_date(newer.version), rules.release_date(self.version)
        if newer_date is None or declared_date is None or newer_date <= declared_date:
            raise DocumentUnavailable(f"newer_release: {document.location} is DUO {newer.version}, not newer than "
                                      f"the declared release {self.version}")
        return newer
