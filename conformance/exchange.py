"""One request and its answer, as evidence: the leaf every other module may import."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any


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
