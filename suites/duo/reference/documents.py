"""The DUO reference server's documents: a Beacon-style list of datasets with dataUseConditions
(datasets.json) and a YAML list of data-use statements (statements.yaml), conformant as written here.
Each named fault changes one thing in one of them (:func:`documents`)."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml

DATASETS: list[dict[str, Any]] = [
    {"id": "dataset-gru", "name": "General research cohort",
     "dataUseConditions": {"duoDataUse": [
         {"id": "DUO:0000042", "label": "general research use", "version": "2021-02-23",
          "modifiers": [{"id": "DUO:0000019", "label": "publication required"}]},
         # Beacon v2 lists "Data Use Ontology codes": a modifier may be an item of its own
         {"id": "DUO:0000046", "label": "non-commercial use only", "version": "2021-02-23"}]}},
    {"id": "dataset-ds", "name": "Diabetes cohort",
     "dataUseConditions": {"duoDataUse": [
         # Beacon v2's own example writes the version day first
         {"id": "DUO:0000007", "label": "Disease Specific Research", "version": "17-07-2016",
          "modifiers": [{"id": "MONDO:0005148", "label": "type 2 diabetes mellitus"},
                        {"id": "DUO:0000021", "label": "IRB"}]}]}},
    {"id": "dataset-hmb", "name": "Biobank extract",
     "dataUseConditions": {"duoDataUse": [
         {"id": "DUO:0000006", "label": "health or medical or biomedical research",
          "modifiers": [{"id": "DUO:0000028"}]}]}},
]

STATEMENTS: list[dict[str, Any]] = [
    {"id": "DUO:0000004", "label": "no restriction", "version": "v2021-02-23"},
    {"id": "DUO:0000011", "label": "population origins or ancestry research only",
     "modifiers": [{"id": "DUO:0000044", "label": "population origins or ancestry research prohibited"}]},
]

NAMES = ("datasets.json", "statements.yaml")


def _first(datasets: list[dict[str, Any]], index: int = 0) -> dict[str, Any]:
    statement: dict[str, Any] = datasets[index]["dataUseConditions"]["duoDataUse"][0]
    return statement


def documents(faults: frozenset[str]) -> dict[str, bytes]:
    """The served documents with ``faults`` applied."""
    datasets = copy.deepcopy(DATASETS)
    statements = copy.deepcopy(STATEMENTS)
    if "curie-underscore" in faults:
        _first(datasets)["id"] = "DUO_0000042"
    if "curie-lowercase" in faults:
        statements[0]["id"] = "duo:0000004"
    if "statement-not-duo" in faults:
        _first(datasets, 2)["id"] = "MONDO:0005148"
        _first(datasets, 2)["label"] = "type 2 diabetes mellitus"
    if "unknown-term" in faults:
        _first(datasets)["modifiers"][0] = {"id": "DUO:0009999", "label": "publication required"}
    if "obsolete-term" in faults:
        _first(datasets)["id"] = "DUO:0000005"
        _first(datasets)["label"] = "general research use and clinical care"
    if "label-mismatch" in faults:
        _first(datasets, 2)["label"] = "general research use"
    if "label-not-text" in faults:
        statements[1]["modifiers"][0]["label"] = 44
    if "modifier-as-permission" in faults:
        _first(datasets, 2)["id"] = "DUO:0000046"
        _first(datasets, 2)["label"] = "non-commercial use only"
    if "permission-as-modifier" in faults:
        _first(datasets, 2)["modifiers"].append({"id": "DUO:0000042", "label": "general research use"})
    if "ds-without-disease" in faults:
        del _first(datasets, 1)["modifiers"][0]
    if "bad-release" in faults:
        statements[0]["version"] = "latest"
    if "future-release" in faults:
        _first(datasets)["version"] = "2999-01-01"
    served = {"datasets.json": json.dumps(datasets, indent=1).encode(),
              "statements.yaml": yaml.safe_dump(statements, sort_keys=False).encode()}
    if "not-json" in faults:
        served["datasets.json"] = served["datasets.json"][:-40]
    return served
