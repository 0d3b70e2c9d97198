"""A DRS service that declares passport-protected objects is a Passport Clearinghouse, attacked as one
without a second `passports` entry in the profile (issue 22): the passports suite's clearinghouse attacks
(suites/passports/check_clearinghouse.py), each a one-step mutation of a valid passport, POSTed to the route
of the DRS service that guards its first protected object (DRS 1.2.0 §Authorization & Authentication ›
PassportAuth: "A valid authorization GA4GH Passport token must be passed in the body of a POST request";
§Objects › PostObject, PostAccessURL; AAI 1.2 §Conformance for Passport Clearinghouses; Passport 1.2).

The valid passport is the harness's own, from its test issuer, where the profile entry says
`trusts_test_issuer` (with `test_issuer_keys` and `dataset`); else the profile's (auth.passport_env), which
only the forgeries that need no signing key can mutate (alg none, another issuer); the rest skip saying so.
Every refusal is judged against that passport granted on the same route (the positive control). Without
any, the forgeries that need no key are made of a harness passport: a grant fails, a refusal is undecided.
"""

from __future__ import annotations

import pytest

from conformance import check, fail

from ..passports import check_clearinghouse as attack
from ..passports import jose
from ..passports.view import granted
from .clearinghouse import DrsClearinghouse, leak_in

#: Why a refusal without a positive control decides nothing (issue 21); a grant of the forgery fails all the same.
UNCONTROLLED = ("cannot decide: the forgery was refused, but without a passport the service grants (auth.passport_env, "
                "or test_issuer_keys of an issuer it trusts with trusts_test_issuer) any passport may be refused")


@check("drs.passport.grants-valid-passport")
def test_grants_a_valid_passport(drs_clearinghouse: DrsClearinghouse) -> None:
    """Positive control: a valid passport from the test issuer the service trusts, with a ControlledAccessGrants visa
    for the object's dataset, is granted (200) on the route that guards the protected object (AAI 1.2
    §Conformance for Passport Clearinghouses; DRS 1.2.0 §Objects › PostObject, PostAccessURL). The profile's own
    passport is judged by drs.passport.post-object-accepts-passports."""
    ch = drs_clearinghouse
    ch.require_trust()
    ch.require_dataset()
    response = ch.control()
    if not granted(response):
        raise fail(f"a valid passport from the trusted test issuer, carrying the grant for the object, was refused "
                   f"on POST {ch.path} ({response.status})", response)


@check("drs.passport.refusal-reveals-nothing")
def test_refusal_reveals_nothing(drs_clearinghouse: DrsClearinghouse) -> None:
    """A refused passport gets nothing of the protected object: no DrsObject fields (access_methods, checksums) and no
    URL that a granted request gets (DRS 1.2.0 §Authorization & Authentication › PassportAuth: the object needs
    a valid passport; §Objects › PostObject, PostAccessURL: 401/403 answer an Error). Judged on the refusals of
    an alg-none copy and of an untrusted issuer's copy of the granted passport."""
    ch = drs_clearinghouse
    ch.require_control()
    urls = ch.granted_urls()
    token = ch.baseline()
    for what, forged in (("an alg none copy of the valid passport", jose.alg_none(token)),
                         ("the valid passport re-signed by an untrusted issuer", ch.resigned(token, ch.untrusted))):
        response = ch.submit(forged)
        if granted(response):
            continue  # a grant is judged by drs.passport.rejects-alg-none / rejects-untrusted-issuer
        leak = leak_in(response, urls)
        if leak:
            raise fail(f"the refusal ({response.status}) of {what} on POST {ch.path} carries {leak}", response)


@check("drs.auth.insufficient-credentials-is-403")
def test_valid_passport_without_the_grant_is_403(drs_clearinghouse: DrsClearinghouse) -> None:
    """A valid passport, from the issuer the service trusts, whose only visa grants another dataset is answered 403,
    not 401 (DRS 1.2.0 §Objects › 403 "The requester is not authorized to perform this action", beside 401 "The
    request is unauthorized"). Needs the trusted test issuer: only it can sign a valid passport that lacks the
    grant."""
    ch = drs_clearinghouse
    ch.require_trust()
    ch.require_control()
    other = "https://datasets.conformance.invalid/another-dataset-" + ch.require_dataset().rsplit("/", 1)[-1]
    response = ch.submit(ch.passport([ch.visa(obj={"value": other})]))
    if granted(response):
        pytest.skip("a valid passport granting another dataset was granted this object: the service's policy "
                    "differs from the one this check assumes, so the status of a refusal cannot be judged")
    if response.status != 403:
        raise fail(f"a valid passport whose visas do not grant the object was answered {response.status}, not 403",
                   response)


@check("drs.passport.rejects-alg-none")
def test_rejects_alg_none(drs_clearinghouse: DrsClearinghouse) -> None:
    """A passport with alg none (any casing, with or without its signature) is refused (AAI 1.2 §Signing Algorithms;
    RFC 8725 §3.1). The same attack as passports.clearinghouse.rejects-alg-none, on the route of the DRS service
    that guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects ›
    PostObject, PostAccessURL). Without any passport the service grants, the same forgery of a passport the
    harness makes is sent: a grant fails, a refusal decides nothing."""
    made = drs_clearinghouse.uncontrolled_passport()
    if made is not None:
        for alg, keep in (("none", False), ("None", False), ("NONE", False), ("none", True)):
            attack.refused(drs_clearinghouse, jose.alg_none(made, alg=alg, keep_signature=keep),
                           f"a passport with alg {alg!r}{' and its old signature' if keep else ''}")
        pytest.skip(UNCONTROLLED)
    attack.test_rejects_alg_none(drs_clearinghouse)


@check("drs.passport.rejects-hs256-with-public-key")
def test_rejects_hs256_signed_with_the_public_key(drs_clearinghouse: DrsClearinghouse) -> None:
    """A passport HMAC-signed (HS256) with the trusted issuer's public key as the secret is refused (AAI 1.2 §Signing
    Algorithms; RFC 8725 §2.1 algorithm confusion). A refusal means something only when the clearinghouse trusts
    that issuer and grants its validly signed passport. The same attack as
    passports.clearinghouse.rejects-hs256-with-public-key, on the route of the DRS service that guards the
    protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_rejects_hs256_signed_with_the_public_key(drs_clearinghouse)


@check("drs.passport.rejects-untrusted-issuer")
def test_rejects_an_untrusted_broker(drs_clearinghouse: DrsClearinghouse) -> None:
    """A passport signed by an issuer the clearinghouse does not trust is refused, even with trusted visas inside (AAI
    1.2 §Conformance for Passport Clearinghouses). The mutation is the granted passport re-signed by an
    untrusted issuer named as its iss. The same attack as passports.clearinghouse.rejects-untrusted-broker, on
    the route of the DRS service that guards the protected object (DRS 1.2.0 §Authorization & Authentication ›
    PassportAuth; §Objects › PostObject, PostAccessURL). Without any passport the service grants, the same
    forgery of a passport the harness makes is sent: a grant fails, a refusal decides nothing."""
    made = drs_clearinghouse.uncontrolled_passport()
    if made is not None:
        attack.refused(drs_clearinghouse, made, "a passport signed by an issuer the harness made for this run")
        pytest.skip(UNCONTROLLED)
    attack.test_rejects_an_untrusted_broker(drs_clearinghouse)


@check("drs.passport.rejects-disallowed-alg")
def test_rejects_a_ps256_passport(drs_clearinghouse: DrsClearinghouse) -> None:
    """A passport validly signed by the trusted key with PS256 is refused: only RS256 and ES256 are conformant (AAI 1.2
    §Signing Algorithms). The same attack as passports.clearinghouse.rejects-disallowed-alg, on the route of the
    DRS service that guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth;
    §Objects › PostObject, PostAccessURL)."""
    attack.test_rejects_a_ps256_passport(drs_clearinghouse)


@check("drs.passport.rejects-expired-passport")
def test_rejects_an_expired_passport(drs_clearinghouse: DrsClearinghouse) -> None:
    """A passport whose exp has passed is refused (AAI 1.2 §Conformance for Passport Clearinghouses). The same attack
    as passports.clearinghouse.rejects-expired-passport, on the route of the DRS service that guards the
    protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_rejects_an_expired_passport(drs_clearinghouse)


@check("drs.passport.rejects-passport-without-exp")
def test_rejects_a_passport_without_exp(drs_clearinghouse: DrsClearinghouse) -> None:
    """A passport without the REQUIRED exp is refused (AAI 1.2 §Passport Format). The same attack as
    passports.clearinghouse.rejects-passport-without-exp, on the route of the DRS service that guards the
    protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_rejects_a_passport_without_exp(drs_clearinghouse)


@check("drs.passport.rejects-passport-not-yet-valid")
def test_rejects_a_passport_not_yet_valid(drs_clearinghouse: DrsClearinghouse) -> None:
    """A passport whose nbf is an hour ahead is refused (RFC 7519 §4.1.5, part of the JWT validity AAI 1.2 requires).
    The same attack as passports.clearinghouse.rejects-passport-not-yet-valid, on the route of the DRS service
    that guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects ›
    PostObject, PostAccessURL)."""
    attack.test_rejects_a_passport_not_yet_valid(drs_clearinghouse)


@check("drs.passport.rejects-wrong-audience")
def test_rejects_a_passport_for_another_audience(drs_clearinghouse: DrsClearinghouse) -> None:
    """A passport whose aud names another service is refused (RFC 7519 §4.1.3; AAI 1.2 §Conformance for Passport
    Clearinghouses). The same attack as passports.clearinghouse.rejects-wrong-audience, on the route of the DRS
    service that guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects
    › PostObject, PostAccessURL)."""
    attack.test_rejects_a_passport_for_another_audience(drs_clearinghouse)


@check("drs.passport.rejects-wrong-typ")
def test_rejects_a_token_that_is_not_a_passport(drs_clearinghouse: DrsClearinghouse) -> None:
    """A token whose typ is not vnd.ga4gh.passport+jwt is not taken as a passport (AAI 1.2 §Passport Format; RFC 8725
    §3.11). The same attack as passports.clearinghouse.rejects-wrong-typ, on the route of the DRS service that
    guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects ›
    PostObject, PostAccessURL)."""
    attack.test_rejects_a_token_that_is_not_a_passport(drs_clearinghouse)


@check("drs.passport.ignores-alg-none-visa")
def test_ignores_an_unsigned_visa(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa with alg none inside a valid passport is not used (AAI 1.2 §Conformance for Passport Clearinghouses). The
    same attack as passports.clearinghouse.ignores-alg-none-visa, on the route of the DRS service that guards
    the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_ignores_an_unsigned_visa(drs_clearinghouse)


@check("drs.passport.ignores-bad-visa-signature")
def test_ignores_a_tampered_visa(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa whose payload changed after signing is not used (AAI 1.2 §Conformance for Passport Clearinghouses). The
    same attack as passports.clearinghouse.ignores-bad-visa-signature, on the route of the DRS service that
    guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects ›
    PostObject, PostAccessURL)."""
    attack.test_ignores_a_tampered_visa(drs_clearinghouse)


@check("drs.passport.ignores-expired-visa")
def test_ignores_an_expired_visa(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa whose exp has passed is not used, inside a valid passport (Passport 1.2 §Token Revocation; AAI 1.2
    §Conformance for Passport Clearinghouses). The same attack as passports.clearinghouse.ignores-expired-visa,
    on the route of the DRS service that guards the protected object (DRS 1.2.0 §Authorization & Authentication
    › PassportAuth; §Objects › PostObject, PostAccessURL)."""
    attack.test_ignores_an_expired_visa(drs_clearinghouse)


@check("drs.passport.ignores-visa-without-exp")
def test_ignores_a_visa_without_exp(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa missing the REQUIRED exp is not used (Passport 1.2 §Visa Format). The same attack as
    passports.clearinghouse.ignores-visa-without-exp, on the route of the DRS service that guards the protected
    object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject, PostAccessURL)."""
    attack.test_ignores_a_visa_without_exp(drs_clearinghouse)


@check("drs.passport.ignores-formless-visa")
def test_ignores_a_visa_without_jku_or_openid_scope(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa with neither jku nor an openid scope is not used (Passport 1.2 §Visa Format). The same attack as
    passports.clearinghouse.ignores-formless-visa, on the route of the DRS service that guards the protected
    object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject, PostAccessURL)."""
    attack.test_ignores_a_visa_without_jku_or_openid_scope(drs_clearinghouse)


@check("drs.passport.ignores-untrusted-visa-issuer")
def test_ignores_a_visa_from_an_untrusted_issuer(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa signed by an untrusted visa issuer is ignored even inside a trusted passport (Passport 1.2 §General
    Requirements). The same attack as passports.clearinghouse.ignores-untrusted-visa-issuer, on the route of the
    DRS service that guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth;
    §Objects › PostObject, PostAccessURL)."""
    attack.test_ignores_a_visa_from_an_untrusted_issuer(drs_clearinghouse)


@check("drs.passport.rejects-untrusted-jku")
def test_rejects_a_visa_with_an_untrusted_jku(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa claiming a trusted iss but pointing jku at an untrusted key set (and signed by it) is not used (AAI 1.2
    §Conformance for Passport Clearinghouses). The same attack as passports.clearinghouse.rejects-untrusted-jku,
    on the route of the DRS service that guards the protected object (DRS 1.2.0 §Authorization & Authentication
    › PassportAuth; §Objects › PostObject, PostAccessURL)."""
    attack.test_rejects_a_visa_with_an_untrusted_jku(drs_clearinghouse)


@check("drs.passport.checks-jku-before-fetch")
def test_never_fetches_an_untrusted_jku(drs_clearinghouse: DrsClearinghouse) -> None:
    """The clearinghouse never calls a jku not configured for the visa's iss (AAI 1.2 §Conformance for Passport
    Clearinghouses: the check MUST be performed before calling the jku endpoint). The same attack as
    passports.clearinghouse.checks-jku-before-fetch, on the route of the DRS service that guards the protected
    object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject, PostAccessURL)."""
    attack.test_never_fetches_an_untrusted_jku(drs_clearinghouse)


@check("drs.passport.does-not-fetch-url-claims")
def test_never_fetches_url_claims(drs_clearinghouse: DrsClearinghouse) -> None:
    """URL Claims are never fetched during policy evaluation (Passport 1.2 §URL Claims). The same attack as
    passports.clearinghouse.does-not-fetch-url-claims, on the route of the DRS service that guards the protected
    object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject, PostAccessURL)."""
    attack.test_never_fetches_url_claims(drs_clearinghouse)


@check("drs.passport.value-full-string-case-sensitive")
def test_matches_the_dataset_exactly(drs_clearinghouse: DrsClearinghouse) -> None:
    """Visa values match by case-sensitive full string: the dataset URL with a suffix, or upper-cased, does not grant
    (Passport 1.2 §Visa Object Claims, value; §URL Claims). The same attack as
    passports.clearinghouse.value-full-string-case-sensitive, on the route of the DRS service that guards the
    protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_matches_the_dataset_exactly(drs_clearinghouse)


@check("drs.passport.ignores-unsupported-custom-type")
def test_ignores_a_custom_visa_type(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa with an unsupported custom type is ignored even when its value is the dataset (Passport 1.2 §Custom Visa
    Types). The same attack as passports.clearinghouse.ignores-unsupported-custom-type, on the route of the DRS
    service that guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects
    › PostObject, PostAccessURL)."""
    attack.test_ignores_a_custom_visa_type(drs_clearinghouse)


@check("drs.passport.ignores-unneeded-visas")
def test_ignores_unneeded_bad_visas(drs_clearinghouse: DrsClearinghouse) -> None:
    """An extra unrelated expired visa does not make a valid request fail (Passport 1.2 §General Requirements: visas
    not needed are ignored). The same attack as passports.clearinghouse.ignores-unneeded-visas, on the route of
    the DRS service that guards the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth;
    §Objects › PostObject, PostAccessURL)."""
    attack.test_ignores_unneeded_bad_visas(drs_clearinghouse)


@check("drs.passport.enforces-conditions")
def test_enforces_conditions(drs_clearinghouse: DrsClearinghouse) -> None:
    """A grant visa whose conditions no other visa meets is not used (Passport 1.2 §Visa Object Claims, conditions).
    The same attack as passports.clearinghouse.enforces-conditions, on the route of the DRS service that guards
    the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_enforces_conditions(drs_clearinghouse)


@check("drs.passport.conditions-or-of-ands")
def test_conditions_are_an_or_of_ands(drs_clearinghouse: DrsClearinghouse) -> None:
    """Conditions are OR over the outer list and AND within each inner list (Passport 1.2 §conditions). The same attack
    as passports.clearinghouse.conditions-or-of-ands, on the route of the DRS service that guards the protected
    object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject, PostAccessURL)."""
    attack.test_conditions_are_an_or_of_ands(drs_clearinghouse)


@check("drs.passport.unsupported-condition-fails")
def test_unknown_condition_prefix_never_matches(drs_clearinghouse: DrsClearinghouse) -> None:
    """A clause with an unknown prefix never matches (Passport 1.2 §conditions). The same attack as
    passports.clearinghouse.unsupported-condition-fails, on the route of the DRS service that guards the
    protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_unknown_condition_prefix_never_matches(drs_clearinghouse)


@check("drs.passport.condition-const-case-sensitive")
def test_const_is_case_sensitive(drs_clearinghouse: DrsClearinghouse) -> None:
    """const: is a case-sensitive full-string match (Passport 1.2 §conditions). The same attack as
    passports.clearinghouse.condition-const-case-sensitive, on the route of the DRS service that guards the
    protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_const_is_case_sensitive(drs_clearinghouse)


@check("drs.passport.condition-pattern-matching")
def test_pattern_is_a_full_string_match(drs_clearinghouse: DrsClearinghouse) -> None:
    """pattern: matches the full string; ? is one character, * any run (Passport 1.2 §Pattern Matching). The same
    attack as passports.clearinghouse.condition-pattern-matching, on the route of the DRS service that guards
    the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_pattern_is_a_full_string_match(drs_clearinghouse)


@check("drs.passport.condition-visa-must-be-valid")
def test_condition_needs_a_valid_visa(drs_clearinghouse: DrsClearinghouse) -> None:
    """A visa that meets a condition must itself be valid: an expired one does not (Passport 1.2 §conditions). The same
    attack as passports.clearinghouse.condition-visa-must-be-valid, on the route of the DRS service that guards
    the protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_condition_needs_a_valid_visa(drs_clearinghouse)


@check("drs.passport.condition-ignores-conditional-visas")
def test_condition_ignores_conditional_visas(drs_clearinghouse: DrsClearinghouse) -> None:
    """Visas carrying conditions are ignored when matching clauses (Passport 1.2 §conditions). The same attack as
    passports.clearinghouse.condition-ignores-conditional-visas, on the route of the DRS service that guards the
    protected object (DRS 1.2.0 §Authorization & Authentication › PassportAuth; §Objects › PostObject,
    PostAccessURL)."""
    attack.test_condition_ignores_conditional_visas(drs_clearinghouse)
