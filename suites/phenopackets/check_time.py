"""Ages and time order: an Age carries an ISO 8601 duration, and no feature or disease resolves before its
onset (Phenopackets 2.0 docs/age.rst, docs/phenotype.rst, docs/disease.rst)."""

from __future__ import annotations

from conformance import check

from . import rules
from .view import Phenopackets


@check("phenopackets.time.age-present")
def test_ages_have_a_duration(phenopackets: Phenopackets) -> None:
    """"If the Age message is used, the iso8601duration value must be present" (Phenopackets 2.0
    docs/age.rst)."""
    phenopackets.apply(rules.problem_age_present)


@check("phenopackets.time.age-iso8601")
def test_ages_are_iso8601_durations(phenopackets: Phenopackets) -> None:
    """The age is "a string that should be formatted according to ISO8601 Duration", such as P40Y10M05D
    (Phenopackets 2.0 docs/age.rst: a SHOULD)."""
    phenopackets.apply(rules.problem_age)


@check("phenopackets.time.onset-not-after-resolution")
def test_onset_not_after_resolution(phenopackets: Phenopackets) -> None:
    """A PhenotypicFeature's or Disease's onset ("Age or time at which the feature was first observed") is
    not after its resolution ("Age or time at which the feature resolved or abated") (Phenopackets 2.0
    docs/phenotype.rst, docs/disease.rst, data model); compared when both are ages (with the widest reading
    of months and years) or both timestamps."""
    phenopackets.apply(rules.problem_onset_after_resolution)
