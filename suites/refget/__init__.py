"""GA4GH refget sequences 1.0.0, 1.0.1 and 2.0.0: service-info, metadata, the bases streamed and their
digests recomputed, sub-sequences by start/end and Range, circular sequences, media types, errors."""

from conformance import Suite

_IDS = {"type": "array", "items": {"type": "string"}}

SUITE = Suite(
    standard="refget",
    title="GA4GH refget sequences",
    reference=".reference:APPS",
    versions=("1.0.0", "1.0.1", "2.0.0"),
    service_info_artifact="refget",
    # refget 2.0.0 §Fetch information on the service: the pinned text's example reports "refget-sequence";
    # earlier revisions of the same 2.0.0 text, and the implementations, report "refget".
    service_info_artifact_aliases=("refget-sequence",),
    # refget 2.0.0 §Fetch information on the service: the method's heading names GET /sequence/service-info, its
    # example GET /service-info (erratum E10): either answers
    service_info_paths=("/sequence/service-info", "/service-info"),
    # refget 1.0.x has its own service-info document ({"service": {...}}), not GA4GH service-info; 2.0.0
    # "Replace[s] refget's v1 service-info implementation with GA4GH discovery's definition of service-info".
    service_info_versions=">=2.0.0",
    probe_path="/sequence/service-info",
    service_options={
        "sequences": {**_IDS, "description": "ids of sequences the service holds (checksums or namespaced ids)"},
        "circular_sequences": {**_IDS, "description": "ids of sequences known to be circular (optional)"},
        "large_sequence_size": {"type": "integer",
                                "description": "reference server only: add a generated sequence of this many "
                                               "bases (alias insdc:CT000003.1)"},
    },
    # refget offers no listing: without ids, no sequence, metadata or checksum is checked
    test_data=("sequences", "circular_sequences"),
)
