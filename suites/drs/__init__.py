"""GA4GH Data Repository Service (DRS) 1.2.0 - 1.5.0: metadata, errors, bulk, auth, and the bytes."""

from conformance import Suite

_IDS = {"type": "array", "items": {"type": "string"}}

SUITE = Suite(
    standard="drs",
    title="GA4GH Data Repository Service (DRS)",
    reference=".reference:APPS",
    versions=("1.2.0", "1.3.0", "1.4.0", "1.5.0"),
    service_info_artifact="drs",
    # the documents of a data standard may be drs:// URIs: resolved through a DRS service of the profile
    document_schemes={"drs": ".documents:read_drs_document"},
    service_options={
        "objects": {**_IDS, "description": "ids of blobs (or any DrsObjects) the caller may read"},
        "bundles": {**_IDS, "description": "ids of bundles (DrsObjects with contents)"},
        "protected_objects": {**_IDS, "description": "ids that need a passport (auth.passport_env names it)"},
        "large_object_size": {"type": "integer",
                              "description": "reference server only: add a generated object 'large-1' of this size"},
    },
)
