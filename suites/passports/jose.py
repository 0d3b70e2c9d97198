"""JOSE and visa rules shared by the passports suite and its reference broker and clearinghouse
(GA4GH Passport 1.2, AAI OIDC Profile 1.2).

Every signature is made and checked by PyJWT with ``cryptography``; nothing here hand-writes a
signature algorithm. The only "forgeries" are re-encodings (``alg: none``, a payload changed under a
kept signature) and the HS256 algorithm-confusion token, signed with PyJWT's own HMAC primitive keyed
with a *public* key (the attack a clearinghouse must refuse, RFC 8725 §2.1).

PyJWT and ``cryptography`` are imported where a key or a signature is first used: a run whose checks
sign and verify nothing (a DRS service without protected objects, whose suite reads these rules) does
not pay for loading them (about 0.1 s of start-up, issue 20).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

#: AAI 1.2 §Signing Algorithms: "JWTs MUST be issued with signatures using the ES256 or RS256 algorithm."
ALLOWED_ALGS = ("RS256", "ES256")
#: The asymmetric signature algorithms a verifier can check against published keys (RFC 7518 §3.1).
ASYMMETRIC_ALGS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512")
PASSPORT_TYP = "vnd.ga4gh.passport+jwt"
VISA_TYP = "vnd.ga4gh.visa+jwt"
#: The in-process test issuer the harness signs with and the embedded reference clearinghouse trusts.
DEMO_TEST_ISSUER = "harness-test-issuer"
PASSPORT_TOKEN_TYPE = "urn:ga4gh:params:oauth:token-type:passport"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
#: Clock skew tolerated on every time comparison (seconds).
LEEWAY = 60
STANDARD_TYPES = ("AffiliationAndRole", "AcceptedTermsAndPolicies", "ResearcherStatus", "ControlledAccessGrants",
                  "LinkedIdentities")
URL_VALUE_TYPES = ("AcceptedTermsAndPolicies", "ResearcherStatus", "ControlledAccessGrants")
BY_VALUES = ("self", "peer", "system", "so", "dac")
PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
KEYS_FILE_FORMAT = "ga4gh-conformance-test-issuer/1"


class TokenFormatError(ValueError):
    """Not a JWS Compact Serialization JWT with JSON header and payload."""


# -- encoding -----------------------------------------------------------------------------------------


def base64url_encode(data: bytes) -> bytes:
    """base64url without padding (RFC 7515 §2), as PyJWT's ``jwt.utils.base64url_encode`` writes it."""
    return base64.urlsafe_b64encode(data).replace(b"=", b"")


def base64url_decode(data: bytes) -> bytes:
    """base64url with its padding restored, as PyJWT's ``jwt.utils.base64url_decode`` reads it."""
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


def b64json(value: Any) -> str:
    return base64url_encode(json.dumps(value, separators=(",", ":")).encode()).decode()


@dataclass(frozen=True)
class Parts:
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: str
    signature: str


def split(token: object) -> Parts:
    """The decoded header and payload of a compact JWS, without verifying anything."""
    if not isinstance(token, str):
        raise TokenFormatError(f"a JSON {type(token).__name__}, not a string")
    pieces = token.split(".")
    if len(pieces) != 3:
        raise TokenFormatError(f"{len(pieces)} dot-separated parts, not 3 (JWS Compact Serialization)")
    decoded = []
    for name, piece in zip(("header", "payload"), pieces[:2]):
        try:
            value = json.loads(base64url_decode(piece.encode()))
        except (ValueError, UnicodeDecodeError) as exc:
            raise TokenFormatError(f"the {name} is not base64url-encoded JSON ({type(exc).__name__})") from None
        if not isinstance(value, dict):
            raise TokenFormatError(f"the {name} is not a JSON object")
        decoded.append(value)
    return Parts(decoded[0], decoded[1], f"{pieces[0]}.{pieces[1]}", pieces[2])


def assemble(header: Mapping[str, Any], payload: Mapping[str, Any], signature: str = "") -> str:
    """A compact JWS from its parts (an encoding, not a signature)."""
    return f"{b64json(dict(header))}.{b64json(dict(payload))}.{signature}"


def alg_none(token: str, *, alg: str = "none", keep_signature: bool = False) -> str:
    """``token`` re-encoded with header ``alg`` (none, None, NONE...) and no (or its old) signature."""
    parts = split(token)
    return assemble({**parts.header, "alg": alg}, parts.payload, parts.signature if keep_signature else "")


def with_payload(token: str, payload: Mapping[str, Any]) -> str:
    """``token`` with its payload replaced and its signature kept (a tampered token)."""
    parts = split(token)
    return assemble(parts.header, payload, parts.signature)


def hs256_with_secret(header: Mapping[str, Any], payload: Mapping[str, Any], secret: bytes) -> str:
    """HS256 keyed with ``secret`` through PyJWT's HMAC primitive, whose ``prepare_key`` (the only
    place that refuses a PEM public key as an HMAC secret) this bypasses on purpose."""
    from jwt.algorithms import HMACAlgorithm

    signing_input = f"{b64json({**header, 'alg': 'HS256'})}.{b64json(dict(payload))}"
    signature = HMACAlgorithm(HMACAlgorithm.SHA256).sign(signing_input.encode(), secret)
    return f"{signing_input}.{base64url_encode(signature).decode()}"


def public_key_secrets(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey, jwk: Mapping[str, Any]) -> dict[str, bytes]:
    """The serialisations of a public key a vulnerable verifier may use as an HMAC secret."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    spki = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    found = {"spki-pem": spki, "spki-pem-no-newline": spki.rstrip(b"\n"),
             "spki-der": key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
             "jwk-json": json.dumps(dict(jwk)).encode()}
    if isinstance(key, rsa.RSAPublicKey):
        found["pkcs1-pem"] = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    return found


# -- keys ---------------------------------------------------------------------------------------------


def public_jwk(key: PrivateKey, kid: str, alg: str) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    if isinstance(key, rsa.RSAPrivateKey):
        text = RSAAlgorithm.to_jwk(key.public_key())
    else:
        text = ECAlgorithm.to_jwk(key.public_key())
    jwk: dict[str, Any] = json.loads(text)
    jwk.pop("key_ops", None)
    jwk.update(kid=kid, alg=alg, use="sig")
    return jwk


def private_jwk(key: PrivateKey, kid: str, alg: str) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    text = RSAAlgorithm.to_jwk(key) if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm.to_jwk(key)
    jwk: dict[str, Any] = json.loads(text)
    jwk.pop("key_ops", None)
    jwk.update(kid=kid, alg=alg, use="sig")
    return jwk


@dataclass(frozen=True)
class Issuer:
    """A token issuer: an issuer id and one RS256 and one ES256 signing key."""

    iss: str
    rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey
    rsa_kid: str
    ec_kid: str

    @property
    def jku(self) -> str:
        return self.iss.rstrip("/") + "/jwks"

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(self.rsa_key, self.rsa_kid, "RS256"),
                         public_jwk(self.ec_key, self.ec_kid, "ES256")]}

    def private_jwks(self) -> dict[str, Any]:
        return {"keys": [private_jwk(self.rsa_key, self.rsa_kid, "RS256"),
                         private_jwk(self.ec_key, self.ec_kid, "ES256")]}

    def sign(self, payload: Mapping[str, Any], header: Mapping[str, Any] | None = None, alg: str = "RS256") -> str:
        key: PrivateKey = self.ec_key if alg.startswith("ES") else self.rsa_key
        kid = self.ec_kid if alg.startswith("ES") else self.rsa_kid
        headers = {"kid": kid, **(header or {})}
        import jwt

        return jwt.encode(dict(payload), key, algorithm=alg, headers=headers)

    def sensitive_strings(self) -> list[str]:
        """Every text form of the private keys, for the redactor and for leak tests."""
        from cryptography.hazmat.primitives import serialization

        found: list[str] = []
        for key in (self.rsa_key, self.ec_key):
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
            found.append(pem)
        for jwk in self.private_jwks()["keys"]:
            found.extend(str(jwk[m]) for m in PRIVATE_JWK_MEMBERS if m in jwk)
        return found

    def to_document(self) -> dict[str, Any]:
        return {"format": KEYS_FILE_FORMAT, "issuer": self.iss, "jku": self.jku, "jwks": self.private_jwks()}


def new_issuer(iss: str) -> Issuer:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    tag = secrets.token_hex(4)
    return Issuer(iss, rsa.generate_private_key(public_exponent=65537, key_size=2048),
                  ec.generate_private_key(ec.SECP256R1()), f"rs256-{tag}", f"es256-{tag}")


@cache
def session_issuer(name: str) -> Issuer:
    """An issuer made once per process (key generation costs ~50 ms): ``name`` keeps them apart."""
    return new_issuer(f"https://{name}.conformance.invalid/{secrets.token_hex(4)}")


def issuer_from_document(document: Mapping[str, Any]) -> Issuer:
    """Read what :meth:`Issuer.to_document` wrote (a keys file of ``conformance passports keys``)."""
    if document.get("format") != KEYS_FILE_FORMAT:
        raise ValueError(f"not a {KEYS_FILE_FORMAT} document")
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm

    rsa_key: rsa.RSAPrivateKey | None = None
    ec_key: ec.EllipticCurvePrivateKey | None = None
    rsa_kid = ec_kid = ""
    for jwk in document["jwks"]["keys"]:
        text = json.dumps(jwk)
        if jwk.get("kty") == "RSA":
            loaded = RSAAlgorithm.from_jwk(text)
            if isinstance(loaded, rsa.RSAPrivateKey):
                rsa_key, rsa_kid = loaded, str(jwk["kid"])
        elif jwk.get("kty") == "EC":
            loaded_ec = ECAlgorithm.from_jwk(text)
            if isinstance(loaded_ec, ec.EllipticCurvePrivateKey):
                ec_key, ec_kid = loaded_ec, str(jwk["kid"])
    if rsa_key is None or ec_key is None:
        raise ValueError("the key set lacks an RSA or an EC private key")
    return Issuer(str(document["issuer"]), rsa_key, ec_key, rsa_kid, ec_kid)


def write_keys_file(issuer: Issuer, path: Path) -> None:
    """The private key file, readable by its owner only (mode 0600 from creation on)."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file (--force) keeps its old mode through O_CREAT: narrow it first
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(issuer.to_document(), handle, indent=2)


def read_keys_file(path: Path) -> Issuer:
    return issuer_from_document(json.loads(path.read_text(encoding="utf-8")))


def keys_of(jwks: object) -> dict[str, jwt.PyJWK]:
    """The usable public keys of a JWK Set, by ``kid`` (keys PyJWT cannot load are left out)."""
    import jwt

    found: dict[str, jwt.PyJWK] = {}
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        return found
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
            continue
        public = {k: v for k, v in jwk.items() if k not in PRIVATE_JWK_MEMBERS}
        try:
            found[jwk["kid"]] = jwt.PyJWK(public)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            continue
    return found


@dataclass(frozen=True)
class PublicKey:
    """One usable public key of a JWK Set: its kid (None when absent), its JWK and the loaded key."""

    kid: str | None
    jwk: dict[str, Any]
    key: jwt.PyJWK


def public_keys(jwks: object) -> list[PublicKey]:
    """Every usable public key of a JWK Set, in order, with or without kid; several may share a kid
    (RFC 7517 §4.5 allows it for keys of different kty). Keys PyJWT cannot load are left out."""
    import jwt

    found: list[PublicKey] = []
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        return found
    for jwk in jwks["keys"]:
        if not isinstance(jwk, dict):
            continue
        public = {k: v for k, v in jwk.items() if k not in PRIVATE_JWK_MEMBERS}
        try:
            loaded = jwt.PyJWK(public)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError, KeyError):
            continue
        kid = jwk.get("kid")
        found.append(PublicKey(kid if isinstance(kid, str) else None, public, loaded))
    return found


_CURVES = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}


def key_fits(key: PublicKey, alg: str) -> bool:
    """Whether ``key`` can verify a signature of ``alg`` (key type, curve, its use and declared alg)."""
    if key.jwk.get("use", "sig") != "sig" or key.jwk.get("alg", alg) != alg:
        return False
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    raw = key.key.key
    if alg.startswith(("RS", "PS")):
        return isinstance(raw, rsa.RSAPublicKey)
    if alg in _CURVES:
        return isinstance(raw, ec.EllipticCurvePublicKey) and raw.curve.name == _CURVES[alg]
    return False


def candidate_keys(keys: Iterable[PublicKey], kid: object, alg: str) -> list[PublicKey]:
    """The keys a verifier tries for a token: those fitting ``alg`` with the token's kid, or all fitting
    ``alg`` when the token has no kid."""
    return [k for k in keys if key_fits(k, alg) and (kid is None or k.kid == str(kid))]


def verify(token: str, key: Any, *, algorithms: Iterable[str] = ALLOWED_ALGS,
           require: Iterable[str] = ("iss", "sub", "iat", "exp"), audience: str | None = None) -> dict[str, Any]:
    """The verified payload; raises ``jwt.InvalidTokenError`` (any cause)."""
    import jwt

    options: Any = {"require": list(require), "verify_aud": audience is not None}
    if isinstance(key, jwt.PyJWK):
        key = key.key
    payload: dict[str, Any] = jwt.decode(token, key, algorithms=list(algorithms), options=options,
                                         audience=audience, leeway=LEEWAY)
    return payload


def verifying_key(token: str, keys: Iterable[PublicKey]) -> PublicKey | None:
    """The key of ``keys`` that verifies ``token``: every key fitting its alg with its kid (all of them
    when it has no kid) is tried, since several keys may share a kid (RFC 7517 §4.5)."""
    import jwt

    parts = split(token)
    alg = str(parts.header.get("alg"))
    for key in candidate_keys(keys, parts.header.get("kid"), alg):
        try:
            jwt.decode(token, key.key.key, algorithms=[alg], options={
                "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False,
                "verify_iss": False})
        except (jwt.InvalidTokenError, jwt.PyJWKError, ValueError, TypeError):
            continue
        return key
    return None


def signature_problem(token: str, keys: Iterable[PublicKey]) -> str | None:
    """Why ``token`` verifies with none of the keys a verifier would try ('' when its alg is not an
    asymmetric signature), or None."""
    parts = split(token)
    alg = parts.header.get("alg")
    kid = parts.header.get("kid")
    if alg not in ASYMMETRIC_ALGS:
        return ""
    keys = list(keys)
    candidates = candidate_keys(keys, kid, str(alg))
    if not candidates:
        return (f"no published key has kid {kid!r} and fits {alg}" if kid is not None
                else f"no published key fits {alg}")
    if verifying_key(token, candidates) is None:
        return f"the signature verifies with none of the {len(candidates)} published key(s) fitting kid {kid!r}, {alg}"
    return None


def now() -> int:
    return int(time.time())


def seconds_past_exp(token: object) -> int | None:
    """How many seconds ago a JWS's numeric ``exp`` passed (negative: still ahead), or None when ``token`` is
    no JWS or has no numeric exp. Nothing is verified: it dates a credential the profile gives."""
    try:
        exp = split(token).payload.get("exp")
    except TokenFormatError:
        return None
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        return None
    return now() - int(exp)


def expiry_note(what: str, token: object) -> str | None:
    """Why a server's refusal of ``token``, a credential the profile gives, is no deviation: it has expired
    since it was issued, or expires within the clock skew a server may have (None: it is unexpired, or its
    expiry cannot be read)."""
    past = seconds_past_exp(token)
    if past is None or past < -LEEWAY:
        return None
    when = f"expired {past} s ago" if past >= 0 else f"expires in {-past} s, within the clock skew tolerated"
    return f"{what} {when}: a refusal of it is right, not a deviation; give a fresh one"


# -- visa rules (Passport 1.2 §Visa Object Claims, §URL Claims, §Pattern Matching) ----------------------

#: LinkedIdentities entry part: RFC 3986 pchar and '/' (which quote() keeps) without ',' and ';'
#: (Passport 1.2 §LinkedIdentities: the encoding keeps "," and ";" from causing parsing conflicts).
_LINKED_PART = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+=:@/]|%[0-9A-Fa-f]{2})+")
_CUSTOM_ROLE = re.compile(r"[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)+")
#: A DNS domain name; its top-level label is letters or an IDNA A-label (RFC 5890 §2.3.2.1: "xn--" + punycode).
_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                     r"(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{1,59})")


def url_claim_problem(value: object) -> str | None:
    """Why ``value`` is not a URL Claim (absolute URL, at most 255 characters), or None."""
    if not isinstance(value, str):
        return f"is a JSON {type(value).__name__}, not a string"
    if len(value) > 255:
        return f"is {len(value)} characters long (URL Claims MUST NOT exceed 255)"
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc or any(c.isspace() for c in value):
        return "is not an absolute URL"
    return None


def affiliation_problem(value: object) -> str | None:
    if not isinstance(value, str) or "@" not in value:
        return "is not of the form <role>@<affiliation>"
    role, affiliation = value.split("@", 1)
    if role not in ("faculty", "student", "member") and not _CUSTOM_ROLE.fullmatch(role):
        return f"has role {role!r}, neither faculty/student/member nor a custom <namespace>.<role> in [a-z0-9_-]"
    if affiliation != "no.organization" and not _DOMAIN.fullmatch(affiliation):
        return f"has affiliation {affiliation!r}, not a domain name"
    return None


def linked_identities_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return "is not a non-empty string"
    for entry in value.split(";"):
        pieces = entry.split(",")
        if len(pieces) != 2 or not all(_LINKED_PART.fullmatch(p) for p in pieces):
            return ("has an entry that is not <uri-encoded-sub>,<uri-encoded-iss> (raw ',', ';' or "
                    "whitespace must be percent-encoded)")
    return None


def pattern_matches(pattern: str, value: str) -> bool:
    """Passport 1.2 §Pattern Matching: full string, case-sensitive, ``?`` one character, ``*`` any run,
    no escape character, nothing else special (so not fnmatch, which knows ``[...]``)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def clause_value_matches(condition: str, value: object) -> bool:
    """One Condition Clause claim against one Visa Object claim (unknown prefixes never match)."""
    if not isinstance(value, str) or ":" not in condition:
        return False
    prefix, suffix = condition.split(":", 1)
    if prefix == "const":
        return value == suffix
    if prefix == "pattern":
        return pattern_matches(suffix, value)
    if prefix == "split_pattern":
        return any(pattern_matches(suffix, piece) for piece in value.split(";"))
    return False


def clause_matches(clause: Mapping[str, Any], visa_object: Mapping[str, Any]) -> bool:
    """All claims of one clause against the same single Visa Object (Passport 1.2 §conditions)."""
    if visa_object.get("conditions"):
        return False  # Visas that carry conditions are not used to satisfy conditions
    for name, wanted in clause.items():
        if name == "type":
            if visa_object.get("type") != wanted:
                return False
        elif not isinstance(wanted, str) or not clause_value_matches(wanted, visa_object.get(name)):
            return False
    return True


def conditions_met(conditions: object, others: Iterable[Mapping[str, Any]]) -> bool:
    """OR over the outer list, AND over each inner list, each clause met by one valid Visa."""
    if not isinstance(conditions, list):
        return False
    candidates = list(others)
    for conjunction in conditions:
        if isinstance(conjunction, list) and conjunction and all(
                isinstance(clause, dict) and any(clause_matches(clause, v) for v in candidates)
                for clause in conjunction):
            return True
    return False


def conditions_problem(conditions: object) -> tuple[str, str] | None:
    """(requirement id suffix, problem) of a ``conditions`` value that breaks the grammar, or None."""
    if not isinstance(conditions, list) or not all(isinstance(inner, list) for inner in conditions):
        return "conditions-is-list-of-lists", "is not a list of lists of Condition Clauses"
    for inner in conditions:
        for clause in inner:
            if not isinstance(clause, dict):
                return "conditions-is-list-of-lists", "holds a Condition Clause that is not a JSON object"
    for inner in conditions:
        for clause in inner:
            if "conditions" in clause:
                return "condition-clause-has-no-conditions", "has a Condition Clause containing conditions"
            if "asserted" in clause:
                return "condition-clause-has-no-timestamp", "has a Condition Clause containing asserted"
            if "type" not in clause or len(clause) < 2:
                return ("condition-clause-has-type-and-claim",
                        "has a Condition Clause without type or without a second claim")
            for name, value in clause.items():
                if not isinstance(value, str):
                    return "condition-clause-string-claims-only", f"has clause claim {name} that is not a string"
                if name != "type" and not re.match(r"^[A-Za-z_]+:", value):
                    return "condition-values-have-prefix", f"has clause value {value!r} without a <prefix>:"
    return None
