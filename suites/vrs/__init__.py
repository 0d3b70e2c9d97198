"""GA4GH Variation Representation Specification (VRS) 1.3 and 2.0: the VRS objects of the documents an
initiative publishes, each validated against the declared version's official JSON Schema and its GA4GH
computed identifiers recomputed (1.3 ``_id``; 2.0 ``id`` and ``digest``)."""

from conformance import Suite

SUITE = Suite(
    standard="vrs",
    title="GA4GH Variation Representation (VRS)",
    reference=".reference:APPS",
    versions=("1.3", "2.0"),
    data=True,
    service_options={
        "documents": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "JSON or YAML documents holding VRS objects (one object, a list, or "
                                     "objects anywhere inside): http(s) URLs, drs:// URIs or paths relative "
                                     "to the profile file"},
    },
)
