"""Unit tests of conformance/redact.py: registered secrets and the credential-shaped patterns.

Every rule the module states is tested here: registered secrets (also URL-encoded and base64),
short secrets masked only as whole words, bearer and basic tokens, JWTs, sensitive headers, userinfo
in URLs, credential query parameters, PEM private keys, private JWK members, sensitive JSON members
(also inside escaped JSON strings), DRS "passports" array bodies, and the promise that redacting a
JSON text in place leaves it valid.
"""

from __future__ import annotations

import base64
import html
import json
import re
import time
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.redact import (
    MASK,
    PARTIAL_MIN,
    SENSITIVE_HEADERS,
    SENSITIVE_MEMBERS,
    SENSITIVE_PARAM_ENDINGS,
    SUBSTRING_MIN,
    Redactor,
)

LONG_SECRET = "s3cr3t-Value-0123456789"  # longer than SUBSTRING_MIN: masked wherever it appears
SHORT_SECRET = "pw12"  # shorter than SUBSTRING_MIN: masked only as a whole word
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXBhcnQ"


def test_long_and_short_secrets_sit_either_side_of_substring_min() -> None:
    assert len(LONG_SECRET) >= SUBSTRING_MIN > len(SHORT_SECRET) >= 4


# -- registered secrets --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    (f"token {LONG_SECRET} here", f"token {MASK} here"),
    (f"xx{LONG_SECRET}yy", f"xx{MASK}yy"),  # straddling other text: masked as a substring
    (f"{LONG_SECRET}{LONG_SECRET}", f"{MASK}{MASK}"),
    (f"a={LONG_SECRET}&b={LONG_SECRET}.", f"a={MASK}&b={MASK}."),
])
def test_long_secret_is_masked_wherever_it_appears(text: str, expected: str) -> None:
    assert Redactor([LONG_SECRET]).text(text) == expected


def test_long_secret_is_masked_in_its_url_encoded_and_base64_forms() -> None:
    secret = "p@ss word/with+chars=long"
    redactor = Redactor([secret])
    forms = [secret, quote(secret, safe=""), quote_plus(secret), base64.b64encode(secret.encode()).decode()]
    assert set(forms) <= redactor.secrets
    text = " | ".join(f"<{form}>" for form in forms)
    cleaned = redactor.text(text)
    for form in forms:
        assert form not in cleaned
    assert cleaned == " | ".join(f"<{MASK}>" for _ in forms)


@pytest.mark.parametrize("secret", ["s3cr3t/Pass+word=xyz", 'pa"ss\\w\u00f6rd-1234567', "opaque-token-1234567890",
                                    "\u00fcn\u00efc\u00f8d\u00e9-s\u00ebcret-123"])
@pytest.mark.parametrize("form", [
    lambda s: json.dumps(s)[1:-1],  # as a JSON string holds it (Python, most servers: non-ASCII as \u escapes)
    lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),  # PHP's json_encode escapes '/'
    lambda s: base64.b64encode(s.encode()).decode().rstrip("="),  # base64 without its padding
    lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),  # base64url, as in a JWT
    lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
    lambda s: quote(s),  # percent-encoded but for '/', as in a path
    lambda s: re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), quote(s, safe="")),  # lower-case hex digits
], ids=["json", "json-unicode", "json-slash", "base64-unpadded", "base64url", "base64url-padded", "path",
        "lower-hex"])
def test_a_secret_a_server_echoes_encoded_is_masked(secret: str, form: Any) -> None:
    encoded = form(secret)
    cleaned = Redactor([secret]).text(f'{{"error": "token [{encoded}] refused"}}')
    assert cleaned == f'{{"error": "token [{MASK}] refused"}}'


def test_the_basic_pair_is_masked_in_base64_without_padding() -> None:
    redactor = Redactor()
    redactor.add_basic("alice", "pw-4567")  # "alice:pw-4567" is 13 bytes: padded with "=="
    pair = base64.b64encode(b"alice:pw-4567").decode()
    assert pair.endswith("==") and redactor.text(f"[{pair.rstrip('=')}]") == f"[{MASK}]"


@pytest.mark.parametrize("text, expected", [
    ("pw12", MASK),
    ("password pw12 sent", f"password {MASK} sent"),
    ('{"x": "pw12"}', f'{{"x": "{MASK}"}}'),
    ("'pw12'", f"'{MASK}'"),
    ("(pw12)", f"({MASK})"),
    ("pw12, then pw12", f"{MASK}, then {MASK}"),
    ("a\npw12\nb", f"a\n{MASK}\nb"),
    ("user:pw12 ", f"user:{MASK} "),
])
def test_short_secret_is_masked_as_a_whole_word(text: str, expected: str) -> None:
    assert Redactor([SHORT_SECRET]).text(text) == expected


@pytest.mark.parametrize("text", [
    "passed",  # the module's own example: a short password never turns "passed" into "[REDACTED]ed"
    "pw123",
    "apw12",
    "pw12x",
    "_pw12",
    "pw12-x",
    "x/pw12",
    "pw12==",
    "pw12.example.org",
    "x.pw12",
    "a.pw12.b",
])
def test_short_secret_is_not_masked_inside_a_longer_token(text: str) -> None:
    assert Redactor([SHORT_SECRET]).text(text) == text


@pytest.mark.parametrize("text, expected", [
    ("the server said the password was pw12.", f"the server said the password was {MASK}."),
    ("pw12... and then", f"{MASK}... and then"),
    ("(was pw12.)", f"(was {MASK}.)"),
    ('"pw12."', f'"{MASK}."'),
    (".pw12 at the start", f".{MASK} at the start"),
])
def test_short_secret_at_the_end_of_a_sentence_is_masked(text: str, expected: str) -> None:
    # a "." is part of a word only between two token characters (pw12.example.org), not as punctuation
    assert Redactor([SHORT_SECRET]).text(text) == expected


@pytest.mark.parametrize("secret", [None, "", "a", "ab", "abc"])
def test_very_short_or_missing_secrets_are_not_registered(secret: str | None) -> None:
    redactor = Redactor()
    redactor.add(secret)
    assert redactor.secrets == frozenset()
    assert redactor.text("a ab abc passed") == "a ab abc passed"


def test_four_character_secret_is_registered() -> None:
    redactor = Redactor(["abcd"])
    assert "abcd" in redactor.secrets
    assert redactor.text("x abcd y") == f"x {MASK} y"


def test_secrets_property_is_an_immutable_snapshot() -> None:
    redactor = Redactor([LONG_SECRET])
    snapshot = redactor.secrets
    assert isinstance(snapshot, frozenset)
    redactor.add("another-secret-value")
    assert "another-secret-value" not in snapshot
    assert "another-secret-value" in redactor.secrets


def test_longer_secrets_are_replaced_first() -> None:
    short, long = "abcdefghijkl", "abcdefghijklmnopqrst"
    assert len(short) >= SUBSTRING_MIN
    redactor = Redactor([short, long])
    assert redactor.text(f"<{long}>") == f"<{MASK}>"  # not "[REDACTED]mnopqrst"
    assert redactor.text(f"<{short}>") == f"<{MASK}>"


@pytest.mark.parametrize("secret", ["p.w*", "a+b?", "(x)[y]", r"c:\d$"])
def test_regex_metacharacters_in_a_short_secret_are_literal(secret: str) -> None:
    redactor = Redactor([secret])
    assert redactor.text(f"use {secret} now") == f"use {MASK} now"
    assert redactor.text("use pxw now") == "use pxw now"


def test_add_basic_registers_the_password_and_the_encoded_pair() -> None:
    redactor = Redactor()
    redactor.add_basic("alice", "hunter2-password")
    pair = base64.b64encode(b"alice:hunter2-password").decode()
    assert {"hunter2-password", pair} <= redactor.secrets
    assert "alice" not in redactor.secrets  # the user name is no secret
    cleaned = redactor.text(f"user alice, pair {pair}, password hunter2-password")
    assert cleaned == f"user alice, pair {MASK}, password {MASK}"


def test_add_basic_without_user_name_registers_only_the_password() -> None:
    password = "hunter2-password"
    redactor = Redactor()
    redactor.add_basic(None, password)
    assert redactor.secrets == Redactor([password]).secrets
    without_password = Redactor()
    without_password.add_basic("alice", None)
    assert without_password.secrets == frozenset()


# -- credential-shaped text ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Bearer abcdef123456", f"Bearer {MASK}"),
    ("sent bearer abc.def-ghi_jkl~mno+pq/rs== to", f"sent bearer {MASK} to"),
    ("BEARER abcdefgh", f"BEARER {MASK}"),
    ("Basic   dXNlcjpwYXNz", f"Basic   {MASK}"),  # the scheme and the whitespace are kept
    ("notbearer abcdefgh", "notbearer abcdefgh"),  # "bearer" must start a word
    ("Bearer tokens.x", f"Bearer {MASK}"),  # a token that starts with a word of prose is still one
    ('Basic dXNlcjpwYXNz="', f'Basic {MASK}"'),  # padding, then the quote that ends a JSON string
])
def test_bearer_and_basic_tokens(text: str, expected: str) -> None:
    assert Redactor().text(text) == expected


@pytest.mark.parametrize("text", [
    'WWW-Authenticate: Bearer realm="htsget"',  # a challenge's parameters (RFC 6750 §3, RFC 7617 §2)
    'Bearer error="invalid_token", error_description="The access token expired"',
    "Bearer realm=example, scope=openid, error=insufficient_scope",
    "RFC 6750 §3 for bearer tokens)",  # the prose of a requirement
    "a Basic authentication header.",
    "no bearer token. Then",
    "GET /tasks?view=BASIC answered 500: JSON nested too deeply",  # a TES view, no Basic credential
])
def test_a_challenge_and_prose_are_no_tokens(text: str) -> None:
    assert Redactor().text(text) == text


@pytest.mark.parametrize("header", sorted(SENSITIVE_HEADERS))
def test_sensitive_header_lines_are_masked(header: str) -> None:
    redactor = Redactor()
    value = "opaque value 123"
    for name in (header, header.title(), header.upper()):
        text = f"GET / HTTP/1.1\n{name}: {value}\nAccept: */*"
        assert redactor.text(text) == f"GET / HTTP/1.1\n{name}: {MASK}\nAccept: */*"
    assert redactor.text(f"  -H '{header}: {value}' \\") == f"  -H '{header}: {MASK}' \\"
    assert redactor.text(f'-H "{header}:{value}"') == f'-H "{header}:{MASK}"'


def test_header_value_ends_at_a_quote_or_backslash() -> None:
    redactor = Redactor()
    assert redactor.text("-H 'Cookie: session=abc' -H 'Accept: */*'") == f"-H 'Cookie: {MASK}' -H 'Accept: */*'"
    assert redactor.text("Cookie: session=abc\\nAccept: */*") == f"Cookie: {MASK}\\nAccept: */*"
    # a header block held in a JSON string: structure() redacts the decoded string line by line
    assert redactor.structure({"raw": "Cookie: session=abc\nX: y"}) == {"raw": f"Cookie: {MASK}\nX: y"}


def test_sensitive_header_in_a_one_line_curl_command_is_masked() -> None:
    text = "curl -sS -i -H 'X-Api-Key: opaque-key-value' https://drs.example.org/objects/1"
    assert "opaque-key-value" not in Redactor().text(text)


def test_sensitive_header_in_an_exchange_curl_command_is_masked() -> None:
    # the command as conformance/exchange.py Exchange.curl() writes it (shlex-quoted, one line)
    from conformance.exchange import Exchange

    curl = Exchange(method="POST", url="https://h.example/o", request_headers={
        "X-Api-Key": "opaque-key-value", "Cookie": "session=opaque-cookie", "Accept": "application/json"},
        request_body="{}").curl()
    cleaned = Redactor().text(curl)
    assert "opaque" not in cleaned
    assert f"-H 'X-Api-Key: {MASK}' -H 'Cookie: {MASK}' -H 'Accept: application/json'" in cleaned
    assert cleaned.endswith("--data-raw '{}' https://h.example/o")


def test_sensitive_header_inside_a_json_string_is_masked() -> None:
    text = json.dumps({"curl": "curl -H 'Authorization: Token opaque-1' 'https://h/o'",
                       "raw": "GET / HTTP/1.1\nCookie: opaque-2\nAccept: */*", "n": 1}, indent=2)
    cleaned = Redactor().text(text)
    assert "opaque" not in cleaned
    assert json.loads(cleaned) == {"curl": f"curl -H 'Authorization: {MASK}' 'https://h/o'",
                                   "raw": f"GET / HTTP/1.1\nCookie: {MASK}\nAccept: */*", "n": 1}


@pytest.mark.parametrize("text", [
    "X-Cookie: kept", "my_authorization: kept", "setcookie: kept",  # the name continues a longer one
    '{"cookie": "a JSON member named like a header is no header line"}',
])
def test_header_names_inside_longer_names_or_json_members_are_not_header_lines(text: str) -> None:
    assert Redactor().text(text) == text


@pytest.mark.parametrize("text, expected", [
    ("https://user:pass@host.example/path", f"https://{MASK}@host.example/path"),
    ("see ftp://u:@h.example/", f"see ftp://{MASK}@h.example/"),
    ("s3+https://AKIA:wJalr%2Fx@bucket/key", f"s3+https://{MASK}@bucket/key"),
    ('"https://u:p@h/x"', f'"https://{MASK}@h/x"'),
    ("https://host.example/a@b", "https://host.example/a@b"),  # an @ in the path is no userinfo
])
def test_userinfo_in_urls(text: str, expected: str) -> None:
    assert Redactor().text(text) == expected


@pytest.mark.parametrize("url, secret", [
    ("https://ghp_opaqueTokenValue@github.com/org/repo.git", "ghp_opaqueTokenValue"),
    ("https://:opaquePasswordValue@host.example/", "opaquePasswordValue"),
])
def test_userinfo_without_user_password_pair_is_masked(url: str, secret: str) -> None:
    assert secret not in Redactor().text(url)


@pytest.mark.parametrize("text, expected", [
    ("https://ghp_opaque@github.com/o/r.git", f"https://{MASK}@github.com/o/r.git"),
    ("https://:pw@h.example/", f"https://{MASK}@h.example/"),
    ("<td>x1https://tok@h</td>", f"<td>x1https://{MASK}@h</td>"),  # the scheme may follow other characters
])
def test_userinfo_alone_is_masked_whole(text: str, expected: str) -> None:
    assert Redactor().text(text) == expected


@pytest.mark.parametrize("text", [
    "https://h.example?contact=ops@example.org",  # '?' ends the authority: no userinfo
    "https://h.example#ops@example.org",
    "https://h.example mail ops@example.org",
    "<a>https://h.example</a><b>ops@example.org</b>",
])
def test_an_at_sign_after_the_authority_is_no_userinfo(text: str) -> None:
    assert Redactor().text(text) == text


@pytest.mark.parametrize("ending", SENSITIVE_PARAM_ENDINGS)
def test_query_parameter_ending_like_a_credential_is_masked(ending: str) -> None:
    redactor = Redactor()
    for name in (ending, f"X-Amz-{ending}", ending.upper()):
        url = f"https://h.example/o?a=1&{name}=opaque%2Bvalue&b=2#frag"
        assert redactor.text(url) == f"https://h.example/o?a=1&{name}={MASK}&b=2#frag"
    assert redactor.text(f"/o;{ending}=v1") == f"/o;{ending}={MASK}"


@pytest.mark.parametrize("url", [
    "https://h.example/o?a=1&b=2",
    "https://h.example/o?page=3#x",
    "https://h.example/token=abc",  # not a query parameter: no ?, & or ; before it
    "https://h.example/tools?author=alice&toolClass=Workflow&descriptorType=CWL",  # TRS
    "https://h.example/reads/1?format=BAM&referenceName=chr1&class=header&fields=QNAME",  # htsget
    "https://h.example/tasks?view=BASIC&name_prefix=x",  # TES
    "https://h.example/doc#section=2",
])
def test_other_query_parameters_are_kept(url: str) -> None:
    assert Redactor().text(url) == url


@pytest.mark.parametrize(("url", "expected"), [
    ("https://app.example/cb#access_token=opaque123&state=1", f"https://app.example/cb#access_token={MASK}&state=1"),
    ("https://h.example/x?authorization=Bearer%20opaque123", f"https://h.example/x?authorization={MASK}"),
    ("https://h.example/x?client_assertion=opaque123", f"https://h.example/x?client_assertion={MASK}"),
    ("https://h.example/x?jwt=opaque123&auth=opaque456", f"https://h.example/x?jwt={MASK}&auth={MASK}"),
    ("https://h.example/x?JSESSIONID=opaque123", f"https://h.example/x?JSESSIONID={MASK}"),
])
def test_credentials_in_a_fragment_or_under_an_authorization_name_are_masked(url: str, expected: str) -> None:
    """An implicit grant returns its token in the fragment (RFC 6749 §4.2.2); a URL can carry an Authorization
    value, a client assertion (RFC 7523), a JWT or a session id as a parameter."""
    assert Redactor().text(url) == expected


def test_query_parameter_value_ends_at_a_quote() -> None:
    text = json.dumps({"url": "https://h/o?X-Goog-Signature=abc123", "next": "x"})
    assert json.loads(Redactor().text(text)) == {"url": f"https://h/o?X-Goog-Signature={MASK}", "next": "x"}


@pytest.mark.parametrize("kind", ["", "RSA ", "EC ", "ENCRYPTED "])
def test_pem_private_keys_are_masked(kind: str) -> None:
    pem = f"-----BEGIN {kind}PRIVATE KEY-----\nMIIEvQIBADANBg\nkqhkiG9w0BAQEF\n-----END {kind}PRIVATE KEY-----"
    assert Redactor().text(f"key:\n{pem}\ndone") == "key:\n[REDACTED-PRIVATE-KEY]\ndone"


def test_pem_public_keys_are_kept() -> None:
    pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----"
    assert Redactor().text(pem) == pem


@pytest.mark.parametrize("member", ["d", "p", "q", "dp", "dq", "qi", "k"])
def test_private_jwk_members_are_masked(member: str) -> None:
    jwk = {"kty": "RSA", "kid": "key-1", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri", "e": "AQAB",
           member: "Rm9vYmFyLXByaXZhdGUtdmFsdWU_-"}
    cleaned = json.loads(Redactor().text(json.dumps(jwk)))
    assert cleaned == {**jwk, member: MASK}


def test_short_jwk_like_members_are_kept() -> None:
    # fewer than 8 characters: no key material (a "k" or "d" of some unrelated document)
    text = json.dumps({"d": "2024", "k": "short"})
    assert Redactor().text(text) == text


@pytest.mark.parametrize("member", SENSITIVE_MEMBERS)
def test_sensitive_json_members_are_masked(member: str) -> None:
    redactor = Redactor()
    for name in (member, member.upper()):
        document = {"id": "obj-1", name: "opaque value/+=", "size": 3}
        for indent in (None, 2):
            cleaned = redactor.text(json.dumps(document, indent=indent))
            assert json.loads(cleaned) == {"id": "obj-1", name: MASK, "size": 3}


@pytest.mark.parametrize("member", ["access_token", "client_secret", "password"])
def test_sensitive_json_members_are_masked_inside_an_escaped_json_string(member: str) -> None:
    body = json.dumps({member: "opaque-value", "other": "kept"})
    outer = json.dumps({"response_body": body})
    assert "\\\"" in outer
    cleaned = Redactor().text(outer)
    assert "opaque-value" not in cleaned
    assert json.loads(json.loads(cleaned)["response_body"]) == {member: MASK, "other": "kept"}


def test_sensitive_member_value_with_escaped_characters_keeps_the_json_valid() -> None:
    # an escaped quote ends a value as a plain one does: the document stays valid JSON
    text = json.dumps({"access_token": 'ab\\cd\n"ef', "n": 1})
    cleaned = Redactor().text(text)
    document = json.loads(cleaned)
    assert document["n"] == 1
    assert document["access_token"].startswith(MASK)
    assert "ab" not in document["access_token"]


def test_empty_sensitive_member_is_left_alone() -> None:
    text = '{"token": ""}'
    assert Redactor().text(text) == text


def test_member_with_a_sensitive_suffix_only_is_not_a_sensitive_member() -> None:
    text = '{"my_token_count": "3"}'
    assert Redactor().text(text) == text


@pytest.mark.parametrize("token", [
    JWT,
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",  # unsecured: empty signature
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9",  # cut short: no signature part
])
def test_jwts_are_masked(token: str) -> None:
    assert Redactor().text(f"visa {token} end") == "visa [REDACTED-JWT] end"


@pytest.mark.parametrize("text", ["eyes.on.you", "eyJhbGciOiJIUzI1NiJ9", "ey.J"])
def test_text_that_only_resembles_a_jwt_is_kept(text: str) -> None:
    assert Redactor().text(text) == text


def test_jwt_inside_json_keeps_it_valid() -> None:
    text = json.dumps({"visa": JWT, "note": f"Bearer {JWT}"})
    assert json.loads(Redactor().text(text)) == {"visa": "[REDACTED-JWT]", "note": "Bearer [REDACTED-JWT]"}


# -- DRS passport bodies -------------------------------------------------------------------------------------


@pytest.mark.parametrize("passports", [["opaque-visa-1"], ["opaque-visa-1", "opaque-visa-2"]])
def test_passports_array_body_is_masked(passports: list[str]) -> None:
    text = json.dumps({"passports": passports, "expand": False})
    cleaned = Redactor().text(text)
    assert json.loads(cleaned) == {"passports": [MASK], "expand": False}


def test_passports_array_body_inside_an_escaped_json_string_is_masked() -> None:
    body = json.dumps({"passports": ["opaque-visa-1", "opaque-visa-2"]})
    outer = json.dumps({"request_body": body, "status": 200})
    cleaned = Redactor().text(outer)
    assert "opaque-visa" not in cleaned
    document = json.loads(cleaned)
    assert document["status"] == 200
    assert json.loads(document["request_body"]) == {"passports": [MASK]}


@pytest.mark.parametrize("count", [1, 2])
def test_passports_array_of_jwts_stays_valid_json(count: int) -> None:
    text = json.dumps({"passports": [JWT] * count})
    assert json.loads(Redactor().text(text)) == {"passports": [MASK]}


@pytest.mark.parametrize("count", [1, 2])
def test_passports_array_of_jwts_inside_an_escaped_json_string_stays_valid(count: int) -> None:
    for indent in (None, 2):
        outer = json.dumps({"request_body": json.dumps({"passports": [JWT] * count, "x": "]"}, indent=indent)})
        cleaned = Redactor().text(outer)
        assert json.loads(json.loads(cleaned)["request_body"]) == {"passports": [MASK], "x": "]"}


@pytest.mark.parametrize("visa", [
    "opaque-visa-registered-as-a-secret",  # replaced by the registered secret's mask first
    f"prefix {LONG_SECRET} suffix",  # a mask in the middle of a string
    'with "quotes" and ] brackets, \\ and \u00e9',
    "already [REDACTED]",
])
def test_passports_array_with_brackets_in_its_strings_stays_valid(visa: str) -> None:
    redactor = Redactor(["opaque-visa-registered-as-a-secret", LONG_SECRET])
    plain = json.dumps({"passports": [visa, JWT], "expand": False})
    assert json.loads(redactor.text(plain)) == {"passports": [MASK], "expand": False}
    outer = json.dumps({"request_body": plain, "status": 200})
    cleaned = json.loads(redactor.text(outer))
    assert cleaned["status"] == 200
    assert json.loads(cleaned["request_body"]) == {"passports": [MASK], "expand": False}


def test_redacting_twice_changes_nothing_more() -> None:
    # the http client redacts evidence, the report writers again and redact_tree a third time
    redactor = Redactor([LONG_SECRET, SHORT_SECRET])
    body = json.dumps({"passports": [JWT], "access_token": "opaque", "d": "Rm9vYmFyLXByaXZhdGU"})
    text = json.dumps({"curl": f"curl -H 'X-Api-Key: {LONG_SECRET}' 'https://tok@h/o?sig=abc'",
                       "request_body": body, "note": "password pw12."})
    once = redactor.text(text)
    assert redactor.text(once) == once
    json.loads(json.loads(once)["request_body"])


# -- the promise: redacting JSON text in place leaves it valid ----------------------------------------------

_FRAGMENTS = [
    JWT, "Bearer abcdefgh", "Basic dXNlcjpwYXNz", '"', "\\", "]", "[", "{", "}", ",", "'", ":", "=", "@", "/",
    " ", "\n", "https://u:p@h/", "?token=abc", "&sig=", "access_token", "token", "client_secret",
    "Authorization: x", "cookie:", "d", "k", "abcdefghij", LONG_SECRET, SHORT_SECRET,
    "passports", '"passports": [', "X-Api-Key: v", "\\n", "https://tok@h", ".", "<",
]
_TEXT = st.lists(st.sampled_from(_FRAGMENTS), max_size=10).map("".join)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_TEXT, children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(document=_JSON, indent=st.sampled_from([None, 2]))
def test_redacting_json_text_keeps_it_valid(document: Any, indent: int | None) -> None:
    redactor = Redactor([LONG_SECRET, SHORT_SECRET])
    text = json.dumps(document, indent=indent)
    cleaned = redactor.text(text)
    json.loads(cleaned)  # raises if the redaction broke the document
    assert LONG_SECRET not in cleaned


@pytest.mark.parametrize("markup, kept", [
    ("<td>https://h.example/o?api_key=abc</td><td>1.0.0</td>", "</td><td>1.0.0</td>"),
    ("<system-out>GET https://h.example/o?X-Amz-Signature=abc</system-out>", "</system-out>"),
    ("<pre>GET /o HTTP/1.1\nAuthorization: Token abc</pre>", "</pre>"),
])
def test_redacting_markup_keeps_the_tags(markup: str, kept: str) -> None:
    cleaned = Redactor().text(markup)
    assert "abc" not in cleaned
    assert cleaned.endswith(kept)


def test_redacted_text_escaped_into_markup_is_redacted_already() -> None:
    # report.html and junit.xml hold redacted text, escaped: the last pass over them changes nothing (a header's
    # value ends where the text's own '<' stood, escaped or not), or it ate the rest of a requirement's text
    raw = "a bearer token in the `Authorization: Bearer <token>` request header (checked with a token)"
    once = Redactor().text(raw)
    assert once.endswith("<token>` request header (checked with a token)")
    page = f"<td>{html.escape(once)}</td>"
    assert Redactor().markup(page) == page
    assert Redactor().markup("<pre>Cookie: a=1&amp;b=secret-value</pre>") == f"<pre>Cookie: {MASK}</pre>"
    # outside markup '&lt;' is text a value may hold: these are two cookies, both masked
    assert Redactor().text("Cookie: pref=a&lt; sid=s3cr3t-session-value") == f"Cookie: {MASK}"


# -- linear time: a large body is scanned once ---------------------------------------------------------------


@pytest.mark.parametrize("unit", [
    "ACGT",  # a sequence: one run of letters (the URL scheme once scanned it once per letter: 58 s for 100 kB)
    "a1", "pw12.", '"passports": [', "cookie ", "https://a", "?token", "<td>?sig=a</td>",
])
def test_a_large_body_is_redacted_in_linear_time(unit: str) -> None:
    body = unit * (1_000_000 // len(unit))
    started = time.perf_counter()
    Redactor([LONG_SECRET, SHORT_SECRET]).text(body)
    assert time.perf_counter() - started < 10  # about 0.1 s; quadratic would take hours


# -- structure, headers and URLs ----------------------------------------------------------------------------


def test_structure_redacts_every_string_and_keeps_literals() -> None:
    redactor = Redactor([LONG_SECRET])
    document: dict[str, Any] = {
        "message": f"got {LONG_SECRET}",
        LONG_SECRET: "a key is redacted too",
        "url": "https://u:p@h.example/o?access_token=abc",
        "nested": [{"visa": JWT}, ("tuple", LONG_SECRET)],
        "n": 3, "f": 1.5, "ok": True, "none": None,
    }
    original = json.loads(json.dumps(document))
    cleaned = redactor.structure(document)
    assert cleaned == {
        "message": f"got {MASK}",
        MASK: "a key is redacted too",
        "url": f"https://{MASK}@h.example/o?access_token={MASK}",
        "nested": [{"visa": "[REDACTED-JWT]"}, ["tuple", MASK]],
        "n": 3, "f": 1.5, "ok": True, "none": None,
    }
    assert json.loads(json.dumps(document)) == original  # the input is not modified
    assert LONG_SECRET not in json.dumps(cleaned)


@pytest.mark.parametrize("value", [None, True, False, 0, 7, 2.5])
def test_structure_leaves_json_literals_untouched(value: Any) -> None:
    assert Redactor(["1234", "true", "null"]).structure(value) is value


def test_structure_of_a_string_equals_text() -> None:
    redactor = Redactor([LONG_SECRET])
    text = f"Authorization: Bearer {LONG_SECRET}"
    assert redactor.structure(text) == redactor.text(text)


def test_headers_masks_sensitive_names_whatever_the_value() -> None:
    redactor = Redactor([LONG_SECRET])
    headers = {
        "Authorization": "x",
        "COOKIE": "a=b",
        "x-api-key": "short",
        "Location": f"https://h.example/o?X-Amz-Signature=abc&id={LONG_SECRET}",
        "Content-Type": "application/json",
    }
    cleaned = redactor.headers(headers)
    assert cleaned == {
        "Authorization": MASK,
        "COOKIE": MASK,
        "x-api-key": MASK,
        "Location": f"https://h.example/o?X-Amz-Signature={MASK}&id={MASK}",
        "Content-Type": "application/json",
    }
    assert headers["Authorization"] == "x"  # a new mapping; the input is kept


def test_url_redacts_userinfo_parameters_and_secrets() -> None:
    redactor = Redactor([LONG_SECRET])
    url = f"https://robot:pw@drs.example.org/ga4gh/drs/v1/objects/{LONG_SECRET}?access_token=abc&expand=true"
    assert redactor.url(url) == f"https://{MASK}@drs.example.org/ga4gh/drs/v1/objects/{MASK}?access_token={MASK}" \
                                "&expand=true"


def test_text_without_anything_sensitive_is_unchanged() -> None:
    text = 'GET https://drs.example.org/ga4gh/drs/v1/objects/abc → 200 OK {"id": "abc", "size": 12}'
    assert Redactor([LONG_SECRET, SHORT_SECRET]).text(text) == text


def test_a_token_shown_as_evidence_survives_every_layer_and_nothing_else_does() -> None:
    """Issue 21.10: a token the harness forged to be refused is evidence; the JSON around it stays valid, a
    real token beside it is still masked, and a registered secret can never be shown."""
    import json

    forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0LXVzZXIifQ."
    real = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZWFsLXVzZXIifQ.c2lnbmF0dXJl"
    redactor = Redactor(["registered-secret-value"])
    redactor.show(forged)
    redactor.show("registered-secret-value")
    assert json.loads(redactor.text(json.dumps({"passports": [forged]}))) == {"passports": [forged]}
    assert json.loads(redactor.text(json.dumps({"passports": [real, forged]}))) == {"passports": [MASK, forged]}
    assert json.loads(redactor.text(json.dumps({"passports": [real]}))) == {"passports": [MASK]}
    inner = json.loads(json.loads(redactor.text(json.dumps(json.dumps({"passports": [real, forged]})))))
    assert inner == {"passports": [MASK, forged]}
    assert redactor.text(f"token {forged} and {real}") == f"token {forged} and [REDACTED-JWT]"
    assert json.loads(redactor.patterns(json.dumps({"passports": [real, forged]}))) == {"passports": [MASK, forged]}
    assert redactor.text("registered-secret-value") == MASK


# -- issue 20: the same text redacted once per redactor, and never stale ----------------------------------


def test_the_same_text_runs_the_patterns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import conformance.redact as redact

    calls: list[str] = []
    real = redact._patterns
    def counted(value: str, **options: Any) -> str:
        calls.append(value)
        return real(value, **options)

    monkeypatch.setattr(redact, "_patterns", counted)
    redactor = Redactor()
    text = "GET https://user:pw@host/x?access_token=abc"
    first = redactor.text(text)
    assert redactor.text(text) == first == redactor.structure({"url": text})["url"]
    assert calls.count(text) == 1


def test_a_secret_added_later_is_masked_in_a_text_redacted_before() -> None:
    redactor = Redactor()
    text = "the key is s3cr3t-value-long-enough here"
    assert redactor.text(text) == text
    redactor.add("s3cr3t-value-long-enough")
    assert redactor.text(text) == f"the key is {MASK} here"


def test_a_token_shown_later_is_kept_in_a_text_redacted_before() -> None:
    redactor = Redactor()
    token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    text = f"passport {token} refused"
    assert MASK in redactor.text(text) or "[REDACTED-JWT]" in redactor.text(text)
    redactor.show(token)
    assert redactor.text(text) == text


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.sampled_from("ab:=eyJBbearic-?&;/\"\\ x@.E0_"), max_size=60))
def test_the_quick_rejection_never_hides_a_match(value: str) -> None:
    import conformance.redact as redact

    assert redact._patterns(value) == every_pattern(value)


def every_pattern(value: str) -> str:
    """Every pattern, pass after pass until one changes nothing: what the quick rejections must not change."""
    import conformance.redact as redact

    for _ in range(redact._PASSES):
        before = value
        for rule in redact._RULES:
            value = rule.pattern.sub(rule.replacement, value)
        if value == before:
            break
    return value


#: Pieces of the texts the patterns look for (their names in other cases, and letters re's IGNORECASE
#: matches to an ASCII one: 'ı', 'ſ', the Kelvin sign), and what stands around them.
_PIECES = ["authorization", "COOKIE", "set-cookie", "x-api-key", "Authorızation", "Cookİe", "apİ_key", "/", ";",
           "\u212aey", "ſecret", ":", ": ",
           " ", "=", "?", "&", "eyJ", "eyJhbGciOi", "abcdef.", ".xyz", "bearer", "Basic", "://", "https", "@", '"',
           "\\", "\\n", "access_token", "Token", "paſſword", "passports", '"passports"', "[", "]", ",",
           "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", '"d"', '"qi"', "abcdefgh12", "\n",
           "<", "sig"]


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_skipping_the_patterns_whose_texts_are_absent_never_hides_a_match(value: str) -> None:
    import conformance.redact as redact

    assert redact._patterns(value) == every_pattern(value)


#: Strings JSON writes as they are (no quote, backslash or control character): their serialised form is their
#: text, where an escape would show a pass over the serialised JSON something the string does not hold
#: ('\\u001f://' a URL scheme, '\\n' no whitespace); the string-by-string pass is the one that reads the text.
_PIECE_TEXTS = st.lists(st.sampled_from([p for p in _PIECES if not re.search(r'["\\\x00-\x1f]', p)] + ["\u2028", "é"]),
                        max_size=12).map("".join)
_JSON = st.recursive(st.none() | st.integers() | _PIECE_TEXTS,
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_PIECE_TEXTS, inner, max_size=4),
                     max_leaves=12)


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(_JSON)
def test_in_a_document_already_cleaned_string_by_string_only_patterns_across_strings_remain(document: Any) -> None:
    """What :meth:`Redactor.patterns` leaves out of its pass over serialised JSON (the patterns that match
    within one string: none matches a quote) finds nothing once :meth:`Redactor.structure` has cleaned every
    string (with a PEM block in the text, split over strings, every pattern runs)."""
    import conformance.redact as redact

    for indent in (2, None):
        serialised = json.dumps(Redactor().structure(document), indent=indent, ensure_ascii=False)
        assert redact._patterns(serialised) == redact._patterns_across_strings(serialised)


def test_every_character_a_pattern_matches_to_a_letter_is_that_letter_once_folded() -> None:
    import string
    import sys

    import conformance.redact as redact

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for letter in string.ascii_lowercase:
        for found in set(re.findall(f"(?i){letter}", every)):
            assert redact._folded(found) == letter, (hex(ord(found)), letter)


def test_a_mask_that_leaves_a_match_for_an_earlier_pattern_is_followed_by_it() -> None:
    """The query parameter's mask takes the '/' that ended the userinfo: the userinfo is masked all the
    same, in a text and in a JSON report (where a second pass over the serialised JSON used to catch it)."""
    url = "https://h;sig=a/b&admin:hunter2@example.org/"
    assert "hunter2" not in Redactor().text(url)
    document = Redactor().structure({"v": url})
    assert "hunter2" not in Redactor().patterns(json.dumps(document, indent=2, ensure_ascii=False))


def test_a_dotted_capital_i_hides_no_header_or_member() -> None:
    assert Redactor().text("Cookİe: sessionid=abcdef123456") == f"Cookİe: {MASK}"
    document = json.dumps(Redactor().structure({"apİ_key": "sk_live_abcdef123456"}), indent=2, ensure_ascii=False)
    assert "sk_live" not in Redactor().patterns(document)


def test_a_header_right_after_a_private_key_is_masked_too() -> None:
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----"
    assert Redactor().text(f"{pem}Authorization: hunter2") == f"[REDACTED-PRIVATE-KEY]Authorization: {MASK}"
    split = json.dumps([pem.split("\n")[0], f"{pem.split(chr(10))[-1]}Authorization: hunter2"])
    assert "hunter2" not in Redactor().patterns(split)


def test_each_pattern_says_what_its_matches_hold() -> None:
    import conformance.redact as redact

    rules = redact._RULES + redact._MARKUP_RULES
    assert all(rule.needs for rule in rules)
    assert all(text == redact._folded(text) for rule in rules for text in rule.needs)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(alphabet="ab.", min_size=1, max_size=20), min_size=8, max_size=20, unique=True),
       st.one_of(st.text(alphabet="ab.", max_size=60), st.text(alphabet="ab.", min_size=4096, max_size=4200)))
def test_the_tokens_found_in_a_text_are_those_in_it(tokens: list[str], value: str) -> None:
    from conformance.redact import _by_head, _present

    value = value + tokens[0] + "." + tokens[-1][:-1]
    expected = [token for token in tokens if token in value]
    assert _present(tokens, value) == expected
    assert _present(tokens, value, _by_head(tokens)) == expected


#: Secrets, some of which share their first 16 characters (one head, several tokens).
_SECRETS = st.lists(st.one_of(st.text(alphabet="ab.[]", min_size=4, max_size=16),
                              st.builds(str.__add__, st.sampled_from(["a" * 16, "ab.[" * 4]),
                                        st.text(alphabet="ab.[]", max_size=6))),
                    min_size=8, max_size=16, unique=True)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(_SECRETS, st.lists(st.integers(0, 15), max_size=6), st.text(alphabet="ab. ", max_size=40))
def test_many_secrets_are_masked_as_one_after_another(secrets: list[str], picks: list[int], filler: str) -> None:
    # sought by their heads, the secrets are still replaced as the plain loop replaced them: longest first, each
    # sought in the text the ones before it left (a mask can cut a later secret short)
    from conformance.redact import SUBSTRING_MIN, _patterns, _whole_word

    redactor = Redactor(secrets)
    value = filler.join(secrets[i % len(secrets)] for i in picks) + filler
    masked = redactor._masked(value)
    expected = value
    for secret in redactor._ordered or []:
        if secret in expected:
            expected = (expected.replace(secret, MASK) if len(secret) >= SUBSTRING_MIN
                        else re.sub(_whole_word(secret), MASK, expected))
    assert masked == _patterns(expected)


def test_a_text_as_long_as_a_token_is_searched_for_it() -> None:
    from conformance.redact import _by_head, _present

    tokens = [f"token-{n:02}-" + "x" * n for n in range(10)]
    for token in tokens:
        assert _present(tokens, token, _by_head(tokens)) == [t for t in tokens if t in token]
        assert _present(tokens, token[:-1], _by_head(tokens)) == [t for t in tokens if t in token[:-1]]


def test_a_secret_a_mask_completes_is_masked_as_before() -> None:
    # one after another, a later secret was sought in the text the earlier ones' masks made
    first, later = "q" * 20, "ACTED]" + "z" * 8
    redactor = Redactor([first, later, *(f"filler-secret-{n:02}" for n in range(8))])
    assert redactor._masked(f"{first}{'z' * 8}") == f"[RED{MASK}"


def test_a_text_shorter_than_every_shown_token_is_not_searched_for_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import conformance.redact as redact

    searched: list[str] = []
    real = redact._present
    token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

    def present(tokens: list[str], value: str, *heads: Any) -> list[str]:
        if token in tokens:  # sought as a shown token (the secrets are sought through this function too)
            searched.append(value)
        return real(tokens, value, *heads)

    monkeypatch.setattr(redact, "_present", present)
    redactor = Redactor()
    redactor.show(token)
    assert redactor.text("short text") == "short text"
    assert redactor.text(f"passport {token}") == f"passport {token}"
    assert searched == [f"passport {token}"]


def test_what_a_redactor_remembers_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import conformance.redact as redact

    monkeypatch.setattr(redact, "_CACHED_CHARS", 10_000)
    redactor = Redactor()
    redactor.text("x" * (redact._CACHED_TEXT_CHARS + 1))
    assert redactor._texts == {}
    for index in range(1_000):
        assert redactor.text(f"body {index:04} " + "y" * 90) == f"body {index:04} " + "y" * 90
    assert sum(len(text) for text in redactor._texts) <= 10_000



def test_a_secret_registered_while_a_text_is_redacted_waits_for_that_redaction(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A view fetching answers side by side registers a secret one answer hands out while another thread
    redacts: the registration waits until the redaction in progress has ended, whose lookup tables of the
    secrets it would otherwise reset half-way (a crash, or a secret looked for in a table made without it)."""
    import threading

    import conformance.redact as redact

    secrets = [f"registered-secret-{n:02d}-abcdefgh" for n in range(redact._GROUPED_FROM)]
    redactor = Redactor(secrets)
    entered, release = threading.Event(), threading.Event()
    by_head = redact._by_head

    def slow_by_head(tokens: list[str]) -> Any:
        made = by_head(tokens)
        if not entered.is_set():
            entered.set()
            release.wait(5)
        return made

    monkeypatch.setattr(redact, "_by_head", slow_by_head)
    outcome: dict[str, Any] = {}

    def redact_one() -> None:
        try:
            outcome["text"] = redactor.text(f"first {secrets[0]} last")
        except Exception as exc:  # what the race gave without the lock: None taken for the secrets' table
            outcome["error"] = exc

    first = threading.Thread(target=redact_one)
    first.start()
    assert entered.wait(5)
    late = "handed-out-later-0123456789"
    adding = threading.Thread(target=redactor.add, args=(late,))
    adding.start()
    adding.join(0.2)
    assert adding.is_alive()  # waiting for the redaction in progress
    release.set()
    first.join(5)
    adding.join(5)
    assert not first.is_alive() and not adding.is_alive()
    assert outcome == {"text": f"first {MASK} last"}
    assert redactor.text(f"{late} and {secrets[1]}") == f"{MASK} and {MASK}"


def test_a_redactor_pickles_without_its_lock_and_works_after() -> None:
    import pickle

    redactor = Redactor(["registered-secret-0123456789"])
    again = pickle.loads(pickle.dumps(redactor))
    assert again.text("x registered-secret-0123456789 y") == f"x {MASK} y"
    again.add("another-secret-0123456789")
    assert again.text("another-secret-0123456789") == MASK


# -- the head of a longer text ----------------------------------------------------------------------------------


def test_a_cut_text_ending_in_the_head_of_a_secret_masks_that_head() -> None:
    redactor = Redactor([LONG_SECRET])
    assert redactor.cut(f"before {LONG_SECRET[:9]}") == f"before {MASK}"
    assert redactor.cut(f"{LONG_SECRET} then {LONG_SECRET[:PARTIAL_MIN]}") == f"{MASK} then {MASK}"
    assert redactor.cut(f"x {LONG_SECRET[:8]}\ufffd") == f"x {MASK}"  # a character cut in its bytes
    assert redactor.cut(f"before {LONG_SECRET[:PARTIAL_MIN - 1]}") == f"before {LONG_SECRET[:PARTIAL_MIN - 1]}"
    assert redactor.cut(f"{LONG_SECRET[:9]} not at the end") == f"{LONG_SECRET[:9]} not at the end"


def test_a_cut_text_masks_the_head_of_any_form_of_a_secret() -> None:
    secret = "p@ss/w0rd with spaces"
    redactor = Redactor([secret])
    assert redactor.cut("seen " + quote(secret, safe="")[:10]) == f"seen {MASK}"
    assert redactor.cut("seen " + base64.b64encode(secret.encode()).decode()[:10]) == f"seen {MASK}"


def test_a_parameter_a_ga4gh_api_defines_is_shown() -> None:
    """TES 1.1.0 ListTasks tag_key ends like a key's name but is a tag's: the evidence and its curl line keep
    it, while credential-named parameters around it stay masked and a registered secret is masked anywhere."""
    redactor = Redactor()
    redactor.add("registered-secret-value-42")
    assert redactor.text("https://tes.example.org/v1/tasks?tag_key=project&tag_value=demo&api_key=k1234567") == \
        f"https://tes.example.org/v1/tasks?tag_key=project&tag_value=demo&api_key={MASK}"
    assert "registered-secret-value-42" not in redactor.text("https://t.example.org/?tag_key=registered-secret-value-42")
