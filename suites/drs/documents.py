"""``drs://`` documents of a data standard (a phenopacket, a crypt4gh file) read through a DRS service of
the same profile, with that service's client and credentials (``Suite.document_schemes``).

DRS 1.4.0 §DRS URIs: a hostname-based URI ``drs://<hostname>/<id>`` names the object ``<id>`` of the
server at ``<hostname>``; the profile's DRS service with that host reads it (several on that host: the
first whose entry lists the id under ``objects``, else the first that holds it; or, when the profile
declares exactly one DRS service, that one: a server may name a public host in its URIs while the
profile reaches it at another address). Compact identifiers (``drs://<prefix>:<accession>``) need a
resolver registry and are read the same way only through the profile's one DRS service.

A document is read whole (within a byte limit) or streamed (``on_chunk``: each piece of the body as it
arrives, nothing kept), so that a file of any size is read in constant memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from conformance import Document, DocumentUnavailable, Response, Run, Service

from .view import Drs, is_bundle


@dataclass(frozen=True)
class DrsBlob:
    """The DrsObject a ``drs://`` URI names, as the profile's DRS service answered it."""

    uri: str
    object_id: str
    service: Service
    document: dict[str, Any]
    response: Response

    @property
    def listed(self) -> bool:
        """Whether the service's profile entry lists the object under ``objects``, so that the DRS suite
        verifies its size and checksums against the bytes served."""
        return self.object_id in (self.service.options.get("objects") or [])


def drs_blob(run: Run, uri: str) -> DrsBlob:
    """The blob ``uri`` names and the DRS service that answered for it (raises DocumentUnavailable)."""
    host, object_id = _parts(uri)
    candidates = [s for s in run.profile.services if s.standard == "drs"]
    by_host = [s for s in candidates if (urlsplit(s.url).hostname or "").lower() == host.lower()]
    chosen = by_host or (candidates if len(candidates) == 1 else [])
    if not chosen:
        raise DocumentUnavailable(f"{uri}: the profile declares {'no' if not candidates else 'no matching'} DRS "
                                  f"service to resolve it through{'' if not candidates else ' (none at ' + host + ')'}")
    # several services on the host: the one whose entry lists the id, else the first that holds it
    chosen.sort(key=lambda s: object_id not in (s.options.get("objects") or []))
    response: Response | None = None
    for service in chosen:
        response = Drs.of(service, run).object_response(object_id)
        if response.status == 200 or service is chosen[-1]:
            break
    assert response is not None
    document = response.json_object() if response.status == 200 else None
    if document is None:
        raise DocumentUnavailable(f"{uri}: GET /objects/{object_id} answered HTTP {response.status}, "
                                  "not a DrsObject", response.exchange)
    if is_bundle(document):
        raise DocumentUnavailable(f"{uri}: the DrsObject is a bundle, not one document", response.exchange)
    return DrsBlob(uri, object_id, service, document, response)


def read_drs_document(run: Run, uri: str, limit: int,
                      on_chunk: Callable[[bytes], None] | None = None) -> Document:
    """The bytes of the blob ``uri`` names, from its first http(s) access URL, at most ``limit`` bytes;
    with ``on_chunk``, streamed to it (the Document then holds no bytes)."""
    blob = drs_blob(run, uri)
    view = Drs.of(blob.service, run)
    targets, skipped = view.targets(blob.object_id, blob.document, blob.response)
    if not targets:
        raise DocumentUnavailable(f"{uri}: no http(s) access URL to read it from"
                                  f"{' (' + '; '.join(skipped) + ')' if skipped else ''}", blob.response.exchange)
    target = targets[0]
    if on_chunk is None:
        fetched = view.client.get(target.url, headers=target.headers, decode=False, max_bytes=limit)
    else:  # decode=False: the bytes as stored, which DRS size and checksums are over
        fetched = view.client.stream(target.url, on_chunk, headers=target.headers, decode=False, max_bytes=limit,
                                     claims=[blob.response.exchange])
    if fetched.status != 200:
        raise DocumentUnavailable(f"{uri}: its access URL answered HTTP {fetched.status}", fetched.exchange)
    if fetched.truncated:
        raise DocumentUnavailable(f"{uri}: {fetched.cut_reason()}", fetched.exchange)
    content = fetched.content if on_chunk is None else b""
    return Document(uri, run.redactor.url(target.url), content, fetched.content_type or None, fetched)


def _parts(uri: str) -> tuple[str, str]:
    rest = uri[len("drs://"):] if uri.lower().startswith("drs://") else uri
    host, slash, path = rest.partition("/")
    if not slash:  # a compact identifier: prefix:accession
        return "", unquote(rest)
    if not host or not path:
        raise DocumentUnavailable(f"{uri}: not a DRS URI (drs://<hostname>/<id>, DRS 1.4.0 §DRS URIs)")
    return host, unquote(path)
