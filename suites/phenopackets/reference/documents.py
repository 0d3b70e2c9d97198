"""The documents of the Phenopackets reference server: a Phenopacket (JSON), a Family (JSON) and a Cohort
(YAML), conformant; each named fault changes one thing in one of them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

import yaml

NAMES = ("P1.json", "F1.json", "C1.yaml")

RESOURCES = [
    {"id": "hp", "name": "human phenotype ontology", "url": "http://purl.obolibrary.org/obo/hp.owl",
     "version": "2021-08-02", "namespacePrefix": "HP", "iriPrefix": "http://purl.obolibrary.org/obo/HP_"},
    {"id": "mondo", "name": "Mondo Disease Ontology", "url": "http://purl.obolibrary.org/obo/mondo.obo",
     "version": "2021-11-26", "namespacePrefix": "MONDO", "iriPrefix": "http://purl.obolibrary.org/obo/MONDO_"},
    {"id": "uberon", "name": "Uber-anatomy ontology", "url": "http://purl.obolibrary.org/obo/uberon.owl",
     "version": "2021-07-27", "namespacePrefix": "UBERON",
     "iriPrefix": "http://purl.obolibrary.org/obo/UBERON_"},
    {"id": "geno", "name": "Genotype Ontology", "url": "http://purl.obolibrary.org/obo/geno.owl",
     "version": "2020-03-08", "namespacePrefix": "GENO", "iriPrefix": "http://purl.obolibrary.org/obo/GENO_"},
]


def meta_data() -> dict[str, Any]:
    return {"created": "2021-05-14T10:35:00Z", "createdBy": "ga4gh-conformance reference",
            "resources": copy.deepcopy(RESOURCES), "phenopacketSchemaVersion": "2.0"}


def _interval(start: int, end: int) -> dict[str, Any]:
    return {"startNumber": {"value": str(start)}, "endNumber": {"value": str(end)}}


def _allele(start: int, end: int, sequence: str, allele_id: str, location_id: str | None = None) -> dict[str, Any]:
    """A VRS 1.2 Allele on GRCh38 chr19 (ga4gh:SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl) in the phenopackets
    protobuf form (``org.ga4gh.vrs.v1.Allele``; suites/phenopackets/variation.py gives the mapping)."""
    location: dict[str, Any] = {"sequenceId": "ga4gh:SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl",
                                "sequenceInterval": _interval(start, end)}
    return {"_id": allele_id, "sequenceLocation": {"_id": location_id, **location} if location_id else location,
            "literalSequenceExpression": {"sequence": sequence}}


#: The VRS objects of the variation descriptors: objects of VRS 1.2.1 validation/models.yaml with the
#: identifiers stated there (rs7412 T; the APOE1 haplotype; >=3 copies of APOE), so the conformant
#: documents' identifiers come from the official data, not from the code that checks them.
VARIATIONS: dict[str, dict[str, Any]] = {
    "allele": {"allele": _allele(44908821, 44908822, "T", "ga4gh:VA.CxiA_hvYbkD8Vqwjhx5AYuyul4mtlkpD",
                                 "ga4gh:VSL.QrRSuBj-VScAGV_gEdxNgsnh41jYH1Kg")},
    "haplotype": {"haplotype": {"_id": "ga4gh:VH.i8owCOBHIlRCPtcw_WzRFNTunwJRy99-", "members": [
        {"allele": _allele(44908821, 44908822, "C", "ga4gh:VA.-kUJh47Pu24Y3Wdsk1rXEDKsXWNY-68x")},
        {"allele": _allele(44908683, 44908684, "C", "ga4gh:VA.Z_rYRxpUvwqCLsCBO3YLl70o2uf9_Op1")}]}},
    "copyNumber": {"copyNumber": {"_id": "ga4gh:VCN.xksSWn--_z28Qaj-Udlhot4OKqYGkywy",
                                  "gene": {"geneId": "ncbigene:384"},
                                  "indefiniteRange": {"value": "3", "comparator": ">="}}},
}


def phenopacket(pid: str, subject: str, *, with_meta: bool = True, variation: str = "allele") -> dict[str, Any]:
    packet: dict[str, Any] = {
        "id": pid,
        "subject": {"id": subject, "timeAtLastEncounter": {"age": {"iso8601duration": "P6Y3M"}}, "sex": "FEMALE"},
        "phenotypicFeatures": [
            {"type": {"id": "HP:0001250", "label": "Seizure"},
             "onset": {"age": {"iso8601duration": "P2Y"}}, "resolution": {"age": {"iso8601duration": "P4Y6M"}}},
            {"type": {"id": "HP:0001263", "label": "Global developmental delay"}, "excluded": True},
        ],
        "biosamples": [{"id": f"{subject}-blood", "individualId": subject,
                        "sampledTissue": {"id": "UBERON:0000178", "label": "blood"}}],
        "diseases": [{"term": {"id": "MONDO:0100038", "label": "complex neurodevelopmental disorder"},
                      "onset": {"timestamp": "2017-03-01T00:00:00Z"}}],
        "interpretations": [{
            "id": f"{pid}-interpretation", "progressStatus": "SOLVED",
            "diagnosis": {"disease": {"id": "MONDO:0100038", "label": "complex neurodevelopmental disorder"},
                          "genomicInterpretations": [{
                              "subjectOrBiosampleId": subject, "interpretationStatus": "CAUSATIVE",
                              "variantInterpretation": {
                                  "acmgPathogenicityClassification": "PATHOGENIC",
                                  "variationDescriptor": {
                                      "id": f"{pid}-variant",
                                      "variation": copy.deepcopy(VARIATIONS[variation]),
                                      "moleculeContext": "genomic",
                                      "expressions": [{"syntax": "hgvs", "value": "NM_001848.2:c.877G>A"}],
                                      "allelicState": {"id": "GENO:0000135", "label": "heterozygous"}}}}]}}],
        "files": [{"uri": f"https://data.example.org/{subject}.vcf.gz",
                   "individualToFileIdentifiers": {subject: "SAMPLE1"},
                   "fileAttributes": {"genomeAssembly": "GRCh38", "fileFormat": "vcf"}}],
    }
    if with_meta:
        packet["metaData"] = meta_data()
    return packet


def family() -> dict[str, Any]:
    return {
        "id": "F1", "proband": phenopacket("F1-proband", "F1-II-1", variation="haplotype"),
        "relatives": [{"id": "F1-mother", "subject": {"id": "F1-I-2", "sex": "FEMALE"}}],
        "pedigree": {"persons": [
            {"familyId": "F1", "individualId": "F1-I-1", "sex": "MALE", "affectedStatus": "UNAFFECTED"},
            {"familyId": "F1", "individualId": "F1-I-2", "sex": "FEMALE", "affectedStatus": "UNAFFECTED"},
            {"familyId": "F1", "individualId": "F1-II-1", "paternalId": "F1-I-1", "maternalId": "F1-I-2",
             "sex": "FEMALE", "affectedStatus": "AFFECTED"}]},
        "files": [{"uri": "https://data.example.org/F1.vcf.gz",
                   "individualToFileIdentifiers": {"F1-I-1": "S1", "F1-I-2": "S2", "F1-II-1": "S3"}}],
        "metaData": meta_data(),
    }


def cohort() -> dict[str, Any]:
    return {"id": "C1", "description": "a small cohort",
            "members": [phenopacket("C1-P1", "C1-1", with_meta=False), phenopacket("C1-P2", "C1-2", with_meta=False,
                                                                             variation="copyNumber")],
            "metaData": meta_data()}


# -- faults: each a change of one document ---------------------------------------------------------

Change = Callable[[dict[str, Any]], Any]


def _set(path: list[Any], value: Any) -> Change:
    def change(doc: dict[str, Any]) -> Any:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return doc
    return change


def _delete(path: list[Any]) -> Change:
    def change(doc: dict[str, Any]) -> Any:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return doc
    return change


FEATURE = ["phenotypicFeatures", 0]
VARIATION = ["interpretations", 0, "diagnosis", "genomicInterpretations", 0, "variantInterpretation",
             "variationDescriptor", "variation"]
ALLELE = [*VARIATION, "allele"]
def _second_descriptor_same_id(doc: dict[str, Any]) -> Any:
    """A second genomic interpretation whose VariationDescriptor describes another variant under the first's id."""
    interpretations = doc["interpretations"][0]["diagnosis"]["genomicInterpretations"]
    other = copy.deepcopy(interpretations[0])
    other["variantInterpretation"]["variationDescriptor"]["expressions"] = [
        {"syntax": "hgvs", "value": "NM_001848.2:c.878G>A"}]
    interpretations.append(other)
    return doc


#: fault → (document, change)
FAULTS: dict[str, tuple[str, Change]] = {
    "not-an-object": ("P1.json", lambda doc: [doc]),
    "created-not-timestamp": ("P1.json", _set(["metaData", "created"], "yesterday")),
    "unknown-field": ("P1.json", _set(["phenotypes"], [{"id": "HP:0001250"}])),
    "onset-two-elements": ("P1.json", _set([*FEATURE, "onset", "gestationalAge"], {"weeks": 30})),
    "sex-not-enum": ("P1.json", _set(["subject", "sex"], "F")),
    "no-id": ("P1.json", _delete(["id"])),
    "no-created-by": ("C1.yaml", _delete(["metaData", "createdBy"])),
    "schema-version-wrong": ("P1.json", _set(["metaData", "phenopacketSchemaVersion"], "2.0.0")),
    "resource-no-iri-prefix": ("F1.json", _delete(["metaData", "resources", 0, "iriPrefix"])),
    "term-not-curie": ("P1.json", _set([*FEATURE, "type", "id"], "HP_0001250")),
    "undeclared-prefix": ("C1.yaml", _delete(["metaData", "resources", 1])),
    "age-not-iso8601": ("P1.json", _set(["subject", "timeAtLastEncounter", "age", "iso8601duration"], "6 years")),
    "age-without-duration": ("P1.json", _set(["subject", "timeAtLastEncounter", "age"], {})),
    "onset-after-resolution": ("P1.json", _set([*FEATURE, "resolution", "age", "iso8601duration"], "P1Y6M")),
    "term-without-label": ("P1.json", _delete([*FEATURE, "type", "label"])),
    "proband-not-in-pedigree": ("F1.json", _set(["pedigree", "persons", 2, "individualId"], "F1-II-2")),
    "file-without-uri": ("F1.json", _delete(["files", 0, "uri"])),
    "file-identifier-unknown": ("P1.json", _set(["files", 0, "individualToFileIdentifiers"], {"P1-someone": "S9"})),
    "schema-version-other": ("F1.json", _set(["metaData", "phenopacketSchemaVersion"], "3.0")),
    "resource-no-url": ("F1.json", _delete(["metaData", "resources", 0, "url"])),
    "disease-term-not-curie": ("P1.json", _set(["diseases", 0, "term", "id"], "MONDO0100038")),
    "disease-resolved-before-onset": ("P1.json", _set(["diseases", 0, "resolution"],
                                                      {"timestamp": "2016-01-01T00:00:00Z"})),
    "onset-age-not-iso8601": ("P1.json", _set([*FEATURE, "onset", "age", "iso8601duration"], "two years")),
    "interpretation-status-not-enum": ("P1.json", _set(["interpretations", 0, "diagnosis", "genomicInterpretations",
                                                        0, "interpretationStatus"], "CAUSAL")),
    "nested-unknown-field": ("C1.yaml", _set(["members", 0, "subject", "gender"], "FEMALE")),
    "disease-onset-two-elements": ("P1.json", _set(["diseases", 0, "onset", "age"], {"iso8601duration": "P3Y"})),
    "no-meta-data": ("P1.json", _delete(["metaData"])),
    "family-file-identifier-unknown": ("F1.json", _set(["files", 0, "individualToFileIdentifiers", "F1-III-1"],
                                                       "S4")),
    "term-unknown": ("P1.json", _set([*FEATURE, "type"], {"id": "HP:9999999", "label": "Unknown phenotype"})),
    "term-label-mismatch": ("P1.json", _set([*FEATURE, "type", "label"], "Fever")),
    "variation-descriptor-id-shared": ("P1.json", _second_descriptor_same_id),
    # the identifier of the SequenceState form of the same allele (VRS 1.2.1 validation/models.yaml)
    "variation-wrong-id": ("P1.json", _set([*ALLELE, "_id"], "ga4gh:VA.KnG6BLTexv7o-j9LnYsgPxZkRUu1IRnp")),
    "variation-location-wrong-id": ("C1.yaml", _set(["members", 0, *ALLELE, "sequenceLocation", "_id"],
                                                    "ga4gh:VSL.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl")),
    "variation-sequence-not-curie": ("P1.json", _set([*ALLELE, "sequenceLocation", "sequenceId"], "NC_000019.10")),
    "variation-empty": ("P1.json", _set(VARIATION, {})),
    "variation-allele-without-state": ("P1.json", _delete([*ALLELE, "literalSequenceExpression"])),
    "haplotype-no-members": ("F1.json", _set(["proband", *VARIATION, "haplotype", "members"], [])),
    "copy-number-comparator": ("C1.yaml", _set(["members", 1, *VARIATION, "copyNumber", "indefiniteRange",
                                                "comparator"], ">")),
}

BUILD: dict[str, Callable[[], dict[str, Any]]] = {
    "P1.json": lambda: phenopacket("P1", "P1-subject"), "F1.json": family, "C1.yaml": cohort}


def documents(faults: Iterable[str]) -> dict[str, bytes]:
    """Every served document, the named faults applied."""
    served: dict[str, bytes] = {}
    for name in NAMES:
        doc: Any = BUILD[name]()
        for fault in sorted(faults):
            where, change = FAULTS[fault]
            if where == name:
                doc = change(doc)
        served[name] = (yaml.safe_dump(doc, sort_keys=False) if name.endswith(".yaml")
                        else json.dumps(doc, indent=1)).encode()
    return served


#: The ontology file the reference serves for HP (``documents/hp.obo``; demo entries name it in `ontologies`).
ONTOLOGY = "hp.obo"


def _terms(value: Any, prefix: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and value["id"].startswith(prefix + ":") and "label" in value:
            yield value["id"], value["label"]
        for item in value.values():
            yield from _terms(item, prefix)
    elif isinstance(value, list):
        for item in value:
            yield from _terms(item, prefix)


def ontology_obo() -> bytes:
    """A small HP release in OBO format: every HP term of the conformant documents with its label, at the
    release their metaData declares (what an initiative would name: the release its documents cite)."""
    version = next(r["version"] for r in RESOURCES if r["namespacePrefix"] == "HP")
    terms = dict(sorted({t for build in BUILD.values() for t in _terms(build(), "HP")}))
    lines = ["format-version: 1.2", f"data-version: hp/releases/{version}", "ontology: hp", ""]
    for term_id, label in terms.items():
        lines += ["[Term]", f"id: {term_id}", f"name: {label}", ""]
    return "\n".join(lines).encode()
