"""suites/passports/jose.py: its base64url codec reads and writes as PyJWT's does, and PyJWT and
``cryptography`` load only when a key or a signature is used (issue 20: a DRS run without protected
objects imports this module through the DRS suite's clearinghouse checks, and paid ~0.1 s for them)."""

from __future__ import annotations

import binascii
import os
import subprocess
import sys

import pytest
from conformance_suites.passports import jose
from jwt.utils import base64url_decode, base64url_encode


def test_base64url_codec_is_pyjwts() -> None:
    for length in range(40):
        data = os.urandom(length)
        assert jose.base64url_encode(data) == base64url_encode(data)
        assert jose.base64url_decode(base64url_encode(data)) == base64url_decode(base64url_encode(data)) == data
    for padded in (b"ab=", b"ab==", b""):
        assert jose.base64url_decode(padded) == base64url_decode(padded)
    for broken in (b"a", b"a*b", b"abcde"):
        with pytest.raises(binascii.Error):
            jose.base64url_decode(broken)


def test_the_drs_checks_load_no_jose_library_until_one_is_used() -> None:
    code = ("import sys, conformance_suites.drs.check_passports, conformance_suites.drs.fixtures;"
            "from conformance_suites.passports import jose;"
            "loaded = [m for m in ('jwt', 'cryptography') if m in sys.modules];"
            "token = jose.session_issuer('t').sign({'sub': 'x'});"
            "print(','.join(loaded), jose.split(token).header['alg'], 'jwt' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RS256", "True"]  # nothing loaded before; PyJWT once a token is signed
