"""Each document is a Phenopacket, Family or Cohort of the Phenopackets 2.0 schema (the .proto files under
src/main/proto, read in the protobuf JSON mapping or as binary protobuf): no field the schema lacks, each
one-of set at most once, enum values the schema defines (Phenopackets 2.0 docs/toplevel.rst,
docs/protobuf.rst, docs/time-element.rst)."""

from __future__ import annotations

from conformance import check, fail

from .view import Phenopackets


def refused(phenopackets: Phenopackets, kind: str) -> None:
    """Fails on the first document the protobuf mapping refuses for the reason ``kind``."""
    for read in phenopackets.documents():
        if read.problem is not None and read.problem.kind == kind:
            raise fail(f"{read.document.ref}: {read.problem.reason}", read.document.response)


@check("phenopackets.document.is-message")
def test_document_is_a_top_level_message(phenopackets: Phenopackets) -> None:
    """Every document is a Phenopacket, Family or Cohort (Phenopackets 2.0 docs/toplevel.rst "Top-Level
    Elements"; the messages of src/main/proto/phenopackets/schema/v2/phenopackets.proto), as JSON or YAML in
    the protobuf JSON mapping or as binary protobuf, with well-formed values (timestamps, numbers)."""
    refused(phenopackets, "invalid")


@check("phenopackets.document.known-fields")
def test_document_has_only_schema_fields(phenopackets: Phenopackets) -> None:
    """A document holds only fields the Phenopackets 2.0 schema defines (docs/schema.rst; the .proto
    messages; protobuf JSON mapping: an unknown field is an error, not ignored)."""
    refused(phenopackets, "unknown-field")


@check("phenopackets.document.one-of")
def test_one_of_set_once(phenopackets: Phenopackets) -> None:
    """A one-of (a TimeElement's element, a Value's value...) is set at most once (Phenopackets 2.0
    docs/time-element.rst, each field "(one of the options)"; the .proto oneof declarations)."""
    refused(phenopackets, "one-of")


@check("phenopackets.document.enums")
def test_enum_values_known(phenopackets: Phenopackets) -> None:
    """Enum fields (sex, karyotypicSex, progressStatus, acmgPathogenicityClassification...) hold values the
    schema defines (Phenopackets 2.0 docs/sex.rst, docs/karyotypicsex.rst, docs/interpretation.rst...;
    the .proto enum declarations)."""
    refused(phenopackets, "enum")
