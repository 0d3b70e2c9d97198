"""GA4GH Phenopackets 2.0: the Phenopacket, Family and Cohort documents an initiative publishes, read with
the official ``phenopackets`` package (protobuf JSON mapping, unknown fields refused) and checked against
the rules of the schema documentation (required fields, declared ontology prefixes, CURIEs, ages, time
order, pedigree and file identifiers)."""

from conformance import Suite

SUITE = Suite(
    standard="phenopackets",
    title="GA4GH Phenopackets",
    reference=".reference:APPS",
    versions=("2.0",),
    data=True,
    service_options={
        "documents": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "Phenopacket, Family or Cohort documents (JSON, YAML or binary protobuf): "
                                     "http(s) URLs, drs:// URIs or paths relative to the profile file"},
        "ontologies": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "CURIE prefix -> ontology file (OBO, OBO Graphs JSON or OWL; a path relative "
                                      "to the profile or an http(s) URL): the terms of that prefix must exist in it "
                                      "and carry its labels"},
    },
)
