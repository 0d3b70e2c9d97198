"""Errata of the official Beacon schemas: a record following the model is never failed for a defect of
the schema (requirements.yaml, beacon.records.schema.valid)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_suites.beacon.view import SchemaSet

from conformance import SpecStore

SEX = {"id": "NCIT:C16576", "label": "female"}


def _individual(**fields: Any) -> dict[str, Any]:
    return {"id": "ind-1", "sex": SEX, **fields}


ONSET = _individual(diseases=[{"diseaseCode": {"id": "NCIT:C3058", "label": "Glioblastoma"},
                               "ageOfOnset": {"iso8601duration": "P45Y"}}])
ONSET_TERM = _individual(diseases=[{"diseaseCode": {"id": "NCIT:C3058", "label": "Glioblastoma"},
                                    "ageOfOnset": {"id": "HP:0003581", "label": "Adult onset"}}])
MEASURE = _individual(measures=[{"assayCode": {"id": "LOINC:35925-4", "label": "BMI"},
                                 "measurementValue": {"value": 24.5,
                                                      "unit": {"id": "NCIT:C49671", "label": "kg/m2"}}}])


@pytest.mark.parametrize("version", ["2.0.0", "2.1.0", "2.1.1"])
@pytest.mark.parametrize("record", [ONSET, ONSET_TERM, MEASURE], ids=["age", "onset-term", "measurement"])
def test_time_elements_and_measurement_values_are_valid(version: str, record: dict[str, Any],
                                                        requires_specs: str) -> None:
    # v2.0.0: age.json, ageRange.json and complexValue.json require nothing, so every object is valid under
    # two alternatives of timeElement's and measurementValue's oneOf, which would reject every value
    schemas = SchemaSet(SpecStore(Path(requires_specs)), version)
    assert schemas.model_errors("individuals", record) == []


@pytest.mark.parametrize("version", ["2.0.0", "2.1.1"])
def test_a_time_element_that_is_no_object_is_still_invalid(version: str, requires_specs: str) -> None:
    record = _individual(diseases=[{"diseaseCode": {"id": "NCIT:C3058", "label": "x"}, "ageOfOnset": 45}])
    assert SchemaSet(SpecStore(Path(requires_specs)), version).model_errors("individuals", record) != []


def test_newer_versions_keep_their_one_of(requires_specs: str) -> None:
    # v2.1.x declares the required members: a value is one alternative only, and oneOf stays oneOf
    record = _individual(diseases=[{"diseaseCode": {"id": "NCIT:C3058", "label": "x"},
                                    "ageOfOnset": {"age": {"iso8601duration": "P45Y"}}}])
    assert SchemaSet(SpecStore(Path(requires_specs)), "2.1.1").model_errors("individuals", record) != []
