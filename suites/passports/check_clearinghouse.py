"""Clearinghouse checks: the harness acts as a test broker. A valid passport from its test issuer must be
granted; one-step mutations of it must be refused (AAI OIDC Profile 1.2 §Conformance for Passport
Clearinghouses; GA4GH Passport 1.2). Every refusal is judged against a granted positive control: the
same request with the unmutated passport. Mutations of the profile's passport (alg none, another issuer,
a broken signature) need only that passport; the rest need the clearinghouse to trust the test issuer."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest

from conformance import Response, check, fail

from . import jose
from .view import Clearinghouse, granted

#: A check whose failure would explain another's grant, with the passport that check submits (made on demand).
Cause = tuple[str, Callable[[], str]]


def refused(ch: Clearinghouse, passport: str, what: str, causes: tuple[Cause, ...] = ()) -> Response:
    """``passport`` must not be granted (the one-step mutation of a valid one). A grant is declared the
    consequence of the first of ``causes`` whose own mutation the clearinghouse grants too (one root cause,
    one failure: a clearinghouse that checks no passport signature also takes alg none)."""
    response: Response = ch.submit(passport)
    if granted(response):
        raise fail(f"the clearinghouse granted access to {what} ({response.status})", response,
                   caused_by=_cause(ch, causes))
    return response


def _cause(ch: Clearinghouse, causes: tuple[Cause, ...]) -> str | None:
    for check_id, make in causes:
        def probe(make: Callable[[], str] = make) -> bool:
            try:
                return granted(ch.submit(make()))
            except pytest.skip.Exception:
                return False
        if ch.memo(("cause-granted", check_id), probe):
            return check_id
    return None


def _tampered(ch: Clearinghouse) -> str:
    """The baseline passport with its payload changed after signing."""
    token = ch.baseline()
    parts = jose.split(token)
    changed = {**parts.payload, "exp": int(parts.payload.get("exp", jose.now())) + 86400,
               "jti": "tampered-" + str(parts.payload.get("jti", ""))}
    return jose.with_payload(token, changed)


def _unsigned_checked(ch: Clearinghouse) -> tuple[Cause, ...]:
    return (("passports.clearinghouse.rejects-bad-passport-signature", lambda: _tampered(ch)),)


def twin_granted(ch: Clearinghouse, passport: str, what: str) -> None:
    """The positive twin of a negative check: without it the refusal proves nothing."""
    ch.require_trust()
    ch.require_control()
    response = ch.submit(passport)
    if not granted(response):
        pytest.skip(f"the clearinghouse refused {what} ({response.status}); its policy differs from the "
                    "one this check assumes, so the refusal of the mutation would prove nothing")


def mutation(ch: Clearinghouse) -> None:
    """Mutations signed by the test issuer mean something only when it is trusted and the baseline granted."""
    ch.require_trust()
    ch.require_control()


@check("passports.clearinghouse.grants-valid-passport")
def test_grants_a_valid_passport(clearinghouse: Clearinghouse) -> None:
    """Positive control: a valid passport with a ControlledAccessGrants visa for the dataset gets 200 and
    an AccessURL (AAI 1.2 §Conformance for Passport Clearinghouses; DRS 1.4.0 §PostAccessURL)."""
    clearinghouse.require_dataset() if clearinghouse.trusted else None
    response = clearinghouse.control()
    if response.status == 200 and not granted(response):
        raise fail("a valid passport carrying the grant for the object was answered 200 without an AccessURL "
                   "(a JSON object with a url)", response)
    if not granted(response):
        raise fail(f"a valid passport carrying the grant for the object was refused ({response.status})", response)


@check("passports.clearinghouse.rejects-alg-none")
def test_rejects_alg_none(clearinghouse: Clearinghouse) -> None:
    """A passport with alg none (any casing, with or without its signature) is refused (AAI 1.2 §Signing
    Algorithms; RFC 8725 §3.1)."""
    ch = clearinghouse
    ch.require_control()
    token = ch.baseline()
    for alg, keep in (("none", False), ("None", False), ("NONE", False), ("none", True)):
        refused(ch, jose.alg_none(token, alg=alg, keep_signature=keep),
                f"a passport with alg {alg!r}{' and its old signature' if keep else ''}", _unsigned_checked(ch))


@check("passports.clearinghouse.rejects-hs256-with-public-key")
def test_rejects_hs256_signed_with_the_public_key(clearinghouse: Clearinghouse) -> None:
    """A passport HMAC-signed (HS256) with the trusted issuer's public key as the secret is refused
    (AAI 1.2 §Signing Algorithms; RFC 8725 §2.1 algorithm confusion). A refusal means something only when
    the clearinghouse trusts that issuer and grants its validly signed passport."""
    mutation(clearinghouse)
    ch = clearinghouse
    issuer = ch.issuer
    assert issuer is not None
    parts = jose.split(ch.passport())
    jwk = issuer.public_jwks()["keys"][0]
    for name, secret in jose.public_key_secrets(issuer.rsa_key.public_key(), jwk).items():
        refused(ch, jose.hs256_with_secret(parts.header, parts.payload, secret),
                f"a passport signed HS256 with the issuer's public key ({name}) as the secret", _unsigned_checked(ch))


@check("passports.clearinghouse.rejects-untrusted-broker")
def test_rejects_an_untrusted_broker(clearinghouse: Clearinghouse) -> None:
    """A passport signed by an issuer the clearinghouse does not trust is refused, even with trusted visas
    inside (AAI 1.2 §Conformance for Passport Clearinghouses). The mutation is the granted passport
    re-signed by an untrusted issuer named as its iss."""
    ch = clearinghouse
    ch.require_control()
    refused(ch, ch.resigned(ch.baseline(), ch.untrusted), "a passport signed by an untrusted issuer")


@check("passports.clearinghouse.denial-status")
def test_refusals_are_401_or_403(clearinghouse: Clearinghouse) -> None:
    """A refused passport gets 401 or 403 (DRS 1.4.0 §PostAccessURL responses). The status of a refusal
    tells something only when the same request with a valid passport is granted (else a 404 or a 405 may
    be about the path, not the passport)."""
    ch = clearinghouse
    ch.require_control()
    response = ch.submit(ch.resigned(ch.baseline(), ch.untrusted))
    if granted(response):
        pytest.skip("the untrusted passport was granted (see passports.clearinghouse.rejects-untrusted-broker)")
    if response.status not in (401, 403):
        raise fail(f"a refused passport was answered {response.status}, not 401 or 403", response)


@check("passports.clearinghouse.rejects-bad-passport-signature")
def test_rejects_a_tampered_passport(clearinghouse: Clearinghouse) -> None:
    """A passport whose payload changed after signing is refused (AAI 1.2 §Conformance for Passport
    Clearinghouses)."""
    ch = clearinghouse
    ch.require_control()
    refused(ch, _tampered(ch), "a passport whose payload was changed after signing")


@check("passports.clearinghouse.rejects-disallowed-alg")
def test_rejects_a_ps256_passport(clearinghouse: Clearinghouse) -> None:
    """A passport validly signed by the trusted key with PS256 is refused: only RS256 and ES256 are
    conformant (AAI 1.2 §Signing Algorithms)."""
    mutation(clearinghouse)
    refused(clearinghouse, clearinghouse.passport(alg="PS256"), "a passport signed PS256",
            _unsigned_checked(clearinghouse))


@check("passports.clearinghouse.rejects-expired-passport")
def test_rejects_an_expired_passport(clearinghouse: Clearinghouse) -> None:
    """A passport whose exp has passed is refused (AAI 1.2 §Conformance for Passport Clearinghouses)."""
    mutation(clearinghouse)
    t = jose.now()
    refused(clearinghouse, clearinghouse.passport(claims={"iat": t - 7200, "exp": t - 600}),
            "a passport that expired 10 minutes ago")


@check("passports.clearinghouse.rejects-passport-without-exp")
def test_rejects_a_passport_without_exp(clearinghouse: Clearinghouse) -> None:
    """A passport without the REQUIRED exp is refused (AAI 1.2 §Passport Format)."""
    mutation(clearinghouse)
    refused(clearinghouse, clearinghouse.passport(drop=("exp",)), "a passport without exp")


@check("passports.clearinghouse.rejects-passport-not-yet-valid")
def test_rejects_a_passport_not_yet_valid(clearinghouse: Clearinghouse) -> None:
    """A passport whose nbf is an hour ahead is refused (RFC 7519 §4.1.5, part of the JWT validity AAI 1.2
    requires)."""
    mutation(clearinghouse)
    refused(clearinghouse, clearinghouse.passport(claims={"nbf": jose.now() + 3600}),
            "a passport not valid before an hour from now")


@check("passports.clearinghouse.rejects-wrong-audience")
def test_rejects_a_passport_for_another_audience(clearinghouse: Clearinghouse) -> None:
    """A passport whose aud names another service is refused (RFC 7519 §4.1.3; AAI 1.2 §Conformance for
    Passport Clearinghouses)."""
    mutation(clearinghouse)
    refused(clearinghouse, clearinghouse.passport(claims={"aud": ["https://other-service.conformance.invalid"]}),
            "a passport for another audience")


@check("passports.clearinghouse.rejects-wrong-typ")
def test_rejects_a_token_that_is_not_a_passport(clearinghouse: Clearinghouse) -> None:
    """A token whose typ is not vnd.ga4gh.passport+jwt is not taken as a passport (AAI 1.2 §Passport
    Format; RFC 8725 §3.11)."""
    mutation(clearinghouse)
    refused(clearinghouse, clearinghouse.passport(header={"typ": "at+jwt"}), "a token with typ at+jwt")


@check("passports.clearinghouse.ignores-alg-none-visa")
def test_ignores_an_unsigned_visa(clearinghouse: Clearinghouse) -> None:
    """A visa with alg none inside a valid passport is not used (AAI 1.2 §Conformance for Passport
    Clearinghouses)."""
    mutation(clearinghouse)
    ch = clearinghouse
    refused(ch, ch.passport([jose.alg_none(ch.visa())]), "a passport whose grant visa has alg none")


@check("passports.clearinghouse.ignores-bad-visa-signature")
def test_ignores_a_tampered_visa(clearinghouse: Clearinghouse) -> None:
    """A visa whose payload changed after signing is not used (AAI 1.2 §Conformance for Passport
    Clearinghouses)."""
    mutation(clearinghouse)
    ch = clearinghouse
    original = ch.visa(obj={"value": ch.require_dataset() + "-other"})
    parts = jose.split(original)
    changed = {**parts.payload, "ga4gh_visa_v1": {**parts.payload["ga4gh_visa_v1"], "value": ch.require_dataset()}}
    refused(ch, ch.passport([jose.with_payload(original, changed)]),
            "a passport whose grant visa was changed after signing")


@check("passports.clearinghouse.ignores-expired-visa")
def test_ignores_an_expired_visa(clearinghouse: Clearinghouse) -> None:
    """A visa whose exp has passed is not used, inside a valid passport (Passport 1.2 §Token Revocation;
    AAI 1.2 §Conformance for Passport Clearinghouses)."""
    mutation(clearinghouse)
    ch = clearinghouse
    t = jose.now()
    refused(ch, ch.passport([ch.visa(claims={"iat": t - 7200, "exp": t - 600})]),
            "a valid passport whose grant visa expired 10 minutes ago")


@check("passports.clearinghouse.ignores-visa-without-exp")
def test_ignores_a_visa_without_exp(clearinghouse: Clearinghouse) -> None:
    """A visa missing the REQUIRED exp is not used (Passport 1.2 §Visa Format)."""
    mutation(clearinghouse)
    ch = clearinghouse
    refused(ch, ch.passport([ch.visa(drop=("exp",))]), "a passport whose grant visa has no exp")


@check("passports.clearinghouse.ignores-formless-visa")
def test_ignores_a_visa_without_jku_or_openid_scope(clearinghouse: Clearinghouse) -> None:
    """A visa with neither jku nor an openid scope is not used (Passport 1.2 §Visa Format)."""
    mutation(clearinghouse)
    ch = clearinghouse
    visa = ch.visa()
    parts = jose.split(visa)
    header = {k: v for k, v in parts.header.items() if k != "jku"}
    assert ch.issuer is not None
    formless = ch.issuer.sign(parts.payload, {**header, "typ": jose.VISA_TYP}, "ES256")
    refused(ch, ch.passport([formless]), "a passport whose grant visa has neither jku nor an openid scope")


@check("passports.clearinghouse.ignores-untrusted-visa-issuer")
def test_ignores_a_visa_from_an_untrusted_issuer(clearinghouse: Clearinghouse) -> None:
    """A visa signed by an untrusted visa issuer is ignored even inside a trusted passport (Passport 1.2
    §General Requirements)."""
    mutation(clearinghouse)
    ch = clearinghouse
    refused(ch, ch.passport([ch.visa(ch.untrusted)]), "a trusted passport whose grant visa is from an untrusted issuer")


def _untrusted_jku_visa(ch: Clearinghouse) -> tuple[str, str]:
    """A visa claiming the trusted iss, whose jku is the harness callback serving the untrusted key set."""
    assert ch.issuer is not None
    jku = ch.callback().fresh("jwks")
    visa = ch.untrusted.sign({**jose.split(ch.visa()).payload},
                             {"typ": jose.VISA_TYP, "jku": jku}, "ES256")
    return visa, jku


@check("passports.clearinghouse.rejects-untrusted-jku")
def test_rejects_a_visa_with_an_untrusted_jku(clearinghouse: Clearinghouse) -> None:
    """A visa claiming a trusted iss but pointing jku at an untrusted key set (and signed by it) is not used
    (AAI 1.2 §Conformance for Passport Clearinghouses)."""
    mutation(clearinghouse)
    ch = clearinghouse
    if not ch.service.is_loopback:
        pytest.skip("the jku points at the harness's loopback callback, which a remote clearinghouse cannot reach "
                    "(and would make it fetch its own loopback)")
    visa, _ = _untrusted_jku_visa(ch)
    refused(ch, ch.passport([visa]), "a passport whose grant visa is verified only by an untrusted jku")


@check("passports.clearinghouse.checks-jku-before-fetch")
def test_never_fetches_an_untrusted_jku(clearinghouse: Clearinghouse) -> None:
    """The clearinghouse never calls a jku not configured for the visa's iss (AAI 1.2 §Conformance for
    Passport Clearinghouses: the check MUST be performed before calling the jku endpoint)."""
    mutation(clearinghouse)
    ch = clearinghouse
    if not ch.service.is_loopback:
        pytest.skip("the harness's callback server is on loopback, which only a loopback clearinghouse can reach")
    visa, jku = _untrusted_jku_visa(ch)
    response = ch.submit(ch.passport([visa]))
    if ch.callback().was_fetched(jku):
        # granted: the clearinghouse used the key set it fetched, which passports.clearinghouse.rejects-untrusted-jku
        # fails on; the one root cause of both is a jku never checked against the trusted ones
        raise fail("the clearinghouse fetched a visa jku that is not trusted for the visa's iss", response,
                   caused_by="passports.clearinghouse.rejects-untrusted-jku" if granted(response) else None)


@check("passports.clearinghouse.does-not-fetch-url-claims")
def test_never_fetches_url_claims(clearinghouse: Clearinghouse) -> None:
    """URL Claims are never fetched during policy evaluation (Passport 1.2 §URL Claims)."""
    mutation(clearinghouse)
    ch = clearinghouse
    if not ch.service.is_loopback:
        pytest.skip("the harness's callback server is on loopback, which only a loopback clearinghouse can reach")
    source = ch.callback().fresh("source")
    response = ch.submit(ch.passport([ch.visa(obj={"source": source})]))
    if ch.callback().was_fetched(source):
        raise fail("the clearinghouse fetched the visa's source URL while deciding", response)


@check("passports.clearinghouse.value-full-string-case-sensitive")
def test_matches_the_dataset_exactly(clearinghouse: Clearinghouse) -> None:
    """Visa values match by case-sensitive full string: the dataset URL with a suffix, or upper-cased, does
    not grant (Passport 1.2 §Visa Object Claims, value; §URL Claims)."""
    mutation(clearinghouse)
    ch = clearinghouse
    dataset = ch.require_dataset()
    for value in (dataset + "0", dataset + "/", dataset.upper()):
        if value != dataset:
            refused(ch, ch.passport([ch.visa(obj={"value": value})]), f"a grant visa for {value!r}")


@check("passports.clearinghouse.ignores-unsupported-custom-type")
def test_ignores_a_custom_visa_type(clearinghouse: Clearinghouse) -> None:
    """A visa with an unsupported custom type is ignored even when its value is the dataset (Passport 1.2
    §Custom Visa Types)."""
    mutation(clearinghouse)
    ch = clearinghouse
    refused(ch, ch.passport([ch.visa(obj={"type": "https://types.conformance.invalid/grant"})]),
            "a visa of an unknown custom type whose value is the dataset")


@check("passports.clearinghouse.ignores-unneeded-visas")
def test_ignores_unneeded_bad_visas(clearinghouse: Clearinghouse) -> None:
    """An extra unrelated expired visa does not make a valid request fail (Passport 1.2 §General
    Requirements: visas not needed are ignored)."""
    mutation(clearinghouse)
    ch = clearinghouse
    t = jose.now()
    stale = ch.visa(obj={"type": "ResearcherStatus", "value": "https://doi.org/10.1038/s41431-018-0219-y",
                         "by": "so"}, claims={"iat": t - 7200, "exp": t - 600})
    response = ch.submit(ch.passport([ch.visa(), stale]))
    if not granted(response):
        raise fail(f"a valid grant was refused ({response.status}) because of an unrelated expired visa", response)


# -- conditions --------------------------------------------------------------------------------------------------

AFFILIATION = "faculty@conformance.invalid"


def _conditional(ch: Clearinghouse, clause: dict[str, str] | list[list[dict[str, str]]],
                 affiliation: dict[str, object] | None = None, claims: dict[str, object] | None = None) -> str:
    conditions = clause if isinstance(clause, list) else [[clause]]
    grant = ch.visa(obj={"conditions": conditions})
    visas = [grant]
    if affiliation is not None:
        obj = {"type": "AffiliationAndRole", "value": AFFILIATION, "by": "system", **affiliation}
        visas.append(ch.visa(obj=obj, claims=claims))
    token: str = ch.passport(visas)
    return token


CONST = {"type": "AffiliationAndRole", "value": f"const:{AFFILIATION}"}


def _unmet(ch: Clearinghouse) -> Cause:
    """passports.clearinghouse.enforces-conditions, the root of every condition check a clearinghouse that
    ignores conditions fails: its mutation, a grant whose condition no visa meets."""
    return "passports.clearinghouse.enforces-conditions", lambda: _conditional(ch, CONST)


@check("passports.clearinghouse.enforces-conditions")
def test_enforces_conditions(clearinghouse: Clearinghouse) -> None:
    """A grant visa whose conditions no other visa meets is not used (Passport 1.2 §Visa Object Claims,
    conditions)."""
    ch = clearinghouse
    twin_granted(ch, _conditional(ch, CONST, {}), "a grant whose condition is met")
    refused(ch, _conditional(ch, CONST), "a grant visa whose condition is not met")


@check("passports.clearinghouse.conditions-or-of-ands")
def test_conditions_are_an_or_of_ands(clearinghouse: Clearinghouse) -> None:
    """Conditions are OR over the outer list and AND within each inner list (Passport 1.2 §conditions)."""
    ch = clearinghouse
    unmet = {"type": "ResearcherStatus", "value": "const:https://status.conformance.invalid/never"}
    twin_granted(ch, _conditional(ch, [[unmet], [CONST]], {}), "a grant whose second alternative is met")
    refused(ch, _conditional(ch, [[CONST, unmet]], {}), "a grant whose conjunction is only half met", (_unmet(ch),))


@check("passports.clearinghouse.unsupported-condition-fails")
def test_unknown_condition_prefix_never_matches(clearinghouse: Clearinghouse) -> None:
    """A clause with an unknown prefix never matches (Passport 1.2 §conditions)."""
    ch = clearinghouse
    twin_granted(ch, _conditional(ch, CONST, {}), "a grant whose condition is met")
    refused(ch, _conditional(ch, {"type": "AffiliationAndRole", "value": f"regex:{AFFILIATION}"}, {}),
            "a grant whose only condition uses the unknown prefix regex:", (_unmet(ch),))


@check("passports.clearinghouse.condition-const-case-sensitive")
def test_const_is_case_sensitive(clearinghouse: Clearinghouse) -> None:
    """const: is a case-sensitive full-string match (Passport 1.2 §conditions)."""
    ch = clearinghouse
    twin_granted(ch, _conditional(ch, CONST, {}), "a grant whose condition is met")
    refused(ch, _conditional(ch, {"type": "AffiliationAndRole", "value": f"const:{AFFILIATION.upper()}"}, {}),
            "a grant whose const: condition differs only in case", (_unmet(ch),))


@check("passports.clearinghouse.condition-pattern-matching")
def test_pattern_is_a_full_string_match(clearinghouse: Clearinghouse) -> None:
    """pattern: matches the full string; ? is one character, * any run (Passport 1.2 §Pattern Matching)."""
    ch = clearinghouse
    twin_granted(ch, _conditional(ch, {"type": "AffiliationAndRole", "value": "pattern:faculty@*.invalid"}, {}),
                 "a grant whose pattern condition is met")
    refused(ch, _conditional(ch, {"type": "AffiliationAndRole", "value": "pattern:faculty"}, {}),
            "a grant whose pattern matches only a prefix of the value", (_unmet(ch),))


@check("passports.clearinghouse.condition-split-pattern")
def test_split_pattern_matches_each_substring(clearinghouse: Clearinghouse) -> None:
    """split_pattern: "the full suffix MUST use full string Pattern Matching on each full substring from
    splitting the corresponding Visa Object claim value ... by the ";" character" (Passport 1.2 §Visa Object
    Claims, conditions), shown on a LinkedIdentities value, the format the text names for it: a pattern that
    fits the value only across its ";" fits no substring."""
    ch = clearinghouse
    linked = "123456,https%3A%2F%2Fidp.conformance.invalid;7890,https%3A%2F%2Fother.conformance.invalid"

    def passport(pattern: str) -> str:
        grant = ch.visa(obj={"conditions": [[{"type": "LinkedIdentities", "value": f"split_pattern:{pattern}"}]]})
        link = ch.visa(obj={"type": "LinkedIdentities", "value": linked, "by": "system"})
        token: str = ch.passport([grant, link])
        return token

    twin_granted(ch, passport("123456,*"), "a grant whose split_pattern one substring of a LinkedIdentities visa meets")
    refused(ch, passport("*;7890,*"), "a grant whose split_pattern fits the LinkedIdentities value only unsplit, "
            "across its ';'", (_unmet(ch),))


@check("passports.clearinghouse.condition-clause-single-visa")
def test_clause_is_met_by_one_visa(clearinghouse: Clearinghouse) -> None:
    """"All Condition Clause claims that are specified within one Condition Clause MUST match the same Visa
    Object in the Passport" (Passport 1.2 §Visa Object Claims, conditions): a clause whose value one visa
    meets and whose by only another meets is not met."""
    ch = clearinghouse
    clause = {"type": "AffiliationAndRole", "value": f"const:{AFFILIATION}", "by": "const:so"}
    twin_granted(ch, _conditional(ch, clause, {"by": "so"}), "a grant whose clause one visa meets whole")
    grant = ch.visa(obj={"conditions": [[clause]]})
    value_only = ch.visa(obj={"type": "AffiliationAndRole", "value": AFFILIATION, "by": "system"})
    by_only = ch.visa(obj={"type": "AffiliationAndRole", "value": "staff@conformance.invalid", "by": "so"})
    refused(ch, ch.passport([grant, value_only, by_only]),
            "a grant whose clause only two visas meet together (value from one, by from the other)", (_unmet(ch),))


OTHER_USER = "conformance-test-user-2"


def _two_identities(ch: Clearinghouse, link: str | None) -> str:
    """A grant (the test user) whose condition only an affiliation visa of another Visa Identity meets
    (OTHER_USER at the same issuer), with ``link``, a LinkedIdentities visa, if any."""
    grant = ch.visa(obj={"conditions": [[CONST]]})
    other = ch.visa(obj={"type": "AffiliationAndRole", "value": AFFILIATION, "by": "system"},
                    claims={"sub": OTHER_USER})
    token: str = ch.passport([grant, other, *([link] if link else [])])
    return token


def _identity(sub: str, iss: str) -> str:
    """One LinkedIdentities entry: "<uri-encoded-sub>,<uri-encoded-iss>" (Passport 1.2 §LinkedIdentities)."""
    return f"{quote(sub, safe='')},{quote(iss, safe='')}"


def _link(ch: Clearinghouse, signer: jose.Issuer | None = None) -> str:
    """A LinkedIdentities visa of ``signer`` (the test issuer by default) naming both identities of
    :func:`_two_identities` (the superset form of the text's second example)."""
    if ch.issuer is None:
        pytest.skip("no test issuer")
    iss = ch.issuer.iss
    value = f"{_identity('conformance-test-user', iss)};{_identity(OTHER_USER, iss)}"
    return ch.visa(signer, obj={"type": "LinkedIdentities", "value": value, "by": "system"})


@check("passports.clearinghouse.requires-linked-identities")
def test_identities_combined_only_when_linked(clearinghouse: Clearinghouse) -> None:
    """"When combining Visas with multiple Visa Identities for the purposes of evaluating authorization, a
    Passport Clearinghouse MUST check the LinkedIdentities Visas by trusted issuers and ensure that trusted
    sources have asserted that these Visa Identities represent the same end user" (Passport 1.2 §General
    Requirements 4): a condition met only by a visa of another, unlinked identity is not met."""
    ch = clearinghouse
    twin_granted(ch, _two_identities(ch, _link(ch)), "a grant whose condition a visa of a linked identity meets")
    refused(ch, _two_identities(ch, None), "a grant whose condition only a visa of another, unlinked identity meets",
            (_unmet(ch),))


@check("passports.clearinghouse.linked-identities-from-trusted-issuer")
def test_links_count_only_from_trusted_issuers(clearinghouse: Clearinghouse) -> None:
    """Only "LinkedIdentities Visas by trusted issuers" join Visa Identities (Passport 1.2 §General
    Requirements 4; §Registered Access: "determine if combining these identities came from a trusted Visa
    Issuer"): the same link signed by an untrusted issuer joins nothing."""
    ch = clearinghouse
    twin_granted(ch, _two_identities(ch, _link(ch)), "a grant whose condition a visa of a linked identity meets")
    if granted(ch.submit(_two_identities(ch, None))):
        pytest.skip("the clearinghouse combines unlinked identities (see "
                    "passports.clearinghouse.requires-linked-identities): a link cannot be told to matter")
    refused(ch, _two_identities(ch, _link(ch, ch.untrusted)),
            "a grant whose identities only a LinkedIdentities visa of an untrusted issuer links",
            (_unmet(ch), ("passports.clearinghouse.ignores-untrusted-visa-issuer",
                          lambda: ch.passport([ch.visa(ch.untrusted)]))))


@check("passports.clearinghouse.condition-visa-must-be-valid")
def test_condition_needs_a_valid_visa(clearinghouse: Clearinghouse) -> None:
    """A visa that meets a condition must itself be valid: an expired one does not (Passport 1.2
    §conditions)."""
    ch = clearinghouse
    twin_granted(ch, _conditional(ch, CONST, {}), "a grant whose condition is met")
    t = jose.now()
    refused(ch, _conditional(ch, CONST, {}, {"iat": t - 7200, "exp": t - 600}),
            "a grant whose condition is met only by an expired visa",
            (_unmet(ch), ("passports.clearinghouse.ignores-expired-visa",
                          lambda: ch.passport([ch.visa(claims={"iat": t - 7200, "exp": t - 600})]))))


@check("passports.clearinghouse.condition-ignores-conditional-visas")
def test_condition_ignores_conditional_visas(clearinghouse: Clearinghouse) -> None:
    """Visas carrying conditions are ignored when matching clauses (Passport 1.2 §conditions)."""
    ch = clearinghouse
    twin_granted(ch, _conditional(ch, CONST, {}), "a grant whose condition is met")
    own = [[{"type": "ResearcherStatus", "value": "const:https://status.conformance.invalid/never"}]]
    refused(ch, _conditional(ch, CONST, {"conditions": own}),
            "a grant whose condition is met only by a visa that has unmet conditions of its own", (_unmet(ch),))
