"""Identifiers: a checksum id names the sequence it is derived from; every identifier the metadata lists
resolves to the same sequence, in either hex case, namespaced (2.0.0), and as a namespaced alias (2.0.0)
(refget 1.0.1 and 2.0.0 §Checksum calculation, §Checksum Identifier Identification; refget 2.0.0
§Namespace of the checksums, §Unique Identifiers)."""

from __future__ import annotations

import pytest

from conformance import check, fail

from .digests import bare_ga4gh, checksum_identifier, same_checksum
from .view import Refget, answered, computed, listed_checksums, metadata_of, same_sequence, sequence_path


@check("refget.identifiers.requested-id-names-the-sequence")
def test_requested_id_names_the_sequence(refget: Refget) -> None:
    """A checksum id (MD5, TRUNC512, ga4gh; namespaced in 2.0.0) returns the sequence it is the checksum of
    ("an identifier derived from the sequence itself", refget 1.0.1 §Introduction; §Checksum Identifier
    Identification)."""
    compared = 0
    for verified in refget.verified():
        identifier = checksum_identifier(verified.ident, namespaces=not refget.v1)
        if identifier is None:
            continue
        compared += 1
        got = computed(verified.fetched, identifier.kind)
        if not same_checksum(identifier.kind, identifier.digest, got):
            raise fail(f"GET {sequence_path(verified.ident)} returned bases whose {identifier.kind} is {got}: another "
                       "sequence than the one the identifier is derived from", verified.fetched.response)
    if not compared:
        pytest.skip("no profile sequence is named by a checksum identifier")


@check("refget.identifiers.listed-digests-resolve")
def test_listed_digests_resolve(refget: Refget) -> None:
    """Every checksum the metadata lists (and the bases confirm) resolves to the same sequence (refget 1.0.1
    §Alternative Checksum Algorithms: "MUST support the MD5 identifier space"; a non-null TRUNC512 (1.0.x)
    or ga4gh (2.0.0) is a supported one). A ga4gh listed as ``ga4gh:SQ.…`` is asked for as ``SQ.…``: the
    namespaced form "should" resolve (refget 2.0.0 §Namespace of the checksums), a SHOULD checked apart."""
    tried = 0
    # the kinds of checksum id the profile names, whose resolution requested-id-names-the-sequence judges: a
    # listed id of such a kind that resolves to another sequence is that rule broken again
    named = {found.kind for v in refget.verified()
             for found in [checksum_identifier(v.ident, namespaces=not refget.v1)] if found is not None}
    for verified in refget.verified():
        for kind, value in listed_checksums(verified.metadata, refget.v1):
            if kind == "trunc512" and not refget.v1:
                continue  # 2.0.0 deprecates TRUNC512 and lists no trunc512 field: its resolution is not required
            if not same_checksum(kind, value, computed(verified.fetched, kind)):
                continue  # a wrong checksum (refget.sequence.*-matches-bytes report it)
            # a ga4gh written with its namespace (the 2.0.0 OpenAPI example, erratum E4) is asked for by the
            # digest: resolving namespaced ids is a SHOULD (refget.identifiers.namespaced-checksums-resolve)
            value = bare_ga4gh(value) if kind == "ga4gh" else value
            if value == verified.ident:
                continue  # already resolved
            tried += 1
            response = refget.metadata_response(value)
            if response.status != 200:
                raise fail(f"the {kind} identifier {value} that the metadata of {verified.ident} lists answers "
                           f"{answered(response)} at GET {sequence_path(value)}/metadata", response)
            other = metadata_of(response)
            if other is None or not same_sequence(verified.metadata, other):
                raise fail(f"the {kind} identifier {value} that the metadata of {verified.ident} lists resolves to "
                           "another sequence (md5 or length differ)", response,
                           caused_by="refget.identifiers.requested-id-names-the-sequence" if kind in named else None)
    if not tried:
        pytest.skip("the metadata lists no checksum identifier other than the ones the profile names")


@check("refget.identifiers.hex-case-insensitive")
def test_hex_case_insensitive(refget: Refget) -> None:
    """The MD5 in the other letter case resolves to the same sequence ("Resulting hexadecimal checksum
    strings shall be considered case insensitive", refget 1.0.1 §Checksum calculation)."""
    tried = 0
    for verified in refget.verified():
        md5 = str(verified.metadata["md5"])
        swapped = md5.upper() if md5 != md5.upper() else md5.lower()
        if swapped == md5:
            continue
        tried += 1
        response = refget.metadata_response(swapped)
        other = metadata_of(response)
        if other is None or not same_sequence(verified.metadata, other):
            what = "another sequence" if other is not None else answered(response)
            raise fail(f"the md5 {md5} of {verified.ident} written as {swapped} answers {what}; hex checksums are "
                       "case insensitive", response)
    if not tried:
        pytest.skip("no verified sequence has an md5 with letters to change the case of")


@check("refget.identifiers.namespaced-checksums-resolve")
def test_namespaced_checksums_resolve(refget: Refget) -> None:
    """md5:<md5> and ga4gh:<SQ.…> "should return the same sequence" as the bare checksums (refget 2.0.0
    §Namespace of the checksums); judged by the metadata answer."""
    for verified in refget.verified():
        names = [f"md5:{str(verified.metadata['md5']).lower()}"]
        listed = verified.metadata.get("ga4gh")
        if isinstance(listed, str) and same_checksum("ga4gh", listed, verified.fetched.digest.ga4gh):
            names.append(f"ga4gh:{bare_ga4gh(listed)}")
        for name in names:
            response = refget.metadata_response(name)
            other = metadata_of(response)
            if other is None or not same_sequence(verified.metadata, other):
                what = "another sequence" if other is not None else answered(response)
                raise fail(f"the namespaced checksum {name} of {verified.ident} answers {what}", response)


@check("refget.identifiers.aliases-resolve-to-same-sequence")
def test_aliases_resolve_to_same_sequence(refget: Refget) -> None:
    """A namespaced alias (``<identifier type>:<alias>``, the type declared in service-info
    identifier_types) resolves to the same sequence or answers 300/409 when not unique (refget 2.0.0
    §Unique Identifiers; URL parameters: "at most one sequence is returned for an id")."""
    caps = refget.declared_capabilities()  # no service-info document: skip saying why
    if caps.container is None:
        pytest.skip(f"service-info has no {refget.container_name()} object to declare identifier_types in "
                    "(see refget.service-info.capabilities-object-present)")
    if caps.identifier_types is None and caps.container.get("identifier_types") is not None:
        pytest.skip("service-info's identifier_types is not an array (see "
                    "refget.schema.service-info-capabilities-valid)")
    if not caps.identifier_types:
        pytest.skip("does not apply: service-info declares no identifier_types")
    types = {t.lower(): t for t in caps.identifier_types}
    tried = 0
    judged = 0  # answered with a sequence (compared) or with 300/409 (several)
    unresolved = ""
    for verified in refget.verified():
        aliases = verified.metadata.get("aliases")
        for alias in aliases if isinstance(aliases, list) else []:
            if not isinstance(alias, dict) or not isinstance(alias.get("alias"), str):
                continue
            declared = types.get(str(alias.get("naming_authority", "")).lower())
            if declared is None:
                continue
            tried += 1
            curie = f"{declared}:{alias['alias']}"
            response = refget.metadata_response(curie)
            other = metadata_of(response)
            if response.status == 200 and (other is None or not same_sequence(verified.metadata, other)):
                raise fail(f"{curie}, an alias the metadata of {verified.ident} lists, resolves to another sequence",
                           response)
            if response.status in (200, 300, 409):
                judged += 1
            else:
                unresolved = unresolved or f"{curie} answered {answered(response)}"
    if not tried:
        pytest.skip("no listed alias has a naming authority that service-info declares in identifier_types")
    if not judged:  # the texts do not require an alias to resolve: a 404 is no finding, and nothing was compared
        pytest.skip(f"none of the {tried} namespaced alias(es) tried resolved ({unresolved}), so there was no "
                    "sequence to compare")
