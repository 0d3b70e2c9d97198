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
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"

SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie",
                               "x-api-key", "x-auth-token", "x-amz-security-token"})
#: Query parameters whose value is a credential: any name ending like these (``X-Goog-Signature``,
#: ``X-Amz-Security-Token``, ``access_token``, ``sig`` of an Azure SAS, ...).
SENSITIVE_PARAM_ENDINGS = ("token", "signature", "sig", "secret", "password", "passwd", "credential",
                           "api_key", "apikey", "passport", "passports", "code", "key")
#: JSON members whose string value is a credential.
SENSITIVE_MEMBERS = ("access_token", "id_token", "refresh_token", "client_secret", "password", "passport",
                     "token", "secret", "api_key", "apikey", "secretaccesskey", "sessiontoken", "signature")
#: Secrets at least this long are masked wherever they appear; shorter ones only as a whole word, so
#: that a four-letter password never turns "passed" into "[REDACTED]ed".
SUBSTRING_MIN = 12

_PATTERNS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # a JWT: three base64url parts, the first of which decodes to a JSON object ('{"' → 'eyJ')
    # (the signature part may be missing: a token cut short, or an unsecured one)
    (re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?"), "[REDACTED-JWT]"),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}"), r"\1\2" + MASK),
    (re.compile(r"(?im)^(\s*(?:-H\s+['\"])?(?:" + "|".join(SENSITIVE_HEADERS) + r")\s*:\s*)[^\r\n'\"\\]+"),
     r"\1" + MASK),
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/\s:@'\"\\]+:[^/\s@'\"\\]*@"), r"\1" + MASK + "@"),
    (re.compile(r"(?i)([?&;][A-Za-z0-9_.-]*?(?:" + "|".join(re.escape(p) for p in SENSITIVE_PARAM_ENDINGS)
                + r")=)[^&#\s'\"\\]+"), r"\1" + MASK),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
     "[REDACTED-PRIVATE-KEY]"),
    # private members of a JWK (RFC 7518 §6.2.2, §6.3.2, §6.4.1)
    (re.compile(r'("(?:d|p|q|dp|dq|qi|k)"\s*:\s*")[A-Za-z0-9_=-]{8,}(")'), r"\1" + MASK + r"\2"),
    (re.compile(r'(?i)(\\?"(?:' + "|".join(SENSITIVE_MEMBERS) + r')\\?"\s*:\s*\\?")(?:[^"\\]|\\[^"])+(\\?")'),
     r"\1" + MASK + r"\2"),
    # passport bodies of a data API: {"passports": ["..."]}, also inside a JSON string (with escaped quotes)
    (re.compile(r'(\\?)("passports\1"\s*:\s*\[)[^\]]*(\])'),
     lambda m: f'{m[1]}{m[2]}{m[1]}"{MASK}{m[1]}"{m[3]}'),
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
            if secret not in value:
                continue
            if len(secret) >= SUBSTRING_MIN:
                value = value.replace(secret, MASK)
            else:
                value = re.sub(rf"(?<![A-Za-z0-9_.~+/=-]){re.escape(secret)}(?![A-Za-z0-9_.~+/=-])", MASK, value)
        for pattern, replacement in _PATTERNS:
            value = pattern.sub(replacement, value)
        return value

    def structure(self, value: Any) -> Any:
        """A JSON-like document with every string (keys included) redacted; JSON literals untouched,
        so a redacted report stays valid whatever the secrets look like."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.structure(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.structure(v) for v in value]
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {k: (MASK if k.lower() in SENSITIVE_HEADERS else self.text(str(v))) for k, v in headers.items()}

    def url(self, url: str) -> str:
        return self.text(url)
