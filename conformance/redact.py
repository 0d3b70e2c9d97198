"""Redaction: no credential reaches a report, a log or the console.

Two layers. Every secret the profile points at (through an environment variable) is registered and
replaced wherever it appears, also URL-encoded. Patterns catch what no profile named: Authorization
and cookie headers, bearer tokens, JWTs (passports and visas are JWTs), userinfo in URLs, credential
query parameters, PEM private keys and private JWK members.

A pattern never swallows a quote or a backslash, so that redacting a JSON (or HTML, or XML) report
in place leaves it valid: an escaped quote (``\\"``) ends a value as a plain one does.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"

SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie",
                               "x-api-key", "x-auth-token", "x-amz-security-token"})
SENSITIVE_PARAMS = ("access_token", "id_token", "refresh_token", "token", "passport", "passports",
                    "password", "passwd", "client_secret", "secret", "api_key", "apikey", "code",
                    "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "sig")

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # a JWT: three base64url parts, the first of which decodes to a JSON object ('{"' → 'eyJ')
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"), "[REDACTED-JWT]"),
    (re.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=-]{6,}"), r"\1\2" + MASK),
    (re.compile(r"(?im)^(\s*(?:-H\s+['\"])?(?:" + "|".join(SENSITIVE_HEADERS) + r")\s*:\s*)[^\r\n'\"\\]+"),
     r"\1" + MASK),
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/\s:@'\"\\]+:[^/\s@'\"\\]*@"), r"\1" + MASK + "@"),
    (re.compile(r"(?i)([?&;](?:" + "|".join(re.escape(p) for p in SENSITIVE_PARAMS) + r")=)[^&#\s'\"\\]+"),
     r"\1" + MASK),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
     "[REDACTED-PRIVATE-KEY]"),
    # private members of a JWK (RFC 7518 §6.2.2, §6.3.2, §6.4.1)
    (re.compile(r'("(?:d|p|q|dp|dq|qi|k)"\s*:\s*")[A-Za-z0-9_=-]{8,}(")'), r"\1" + MASK + r"\2"),
    (re.compile(r'(?i)("(?:access_token|id_token|refresh_token|client_secret|password|passport)"\s*:\s*")'
                r'(?:[^"\\]|\\.)+(")'), r"\1" + MASK + r"\2"),
]


class Redactor:
    """Replaces registered secrets and credential-shaped text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short values would mask unrelated text; they are still caught by the patterns.
        if not secret or len(secret) < 4:
            return
        forms = {secret, quote(secret, safe=""), quote_plus(secret),
                 base64.b64encode(secret.encode()).decode()}
        self._secrets.update(f for f in forms if len(f) >= 4)

    def add_basic(self, username: str | None, password: str | None) -> None:
        self.add(password)
        if username is not None and password is not None:
            self.add(base64.b64encode(f"{username}:{password}".encode()).decode())

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def text(self, value: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, MASK)
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {k: (MASK if k.lower() in SENSITIVE_HEADERS else self.text(str(v))) for k, v in headers.items()}

    def url(self, url: str) -> str:
        return self.text(url)
