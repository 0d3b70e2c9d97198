"""GA4GH Tool Registry Service (TRS) 2.0.0 and 2.0.1: tool classes, the tool listing with its filters and
paging, tools and versions by id, descriptors in JSON and plain forms, their files (one by one and as a
zip), tests and containerfiles, with every checksum recomputed from the content."""

from conformance import Suite

SUITE = Suite(
    standard="trs",
    title="GA4GH Tool Registry Service",
    reference=".reference:APPS",
    versions=("2.0.0", "2.0.1"),
    service_info_artifact="trs",
    # TRS 2.0.0's OpenAPI has no /service-info path; 2.0.1 adds GA4GH service-info 1.0.0 (its paths › /service-info).
    service_info_versions=">=2.0.1",
    probe_path="/toolClasses",
    api_prefix="/ga4gh/trs/v2",  # TRS 2.0.0 and 2.0.1 OpenAPI: servers › url /ga4gh/trs/v2
    service_options={
        "tools": {"type": "array", "items": {"type": "string"},
                  "description": "ids of tools to read besides those GET /tools lists (optional)"},
    },
)
