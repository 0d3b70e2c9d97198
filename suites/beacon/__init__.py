"""GA4GH Beacon v2 (v2.0.0, v2.1.0, v2.1.1): framework, models, granularity, pagination, filters,
variant queries and VRS identifiers. The suite discovers entry types, filtering terms and variants
from the beacon itself; the profile needs no test data."""

from conformance import Suite

SUITE = Suite(
    standard="beacon",
    title="GA4GH Beacon v2",
    reference=".reference:APPS",
    versions=("2.0.0", "2.1.0", "2.1.1"),
    service_info_artifact="beacon",
    # framework endpoints.yaml: every beacon answers /info and /map at its base, wherever it is deployed
    base_paths=("/info", "/map"),
    service_options={},
)
