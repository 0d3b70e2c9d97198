"""The visa rules the passports checks and the reference clearinghouse share (Passport 1.2), against the
spec's own examples and its errata."""

from __future__ import annotations

from urllib.parse import quote

import jwt
import pytest
from conformance_suites.passports import jose


@pytest.mark.parametrize(("pattern", "value", "matches"), [
    ("faculty@*", "faculty@h.test", True),
    ("faculty@h.tes?", "faculty@h.test", True),
    ("faculty@h.tes?", "faculty@h.testt", False),
    ("faculty", "faculty@h.test", False),          # full string, not a search
    ("[f]aculty@*", "faculty@h.test", False),      # '[' is literal (fnmatch would match)
    ("faculty@h.test", "Faculty@h.test", False),   # case-sensitive
    ("a.c", "abc", False),                         # '.' is literal
    ("*", "", True),
])
def test_pattern_matching(pattern: str, value: str, matches: bool) -> None:
    assert jose.pattern_matches(pattern, value) is matches


def test_split_pattern_matches_any_piece_and_unknown_prefixes_never_match() -> None:
    value = "001,https%3A%2F%2Fh1.test;123,https%3A%2F%2Fh2.test%2Fo"
    assert jose.clause_value_matches("split_pattern:123,https%3A%2F%2Fh2.test*", value)
    assert not jose.clause_value_matches("pattern:123,https%3A%2F%2Fh2.test*", value)
    assert not jose.clause_value_matches("regex:.*", value)
    assert not jose.clause_value_matches("faculty@h.test", "faculty@h.test")


def test_conditions_are_an_or_of_ands_over_single_visas() -> None:
    affiliation = {"type": "AffiliationAndRole", "value": "faculty@h.test", "by": "system"}
    other = {"type": "AffiliationAndRole", "value": "student@h.test", "by": "so"}
    met = {"type": "AffiliationAndRole", "value": "const:faculty@h.test", "by": "const:system"}
    across = {"type": "AffiliationAndRole", "value": "const:faculty@h.test", "by": "const:so"}
    assert jose.conditions_met([[met]], [affiliation])
    assert not jose.conditions_met([[across]], [affiliation, other])  # one clause, one visa
    assert jose.conditions_met([[across], [met]], [affiliation])
    assert not jose.conditions_met([[across, met]], [affiliation])
    assert not jose.conditions_met([[met]], [{**affiliation, "conditions": [[met]]}])


def test_linked_identities_encoding_accepts_the_spec_encodings_only() -> None:
    spec_example = "123456,https%3A%2F%2Fexample.org%2Fa%7Cb%2Cc;7890,https%3A%2F%2Fexample2.org"  # P12 line 818
    assert jose.linked_identities_problem(spec_example) is None
    assert jose.linked_identities_problem(f"{quote('a,b;c', safe='')},{quote('https://x/o,i;d', safe='')}") is None
    assert jose.linked_identities_problem(f"567,{quote('https://example2.org/oidc')}") is None  # quote() keeps '/'
    assert jose.linked_identities_problem("567,https://example2.org/o,i") is not None  # a raw ','
    assert jose.linked_identities_problem("1,https%3A%2F%2Fa.org; 2,https%3A%2F%2Fb.org") is not None


@pytest.mark.parametrize(("value", "ok"), [("faculty@example.org", True), ("member@no.organization", True),
                                           ("nih.researcher@example.org", True), ("Faculty@example.org", False),
                                           ("staff@example.org", False), ("faculty", False),
                                           ("member@example.xn--p1ai", True),  # an IDN top-level domain
                                           ("member@example.xn--", False)])
def test_affiliation_and_role(value: str, ok: bool) -> None:
    assert (jose.affiliation_problem(value) is None) is ok


@pytest.mark.parametrize(("conditions", "problem"), [
    ([[{"type": "AffiliationAndRole", "value": "const:x@y.org"}]], None),
    ([{"type": "AffiliationAndRole", "value": "const:x@y.org"}], "conditions-is-list-of-lists"),
    ([[{"type": "AffiliationAndRole"}]], "condition-clause-has-type-and-claim"),
    ([[{"type": "AffiliationAndRole", "value": "x@y.org"}]], "condition-values-have-prefix"),
    ([[{"type": "AffiliationAndRole", "value": "const:x", "conditions": "const:y"}]],
     "condition-clause-has-no-conditions"),
])
def test_conditions_grammar(conditions: object, problem: str | None) -> None:
    found = jose.conditions_problem(conditions)
    assert (found[0] if found else None) == problem


def test_forgeries_are_refused_by_a_correct_verifier() -> None:
    issuer = jose.session_issuer("rules-test")
    token = issuer.sign({"iss": issuer.iss, "sub": "u", "iat": jose.now(), "exp": jose.now() + 60},
                        {"typ": jose.PASSPORT_TYP})
    key = jose.keys_of(issuer.public_jwks())[issuer.rsa_kid]
    assert jose.verify(token, key)["sub"] == "u"
    parts = jose.split(token)
    forged = [jose.alg_none(token), jose.alg_none(token, alg="NONE", keep_signature=True),
              jose.with_payload(token, {**parts.payload, "sub": "admin"}),
              *(jose.hs256_with_secret(parts.header, parts.payload, secret) for secret in
                jose.public_key_secrets(issuer.rsa_key.public_key(), issuer.public_jwks()["keys"][0]).values())]
    for token in forged:
        with pytest.raises(jwt.InvalidTokenError):
            jose.verify(token, key)


def test_a_forged_access_token_keeps_the_claims_and_kid_but_not_the_signature() -> None:
    from conformance_suites.passports.check_broker import forged

    broker = jose.session_issuer("forged-test-broker")
    token = broker.sign({"iss": broker.iss, "sub": "u", "iat": jose.now(), "exp": jose.now() + 60},
                        {"typ": "at+jwt"})
    fake = forged(token)
    original, copy = jose.split(token), jose.split(fake)
    assert copy.payload == original.payload and copy.header["kid"] == original.header["kid"]
    assert jose.signature_problem(fake, jose.public_keys(broker.public_jwks()))
    opaque = "opaque-" + "x" * 20
    assert forged(opaque) != opaque and len(forged(opaque)) == len(opaque)
