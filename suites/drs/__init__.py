"""GA4GH Data Repository Service (DRS) 1.2.0 - 1.5.0: metadata, errors, bulk, auth, and the bytes."""

from conformance import Suite

_IDS = {"type": "array", "items": {"type": "string"}}

SUITE = Suite(
    standard="drs",
    title="GA4GH Data Repository Service (DRS)",
    reference=".reference:APPS",
    versions=("1.2.0", "1.3.0", "1.4.0", "1.5.0"),
    service_info_artifact="drs",
    api_prefix="/ga4gh/drs/v1",  # DRS 1.2.0 §servers.serverURL: "MUST be prefixed by the '/ga4gh/drs/v1' ..."
    # the documents of a data standard may be drs:// URIs: resolved through a DRS service of the profile
    document_schemes={"drs": ".documents:read_drs_document"},
    service_options={
        "objects": {**_IDS, "description": "ids of blobs (or any DrsObjects) the caller may read"},
        "bundles": {**_IDS, "description": "ids of bundles (DrsObjects with contents)"},
        "protected_objects": {**_IDS, "description": "ids that need a passport (auth.passport_env names it)"},
        # a DRS service with protected objects is a Passport Clearinghouse (check_clearinghouse.py)
        "dataset": {"type": "string",
                    "description": "the ControlledAccessGrants visa value that grants the protected objects"},
        "visa_source": {"type": "string", "description": "the visa `source` the service's policy trusts"},
        "trusts_test_issuer": {"type": "boolean",
                               "description": "the service trusts the test issuer of test_issuer_keys"},
        "test_issuer_keys": {"type": "string",
                             "description": "the key file `conformance passports keys` wrote"},
        "large_object_size": {"type": "integer",
                              "description": "reference server only: add a generated object 'large-1' of this size"},
    },
    # DRS offers no listing: without ids, no DrsObject, access URL or byte is checked
    test_data=("objects", "bundles", "protected_objects"),
)
