"""Reader keys in the crypt4gh key format, read and written with the ``crypt4gh`` library. A private key
is held in memory only: never printed, logged or stored by the harness."""

from __future__ import annotations

import base64
import contextlib
import io
import os


class KeyProblem(ValueError):
    """The reader key the profile names cannot be used (the message never holds key material)."""


def reader_key(text: str) -> bytes:
    """The 32-byte X25519 secret key of a crypt4gh private key file's text (not passphrase-protected)."""
    from crypt4gh.keys import c4gh

    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 3 or not lines[0].startswith("-----BEGIN ") or not lines[-1].startswith("-----END "):
        raise KeyProblem("the reader key is not a key file in the crypt4gh (PEM) format")
    try:
        stream = io.BytesIO(base64.b64decode("".join(lines[1:-1])))
    except ValueError:
        raise KeyProblem("the reader key's body is not base64") from None
    if stream.read(len(c4gh.MAGIC_WORD)) != c4gh.MAGIC_WORD:
        raise KeyProblem("the reader key is not a crypt4gh private key")

    def no_passphrase() -> str:
        raise KeyProblem("the reader key is passphrase-protected; write an unprotected test key with "
                         "`conformance crypt4gh keys`")

    try:
        key = bytes(c4gh.parse_private_key(stream, no_passphrase))
    except KeyProblem:
        raise
    except Exception:  # the library's own errors may echo input: none of it reaches a message
        raise KeyProblem("the reader key could not be decoded as a crypt4gh private key") from None
    if len(key) != 32:
        raise KeyProblem("the reader key does not hold a 32-byte X25519 secret key")
    return key


def public_key(secret: bytes) -> bytes:
    from crypt4gh import sodium

    return bytes(sodium.derive_pk(secret))


def new_secret() -> bytes:
    return os.urandom(32)


def private_key_text(secret: bytes, comment: str | None = None) -> str:
    """``secret`` as an unprotected crypt4gh private key file (the library's encoding)."""
    from crypt4gh.keys import c4gh

    with contextlib.redirect_stderr(io.StringIO()):  # the library warns that the key is not encrypted
        encoded = c4gh.encode_private_key(secret, None, comment.encode() if comment else None)
    body = base64.b64encode(encoded).decode("ascii")
    return f"-----BEGIN CRYPT4GH PRIVATE KEY-----\n{body}\n-----END CRYPT4GH PRIVATE KEY-----\n"


def public_key_text(secret: bytes) -> str:
    body = base64.b64encode(public_key(secret)).decode("ascii")
    return f"-----BEGIN CRYPT4GH PUBLIC KEY-----\n{body}\n-----END CRYPT4GH PUBLIC KEY-----\n"
