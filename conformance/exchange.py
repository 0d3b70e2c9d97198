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
    #: sha-256 of the body as received (of its first ``body_bytes`` when cut), or None if not read.
    body_sha256: str | None = None
    #: The body is not text: ``response_body`` summarises it (size, type, digest, hex preview).
    binary: bool = False
    #: For bytes checked against a document (an object's checksums, a ticket's digest): the
    #: exchanges that brought the documents leading to them, latest first, shown beside the bytes.
    claims: list[Exchange] = field(default_factory=list, repr=False, compare=False)

    def header(self, name: str) -> str:
        """A response header, whatever case the server wrote its name in ("" if absent)."""
        lowered = name.lower()
        return next((v for k, v in self.response_headers.items() if k.lower() == lowered), "")

    def curl(self) -> str:
        """A ``curl`` command that repeats the request (credentials already redacted)."""
        # A binary body goes to a file, headers to the terminal (issue 21 item 9).
        parts = ["curl", "-sS", "-D", "-", "-o", "response.bin"] if self.binary else ["curl", "-sS", "-i"]
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
            "body_sha256": self.body_sha256,
            "binary": self.binary,
        }


#: Content types whose bodies are text whatever bytes they hold (shown decoded, redacted).
_TEXT_TYPES = ("json", "xml", "javascript", "yaml", "x-www-form-urlencoded", "html", "csv")
PREVIEW_BYTES = 32


def is_binary(content_type: str, head: bytes) -> bool:
    """Whether a body is better described than shown: not a text type, and not UTF-8 text (a NUL byte
    or an invalid sequence in its first bytes; a multi-byte character cut at the end does not count)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.startswith("text/") or any(word in kind for word in _TEXT_TYPES):
        return False
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start < len(head) - 3 or exc.reason != "unexpected end of data"
    return False


def binary_summary(size: int, content_type: str, sha256: str | None, head: bytes, truncated: bool = False) -> str:
    """One line standing for a binary body in evidence: size, content type, digest, a short hex preview."""
    kind = content_type.strip() or "no Content-Type"
    cut = ", cut at the size cap" if truncated else ""
    digest = f"sha256 {sha256}" if sha256 else "sha256 not computed"
    preview = head[:PREVIEW_BYTES].hex(" ")
    shown = min(len(head), PREVIEW_BYTES)
    return f"[binary body: {size:,} bytes{cut}, {kind}, {digest}; first {shown} bytes: {preview}]"
