"""htsget 1.2.0 and 1.3.0: tickets, data blocks decoded with pysam, regions, errors, POST, service-info."""

from conformance import Service, Suite


def service_info_paths(service: Service) -> tuple[str, ...]:
    """htsget 1.3.0 §Service info: one document per endpoint; only those the profile declares."""
    declared = tuple(f"/{kind}/service-info" for kind in ("reads", "variants") if service.options.get(kind))
    return declared or ("/reads/service-info", "/variants/service-info")


_CASE = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "referenceName": {"type": "string"},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "format": {"type": "string"},
        },
    },
}

SUITE = Suite(
    standard="htsget",
    title="GA4GH htsget",
    reference=".reference:APPS",
    versions=("1.2.0", "1.3.0"),
    service_info_artifact="htsget",
    service_info_paths=service_info_paths,
    service_info_versions=">=1.3.0",  # htsget 1.2.0 defines no service-info endpoint
    # htsget 1.3.0 §GA4GH service-info: servers "SHOULD also expose /reads/service-info and/or
    # /variants/service-info": the shared service-info checks are SHOULDs there.
    service_info_levels={">=1.3.0": "SHOULD"},
    probe_path="/reads/service-info",
    service_options={
        "reads": {**_CASE, "description": "reads ids (BAM/CRAM), each optionally with a region to check"},
        "variants": {**_CASE, "description": "variants ids (VCF/BCF), each optionally with a region to check"},
        "reference_fasta": {"type": "string", "description": "a FASTA (with .fai) to decode CRAM"},
        "refget_url": {"type": "string",
                       "description": "a refget service (absolute, or relative to the htsget URL) to decode CRAM"},
        "protected": {"type": "array", "items": {"type": "string"},
                      "description": "reads or variants ids that need the profile's bearer token"},
    },
    # htsget offers no listing: without ids, no ticket, block or record is checked
    test_data=("reads", "variants", "protected"),
)
