"""The bounds of one run (the profile's ``budget:``, DESIGN §3): a leaf module the client, the
profile parser and the command line all read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Budget:
    """Bounds of one run. The defaults suit a production endpoint."""

    max_seconds: float = 900
    request_timeout_seconds: float = 30
    max_requests: int = 2000
    requests_per_second: float = 50
    max_response_bytes: int = 100 * 1024 * 1024
    max_run_bytes: int = 2 * 1024 * 1024 * 1024
    max_examples: int = 25
    #: The cap of a document held in memory to be parsed (JSON and other non-byte-stream bodies);
    #: byte streams are hashed as they arrive and never held (issue 23).
    max_document_bytes: int = 8 * 1024 * 1024
    #: The resident memory of the whole run; an exchange that would grow it past this stops with an
    #: error naming the cause, and the run goes on (issue 23).
    max_memory_mb: int = 300
    #: Requests to one service in flight at once, where a suite fetches side by side the answers several
    #: checks need (:meth:`conformance.view.ServiceView.prefetch`); 1, the default: one request at a time.
    #: Opt-in (issue 20): a server that answers one request at a time can time out on requests queued side by
    #: side, and one that prepares answers in turn (202 Accepted) can answer differently, which one at a
    #: time it would not.
    concurrent_requests: int = 1

    #: Keys with a ceiling: more requests in flight at once would press a production server, not check it.
    MAXIMA: ClassVar[dict[str, int]] = {"concurrent_requests": 16}

    @classmethod
    def fields(cls) -> dict[str, type]:
        return {"max_seconds": float, "request_timeout_seconds": float, "max_requests": int,
                "requests_per_second": float, "max_response_bytes": int, "max_run_bytes": int,
                "max_examples": int, "max_document_bytes": int, "max_memory_mb": int, "concurrent_requests": int}
