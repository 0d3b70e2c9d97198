"""Signing and verification keys: PEM (PKCS#8 private, SubjectPublicKeyInfo public, as ``openssl genpkey``
and ``openssl pkey -pubout`` write them), a JWK, a JWK Set, or a JWK Set fetched from a URL (bounded).

Only Ed25519 (JWS ``EdDSA``) and ECDSA on P-256, P-384, P-521 (``ES256``, ``ES384``, ``ES512``; RFC 7518
§3.4) are accepted: the algorithms of the certification envelope (docs/certification.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

from conformance.errors import ConformanceError, HarnessError, UsageError
from conformance.files import Unreadable, read_regular

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey

#: A JWK Set fetched with ``--jwks``: one request, these bounds.
JWKS_TIMEOUT_SECONDS = 10.0
JWKS_MAX_BYTES = 1024 * 1024
KEY_FILE_MAX_BYTES = 1024 * 1024
_CURVES = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
#: RFC 7638 §3.2: the required members of each key type, the only ones a thumbprint hashes.
_THUMBPRINT_MEMBERS = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y")}


def algorithm_for(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "EdDSA"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)) and key.curve.name in _CURVES:
        return _CURVES[key.curve.name]
    raise UsageError(f"unsupported key ({type(key).__name__}): use Ed25519 or ECDSA on P-256, P-384 or P-521")


def public_jwk(key: PrivateKey | PublicKey) -> dict[str, Any]:
    public = key.public_key() if isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)) else key
    if isinstance(public, ed25519.Ed25519PublicKey):
        document = OKPAlgorithm.to_jwk(public, as_dict=True)
    else:
        document = ECAlgorithm.to_jwk(public, as_dict=True)
    return {k: v for k, v in document.items() if k in ("kty", "crv", "x", "y")}


def thumbprint(key: PrivateKey | PublicKey) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url): the ``kid`` of a signature."""
    import base64
    import hashlib

    document = public_jwk(key)
    members = {k: document[k] for k in _THUMBPRINT_MEMBERS[document["kty"]]}
    digest = hashlib.sha256(rfc8785.dumps(members)).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class VerificationKey:
    key: PublicKey
    kid: str
    source: str


def _read(path: str, what: str) -> bytes:
    """A key file's bytes: only a regular file is read (conformance/files.py: opening a FIFO would wait for a
    writer without end, and /dev/zero never ends)."""
    where = f"{what} {path}"
    try:
        return read_regular(Path(path).expanduser(), KEY_FILE_MAX_BYTES)
    except Unreadable as exc:
        raise UsageError(f"{where}: " + {
            "missing": "no such file",
            "folder": "a directory, not a key file",
            "special": f"not a regular file ({exc.detail}), so not read",
            "large": f"larger than {KEY_FILE_MAX_BYTES} bytes, not a key",
        }.get(exc.problem, f"cannot read ({exc.detail})")) from None


def _jwk_key(document: Any, where: str) -> Any:
    if not isinstance(document, dict):
        raise UsageError(f"{where}: a JWK must be a JSON object")
    try:
        return jwt.PyJWK(document).key
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
        raise UsageError(f"{where}: not a usable JWK ({exc})") from None


def load_private_key(path: str) -> PrivateKey:
    """A PKCS#8 PEM private key or a private JWK (with ``d``)."""
    data = _read(path, "--key")
    where = f"--key {path}"
    if data.lstrip().startswith(b"-----BEGIN"):
        if b"ENCRYPTED" in data:
            raise UsageError(f"{where}: an encrypted private key; write an unencrypted copy with "
                             "`openssl pkey -in KEY -out PLAIN.pem` and keep it private")
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{where}: not a PEM private key ({str(exc).splitlines()[0]})") from None
    else:
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise UsageError(f"{where}: neither a PEM private key nor a JWK") from None
        if isinstance(document, dict) and "d" not in document:
            raise UsageError(f"{where}: a public JWK; signing needs the private key (with \"d\")")
        key = _jwk_key(document, where)
    if not isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)):
        raise UsageError(f"{where}: not an Ed25519 or ECDSA private key ({type(key).__name__})")
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name not in _CURVES:
        raise UsageError(f"{where}: an ECDSA key on {key.curve.name}; use Ed25519 or ECDSA on P-256, P-384 or P-521")
    return key


def _keys_of(document: Any, where: str) -> list[VerificationKey]:
    if isinstance(document, dict) and "keys" in document:
        keys = document["keys"]
        if not isinstance(keys, list):
            raise UsageError(f"{where}: \"keys\" of a JWK Set must be a list")
        found = []
        for i, item in enumerate(keys):
            try:
                key = _jwk_key(item, f"{where} keys[{i}]")
            except UsageError:
                continue  # a JWK Set may hold keys of other types (RFC 7517 §5): not ours
            public = _public(key)
            if public is not None:
                found.append(VerificationKey(public, thumbprint(public), f"{where} keys[{i}]"))
        if not found:
            raise UsageError(f"{where}: no Ed25519 or ECDSA key in the JWK Set")
        return found
    key = _jwk_key(document, where)
    public = _public(key)
    if public is None:
        raise UsageError(f"{where}: {_unsupported(key)}")
    return [VerificationKey(public, thumbprint(public), where)]


def _public(key: Any) -> PublicKey | None:
    if isinstance(key, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey)):
        key = key.public_key()
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _CURVES:
        return key
    return None


def _unsupported(key: Any) -> str:
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return f"an ECDSA key on {key.curve.name}; use Ed25519 or ECDSA on P-256, P-384 or P-521"
    return f"not an Ed25519 or ECDSA key ({type(key).__name__})"


def load_public_keys(path: str) -> list[VerificationKey]:
    """A SubjectPublicKeyInfo PEM, a JWK or a JWK Set (a private key is accepted for its public half)."""
    data = _read(path, "--public-key")
    where = f"--public-key {path}"
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            if b"PRIVATE KEY" in data:
                key: Any = serialization.load_pem_private_key(data, password=None)
            else:
                key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{where}: not a PEM public key ({str(exc).splitlines()[0]})") from None
        public = _public(key)
        if public is None:
            raise UsageError(f"{where}: {_unsupported(key)}")
        return [VerificationKey(public, thumbprint(public), where)]
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"{where}: neither a PEM public key nor a JWK") from None
    return _keys_of(document, where)


def fetch_jwks(url: str) -> list[VerificationKey]:
    """The keys of a JWK Set at ``url``: one GET, ``JWKS_TIMEOUT_SECONDS``, ``JWKS_MAX_BYTES``."""
    from conformance.http import HttpClient, RunLimits
    from conformance.limits import Budget
    from conformance.profile import is_http_url
    from conformance.redact import Redactor

    if not is_http_url(url):
        raise UsageError(f"--jwks {url!r}: not an http(s) URL")
    budget = Budget(max_seconds=JWKS_TIMEOUT_SECONDS * 2, request_timeout_seconds=JWKS_TIMEOUT_SECONDS,
                    max_requests=3, requests_per_second=10, max_response_bytes=JWKS_MAX_BYTES,
                    max_run_bytes=JWKS_MAX_BYTES * 3)
    redactor = Redactor()
    client = HttpClient(RunLimits(budget), redactor)
    try:
        response = client.request("GET", url, follow_redirects=True)
    except HarnessError as exc:
        raise ConformanceError(f"--jwks {redactor.url(url)}: {exc.message}") from None
    finally:
        client.close()
    if response.status != 200:
        raise ConformanceError(f"--jwks {redactor.url(url)}: answered {response.status}, not a JWK Set")
    if response.truncated:
        raise ConformanceError(f"--jwks {redactor.url(url)}: larger than {JWKS_MAX_BYTES} bytes")
    try:
        document = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise ConformanceError(f"--jwks {redactor.url(url)}: not JSON") from None
    try:
        return _keys_of(document, f"--jwks {redactor.url(url)}")
    except UsageError as exc:
        raise ConformanceError(str(exc)) from None
