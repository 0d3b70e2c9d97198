"""Conformant variants the passports checks must not fail (precision review)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_suites.passports import jose

from conformance.testing import run_reference


def test_a_jwks_key_without_kid_fails_nothing(report_root: Path, specs_dir: str | None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # RFC 7517 §4.5: kid is OPTIONAL; AAI 1.2 requires a kid in the access token's header only (covered by
    # passports.broker.access-token-kid), so an extra published key without one is no deviation.
    from conformance_suites.passports.reference import app as module

    original = jose.Issuer.public_jwks
    spare = {k: v for k, v in jose.public_jwk(module._other_rsa_key(), "x", "RS256").items() if k != "kid"}

    def public_jwks(self: jose.Issuer) -> dict[str, Any]:
        document = original(self)
        document["keys"].append(spare)
        return document

    monkeypatch.setattr(jose.Issuer, "public_jwks", public_jwks)
    result = run_reference("passports", report_root, [], role="broker", specs_dir=specs_dir)
    assert result.failed() == [], result.output
    assert result.outcome("passports.broker.jwks-is-valid-key-set") == "passed"
