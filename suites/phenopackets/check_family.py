"""Families and files: the pedigree holds the family's individuals, and a File's
individualToFileIdentifiers name individuals or biosamples of the document (Phenopackets 2.0
docs/family.rst, docs/pedigree.rst, docs/file.rst)."""

from __future__ import annotations

from conformance import check

from . import rules
from .view import Phenopackets


@check("phenopackets.family.pedigree-members")
def test_pedigree_holds_the_family(phenopackets: Phenopackets) -> None:
    """The pedigree defines "the relations between the proband and their relatives";
    "Pedigree.individual_id MUST map to the PhenoPacket.Individual.id": the proband's subject is a person of
    the pedigree (Phenopackets 2.0 docs/family.rst, pedigree). A relative need not be one: relatives "may be
    members of a cohort" (family.rst, relatives), and a pedigree may hold individuals without a Phenopacket
    (docs/pedigree.rst)."""
    phenopackets.apply(rules.problem_pedigree)


@check("phenopackets.file.uri")
def test_files_have_uris(phenopackets: Phenopackets) -> None:
    """A File's uri is "A valid URI ... REQUIRED" (Phenopackets 2.0 docs/file.rst)."""
    phenopackets.apply(rules.problem_file_uri)


@check("phenopackets.file.individual-identifiers")
def test_file_identifiers_name_subjects(phenopackets: Phenopackets) -> None:
    """individualToFileIdentifiers: "The key values must correspond to the Individual::id for the
    individuals in the message or Biosample::id for biosamples" (Phenopackets 2.0 docs/file.rst)."""
    phenopackets.apply(rules.problem_file_identifiers)
