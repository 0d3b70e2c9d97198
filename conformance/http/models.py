"""What a request gives back: a finished :class:`Response` whose body is cut at the size cap."""

from __future__ import annotations

import json
import re
from typing import Any

from requests.structures import CaseInsensitiveDict

from conformance.errors import BudgetExceeded, CheckFailure, HarnessError
from conformance.exchange import Exchange

__all__ = ["Exchange", "Response", "nesting_exceeds"]

#: The deepest JSON nesting parsed (RFC 8259 §9 lets a parser limit it); checked before parsing, so
#: that no document reaches the parser's recursion limit.
MAX_DEPTH = 512
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nesting_exceeds(data: bytes, limit: int) -> bool:
    """Whether a JSON text nests arrays and objects deeper than ``limit``: a pre-scan that costs two
    byte counts for an ordinary document and a scan of its brackets only for one with many."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


class Response:
    """A finished answer: status, headers and the body, cut at the response-size cap."""

    def __init__(self, status: int, reason: str, headers: CaseInsensitiveDict[str], content: bytes,
                 url: str, exchange: Exchange, truncated: bool, limit_bytes: int,
                 limit_name: str | None = "max_response_bytes") -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content
        self.url = url
        self.exchange = exchange
        self.truncated = truncated
        self._limit_bytes = limit_bytes
        #: The budget key of the cap the body was read under (max_document_bytes or max_response_bytes), or None
        #: for a cap of the caller's own below them (a check reading the head of an answer): no limit of the run.
        self.limit_name = limit_name

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def cut_reason(self) -> str:
        """What the server did that made the body exceed the response-size cap, in a few words."""
        limit = f"{self.limit_name}={self._limit_bytes}" if self.limit_name else None
        # a caller's own cap is named as such: the budget key it is below was not reached
        own = f"the {self._limit_bytes:,} bytes the harness reads of this answer"
        declared = self.headers.get("Content-Length", "").strip()
        encoding = self.headers.get("Content-Encoding", "").strip().lower()
        if encoding and encoding != "identity":
            return f"the server's {encoding}-encoded body inflates to more than {f'{limit} bytes' if limit else own}"
        if declared.isdigit() and int(declared) > self._limit_bytes:
            return f"the server announced a body of {int(declared):,} bytes (Content-Length), more than {limit or own}"
        return f"the server sent more than {f'{limit} bytes' if limit else own} without ending its body"

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
            if self.limit_name is None:
                raise HarnessError(f"{self.cut_reason()}; not parsed", self.exchange)
            raise BudgetExceeded(f"{self.cut_reason()}; not parsed", self.limit_name, self.exchange)
        if nesting_exceeds(self.content, MAX_DEPTH):
            raise HarnessError(f"{self.exchange.method} {self.exchange.url} answered JSON nested too deeply "
                               f"to parse (deeper than {MAX_DEPTH} levels)", self.exchange)
        try:
            return json.loads(self.content.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problem = f"the body is not valid UTF-8 (byte {exc.start})"
        except RecursionError:
            raise HarnessError(f"{self.exchange.method} {self.exchange.url} answered JSON nested too deeply "
                               "to parse", self.exchange) from None
        except ValueError as exc:
            if "exceeds the limit" in str(exc).lower():  # a number of thousands of digits (RFC 8259 §9)
                raise HarnessError(f"{self.exchange.method} {self.exchange.url} answered JSON with a number too "
                                   "long to parse (over 4300 digits)", self.exchange) from None
            kind = self.content_type or "no Content-Type"
            snippet = self.exchange.response_body[:60].replace("\n", " ")  # already redacted
            problem = f"the body is not JSON ({kind}: {snippet!r}; {str(exc)[:80]})"
            declared = self.headers.get("Content-Length", "")
            ends_early = isinstance(exc, json.JSONDecodeError) and (
                exc.msg.startswith("Unterminated") or exc.pos >= len(self.content.rstrip()))
            if ends_early and declared.strip() == str(len(self.content)) and self.content:
                problem = (f"the JSON document breaks off at the end of the {declared} bytes its "
                           "Content-Length announced")
        if self.status >= 500:
            raise HarnessError(f"server error {self.status} and {problem}", self.exchange)
        raise CheckFailure(f"{self.exchange.method} {self.exchange.url} answered {self.status}, "
                           f"but {problem}", self.exchange)

