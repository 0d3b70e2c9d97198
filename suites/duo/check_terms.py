"""Each DUO term a document names: a DUO CURIE, a term of the declared release, not obsolete (with the
replacement the release gives), and labelled as the release labels it (DUO 2021-02-23, duo.owl)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from conformance import Document, SpecStore, check

from . import rules
from .statements import Mention
from .view import Duo, failure


def _mentions(duo: Duo) -> Iterator[tuple[Document, Mention]]:
    for document, found in duo.parsed():
        for mention in found.mentions:
            yield document, mention


def _first(problems: list[tuple[Document, str]], what: str) -> None:
    """Fail with the first problem (and how many more), or skip when nothing was checked."""
    if problems:
        document, message = problems[0]
        more = f" ({len(problems) - 1} more such {what})" if len(problems) > 1 else ""
        raise failure(f"{message}{more}.", document)


def _each(duo: Duo, test: Callable[[Mention], str | None], what: str) -> None:
    mentions = list(_mentions(duo))
    if not mentions:
        pytest.skip("the documents name no DUO term")
    problems = []
    for document, mention in mentions:
        problem = test(mention)
        if problem is not None:
            problems.append((document, f"{document.ref} {mention.path or '/'}: {problem}"))
    _first(problems, what)


@check("duo.document.format")
def test_documents_are_json_or_yaml(duo: Duo) -> None:
    """DUO documents (issue 17; DESIGN §3.1): each document the profile names is a JSON or YAML object or
    array holding data-use statements, so that its terms can be read at all."""
    for read in duo.documents():
        if read.problem is not None:
            raise failure(f"{read.document.ref} is {read.problem}, not a data-use document.", read.document)


@check("duo.term.curie")
def test_terms_are_duo_curies(duo: Duo) -> None:
    """DUO 2021-02-23 (duo.owl, oboInOwl:id of every class; README "Versions"): a DUO term is named by
    its CURIE, ``DUO:`` followed by seven digits; a data-use statement's term is a DUO term."""
    _each(duo, rules.curie, "ids")


@check("duo.term.exists")
def test_terms_exist_in_the_release(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl; README: "once created, IDs are never deleted"): every DUO CURIE a
    document names is a class of the declared release."""
    release = duo.release(schemas)
    _each(duo, lambda mention: rules.exists(release, mention), "terms")


@check("duo.term.not-obsolete")
def test_terms_are_not_obsolete(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (README: "If changes altering the meaning of a term are required, the term is
    deprecated and a new one is created"; duo.owl: owl:deprecated, oboInOwl:ObsoleteClass, IAO:0100001
    term replaced by): a document should not tag data with an obsolete term."""
    release = duo.release(schemas)
    _each(duo, lambda mention: rules.not_obsolete(release, mention), "terms")


@check("duo.term.label")
def test_labels_match_the_release(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl rdfs:label, oboInOwl:hasExactSynonym, oboInOwl:shorthand): a label given
    beside a DUO term names that term (compared without regard to case or spacing)."""
    release = duo.release(schemas)
    _each(duo, lambda mention: rules.label(release, mention), "labels")
