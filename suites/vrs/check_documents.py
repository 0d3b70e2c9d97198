"""Each document holds VRS objects of the declared version, valid against its official JSON Schema
(VRS 1.3 schema/vrs.json; VRS 2.0 schema/vrs/json/<Class> with the gks-common parts)."""

from __future__ import annotations

from conformance import SpecStore, check, fail

from . import schema
from .view import Vrs


@check("vrs.document.objects")
def test_documents_hold_vrs_objects(vrs: Vrs) -> None:
    """Every document the profile names as VRS is JSON or YAML holding VRS objects (objects whose
    ``type`` is a class of the declared version: VRS 1.3 docs/terms_and_model.rst; VRS 2.0
    docs/terms_and_model.rst, "type" is required of every VRS class)."""
    for read in vrs.documents():
        if read.problem is not None:
            raise fail(f"{read.document.ref}: {read.problem}.", read.document.response)


@check("vrs.schema.valid")
def test_objects_valid_against_schema(vrs: Vrs, schemas: SpecStore) -> None:
    """Every VRS object is valid against the declared version's JSON Schema for its class (VRS 1.3
    docs/schema.rst and schema/vrs.json; VRS 2.0 docs/schema.rst and schema/vrs/json/<Class>)."""
    validators: dict[str, object] = {}
    for document, path, obj in vrs.objects():
        cls = str(obj["type"])
        if cls not in validators:
            validators[cls] = schema.validator(schemas, vrs.version, cls)
        validator = validators[cls]
        if validator is None:
            continue
        error = schema.first_error(validator, obj)
        if error is not None:
            raise vrs.failure(document, f"the {cls} at {path} is not valid against the VRS {vrs.version} "
                                        f"schema: {error}")
