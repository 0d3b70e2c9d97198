"""What the Phenopackets checks share: the profile's documents, read and parsed once each; a JSON Cohort
file member by member (:mod:`.stream`), so that its size does not set the run's memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from conformance import Document, ServiceView, document_file, fail, read_document

from . import rules, stream
from .model import Parsed, Unreadable, parse


@dataclass(frozen=True)
class Read:
    document: Document
    parsed: Parsed | None
    #: Why the document is no Phenopackets message (None when it parsed).
    problem: Unreadable | None


class Phenopackets(ServiceView):
    """The run's view of one Phenopackets profile entry (a data standard: documents, no API)."""

    def documents(self) -> list[Read]:
        return self.memo("documents", lambda: [self._read(ref) for ref in self.option("documents")])

    def _read(self, ref: str) -> Read:
        streamed = self._streamed(ref)
        if streamed is not None:
            return streamed
        document = read_document(self, ref)
        try:
            return Read(document, parse(document.data), None)
        except Unreadable as exc:
            return Read(document, None, exc)

    def _file(self, ref: str) -> Path | None:
        """The file a reference names (the kit's :func:`~conformance.document_file`) when it is no larger
        than ``budget.max_document_bytes``; None otherwise (read whole by ``read_document``, which also
        reports a missing or oversized file)."""
        path = document_file(self, ref)
        try:
            fits = path is not None and path.is_file() \
                and path.stat().st_size <= self.run.limits.budget.max_document_bytes
        except OSError:
            return None
        return path if fits else None

    def _streamed(self, ref: str) -> Read | None:
        """A JSON Cohort file read member by member (None for any other document: read whole)."""
        path = self._file(ref)
        if path is None:
            return None
        document = Document(ref, str(path), b"")
        try:
            return Read(document, stream.cohort(lambda: stream.file_chunks(path)), None)
        except Unreadable as exc:
            return Read(document, None, exc)
        except (stream.NotStreamable, OSError):
            return None

    def ontology_files(self) -> dict[str, str]:
        """The profile's ontology files by CURIE prefix (``ontologies``)."""
        named = self.service.options.get("ontologies") or {}
        return {str(prefix): str(ref) for prefix, ref in named.items()} if isinstance(named, dict) else {}

    def parsed(self) -> list[tuple[Document, Parsed]]:
        found = [(r.document, r.parsed) for r in self.documents() if r.parsed is not None]
        if not found:
            pytest.skip("no document of the profile parsed as a Phenopacket, Family or Cohort "
                        "(see phenopackets.document.*)")
        return found

    def units(self) -> Iterator[tuple[Document, Parsed]]:
        """Each parsed document, a Cohort read member by member as its parts (:func:`.stream.windows`: the
        document is read again, one member at a time)."""
        for document, parsed in self.parsed():
            for part in stream.windows(parsed):
                yield document, part

    def apply(self, rule: Callable[[Parsed], str | None]) -> None:
        """Fails on the first document that breaks ``rule``; skips, with the reason, when no document gives it
        anything to judge (:func:`.rules.nothing_to_judge`): a check that judged nothing has not passed."""
        reasons: list[str] = []
        judged = False
        for document, parsed in self.parsed():
            if parsed.source is None:
                problem, unjudged = rule(parsed), rules.nothing_to_judge(rule, parsed)
            elif rule in rules.RULES:
                problem, unjudged = self.memo(("rules", document.ref), partial(_first_problems, parsed))[rule]
            else:
                problem, unjudged = _first_problems(parsed, (rule,))[rule]
            if problem is not None:
                raise fail(f"{document.ref}: {problem}.", document.response,
                           caused_by=getattr(problem, "caused_by", None))
            if unjudged is None:
                judged = True
            else:
                reasons.append(unjudged)
        if not judged:
            # a reason naming the check that judged the cause (a consequence) before one of contents left out
            pytest.skip(min(reasons, key=lambda reason: reason.startswith("does not apply: ")))


#: A rule's first problem in a document (None: none), and why the document gave it nothing to judge (None: it
#: gave something).
Finding = tuple[str | None, str | None]


def _first_problems(parsed: Parsed, chosen: Iterable[Callable[[Parsed], str | None]] = rules.RULES,
                    ) -> dict[Callable[[Parsed], str | None], Finding]:
    """The :data:`Finding` of each rule of ``chosen`` in a streamed Cohort, read once for all."""
    problems: dict[Callable[[Parsed], str | None], str | None] = dict.fromkeys(chosen)
    unjudged: dict[Callable[[Parsed], str | None], str | None] = {}
    for part in stream.windows(parsed):
        for rule in problems:
            if problems[rule] is None:
                problems[rule] = rule(part)
            if unjudged.get(rule, "") is not None:
                reason = rules.nothing_to_judge(rule, part)
                # judged once is judged; else the reason of the part that holds the whole (the last one)
                unjudged[rule] = reason
    return {rule: (problem, unjudged.get(rule)) for rule, problem in problems.items()}
