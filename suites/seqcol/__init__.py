"""GA4GH refget Sequence Collections 1.0.0: the schema in service-info, both levels of every collection
with their digests recomputed (RFC 8785 + sha512t24u), comparison, paged and filtered listing, and
attribute retrieval."""

from conformance import Suite

SUITE = Suite(
    standard="seqcol",
    title="GA4GH refget sequence collections",
    reference=".reference:APPS",
    versions=("1.0.0",),
    # Sequence Collections 1.0.0 §3.1: "The artifact describing sequence collection entities should be
    # refget.seqcol"; the example under it says refget-seqcol (as the spec authors' server does). The
    # text names the artifact; the example's spelling is accepted too (see requirements.yaml).
    service_info_artifact="refget.seqcol",
    service_info_artifact_aliases=("refget-seqcol",),
    service_options={
        "collections": {"type": "array", "items": {"type": "string"},
                        "description": "top-level digests of collections the service holds (optional: "
                                       "/list/collection is read too)"},
    },
)
