"""``drs://`` documents of a data standard (a phenopacket, a crypt4gh file) read through a DRS service of
the same profile, with that service's client and credentials (``Suite.document_schemes``).

DRS 1.4.0 §DRS URIs: a hostname-based URI ``drs://<hostname>/<id>`` names the object ``<id>`` of the
server at ``<hostname>``; the profile's DRS service with that host reads it (or, when the profile
declares exactly one DRS service, that one: a server may name a public host in its URIs while the
profile reaches it at another address). Compact identifiers (``drs://<prefix>:<accession>``) need a
resolver registry and are read the same way only through the profile's one DRS service.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from conformance import Document, DocumentUnavailable, Run

from .view import Drs, is_bundle


def read_drs_document(run: Run, uri: str, limit: int) -> Document:
    """The bytes of the blob ``uri`` names, from its first http(s) access URL, at most ``limit`` bytes."""
    host, object_id = _parts(uri)
    candidates = [s for s in run.profile.services if s.standard == "drs"]
    by_host = [s for s in candidates if (urlsplit(s.url).hostname or "").lower() == host.lower()]
    chosen = by_host or (candidates if len(candidates) == 1 else [])
    if not chosen:
        raise DocumentUnavailable(f"{uri}: the profile declares {'no' if not candidates else 'no matching'} DRS "
                                  f"service to resolve it through{'' if not candidates else ' (none at ' + host + ')'}")
    view = Drs.of(chosen[0], run)
    response = view.object_response(object_id)
    document = response.json_object() if response.status == 200 else None
    if document is None:
        raise DocumentUnavailable(f"{uri}: GET /objects/{object_id} answered HTTP {response.status}, "
                                  "not a DrsObject", response.exchange)
    if is_bundle(document):
        raise DocumentUnavailable(f"{uri}: the DrsObject is a bundle, not one document", response.exchange)
    targets, skipped = view.targets(object_id, document, response)
    if not targets:
        raise DocumentUnavailable(f"{uri}: no http(s) access URL to read it from"
                                  f"{' (' + '; '.join(skipped) + ')' if skipped else ''}", response.exchange)
    target = targets[0]
    fetched = view.client.get(target.url, headers=target.headers, decode=False, max_bytes=limit)
    if fetched.status != 200:
        raise DocumentUnavailable(f"{uri}: its access URL answered HTTP {fetched.status}", fetched.exchange)
    if fetched.truncated:
        raise DocumentUnavailable(f"{uri}: {fetched.cut_reason()}", fetched.exchange)
    return Document(uri, run.redactor.url(target.url), fetched.content, fetched.content_type or None, fetched)


def _parts(uri: str) -> tuple[str, str]:
    rest = uri[len("drs://"):] if uri.lower().startswith("drs://") else uri
    host, slash, path = rest.partition("/")
    if not slash:  # a compact identifier: prefix:accession
        return "", unquote(rest)
    if not host or not path:
        raise DocumentUnavailable(f"{uri}: not a DRS URI (drs://<hostname>/<id>, DRS 1.4.0 §DRS URIs)")
    return host, unquote(path)
