"""The documents a data standard's profile entry names (``documents:``), read once each.

A reference is an http(s) URL (read through the service's bounded client), a URI of a scheme that some
suite resolves (``Suite.document_schemes``: a standard whose API serves documents by URI), or a path:
relative references resolve against the entry's ``url`` when it has one (a reference server's, say),
else against the folder of the profile file. Nothing here names a standard.
"""

from __future__ import annotations

import codecs
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from conformance import suite as suites
from conformance.errors import BudgetExceeded, DocumentUnavailable
from conformance.files import Unreadable, named_file, read_regular
from conformance.http.models import MAX_DEPTH

if TYPE_CHECKING:
    from conformance.http.models import Response
    from conformance.view import ServiceView


#: YAML that is not JSON is parsed to half the depth of JSON (MAX_DEPTH, the limit of HTTP answers too):
#: PyYAML's composer recurses in Python, two frames a level, within the interpreter's 1000 frames, where the
#: JSON decoder spends one. (The suites parse a document as JSON first, then as YAML.)
YAML_MAX_DEPTH = MAX_DEPTH // 2
#: The bytes that tell a binary document (crypt4gh, protobuf), which no nesting limit concerns.
_HEAD = 8192
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
#: The text between a document's strings counted at a time (:func:`_flow_depth`).
_FLOW_PIECE = 1024 * 1024


@dataclass(frozen=True)
class Document:
    """One document as read: where the profile said it is, where it was read from, and its bytes."""

    #: The reference as the profile gave it.
    ref: str
    #: The URL or file path that was read (what a message names).
    location: str
    data: bytes
    #: The media type the server declared (None for a file).
    media_type: str | None = None
    #: The HTTP answer that carried the document, as evidence for a failure (None for a file).
    response: Response | None = None


def read_document(view: ServiceView, ref: str, *, limit: int | None = None) -> Document:
    """Read one document of ``view``'s service, once per view; ``limit`` (bytes) defaults to the run's
    ``budget.max_document_bytes``. A document that cannot be read raises :class:`DocumentUnavailable`, to
    every check that asks, from that one reading (a missing file, an HTTP error, a nesting too deep: what a
    second reading would meet again); an error of the transport or the budget is met anew, as any other."""
    cap = limit if limit is not None else view.run.limits.budget.max_document_bytes
    found = view.memo(("document", ref, cap), lambda: _read_or_why(view, ref, cap))
    if isinstance(found, DocumentUnavailable):
        raise DocumentUnavailable(found.message, found.exchange)
    return found


def _read_or_why(view: ServiceView, ref: str, limit: int) -> Document | DocumentUnavailable:
    try:
        return _read(view, ref, limit)
    except DocumentUnavailable as exc:
        return exc


def stream_document(view: ServiceView, ref: str, on_chunk: Callable[[bytes], None], *,
                    limit: int | None = None) -> Document:
    """Read one document as :func:`read_document` does, but hand each piece of its bytes to ``on_chunk`` as
    it arrives, keeping none (constant memory; the Document's ``data`` is empty). ``limit`` (bytes)
    defaults to what remains of the run's ``budget.max_run_bytes``; nothing is cached. A suite's
    resolver of a URI scheme streams when it takes ``on_chunk``, else the document is read whole and
    handed over in one piece."""
    limits = view.run.limits
    cap = limit if limit is not None else max(1, limits.bytes_left())
    scheme = urlsplit(ref).scheme.lower()
    if scheme in ("http", "https") or (not scheme and view.service.url):
        url = ref if scheme else urljoin(view.service.url.rstrip("/") + "/", ref)
        response = view.client.stream(url, on_chunk, follow_redirects=True, max_bytes=cap, claims=[], declared=url)
        if response.status != 200:
            raise DocumentUnavailable(f"{ref}: GET {view.run.redactor.url(url)} answered HTTP {response.status}, "
                                      "not the document", response.exchange)
        if response.truncated:
            # the stream's cap is what the run may still read, or the caller's own (``limit``)
            name = response.limit_name or ("max_run_bytes" if limit is None else None)
            if name is None:
                raise DocumentUnavailable(f"{ref}: {response.cut_reason()}", response.exchange)
            limits.note(name)
            raise BudgetExceeded(f"{ref}: {response.cut_reason()}", name, response.exchange)
        return Document(ref, view.run.redactor.url(url), b"", response.content_type or None, response)
    if scheme and len(scheme) > 1:
        for suite in suites.discover().values():
            resolver = suite.document_resolver(scheme)
            if resolver is not None and "on_chunk" in inspect.signature(resolver).parameters:
                streamed: Document = resolver(view.run, ref, cap, on_chunk=on_chunk)
                return streamed
    whole = _fetch(view, ref, cap)  # handed over as bytes, not parsed: no nesting limit
    on_chunk(whole.data)
    return Document(whole.ref, whole.location, b"", whole.media_type, whole.response)


def _read(view: ServiceView, ref: str, limit: int) -> Document:
    document = _fetch(view, ref, limit)
    problem = nesting_problem(document.data)
    if problem is not None:
        raise DocumentUnavailable(f"{ref}: {problem}", document.response.exchange if document.response else None)
    return document


def nesting_problem(data: bytes) -> str | None:
    """Why a text document is nested too deeply for the parsers to read (their recursion would end in a
    RecursionError, not in a message), or None: arrays and objects deeper than :data:`MAX_DEPTH`
    (RFC 8259 §9 lets a parser limit the depth), or YAML that is not JSON deeper than
    :data:`YAML_MAX_DEPTH`. A binary document is not judged. Costs two byte counts and a search of the
    lines' indentation for an ordinary document."""
    if not _is_text(data[:_HEAD]):
        return None
    brackets = data.count(b"[") + data.count(b"{")
    flow = brackets if brackets <= YAML_MAX_DEPTH else _flow_depth(data)  # a bound, else exact
    if flow > MAX_DEPTH:
        return f"nested too deeply to parse (deeper than {MAX_DEPTH} levels of arrays and objects)"
    if not _deeply_indented(data, YAML_MAX_DEPTH - flow):
        return None
    if flow == brackets and not _deeply_indented(data, YAML_MAX_DEPTH - _flow_depth(data)):
        return None
    if _is_json(data):
        return None
    return f"YAML nested or indented too deeply to parse (deeper than {YAML_MAX_DEPTH} levels)"


def _deeply_indented(data: bytes, room: int) -> bool:
    """Whether a line leads with ``room`` or more levels of YAML block nesting: each needs a column of
    indentation or a "- " / "? " indicator (so a line nests at most one more, its key's, than it leads with;
    flow collections on it add at most their depth)."""
    return room <= 0 or re.search(rb"^(?:[ \t]|[-?][ \t]){%d}" % room, data, re.MULTILINE) is not None


def _is_text(head: bytes) -> bool:
    """Whether the first bytes of a document are JSON's or YAML's text: UTF-8 (a character cut at the end
    aside), or UTF-16 or UTF-32 as JSON allows them."""
    if json.detect_encoding(head) != "utf-8":
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _flow_depth(data: bytes) -> int:
    """The deepest nesting of brackets outside double-quoted strings, as conformance.http.models scans an
    answer (there a token at a time; here at the speed of bytes.translate, for ontologies of 100 MB). The text
    between the strings is gathered and counted a piece of about :data:`_FLOW_PIECE` bytes at a time: the
    strings cut out at once (``re.sub``) cost some twenty times the document's size, for a document of many
    short strings (a 24 MB JSON list, 500 MB), where the allowed size of a document (a crypt4gh file's or an
    ontology's, up to max_response_bytes) would have taken gigabytes."""
    depth = deepest = 0
    pending = bytearray()

    def count() -> None:
        nonlocal depth, deepest
        steps = memoryview(pending.translate(_STEPS, _NOT_BRACKETS)).cast("b")
        deepest = max(deepest, max(accumulate(steps, initial=depth)))
        depth += sum(steps)
        pending.clear()

    last = 0
    for string in _STRINGS.finditer(data):
        start = string.start()
        if start > last:
            pending += data[last:start]
        last = string.end()
        if len(pending) >= _FLOW_PIECE:
            count()
    pending += data[last:]
    count()
    return deepest


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


def _fetch(view: ServiceView, ref: str, limit: int) -> Document:
    scheme = urlsplit(ref).scheme.lower()
    if scheme in ("http", "https"):
        return _read_http(view, ref, ref, limit)
    if scheme and len(scheme) > 1:  # "C:" of a Windows path is no scheme
        for suite in suites.discover().values():
            resolver = suite.document_resolver(scheme)
            if resolver is not None:
                document: Document = resolver(view.run, ref, limit)
                return document
        known = sorted({s for suite in suites.discover().values() for s in suite.document_schemes})
        raise DocumentUnavailable(f"{ref}: no suite resolves {scheme}:// documents "
                                  f"(resolved: http, https{''.join(', ' + k for k in known)}, and paths)")
    base = view.service.url
    if base:
        return _read_http(view, ref, urljoin(base.rstrip("/") + "/", ref), limit)
    return _read_file(view, ref, limit)


def _read_http(view: ServiceView, ref: str, url: str, limit: int) -> Document:
    # the run's document cap by default (so a cut names max_document_bytes); a larger one where asked
    cap = {} if limit == view.run.limits.budget.max_document_bytes else {"max_bytes": limit}
    response = view.client.get(url, follow_redirects=True, declared=url, **cap)  # a document the profile names
    if response.status != 200:
        raise DocumentUnavailable(f"{ref}: GET {view.run.redactor.url(url)} answered HTTP {response.status}, "
                                  "not the document", response.exchange)
    if response.truncated:
        if response.limit_name is None:  # larger than the reader's own cap (``limit``): so it is, every time
            raise DocumentUnavailable(f"{ref}: {response.cut_reason()}", response.exchange)
        view.run.limits.note(response.limit_name)
        raise BudgetExceeded(f"{ref}: {response.cut_reason()}", response.limit_name, response.exchange)
    return Document(ref, view.run.redactor.url(url), response.content, response.content_type or None, response)


def document_file(view: ServiceView, ref: str) -> Path | None:
    """The file a document reference of ``view``'s service names, as :func:`read_document` resolves it (a
    path, relative to the profile file's folder); None for a URL, a URI, or a path relative to the
    entry's ``url``. The file may not exist: reading it says so."""
    return None if view.service.url else named_file(ref, view.run.profile.path)


def _read_file(view: ServiceView, ref: str, limit: int) -> Document:
    """Read a regular file (conformance/files.py). Anything else is named and never opened: opening a FIFO
    blocks until a writer comes, whatever ``--max-seconds`` says, and /dev/zero never ends."""
    path = document_file(view, ref)
    assert path is not None  # _read sends only paths here
    try:
        data = read_regular(path, limit)
    except Unreadable as exc:
        if exc.problem == "large":
            view.run.limits.note("max_document_bytes")
            raise BudgetExceeded(f"{ref}: the document is larger than {limit} bytes (budget.max_document_bytes)",
                                 "max_document_bytes") from None
        raise DocumentUnavailable({
            "missing": f"{ref}: no such file ({path})",
            "folder": f"{ref}: a folder, not a document ({path})",
            "special": f"{ref}: not a regular file ({exc.detail}), so not read ({path})",
        }.get(exc.problem, f"{ref}: cannot read {path}: {exc.detail}")) from None
    return Document(ref, str(path), data)
