"""The structure of each data-use statement: one data use permission, modifiers that are data use
modifiers, a disease for disease-specific research, and a version naming a DUO release (DUO 2021-02-23)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest

from conformance import Document, SpecStore, check

from . import ontology
from .statements import Statement
from .view import Duo, failure

#: How a DUO release is written: its date (the owl:versionIRI's ".../releases/2021-02-23/duo.owl"), with
#: the "v" of the repository's tags, or day first as in Beacon v2's duoDataUse example ("17-07-2016").
_ISO = re.compile(r"v?(\d{4})-(\d{2})-(\d{2})")
_DAY_FIRST = re.compile(r"(\d{2})-(\d{2})-(\d{4})")


def _each(duo: Duo, test: Callable[[Statement], str | None]) -> None:
    checked = 0
    problems: list[tuple[Document, str]] = []
    for document, found in duo.parsed():
        for statement in found.statements:
            checked += 1
            problem = test(statement)
            if problem is not None:
                problems.append((document, f"{document.ref} {statement.path or '/'}: {problem}"))
    if not checked:
        pytest.skip("the documents hold no data-use statement")
    if problems:
        document, message = problems[0]
        more = f" ({len(problems) - 1} more such statements)" if len(problems) > 1 else ""
        raise failure(f"{message}{more}.", document)


def _known(release: ontology.Release, curie: object) -> ontology.Term | None:
    """The live term ``curie`` names; None for an unknown, malformed or obsolete one (other checks)."""
    term = release.terms.get(curie) if isinstance(curie, str) else None
    return term if term is not None and not term.obsolete else None


@check("duo.statement.permission")
def test_statement_term_is_a_permission(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl: DUO:0000001 "data use permission", DUO:0000017 "data use modifier:
    Data use modifiers indicate additional conditions for use"): a statement's term is a data use
    permission; a modifier is never the permission."""
    release = duo.release(schemas)

    def problem(statement: Statement) -> str | None:
        term = _known(release, statement.permission.id)
        if term is None or release.is_permission(term.curie):
            return None
        kind = "a data use modifier" if release.is_modifier(term.curie) else "not a data use permission"
        return f"the statement's term {term.curie} ({term.label}) is {kind}"
    _each(duo, problem)


@check("duo.statement.modifiers")
def test_statement_modifiers_are_modifiers(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl: DUO:0000017 "data use modifier"): each DUO term of a statement's
    modifiers is a data use modifier (a subclass of DUO:0000017), not a permission."""
    release = duo.release(schemas)

    def problem(statement: Statement) -> str | None:
        for modifier in statement.modifiers:
            term = _known(release, modifier.id)
            if term is not None and not release.is_modifier(term.curie):
                return f"the modifier {term.curie} ({term.label}) is not a data use modifier"
        return None
    _each(duo, problem)


@check("duo.statement.disease")
def test_disease_specific_research_names_a_disease(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl DUO:0000007 "disease specific research", rdfs:comment: "This term should
    be coupled with a term describing a disease from an ontology"; DUO recommends MONDO): a statement of
    disease-specific research, or of a term under it, should carry a disease term."""
    release = duo.release(schemas)

    def problem(statement: Statement) -> str | None:
        term = _known(release, statement.permission.id)
        if term is None:
            return None
        if term.curie != ontology.DISEASE_SPECIFIC and ontology.DISEASE_SPECIFIC not in release.ancestors(term.curie):
            return None
        if statement.other_terms:
            return None
        return f"the disease-specific research statement ({term.curie}) names no disease term (MONDO, say)"
    _each(duo, problem)


def _release_date(text: str) -> datetime.date | None:
    for pattern, order in ((_ISO, (0, 1, 2)), (_DAY_FIRST, (2, 1, 0))):
        match = pattern.fullmatch(text.strip())
        if match:
            year, month, day = (int(match.group(i + 1)) for i in order)
            try:
                return datetime.date(year, month, day)
            except ValueError:
                return None
    return None


@check("duo.statement.version")
def test_statement_version_names_a_release(duo: Duo) -> None:
    """DUO releases are named by date (duo.owl owl:versionIRI ``.../releases/2021-02-23/duo.owl``; the
    Beacon v2 duoDataUse ``version`` field, example "17-07-2016"): a statement's version, where the host
    format has one, should name a DUO release: a real date, not in the future."""
    today = datetime.date.today()

    def problem(statement: Statement) -> str | None:
        if not statement.has_version:
            return None
        version = statement.version
        date = _release_date(version) if isinstance(version, str) else None
        if date is None:
            return f"the version {version!r} names no DUO release (releases are dated, 2021-02-23 say)"
        if date > today:
            return f"the version {version!r} is a date in the future, no DUO release"
        return None
    _each(duo, problem)
