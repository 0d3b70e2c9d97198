"""What every GA4GH service shares: the service-info endpoint (GA4GH service-info 1.0.0)."""

from conformance import Suite

SUITE = Suite(
    standard="service-info",
    title="GA4GH service-info",
    reference=".reference:APPS",
    versions=(),  # a `service-info` entry declares the version of whatever API the service implements
    shared=True,
    service_options={
        "artifact": {"type": "string", "description": "the type.artifact the service must report"},
    },
)
