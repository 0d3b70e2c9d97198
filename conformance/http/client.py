"""The one HTTP client through which checks talk to servers.

It bounds everything the harness does to a production system: connect and read timeouts and a
per-request wall clock, a request budget and a rate limit for the run, a cap on the bytes of one
response (enforced while streaming) and of the whole run, retries only for idempotent requests and
transient failures, redirects followed by hand so that credentials never follow to another origin,
and every exchange recorded, redacted, as evidence. The pieces live beside it: :mod:`.models`,
:mod:`.policy`, :mod:`.transport`, :mod:`.redirects`.
"""

from __future__ import annotations

import functools
import hashlib
import http.cookiejar
import io
import itertools
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from conformance._version import __version__
from conformance.errors import HarnessError, ResponseError, ServiceBusy, TransportError
from conformance.exchange import Exchange, binary_summary, is_binary
from conformance.hashing import ParallelHashes
from conformance.http.models import Response
from conformance.http.policy import (
    IDEMPOTENT,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER,
    MAX_RETRY_WAIT,
    RETRY_STATUSES,
    Breaker,
    RunLimits,
    is_loopback,
    retry_after,
)
from conformance.http.redirects import (
    MAX_REDIRECTS,
    REDIRECT_STATUSES,
    Credentials,
    allowed_hosts,
    as_requested,
    connection_refusal,
    note_proxied,
    origin_of,
    redirect_refusal,
    resolved,
)
from conformance.http.transport import (
    MEMORY_EVERY,
    WATCH_GRACE,
    WATCHDOG,
    AddressRefused,
    LargeBodies,
    Watch,
    WatchedAdapter,
    allowed,
    check_memory,
    current,
    describe_transport_error,
    read_chunks,
    resident_mb,
)
from conformance.profile import PROXY_FROM_ENVIRONMENT, Service
from conformance.redact import SENSITIVE_HEADERS, Redactor
from conformance.timeprofile import TimeProfile

USER_AGENT = f"ga4gh-conformance/{__version__} (read-only conformance checks)"
EVIDENCE_BODY_CHARS = 4000
#: A streamed body reaches its caller in pieces of about this size (its last piece may be shorter).
STREAM_PIECE = 1024 * 1024
#: Evidence is redacted before it is cut, over this much more, so that a secret straddling the cut
#: (a credential token is a few KiB) is masked whole rather than leaving its head behind.
EVIDENCE_KEEP = EVIDENCE_BODY_CHARS + 8192


#: A response header value longer than this is cut in the evidence (a server may send 64 KiB lines).
EVIDENCE_HEADER_CHARS = 2048


def bounded_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The response headers as evidence: a value too long to read is cut, with its length named."""
    return {name: value if len(value) <= EVIDENCE_HEADER_CHARS
            else f"{value[:EVIDENCE_HEADER_CHARS]}… ({len(value):,} characters)" for name, value in headers.items()}


#: How many documents a streamed body keeps as its claims when the caller names none.
CLAIMS = 2


def unused_proxy(url: str) -> str | None:
    """The environment variable naming a proxy for ``url`` (``HTTPS_PROXY``, ``ALL_PROXY``...; ``NO_PROXY``
    heeded), or None: the client uses none unless the profile says so (``trust_env`` is off), so a service
    reached only through it is unreachable, and saying so is the whole explanation. Loopback hosts are never
    proxied."""
    host = urlsplit(url).hostname or ""
    if not host or is_loopback(host):
        return None
    proxies = requests.utils.get_environ_proxies(url)
    scheme = urlsplit(url).scheme.lower()
    for key in (scheme, "all"):
        if proxies.get(key):
            return f"{key.upper()}_PROXY"
    return None


class RefusedTarget(TransportError):
    """A request not sent: its URL is off the declared origin and at (or its connection reached) an address
    :func:`~conformance.http.redirects.redirect_refusal` refuses. Never retried."""


class HttpClient:
    """Sends requests within the run's limits. One per run; checks use a :class:`ServiceClient`."""

    def __init__(self, limits: RunLimits, redactor: Redactor, *, ca_bundle: str | None = None,
                 proxy: str | None = None) -> None:
        self.limits = limits
        self.redactor = redactor
        #: The profile's ``proxy``: a URL, ``environment``, or None (every service directly).
        self.proxy = proxy
        self.session = requests.Session()
        # No cookie jar: a cookie set on an authenticated request would make an "anonymous" one
        # authenticated, and the curl in the evidence would not reproduce what was sent.
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.session.trust_env = False  # no proxy (but the profile's) or .netrc credentials behind our back
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})
        self.adapter = WatchedAdapter(max_retries=0)
        self.session.mount("http://", self.adapter)
        self.session.mount("https://", self.adapter)
        self.ca_bundle = ca_bundle
        self.breaker = Breaker()
        self._large = LargeBodies()
        #: What the process held before the run: the memory budget counts what the run adds to it.
        self.memory_base = resident_mb() or 0.0
        #: ``--profile-time``: where each exchange's time went (None: not measured).
        self.timing: TimeProfile | None = None

    def close(self) -> None:
        self.session.close()

    def _prepared(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None,
                  ) -> requests.PreparedRequest:
        """The request ``Session.request`` would prepare: the session's headers under the request's (a
        request's header named with a value of None removes the session's), then requests' own
        preparation of the URL, headers, body and URL userinfo. It is handed to the adapter directly,
        without what ``Session.request`` adds around it: merging cookies the jar refuses, environment
        settings this session does not trust, hooks, redirects this client follows by hand (and, for a
        redirect, reading its whole body uncapped). With this and is_loopback remembered, the client's CPU
        per loopback request, server included, went from 2.55–2.63× bare urllib3's to 1.97–2.19×
        (benchmarks/request_cpu.py)."""
        merged: CaseInsensitiveDict[str | bytes | None] = CaseInsensitiveDict(self.session.headers.items())
        merged.update(headers)
        prepared = requests.PreparedRequest()
        prepared.prepare(method=method, url=url, headers={k: v for k, v in merged.items() if v is not None},
                         data=body)
        return prepared

    # -- one request, redirects and retries --------------------------------------------------------

    def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None, json_body: Any = None, data: bytes | None = None,
                credentials: Credentials | None = None, idempotent: bool | None = None,
                follow_redirects: bool = True, max_bytes: int | None = None,
                on_chunk: Callable[[bytes], None] | None = None, ca_bundle: str | None = None,
                record: Callable[[Exchange], None] | None = None, allow_busy: bool = False,
                decode: bool = True, evidence_digest: bool = True, borrowed: bool = False,
                declared: str | None = None, trusted_hosts: frozenset[str] = frozenset()) -> Response:
        """Send one request (following redirects by hand) within the run's limits.

        ``declared`` is the URL the profile names for the request (its service's; by default ``url``): its
        origin is requested as it is, while a URL of another origin (one a server gave, a redirect) is
        requested only at an address :func:`~conformance.http.redirects.redirect_refusal` allows for that
        service, judged by the address each connection reaches (:class:`RefusedTarget` otherwise). A host in
        ``trusted_hosts`` (the entry's ``auth.allowed_hosts``: an object store of the deployment's own network,
        say) is requested as the declared origin is.

        ``decode=False`` asks for and keeps the bytes as stored (``Accept-Encoding: identity``, no
        inflation): what a checksum of stored data is computed over.

        A 429, 502, 503 or 504 that persists through the retries raises :class:`ServiceBusy` (the
        harness cannot tell anything from it) unless ``allow_busy`` asks for the answer itself.

        ``evidence_digest=False`` (streamed bodies only): the evidence's sha-256 of the body is not
        computed (``body_sha256`` stays None), for a caller that computes and reports its own digests of
        the same bytes, where a third digest of a large body would cost as much as one of its own.

        ``borrowed=True`` (streamed bodies): each piece handed to ``on_chunk`` but the last is one of two
        ``bytearray`` buffers of :data:`STREAM_PIECE` bytes, refilled in turn once ``on_chunk`` has taken
        the piece after it. The caller copies what it keeps and is done with a piece (its hashing waited
        for, as :class:`~conformance.hashing.ParallelHashes` does at its next update) when it returns
        from the next call; in return no piece is allocated (fresh pieces of a large body cost a page
        fault per 4 KiB of most of them: the allocator maps and trims its memory as they come and go).
        """
        method = method.upper()
        if params:
            url = f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params, doseq=True)}"
        body = data
        extra = dict(headers or {})
        if not decode:
            extra.setdefault("Accept-Encoding", "identity")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            extra.setdefault("Content-Type", "application/json")
        retryable = method in IDEMPOTENT if idempotent is None else idempotent
        declared = declared or url
        home = origin_of(declared)
        visited: list[str] = []
        current_method, current_body, current_url = method, body, url
        while True:
            # a host the profile entry vouches for (auth.allowed_hosts) is requested as declared, as its origin is
            here = origin_of(current_url)
            judged_by = None if here == home or here[1] in trusted_hosts else declared
            response = self._with_retries(current_method, current_url, extra, current_body, credentials,
                                          retryable, max_bytes, on_chunk, ca_bundle, visited, record,
                                          allow_busy, decode, evidence_digest, borrowed, follow_redirects,
                                          judged_by)
            location = response.headers.get("Location")
            if not follow_redirects or response.status not in REDIRECT_STATUSES or not location:
                return response
            try:
                target = urljoin(current_url, location)
                scheme = urlsplit(target).scheme.lower()
            except ValueError as exc:  # "http://[::1": an address that never closes, say
                raise TransportError(f"the server redirected to a URL that cannot be parsed "
                                     f"({self.redactor.url(location)[:200]!r}: {exc})", response.exchange) from None
            if scheme not in ("http", "https"):
                raise TransportError(f"the server redirected to a non-http(s) URL "
                                     f"({self.redactor.url(target)[:200]})", response.exchange)
            refusal = redirect_refusal(declared, target) if origin_of(target)[1] not in trusted_hosts else None
            if refusal:
                raise RefusedTarget(f"the server redirected to {self.redactor.url(target)[:200]}: {refusal}",
                                     response.exchange)
            if origin_of(target) != origin_of(current_url):
                keeps_body = response.status in (307, 308) and current_body is not None
                if keeps_body:
                    # A body may carry credentials (a signed token, a token exchange): it never follows
                    # a redirect to another origin.
                    raise TransportError(f"the server redirected a {current_method} with a body to another origin "
                                         f"({self.redactor.url(target)[:200]}); not followed", response.exchange)
                # Credentials a check passed itself (a token, a client secret) stay with their origin,
                # as the profile's own credentials do (those are scoped in _send).
                extra = {k: v for k, v in extra.items() if k.lower() not in SENSITIVE_HEADERS}
            visited.append(self.redactor.url(current_url))
            if len(visited) > MAX_REDIRECTS or target in (url, *visited):
                looped = target in (url, *visited)
                what = "a redirect loop" if looped else f"more than {MAX_REDIRECTS} redirects"
                raise TransportError(f"the server answered with {what} starting at {self.redactor.url(url)}",
                                     response.exchange)
            if response.status == 303 or (response.status in (301, 302) and current_method == "POST"):
                current_method, current_body = "GET", None
                extra.pop("Content-Type", None)
            current_url = target

    def _with_retries(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                      credentials: Credentials | None, retryable: bool, max_bytes: int | None,
                      on_chunk: Callable[[bytes], None] | None, ca_bundle: str | None,
                      visited: list[str], record: Callable[[Exchange], None] | None,
                      allow_busy: bool, decode: bool = True, evidence_digest: bool = True,
                      borrowed: bool = False, follow_redirects: bool = False,
                      judged_by: str | None = None) -> Response:
        origin = origin_of(url)
        self.breaker.check(origin, method, self.redactor.url(url))
        attempt = 0
        waited = 0.0
        while True:
            attempt += 1
            try:
                response = self._send(method, url, headers, body, credentials, max_bytes, on_chunk,
                                      ca_bundle, visited, record, decode, evidence_digest, borrowed,
                                      follow_redirects, judged_by)
            except RefusedTarget:
                raise  # not the server's trouble: neither retried nor counted by the breaker
            except HarnessError as exc:
                # A reset, or a kept-alive connection the server closed just as it was reused (the
                # classic race of persistent connections, RFC 9112 §9.3.1): worth one more try.
                # A TransportError comes before any body byte, so even a streamed request (whose chunks
                # went to a hash) is safe to repeat; a broken body is repeated only if nothing was streamed.
                before_body = isinstance(exc, TransportError) and (
                    "reset" in exc.message or "without answering" in exc.message)
                transient = before_body or (isinstance(exc, ResponseError) and exc.transient and on_chunk is None)
                if retryable and transient and attempt < MAX_ATTEMPTS:
                    # The race's first retry goes at once, on a new connection (the pool dropped the closed
                    # one): the server is not busy, it had closed an idle connection. Later ones back off.
                    race = attempt == 1 and "without answering" in exc.message
                    if not race:
                        time.sleep(min(0.5 * 2 ** (attempt - 1), max(0.0, self.limits.remaining())))
                    continue
                if transient or exc.limit == "request_timeout_seconds" or "no answer within" in exc.message:
                    self.breaker.seen(origin, exc.message, exc.limit)
                raise
            if response.status not in RETRY_STATUSES:
                self.breaker.cleared(origin)
                return response
            delay = retry_after(response.headers.get("Retry-After"))
            wait = 0.5 * 2 ** (attempt - 1) if delay is None else delay
            patient = wait <= MAX_RETRY_AFTER and waited + wait <= MAX_RETRY_WAIT and wait < self.limits.remaining()
            if retryable and attempt < MAX_ATTEMPTS and patient:
                waited += wait
                time.sleep(wait)
                continue
            if allow_busy:
                return response
            status = f"{response.status} {response.reason}".strip()
            if delay is not None and delay > MAX_RETRY_AFTER:
                # Waiting a day is not an option for a CI job, and asking again before then is rude.
                message = (f"the server answered {status} with Retry-After: {delay:.0f} s, longer than the "
                           f"harness waits ({MAX_RETRY_AFTER:g} s); not retried")
                self.breaker.seen(origin, message, None, blocked_for=delay)
            else:
                tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
                message = f"the server answered {status} to {tries}"
                if retryable and attempt < MAX_ATTEMPTS:
                    message += (f" and asked to wait {wait:g} s more, beyond the {MAX_RETRY_WAIT:g} s a request "
                                "waits in all or the run's time left; not retried")
                self.breaker.seen(origin, message, None)
            raise ServiceBusy(message, response.exchange)

    # -- one exchange ----------------------------------------------------------------------------------

    def _send(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
              credentials: Credentials | None, max_bytes: int | None,
              on_chunk: Callable[[bytes], None] | None, ca_bundle: str | None,
              visited: list[str], record: Callable[[Exchange], None] | None, decode: bool = True,
              evidence_digest: bool = True, borrowed: bool = False, follow_redirects: bool = False,
              judged_by: str | None = None) -> Response:
        """One exchange. ``judged_by`` (a request off the declared origin): the declared URL whose service
        decides which addresses the request may reach, as its URL names one or as its connection reaches one."""
        budget = self.limits.budget
        # Bodies by kind (issue 23): a streamed body (hashed, never kept) may be allowed what its caller
        # asks, within the run's byte budget; bytes a caller asks to hold (max_bytes) are capped by
        # max_response_bytes; any other body is a document held to be parsed, capped by
        # max_document_bytes. Each cap counts decoded bytes, as they arrive, before any parsing.
        # A cap the caller asks below the budget's (a check reading the head of an answer, a document read to
        # a size of its own) is no limit of the run: not named as the budget key, nor noted as reached.
        cap_name: str | None
        if on_chunk is not None and max_bytes:
            cap, cap_name = max_bytes, None
        elif max_bytes or on_chunk is not None:
            cap = min(max_bytes or budget.max_response_bytes, budget.max_response_bytes)
            cap_name = "max_response_bytes" if cap == budget.max_response_bytes else None
        else:
            cap = min(budget.max_document_bytes, budget.max_response_bytes)
            cap_name = "max_document_bytes" if cap == budget.max_document_bytes else "max_response_bytes"
        send_headers = dict(headers)
        if credentials is not None and credentials.applies_to(url):
            for name, value in credentials.headers.items():
                send_headers.setdefault(name, value)
        exchange = Exchange(
            method=method,
            url=self.redactor.url(url),
            request_headers=self.redactor.headers(send_headers),
            request_body=self.redactor.text(body.decode("utf-8", "replace")) if body is not None else None,
            redirected_from=list(visited),
        )
        if record is not None:
            record(exchange)
        judge = None
        proxies = self.proxies_for(url, exchange)
        if judged_by is not None:
            judge = self._judge(judged_by, url, exchange, proxied=bool(proxies))
        elif proxies:  # a declared service reached through the proxy is off this machine's networks
            note_proxied(origin_of(url)[1])
        self._large.reclaim()
        origin = origin_of(url)
        self.limits.acquire(origin)
        timeout = min(budget.request_timeout_seconds, max(0.5, self.limits.remaining()))
        named = allowed(timeout, budget.request_timeout_seconds, budget.max_seconds)
        started = time.monotonic()
        verify: bool | str = ca_bundle or self.ca_bundle or True
        watch = Watch()
        streamed = 0.0  # seconds spent handing streamed pieces to the caller (its hashing), for --profile-time
        # The socket timeout catches a silent server first; the watch, a little later, one that
        # keeps sending a byte at a time.
        current.watch = watch
        current.judge = judge
        timer = WATCHDOG.after(timeout + WATCH_GRACE, watch.kill)
        try:
            try:
                raw = self.adapter.send(self._prepared(method, url, send_headers, body), stream=True,
                                        timeout=(min(10.0, timeout), timeout), verify=verify, cert=None,
                                        proxies=proxies)
            except AddressRefused as refused:
                exchange.elapsed = time.monotonic() - started
                shown = self.redactor.url(url)[:200]
                exchange.error = (f"the server redirected to {shown}, at {refused.address}: {refused.reason}" if visited
                                  else f"not requested: {shown} is at {refused.address}, {refused.reason}")
                raise RefusedTarget(exchange.error, exchange) from None
            except requests.exceptions.RequestException as exc:
                exchange.elapsed = time.monotonic() - started
                if watch.fired:
                    exchange.error = (f"no complete answer within {named.words} "
                                      "(the server sends its status line and headers too slowly)")
                    error = TransportError(exchange.error, exchange)
                    error.limit = named.limit
                    self.limits.note(named.limit)
                    raise error from None
                exchange.error = self.redactor.text(describe_transport_error(exc, timeout, named))
                raise TransportError(exchange.error, exchange) from None
            finally:
                current.watch = None
                current.judge = None
            exchange.status = raw.status_code
            passed_on = follow_redirects and raw.status_code in REDIRECT_STATUSES and bool(raw.headers.get("Location"))
            if passed_on:
                # The body of a redirect this client follows is evidence of the redirect only: never part of
                # a streamed body (an object store's "Redirecting..." page in the caller's hash), and cut at
                # the document cap without the run reaching a limit (it is not needed).
                on_chunk, borrowed = None, False
                cap, cap_name = min(budget.max_document_bytes, budget.max_response_bytes), "max_document_bytes"
            self.limits.observe(origin, time.monotonic() - started, raw.status_code,
                                retry_after(raw.headers.get("Retry-After")))
            exchange.reason = self.redactor.text(raw.reason or "")  # a server may echo a token in its reason phrase
            # redacted whole, then cut: a secret a header echoes past the cut is masked, not cut to its head
            exchange.response_headers = bounded_headers(self.redactor.headers(dict(raw.headers)))
            content = io.BytesIO()  # getvalue() hands over its buffer: no second copy of a large body
            kept = 0
            truncated = False
            digest = hashlib.sha256()
            memory_at = MEMORY_EVERY
            pending: list[bytes] = []  # joined once per piece: one copy of each byte, not two
            pending_bytes = 0

            # the evidence's sha-256 on a worker thread while the check takes the piece and the next one is
            # read (pipelined: it is waited for only before the next piece, and before its digest is read);
            # none for a streaming caller that reports its own digests of the bytes (evidence_digest=False)
            hashed = evidence_digest or on_chunk is None
            evidence = ParallelHashes(digest, pipelined=True) if hashed else ParallelHashes()

            # borrowed: two buffers of STREAM_PIECE bytes filled in turn (the one handed over is hashed
            # while the other fills), made when the body first needs them
            buffers: list[bytearray] = []
            filled = 0

            def hand(piece: bytes | bytearray) -> None:
                nonlocal streamed
                assert on_chunk is not None
                handed = time.monotonic()
                evidence.update(piece)
                on_chunk(piece)  # type: ignore[arg-type]  # a bytearray only to a caller that asked (borrowed)
                streamed += time.monotonic() - handed

            def deliver() -> None:
                nonlocal pending_bytes, filled
                if filled:  # the last piece of a borrowed stream: bytes of its own (one copy, once per body)
                    hand(bytes(memoryview(buffers[0])[:filled]))
                    filled = 0
                if pending and on_chunk is not None:
                    piece = pending[0] if len(pending) == 1 else b"".join(pending)
                    pending.clear()
                    pending_bytes = 0
                    hand(piece)

            def fill(chunk: bytes) -> None:
                """Copy a network read into the buffers, handing on each one that is full (borrowed)."""
                nonlocal filled
                view = memoryview(chunk)
                while view:
                    if not buffers:
                        buffers.append(bytearray(STREAM_PIECE))
                    taken = min(len(view), STREAM_PIECE - filled)
                    buffers[0][filled: filled + taken] = view[:taken]
                    filled += taken
                    view = view[taken:]
                    if filled == STREAM_PIECE:
                        filled = 0
                        hand(buffers[0])
                        if len(buffers) == 1:
                            buffers.append(bytearray(STREAM_PIECE))
                        buffers.reverse()  # the other buffer: the caller is done with the piece it held

            try:
                for chunk in read_chunks(raw, started, timeout, watch, decode, named):
                    self.limits.add_bytes(len(chunk))
                    exchange.body_bytes += len(chunk)
                    if exchange.body_bytes >= memory_at:
                        memory_at = exchange.body_bytes + MEMORY_EVERY
                        check_memory(budget.max_memory_mb, self.memory_base)
                    if on_chunk is not None:
                        # Handed on in pieces of about STREAM_PIECE: one call of the check's code and one
                        # hand-off to the hashing threads per piece, not per network read (often 32 KiB).
                        if borrowed:
                            fill(chunk)
                        else:
                            pending.append(chunk)
                            pending_bytes += len(chunk)
                            if pending_bytes >= STREAM_PIECE:
                                deliver()
                        if kept < EVIDENCE_KEEP:
                            kept += content.write(chunk[: EVIDENCE_KEEP - kept])
                        if exchange.body_bytes > cap:
                            truncated = True
                            break
                        continue
                    room = cap - kept
                    if len(chunk) > room:
                        kept += content.write(chunk[:room])
                        truncated = True
                        break
                    kept += content.write(chunk)
                deliver()
            except HarnessError as exc:
                exchange.elapsed = time.monotonic() - started
                exc.message = self.redactor.text(exc.message)
                exchange.error = exc.message
                exchange.body_bytes = max(exchange.body_bytes, 0)
                self._describe_body(exchange, content.getbuffer()[:EVIDENCE_KEEP], None)
                del content
                exc.exchange = exc.exchange or exchange
                if exc.limit:
                    self.limits.note(exc.limit)
                raise
            finally:
                raw.close()
                evidence.wait()
        finally:
            timer.cancel()
            if self.timing is not None:
                self.timing.add_request(time.monotonic() - started, streamed)
        exchange.elapsed = time.monotonic() - started
        exchange.truncated = truncated
        if truncated and not passed_on and cap_name is not None:
            self.limits.note(cap_name)  # (a caller's own cap is no limit of the run)
        data = content.getvalue()
        del content
        if on_chunk is None:
            digest.update(data)
        self._describe_body(exchange, data[:EVIDENCE_KEEP], digest.hexdigest() if hashed else None)
        if truncated and max_bytes is None and on_chunk is None:
            # A document cut at its cap cannot be parsed: only its head is worth keeping, and views that
            # remember answers would otherwise hold max_document_bytes per endpoint (issue 23).
            data = data[:EVIDENCE_KEEP]
        headers_ci: CaseInsensitiveDict[str] = CaseInsensitiveDict(dict(raw.headers))
        response = Response(raw.status_code, exchange.reason, headers_ci, data, url, exchange, truncated, cap,
                            cap_name)
        self._large.track(response)
        return response

    def _judge(self, declared: str, url: str, exchange: Exchange, *,
               proxied: bool = False) -> Callable[[str], str | None]:
        """What the transport asks of each connection of a request off the declared origin: why the address it
        reached is refused, or None. A URL that names a refused address is not requested at all (no connection;
        a redirect to one is refused before it gets here, by :meth:`request`). Through a proxy, whose address
        is what a connection reaches, the URL's host is judged where it resolves here instead (each address;
        a name that does not resolve here is left to the proxy)."""
        refusal = redirect_refusal(declared, url)
        if refusal is None and proxied:
            refusal = next((r for r in (connection_refusal(declared, address)
                                        for address in resolved(origin_of(url)[1])) if r), None)
        if refusal is not None and refusal != "not a valid URL":  # (an invalid URL: the request says so)
            exchange.error = f"not requested: {self.redactor.url(url)[:200]} is at {refusal}"
            exchange.elapsed = 0.0
            raise RefusedTarget(exchange.error, exchange)
        return functools.partial(connection_refusal, declared)

    def proxies_for(self, url: str, exchange: Exchange | None = None) -> dict[str, str]:
        """The proxy a request to ``url`` goes through (requests' ``proxies``), or none: a service on this
        machine is never proxied, and ``proxy: environment`` heeds ``NO_PROXY``. The credentials of a proxy
        the environment names are registered with the redactor before they can reach any text; a proxy of
        another kind than http(s) there (``socks5h://``) is a transport error naming it."""
        if self.proxy is None:
            return {}
        scheme, host, _ = origin_of(url)  # as the transport reads the URL
        if not host or is_loopback(host):
            return {}
        if self.proxy != PROXY_FROM_ENVIRONMENT:
            return {scheme: self.proxy}
        found = requests.utils.get_environ_proxies(as_requested(url))  # NO_PROXY judged on the host reached
        chosen = found.get(scheme) or found.get("all")
        if not chosen:
            return {}
        parts = urlsplit(chosen if "://" in chosen else f"http://{chosen}")
        for secret in (parts.password, parts.username if parts.password else None):
            if secret:
                self.redactor.add(secret)
        if parts.scheme.lower() not in ("http", "https"):
            message = (f"the environment names a {parts.scheme} proxy for {self.redactor.url(url)[:200]} "
                       f"({self.redactor.url(chosen)}); the harness goes through http(s) proxies only")
            if exchange is not None:
                exchange.error, exchange.elapsed = message, 0.0
            raise TransportError(message, exchange)
        return {scheme: chosen}

    def _describe_body(self, exchange: Exchange, head: bytes | memoryview, sha256: str | None) -> None:
        """The body as evidence: a text body, redacted and cut; a binary one (issue 21 item 9) as its size,
        content type, digest and a short hex preview, never as bytes decoded into mojibake."""
        head = bytes(head)
        exchange.body_sha256 = sha256
        content_type = exchange.header("Content-Type")
        if is_binary(content_type, head):
            exchange.binary = True
            exchange.response_body = binary_summary(exchange.body_bytes, content_type, sha256, head,
                                                    exchange.truncated)
            return
        text = head.decode("utf-8", "replace")
        # the head of a longer body may end in the head of a secret, which no whole secret's mask would find
        shown = self.redactor.cut(text) if exchange.body_bytes > len(head) else self.redactor.text(text)
        exchange.response_body = shown[:EVIDENCE_BODY_CHARS]


class ServiceClient:
    """What a check receives as ``client``: requests relative to its service, recorded as evidence.

    Credentials of the service go only to the service's own origin (and hosts its profile entry lists
    under ``auth.allowed_hosts``), never to a host reached by a redirect or named in a response.
    """

    def __init__(self, http: HttpClient, service: Service, credentials: Credentials | None) -> None:
        self.http = http
        self.service = service
        self.credentials = credentials
        self.exchanges: list[Exchange] = []

    @property
    def redactor(self) -> Redactor:
        return self.http.redactor

    def url(self, path: str) -> str:
        if urlsplit(path).scheme:
            return path
        return self.service.url.rstrip("/") + "/" + path.lstrip("/")

    def without_credentials(self) -> ServiceClient:
        """A client that sends no credentials (for 'refused without authentication' checks)."""
        anonymous = ServiceClient(self.http, self.service, None)
        anonymous.exchanges = self.exchanges
        return anonymous

    def request(self, method: str, path: str, **kwargs: Any) -> Response:
        """A request to ``path`` of the service, or to an absolute URL: one of another origin (a URL an answer
        gave) is requested only where the service's address allows (``declared``, :meth:`HttpClient.request`).
        A service only a registry lists is itself such a URL, the registry's (its connections judged too: its
        name was judged where it resolved when listed, and may resolve elsewhere when connected to)."""
        kwargs.setdefault("ca_bundle", self.service.ca_bundle)
        kwargs.setdefault("declared", self.service.listed_by or self.service.url or None)
        kwargs.setdefault("trusted_hosts", allowed_hosts(self.service.auth.allowed_hosts))
        return self.http.request(method, self.url(path), credentials=self.credentials,
                                 record=self.exchanges.append, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> Response:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Response:
        return self.request("OPTIONS", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", path, json_body=json, **kwargs)

    def stream(self, url: str, on_chunk: Callable[[bytes], None], *, claims: list[Exchange] | None = None,
               **kwargs: Any) -> Response:
        """GET ``url`` passing each body chunk to ``on_chunk`` without keeping it (constant memory).

        The bytes are checked against documents (an object's checksums and the access URL that led to
        them, a ticket's digest, a sequence's metadata): ``claims`` names them, else the last
        :data:`CLAIMS` JSON documents this client received are kept beside the bytes as the evidence of
        what was claimed (issue 21 item 9). That suits a check's own client; a view's client, whose
        exchanges are those of every check that used the view, names its claims (or ``[]``)."""
        if claims is None:
            # The newest first, stopping at the CLAIMS-th: a view's client keeps every exchange of the run,
            # and reading them all at each stream made a profile's time grow with the square of its objects.
            claims = list(itertools.islice(
                (e for e in reversed(self.exchanges) if e.status is not None and 200 <= e.status < 300
                 and not e.binary and "json" in e.header("Content-Type").lower()), CLAIMS))
        response = self.request(kwargs.pop("method", "GET"), url, on_chunk=on_chunk, **kwargs)
        response.exchange.claims = [e for e in claims if e is not response.exchange]
        return response

    @property
    def last(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None
