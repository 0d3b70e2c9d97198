"""Each DUO term a document names: a DUO CURIE, a term of the declared release, not obsolete (with the
replacement the release gives), and labelled as the release labels it (DUO 2021-02-23, duo.owl)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from conformance import Document, SpecStore, check

from . import ontology, rules
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


def _each(duo: Duo, test: Callable[[Mention], str | None], what: str,
          applies: Callable[[Mention], bool] | None = None, none_applies: str = "") -> None:
    mentions = list(_mentions(duo))
    if not mentions:
        duo.nothing_to_judge("the documents name no DUO term")
    if applies is not None:
        mentions = [(document, mention) for document, mention in mentions if applies(mention)]
        if not mentions:
            pytest.skip(f"does not apply: {none_applies}")
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
def test_terms_exist_in_the_release(duo: Duo, schemas: SpecStore, record_property: Callable[[str, object], None]
                                    ) -> None:
    """DUO 2021-02-23 (duo.owl; README: "once created, IDs are never deleted"): every DUO CURIE a
    document names is a class of the declared release, or of a newer release the profile names
    (``newer_release``). The scorecard notes which release the terms come from."""
    release = duo.release(schemas)
    _each(duo, lambda mention: rules.exists(release, mention), "terms")
    declared = ontology.release(schemas, duo.version)
    curies = {m.curie for _, m in _mentions(duo) if m.curie in release.terms}
    only_newer = sorted(c for c in curies if c not in declared.terms)
    newer = (f"; {len(only_newer)} only in the newer release {release.newer} ({', '.join(only_newer)})"
             if only_newer else f"; none only in the newer release {release.newer}" if release.newer else "")
    record_property("note", f"{len(curies)} DUO terms from DUO release {declared.version}{newer}")


@check("duo.term.deprecated-since")
def test_terms_not_deprecated_since_the_declared_release(
        duo: Duo, schemas: SpecStore, record_property: Callable[[str, object], None]) -> None:
    """DUO 2021-02-23 README (deprecation policy: "If changes altering the meaning of a term are required,
    the term is deprecated and a new one is created"; owl:deprecated, IAO:0100001 term replaced by): a
    term that is current in the declared release but deprecated in the newer release the profile names
    (``newer_release``) should be replaced (release drift; advice, as for duo.term.not-obsolete)."""
    newer = duo.newer_release()
    if newer is None:
        pytest.skip("does not apply: the profile names no newer DUO release (newer_release)")
    declared = ontology.release(schemas, duo.version)
    mentions = list(_mentions(duo))
    if not mentions:
        duo.nothing_to_judge("the documents name no DUO term")
    problems: list[tuple[Document, str]] = []
    drifted: set[str] = set()
    for document, mention in mentions:
        old = declared.terms.get(mention.curie) if mention.curie else None
        new = newer.terms.get(mention.curie) if mention.curie else None
        if old is None or old.obsolete or new is None or not new.obsolete:
            continue
        drifted.add(old.curie)
        instead = (f", which replaces it by {', '.join(new.replaced_by)}" if new.replaced_by
                   else " (it names no replacement)")
        problems.append((document, f"{document.ref} {mention.path or '/'}: {old.curie} ({old.label}) of DUO "
                                   f"{declared.version} is deprecated in DUO {newer.version}{instead}"))
    record_property("note", f"terms of DUO {declared.version}; {len(drifted)} deprecated in the newer release "
                            f"{newer.version}")
    _first(problems, "terms")


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
    _each(duo, lambda mention: rules.label(release, mention), "labels", lambda mention: mention.label is not None,
          "no DUO term is given a label beside it")
