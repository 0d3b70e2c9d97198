"""Ontology terms: each OntologyClass id is a CURIE whose prefix a Resource of metaData declares
(Phenopackets 2.0 docs/ontologyclass.rst, docs/metadata.rst, docs/resource.rst)."""

from __future__ import annotations

from conformance import check

from . import rules
from .view import Phenopackets


@check("phenopackets.ontology.curie")
def test_term_ids_are_curies(phenopackets: Phenopackets) -> None:
    """"The ID of an OntologyClass element MUST take the form of a CURIE format", prefix:reference
    (Phenopackets 2.0 docs/ontologyclass.rst, id; docs/resource.rst, CURIE)."""
    phenopackets.apply(rules.problem_curie)


@check("phenopackets.ontology.prefix-declared")
def test_term_prefixes_declared(phenopackets: Phenopackets) -> None:
    """Every OntologyClass "MUST reference the namespace prefix of a Resource named in the MetaData";
    "The MetaData element MUST have one Resource element for each ontology or terminology whose terms are
    used" (Phenopackets 2.0 docs/ontologyclass.rst, id; docs/metadata.rst; docs/resource.rst, CURIE)."""
    phenopackets.apply(rules.problem_prefix_declared)
