"""The synthetic dataset of the reference Beacon: 2 datasets, 1 cohort, 6 individuals with one
biosample, run and analysis each, and 25 genomic variations (3 as VRS 1.x Alleles with their computed
identifiers, 22 in the Beacon ``LegacyVariation`` form).

Every record is valid against the default-model schemas of Beacon v2.0.0, v2.1.0 and v2.1.1 (records
avoid the ``timeElement`` fields, whose ``oneOf`` is ambiguous in v2.0.0, and use only VRS constructs
common to 1.2 and 1.3). The data is shaped for the checks: 22 variants in ``ds-synth-01`` (three pages
of 10), a HIT and a MISS dataset, two alleles at one position, a deletion that ends where an SNV
starts (half-open interval probes), and copy-number variants of two types for range, bracket and
``variantType`` queries.
"""

from __future__ import annotations

from typing import Any

#: refseq:NC_000019.10 as a GA4GH sequence id (VRS 1.3.0 docs, impl-guide/example.rst).
CHR19_SQ = "ga4gh:SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl"
#: VRS 1.x computed identifiers of the three Alleles (checked by tests/suites/beacon/test_beacon_vrs1.py).
VRS_IDS = {
    (44908821, "T"): "ga4gh:VA.CxiA_hvYbkD8Vqwjhx5AYuyul4mtlkpD",
    (44908683, "C"): "ga4gh:VA.Z_rYRxpUvwqCLsCBO3YLl70o2uf9_Op1",
    (44908821, "G"): "ga4gh:VA.hQ_aW9I7ogXQfgHPc_L2X85lF2eX5H6e",
}
LOCATION_IDS = {44908821: "ga4gh:VSL.QrRSuBj-VScAGV_gEdxNgsnh41jYH1Kg"}

#: entry type id → (endpoint path, model directory, name, ontology term)
ENTRY_TYPES: dict[str, tuple[str, str, str, tuple[str, str]]] = {
    "dataset": ("datasets", "datasets", "Dataset", ("NCIT:C47824", "Data set")),
    "cohort": ("cohorts", "cohorts", "Cohort", ("NCIT:C61512", "Cohort")),
    "individual": ("individuals", "individuals", "Individual", ("NCIT:C25190", "Person")),
    "biosample": ("biosamples", "biosamples", "Biosample", ("NCIT:C70699", "Biospecimen")),
    "run": ("runs", "runs", "Sequencing run", ("NCIT:C148088", "Sequencing run")),
    "analysis": ("analyses", "analyses", "Bioinformatics analysis", ("edam:operation_2945", "Analysis")),
    "genomicVariant": ("g_variants", "genomicVariations", "Genomic Variants", ("ENSGLOSSARY:0000092", "Variant")),
}
COLLECTIONS = {"dataset": ("genomicVariant", "individual", "biosample"), "cohort": ("individual",)}


def _term(term_id: str, label: str) -> dict[str, str]:
    return {"id": term_id, "label": label}


FEMALE, MALE = _term("NCIT:C16576", "female"), _term("NCIT:C20197", "male")
GBM, BRCA = _term("NCIT:C3058", "Glioblastoma"), _term("NCIT:C4872", "Breast Carcinoma")

FILTERING_TERMS: list[dict[str, Any]] = [
    {"type": "ontologyTerm", "id": "NCIT:C16576", "label": "female", "scopes": ["individual"]},
    {"type": "ontologyTerm", "id": "NCIT:C20197", "label": "male", "scopes": ["individual"]},
    {"type": "ontologyTerm", "id": "NCIT:C3058", "label": "Glioblastoma", "scopes": ["individual", "biosample"]},
    {"type": "ontologyTerm", "id": "NCIT:C4872", "label": "Breast Carcinoma", "scopes": ["individual", "biosample"]},
    {"type": "custom", "id": "synthetic:batch-A", "label": "synthetic batch A", "scopes": ["individual"]},
    {"type": "custom", "id": "synthetic:batch-B", "label": "synthetic batch B", "scopes": ["individual"]},
]
RESOURCES = [{"id": "ncit", "name": "NCI Thesaurus", "url": "http://purl.obolibrary.org/obo/ncit.owl",
              "nameSpacePrefix": "NCIT", "iriPrefix": "http://purl.obolibrary.org/obo/NCIT_"}]


def build() -> dict[str, list[dict[str, Any]]]:
    """Fresh copies of every record, by entry type."""
    datasets: list[dict[str, Any]] = [
        {"id": "ds-synth-01", "name": "Synthetic dataset 1", "description": "Synthetic records (germline + tumour)",
         "createDateTime": "2024-01-15T10:00:00Z", "updateDateTime": "2024-06-01T12:00:00Z", "version": "v1.0.0",
         "dataUseConditions": {"duoDataUse": [{"id": "DUO:0000042", "label": "general research use",
                                               "version": "17-07-2016"}]}},
        {"id": "ds-synth-02", "name": "Synthetic dataset 2",
         "description": "Small second dataset for HIT/MISS result sets",
         "createDateTime": "2024-02-01T10:00:00Z", "version": "v1.0.0"},
    ]
    cohorts: list[dict[str, Any]] = [
        {"id": "coh-synth-01", "name": "Synthetic cohort 1", "cohortType": "beacon-defined", "cohortSize": 4,
         "cohortDesign": _term("OMIABIS:0001019", "case control design"),
         "cohortDataTypes": [_term("OGMS:0000015", "clinical history"), _term("OBI:0000070", "genotyping assay")]}]
    individuals: list[dict[str, Any]] = []
    plan = [(FEMALE, GBM, "ds-synth-01", "A"), (MALE, GBM, "ds-synth-01", "A"), (FEMALE, BRCA, "ds-synth-01", "B"),
            (FEMALE, BRCA, "ds-synth-01", "B"), (MALE, None, "ds-synth-02", "A"), (MALE, None, "ds-synth-02", "B")]
    for n, (sex, disease, dataset, batch) in enumerate(plan, 1):
        individual: dict[str, Any] = {
            "id": f"ind-{n:03d}", "sex": dict(sex), "karyotypicSex": "XX" if sex is FEMALE else "XY",
            "info": {"datasetId": dataset, "cohortIds": ["coh-synth-01"] if n <= 4 else [],
                     "customTerms": [f"synthetic:batch-{batch}"]}}
        if disease:
            individual["diseases"] = [{"diseaseCode": dict(disease)}]
        individuals.append(individual)
    biosamples: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    analyses: list[dict[str, Any]] = []
    for n, individual in enumerate(individuals, 1):
        disease = individual["diseases"][0]["diseaseCode"] if "diseases" in individual else None
        origin = (_term("UBERON:0000955", "brain") if disease == GBM else
                  _term("UBERON:0000310", "breast") if disease else _term("UBERON:0000178", "blood"))
        biosample: dict[str, Any] = {
            "id": f"bios-{n:03d}", "individualId": individual["id"],
            "biosampleStatus": (_term("EFO:0009656", "neoplastic sample") if disease
                                else _term("EFO:0009654", "reference sample")),
            "sampleOriginType": origin, "collectionDate": f"2020-03-{n:02d}"}
        if disease:
            biosample["histologicalDiagnosis"] = dict(disease)
        biosamples.append(biosample)
        runs.append({"id": f"run-{n:03d}", "biosampleId": biosample["id"], "individualId": individual["id"],
                     "runDate": f"2020-04-{n:02d}", "libraryLayout": "PAIRED", "librarySelection": "RANDOM",
                     "libraryStrategy": "WGS" if n % 2 else "WES",
                     "librarySource": _term("GENEPIO:0001966", "genomic source"), "platform": "Illumina",
                     "platformModel": _term("OBI:0002048", "Illumina HiSeq 3000")})
        analyses.append({"id": f"ana-{n:03d}", "runId": f"run-{n:03d}", "biosampleId": biosample["id"],
                         "individualId": individual["id"], "analysisDate": f"2020-05-{n:02d}",
                         "pipelineName": "synthetic-pipeline", "variantCaller": "GATK4.0"})
    return {"dataset": datasets, "cohort": cohorts, "individual": individuals, "biosample": biosamples,
            "run": runs, "analysis": analyses, "genomicVariant": _variants()}


def _case_level(*numbers: int) -> list[dict[str, Any]]:
    return [{"biosampleId": f"bios-{n:03d}", "individualId": f"ind-{n:03d}", "analysisId": f"ana-{n:03d}",
             "runId": f"run-{n:03d}", "zygosity": _term("GENO:0000135", "heterozygous")} for n in numbers]


def _interval(start: int, end: int) -> dict[str, Any]:
    return {"type": "SequenceInterval", "start": {"type": "Number", "value": start},
            "end": {"type": "Number", "value": end}}


def _allele(start: int, alt: str) -> dict[str, Any]:
    location: dict[str, Any] = {"type": "SequenceLocation", "sequence_id": CHR19_SQ,
                                "interval": _interval(start, start + 1)}
    if start in LOCATION_IDS:
        location["_id"] = LOCATION_IDS[start]
    return {"type": "Allele", "location": location, "state": {"type": "LiteralSequenceExpression", "sequence": alt},
            "_id": VRS_IDS[(start, alt)]}


def _legacy(sequence: str, start: int, end: int, ref: str | None, alt: str, variant_type: str) -> dict[str, Any]:
    variation: dict[str, Any] = {"variantType": variant_type, "alternateBases": alt,
                                 "location": {"type": "SequenceLocation", "sequence_id": sequence,
                                              "interval": _interval(start, end)}}
    if ref is not None:
        variation["referenceBases"] = ref
    return variation


def _variants() -> list[dict[str, Any]]:
    variants: list[dict[str, Any]] = []

    def add(variant_id: str, variation: dict[str, Any], dataset: str, cases: list[int],
            genes: list[str] | None = None, hgvs: str | None = None, alt_ids: tuple[str, ...] = ()) -> None:
        record: dict[str, Any] = {"variantInternalId": variant_id, "variation": variation,
                                  "caseLevelData": _case_level(*cases), "info": {"datasetId": dataset}}
        ids = [{"id": i} for i in alt_ids]
        if variation.get("_id"):
            ids.insert(0, {"id": variation["_id"], "notes": "GA4GH VRS 1.x computed identifier"})
        identifiers: dict[str, Any] = {}
        if ids:
            identifiers["variantAlternativeIds"] = ids
        if hgvs:
            identifiers["genomicHGVSId"] = hgvs
        if identifiers:
            record["identifiers"] = identifiers
        if genes:
            record["molecularAttributes"] = {"geneIds": genes}
        variants.append(record)

    add("var-0001", _allele(44908821, "T"), "ds-synth-01", [1, 3], ["APOE"], "NC_000019.10:g.44908822C>T",
        ("dbSNP:rs7412",))
    add("var-0002", _allele(44908683, "C"), "ds-synth-01", [2], ["APOE"], "NC_000019.10:g.44908684T>C",
        ("dbSNP:rs429358",))
    add("var-0003", _allele(44908821, "G"), "ds-synth-01", [4], ["APOE"], "NC_000019.10:g.44908822C>G")
    for k in range(17):
        position = 44905000 + 1000 * k
        add(f"var-{10 + k:04d}", _legacy("refseq:NC_000019.10", position, position + 1, "A", "G", "SNP"),
            "ds-synth-01", [1 + k % 4])
    add("var-0030", _legacy("refseq:NC_000019.10", 44929990, 44930000, "ACGTACGTAC", "", "DEL"), "ds-synth-02", [5])
    add("var-0031", _legacy("refseq:NC_000019.10", 44930000, 44930001, "T", "A", "SNP"), "ds-synth-02", [6])
    add("var-0101", _legacy("refseq:NC_000017.11", 7500000, 7700000, None, "", "EFO:0030067"), "ds-synth-01", [1],
        ["TP53"])
    add("var-0102", _legacy("refseq:NC_000017.11", 7400000, 7800000, None, "", "EFO:0030070"), "ds-synth-01", [3],
        ["TP53"])
    add("var-0103", _legacy("refseq:NC_000017.11", 1000000, 20000000, None, "", "EFO:0030067"), "ds-synth-02", [5])
    return variants
