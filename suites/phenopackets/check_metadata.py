"""Required fields and the MetaData block: id, metaData with created, createdBy and a permitted
phenopacketSchemaVersion, and complete Resources (Phenopackets 2.0 docs/phenopacket.rst, docs/family.rst,
docs/cohort.rst, docs/metadata.rst, docs/resource.rst)."""

from __future__ import annotations

from conformance import check

from . import rules
from .view import Phenopackets


@check("phenopackets.document.required-fields")
def test_required_fields(phenopackets: Phenopackets) -> None:
    """A Phenopacket, Family or Cohort has an id and metaData (REQUIRED; a Family also its proband and
    pedigree, a Cohort its members), and metaData has created and createdBy (1..1) (Phenopackets 2.0
    docs/phenopacket.rst, docs/family.rst, docs/cohort.rst, docs/metadata.rst)."""
    phenopackets.apply(rules.problem_required)


@check("phenopackets.metadata.schema-version")
def test_schema_version_permitted(phenopackets: Phenopackets) -> None:
    """metaData.phenopacketSchemaVersion: "Permitted values MUST be one of 1.0.0, 1.0 or 2.0"
    (Phenopackets 2.0 docs/metadata.rst, phenopacket_schema_version)."""
    phenopackets.apply(rules.problem_schema_version)


@check("phenopackets.metadata.resource-fields")
def test_resources_complete(phenopackets: Phenopackets) -> None:
    """Each Resource has id, name, namespacePrefix, url and iriPrefix (REQUIRED) (Phenopackets 2.0
    docs/resource.rst; version may be blank for resources without release versions)."""
    phenopackets.apply(rules.problem_resources)
