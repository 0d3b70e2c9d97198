"""Redaction: no credential reaches a report, a log or the console.

Two layers. Every secret the profile points at (through an environment variable) is registered and
replaced wherever it appears, also URL-encoded, in base64 and JSON-escaped. Patterns catch what no
profile named: Authorization and cookie headers, bearer tokens, JWTs (passports and visas are JWTs),
userinfo in URLs, credential query parameters, PEM private keys and private JWK members.

A pattern never swallows a quote or a backslash, so that redacting a JSON (or HTML, or XML) report
in place leaves it valid: an escaped quote (``\\"``) ends a value as a plain one does. Nor does a
header or query-parameter value swallow a ``<``, the start of the markup around it in report.html and
junit.xml (where, redacting a whole such file, an escaped ``&lt;`` ends a header's value too).

A pattern that may start inside a long run of characters starts only where the run starts (a URL
scheme, a header name), so that a large body is scanned once, not once per character of the run.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"

SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie",
                               "x-api-key", "x-auth-token", "x-amz-security-token"})
#: Query parameters whose value is a credential: any name ending like these (``X-Goog-Signature``,
#: ``X-Amz-Security-Token``, ``access_token``, ``sig`` of an Azure SAS, ...).
SENSITIVE_PARAM_ENDINGS = ("token", "signature", "sig", "secret", "password", "passwd", "credential",
                           "api_key", "apikey", "passport", "passports", "code", "key", "auth", "authorization",
                           "jwt", "assertion", "session", "sessionid")
#: Query parameters a GA4GH API defines whose names end like a credential's, never masked: TES 1.1.0
#: ListTasks `tag_key` (a tag's name; its value, `tag_value`, is no credential either).
PUBLIC_PARAMS = ("tag_key",)
#: JSON members whose string value is a credential.
SENSITIVE_MEMBERS = ("access_token", "id_token", "refresh_token", "client_secret", "password", "passport",
                     "token", "secret", "api_key", "apikey", "secretaccesskey", "sessiontoken", "signature")
#: Secrets at least this long are masked wherever they appear; shorter ones only as a whole word, so
#: that a four-letter password never turns "passed" into "[REDACTED]ed".
SUBSTRING_MIN = 12
#: The head of a secret that ends a cut text is masked from this many characters on (:meth:`Redactor.cut`).
PARTIAL_MIN = 4
#: The characters of a token (base64, base64url, URL-safe): a short secret next to one of them is part of
#: a longer word. A "." counts only between two of them ("pw12.example.org", "x.pw12"): at the end of a
#: sentence ("the password was pw12.") it is punctuation, and the secret before it must be masked.
_TOKEN_CHARS = "A-Za-z0-9_~+/=-"


def _whole_word(secret: str) -> str:
    t = _TOKEN_CHARS
    return rf"(?<![{t}])(?<![{t}]\.){re.escape(secret)}(?![{t}]|\.[{t}])"


# A JSON string as it stands in JSON text, and the same string escaped once more inside a JSON string
# (evidence holding a request body). In the latter its quotes are backslash-quote and an escape of its
# own starts with two backslashes (an escaped quote in it is backslash, backslash, backslash, quote).
_JSON_STRING = r'"(?:[^"\\]|\\.)*"'
_ESCAPED_JSON_STRING = r'\\"(?:[^"\\]|\\[^"\\]|\\\\(?:[^"\\]|\\.))*\\"'


def _scheme_token(match: re.Match[str]) -> str:
    """A bearer token masked; after Basic, a credential (RFC 7617 §2: base64 of "user-id:password") masked and
    any other word left as written."""
    token = match[0][len(match[1]) + len(match[2]):]
    if match[1].lower() == "basic":
        try:
            decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        except (ValueError, binascii.Error):
            return match[0]
        if b":" not in decoded:
            return match[0]
    return f"{match[1]}{match[2]}{MASK}"


class _Rule(NamedTuple):
    """A credential-shaped pattern, what replaces its matches, and when it has to run."""

    pattern: re.Pattern[str]
    replacement: str | Callable[[re.Match[str]], str]
    #: Texts one of which every match holds, as they stand in the text case-folded (:func:`_folded`). A rule
    #: none of whose texts is there is not run: a JSON body holds a ':' but seldom a header name or a
    #: credential member, and each pattern is a pass over the whole text, some with a look-behind tried at
    #: every character (issue 20: redaction was the largest part of a request's own CPU time and of report
    #: writing). What a replacement writes holds none of them, nor can it join two pieces of text into one
    #: (every mask starts with '[' and ends with ']', in none of them), so the text as a pass starts decides
    #: for every rule of that pass.
    needs: tuple[str, ...]
    #: Whether a match may run across the strings of serialised JSON (a credential member's name and its
    #: value, a private JWK member, a passports array, a PEM block split into strings, one per line). Every
    #: other pattern matches within one string (none matches a quote, and JSON escapes a string's own), and
    #: :meth:`Redactor.structure` has run it over every string of the document already.
    across: bool = False


_HEADER_NAME = (r"(?i)(?:(?<![A-Za-z0-9_-])|(?<=\\[nrt]))((?:" + "|".join(sorted(SENSITIVE_HEADERS))
                + r")\s*:\s*)")

# a header "Name: value" anywhere, not only at the start of a line: in a one-line curl command
# (-H 'X-Api-Key: ...', as conformance/exchange.py Exchange.curl() writes it) and in a JSON string
# ("Cookie: ...", also after an escaped newline: "...\nCookie: ..."); the name must not continue a
# longer one. The value ends at a quote, a backslash (an escaped newline in JSON), the end of the
# line or a '<' (the closing tag in report.html; in markup also an escaped one: _MARKUP_HEADER).
_HEADER = _Rule(re.compile(_HEADER_NAME + r"[^\r\n'\"\\<]+"), r"\1" + MASK, tuple(sorted(SENSITIVE_HEADERS)))

_RULES: list[_Rule] = [
    # a PEM private key first: a header or a token right after its mask is then seen as it starts
    _Rule(re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
          "[REDACTED-PRIVATE-KEY]", ("-----begin",), across=True),
    # a JWT: three base64url parts, the first of which decodes to a JSON object ('{"' → 'eyJ')
    # (the signature part may be missing: a token cut short, or an unsecured one)
    _Rule(re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?"), "[REDACTED-JWT]", ("eyj",)),
    # a token after the scheme, but not a challenge's parameters (WWW-Authenticate: Bearer realm="x", error=...:
    # RFC 6750 §3, RFC 7617 §2) nor the prose of a requirement ("bearer tokens", "Basic authentication"); a
    # token68 holds no '=' but its trailing padding, so "realm=" never starts one; such a word ends the
    # prose only where no token character follows (a sentence's full stop aside); after Basic, only what
    # decodes as a user-id and password (RFC 7617 §2: base64 of "user-id:password"), so that a word after a
    # value such as a TES view ("?view=BASIC answered 500") is left as written
    _Rule(re.compile(r"(?i)\b(bearer|basic)(\s+)(?!(?:realm|scope|error|error_description|error_uri|charset)\s*="
                     r"|(?:tokens?|authentication|credentials?|schemes?|challenges?)(?![A-Za-z0-9_~+/=-]|\.[A-Za-z0-9._~+/=-]))"
                     r"[A-Za-z0-9._~+/=-]{6,}"),
          _scheme_token, ("bearer", "basic")),
    _HEADER,
    # userinfo in a URL: user:password@, but also a token alone (https://TOKEN@host) or an empty user
    # name (https://:password@host); it holds no '/', '?' or '#' (RFC 3986 §3.2.1), so "a@b" in a path or
    # query is no userinfo. The scheme starts where a run of scheme characters starts (with any digits
    # or "+.-" before its first letter kept in group 1), or a long run of letters would be scanned once
    # per letter: quadratic.
    _Rule(re.compile(r"(?i)(?<![a-z0-9+.-])([0-9+.-]*[a-z][a-z0-9+.-]*://)[^/?#\s@'\"\\<>]+@"),
          r"\1" + MASK + "@", ("://",)),
    # a parameter of the query or of the fragment (an OAuth implicit grant's #access_token=, RFC 6749 §4.2.2); the
    # value ends at '<' too: the closing tag after a URL in report.html or junit.xml
    _Rule(re.compile(r"(?i)([?&;#](?!(?:" + "|".join(re.escape(p) for p in PUBLIC_PARAMS) + r")=)[A-Za-z0-9_.-]*?(?:"
                     + "|".join(re.escape(p) for p in SENSITIVE_PARAM_ENDINGS)
                     + r")=)[^&#\s'\"\\<]+"), r"\1" + MASK, ("=",)),
    # private members of a JWK (RFC 7518 §6.2.2, §6.3.2, §6.4.1)
    _Rule(re.compile(r'("(?:d|p|q|dp|dq|qi|k)"\s*:\s*")[A-Za-z0-9_=-]{8,}(")'), r"\1" + MASK + r"\2",
          ('"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"', '"k"'), across=True),
    _Rule(re.compile(r'(?i)(\\?"(?:' + "|".join(SENSITIVE_MEMBERS) + r')\\?"\s*:\s*\\?")(?:[^"\\]|\\[^"])+(\\?")'),
          r"\1" + MASK + r"\2", SENSITIVE_MEMBERS, across=True),
    # passport bodies of a data API: {"passports": ["..."]}, also inside a JSON string (with escaped quotes).
    # The array is read string by string, not up to the first ']': the masks the rules above (and the
    # registered secrets) write hold a ']' ("[REDACTED-JWT]"), and a passports array of JWTs, or one
    # already redacted, would otherwise be cut short and the JSON broken. Between the strings only
    # commas and whitespace: a scan cannot run past the next member.
    _Rule(re.compile(r'("passports"\s*:\s*\[)((?:[\s,]|' + _JSON_STRING + r')*)(\])'),
          lambda m: _passports(m, '"', _JSON_STRING), ('"passports"',), across=True),
    _Rule(re.compile(r'(\\"passports\\"\s*:\s*\[)((?:[\s,]|\\[nrt]|' + _ESCAPED_JSON_STRING + r')*)(\])'),
          lambda m: _passports(m, '\\"', _ESCAPED_JSON_STRING), ('\\"passports\\"',), across=True),
]


#: In markup (report.html, junit.xml, whose text was redacted before it was escaped) a header's value ends at an
#: escaped '<' too ('&lt;', the text's own '<', where its value ended when the text was redacted): otherwise the
#: last pass read on to the next tag, eating the rest of the text. Only there: in other text a value may hold
#: '&lt;' ("Cookie: a=b&lt; sid=..." is two cookies).
_MARKUP_HEADER = _Rule(re.compile(_HEADER_NAME + r"(?:[^\r\n'\"\\<&]|&(?!lt;))+"), r"\1" + MASK, _HEADER.needs)
_MARKUP_RULES: list[_Rule] = [_MARKUP_HEADER if rule is _HEADER else rule for rule in _RULES]


def _passports(match: re.Match[str], quote_mark: str, string: str) -> str:
    """A passports array masked as one string, but with the tokens shown as evidence (their placeholders)
    kept: ``["[REDACTED]", "<shown token>"]``, or ``["<shown token>"]`` when it holds nothing else."""
    shown = [found[0] for found in _SHOWN.finditer(match[2])]
    masked = not shown or len(shown) < len(re.findall(string, match[2]))
    items = ([f"{quote_mark}{MASK}{quote_mark}"] if masked else []) + [f"{quote_mark}{s}{quote_mark}" for s in shown]
    return f"{match[1]}{', '.join(items)}{match[3]}"


#: What every pattern above needs somewhere in the text: a ':' (header, URL scheme, JSON member, passports
#: array), a '=' (query parameter), the start of a JWT, a bearer or basic scheme, a PEM block. A text
#: without any of them is left as it is without running the patterns one by one (issue 20: most strings
#: of a report are short words, numbers, ids and messages).
_MAY_MATCH = re.compile(r"[:=]|eyJ|(?i:bearer|basic)|-----BEGIN")


def _folded(value: str) -> str:
    """``value`` as the case-insensitive patterns see it: case-folded ('ſ' is 's', the Kelvin sign 'k'); the
    dotless 'ı' and the dotted 'İ', which ``(?i)i`` matches but which fold to themselves and to 'i' with a
    combining dot, as 'i' (tests/core/test_redact.py tries every code point)."""
    return value.replace("\u0130", "i").casefold().replace("\u0131", "i")


#: Passes of the patterns over one text, at most: a mask can leave a match for a pattern that ran before it
#: (a query parameter's mask takes the '/' that ended a URL's userinfo), so they run again until a pass
#: changes nothing. A text :meth:`Redactor.text` returns is then one no pattern changes.
_PASSES = 4


def _patterns(value: str, *, across_only: bool = False, markup: bool = False) -> str:
    if not _MAY_MATCH.search(value):
        return value
    for _ in range(_PASSES):
        before = value
        folded = _folded(value)
        for rule in _MARKUP_RULES if markup else _RULES:
            if (rule.across or not across_only) and any(text in folded for text in rule.needs):
                value = rule.pattern.sub(rule.replacement, value)
        if value == before:
            break
    return value


def _patterns_across_strings(value: str) -> str:
    # A PEM block's mask can put a header name where it starts (its lookbehind met the block's last '-' before):
    # with a private key in the text, every rule runs again. Seldom: a report holds none but by mistake.
    return _patterns(value, across_only="-----BEGIN" not in value)


#: A redactor remembers the redactions of texts up to this long (evidence bodies, URLs, messages: what the
#: reports hold several times over; a whole report is redacted once), and of at most this many characters
#: of them in all, forgetting them all when full, so that a long run's memory stays bounded.
_CACHED_TEXT_CHARS = 16_384
_CACHED_CHARS = 4_000_000

#: What stands for a token shown as evidence while the patterns run (no pattern matches it).
_SHOWN = re.compile("\x00shown(\\d+)\x00")


#: Tokens looked for by their first characters (:func:`_by_head`) from this many tokens on.
_GROUPED_FROM = 8

#: Each distinct head of the tokens (their first 16 characters), the length of the shortest token with that
#: head, and those tokens by their first that many characters; shortest first.
_Heads = list[tuple[str, int, dict[str, list[str]]]]


def _by_head(tokens: list[str]) -> _Heads:
    groups: dict[str, list[str]] = {}
    for token in tokens:
        groups.setdefault(token[:16], []).append(token)
    heads: _Heads = []
    for head, group in groups.items():
        length = min(len(token) for token in group)
        by_start: dict[str, list[str]] = {}
        for token in group:
            by_start.setdefault(token[:length], []).append(token)
        heads.append((head, length, by_start))
    return sorted(heads, key=lambda entry: entry[1])


def _present(tokens: list[str], value: str, heads: _Heads | None = None) -> list[str]:
    """The tokens found in ``value``, in their order. Many tokens are sought by their heads (``heads``, from
    :func:`_by_head`): each distinct head once through the text, rather than every token (issue 20: hundreds
    of forged passports shown as evidence, all JWTs with one head, were each sought through every report and
    every response body), and none longer than the text."""
    if len(tokens) < _GROUPED_FROM:
        return [token for token in tokens if token in value]
    found: set[str] = set()
    for head, length, by_start in (heads if heads is not None else _by_head(tokens)):
        if length > len(value):
            break  # a text shorter than a token holds none of them, nor of the longer ones after
        at = value.find(head)
        while at != -1:
            for token in by_start.get(value[at:at + length], ()):
                if value.startswith(token, at):
                    found.add(token)
            at = value.find(head, at + 1)
    return [token for token in tokens if token in found] if found else []


def _base64_forms(data: bytes) -> set[str]:
    """``data`` in base64 as it is written: the standard and the URL-safe alphabet (RFC 4648 §4, §5), each with its
    padding and without (a JWT's parts, and many a server's echo, have none)."""
    standard, url = base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()
    return {standard, standard.rstrip("="), url, url.rstrip("=")}


def _forms(secret: str) -> set[str]:
    """What a registered secret is sought as: itself; percent-encoded (every character, or all but '/', or as a
    form value; with upper- or lower-case hex digits, RFC 3986 §2.1 makes them equivalent); in base64
    (:func:`_base64_forms`); and as it stands inside a JSON string a server echoes it in (quotes, backslashes and
    control characters escaped, other characters as they are or as \\u escapes, '/' also as '\\/', which PHP
    writes)."""
    percent = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    percent |= {re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), form) for form in percent}
    escaped = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    escaped |= {form.replace("/", "\\/") for form in escaped}
    return {secret, *percent, *escaped, *_base64_forms(secret.encode())}


class Redactor:
    """Replaces registered secrets and credential-shaped text.

    Safe across threads (a view fetches several answers side by side, each registering the secrets it hands
    out while another is redacted): one lock orders the registrations and the redactions, so that the
    secrets' lookup tables and the cache are never read half made, and a registration waits for the
    redaction under way."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.RLock()
        self._secrets: set[str] = set()
        self._shown: list[str] = []
        #: the length of the shortest shown token: a shorter text holds none
        self._shortest_shown = 0
        #: the shown tokens by their heads (:func:`_by_head`), made again once one is added
        self._shown_heads: _Heads | None = None
        #: the secrets, longest first, as :meth:`_masked` replaces them (sorted again once one is added), by
        #: their heads (:func:`_by_head`) and with their place in that order
        self._ordered: list[str] | None = None
        self._secret_heads: _Heads | None = None
        self._secret_rank: dict[str, int] = {}
        #: text -> its redaction, while the secrets and the shown tokens stay as they are: the reports of a
        #: run redact the same strings (keys, URLs, bodies) several times over (issue 20)
        self._texts: dict[str, str] = {}
        self._cached_chars = 0
        for secret in secrets:
            self.add(secret)

    def __getstate__(self) -> dict[str, Any]:  # pickled (benchmarks/report_writing.py) without its lock
        with self._lock:
            return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def add(self, secret: str | None) -> None:
        # Very short values would mask unrelated text; they are still caught by the patterns.
        if not secret or len(secret) < 4:
            return
        forms = _forms(secret)
        with self._lock:
            self._secrets.update(f for f in forms if len(f) >= 4)
            self._texts, self._cached_chars = {}, 0
            self._ordered = None

    def add_basic(self, username: str | None, password: str | None) -> None:
        self.add(password)
        if username is not None and password is not None:
            for form in _base64_forms(f"{username}:{password}".encode()):
                self.add(form)

    def show(self, token: str) -> None:
        """Let ``token`` appear in reports although it looks like a credential: one the harness made to be
        refused (a forged passport), evidence and not a secret (issue 21.10). A registered secret is never
        shown, nor is anything around the token that the patterns would mask."""
        with self._lock:
            if token and token not in self._secrets and token not in self._shown:
                self._shown.append(token)
                self._shortest_shown = min(len(t) for t in self._shown)
                self._shown_heads = None
                self._texts, self._cached_chars = {}, 0

    @property
    def secrets(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._secrets)

    @property
    def shown(self) -> tuple[str, ...]:
        """The tokens :meth:`show` let appear, in the order they were shown."""
        with self._lock:
            return tuple(self._shown)

    def text(self, value: str) -> str:
        with self._lock:
            texts = self._texts
            done = texts.get(value)
            if done is None:
                done = self._keeping_shown(value, self._masked)
                if len(value) <= _CACHED_TEXT_CHARS:
                    self._cached_chars += len(value)
                    if self._cached_chars > _CACHED_CHARS:
                        texts = self._texts = {}
                        self._cached_chars = len(value)
                    texts[value] = done
            return done

    def cut(self, value: str) -> str:
        """``value``, the head of a longer text (evidence cut at a size), as :meth:`text` redacts it, with a
        registered secret that the cut left only the start of (its first :data:`PARTIAL_MIN` characters or more,
        ending the text) masked too: evidence redacted and then cut shorter (the masks shorten it) would
        otherwise show the head of a secret longer than what was kept after it."""
        done = self.text(value)
        with self._lock:
            end = len(done.rstrip("\ufffd"))  # (a character cut in the middle of its bytes is decoded as U+FFFD)
            start = end
            for secret in self._secrets:
                head = secret[:PARTIAL_MIN]
                at = done.find(head, max(0, end - len(secret) + 1), end)
                while at != -1 and at < start:
                    if secret.startswith(done[at:end]):
                        start = at
                        break
                    at = done.find(head, at + 1, end)
        return done if start == end else done[:start] + MASK

    def _keeping_shown(self, value: str, mask: Callable[[str], str]) -> str:
        shown: list[str] = []
        if self._shown and len(value) >= self._shortest_shown:
            if self._shown_heads is None and len(self._shown) >= _GROUPED_FROM:
                self._shown_heads = _by_head(self._shown)
            shown = _present(self._shown, value, self._shown_heads)
        for index, token in enumerate(shown):
            value = value.replace(token, f"\x00shown{index}\x00")
        value = mask(value)
        for index, token in enumerate(shown):
            value = value.replace(f"\x00shown{index}\x00", token)
        return value

    def _masked(self, value: str, markup: bool = False) -> str:
        if self._ordered is None:
            self._ordered = sorted(self._secrets, key=len, reverse=True)
            self._secret_heads = _by_head(self._ordered) if len(self._ordered) >= _GROUPED_FROM else None
            self._secret_rank = {secret: rank for rank, secret in enumerate(self._ordered)}
        ordered, heads, ranks = self._ordered, self._secret_heads, self._secret_rank
        present = _present(ordered, value, heads)
        while present:
            secret = present[0]
            if len(secret) >= SUBSTRING_MIN:
                value = value.replace(secret, MASK)
            else:
                value = re.sub(_whole_word(secret), MASK, value)
            # the text changed: the secrets after this one that it holds now, as one after another they were
            # sought in it before (the profile's keys in four encodings: issue 20)
            rank = ranks[secret]
            present = [later for later in _present(ordered, value, heads) if ranks[later] > rank]
        return _patterns(value, markup=markup)

    def markup(self, value: str) -> str:
        """A whole HTML or XML file (report.html, junit.xml) as :meth:`text` redacts a text, an escaped '<'
        ending a header's value as '<' does (the text the file holds was redacted before it was escaped)."""
        with self._lock:
            return self._keeping_shown(value, lambda text: self._masked(text, markup=True))

    def patterns(self, value: str) -> str:
        """Only the credential-shaped text that runs across strings: for serialised JSON whose strings
        :meth:`structure` already cleaned (a registered secret sought in JSON text could split an escape such
        as ``\\n``; a pattern matching within one string has run over each already: issue 20, the second pass
        over a 1.5 MB report took 0.2 s)."""
        with self._lock:
            return self._keeping_shown(value, _patterns_across_strings)

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
