"""Visa checks: every visa a broker hands out, header, claims, the Visa Object, the standard visa types,
URL Claims and the conditions grammar (GA4GH Passport 1.2 §Visa Format, §Visa Object Claims; AAI 1.2
§Conformance for Visa Issuers). A broker relays other issuers' visas as is, so each finding names the
visa's iss."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance import check, fail

from . import jose
from .view import Broker

VISA_TYPS = ("vnd.ga4gh.visa+jwt", "jwt", "at+jwt")
OBJECT_CLAIMS = ("type", "asserted", "value", "source", "conditions", "by")


def _label(index: int, payload: dict[str, Any]) -> str:
    """The visa's index and type only: claim values of a real user's visas stay out of reports."""
    obj = payload.get("ga4gh_visa_v1")
    kind = obj.get("type") if isinstance(obj, dict) else None
    shown = kind if isinstance(kind, str) and kind in jose.STANDARD_TYPES else ("a custom type" if kind else "")
    return f"visa {index}{' (' + shown + ')' if shown else ''}"


def is_own(broker: Broker, payload: dict[str, Any]) -> bool:
    """Whether the broker issued this visa: a broker relays other issuers' visas as is (AAI 1.2
    §Conformance for Brokers), so only its own are its findings. A visa without an iss string is
    attributed to the broker that handed it out."""
    iss = payload.get("iss")
    return not isinstance(iss, str) or iss.rstrip("/") == broker.issuer_url


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: a finding: its message, and the requirement (id suffix) whose finding on the same visa explains it, if any
Finding = tuple[str, str | None]


def analyse(broker: Broker) -> tuple[dict[str, Finding], dict[str, Finding]]:
    """The first finding of each visa requirement, by requirement id suffix: over the broker's own visas,
    and over the visas of other issuers it relays. A finding that is a consequence of another on the same
    visa (a value that is no string is no <role>@<affiliation> either) gives way to a root finding of the
    same requirement on a later visa."""
    return broker.memo("visa-findings", lambda: _analyse(broker))


def _analyse(broker: Broker) -> tuple[dict[str, Finding], dict[str, Finding]]:
    visas, _ = broker.visas()
    # visas of a Passport the profile gives were handed out before the run: expiring since is no deviation
    delivered_now = not broker.visas_from_given_passport()
    own: dict[str, Finding] = {}
    foreign: dict[str, Finding] = {}
    now = jose.now()
    found = own

    def note(requirement: str, message: str, cause: str | None = None) -> None:
        if requirement not in found or (found[requirement][1] is not None and cause is None):
            found[requirement] = (message, cause)

    for index, token in enumerate(visas):
        found = own
        if not isinstance(token, str):
            continue  # passports.passport.visas-are-jws-strings reports it
        try:
            parts = jose.split(token)
        except jose.TokenFormatError as exc:
            note("is-jws-compact", f"visa {index} is not a JWS: {exc}")
            continue
        header, payload = parts.header, parts.payload
        found = own if is_own(broker, payload) else foreign
        where = _label(index, payload)
        alg = header.get("alg")
        if alg not in jose.ALLOWED_ALGS:
            note("alg-is-rs256-or-es256", f"{where} is signed {alg!r}, neither RS256 nor ES256")
        typ = header.get("typ")
        if typ is not None and (not isinstance(typ, str) or
                                typ.lower().removeprefix("application/") not in VISA_TYPS):
            note("typ-value", f"{where} has typ {typ!r}, not vnd.ga4gh.visa+jwt (or JWT, at+jwt)")
        if "kid" not in header:
            note("header-has-kid", f"{where} has no kid in its header")
        jku = header.get("jku")
        scope = payload.get("scope")
        scopes = scope.split() if isinstance(scope, str) else []
        if jku is None and "openid" not in scopes:
            note("one-of-scope-or-jku", f"{where} has neither a jku header nor an openid scope")
        if jku is not None and "openid" in scopes:
            note("document-token-scope-excludes-openid", f"{where} has a jku and a scope containing openid")
        if jku is None and "openid" in scopes:
            note("prefer-document-token-form", f"{where} is a deprecated Visa Access Token")
            if "aud" in payload:
                note("access-token-form-has-no-aud", f"{where} is a Visa Access Token with an aud claim")
        for claim in ("iss", "sub"):
            if not isinstance(payload.get(claim), str) or not payload.get(claim):
                note(f"has-{claim}", f"{where} has no {claim} string (REQUIRED)")
        for claim in ("iat", "exp"):
            if not _number(payload.get(claim)):
                note(f"has-{claim}", f"{where} has no numeric {claim} (REQUIRED)")
        if "jti" not in payload:
            note("has-jti", f"{where} has no jti")
        iat, exp = payload.get("iat"), payload.get("exp")
        if isinstance(exp, (int, float)) and _number(exp) and exp < now - jose.LEEWAY and delivered_now:
            note("lifetime-consistent", f"{where} was already expired when the broker handed it out")
        elif isinstance(iat, (int, float)) and isinstance(exp, (int, float)) and _number(iat) and exp <= iat:
            note("lifetime-consistent", f"{where} has exp {exp} not after iat {iat}")
        elif isinstance(iat, (int, float)) and _number(iat) and iat > now + jose.LEEWAY:
            note("lifetime-consistent", f"{where} has iat in the future")
        obj = payload.get("ga4gh_visa_v1")
        if not isinstance(obj, dict):
            note("has-visa-object", f"{where} has no ga4gh_visa_v1 object")
            continue
        _analyse_object(where, obj, note, now)
    return own, foreign


def _analyse_object(where: str, obj: dict[str, Any], note: Any, now: int) -> None:
    kind = obj.get("type")
    if not isinstance(kind, str) or (kind not in jose.STANDARD_TYPES and jose.url_claim_problem(kind)):
        note("object-type", f"{where} has type {kind!r}, neither a standard visa type nor a URL")
    asserted = obj.get("asserted")
    if not isinstance(asserted, (int, float)) or not _number(asserted):
        note("object-asserted", f"{where} has asserted {asserted!r}, not a number of seconds since the epoch")
    elif asserted > now + jose.LEEWAY:
        note("asserted-not-in-future", f"{where} has asserted {int(asserted) - now} s in the future")
    if not isinstance(obj.get("value"), str):
        note("object-value", f"{where} has a value that is a JSON {type(obj.get('value')).__name__}, not a string")
    source = obj.get("source")
    problem = jose.url_claim_problem(source)
    if problem and not (isinstance(source, str) and len(source) > 255):
        note("object-source-is-url", f"{where}: its source {problem}")
    if isinstance(source, str) and not problem and (urlsplit(source).query or urlsplit(source).fragment):
        note("source-substructure-in-host-or-path", f"{where}: its source carries a query or fragment")
    by = obj.get("by")
    if by is not None and by not in jose.BY_VALUES:
        note("by-in-vocabulary", f"{where} has by {by!r}, not one of {', '.join(jose.BY_VALUES)}")
    unknown = sorted(set(obj) - set(OBJECT_CLAIMS))
    if unknown:
        note("object-claim-names-reserved", f"{where} has non-standard visa object claim(s) {', '.join(unknown)}")
    urls = {"source": source}
    if kind in jose.URL_VALUE_TYPES:
        urls["value"] = obj.get("value")
    if isinstance(kind, str) and kind not in jose.STANDARD_TYPES:
        urls["type"] = kind
    for name, url in urls.items():
        if isinstance(url, str) and len(url) > 255:
            note("url-claims-max-255", f"{where}: the URL Claim {name} is {len(url)} characters long (at most 255)")
        elif isinstance(url, str) and not jose.url_claim_problem(url) and urlsplit(url).scheme != "https":
            note("url-claims-use-https", f"{where}: the URL Claim {name} is not https")
    value = obj.get("value")
    # a value that is no string breaks object-value; the format of the type's value is then its consequence
    not_string = None if isinstance(value, str) else "object-value"
    if kind == "AffiliationAndRole":
        problem = jose.affiliation_problem(value)
        if problem:
            note("affiliation-and-role-format", f"{where}: its value is not <role>@<affiliation> with a "
                 "standard or <namespace>.<role> role and a domain name", not_string)
    for visa_type, requirement in (("AcceptedTermsAndPolicies", "accepted-terms-value-is-url"),
                                   ("ResearcherStatus", "researcher-status-value-is-url"),
                                   ("ControlledAccessGrants", "controlled-access-grants-value-is-url")):
        if kind == visa_type and isinstance(value, str) and len(value) <= 255 and jose.url_claim_problem(value):
            note(requirement, f"{where}: its value is not a URL")
    if kind == "AcceptedTermsAndPolicies" and "by" not in obj:
        note("accepted-terms-has-by", f"{where} has no by (MUST for AcceptedTermsAndPolicies)")
    if kind == "ControlledAccessGrants" and "by" not in obj:
        note("controlled-access-grants-has-by", f"{where} has no by (MUST for ControlledAccessGrants)")
    if kind == "LinkedIdentities":
        problem = jose.linked_identities_problem(value)
        if problem:
            note("linked-identities-value-encoded", f"{where}: its value {problem}", not_string)
    if "conditions" in obj:
        grammar = jose.conditions_problem(obj["conditions"])
        if grammar:
            note(grammar[0], f"{where}: conditions {grammar[1]}")
        else:
            for inner in obj["conditions"]:
                for clause in inner:
                    for name, wanted in clause.items():
                        if str(wanted).startswith("split_pattern:") and clause.get("type") != "LinkedIdentities":
                            note("split-pattern-on-splittable-claims",
                                 f"{where}: split_pattern on {clause.get('type')}.{name}, a claim without "
                                 "defined ';' splitting")


def _verdict(broker: Broker, requirement: str) -> None:
    own, foreign = analyse(broker)
    if requirement in own:
        _, response = broker.visas()
        message, cause = own[requirement]
        raise fail(message, response, caused_by=f"passports.visa.{cause}" if cause else None)
    if requirement in foreign:
        pytest.skip(f"only a visa of another issuer, relayed as is, breaks this: {foreign[requirement][0]}")


def _make(requirement: str, doc: str) -> Any:
    def test(broker: Broker) -> None:
        _verdict(broker, requirement)
    test.__doc__ = doc
    test.__name__ = "test_visa_" + requirement.replace("-", "_")
    return check("passports.visa." + requirement)(test)


# One check per requirement; the docstring states it and its citation.
test_visa_is_jws_compact = _make("is-jws-compact",
                                  "Each visa is a JWS Compact Serialization JWT (Passport 1.2 §Visa Format).")
test_visa_alg = _make("alg-is-rs256-or-es256",
                       "Visa alg is RS256 or ES256 (Passport 1.2 §Visa Format; AAI 1.2 §Signing Algorithms).")
test_visa_typ = _make("typ-value",
                       "Visa typ, when present, is vnd.ga4gh.visa+jwt, JWT or at+jwt (Passport 1.2 §Visa Format, typ).")
test_visa_kid = _make("header-has-kid", "Visa header has a kid (advisory; Passport 1.2 §Visa Format).")
test_visa_form = _make("one-of-scope-or-jku", "One of jku or an openid scope is present (Passport 1.2 §Visa Format).")
test_visa_doc_scope = _make("document-token-scope-excludes-openid",
                             "A Visa Document Token's scope has no openid (AAI 1.2 §Conformance for Visa Issuers).")
test_visa_access_aud = _make("access-token-form-has-no-aud",
                              "A Visa Access Token has no aud (AAI 1.0 §Embedded Access Token Format, via AAI 1.2).")
test_visa_prefer_doc = _make("prefer-document-token-form",
                              "New implementations issue Visa Document Tokens (AAI 1.2 §Conformance for Visa Issuers).")
test_visa_iss = _make("has-iss", "Each visa has iss (Passport 1.2 §Visa Format).")
test_visa_sub = _make("has-sub", "Each visa has sub (Passport 1.2 §Visa Format).")
test_visa_iat = _make("has-iat", "Each visa has a numeric iat (Passport 1.2 §Visa Format).")
test_visa_exp = _make("has-exp", "Each visa has a numeric exp (Passport 1.2 §Visa Format, exp).")
test_visa_jti = _make("has-jti", "Each visa has a jti (Passport 1.2 §Visa Format).")
test_visa_lifetime = _make(
    "lifetime-consistent",
    "A visa is unexpired on delivery, exp > iat, iat not in the future (Passport 1.2 §Visa Format, exp).")
test_visa_object = _make("has-visa-object", "Each visa has a ga4gh_visa_v1 object (Passport 1.2 §Visa Object).")
test_visa_type = _make("object-type", "type is a standard visa type or a URL (Passport 1.2 §Visa Object Claims, type).")
test_visa_asserted = _make("object-asserted",
                            "asserted is seconds since the epoch (Passport 1.2 §Visa Object Claims, asserted).")
test_visa_asserted_future = _make("asserted-not-in-future",
                                   "asserted is not in the future (Passport 1.2 §Visa Object Claims, asserted).")
test_visa_value = _make("object-value", "value is a string (Passport 1.2 §Visa Object Claims, value).")
test_visa_source = _make("object-source-is-url", "source is a URL Claim (Passport 1.2 §Visa Object Claims, source).")
test_visa_source_shape = _make("source-substructure-in-host-or-path",
                                "source avoids query and fragment (Passport 1.2 §Visa Object Claims, source).")
test_visa_by = _make("by-in-vocabulary", "by is self, peer, system, so or dac (Passport 1.2 §Visa Object Claims, by).")
test_visa_claims = _make("object-claim-names-reserved",
                          "Visa object claim names are GA4GH's (Passport 1.2 §Visa Object Claims).")
test_visa_url_255 = _make("url-claims-max-255", "URL Claims are at most 255 characters (Passport 1.2 §URL Claims).")
test_visa_url_https = _make("url-claims-use-https", "URL Claims use https (Passport 1.2 §URL Claims).")
test_visa_affiliation = _make("affiliation-and-role-format",
                               "AffiliationAndRole value is <role>@<affiliation> (Passport 1.2 §AffiliationAndRole).")
test_visa_terms_url = _make("accepted-terms-value-is-url",
                             "AcceptedTermsAndPolicies value is a URL Claim (Passport 1.2 §AcceptedTermsAndPolicies).")
test_visa_terms_by = _make("accepted-terms-has-by",
                            "AcceptedTermsAndPolicies includes by (Passport 1.2 §AcceptedTermsAndPolicies).")
test_visa_status_url = _make("researcher-status-value-is-url",
                              "ResearcherStatus value is a URL Claim (Passport 1.2 §ResearcherStatus).")
test_visa_grant_url = _make("controlled-access-grants-value-is-url",
                             "ControlledAccessGrants value is a URL Claim (Passport 1.2 §ControlledAccessGrants).")
test_visa_grant_by = _make("controlled-access-grants-has-by",
                            "ControlledAccessGrants includes by (Passport 1.2 §ControlledAccessGrants).")
test_visa_linked = _make("linked-identities-value-encoded",
                          "LinkedIdentities value is URI-encoded sub,iss entries (Passport 1.2 §LinkedIdentities).")
test_visa_conditions = _make(
    "conditions-is-list-of-lists",
    "conditions is a list of lists of clauses (Passport 1.2 §Visa Object Claims, conditions).")
test_visa_clause_type = _make("condition-clause-has-type-and-claim",
                               "A clause has type and another claim (Passport 1.2 §conditions).")
test_visa_clause_prefix = _make("condition-values-have-prefix",
                                 "Clause values are <prefix>:<suffix> (Passport 1.2 §conditions).")
test_visa_clause_strings = _make("condition-clause-string-claims-only",
                                  "Clause claims are strings (Passport 1.2 §conditions).")
test_visa_clause_nested = _make("condition-clause-has-no-conditions",
                                 "A clause has no conditions (Passport 1.2 §conditions).")
test_visa_clause_time = _make("condition-clause-has-no-timestamp",
                               "A clause has no asserted (Passport 1.2 §conditions).")
test_visa_split = _make("split-pattern-on-splittable-claims",
                         "split_pattern only on ';'-splittable claims (Passport 1.2 §conditions).")


def issuer_key_problem(broker: Broker, parts: jose.Parts, token: str) -> str | None:
    """What passports.visa.signature-verifies finds on one visa: why it verifies with none of its issuer's keys
    (the jku's key set of a Visa Document Token, the broker's jwks_uri for its own Visa Access Token); None when
    it verifies; "" when it is not judged there (a jku the harness may not fetch, or one answering no key set,
    or a kid the key set lacks: passports.visa.document-token-jku-serves-key; an alg that is no asymmetric
    signature)."""
    jku = parts.header.get("jku")
    if isinstance(jku, str):
        document = broker.key_set(jku)
        if document is None:
            return ""  # not fetched (not allow-listed) or no key set: document-token-jku-serves-key says so
        keys = jose.public_keys(document)
    elif str(parts.payload.get("iss", "")).rstrip("/") == broker.issuer_url:
        keys = broker.signing_keys()
    else:
        return ""
    kid = parts.header.get("kid")
    if kid is not None and str(kid) not in {k.kid for k in keys}:
        return ""  # passports.visa.document-token-jku-serves-key reports a missing key
    return jose.signature_problem(token, keys)


def published_key_problem(broker: Broker, parts: jose.Parts, token: str) -> str | None:
    """What passports.broker.own-visas-signed-by-broker finds on one visa: why a visa whose iss is the broker
    verifies with no key the broker publishes (its jwks_uri, the visa's jku where the harness may fetch it);
    None when it verifies; "" when it is not judged there (another issuer's visa, an alg that is no asymmetric
    signature)."""
    if str(parts.payload.get("iss", "")).rstrip("/") != broker.issuer_url:
        return ""
    keys = broker.signing_keys()
    jku = parts.header.get("jku")
    if isinstance(jku, str) and broker.may_fetch(jku):
        keys += jose.public_keys(broker.key_set(jku))
    return jose.signature_problem(token, keys)


@check("passports.visa.signature-verifies")
def test_visa_signature_verifies(broker: Broker) -> None:
    """Each visa verifies with its issuer's key: the allow-listed jku of a Visa Document Token, the
    broker's jwks_uri for its own Visa Access Tokens (AAI 1.2 §Conformance for Visa Issuers). Only the
    broker's own visas are its findings; other issuers' visas are relayed as is."""
    visas, response = broker.visas()
    checked = 0
    foreign = ""
    for index, token in enumerate(visas):
        try:
            parts = jose.split(token)
        except jose.TokenFormatError:
            continue
        problem = issuer_key_problem(broker, parts, token)
        if problem == "":
            continue
        checked += 1
        if problem and is_own(broker, parts.payload):
            raise fail(f"{_label(index, parts.payload)}: {problem}", response)
        if problem and not foreign:
            foreign = f"{_label(index, parts.payload)}: {problem}"
    if foreign:
        pytest.skip(f"only a visa of another issuer, relayed as is, does not verify: {foreign}")
    if not checked:
        pytest.skip("no visa whose key set the harness may fetch (jku on the broker's origin or trusted_jku)")


@check("passports.visa.document-token-jku-serves-key")
def test_visa_jku_serves_the_signing_key(broker: Broker) -> None:
    """A Visa Document Token's jku serves the key its kid names, or without a kid a key fitting its alg
    (AAI 1.2 §Conformance for Visa Issuers). Only the broker's own visas are its findings."""
    visas, _ = broker.visas()
    checked = 0
    foreign = ""
    for index, token in enumerate(visas):
        try:
            parts = jose.split(token)
        except jose.TokenFormatError:
            continue
        jku = parts.header.get("jku")
        if not isinstance(jku, str) or not broker.may_fetch(jku) or parts.header.get("alg") not in jose.ASYMMETRIC_ALGS:
            continue  # an alg that is no asymmetric signature: passports.visa.alg-is-rs256-or-es256
        checked += 1
        document = broker.key_set(jku)
        kid = parts.header.get("kid")
        if document is None:
            problem = "its jku answers no JSON key set"
        elif not jose.candidate_keys(jose.public_keys(document), kid, str(parts.header.get("alg"))):
            problem = (f"its jku key set has no key with kid {kid!r} fitting {parts.header.get('alg')!r}"
                       if kid is not None else f"its jku key set has no key fitting {parts.header.get('alg')!r}")
        else:
            continue
        if is_own(broker, parts.payload):
            # a key the broker publishes nowhere is in no jku either: passports.broker.own-visas-signed-by-broker
            # names that one root cause (a jku missing a key of the broker's jwks_uri is this check's own)
            unpublished = bool(published_key_problem(broker, parts, token))
            raise fail(f"{_label(index, parts.payload)}: {problem}", broker.key_set_answer(jku),
                       caused_by="passports.broker.own-visas-signed-by-broker" if unpublished else None)
        foreign = foreign or f"{_label(index, parts.payload)}: {problem}"
    if foreign:
        pytest.skip(f"only a visa of another issuer, relayed as is, breaks this: {foreign}")
    if not checked:
        pytest.skip("no Visa Document Token whose jku the harness may fetch")
