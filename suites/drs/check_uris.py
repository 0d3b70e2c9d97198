"""DRS URIs and ids: self_uri, contents drs_uri, percent-encoded ids (DRS 1.2.0 - 1.5.0 §DRS API
Principles › DRS URIs, §Hostname-Based URIs, §Models › DrsObject.self_uri).

Local deployments: hostname-based DRS URIs resolve to https on port 443, and "It is invalid to include a
different port". A service on plain http at a loopback address (an initiative's CI job) cannot honour
that; there a self_uri carrying the service's own port (under any host name) is the deployment's
consequence, and the no-port rule is skipped with the reason. On any other URL the rule is applied as written.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import Response, Service, check, fail

from .view import UNRESERVED, Drs, accepted_reason, object_path, same_object_data

#: drs://[provider_code/]namespace:accession, split at the first colon (DRS 1.2.0 §Compact Identifier-based DRS
#: URIs); the accession "can contain any characters", "/" included (§Compact Identifier-Based URIs › Accession
#: Encoding). An accession of digits up to a "/" reads as host:port/id, the hostname-based form with a port
#: (invalid, drs.uri.hostname-uri-has-no-port), not as a compact identifier.
COMPACT = re.compile(r"^drs://(?:[A-Za-z0-9._]+/)?[A-Za-z0-9._]+:(?!\d*/).+$")


def _self_uris(drs: Drs) -> list[tuple[str, str, Response]]:
    found = [(i, d["self_uri"], r) for i, d, r in drs.require_documents() if isinstance(d.get("self_uri"), str)]
    if not found:
        pytest.skip("no DrsObject carries a self_uri (see drs.object.required-fields-present)")
    return found


def _hostname_uris(drs: Drs) -> list[tuple[str, str, tuple[str, str], Response]]:
    """(object id, self_uri, (authority, encoded id), response) of every hostname-based self_uri; a check that
    judges only those does not apply where there is none (a self_uri of another scheme breaks
    drs.uri.self-uri-uses-drs-scheme, once)."""
    found = [(i, u, split, r) for i, u, r in _self_uris(drs) if (split := split_hostname_uri(u)) is not None]
    if not found:
        pytest.skip("does not apply: no self_uri is a hostname-based DRS URI drs://<hostname>/<id> "
                    "(see drs.uri.self-uri-uses-drs-scheme and drs.uri.self-uri-is-hostname-based)")
    return found


def split_hostname_uri(uri: str) -> tuple[str, str] | None:
    """(authority, encoded id) of a hostname-based DRS URI, or None for another form."""
    if not uri.startswith("drs://") or COMPACT.match(uri):
        return None
    rest = uri[len("drs://"):]
    authority, slash, encoded = rest.partition("/")
    if not slash or not authority or not encoded:
        return None
    return authority, encoded


@check("drs.uri.self-uri-uses-drs-scheme")
def test_self_uri_uses_drs_scheme(drs: Drs) -> None:
    """self_uri begins with drs:// ("We require all URIs to begin with drs://", DRS 1.2.0 §Models ›
    DrsObject.self_uri)."""
    for object_id, uri, response in _self_uris(drs):
        if not uri.startswith("drs://"):
            raise fail(f"{object_id}: self_uri {uri!r} does not use the drs:// scheme", response)


@check("drs.uri.self-uri-is-hostname-based")
def test_self_uri_is_hostname_based(drs: Drs) -> None:
    """self_uri is "A drs:// hostname-based URI" drs://<hostname>/<id>, not a compact identifier
    (DRS 1.2.0 §Models › DrsObject.self_uri)."""
    found = [(i, u, r) for i, u, r in _self_uris(drs) if u.startswith("drs://")]
    if not found:
        # a self_uri of another scheme (an http URL) breaks "We require all URIs to begin with drs://", which
        # drs.uri.self-uri-uses-drs-scheme reports: the form of a DRS URI is not judged where there is none
        pytest.skip("does not apply: no self_uri is a drs:// URI (see drs.uri.self-uri-uses-drs-scheme)")
    for object_id, uri, response in found:
        if split_hostname_uri(uri) is None:
            raise fail(f"{object_id}: self_uri {uri!r} is not a hostname-based DRS URI drs://<hostname>/<id>",
                       response)


@check("drs.uri.hostname-uri-has-no-port")
def test_self_uri_names_this_service(service: Service, drs: Drs) -> None:
    """A hostname-based self_uri carries no port ("It is invalid to include a different port in a DRS
    hostname-based URI", DRS 1.2.0 §DRS API Principles › Hostname-based DRS URIs). Its hostname may be
    the service's canonical name, not the host of the API URL (a service behind a proxy names its public
    host): any host name is accepted. A service on plain http at a loopback address cannot be reached on
    443, so a self_uri carrying the service's own port is not judged (skipped with the reason), whatever
    host it names (Galaxy 26.1 names ``drs.<host:port>`` of the request, issue 19)."""
    parts = urlsplit(service.url)
    local = service.is_loopback and parts.scheme == "http"
    own_port = False
    for object_id, uri, split, response in _hostname_uris(drs):
        authority = split[0].lower()
        if ":" not in authority.rsplit("]", 1)[-1]:
            continue
        if local and _port(authority) == (parts.port or 80):
            own_port = True
            continue
        raise fail(f"{object_id}: self_uri {uri!r} includes a port, which hostname-based DRS URIs may not",
                   response)
    if own_port:
        pytest.skip("does not apply: the service runs on plain http at a loopback address and its self_uri carries "
                    "the service's own "
                    "port, which a local deployment needs; the no-port rule of DRS 1.2.0 §Hostname-based DRS URIs "
                    "is judged on public deployments")


def _port(authority: str) -> int | None:
    """The port of a URI authority (``host:port``, ``[v6]:port``), or None if it has none or a bad one."""
    try:
        return urlsplit(f"//{authority}").port
    except ValueError:
        return None


@check("drs.uri.hostname-uri-id-is-percent-encoded")
def test_self_uri_id_is_percent_encoded(drs: Drs) -> None:
    """The id of a hostname-based DRS URI is percent-encoded: unreserved characters and %XX only ("the ID
    is always percent-encoded", DRS 1.2.0 §Hostname-Based URIs › Encoding DRS IDs)."""
    for object_id, _, split, response in _hostname_uris(drs):
        if not UNRESERVED.match(split[1]):
            raise fail(f"{object_id}: the id part {split[1]!r} of self_uri is not percent-encoded", response)


def _same(first: dict[str, Any], second: dict[str, Any]) -> bool:
    return same_object_data(first, second, ("size", "checksums")) is None


@check("drs.uri.self-uri-resolves-to-this-object")
@given(data=st.data())
def test_self_uri_resolves_to_same_object(service: Service, drs: Drs, data: st.DataObject) -> None:
    """The id taken from self_uri resolves, on this service, to the same object (same size and
    checksums) (DRS 1.2.0 §Models › DrsObject.self_uri; §DRS API Principles › Hostname-based DRS URIs).
    A self_uri "tells clients how to access this object": one naming another host (an aggregator's object
    held by the server it names) whose id does not resolve here to the object is not judged, as the harness
    asks no host the profile does not name; one naming this service's host is."""
    host = (urlsplit(service.url).hostname or "").lower()
    candidates: list[tuple[str, str]] = []
    elsewhere: list[str] = []
    for object_id, uri, _ in _self_uris(drs):
        split = split_hostname_uri(uri)
        if split is None or object_id in drs.option("protected_objects"):
            continue
        named = _hostname(split[0])
        if named != host and not _resolves_here(drs, object_id, unquote(split[1])):
            elsewhere.append(f"{object_id}: its self_uri {uri!r} names {named}, not this service's host {host}, and "
                             "its id is not this object here (it may be held there, as an aggregator's is)")
            continue
        candidates.append((object_id, uri))
    if not candidates:
        pytest.skip("; ".join(elsewhere) if elsewhere else "no hostname-based self_uri to resolve")
    object_id, uri = data.draw(st.sampled_from(candidates), label="object")
    encoded = split_hostname_uri(uri)[1]  # type: ignore[index]
    original, _ = drs.object(object_id)
    resolved_id = unquote(encoded)
    response = drs.object_response(resolved_id)
    if response.status == 202:
        pytest.skip(f"{object_id}: GET of the id {resolved_id!r} from its self_uri {accepted_reason(response)}")
    if response.status != 200:
        raise fail(f"{object_id}: the id {resolved_id!r} from its self_uri answers {response.status}", response)
    body = response.json()
    if not isinstance(body, dict) or not _same(original, body):
        raise fail(f"{object_id}: its self_uri {uri!r} resolves to another object (size "
                   f"{body.get('size') if isinstance(body, dict) else body!r}, not {original.get('size')!r}, or "
                   "other checksums)", response)


def _hostname(authority: str) -> str:
    """The host name of a URI authority (``host``, ``host:port``, ``[v6]``), lowercase."""
    try:
        return (urlsplit(f"//{authority}").hostname or authority).lower()
    except ValueError:
        return authority.lower()


def _resolves_here(drs: Drs, object_id: str, resolved_id: str) -> bool:
    """Whether the id of a self_uri answers this object on the service under test."""
    original, _ = drs.object(object_id)
    response = drs.object_response(resolved_id)
    body = response.json_object() if response.status == 200 else None
    return body is not None and _same(original, body)


@check("drs.uri.contents-drs-uris-are-valid")
def test_contents_drs_uris_are_drs_uris(drs: Drs) -> None:
    """Every ContentsObject.drs_uri item is a DRS URI, hostname-based or compact identifier (DRS 1.2.0
    §DRS API Principles › DRS URIs)."""
    checked = False
    for bundle_id in drs.option("bundles"):
        document, response = drs.object(bundle_id, True)
        stack = list(document.get("contents") or [])
        while stack:
            entry = stack.pop()
            if not isinstance(entry, dict):
                continue
            stack.extend(entry.get("contents") or [] if isinstance(entry.get("contents"), list) else [])
            uris = entry.get("drs_uri")
            for uri in uris if isinstance(uris, list) else []:
                checked = True
                if not isinstance(uri, str) or not (COMPACT.match(uri) or split_hostname_uri(uri)):
                    raise fail(f"{bundle_id}: drs_uri {uri!r} of {entry.get('name')!r} is not a DRS URI", response)
    if not checked:
        pytest.skip("no bundle lists drs_uri values")


@check("drs.id.percent-encoded-ids-accepted")
def test_percent_encoded_ids_accepted(drs: Drs) -> None:
    """An id with characters outside [A-Za-z0-9._~-] is reachable percent-encoded in the path ("they MUST
    be encoded", DRS 1.2.0 §DRS API Principles › DRS IDs)."""
    special = [i for i in drs.option("objects") + drs.option("bundles") if not UNRESERVED.match(i) or "%" in i]
    if not special:
        pytest.skip("the profile lists no id that needs percent-encoding (such as 10.5072/FK2805660V)")
    for object_id in special:
        response = drs.object_response(object_id)
        if response.status != 200:
            raise fail(f"GET {object_path(object_id)} (the id {object_id!r} percent-encoded) answered "
                       f"{response.status}, not 200", response)
