"""The one HTTP client through which checks talk to servers.

It bounds everything the harness does to a production system: connect and read timeouts and a
per-request wall clock, a request budget and a rate limit for the run, a cap on the bytes of one
response (enforced while streaming) and of the whole run, retries only for idempotent requests and
transient failures, redirects followed by hand so that credentials never follow to another origin,
and every exchange recorded, redacted, as evidence.
"""

from __future__ import annotations

import email.utils
import gc
import http.cookiejar
import io
import ipaddress
import json
import shlex
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
import requests.adapters
import urllib3
from requests.structures import CaseInsensitiveDict

from conformance import __version__
from conformance.errors import BudgetExceeded, CheckFailure, HarnessError, TransportError
from conformance.profile import Budget, Service
from conformance.redact import SENSITIVE_HEADERS, Redactor

USER_AGENT = f"ga4gh-conformance/{__version__} (read-only conformance checks)"
EVIDENCE_BODY_CHARS = 4000
#: Evidence is redacted before it is cut, over this much more, so that a secret straddling the cut
#: (a passport is a few KiB) is masked whole rather than leaving its head behind.
EVIDENCE_KEEP = EVIDENCE_BODY_CHARS + 8192
MAX_REDIRECTS = 5
MAX_ATTEMPTS = 3
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
#: The longest Retry-After the client honours; a longer one is reported instead of waited for.
MAX_RETRY_AFTER = 30.0
CHUNK = 16 * 1024
#: How long after request_timeout_seconds the per-request watch shuts a socket that is still busy.
WATCH_GRACE = 0.25


@dataclass
class Exchange:
    """One request and its answer, already redacted; the evidence attached to a check's result."""

    method: str
    url: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: str | None = None
    status: int | None = None
    reason: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    body_bytes: int = 0
    truncated: bool = False
    elapsed: float = 0.0
    error: str | None = None
    redirected_from: list[str] = field(default_factory=list)

    def curl(self) -> str:
        """A ``curl`` command that repeats the request (credentials already redacted)."""
        parts = ["curl", "-sS", "-i"]
        if self.method != "GET":
            parts += ["-X", self.method]
        for name, value in self.request_headers.items():
            if name.lower() in ("user-agent", "accept-encoding", "connection", "content-length"):
                continue
            parts += ["-H", f"{name}: {value}"]
        if self.request_body is not None:
            parts += ["--data-raw", self.request_body]
        parts.append(self.url)
        return " ".join(shlex.quote(p) for p in parts)

    def summary(self) -> str:
        if self.error:
            return f"{self.method} {self.url} → {self.error}"
        return f"{self.method} {self.url} → {self.status} {self.reason}".rstrip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "curl": self.curl(),
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "response_headers": self.response_headers,
            "response_body": self.response_body,
            "body_bytes": self.body_bytes,
            "truncated": self.truncated,
            "elapsed_seconds": round(self.elapsed, 3),
            "error": self.error,
            "redirected_from": self.redirected_from,
        }


class Response:
    """A finished answer: status, headers and the body, cut at the response-size cap."""

    def __init__(self, status: int, reason: str, headers: CaseInsensitiveDict[str], content: bytes,
                 url: str, exchange: Exchange, truncated: bool, limit_bytes: int) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content
        self.url = url
        self.exchange = exchange
        self.truncated = truncated
        self._limit_bytes = limit_bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def cut_reason(self) -> str:
        """What the server did that made the body exceed the response-size cap, in a few words."""
        limit = f"max_response_bytes={self._limit_bytes}"
        declared = self.headers.get("Content-Length", "").strip()
        encoding = self.headers.get("Content-Encoding", "").strip().lower()
        if encoding and encoding != "identity":
            return f"the server's {encoding}-encoded body inflates to more than {limit} bytes"
        if declared.isdigit() and int(declared) > self._limit_bytes:
            return f"the server announced a body of {int(declared):,} bytes (Content-Length), more than {limit}"
        return f"the server sent more than {limit} bytes without ending its body"

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json_object(self) -> dict[str, Any] | None:
        """The body if it is a JSON object, else None (for checks that only look at well-formed answers
        and leave judging the form to the check that is about it)."""
        try:
            body = self.json()
        except CheckFailure:
            return None
        return body if isinstance(body, dict) else None

    def json(self) -> Any:
        """The body as JSON.

        A body cut at the size cap is an error (the harness could not read it all), and so is one
        nested deeper than the parser goes (RFC 8259 §9 lets a parser limit the depth); a body that
        is not JSON is a failure of the check that expected JSON, except on a 5xx answer, where the
        server could not answer at all and the harness cannot tell.
        """
        if self.truncated:
            raise BudgetExceeded(f"{self.cut_reason()}; not parsed", "max_response_bytes", self.exchange)
        try:
            return json.loads(self.content.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problem = f"the body is not valid UTF-8 (byte {exc.start})"
        except RecursionError:
            raise HarnessError(f"{self.exchange.method} {self.exchange.url} answered JSON nested too deeply "
                               "to parse", self.exchange) from None
        except ValueError as exc:
            kind = self.content_type or "no Content-Type"
            snippet = self.exchange.response_body[:60].replace("\n", " ")  # already redacted
            problem = f"the body is not JSON ({kind}: {snippet!r}; {str(exc)[:80]})"
            declared = self.headers.get("Content-Length", "")
            ends_early = isinstance(exc, json.JSONDecodeError) and (
                exc.msg.startswith("Unterminated") or exc.pos >= len(self.content.rstrip()) - 1)
            if ends_early and declared.strip() == str(len(self.content)) and self.content:
                problem = (f"the JSON document breaks off at the end of the {declared} bytes its "
                           "Content-Length announced")
        if self.status >= 500:
            raise HarnessError(f"server error {self.status} and {problem}", self.exchange)
        raise CheckFailure(f"{self.exchange.method} {self.exchange.url} answered {self.status}, "
                           f"but {problem}", self.exchange)


@dataclass(frozen=True)
class Credentials:
    """Headers to add to requests sent to the service's own origin (or to an allowed host)."""

    origin: tuple[str, str, int]
    headers: Mapping[str, str]
    allowed_hosts: frozenset[str] = frozenset()

    def applies_to(self, url: str) -> bool:
        if origin_of(url) == self.origin:
            return True
        host = (urlsplit(url).hostname or "").lower()
        return host in self.allowed_hosts


def _redirect_refusal(service_url: str, target: str) -> str | None:
    """Why a redirect target is not followed, or None.

    A checked server must not be able to point the harness at the machine it runs on or its network
    (cloud metadata at a link-local address, private hosts) and have the answer published as
    evidence; loopback and private targets are followed only when the service itself is there.
    """
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "not a valid URL"
    host = parts.hostname or ""

    def address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        try:
            return ipaddress.ip_address(name)
        except ValueError:
            return None

    where = address("127.0.0.1" if host == "localhost" else host)
    if where is None:
        return None  # a host name: not resolved here (see the issue note on DNS)
    if where.is_link_local or where.is_multicast or where.is_unspecified:
        return "a link-local or special address, never followed"
    if where.is_loopback or where.is_private:
        service = address(urlsplit(service_url).hostname or "")
        if service is None or not (service.is_loopback or service.is_private):
            return "a loopback or private address, followed only for a service on such an address"
    return None


def origin_of(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:  # a port out of range: an origin of its own, matching no service
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def credentials_for(service: Service, redactor: Redactor) -> Credentials | None:
    """The credentials of ``service`` from the environment, registered with the redactor."""
    headers: dict[str, str] = {}
    token = service.auth.secret("bearer_token_env")
    user = service.auth.secret("basic_username_env")
    password = service.auth.secret("basic_password_env")
    for secret in (service.auth.secret(k) for k in service.auth.keys()):  # noqa: SIM118 - Auth is no dict
        redactor.add(secret)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif password is not None:
        redactor.add_basic(user or "", password)
        auth = requests.auth._basic_auth_str(user or "", password)
        headers["Authorization"] = auth
        redactor.add(auth.split(" ", 1)[1])
    if not headers:
        return None
    return Credentials(origin_of(service.url), headers, frozenset(service.auth.allowed_hosts))


class RunLimits:
    """Counters and clocks shared by every request of a run."""

    def __init__(self, budget: Budget, started: float | None = None) -> None:
        self.budget = budget
        self.started = time.monotonic() if started is None else started
        self.deadline = self.started + budget.max_seconds
        self.requests = 0
        self.bytes = 0
        self._next_slot = 0.0
        self._lock = threading.Lock()
        #: Names of the limits that stopped at least one check.
        self.hit: set[str] = set()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def acquire(self) -> None:
        """Take one request from the budget, waiting for the rate limit."""
        with self._lock:
            if self.remaining() <= 0:
                self.hit.add("max_seconds")
                raise BudgetExceeded(f"run time budget exhausted (max_seconds={self.budget.max_seconds:g})",
                                     "max_seconds")
            if self.requests >= self.budget.max_requests:
                self.hit.add("max_requests")
                raise BudgetExceeded(f"request budget exhausted (max_requests={self.budget.max_requests})",
                                     "max_requests")
            now = time.monotonic()
            wait = max(0.0, self._next_slot - now)
            self._next_slot = max(now, self._next_slot) + 1.0 / self.budget.requests_per_second
            self.requests += 1
        if wait:
            time.sleep(wait)

    def add_bytes(self, count: int) -> None:
        with self._lock:
            self.bytes += count
            if self.bytes > self.budget.max_run_bytes:
                self.hit.add("max_run_bytes")
                raise BudgetExceeded(f"run byte budget exhausted (max_run_bytes={self.budget.max_run_bytes})",
                                     "max_run_bytes")

    def note(self, limit: str) -> None:
        with self._lock:
            self.hit.add(limit)


class ResponseError(HarnessError):
    """The server answered, but its answer could not be read: a broken body, a lying Content-Length or
    Content-Encoding, a reset in the middle. The harness cannot tell (``error``); the service did
    answer, so it is not *unreachable*."""

    def __init__(self, message: str, exchange: Exchange | None = None, *, transient: bool = False) -> None:
        super().__init__(message, exchange)
        self.transient = transient


class ServiceBusy(HarnessError):
    """The server said it cannot answer now (429, 502, 503, 504), also after the retries the run allows."""


class _Watch:
    """A per-request wall clock that does not trust the server to send anything: when it fires it shuts
    the request's socket down, which ends a read blocked on a server that trickles its status line,
    its headers or its body (socket timeouts alone never fire while a byte arrives every second)."""

    def __init__(self) -> None:
        self.conn: Any = None
        self.fired = False

    def kill(self) -> None:
        self.fired = True
        sock = getattr(self.conn, "sock", None)
        if sock is not None:
            try:  # the plain socket's shutdown: valid for TLS sockets too, without touching the TLS state
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except (OSError, TypeError):
                pass


_current = threading.local()


def _note_connection(conn: Any) -> Any:
    watch = getattr(_current, "watch", None)
    if watch is not None:
        watch.conn = conn
    return conn


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        return _note_connection(super()._get_conn(timeout))


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        return _note_connection(super()._get_conn(timeout))


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter whose connection pools tell the running request's :class:`_Watch` which
    connection it uses."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)


@dataclass
class _Trouble:
    """Consecutive costly failures (timeouts, resets, busy answers) of one origin."""

    count: int = 0
    last: str = ""
    limit: str | None = None
    blocked_until: float = 0.0


class _LargeBodies:
    """Bodies of finished responses that are still in memory, to keep the run's peak memory near one
    response: a check that errs keeps its response alive in a traceback's frames, a reference cycle
    that only the cyclic collector frees, and it runs on object counts, never on bytes. So once a
    large body has been handed out, the next request first collects such garbage."""

    #: Bodies at least this large are tracked.
    LARGE = 8 * 1024 * 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.alive_bytes = 0
        self._new = False

    def track(self, response: Response) -> None:
        size = len(response.content)
        if size < self.LARGE:
            return
        with self._lock:
            self.alive_bytes += size
            self._new = True
        weakref.finalize(response, self._freed, size)

    def _freed(self, size: int) -> None:
        with self._lock:
            self.alive_bytes -= size

    def reclaim(self) -> None:
        with self._lock:
            due, self._new = self._new and self.alive_bytes > 0, False
        if not due:
            return
        gc.collect()


class HttpClient:
    """Sends requests within the run's limits. One per run; checks use a :class:`ServiceClient`."""

    #: After this many consecutive timeouts, resets or busy answers from one origin, the run stops
    #: sending it requests: each would cost a full timeout (or the retries) and tell nothing new.
    BREAKER_THRESHOLD = 3

    def __init__(self, limits: RunLimits, redactor: Redactor, *, ca_bundle: str | None = None) -> None:
        self.limits = limits
        self.redactor = redactor
        self.session = requests.Session()
        # No cookie jar: a cookie set on an authenticated request would make an "anonymous" one
        # authenticated, and the curl in the evidence would not reproduce what was sent.
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.session.trust_env = False  # no proxies or .netrc credentials picked up behind our back
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})
        adapter = _WatchedAdapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.ca_bundle = ca_bundle
        self._trouble: dict[tuple[str, str, int], _Trouble] = {}
        self._trouble_lock = threading.Lock()
        self._large = _LargeBodies()

    def close(self) -> None:
        self.session.close()

    # -- one request, redirects and retries --------------------------------------------------------

    def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None, json_body: Any = None, data: bytes | None = None,
                credentials: Credentials | None = None, idempotent: bool | None = None,
                follow_redirects: bool = True, max_bytes: int | None = None,
                on_chunk: Callable[[bytes], None] | None = None, ca_bundle: str | None = None,
                record: Callable[[Exchange], None] | None = None, allow_busy: bool = False,
                decode: bool = True) -> Response:
        """Send one request (following redirects by hand) within the run's limits.

        ``decode=False`` asks for and keeps the bytes as stored (``Accept-Encoding: identity``, no
        inflation): what a DRS checksum or an htsget block's md5 is computed over.

        A 429, 502, 503 or 504 that persists through the retries raises :class:`ServiceBusy` (the
        harness cannot tell anything from it) unless ``allow_busy`` asks for the answer itself.
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
        visited: list[str] = []
        current_method, current_body, current_url = method, body, url
        while True:
            response = self._with_retries(current_method, current_url, extra, current_body, credentials,
                                          retryable, max_bytes, on_chunk, ca_bundle, visited, record,
                                          allow_busy, decode)
            location = response.headers.get("Location")
            if not follow_redirects or response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            target = urljoin(current_url, location)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ("http", "https"):
                raise TransportError(f"the server redirected to a non-http(s) URL "
                                     f"({self.redactor.url(target)[:200]})", response.exchange)
            refusal = _redirect_refusal(url, target)
            if refusal:
                raise TransportError(f"the server redirected to {self.redactor.url(target)[:200]}: {refusal}",
                                     response.exchange)
            if origin_of(target) != origin_of(current_url):
                keeps_body = response.status in (307, 308) and current_body is not None
                if keeps_body:
                    # A body may carry credentials (a passport, a token exchange): it never follows
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
                      allow_busy: bool, decode: bool = True) -> Response:
        origin = origin_of(url)
        self._check_breaker(origin, method, url)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, url, headers, body, credentials, max_bytes, on_chunk,
                                      ca_bundle, visited, record, decode)
            except HarnessError as exc:
                # A reset, or a kept-alive connection the server closed just as it was reused (the
                # classic race of persistent connections, RFC 9112 §9.3.1): worth one more try.
                # A TransportError comes before any body byte, so even a streamed request (whose chunks
                # went to a hash) is safe to repeat; a broken body is repeated only if nothing was streamed.
                before_body = isinstance(exc, TransportError) and (
                    "reset" in exc.message or "without answering" in exc.message)
                transient = before_body or (isinstance(exc, ResponseError) and exc.transient and on_chunk is None)
                if retryable and transient and attempt < MAX_ATTEMPTS:
                    time.sleep(min(0.5 * 2 ** (attempt - 1), max(0.0, self.limits.remaining())))
                    continue
                if transient or exc.limit == "request_timeout_seconds" or "no answer within" in exc.message:
                    self._trouble_seen(origin, exc.message, exc.limit)
                raise
            if response.status not in RETRY_STATUSES:
                self._trouble_cleared(origin)
                return response
            delay = retry_after(response.headers.get("Retry-After"))
            wait = 0.5 * 2 ** (attempt - 1) if delay is None else delay
            patient = wait <= MAX_RETRY_AFTER and wait < self.limits.remaining()
            if retryable and attempt < MAX_ATTEMPTS and patient:
                time.sleep(wait)
                continue
            if allow_busy:
                return response
            status = f"{response.status} {response.reason}".strip()
            if delay is not None and delay > MAX_RETRY_AFTER:
                # Waiting a day is not an option for a CI job, and asking again before then is rude.
                message = (f"the server answered {status} with Retry-After: {delay:.0f} s, longer than the "
                           f"harness waits ({MAX_RETRY_AFTER:g} s); not retried")
                self._trouble_seen(origin, message, None, blocked_for=delay)
            else:
                tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
                message = f"the server answered {status} to {tries}"
                self._trouble_seen(origin, message, None)
            raise ServiceBusy(message, response.exchange)

    # -- the per-origin breaker ------------------------------------------------------------------------

    def _check_breaker(self, origin: tuple[str, str, int], method: str, url: str) -> None:
        with self._trouble_lock:
            trouble = self._trouble.get(origin)
            if trouble is None:
                return
            now = time.monotonic()
            if trouble.blocked_until > now:
                reason = trouble.last
            elif trouble.count >= self.BREAKER_THRESHOLD:
                reason = f"{trouble.count} requests in a row failed, the last: {trouble.last}"
            else:
                return
        scheme, host, port = origin
        exchange = Exchange(method=method, url=self.redactor.url(url), error="not sent")
        error = HarnessError(f"not sent: the run stopped asking {scheme}://{host}:{port} ({reason})", exchange)
        error.limit = trouble.limit
        raise error

    def _trouble_seen(self, origin: tuple[str, str, int], message: str, limit: str | None,
                      blocked_for: float = 0.0) -> None:
        with self._trouble_lock:
            trouble = self._trouble.setdefault(origin, _Trouble())
            trouble.count += 1
            trouble.last = message
            trouble.limit = limit
            if blocked_for:
                trouble.blocked_until = time.monotonic() + blocked_for

    def _trouble_cleared(self, origin: tuple[str, str, int]) -> None:
        with self._trouble_lock:
            self._trouble.pop(origin, None)

    # -- one exchange ----------------------------------------------------------------------------------

    def _send(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
              credentials: Credentials | None, max_bytes: int | None,
              on_chunk: Callable[[bytes], None] | None, ca_bundle: str | None,
              visited: list[str], record: Callable[[Exchange], None] | None, decode: bool = True) -> Response:
        budget = self.limits.budget
        # A body kept in memory is capped by max_response_bytes; a streamed body (hashed, never kept)
        # may be allowed more by its caller, within the run's byte budget.
        if on_chunk is not None and max_bytes:
            cap = max_bytes
        else:
            cap = min(max_bytes or budget.max_response_bytes, budget.max_response_bytes)
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
        self._large.reclaim()
        self.limits.acquire()
        timeout = min(budget.request_timeout_seconds, max(0.5, self.limits.remaining()))
        started = time.monotonic()
        verify: bool | str = ca_bundle or self.ca_bundle or True
        watch = _Watch()
        # The socket timeout catches a silent server first; the watch, a little later, one that
        # keeps sending a byte at a time.
        timer = threading.Timer(timeout + WATCH_GRACE, watch.kill)
        timer.daemon = True
        _current.watch = watch
        timer.start()
        try:
            try:
                raw = self.session.request(method, url, headers=send_headers, data=body, stream=True,
                                           allow_redirects=False, timeout=(min(10.0, timeout), timeout),
                                           verify=verify)
            except requests.exceptions.RequestException as exc:
                exchange.elapsed = time.monotonic() - started
                if watch.fired:
                    exchange.error = (f"no complete answer within request_timeout_seconds={timeout:g} "
                                      "(the server sends its status line and headers too slowly)")
                    error = TransportError(exchange.error, exchange)
                    error.limit = "request_timeout_seconds"
                    self.limits.note("request_timeout_seconds")
                    raise error from None
                exchange.error = self.redactor.text(describe_transport_error(exc, timeout))
                raise TransportError(exchange.error, exchange) from None
            finally:
                _current.watch = None
            exchange.status = raw.status_code
            exchange.reason = raw.reason or ""
            exchange.response_headers = self.redactor.headers(dict(raw.headers))
            content = io.BytesIO()  # getvalue() hands over its buffer: no second copy of a large body
            kept = 0
            truncated = False
            try:
                for chunk in _read_chunks(raw, started, timeout, watch, decode):
                    self.limits.add_bytes(len(chunk))
                    exchange.body_bytes += len(chunk)
                    if on_chunk is not None:
                        on_chunk(chunk)
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
            except HarnessError as exc:
                exchange.elapsed = time.monotonic() - started
                exc.message = self.redactor.text(exc.message)
                exchange.error = exc.message
                exchange.body_bytes = max(exchange.body_bytes, 0)
                exchange.response_body = self._evidence(content.getbuffer()[:EVIDENCE_KEEP])
                exc.exchange = exc.exchange or exchange
                if exc.limit:
                    self.limits.note(exc.limit)
                raise
            finally:
                raw.close()
        finally:
            timer.cancel()
        exchange.elapsed = time.monotonic() - started
        exchange.truncated = truncated
        if truncated and not (on_chunk is not None and max_bytes):  # a streaming caller's own cap is no limit
            self.limits.note("max_response_bytes")
        data = content.getvalue()
        del content
        exchange.response_body = self._evidence(data[:EVIDENCE_KEEP])
        headers_ci: CaseInsensitiveDict[str] = CaseInsensitiveDict(dict(raw.headers))
        response = Response(raw.status_code, raw.reason or "", headers_ci, data, url, exchange, truncated, cap)
        self._large.track(response)
        return response

    def _evidence(self, head: bytes | memoryview) -> str:
        return self.redactor.text(bytes(head).decode("utf-8", "replace"))[:EVIDENCE_BODY_CHARS]


def _read_chunks(raw: requests.Response, started: float, timeout: float, watch: _Watch,
                 decode: bool = True) -> Iterator[bytes]:
    """The decoded body in chunks, within the request's wall clock.

    ``read1`` returns whatever has arrived, so a server trickling one byte a second is caught by the
    clock (and by ``watch``, which shuts the socket when a read would outlast it); urllib3 2.x inflates
    at most ``CHUNK`` bytes per call, so a gzip bomb costs one small chunk at a time.
    """
    stream = raw.raw
    expected = _content_length(raw)
    while True:
        try:
            chunk = stream.read1(CHUNK, decode_content=decode)
        except Exception as exc:  # urllib3 and http.client raise several unrelated types for a broken body
            if not watch.fired and _is_timeout(exc):
                raise BudgetExceeded(f"the server sent its headers, then nothing of its body for "
                                     f"{timeout:g} s (request_timeout_seconds)", "request_timeout_seconds") from None
            if watch.fired or time.monotonic() - started > timeout:
                raise _too_slow(timeout) from None
            raise _body_error(exc, timeout, stream, expected) from None
        if not chunk:
            if watch.fired:
                raise _too_slow(timeout)
            return
        yield chunk
        if time.monotonic() - started > timeout:
            raise _too_slow(timeout)


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, (socket.timeout, TimeoutError, urllib3.exceptions.ReadTimeoutError,
                            requests.exceptions.Timeout)) or "read timed out" in str(exc).lower()


def _too_slow(timeout: float) -> BudgetExceeded:
    return BudgetExceeded(f"response body not complete within request_timeout_seconds={timeout:g} "
                          "(the server sends its body too slowly)", "request_timeout_seconds")


def _content_length(raw: requests.Response) -> int | None:
    value = raw.headers.get("Content-Length", "")
    return int(value) if value.strip().isdigit() else None


def _body_error(exc: BaseException, timeout: float, stream: Any, expected: int | None) -> ResponseError:
    """What went wrong while reading a body that had begun, in one line."""
    text = f"{type(exc).__name__}: {exc}".lower()
    received = getattr(stream, "_fp_bytes_read", None)
    if "read timed out" in text or isinstance(exc, (socket.timeout, TimeoutError)) or "timeout" in text:
        return ResponseError(f"the server stopped sending its body (nothing for {timeout:g} s)")
    if "reset by peer" in text or "connectionreset" in text:
        return ResponseError("the server reset the connection in the middle of the body", transient=True)
    if "decod" in text or "gzip" in text or "zlib" in text or "brotli" in text or "zstd" in text:
        encoding = stream.headers.get("Content-Encoding", "?") if hasattr(stream, "headers") else "?"
        return ResponseError(f"the body could not be decoded as its Content-Encoding ({encoding}) says")
    if any(word in text for word in ("incomplete", "connection broken", "prematurely")):
        if expected is not None and received is not None:
            return ResponseError(f"the server closed the connection after {received} of the {expected} bytes "
                                 "its Content-Length announced")
        return ResponseError("the server closed the connection before the body was complete")
    return ResponseError(f"the body could not be read ({type(exc).__name__})")


def describe_transport_error(exc: BaseException, timeout: float) -> str:
    """One line naming what the server (or the network) did."""
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    if isinstance(exc, requests.exceptions.SSLError) or "certificate" in lowered or "ssl" in lowered:
        if "certificate verify failed" in lowered or "self-signed" in lowered or "self signed" in lowered:
            return ("TLS certificate not trusted (self-signed or unknown CA); name the CA file with "
                    "ca_bundle: in the profile")
        if "hostname mismatch" in lowered or "doesn't match" in lowered:
            return "TLS certificate does not name this host"
        return f"TLS handshake failed ({exc.__class__.__name__})"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connection not accepted within {min(10.0, timeout):g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout) or "read timed out" in lowered:
        return f"no answer within request_timeout_seconds={timeout:g} (the server accepted the connection)"
    if "connection refused" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered or \
            "failed to resolve" in lowered or "temporary failure in name resolution" in lowered:
        return "host name does not resolve"
    if "reset by peer" in lowered or "connectionreseterror" in lowered:
        return "connection reset by the server"
    if "incompleteread" in lowered or "connection broken" in lowered or "prematurely" in lowered:
        return "the server closed the connection before the body was complete (Content-Length mismatch?)"
    if "remotedisconnected" in lowered or "without response" in lowered:
        return "the server closed the connection without answering"
    if "badstatusline" in lowered or "line too long" in lowered or "got more than" in lowered:
        return "the server's answer is not HTTP (a malformed status line or headers)"
    if "decod" in lowered or "gzip" in lowered or "zlib" in lowered:
        return "the body could not be decoded as its Content-Encoding says"
    if isinstance(exc, requests.exceptions.InvalidURL):
        return f"invalid URL ({exc})"
    return text.splitlines()[0][:200]


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


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
        kwargs.setdefault("ca_bundle", self.service.ca_bundle)
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

    def stream(self, url: str, on_chunk: Callable[[bytes], None], **kwargs: Any) -> Response:
        """GET ``url`` passing each body chunk to ``on_chunk`` without keeping it (constant memory)."""
        return self.request(kwargs.pop("method", "GET"), url, on_chunk=on_chunk, **kwargs)

    @property
    def last(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None
