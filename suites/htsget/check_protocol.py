"""HTTP-level protocol rules of the API methods: the Accept header, content-coding, CORS and credentials
kept out of error messages (htsget 1.3.0 §Protocol essentials, §CORS, §Security considerations)."""

from __future__ import annotations

import secrets

import pytest

from conformance import Response, Service, ServiceClient, check, fail

from .check_errors import UNKNOWN_ID
from .view import Htsget, cases, first_case

ORIGIN = "https://conformance.example.org"
MAX_AGE_30_DAYS = 2592000


def _first(service: Service) -> tuple[str, str]:
    for kind in ("reads", "variants"):
        if cases(service, kind):
            return kind, first_case(service, kind)["id"]
    pytest.skip("the profile lists no reads or variants ids")


def _control(client: ServiceClient, hts: Htsget, kind: str, ident: str) -> None:
    """Skips unless the plain ticket request is answered 200: a refusal with a header proves nothing else."""
    response = hts.request(client, kind, ident)
    if response.status != 200:
        pytest.skip(f"GET /{kind}/{ident} answered {response.status} without the header either "
                    "(see htsget.response.success-200-json)")


@check("htsget.request.accept-header-tolerated")
def test_accept_header_is_tolerated(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A request with `Accept: application/vnd.ga4gh.htsget.vX.Y.Z+json` naming the declared version, which
    clients MAY send, is answered with a ticket as without it (htsget 1.3.0 §Protocol essentials)."""
    kind, ident = _first(service)
    _control(client, hts, kind, ident)
    accept = f"application/vnd.ga4gh.htsget.v{service.version}+json"
    response = hts.request(client, kind, ident, cache=False, headers={"Accept": accept})
    if response.status != 200:
        raise fail(f"GET /{kind}/{ident} with Accept: {accept} answered {response.status}, while the same request "
                   "without it answers a ticket", response.exchange)


@check("htsget.response.no-content-coding")
def test_no_content_coding(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """JSON responses are compressed, if at all, with transfer-coding, not content-coding (htsget 1.3.0
    §Protocol essentials)."""
    kind, ident = _first(service)
    _control(client, hts, kind, ident)
    response = hts.request(client, kind, ident, cache=False, headers={"Accept-Encoding": "gzip, deflate"})
    coding = response.headers.get("Content-Encoding", "").strip().lower()
    if coding not in ("", "identity"):
        raise fail(f"the ticket came with Content-Encoding: {coding}; htsget compresses only with transfer-coding",
                   response.exchange)


@check("htsget.error.no-credentials-in-message")
def test_error_messages_do_not_echo_tokens(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """Authentication tokens are not embedded in error messages: a bearer token sent with a request that
    fails does not come back in the error body (htsget 1.3.0 §Security considerations)."""
    kind, _ = _first(service)
    canary = f"conformance-canary-{secrets.token_hex(8)}"
    anonymous = client.without_credentials()
    variants = {c.get("id") for c in service.options.get("variants") or []}
    targets = [f"/{kind}/{UNKNOWN_ID}", *[f"/{'variants' if p in variants else 'reads'}/{p}"
                                          for p in (service.options.get("protected") or [])[:1]]]
    judged = False
    for path in targets:
        response = anonymous.get(path, headers={"Authorization": f"Bearer {canary}"})
        if response.status < 400:
            continue
        judged = True
        if canary in response.content.decode("utf-8", "replace"):
            raise fail(f"the {response.status} error for {path} repeats the bearer token the request sent",
                       response.exchange)
    if not judged:
        pytest.skip("no request with a bearer token was answered with an error")


@check("htsget.cors.allow-origin")
def test_origin_propagated_to_allow_origin(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A request with `Origin` is answered with that origin in `Access-Control-Allow-Origin` (`*` tolerated)
    (htsget 1.3.0 §CORS)."""
    kind, ident = _first(service)
    _control(client, hts, kind, ident)
    response = hts.request(client, kind, ident, cache=False, headers={"Origin": ORIGIN})
    allowed = response.headers.get("Access-Control-Allow-Origin", "").strip()
    if allowed not in (ORIGIN, "*"):
        raise fail(f"GET /{kind}/{ident} with Origin: {ORIGIN} answered "
                   + (f"Access-Control-Allow-Origin: {allowed}" if allowed else "no Access-Control-Allow-Origin"),
                   response.exchange)


def _preflight(service: Service, client: ServiceClient) -> tuple[str, Response]:
    kind, ident = _first(service)
    response = client.without_credentials().options(
        f"/{kind}/{ident}", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET",
                                     "Access-Control-Request-Headers": "authorization"})
    return f"/{kind}/{ident}", response


@check("htsget.cors.preflight")
def test_preflight_accepted(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """An OPTIONS preflight for GET is accepted, propagating Origin and the requested headers into
    Access-Control-Allow-Origin and Access-Control-Allow-Headers (htsget 1.3.0 §CORS)."""
    path, response = _preflight(service, client)
    if not 200 <= response.status < 300:
        raise fail(f"the preflight OPTIONS {path} for GET answered {response.status}", response.exchange)
    allowed = response.headers.get("Access-Control-Allow-Origin", "").strip()
    headers = [h.strip().lower() for h in response.headers.get("Access-Control-Allow-Headers", "").split(",")]
    if allowed not in (ORIGIN, "*"):
        raise fail(f"the preflight answer's Access-Control-Allow-Origin is {allowed or 'absent'}, not {ORIGIN}",
                   response.exchange)
    if "authorization" not in headers and "*" not in headers:
        raise fail("the preflight answer's Access-Control-Allow-Headers does not carry the requested "
                   "authorization header", response.exchange)


@check("htsget.cors.preflight-max-age-30-days")
def test_preflight_max_age(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """The preflight answer's Access-Control-Max-Age is 30 days (htsget 1.3.0 §CORS)."""
    path, response = _preflight(service, client)
    if not 200 <= response.status < 300:
        pytest.skip(f"the preflight OPTIONS {path} answered {response.status} (see htsget.cors.preflight)")
    age = response.headers.get("Access-Control-Max-Age", "").strip()
    if age != str(MAX_AGE_30_DAYS):
        raise fail(f"the preflight answer's Access-Control-Max-Age is {age or 'absent'}, not {MAX_AGE_30_DAYS} "
                   "(30 days)", response.exchange)


@check("htsget.http.405-has-allow")
def test_405_lists_allowed_methods(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A 405 answer (POST refused where it is not offered: POST is optional) carries an Allow header listing
    the supported methods (RFC 9110 §15.5.6)."""
    kind, ident = _first(service)
    response = hts.request(client, kind, ident, post={})
    if response.status != 405:
        pytest.skip(f"does not apply: POST /{kind}/{ident} answered {response.status}, not 405")
    if not response.headers.get("Allow", "").strip():
        raise fail(f"POST /{kind}/{ident} answered 405 without an Allow header", response.exchange)


@check("htsget.security.401-has-www-authenticate")
def test_401_has_www_authenticate(service: Service, client: ServiceClient, hts: Htsget) -> None:
    """A 401 (a protected id asked without a token) carries a WWW-Authenticate challenge (RFC 9110 §15.5.2;
    RFC 6750 §3, which htsget adopts for its bearer tokens, htsget 1.3.0 §Security)."""
    protected = service.options.get("protected") or []
    if not protected:
        pytest.skip("does not apply: the profile names no protected id")
    variants = {c.get("id") for c in service.options.get("variants") or []}
    kind = "variants" if protected[0] in variants else "reads"
    response = client.without_credentials().get(f"/{kind}/{protected[0]}")
    if response.status != 401:
        pytest.skip(f"does not apply: protected id {protected[0]} without a token answered {response.status}, not 401")
    if not response.headers.get("WWW-Authenticate", "").strip():
        raise fail(f"the 401 for protected id {protected[0]} has no WWW-Authenticate header", response.exchange)
