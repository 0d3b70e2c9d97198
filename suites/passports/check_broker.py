"""Broker checks: OIDC discovery and keys, the Passport-Scoped Access Token, UserInfo, token exchange
and the Passport JWT (AAI OIDC Profile 1.2; GA4GH Passport 1.2)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from conformance import Response, check, fail

from . import jose
from .check_visas import issuer_key_problem, published_key_problem
from .view import Broker

REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
                     "subject_types_supported", "id_token_signing_alg_values_supported")


# -- discovery and keys ---------------------------------------------------------------------------------


@check("passports.broker.discovery-document-served")
def test_discovery_document_is_served(broker: Broker) -> None:
    """GET {issuer}/.well-known/openid-configuration answers 200 with a JSON object (AAI 1.2 §Conformance
    for Brokers: Brokers MUST support OIDC Discovery)."""
    response = broker.anonymous.get(broker.issuer_url + "/.well-known/openid-configuration")
    if response.status != 200:
        raise fail(f"the discovery document answered {response.status}, not 200", response)
    if not isinstance(response.json(), dict):
        raise fail("the discovery document is not a JSON object", response)


@check("passports.broker.discovery-issuer-matches")
def test_discovery_issuer_is_the_issuer_url(broker: Broker) -> None:
    """The discovery `issuer` equals the URL it was fetched from (OIDC Discovery 1.0 §4.3, required by
    AAI 1.2 §Conformance for Brokers)."""
    document, response = broker.discovery()
    if str(document.get("issuer", "")).rstrip("/") != broker.issuer_url:
        raise fail(f"the discovery issuer {document.get('issuer')!r} is not the issuer URL {broker.issuer_url!r}",
                   response)


@check("passports.broker.discovery-has-jwks-uri")
def test_discovery_names_a_working_jwks_uri(broker: Broker) -> None:
    """The discovery document has a `jwks_uri` that answers a JWK Set (AAI 1.2 §Conformance for Brokers)."""
    document, response = broker.discovery()
    uri = document.get("jwks_uri")
    if not isinstance(uri, str) or not uri:
        raise fail("the discovery document has no jwks_uri", response,
                   caused_by="passports.broker.discovery-required-metadata")
    answer = broker.anonymous.get(uri)
    if answer.status != 200 or not isinstance(answer.json(), dict):
        raise fail(f"the jwks_uri answered {answer.status} without a JSON key set", answer)


@check("passports.broker.discovery-required-metadata")
def test_discovery_has_required_metadata(broker: Broker) -> None:
    """The discovery document carries the OIDC Discovery REQUIRED members (AAI 1.2 §Conformance for
    Brokers; OIDC Discovery 1.0 §3)."""
    document, response = broker.discovery()
    missing = [name for name in REQUIRED_METADATA if name not in document]
    if missing:
        raise fail(f"the discovery document lacks the required member(s) {', '.join(missing)}", response)


@check("passports.broker.discovery-has-userinfo-endpoint")
def test_discovery_names_userinfo_and_token_endpoints(broker: Broker) -> None:
    """Brokers MUST support a Token Endpoint and a UserInfo Endpoint (AAI 1.2 §Conformance for Brokers)."""
    document, response = broker.discovery()
    missing = [n for n in ("userinfo_endpoint", "token_endpoint") if not isinstance(document.get(n), str)]
    if missing:
        raise fail(f"the discovery document names no {' and no '.join(missing)}", response)


@check("passports.broker.discovery-id-token-algs-include-rs256")
def test_discovery_id_token_algs_include_rs256(broker: Broker) -> None:
    """`id_token_signing_alg_values_supported` includes RS256 (OIDC Discovery 1.0 §3: "The algorithm RS256
    MUST be included"; adopted by AAI 1.2 §Conformance for Brokers: Brokers MUST support OIDC Discovery)."""
    document, response = broker.discovery()
    algs = document.get("id_token_signing_alg_values_supported")
    if not isinstance(algs, list):
        pytest.skip("the discovery document has no id_token_signing_alg_values_supported list (see "
                    "passports.broker.discovery-required-metadata)")
    if "RS256" not in algs:
        raise fail(f"id_token_signing_alg_values_supported is {algs!r}, without RS256", response)


@check("passports.broker.jwks-is-valid-key-set")
def test_jwks_is_a_key_set(broker: Broker) -> None:
    """The jwks_uri answers a JWK Set: a `keys` array of JWKs, each with `kty` (RFC 7517 §5, §4.1: "This
    member MUST be present in a JWK"; AAI 1.2 §Conformance for Brokers). A key without `kid` is no
    deviation (RFC 7517 §4.5: OPTIONAL); the kid AAI 1.2 requires is the access token's header's
    (passports.broker.access-token-kid), which must name a published key."""
    document, response = broker.jwks()
    keys = document.get("keys")
    if not isinstance(keys, list) or not keys:
        raise fail("the JWK Set has no non-empty keys array", response)
    for index, key in enumerate(keys):
        if not isinstance(key, dict) or not key.get("kty"):
            raise fail(f"key {index} of the JWK Set has no kty", response)


@check("passports.broker.jwks-kids-distinct")
def test_jwks_kids_are_distinct(broker: Broker) -> None:
    """Keys in the JWK Set use distinct kid values (RFC 7517 §4.5; keys of different kty may share one)."""
    document, response = broker.jwks()
    kids = [(k.get("kid"), k.get("kty")) for k in document.get("keys") or [] if isinstance(k, dict) and k.get("kid")]
    duplicates = sorted({str(k[0]) for k in kids if kids.count(k) > 1})
    if duplicates:
        raise fail(f"the JWK Set repeats kid {', '.join(duplicates)}", response)


@check("passports.broker.jwks-has-no-private-keys")
def test_jwks_publishes_no_private_material(broker: Broker) -> None:
    """No published key carries private or symmetric members (AAI 1.2 §Security Considerations; RFC 7517
    §5; RFC 7518 §6.2.2, §6.3.2, §6.4)."""
    document, response = broker.jwks()
    for index, key in enumerate(document.get("keys") or []):
        leaked = [m for m in jose.PRIVATE_JWK_MEMBERS if isinstance(key, dict) and m in key]
        if leaked or (isinstance(key, dict) and key.get("kty") == "oct"):
            raise fail(f"key {index} of the public JWK Set carries private member(s) {', '.join(leaked) or 'k'}",
                       response)


def _broker_tokens(broker: Broker) -> dict[str, str]:
    """The JWTs the broker signs that the harness holds: access token, Passport and the broker's own visas."""
    tokens: dict[str, str] = {}
    for name, get in (("the access token", broker.bearer_token), ("the Passport", lambda: broker.passport()[0])):
        try:
            tokens[name] = get()
        except pytest.skip.Exception:
            continue
    try:
        visas, _ = broker.visas()
    except pytest.skip.Exception:
        visas = []
    for index, visa in enumerate(visas):
        try:
            if str(jose.split(visa).payload.get("iss", "")).rstrip("/") == broker.issuer_url:
                tokens[f"visa {index}"] = visa
        except jose.TokenFormatError:
            continue
    return tokens


#: the check of each token's alg, by the name _broker_tokens gives it (a visa's: passports.visa.alg-is-rs256-or-es256)
_ALG_CHECKS = {"the access token": "passports.broker.access-token-alg",
               "the Passport": "passports.passport.alg-is-rs256-or-es256"}


@check("passports.broker.jwks-keys-fit-allowed-algs")
def test_jwks_keys_fit_rs256_or_es256(broker: Broker) -> None:
    """The keys that sign the broker's access token, Passport and visas fit RS256 (RSA, at least 2048 bits)
    or ES256 (P-256) (AAI 1.2 §Signing Algorithms; RFC 7518 §3.3). Other published keys (ID tokens,
    encryption) are not judged."""
    _, response = broker.jwks()
    keys = broker.signing_keys()
    judged = signed = 0
    consequence: tuple[str, str] | None = None
    for name, token in _broker_tokens(broker).items():
        try:
            key = jose.verifying_key(token, keys)
            alg = jose.split(token).header.get("alg")
        except jose.TokenFormatError:
            continue
        signed += 1
        if key is None:
            continue  # the signature checks report it
        judged += 1
        raw: Any = key.key.key
        if isinstance(raw, rsa.RSAPublicKey) and raw.key_size < 2048:
            raise fail(f"{name} is signed with key {key.kid!r}, a {raw.key_size}-bit RSA key; RS256 needs at "
                       "least 2048 bits", response)
        problem = ""
        if isinstance(raw, ec.EllipticCurvePublicKey) and raw.curve.name != "secp256r1":
            problem = f"{name} is signed with key {key.kid!r}, on curve {raw.curve.name}, not P-256 (ES256)"
        elif "alg" in key.jwk and key.jwk["alg"] not in jose.ALLOWED_ALGS:
            problem = (f"{name} is signed with key {key.kid!r}, which declares alg {key.jwk['alg']!r}, neither "
                       "RS256 nor ES256")
        if problem and alg in jose.ALLOWED_ALGS:
            raise fail(problem, response)
        if problem and consequence is None:
            # the key verifies the token's own alg (jose.key_fits): a token signed ES384 needs a P-384 key, one
            # whose key declares RS512 is signed RS512. The token's alg check names that one root cause.
            consequence = (problem, _ALG_CHECKS.get(name, "passports.visa.alg-is-rs256-or-es256"))
    if consequence is not None:
        raise fail(consequence[0], response, caused_by=consequence[1])
    if not signed:  # issue 19: oidc-provider's opaque token, and no Passport or visa
        pytest.skip("the broker handed out no JWS token (access token, Passport or visa) to judge the keys of")
    if not judged:
        pytest.skip("no token of the broker verifies with a key of its JWK Set")


def _is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


@check("passports.broker.endpoints-use-https")
def test_endpoints_use_https(broker: Broker) -> None:
    """issuer, jwks_uri, token and userinfo endpoints and the jku of the broker's own visas are https URLs
    (AAI 1.2 §Relevant Specifications: TLS). Loopback test deployments are exempt."""
    document, response = broker.discovery()
    urls = {name: document.get(name) for name in ("issuer", "jwks_uri", "token_endpoint", "userinfo_endpoint")}
    try:
        visas, _ = broker.visas()
    except pytest.skip.Exception:
        visas = []
    for index, visa in enumerate(visas):
        try:
            parts = jose.split(visa)
        except jose.TokenFormatError:
            continue
        jku = parts.header.get("jku")
        if isinstance(jku, str) and str(parts.payload.get("iss", "")).rstrip("/") == broker.issuer_url:
            urls[f"visa {index} jku"] = jku  # other issuers' visas are relayed as is (AAI 1.2)
    for name, url in urls.items():
        if isinstance(url, str) and urlsplit(url).scheme != "https" and not _is_loopback(url):
            raise fail(f"the {name} {url!r} is not an https URL", response)


# -- the passport-scoped access token ---------------------------------------------------------------------


def _split_access_token(token: str) -> jose.Parts:
    try:
        return jose.split(token)
    except jose.TokenFormatError:
        pytest.skip("the access token is not a JWS (see passports.broker.access-token-is-jws)")


def _is_jws(token: str) -> bool:
    try:
        jose.split(token)
    except jose.TokenFormatError:
        return False
    return True


def _access_parts(broker: Broker) -> tuple[jose.Parts, Response]:
    """The access token's header and payload, with the broker's answer to it (the evidence)."""
    token, response = broker.access_token()
    return _split_access_token(token), response


@check("passports.broker.access-token-is-jws")
def test_access_token_is_a_jws(broker: Broker) -> None:
    """The Passport-Scoped Access Token is a JWS Compact Serialization JWT (AAI 1.2 §Passport-Scoped
    Access Token)."""
    token, response = broker.access_token()
    try:
        jose.split(token)
    except jose.TokenFormatError as exc:
        raise fail(f"the access token is not a JWS: {exc}", response) from None


@check("passports.broker.access-token-typ")
def test_access_token_has_typ(broker: Broker) -> None:
    """The access token header carries `typ`: "typ: REQUIRED" (AAI 1.2 §Passport-Scoped Access Token)."""
    parts, response = _access_parts(broker)
    typ = parts.header.get("typ")
    if not isinstance(typ, str) or not typ:
        raise fail(f"the access token header has no typ ({typ!r})", response)


@check("passports.broker.access-token-typ-value")
def test_access_token_typ_value(broker: Broker) -> None:
    """The access token's `typ` "should be either JWT or at+jwt" (AAI 1.2 §Passport-Scoped Access Token)."""
    parts, response = _access_parts(broker)
    typ = parts.header.get("typ")
    if not isinstance(typ, str) or not typ:
        pytest.skip("the access token has no typ (see passports.broker.access-token-typ)")
    if typ.lower() not in ("jwt", "at+jwt", "application/at+jwt"):
        raise fail(f"the access token typ is {typ!r}, not JWT or at+jwt", response)


@check("passports.broker.access-token-kid")
def test_access_token_kid(broker: Broker) -> None:
    """The access token header has a `kid` naming a published key (AAI 1.2 §Passport-Scoped Access Token)."""
    parts, response = _access_parts(broker)
    kid = parts.header.get("kid")
    if kid is None:
        raise fail("the access token header has no kid", response)
    if str(kid) not in broker.kids():
        raise fail(f"the access token kid {kid!r} names no key of the broker's JWK Set", broker.jwks()[1])


@check("passports.broker.access-token-alg")
def test_access_token_alg(broker: Broker) -> None:
    """The access token `alg` is RS256 or ES256 (AAI 1.2 §Signing Algorithms)."""
    parts, response = _access_parts(broker)
    alg = parts.header.get("alg")
    if alg not in jose.ALLOWED_ALGS:
        raise fail(f"the access token is signed {alg!r}, neither RS256 nor ES256", response)


@check("passports.broker.access-token-signature-verifies")
def test_access_token_signature_verifies(broker: Broker) -> None:
    """The access token verifies with the key its kid selects from the jwks_uri (AAI 1.2
    §Passport-Scoped Access Token)."""
    token = broker.bearer_token()
    _split_access_token(token)
    problem = jose.signature_problem(token, broker.signing_keys())
    if problem == "":
        pytest.skip("the access token alg is not an asymmetric signature (see passports.broker.access-token-alg)")
    if problem:
        wrong_alg = _split_access_token(token).header.get("alg") not in jose.ALLOWED_ALGS
        raise fail(f"the access token does not verify: {problem}", broker.jwks()[1],
                   caused_by="passports.broker.access-token-alg" if wrong_alg else None)


@check("passports.broker.access-token-required-claims")
def test_access_token_required_claims(broker: Broker) -> None:
    """The access token has iss, sub, iat, exp and scope (AAI 1.2 §Passport-Scoped Access Token)."""
    parts, response = _access_parts(broker)
    missing = [c for c in ("iss", "sub", "iat", "exp", "scope") if c not in parts.payload]
    if missing:
        raise fail(f"the access token lacks the required claim(s) {', '.join(missing)}", response)


@check("passports.broker.access-token-iss-discoverable")
def test_access_token_iss_is_discoverable(broker: Broker) -> None:
    """The access token `iss` with .well-known/openid-configuration appended yields the broker's discovery
    document (AAI 1.2 §Passport-Scoped Access Token)."""
    iss = _split_access_token(broker.bearer_token()).payload.get("iss")
    if not isinstance(iss, str):
        pytest.skip("the access token has no iss (see passports.broker.access-token-required-claims)")
    if not broker.may_fetch(iss):
        pytest.skip(f"the access token iss {iss!r} is not the broker's origin; the harness does not fetch it")
    response = broker.anonymous.get(iss.rstrip("/") + "/.well-known/openid-configuration")
    if response.status != 200:
        same = iss.rstrip("/") == broker.issuer_url  # the broker's own discovery document, judged there
        raise fail(f"the discovery document of the access token iss answered {response.status}", response,
                   caused_by="passports.broker.discovery-document-served" if same else None)


@check("passports.broker.access-token-scope-has-openid-and-passport")
def test_access_token_scope(broker: Broker) -> None:
    """The access token scope contains openid and ga4gh_passport_v1 (AAI 1.2 §Passport-Scoped Access Token;
    §Conformance for Brokers 1.3: "A Broker MUST issue Passport-Scoped Access Tokens"). An opaque token is
    judged by the scope the token endpoint said it granted (RFC 6749 §5.1)."""
    token, _ = broker.access_token()
    granted = broker.granted_scope()
    if not _is_jws(token) and granted is not None:
        # issue 19: oidc-provider-mock grants "openid" only, and its opaque token carries no scope claim
        missing = [s for s in ("openid", "ga4gh_passport_v1") if s not in granted[0]]
        if missing:
            raise fail(f"the token endpoint granted the scope {' '.join(granted[0])!r}, without "
                       f"{' and '.join(missing)}", granted[1])
        return
    parts, response = _access_parts(broker)
    scope = parts.payload.get("scope")
    if not isinstance(scope, str):
        pytest.skip("the access token has no scope (see passports.broker.access-token-required-claims)")
    missing = [s for s in ("openid", "ga4gh_passport_v1") if s not in scope.split()]
    if missing:
        raise fail(f"the access token scope {scope!r} lacks {' and '.join(missing)}", response)


@check("passports.broker.access-token-has-no-ga4gh-claims")
def test_access_token_has_no_ga4gh_claims(broker: Broker) -> None:
    """The access token carries neither ga4gh_passport_v1 nor ga4gh_visa_v1 (AAI 1.2 §Passport-Scoped
    Access Token: GA4GH Claims MUST NOT be included)."""
    parts, response = _access_parts(broker)
    found = [c for c in ("ga4gh_passport_v1", "ga4gh_visa_v1") if c in parts.payload]
    if found:
        raise fail(f"the access token carries the GA4GH claim(s) {', '.join(found)}", response)


@check("passports.broker.access-token-aud-contains-client-id")
def test_access_token_aud_names_the_client(broker: Broker) -> None:
    """An access token `aud`, when present, contains the OAuth Client ID of the relying party (AAI 1.2
    §Passport-Scoped Access Token): judged for a token the harness obtained with the client of
    auth.client_id_env, the relying party it was issued to; a token the profile gives may have been issued to
    another client."""
    parts, response = _access_parts(broker)
    aud = parts.payload.get("aud")
    client_id = broker.service.auth.secret("client_id_env")
    if aud is None or not client_id:
        pytest.skip("the access token has no aud, or the profile gives no client id")
    if broker.token_source() == "auth.bearer_token_env":
        pytest.skip("the access token is the one the profile gives (auth.bearer_token_env): the client it was "
                    "issued to, whose id its aud must contain, may be another than auth.client_id_env; give "
                    "auth.refresh_token_env instead for the harness to obtain one with its own client")
    audiences = aud if isinstance(aud, list) else [aud]
    if client_id not in audiences:
        raise fail("the access token aud does not contain the client id the profile gives", response)


@check("passports.broker.access-token-has-jti")
def test_access_token_has_jti(broker: Broker) -> None:
    """The access token has a jti (AAI 1.2 §Passport-Scoped Access Token: RECOMMENDED)."""
    parts, response = _access_parts(broker)
    if "jti" not in parts.payload:
        raise fail("the access token has no jti", response)


# -- userinfo -----------------------------------------------------------------------------------------------


def _encrypted(response: Response) -> bool:
    """Whether an answer is an encrypted JWT: application/jwt in JWE Compact Serialization (five parts, RFC 7516
    §7.1), which only the client it is encrypted to can read."""
    return response.content_type == "application/jwt" and response.text.strip().count(".") == 4


@check("passports.broker.userinfo-returns-passport-claim")
def test_userinfo_returns_the_passport_claim(broker: Broker) -> None:
    """UserInfo with a Passport-Scoped Access Token answers 200 with a ga4gh_passport_v1 list (AAI 1.2
    §Visas provided by a Broker via UserInfo Endpoint). A refusal of the token of the client_credentials grant
    is no deviation: that token authenticates no End-User (OIDC Core 1.0 §5.3)."""
    granted = broker.granted_scope()
    if granted is not None and "ga4gh_passport_v1" not in granted[0]:
        pytest.skip(f"the token endpoint granted the scope {' '.join(granted[0])!r}: the access token is not "
                    "passport-scoped, and UserInfo owes visas only for a Passport-Scoped Access Token (see "
                    "passports.broker.access-token-scope-has-openid-and-passport)")
    body, response = broker.userinfo()
    if response.status in (401, 403) and broker.token_source() == "the client_credentials grant":
        # issue 19: oidc-provider refuses a client's token at UserInfo, rightly: it names no End-User.
        pytest.skip(f"userinfo answered {response.status} to the token of the client_credentials grant, which "
                    "authenticates no End-User (UserInfo returns claims about the authenticated End-User: OIDC "
                    "Core 1.0 §5.3); give a test user's token (auth.bearer_token_env or auth.refresh_token_env)")
    expired = broker.expired_token()
    if response.status != 200 and expired:
        pytest.skip(f"userinfo answered {response.status}: {expired}")
    if response.status != 200:
        raise fail(f"userinfo answered {response.status} to a valid passport-scoped access token", response)
    if body is None and _encrypted(response):
        pytest.skip("userinfo answered an encrypted JWT (JWE): OIDC Core 1.0 §5.3.2 lets a UserInfo Response be "
                    "signed and/or encrypted, and the harness holds no key of the client to decrypt it")
    if not isinstance(body, dict) or not isinstance(body.get("ga4gh_passport_v1"), list):
        raise fail("the userinfo answer has no ga4gh_passport_v1 list", response)


@check("passports.broker.userinfo-json-when-token-exchange")
def test_userinfo_is_json_when_token_exchange_exists(broker: Broker) -> None:
    """With Token Exchange, UserInfo answers application/json (AAI 1.2 §Visas provided by a Broker via
    UserInfo Endpoint: RECOMMENDED)."""
    broker.exchanged()
    _, response = broker.userinfo()
    if response.status == 200 and response.content_type != "application/json":
        neither = response.content_type != "application/jwt"  # no UserInfo content type at all: judged there
        raise fail(f"userinfo answers {response.content_type!r} although the broker offers token exchange",
                   response, caused_by="passports.broker.userinfo-content-type" if neither else None)


@check("passports.broker.userinfo-visas-are-jws-strings")
def test_userinfo_visas_are_jws_strings(broker: Broker) -> None:
    """Every element of the userinfo ga4gh_passport_v1 list is a JWS string (Passport 1.2 §Visa
    Requirements)."""
    body, response = broker.userinfo()
    visas = body.get("ga4gh_passport_v1") if isinstance(body, dict) else None
    if not isinstance(visas, list):
        pytest.skip("userinfo has no ga4gh_passport_v1 list (see passports.broker.userinfo-returns-passport-claim)")
    for index, visa in enumerate(visas):
        if not isinstance(visa, str):
            raise fail(f"userinfo visa {index} is a JSON {type(visa).__name__}, not a JWS string", response)


def _userinfo_answered(broker: Broker) -> tuple[Any, Response]:
    """The userinfo answer to the valid token, skipping when it is not a success (judged by
    passports.broker.userinfo-returns-passport-claim)."""
    body, response = broker.userinfo()
    if not 200 <= response.status < 300:
        pytest.skip(f"userinfo answered {response.status} to the access token (see "
                    "passports.broker.userinfo-returns-passport-claim)")
    return body, response


@check("passports.broker.userinfo-has-sub")
def test_userinfo_has_sub(broker: Broker) -> None:
    """A UserInfo response carries `sub` (OIDC Core 1.0 §5.3.2: "The sub (subject) Claim MUST always be
    returned in the UserInfo Response"; AAI 1.2 §Conformance for Brokers: Brokers MUST conform to OIDC Core)."""
    body, response = _userinfo_answered(broker)
    if not isinstance(body, dict):
        pytest.skip("the userinfo answer is neither a JSON object nor a JWT with claims (see "
                    "passports.broker.userinfo-returns-passport-claim)")
    sub = body.get("sub")
    if not isinstance(sub, str) or not sub:
        raise fail(f"the userinfo answer has no sub claim (sub is {sub!r})", response)


@check("passports.broker.userinfo-content-type")
def test_userinfo_content_type(broker: Broker) -> None:
    """A successful UserInfo response is application/json or application/jwt (AAI 1.2 §Visas provided by a
    Broker via UserInfo Endpoint; OIDC Core 1.0 §5.3.2)."""
    _, response = _userinfo_answered(broker)
    if response.content_type not in ("application/json", "application/jwt"):
        raise fail(f"userinfo answered the content type {response.content_type or '(none)'!r}, neither "
                   "application/json nor application/jwt", response)


_BEARER_CHALLENGE = re.compile(r"(?:^|,)\s*bearer(?:\s|,|$)", re.IGNORECASE)


def _userinfo_refusals(broker: Broker) -> list[tuple[str, Response]]:
    """UserInfo's answers to a request without a token and to a forged token, after the positive control."""
    token = forged(_userinfo_control(broker))
    url = broker.credential_endpoint("userinfo_endpoint")
    return broker.memo("userinfo-refusals", lambda: [
        ("a request without a token", broker.anonymous.get(url, follow_redirects=False)),
        ("a forged token", broker.anonymous.get(url, headers={"Authorization": f"Bearer {token}"},
                                                 follow_redirects=False))])


@check("passports.broker.userinfo-401-has-bearer-challenge")
def test_userinfo_401_has_bearer_challenge(broker: Broker) -> None:
    """A 401 from UserInfo to a request without a token or with a forged one carries WWW-Authenticate with
    a Bearer challenge (OIDC Core 1.0 §5.3.3: errors as in RFC 6750 §3, where the resource server MUST
    include WWW-Authenticate and challenges MUST use the auth-scheme Bearer; AAI 1.2 §Conformance for
    Brokers). Judged only when the valid token is answered."""
    seen = False
    for what, response in _userinfo_refusals(broker):
        if response.status != 401:
            continue
        seen = True
        challenge = response.headers.get("WWW-Authenticate", "")
        if not challenge:
            raise fail(f"userinfo answered 401 to {what} with no WWW-Authenticate header", response)
        if not _BEARER_CHALLENGE.search(challenge):
            raise fail(f"userinfo's 401 to {what} has WWW-Authenticate {challenge[:80]!r}, without a Bearer "
                       "challenge", response)
    if not seen:
        pytest.skip("userinfo answered no 401 to a request without a token or with a forged one (a refusal is "
                    "judged by passports.broker.userinfo-refuses-missing-token and -forged-token)")


@check("passports.broker.userinfo-invalid-token-is-401")
def test_userinfo_invalid_token_is_401(broker: Broker) -> None:
    """UserInfo refuses a forged access token with 401 (RFC 6750 §3.1 invalid_token: "The resource SHOULD
    respond with the HTTP 401 (Unauthorized) status code"; via OIDC Core 1.0 §5.3.3)."""
    _, response = _userinfo_refusals(broker)[1]
    if 200 <= response.status < 300:
        pytest.skip("userinfo answered the forged token (see passports.broker.userinfo-refuses-forged-token)")
    if response.status != 401:
        raise fail(f"userinfo refused a forged access token with {response.status}, not 401", response)


def _userinfo_control(broker: Broker) -> str:
    """The positive control of a userinfo refusal: the valid access token is answered. Without it a
    refusal of another request proves nothing (issue 21: a negative check needs a granted control)."""
    token = broker.bearer_token()
    _, response = broker.userinfo()
    expired = broker.expired_token()
    if not 200 <= response.status < 300 and expired:
        pytest.skip(f"userinfo answered {response.status}: {expired}")
    if not 200 <= response.status < 300:
        pytest.skip(f"userinfo answered {response.status} to the valid access token (see "
                    "passports.broker.userinfo-returns-passport-claim): a refusal of another request proves nothing")
    return token


def forged(token: str) -> str:
    """``token`` forged: a JWS's header and claims signed by a key of the harness (the broker's kid kept),
    or, for another alg or an opaque token, one character in its middle replaced."""
    try:
        parts = jose.split(token)
    except jose.TokenFormatError:
        parts = None
    if parts is not None and parts.header.get("alg") in jose.ALLOWED_ALGS:
        alg = str(parts.header["alg"])
        return jose.session_issuer("harness-forger").sign(parts.payload, parts.header, alg)
    head, dot, tail = token.rpartition(".")
    middle = len(tail) // 2
    other = "A" if tail[middle:middle + 1] != "A" else "B"
    return f"{head}{dot}{tail[:middle]}{other}{tail[middle + 1:]}"


@check("passports.broker.userinfo-refuses-missing-token")
def test_userinfo_refuses_a_request_without_a_token(broker: Broker) -> None:
    """UserInfo is an OAuth 2.0 Protected Resource: a request without an access token gets no claims
    (OIDC Core 1.0 §5.3 "The Access Token ... MUST be sent as a Bearer Token", §5.3.3; AAI 1.2 §Conformance
    for Brokers: a Broker MUST conform to OIDC Core). Judged only when the valid token is answered."""
    _userinfo_control(broker)
    response = broker.anonymous.get(broker.credential_endpoint("userinfo_endpoint"), follow_redirects=False)
    if 200 <= response.status < 300:
        raise fail(f"userinfo answered {response.status} to a request without an access token", response)


@check("passports.broker.userinfo-refuses-forged-token")
def test_userinfo_refuses_a_forged_token(broker: Broker) -> None:
    """A forged access token (the valid token's claims signed by a key the Broker does not hold) is refused
    (OIDC Core 1.0 §5.3.3: errors per RFC 6750 §3.1 invalid_token; AAI 1.2 §Conformance for Brokers).
    Judged only when the valid token is answered."""
    token = forged(_userinfo_control(broker))
    response = broker.anonymous.get(broker.credential_endpoint("userinfo_endpoint"),
                                    headers={"Authorization": f"Bearer {token}"}, follow_redirects=False)
    if 200 <= response.status < 300:
        raise fail(f"userinfo answered {response.status} to a forged access token (the valid token's claims "
                   "signed by a key the broker does not hold)", response)


# -- token exchange -----------------------------------------------------------------------------------------


@check("passports.broker.token-exchange-supported")
def test_token_exchange_is_offered(broker: Broker) -> None:
    """Brokers MAY support Token Exchange for a Passport (AAI 1.2 §Conformance for Brokers, item 4); a
    Broker without it is warned at MAY level, never failed."""
    response = broker.exchange()
    if response.status != 200 and _is_jws(broker.bearer_token()):
        scope = jose.split(broker.bearer_token()).payload.get("scope")
        if not isinstance(scope, str) or "ga4gh_passport_v1" not in scope.split():
            pytest.skip(f"a token exchange for a Passport answered {response.status} to an access token without the "
                        "ga4gh_passport_v1 scope, rightly (AAI 1.2 §Conformance for Passport Issuers: the "
                        "subject_token MUST be a Passport-Scoped Access Token; see "
                        "passports.broker.access-token-scope-has-openid-and-passport)")
    expired = broker.expired_token()
    if response.status != 200 and expired:
        pytest.skip(f"a token exchange for a Passport answered {response.status}: {expired}")
    if response.status != 200:
        raise fail(f"a token exchange for a Passport answered {response.status}", response)


@check("passports.broker.token-exchange-returns-passport")
def test_token_exchange_returns_a_passport(broker: Broker) -> None:
    """A successful exchange answers access_token, issued_token_type
    urn:ga4gh:params:oauth:token-type:passport and token_type (AAI 1.2 §Passport Format; RFC 8693 §2.2.1)."""
    body, response = broker.exchanged()
    if not isinstance(body.get("access_token"), str):
        raise fail("the token exchange answer has no access_token string", response)
    if body.get("issued_token_type") != jose.PASSPORT_TOKEN_TYPE:
        raise fail(f"the issued_token_type is {body.get('issued_token_type')!r}, not {jose.PASSPORT_TOKEN_TYPE}",
                   response)
    if not isinstance(body.get("token_type"), str) or not body["token_type"]:
        raise fail("the token exchange answer has no token_type", response)


@check("passports.broker.token-exchange-requires-client-auth")
def test_token_exchange_requires_client_authentication(broker: Broker) -> None:
    """A token exchange without client authentication yields no Passport (AAI 1.2 §Conformance for
    Passport Issuers)."""
    broker.exchanged()
    response = broker.exchange(client_auth=False)
    if response.status == 200:
        raise fail("a token exchange without client credentials was answered 200", response)


@check("passports.broker.token-exchange-rejects-invalid-subject-token")
def test_token_exchange_rejects_an_invalid_subject_token(broker: Broker) -> None:
    """A subject_token that is not a valid Passport-Scoped Access Token yields no Passport (AAI 1.2
    §Conformance for Passport Issuers)."""
    broker.exchanged()
    response = broker.exchange(subject_token="not-a-valid-access-token")
    if response.status == 200:
        raise fail("a token exchange of the subject_token 'not-a-valid-access-token' was answered 200", response)


@check("passports.broker.token-exchange-checks-subject-token-type")
def test_token_exchange_checks_the_subject_token_type(broker: Broker) -> None:
    """A subject_token_type other than access_token yields no Passport (AAI 1.2 §Conformance for Passport
    Issuers)."""
    broker.exchanged()
    response = broker.exchange(subject_token_type="urn:ietf:params:oauth:token-type:id_token")
    if response.status == 200:
        raise fail("a token exchange with subject_token_type id_token was answered 200", response)


@check("passports.broker.token-error-response-format")
def test_token_error_response_format(broker: Broker) -> None:
    """The refusal of an invalid subject_token is an OAuth error response: 400 (or 401), application/json, a
    string `error` (OIDC Core 1.0 §3.1.3.4 and RFC 8693 §2.2.2: errors as in RFC 6749 §5.2; AAI 1.2
    §Conformance for Brokers and for Passport Issuers). Judged only when the valid exchange succeeds."""
    broker.exchanged()
    response = broker.exchange(subject_token="not-a-valid-access-token")
    if response.status == 200:
        pytest.skip("the invalid subject_token was answered 200 (see "
                    "passports.broker.token-exchange-rejects-invalid-subject-token)")
    if response.status not in (400, 401):
        raise fail(f"the token endpoint refused an invalid subject_token with {response.status}, not 400 "
                   "(RFC 6749 §5.2)", response)
    if response.content_type != "application/json":
        raise fail(f"the token error response has the content type {response.content_type or '(none)'!r}, "
                   "not application/json", response)
    body = response.json_object()
    if body is None or not isinstance(body.get("error"), str) or not body["error"]:
        raise fail("the token error response is not a JSON object with an `error` string", response)


@check("passports.broker.token-response-not-cacheable")
def test_token_response_is_not_cacheable(broker: Broker) -> None:
    """Token responses carrying a Passport say Cache-Control: no-store (AAI 1.2 §Conformance for
    Clients/Applications; RFC 6749 §5.1)."""
    _, response = broker.exchanged()
    cache_control = response.headers.get("Cache-Control", "").lower()
    if "no-store" not in cache_control:
        raise fail(f"the token response has Cache-Control {cache_control or '(none)'!r}, without no-store", response)


@check("passports.broker.own-visas-signed-by-broker")
def test_own_visas_verify_with_published_keys(broker: Broker) -> None:
    """Visas whose iss is the broker verify with a key the broker publishes (Passport 1.2 §General
    Requirements)."""
    visas, response = broker.visas()
    checked = 0
    for index, visa in enumerate(visas):
        try:
            parts = jose.split(visa)
        except jose.TokenFormatError:
            continue
        problem = published_key_problem(broker, parts, visa)
        if problem == "":
            continue
        checked += 1
        if problem:
            # a visa that verifies with none of its issuer's keys is judged by passports.visa.signature-verifies
            # (a payload changed after signing): the one root cause of both
            unverified = bool(issuer_key_problem(broker, parts, visa))
            raise fail(f"visa {index}, issued by the broker itself: {problem}", response,
                       caused_by="passports.visa.signature-verifies" if unverified else None)
    if not checked:
        pytest.skip("no visa issued by the broker itself with an asymmetric signature")


# -- the passport ---------------------------------------------------------------------------------------------


@check("passports.passport.is-jws-compact")
def test_passport_is_jws_compact(broker: Broker) -> None:
    """The Passport is a signed JWT in JWS Compact Serialization (AAI 1.2 §Passport Format)."""
    token, response = broker.passport()
    try:
        jose.split(token)
    except jose.TokenFormatError as exc:
        raise fail(f"the Passport is not a JWS: {exc}", response) from None


@check("passports.passport.typ-is-passport")
def test_passport_typ(broker: Broker) -> None:
    """The Passport header typ is vnd.ga4gh.passport+jwt (AAI 1.2 §Passport Format)."""
    parts, response = broker.passport_parts()
    typ = parts.header.get("typ")
    if not isinstance(typ, str) or typ.lower().removeprefix("application/") != jose.PASSPORT_TYP:
        raise fail(f"the Passport typ is {typ!r}, not {jose.PASSPORT_TYP}", response)


@check("passports.passport.alg-is-rs256-or-es256")
def test_passport_alg(broker: Broker) -> None:
    """The Passport alg is RS256 or ES256 (AAI 1.2 §Signing Algorithms)."""
    parts, response = broker.passport_parts()
    if parts.header.get("alg") not in jose.ALLOWED_ALGS:
        raise fail(f"the Passport is signed {parts.header.get('alg')!r}, neither RS256 nor ES256", response)


@check("passports.passport.header-has-kid")
def test_passport_has_kid(broker: Broker) -> None:
    """The Passport header has a kid naming a published key (advisory: AAI 1.2 §Passport Format shows it)."""
    parts, response = broker.passport_parts()
    kid = parts.header.get("kid")
    if kid is None or str(kid) not in broker.kids():
        raise fail(f"the Passport kid {kid!r} names no key of the broker's JWK Set", response)


@check("passports.passport.signature-verifies-with-broker-jwks")
def test_passport_signature_verifies(broker: Broker) -> None:
    """The Passport verifies with a key of its broker's jwks_uri (AAI 1.2 §Conformance for Passport
    Issuers)."""
    token, response = broker.passport()
    broker.passport_parts()
    problem = jose.signature_problem(token, broker.signing_keys())
    if problem == "":
        pytest.skip("the Passport alg is not an asymmetric signature (see passports.passport.alg-is-rs256-or-es256)")
    if problem:
        wrong_alg = broker.passport_parts()[0].header.get("alg") not in jose.ALLOWED_ALGS
        raise fail(f"the Passport does not verify: {problem}", response,
                   caused_by="passports.passport.alg-is-rs256-or-es256" if wrong_alg else None)


@check("passports.passport.iss-is-broker")
def test_passport_iss_is_the_broker(broker: Broker) -> None:
    """The Passport iss is the broker's discovery issuer (AAI 1.2 §Passport Format)."""
    parts, response = broker.passport_parts()
    issuer = broker.discovery()[0].get("issuer")
    if parts.payload.get("iss") != issuer:
        # a discovery issuer that is not the issuer URL is judged there; which of the two is right is not known
        moved = str(issuer).rstrip("/") != broker.issuer_url
        raise fail(f"the Passport iss {parts.payload.get('iss')!r} is not the broker issuer {issuer!r}", response,
                   caused_by="passports.broker.discovery-issuer-matches" if moved else None)


def _claim(broker: Broker, name: str, kind: type | tuple[type, ...]) -> None:
    parts, response = broker.passport_parts()
    value = parts.payload.get(name)
    if name not in parts.payload:
        raise fail(f"the Passport has no {name} (REQUIRED)", response)
    if not isinstance(value, kind) or isinstance(value, bool) or value == "":
        raise fail(f"the Passport {name} is {value!r}, not a valid {name}", response)


@check("passports.passport.has-sub")
def test_passport_has_sub(broker: Broker) -> None:
    """The Passport has a non-empty string sub (AAI 1.2 §Passport Format)."""
    _claim(broker, "sub", str)


@check("passports.passport.has-iat")
def test_passport_has_iat(broker: Broker) -> None:
    """The Passport has a numeric iat (AAI 1.2 §Passport Format)."""
    _claim(broker, "iat", (int, float))


@check("passports.passport.has-exp")
def test_passport_has_exp(broker: Broker) -> None:
    """The Passport has a numeric exp (AAI 1.2 §Passport Format)."""
    _claim(broker, "exp", (int, float))


@check("passports.passport.lifetime-consistent")
def test_passport_is_valid_on_delivery(broker: Broker) -> None:
    """A fresh Passport has iat <= now and exp > now (AAI 1.2 §Passport Format; RFC 7519 §4.1.4, §4.1.6). A
    Passport the profile gives was delivered before the run: its expiry since then is no deviation."""
    parts, response = broker.passport_parts()
    iat, exp = parts.payload.get("iat"), parts.payload.get("exp")
    now = jose.now()
    if isinstance(exp, (int, float)) and exp < now - jose.LEEWAY and broker.passport_given():
        pytest.skip(f"the Passport the profile gives (auth.passport_env) expired {now - int(exp)} s ago; when the "
                    "broker delivered it is not known, so whether it was valid then cannot be told")
    if isinstance(exp, (int, float)) and exp < now - jose.LEEWAY:
        raise fail(f"the Passport was already expired on delivery ({now - int(exp)} s ago)", response)
    if isinstance(iat, (int, float)) and iat > now + jose.LEEWAY:
        raise fail(f"the Passport iat is {int(iat) - now} s in the future", response)


@check("passports.passport.aud-well-formed")
def test_passport_aud_is_well_formed(broker: Broker) -> None:
    """A Passport aud is a string or a list of strings (AAI 1.2 §Passport Format; RFC 7519 §4.1.3)."""
    parts, response = broker.passport_parts()
    aud = parts.payload.get("aud")
    if aud is not None and not isinstance(aud, str) and not (isinstance(aud, list) and
                                                             all(isinstance(a, str) for a in aud)):
        raise fail(f"the Passport aud is {aud!r}, neither a string nor a list of strings", response)


@check("passports.passport.has-jti")
def test_passport_has_jti(broker: Broker) -> None:
    """The Passport has a jti (AAI 1.2 §Passport Format: RECOMMENDED)."""
    parts, response = broker.passport_parts()
    if "jti" not in parts.payload:
        raise fail("the Passport has no jti", response)


@check("passports.passport.has-visa-list")
def test_passport_has_visa_list(broker: Broker) -> None:
    """The Passport has ga4gh_passport_v1, a list (possibly empty) (AAI 1.2 §Passport Format)."""
    parts, response = broker.passport_parts()
    if not isinstance(parts.payload.get("ga4gh_passport_v1"), list):
        raise fail("the Passport has no ga4gh_passport_v1 list (REQUIRED, empty when the user has no visas)",
                   response)


@check("passports.passport.visas-are-jws-strings")
def test_passport_visas_are_jws_strings(broker: Broker) -> None:
    """Every ga4gh_passport_v1 element is a visa as a JWS string (Passport 1.2 §Visa Requirements)."""
    parts, response = broker.passport_parts()
    visas = parts.payload.get("ga4gh_passport_v1")
    if not isinstance(visas, list):
        pytest.skip("the Passport has no visa list (see passports.passport.has-visa-list)")
    for index, visa in enumerate(visas):
        if not isinstance(visa, str):
            raise fail(f"Passport visa {index} is a JSON {type(visa).__name__}, not a JWS string", response)
