"""The DUO terms that the profile's other services return (a cross-standard check, ARCHITECTURE.md): the
datasets of each Beacon v2 service of the profile, whose ``dataUseConditions.duoDataUse`` are data-use
statements, checked by the same rules as the documents' (DUO 2021-02-23).

Beacon v2 is the only spec of the specs directory that puts DUO terms in a field: Passport v1.x visas'
``conditions`` match other Visas' claims and the ControlledAccessGrants ``value`` is a URL, and DRS has no
data-use field, so neither is read here (requirements.yaml says where each spec stands)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

from conformance import CheckFailure, Response, SpecStore, check, fail

from . import ontology, rules
from .statements import Found, Mention, Statement, find, groups
from .view import Duo


def _sources(duo: Duo) -> Iterator[tuple[str, Found, Response]]:
    """(where, statements found, the answer) of every Beacon v2 service's /datasets."""
    from ..beacon.view import Beacon

    beacons = [s for s in duo.run.profile.services if s.standard == "beacon" and s.version.startswith("2")]
    if not beacons:
        pytest.skip("does not apply: the profile declares no Beacon v2 service, whose datasets carry DUO terms")
    read = 0
    for service in beacons:
        if duo.run.probe(service) is not None:
            continue  # unreachable: the beacon's own checks say so
        try:
            answer = Beacon.of(service, duo.run).get_answer("/datasets")
        except CheckFailure:
            continue  # not a data response: a beacon defect its own checks report
        read += 1
        yield f"{service.key} GET /datasets", find(answer.records()), answer.response
    if not read:
        pytest.skip("no Beacon v2 service of the profile answered /datasets with a data response")


def _check(duo: Duo, schemas: SpecStore,
           term_rules: list[Callable[[ontology.Release, Mention], str | None]],
           statement_rules: list[Callable[[ontology.Release, Statement], str | None]],
           conditions_rules: Sequence[Callable[[ontology.Release, Sequence[Statement]], str | None]] = ()) -> None:
    release = duo.release(schemas)
    problems: list[tuple[str, Response]] = []
    judged = 0
    for where, found, response in _sources(duo):
        judged += len(found.mentions) + len(found.statements)
        for mention in found.mentions:
            for term_rule in term_rules:
                problem = term_rule(release, mention)
                if problem:
                    problems.append((f"{where}, record {mention.path}: {problem}", response))
        for statement in found.statements:
            for statement_rule in statement_rules:
                problem = statement_rule(release, statement)
                if problem:
                    problems.append((f"{where}, record {statement.path}: {problem}", response))
        for group, conditions in groups(found.statements).items():
            for conditions_rule in conditions_rules:
                problem = conditions_rule(release, conditions)
                if problem:
                    problems.append((f"{where}, record {group}: {problem}", response))
    if not judged:
        pytest.skip("does not apply: no dataset of the profile's Beacon v2 services gives a DUO term "
                    "(dataUseConditions.duoDataUse)")
    if problems:
        message, response = problems[0]
        more = f" ({len(problems) - 1} more such terms)" if len(problems) > 1 else ""
        raise fail(f"{message}{more}.", response)


@check("duo.services.terms")
def test_terms_other_services_return(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (duo.owl; the rules of duo.term.curie, duo.term.exists and duo.statement.modifiers),
    applied to the data-use conditions of the profile's Beacon v2 datasets (Beacon v2
    dataUseConditions.duoDataUse)."""
    _check(duo, schemas, [lambda _, mention: rules.curie(mention), rules.exists], [rules.modifiers])


@check("duo.services.terms-current")
def test_terms_other_services_return_are_current(duo: Duo, schemas: SpecStore) -> None:
    """DUO 2021-02-23 (the rules of duo.term.not-obsolete, duo.term.label and duo.statement.permission),
    applied to the data-use conditions of the profile's Beacon v2 datasets: obsolete terms (with their
    replacement), labels, and a data use permission among each dataset's conditions."""
    _check(duo, schemas, [rules.not_obsolete, rules.label], [], [rules.permission])
