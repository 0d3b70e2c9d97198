"""The one HTTP client through which checks talk to servers.

It bounds everything the harness does to a production system: connect and read timeouts and a
per-request wall clock, a request budget and a rate limit for the run, a cap on the bytes of one
response (enforced while streaming) and of the whole run, retries only for idempotent requests and
transient failures, redirects followed by hand so that credentials never follow to another origin,
and every exchange recorded, redacted, as evidence.
"""

from __future__ import annotations

import email.utils
import json
import shlex
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from conformance import __version__
from conformance.errors import BudgetExceeded, CheckFailure, HarnessError, TransportError
from conformance.profile import Budget, Service
from conformance.redact import Redactor

USER_AGENT = f"ga4gh-conformance/{__version__} (read-only conformance checks)"
EVIDENCE_BODY_CHARS = 4000
MAX_REDIRECTS = 5
MAX_ATTEMPTS = 3
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
#: The longest Retry-After the client honours; a longer one is reported instead of waited for.
MAX_RETRY_AFTER = 30.0
CHUNK = 16 * 1024


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

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON.

        A body cut at the size cap is an error (the harness could not read it all); a body that is
        not JSON is a failure of the check that expected JSON, except on a 5xx answer, where the
        server could not answer at all and the harness cannot tell.
        """
        if self.truncated:
            raise BudgetExceeded(f"response body exceeds max_response_bytes ({self._limit_bytes} bytes); "
                                 f"not parsed", "max_response_bytes", self.exchange)
        try:
            return json.loads(self.content.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problem = f"the body is not valid UTF-8 (byte {exc.start})"
        except RecursionError:
            problem = "the JSON body is nested too deeply to parse"
        except ValueError as exc:
            kind = self.content_type or "no Content-Type"
            snippet = self.text[:60].replace("\n", " ")
            problem = f"the body is not JSON ({kind}: {snippet!r}; {exc})"
        if self.status >= 500:
            raise HarnessError(f"server error {self.status} and {problem}", self.exchange)
        raise CheckFailure(f"{self.exchange.method} {self.exchange.url} answered {self.status}, but {problem}",
                           self.exchange)


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


def origin_of(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def credentials_for(service: Service, redactor: Redactor) -> Credentials | None:
    """The credentials of ``service`` from the environment, registered with the redactor."""
    headers: dict[str, str] = {}
    token = service.auth.secret("bearer_token_env")
    user = service.auth.secret("basic_username_env")
    password = service.auth.secret("basic_password_env")
    for secret in (service.auth.secret(k) for k in service.auth.keys()):
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


class HttpClient:
    """Sends requests within the run's limits. One per run; checks use a :class:`ServiceClient`."""

    def __init__(self, limits: RunLimits, redactor: Redactor, *, ca_bundle: str | None = None) -> None:
        self.limits = limits
        self.redactor = redactor
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc credentials picked up behind our back
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})
        self.ca_bundle = ca_bundle

    def close(self) -> None:
        self.session.close()

    # -- one request, redirects and retries --------------------------------------------------------

    def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None, json_body: Any = None, data: bytes | None = None,
                credentials: Credentials | None = None, idempotent: bool | None = None,
                follow_redirects: bool = True, max_bytes: int | None = None,
                on_chunk: Callable[[bytes], None] | None = None, ca_bundle: str | None = None,
                record: Callable[[Exchange], None] | None = None) -> Response:
        method = method.upper()
        if params:
            url = f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params, doseq=True)}"
        body = data
        extra = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            extra.setdefault("Content-Type", "application/json")
        retryable = method in IDEMPOTENT if idempotent is None else idempotent
        visited: list[str] = []
        current_method, current_body, current_url = method, body, url
        while True:
            response = self._with_retries(current_method, current_url, extra, current_body, credentials,
                                          retryable, max_bytes, on_chunk, ca_bundle, visited, record)
            location = response.headers.get("Location")
            if not follow_redirects or response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            target = urljoin(current_url, location)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ("http", "https"):
                raise TransportError(f"redirected to a non-http(s) URL ({self.redactor.url(target)})",
                                     response.exchange)
            visited.append(self.redactor.url(current_url))
            if len(visited) > MAX_REDIRECTS or target in (url, *visited):
                what = "redirect loop" if target in (url, *visited) else f"more than {MAX_REDIRECTS} redirects"
                raise TransportError(f"{what} starting at {self.redactor.url(url)}", response.exchange)
            if response.status == 303 or (response.status in (301, 302) and current_method == "POST"):
                current_method, current_body = "GET", None
                extra.pop("Content-Type", None)
            current_url = target

    def _with_retries(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                      credentials: Credentials | None, retryable: bool, max_bytes: int | None,
                      on_chunk: Callable[[bytes], None] | None, ca_bundle: str | None,
                      visited: list[str], record: Callable[[Exchange], None] | None) -> Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, url, headers, body, credentials, max_bytes, on_chunk,
                                      ca_bundle, visited, record)
            except TransportError as exc:
                transient = "reset" in exc.message or "closed the connection" in exc.message
                if retryable and transient and attempt < MAX_ATTEMPTS and on_chunk is None:
                    time.sleep(min(0.5 * 2 ** (attempt - 1), max(0.0, self.limits.remaining())))
                    continue
                raise
            if not (retryable and response.status in RETRY_STATUSES and attempt < MAX_ATTEMPTS):
                return response
            delay = retry_after(response.headers.get("Retry-After"))
            if delay is None:
                delay = 0.5 * 2 ** (attempt - 1)
            if delay > MAX_RETRY_AFTER or delay >= self.limits.remaining():
                # Waiting a day is not an option for a CI job: report the answer as it is.
                return response
            time.sleep(delay)

    def _send(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
              credentials: Credentials | None, max_bytes: int | None,
              on_chunk: Callable[[bytes], None] | None, ca_bundle: str | None,
              visited: list[str], record: Callable[[Exchange], None] | None) -> Response:
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
        self.limits.acquire()
        timeout = min(budget.request_timeout_seconds, max(0.5, self.limits.remaining()))
        started = time.monotonic()
        verify: bool | str = ca_bundle or self.ca_bundle or True
        try:
            raw = self.session.request(method, url, headers=send_headers, data=body, stream=True,
                                       allow_redirects=False, timeout=(min(10.0, timeout), timeout),
                                       verify=verify)
        except requests.exceptions.RequestException as exc:
            exchange.elapsed = time.monotonic() - started
            exchange.error = describe_transport_error(exc, timeout)
            raise TransportError(exchange.error, exchange) from None
        exchange.status = raw.status_code
        exchange.reason = raw.reason or ""
        exchange.response_headers = self.redactor.headers(dict(raw.headers))
        content = bytearray()
        truncated = False
        try:
            for chunk in _read_chunks(raw, started, timeout):
                self.limits.add_bytes(len(chunk))
                exchange.body_bytes += len(chunk)
                if on_chunk is not None:
                    on_chunk(chunk)
                    if len(content) < EVIDENCE_BODY_CHARS:
                        content.extend(chunk[: EVIDENCE_BODY_CHARS - len(content)])
                    if exchange.body_bytes > cap:
                        truncated = True
                        break
                    continue
                room = cap - len(content)
                if len(chunk) > room:
                    content.extend(chunk[:room])
                    truncated = True
                    break
                content.extend(chunk)
        except HarnessError as exc:
            exchange.elapsed = time.monotonic() - started
            exchange.error = exc.message
            exc.exchange = exc.exchange or exchange
            raise
        finally:
            raw.close()
        exchange.elapsed = time.monotonic() - started
        exchange.truncated = truncated
        if truncated:
            self.limits.note("max_response_bytes")
        exchange.response_body = self.redactor.text(bytes(content[:EVIDENCE_BODY_CHARS]).decode("utf-8", "replace"))
        headers_ci: CaseInsensitiveDict[str] = CaseInsensitiveDict(dict(raw.headers))
        return Response(raw.status_code, raw.reason or "", headers_ci, bytes(content), url, exchange, truncated,
                        cap)


def _read_chunks(raw: requests.Response, started: float, timeout: float) -> Iterator[bytes]:
    """The decoded body in chunks, with a wall clock over the whole body.

    ``read1`` returns whatever has arrived, so a server trickling one byte a second is caught by the
    clock instead of holding a read open; a gzip bomb inflates at most one small chunk at a time.
    """
    stream = raw.raw
    while True:
        try:
            chunk = stream.read1(CHUNK, decode_content=True)
        except Exception as exc:  # urllib3 raises several unrelated types for a broken body
            raise TransportError(describe_transport_error(exc, timeout)) from None
        if not chunk:
            return
        yield chunk
        if time.monotonic() - started > timeout:
            raise BudgetExceeded(f"response not complete within request_timeout_seconds={timeout:g} "
                                 "(the server sends its body too slowly)", "request_timeout_seconds")


def describe_transport_error(exc: BaseException, timeout: float) -> str:
    """One line naming what the server (or the network) did."""
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    if isinstance(exc, requests.exceptions.SSLError) or "certificate" in lowered or "ssl" in lowered:
        if "certificate verify failed" in lowered or "self-signed" in lowered or "self signed" in lowered:
            return ("TLS certificate not trusted (self-signed or unknown CA); name the CA file with "
                    "ca_bundle: in the profile")
        return f"TLS handshake failed ({exc.__class__.__name__})"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connection not accepted within {min(10.0, timeout):g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout) or "read timed out" in lowered:
        return f"no answer within request_timeout_seconds={timeout:g}"
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
