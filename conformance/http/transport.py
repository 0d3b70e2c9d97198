"""The transport under the client: requests' session with connection pools that tell a per-request
watch which socket to shut and judge the address each connection reached, the body read in bounded chunks
within the request's wall clock, and one line naming what a server or the network did wrong.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import math
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters
import urllib3
import urllib3.connection

from conformance.errors import BudgetExceeded, ResponseError
from conformance.http.models import Response
from conformance.http.redirects import moved_to_special, note_declared

#: Whether the client asks the kernel to acknowledge a response's first segments at once (see
#: :func:`_quick_ack`); a benchmark turns it off to measure the stall it removes.
QUICKACK = True
CHUNK = 256 * 1024
#: How long after request_timeout_seconds the per-request watch shuts a socket that is still busy.
WATCH_GRACE = 0.25


class Watch:
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


class Deadline:
    """One pending action of the :class:`Watchdog`; :meth:`cancel` before it is due and it never runs."""

    __slots__ = ("action", "cancelled")

    def __init__(self, action: Callable[[], None]) -> None:
        self.action = action
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        self.action = _nothing  # what the action holds (a connection) is not kept while the deadline waits


def _nothing() -> None:
    pass


class Watchdog:
    """One daemon thread that runs every request's watch when it is due (a ``threading.Timer`` started a thread
    per request: about a tenth of the main thread's time in a run of a few thousand requests). A process
    forked from one that used it starts its own thread on first use."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._ready = threading.Condition()
        self._due: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        #: When the thread wakes next on its own (infinity: it waits to be told). A deadline due later needs no
        #: wake-up: the thread looks at the heap again then.
        self._wakes_at = math.inf

    def after(self, seconds: float, action: Callable[[], None]) -> Deadline:
        """Run ``action`` in ``seconds`` unless the returned :class:`Deadline` is cancelled first.

        The thread is woken only for a deadline due before it would wake anyway: requests with one timeout
        each add a deadline later than the one it waits for, and waking it for every request cost the
        requesting thread a switch to it and back. The deadlines the requests cancelled are dropped here from
        the heap's top, as the thread drops them: the heap holds at most the deadlines made within one timeout,
        as before, and a cancelled one keeps nothing its action held (a connection)."""
        if self._pid != os.getpid():
            self._reset()  # a forked process: the parent's thread (and the lock's state) are not ours
        deadline = Deadline(action)
        due = time.monotonic() + seconds
        with self._ready:
            while self._due and self._due[0][2].cancelled:
                heapq.heappop(self._due)
            heapq.heappush(self._due, (due, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="conformance-watchdog", daemon=True)
                self._thread.start()
            elif due < self._wakes_at:
                self._wakes_at = due  # the thread, woken, waits anew for the earliest deadline
                self._ready.notify()
        return deadline

    def _serve(self) -> None:
        while True:
            with self._ready:
                while self._due and self._due[0][2].cancelled:
                    heapq.heappop(self._due)
                if not self._due:
                    self._wakes_at = math.inf
                    self._ready.wait()
                    continue
                at, _, deadline = self._due[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._wakes_at = at
                    self._ready.wait(wait)
                    continue
                heapq.heappop(self._due)
            if not deadline.cancelled:
                try:
                    deadline.action()
                except Exception:  # a watch that cannot shut its socket leaves it to the socket timeout
                    pass


#: The run's watchdog: every request's :class:`Watch` is set on it.
WATCHDOG = Watchdog()

current = threading.local()
#: The running request, as the client sets it around each one: ``current.watch``, its :class:`Watch`, and, for
#: a request off its service's origin (a URL a server gave, a redirect), ``current.judge``: why a connection
#: that reached a given address may not carry the request, or None. The connections of a request without a
#: judge (to a declared origin) are remembered instead (:func:`~conformance.http.redirects.note_declared`).


class AddressRefused(Exception):
    """A connection not used for the request: the address it reached, and why (no OSError, so that urllib3 and
    requests pass it on untouched)."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address}: {reason}")
        self.address = address
        self.reason = reason


def _note_connection(conn: Any) -> Any:
    watch = getattr(current, "watch", None)
    if watch is not None:
        watch.conn = conn
    return conn


def _peer_address(sock: socket.socket) -> str | None:
    """The address a connected socket reached (an IPv6 scope left out), or None where it has none."""
    try:
        return str(sock.getpeername()[0]).split("%", 1)[0]
    except (OSError, IndexError, TypeError):
        return None


def _judged(conn: Any, sock: socket.socket) -> socket.socket:
    """A new connection's socket, once the address it reached may carry the running request: judged (before
    anything is sent on it, TLS included), or remembered for a declared origin. A refused one is closed. A
    connection to the profile's proxy reaches the proxy: its request was judged by its URL (the client)."""
    if getattr(conn, "proxy", None) is not None:
        return sock
    address = _peer_address(sock)
    conn.conformance_peer = address
    judge = getattr(current, "judge", None)
    if judge is None:
        if address is not None:
            moved = moved_to_special(conn.host, address)
            if moved is not None:
                sock.close()
                raise AddressRefused(address, moved)
            note_declared(conn.host, address)
        return sock
    reason = judge(address) if address is not None else "the address it reached could not be read"
    if reason is not None:
        sock.close()
        raise AddressRefused(address or "?", reason)
    return sock


def _reusable(conn: Any) -> Any:
    """A pooled connection for the running request: one whose address the request's judge refuses (made for
    another request) is closed, so that the request connects anew and that connection is judged."""
    judge = getattr(current, "judge", None)
    if judge is not None and conn is not None and getattr(conn, "sock", None) is not None \
            and getattr(conn, "proxy", None) is None:
        address = getattr(conn, "conformance_peer", None)
        if address is None or judge(address) is not None:
            conn.close()
    return conn


def _quick_ack(conn: Any) -> None:
    """Ask the kernel to acknowledge at once what arrives next on ``conn`` (Linux ``TCP_QUICKACK``).

    A server built on Python's ``http.server`` writes an answer's headers and its body in separate
    ``send`` calls with Nagle's algorithm on: the body waits until the headers are acknowledged, and a
    Linux client delays that ACK (up to 40 ms) on a connection it reuses, so every request after the
    first of a keep-alive connection stalls about 40 ms. The client's own TCP_NODELAY (urllib3 sets it)
    cannot help, since the held segment is the server's. Quick-ACK mode is not sticky (the kernel
    leaves it as soon as the exchange looks interactive, i.e. when the request is sent), so it is set
    after each request went out and before its answer is read."""
    if not QUICKACK or _TCP_QUICKACK is None:
        return
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, _TCP_QUICKACK, 1)
    except (OSError, TypeError, AttributeError):  # a TLS or wrapped socket that refuses it: only slower
        pass


_TCP_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


class _QuickAckHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _judged(self, super()._new_conn())

    def getresponse(self) -> Any:
        _quick_ack(self)
        return super().getresponse()


class _QuickAckHTTPSConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _judged(self, super()._new_conn())

    def getresponse(self) -> Any:
        _quick_ack(self)
        return super().getresponse()


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _QuickAckHTTPConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        return _note_connection(_reusable(super()._get_conn(timeout)))


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _QuickAckHTTPSConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        return _note_connection(_reusable(super()._get_conn(timeout)))


class WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter whose connection pools tell the running request's :class:`Watch` which
    connection it uses, and use a connection only where the request's judge allows the address it reached."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """The pools through the profile's proxy are watched alike (the wall clock of each request, the
        acknowledgements): to the proxy for an http URL, a tunnel through it for an https one."""
        fresh = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if fresh:
            manager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
            manager.key_fn_by_scheme = dict(manager.key_fn_by_scheme)
        return manager


class LargeBodies:
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


try:
    PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover - not a POSIX system
    PAGE = 4096


def resident_mb() -> float | None:
    """The resident memory of this process in MB (``/proc/self/statm``), or None where there is none."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * PAGE / (1024 * 1024)


#: How often, in bytes of one body, :func:`check_memory` runs: reading ``/proc/self/statm`` costs a
#: few microseconds.
MEMORY_EVERY = 1024 * 1024


def check_memory(limit_mb: float, base_mb: float = 0.0) -> None:
    """The run's memory budget (``max_memory_mb``), checked as bodies arrive: an exchange that would take
    the run past it stops with an error naming the cause, and the run goes on. The budget counts what
    the run adds to the resident memory the process held when its client was made (``base_mb``: the
    harness's code and libraries, about 100 MB for ``conformance run``; in plugin mode or a test
    session, whatever else that process holds), so it is the same budget wherever the run is hosted."""
    used = resident_mb()
    if used is None or used - base_mb <= limit_mb:
        return
    gc.collect()  # garbage first (a check's traceback may hold a body): only what lives counts
    used = resident_mb()
    if used is not None and used - base_mb > limit_mb:
        raise BudgetExceeded(f"the run's memory grew by {used - base_mb:.0f} MB (to {used:.0f} MB) while reading "
                             f"this body, over max_memory_mb={limit_mb:g}; the exchange was stopped",
                             "max_memory_mb")


def read_chunks(raw: requests.Response, started: float, timeout: float, watch: Watch,
                 decode: bool = True, named: Allowed | None = None) -> Iterator[bytes]:
    """The decoded body in chunks, within the request's wall clock.

    ``read1`` returns whatever has arrived, so a server trickling one byte a second is caught by the
    clock (and by ``watch``, which shuts the socket when a read would outlast it); urllib3 2.x inflates
    at most ``CHUNK`` bytes per call, so a gzip bomb costs one small chunk at a time.
    """
    stream = raw.raw
    expected = _content_length(raw)
    received = 0  # decoded bytes handed over
    while True:
        try:
            chunk = stream.read1(CHUNK, decode_content=decode)
        except Exception as exc:  # urllib3 and http.client raise several unrelated types for a broken body
            if not watch.fired and _is_timeout(exc):
                given = named or _configured(timeout)
                raise BudgetExceeded(f"the server sent its headers, then nothing of its body within {given.words}",
                                     given.limit) from None
            if watch.fired or time.monotonic() - started > timeout:
                raise _too_slow(timeout, named, _sent(stream, received, expected)) from None
            raise _body_error(exc, timeout, stream, expected) from None
        if not chunk:
            if watch.fired:
                raise _too_slow(timeout, named, _sent(stream, received, expected))
            return
        received += len(chunk)
        yield chunk
        if time.monotonic() - started > timeout:
            raise _too_slow(timeout, named, _sent(stream, received, expected))


def _sent(stream: Any, received: int, expected: int | None) -> str:
    """What a body cut off by the clock had brought, in a few words: a server trickling the bytes its
    Content-Length announced sends too slowly; one that announced none may as well never end its body (an
    endless stream, a gzip bomb), which is all the harness can tell of it."""
    wire = getattr(stream, "_fp_bytes_read", None)
    wire = wire if isinstance(wire, int) and wire > 0 else received
    if expected is not None and wire < expected:
        return (f"the server sent {wire:,} of the {expected:,} bytes its Content-Length announced: it sends its "
                "body too slowly")
    if wire == 0:
        return "the server had sent nothing of its body"
    inflated = f", inflating to {received:,}," if received > wire else ""
    return f"the server had sent {wire:,} byte{'s' if wire != 1 else ''}{inflated} without ending its body"


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, (socket.timeout, TimeoutError, urllib3.exceptions.ReadTimeoutError,
                            requests.exceptions.Timeout)) or "read timed out" in str(exc).lower()


@dataclass(frozen=True)
class Allowed:
    """The time a request was given, as messages name it, and the setting that bounded it."""

    words: str
    limit: str


def allowed(timeout: float, configured: float, max_seconds: float) -> Allowed:
    """``request_timeout_seconds``, or what remained of the run's ``max_seconds`` when that was less: a
    message naming the other setting sent one looking at it."""
    if timeout < configured:
        return Allowed(f"{timeout:.1f} s (what remained of max_seconds={max_seconds:g})", "max_seconds")
    return _configured(timeout)


def _configured(timeout: float) -> Allowed:
    return Allowed(f"request_timeout_seconds={timeout:g}", "request_timeout_seconds")


def _too_slow(timeout: float, named: Allowed | None = None, sent: str = "the server sends its body too slowly"
              ) -> BudgetExceeded:
    given = named or _configured(timeout)
    return BudgetExceeded(f"response body not complete within {given.words} ({sent})", given.limit)


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


def describe_transport_error(exc: BaseException, timeout: float, named: Allowed | None = None) -> str:
    """One line naming what the server (or the network) did (``named``: the time it was given, as
    :func:`allowed` says it)."""
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    # The exception's kind, not a word anywhere in the message (which holds the host name and path).
    tls = isinstance(exc, requests.exceptions.SSLError) or any(
        word in lowered for word in ("sslerror", "certificate verify failed", "[ssl", "ssl:"))
    if tls:
        if "hostname mismatch" in lowered or "doesn't match" in lowered or "not valid for" in lowered:
            return "TLS certificate does not name this host"
        if "certificate verify failed" in lowered or "self-signed" in lowered or "self signed" in lowered:
            return ("TLS certificate not trusted (self-signed or unknown CA); name the CA file with "
                    "ca_bundle: in the profile")
        return f"TLS handshake failed ({exc.__class__.__name__})"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connection not accepted within {min(10.0, timeout):g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout) or "read timed out" in lowered:
        given = named or _configured(timeout)
        return f"no answer within {given.words} (the server accepted the connection)"
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
