"""The structure of the data-use statements: a data use permission among each data object's conditions,
modifiers that are data use modifiers, a disease for disease-specific research, and a version naming a DUO
release (DUO 2021-02-23)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance import Document, SpecStore, check

from . import rules
from .statements import Statement, groups
from .view import Duo, failure


def _each(duo: Duo, test: Callable[[Statement], str | None], applies: Callable[[Statement], bool],
          none_applies: str) -> None:
    """Judge each statement ``applies`` to; skip, saying so, where the documents hold none (``none_applies``)."""
    checked = judged = 0
    problems: list[tuple[Document, str]] = []
    for document, found in duo.parsed():
        for statement in found.statements:
            checked += 1
            if not applies(statement):
                continue
            judged += 1
            problem = test(statement)
            if problem is not None:
                problems.append((document, f"{document.ref} {statement.path or '/'}: {problem}"))
    if not checked:
        duo.nothing_to_judge("the documents hold no data-use statement")
    if not judged:
        pytest.skip(f"does not apply: {none_applies}")
    if problems:
        document, message = problems[0]
        more = f" ({len(problems) - 1} more such statements)" if len(problems) > 1 else ""
        raise failure(f"{message}{more}.", document)


@check("duo.statement.permission")
def test_conditions_name_a_permission(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl: DUO:0000001 "data use permission", DUO:0000017 "data use modifier:
    Data use modifiers indicate additional conditions for use"): a data object's data-use conditions
    should name a data use permission, which the modifiers add conditions to. Beacon v2's duoDataUse
    lists "Data Use Ontology codes": a modifier given as an item of its own beside the permission is
    none of this check's concern."""
    release = duo.release(schemas)
    checked = 0
    problems: list[tuple[Document, str]] = []
    for document, found in duo.parsed():
        for where, conditions in groups(found.statements).items():
            checked += 1
            problem = rules.permission(release, conditions)
            if problem is not None:
                problems.append((document, f"{document.ref} {where or '/'}: {problem}"))
    if not checked:
        duo.nothing_to_judge("the documents hold no data-use statement")
    if problems:
        document, message = problems[0]
        more = f" ({len(problems) - 1} more such data objects)" if len(problems) > 1 else ""
        raise failure(f"{message}{more}.", document)


@check("duo.statement.modifiers")
def test_statement_modifiers_are_modifiers(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl: DUO:0000017 "data use modifier"): each DUO term of a statement's
    modifiers is a data use modifier (a subclass of DUO:0000017), not a permission."""
    release = duo.release(schemas)
    _each(duo, lambda statement: rules.modifiers(release, statement),
          lambda statement: any(modifier.curie for modifier in statement.modifiers),
          "no statement has a DUO term among its modifiers")


@check("duo.statement.disease")
def test_disease_specific_research_names_a_disease(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl DUO:0000007 "disease specific research", rdfs:comment: "This term should
    be coupled with a term describing a disease from an ontology"; DUO recommends MONDO): a statement of
    disease-specific research, or of a term under it, should carry a disease term."""
    release = duo.release(schemas)
    _each(duo, lambda statement: rules.disease(release, statement),
          lambda statement: rules.disease_specific(release, statement),
          "no statement is of disease-specific research (DUO:0000007 or a term under it)")


@check("duo.statement.version")
def test_statement_version_names_a_release(duo: Duo) -> None:
    """DUO releases are named by date (duo.owl owl:versionIRI ``.../releases/2021-02-23/duo.owl``; the
    Beacon v2 duoDataUse ``version`` field, example "17-07-2016"): a statement's version, where the host
    format has one, should name a DUO release: a real date, not in the future."""
    _each(duo, rules.version, lambda statement: statement.has_version, "no statement gives a version")
