"""GA4GH service-registry 1.0.0: the services a registry lists, by id and by type, and whether each
listed service's own service-info agrees with its registry entry. A profile's top-level ``registry:``
key runs every listed service through its own suite (registry discovery)."""

from conformance import Suite

SUITE = Suite(
    standard="service-registry",
    title="GA4GH service-registry",
    reference=".reference:APPS",
    versions=("1.0.0",),
    service_info_artifact="service-registry",
    probe_path="/services",
    service_options={
        "listed": {"type": "array", "items": {"type": "object"},
                   "description": "reference server only: extra ExternalService entries to list (a test's other "
                                  "reference servers)"},
        "stubs": {"type": "boolean", "description": "reference server only: list the two example services it hosts "
                                                    "itself (default true)"},
    },
)
