"""The passports suite's views of one service: what a broker hands out (discovery, keys, access token,
passport, visas), fetched once per run with the answer that handed out each as evidence, and the
clearinghouse's test broker (the harness's test issuer, mutations of a valid passport, a loopback
callback server that records fetches)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import pytest

from conformance import HarnessError, Response, Run, Service, ServiceView, may_carry_credentials, origin_of

from . import jose

#: The start of the skip reason of every check that needs an access token the harness does not have.
NO_ACCESS_TOKEN = "no access token"
#: Seconds between the callback server's looks at a stop request: closing a clearinghouse view waits up to this
#: long (socketserver's default half second cost the demo about 0.3 s per view, issue 20).
CALLBACK_POLL_SECONDS = 0.02
#: The scopes of a Passport-Scoped Access Token (AAI 1.2 §Passport-Scoped Access Token).
GA4GH_SCOPES = "openid ga4gh_passport_v1"


def register_secret(run: Run, *values: str) -> None:
    for value in values:
        run.redactor.add(value)


def _json_or_none(response: Response) -> Any:
    """The body as JSON, None when it is not JSON; a body the harness cut at its size cap is the harness's
    error (``Response.json``): whether the server answered JSON cannot be told from it."""
    if response.truncated:
        response.json()  # raises BudgetExceeded: the body was cut at the harness's cap
    try:
        return json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


# -- broker ---------------------------------------------------------------------------------------------


class Broker(ServiceView):
    """The material a broker hands out, fetched once, with the exchange of each as evidence."""

    def __init__(self, service: Service, run: Run) -> None:
        super().__init__(service, run)
        self.anonymous = self.client.without_credentials()
        self.issuer_url = service.url.rstrip("/")

    # discovery and keys
    def discovery(self) -> tuple[dict[str, Any], Response]:
        return self.memo("discovery", self._discovery)

    def _discovery(self) -> tuple[dict[str, Any], Response]:
        response = self.anonymous.get(self.issuer_url + "/.well-known/openid-configuration")
        body = _json_or_none(response)
        if response.status != 200 or not isinstance(body, dict):
            pytest.skip("no discovery document (see passports.broker.discovery-document-served)")
        return body, response

    def endpoint(self, name: str) -> str:
        value = self.discovery()[0].get(name)
        if not isinstance(value, str) or not value:
            pytest.skip(f"the discovery document names no {name}")
        return value

    def jwks(self) -> tuple[dict[str, Any], Response]:
        return self.memo("jwks", self._jwks)

    def _jwks(self) -> tuple[dict[str, Any], Response]:
        uri = self.discovery()[0].get("jwks_uri")
        if not isinstance(uri, str):
            pytest.skip("the discovery document names no jwks_uri (see passports.broker.discovery-has-jwks-uri)")
        response = self.anonymous.get(uri)
        body = _json_or_none(response)
        if response.status != 200 or not isinstance(body, dict):
            pytest.skip("the jwks_uri answers no JSON key set (see passports.broker.discovery-has-jwks-uri)")
        return body, response

    def signing_keys(self) -> list[jose.PublicKey]:
        return jose.public_keys(self.jwks()[0])

    def kids(self) -> set[str]:
        return {k.kid for k in self.signing_keys() if k.kid is not None}

    def may_fetch(self, url: str) -> bool:
        """The harness fetches key sets only from the broker's own origin or allow-listed prefixes: it
        models the jku discipline it tests (AAI 1.2 §Conformance for Passport Clearinghouses). A prefix
        ends at a '/' or is the whole URL (https://keys.example.org must not admit
        https://keys.example.org.evil.test/...)."""
        if origin_of(url) == origin_of(self.issuer_url):
            return True
        for prefix in (str(p) for p in self.service.options.get("trusted_jku") or []):
            if url == prefix or (url.startswith(prefix) and (prefix.endswith("/") or url[len(prefix)] == "/")):
                return True
        return False

    def may_send_credentials(self, url: str) -> bool:
        """Credentials (access token, client secret) go only to the issuer's origin and the hosts the
        profile lists under auth.allowed_hosts (over https, unless the issuer is on http), never to an endpoint a
        discovery document names elsewhere; a URL is read as the transport reads it (``http://evil\\@issuer/``
        reaches evil)."""
        return may_carry_credentials(url, self.issuer_url, self.service.auth.allowed_hosts)

    def credential_endpoint(self, name: str) -> str:
        url = self.endpoint(name)
        if not self.may_send_credentials(url):
            pytest.skip(f"the {name} is neither on the issuer's origin nor on a host of auth.allowed_hosts; the "
                        "harness sends no credentials there")
        return url

    def _key_set_answer(self, url: str) -> Response | HarnessError | None:
        """The answer at ``url`` (None: not allow-listed; the error when it could not be fetched)."""
        def fetch() -> Response | HarnessError | None:
            if not self.may_fetch(url):
                return None
            try:
                return self.anonymous.get(url)
            except HarnessError as exc:
                return exc
        return self.memo("jku:" + url, fetch)

    def key_set(self, url: str) -> dict[str, Any] | None:
        """The key set at an allow-listed ``url`` (None: not allowed, not fetched or not a key set)."""
        answer = self._key_set_answer(url)
        if not isinstance(answer, Response):
            return None
        body = _json_or_none(answer)
        return body if answer.status == 200 and isinstance(body, dict) else None

    def key_set_answer(self, url: str) -> Response:
        """The answer at an allow-listed ``url``, the evidence of a finding about its key set (an error
        when the harness could not fetch it: it cannot tell)."""
        answer = self._key_set_answer(url)
        if isinstance(answer, HarnessError):
            raise answer
        if answer is None:
            pytest.skip(f"the key set at {url} is neither on the broker's origin nor under trusted_jku; the "
                        "harness does not fetch it")
        return answer

    # tokens
    def bearer_token(self) -> str:
        """The test researcher's Passport-Scoped Access Token, as the harness sends it: the one the profile
        gives (auth.bearer_token_env), else one the harness obtains at the token endpoint the standard ways
        the discovery document offers (:meth:`acquire`). Without one, every check that needs it skips with
        the reason, and the run's notices count them."""
        token, _ = self.memo("access-token", self._bearer_token)
        return token

    def granted_scope(self) -> tuple[list[str], Response] | None:
        """The scope the token endpoint says it granted with the access token the harness obtained, with that
        answer (RFC 6749 §5.1: "scope: OPTIONAL, if identical to the scope requested by the client;
        otherwise, REQUIRED"); None when the profile gave the token or the answer names no scope."""
        self.bearer_token()
        response: Response | None = self.memo("token-response", lambda: None)
        body = _json_or_none(response) if response is not None else None
        scope = body.get("scope") if isinstance(body, dict) else None
        if response is None or not isinstance(scope, str):
            return None
        return scope.split(), response

    def expired_token(self) -> str | None:
        """Why a refusal of the access token is no deviation: the profile gives it (auth.bearer_token_env) and it
        has expired since it was issued (None otherwise; a token the harness obtained is the broker's own
        answer, judged as such)."""
        if self.token_source() != "auth.bearer_token_env":
            return None
        return jose.expiry_note("the access token the profile gives (auth.bearer_token_env)", self.bearer_token())

    def passport_given(self) -> bool:
        """Whether the Passport examined is the one the profile gives (auth.passport_env): delivered when the
        user obtained it, not in this run."""
        return bool(self.service.auth.secret("passport_env"))

    def visas_from_given_passport(self) -> bool:
        """Whether the visas examined come from the Passport the profile gives (delivered before this run)."""
        self.visas()
        return bool(self.memo("visas-from-given-passport", lambda: False))

    def token_source(self) -> str:
        """How the access token was had: "auth.bearer_token_env" or the grant :meth:`acquire` used."""
        _, how = self.memo("access-token", self._bearer_token)
        return how

    def _bearer_token(self) -> tuple[str, str]:
        given = self.service.auth.secret("bearer_token_env")
        if given:
            return given, "auth.bearer_token_env"
        self.run.count_skips(self.service.key, NO_ACCESS_TOKEN,
                             "no access token (give auth.bearer_token_env or auth.refresh_token_env, or client "
                             "credentials of a broker offering client_credentials: README, \"A passport broker's "
                             "access token\")")
        token, how, tried = self.acquire()
        if token is None:
            pytest.skip(f"{NO_ACCESS_TOKEN}: the profile gives none (auth.bearer_token_env) and "
                        + ("; ".join(tried) if tried else "names no refresh token, subject token or client "
                           "credentials to obtain one with"))
        return token, how

    def acquire(self) -> tuple[str | None, str, list[str]]:
        """Obtain the access token at the token endpoint, trying in turn: a refresh token from the environment
        (auth.refresh_token_env; RFC 6749 §6), RFC 8693 token exchange of a subject token from the
        environment (auth.subject_token_env) where the broker lists the grant, and the client_credentials
        grant (RFC 6749 §4.4) where it lists that one; each with the GA4GH scopes (AAI 1.2 §Passport-Scoped
        Access Token) and client authentication. Returns (token, how, what was tried and why it failed)."""
        auth = self.service.auth
        document = self.discovery()[0]
        offered = document.get("grant_types_supported")
        # RFC 8414 §2: without grant_types_supported the default is authorization_code and implicit.
        grants = {str(g) for g in offered} if isinstance(offered, list) else {"authorization_code", "implicit"}
        attempts: list[tuple[str, dict[str, str]]] = []
        refresh = auth.secret("refresh_token_env")
        if refresh:
            register_secret(self.run, refresh)
            # no scope: a refresh keeps the scopes the user granted (RFC 6749 §6)
            attempts.append(("the refresh_token grant", {"grant_type": "refresh_token", "refresh_token": refresh}))
        subject = auth.secret("subject_token_env")
        if subject:
            register_secret(self.run, subject)
            if jose.TOKEN_EXCHANGE_GRANT in grants:
                attempts.append(("token exchange", {"grant_type": jose.TOKEN_EXCHANGE_GRANT, "subject_token": subject,
                                                    "subject_token_type": jose.ACCESS_TOKEN_TYPE,
                                                    "requested_token_type": jose.ACCESS_TOKEN_TYPE,
                                                    "scope": GA4GH_SCOPES}))
        if auth.secret("client_id_env") and "client_credentials" in grants:
            attempts.append(("the client_credentials grant", {"grant_type": "client_credentials",
                                                              "scope": GA4GH_SCOPES}))
        tried: list[str] = []
        if subject and jose.TOKEN_EXCHANGE_GRANT not in grants:
            tried.append("the discovery document lists no token exchange grant for auth.subject_token_env")
        if auth.secret("client_id_env") and "client_credentials" not in grants and not attempts:
            tried.append("the discovery document lists neither client_credentials nor token exchange in "
                         "grant_types_supported (an authorization-code-only broker: log the test user in once and "
                         "give the refresh token as auth.refresh_token_env, or the access token as "
                         "auth.bearer_token_env)")
        for name, form in attempts:
            try:
                response = self.token_request(form, client_auth=bool(auth.secret("client_id_env")))
            except pytest.skip.Exception as exc:
                tried.append(f"{name} was not tried: {exc.msg}")
                break
            body = _json_or_none(response)
            token = body.get("access_token") if isinstance(body, dict) else None
            if response.status == 200 and isinstance(token, str) and token:
                register_secret(self.run, token)
                def answer(kept: Response = response) -> Response:
                    return kept
                self.memo("token-response", answer)
                return token, name, tried
            error = body.get("error") if isinstance(body, dict) else None
            tried.append(f"{name} answered {response.status}{' ' + str(error) if error else ''}")
        return None, "", tried

    def client_authentication(self, headers: dict[str, str], form: dict[str, str]) -> None:
        """Client credentials of the profile (auth.client_id_env, client_secret_env) as the broker takes them:
        client_secret_basic unless the discovery document lists only client_secret_post (OIDC Core 1.0 §9)."""
        client_id = self.service.auth.secret("client_id_env")
        client_secret = self.service.auth.secret("client_secret_env")
        if not client_id or client_secret is None:
            pytest.skip("the profile gives no client credentials (auth.client_id_env, client_secret_env)")
        methods = self.discovery()[0].get("token_endpoint_auth_methods_supported")
        if isinstance(methods, list) and "client_secret_post" in methods and "client_secret_basic" not in methods:
            form.update(client_id=client_id, client_secret=client_secret)
            register_secret(self.run, client_secret)
            return
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        register_secret(self.run, basic, client_secret)
        headers["Authorization"] = f"Basic {basic}"

    def token_request(self, form: Mapping[str, str], *, client_auth: bool = True) -> Response:
        """POST ``form`` to the token endpoint (never elsewhere than the issuer's origin or allowed_hosts)."""
        url = self.credential_endpoint("token_endpoint")
        fields = dict(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if client_auth:
            self.client_authentication(headers, fields)
        return self.anonymous.post(url, data=urlencode(fields).encode(), headers=headers, idempotent=False,
                                   follow_redirects=False)

    def access_token(self) -> tuple[str, Response]:
        """The access token to examine, with the broker's userinfo answer to it as the evidence of every
        finding about it: the token comes from the profile, and userinfo is the exchange in which the
        broker is shown it (AAI 1.2 §Visas provided by a Broker via UserInfo Endpoint). A broker without
        a usable UserInfo endpoint still has its token judged, with its discovery document (the issuer
        the token names) as the evidence."""
        token = self.bearer_token()
        try:
            _, response = self.userinfo()
        except pytest.skip.Exception:
            _, response = self.discovery()
        return token, response

    def exchange(self, *, client_auth: bool = True, **fields: str) -> Response:
        """An RFC 8693 token exchange for a Passport (AAI 1.2 §Conformance for Passport Issuers)."""
        form = {"grant_type": jose.TOKEN_EXCHANGE_GRANT, "requested_token_type": jose.PASSPORT_TOKEN_TYPE,
                "subject_token_type": jose.ACCESS_TOKEN_TYPE}
        form.update(fields)
        form.setdefault("subject_token", self.bearer_token())
        return self.token_request(form, client_auth=client_auth)

    def exchanged(self) -> tuple[dict[str, Any], Response]:
        """The answer to a well-formed exchange (skip: the broker offers none)."""
        def make() -> tuple[dict[str, Any], Response]:
            response = self.exchange()
            body = _json_or_none(response)
            if response.status != 200 or not isinstance(body, dict):
                expired = self.expired_token()
                if expired:
                    pytest.skip(f"token exchange answered {response.status}: {expired}")
                pytest.skip(f"token exchange answered {response.status}: the broker issues no Passport through it "
                            "(see passports.broker.token-exchange-supported)")
            if isinstance(body.get("access_token"), str):
                register_secret(self.run, body["access_token"])
            return body, response
        return self.memo("exchanged", make)

    def passport(self) -> tuple[str, Response]:
        """The Passport to examine, with the answer that is the evidence of every finding about it: the
        token exchange that handed it out, or, for a Passport the profile gives (``auth.passport_env``,
        obtained by the user from this broker), the broker's discovery document (the issuer it names)."""
        given = self.service.auth.secret("passport_env")
        if given:
            return given, self.discovery()[1]
        body, response = self.exchanged()
        token = body.get("access_token")
        if not isinstance(token, str):
            pytest.skip("the token exchange answer has no access_token "
                        "(see passports.broker.token-exchange-returns-passport)")
        return token, response

    def passport_parts(self) -> tuple[jose.Parts, Response]:
        token, response = self.passport()
        try:
            return jose.split(token), response
        except jose.TokenFormatError:
            pytest.skip("the Passport is not a JWS (see passports.passport.is-jws-compact)")

    def has_access_token(self) -> bool:
        try:
            self.bearer_token()
        except pytest.skip.Exception:
            return False
        return True

    def userinfo(self) -> tuple[Any, Response]:
        def make() -> tuple[Any, Response]:
            response = self.anonymous.get(self.credential_endpoint("userinfo_endpoint"),
                                          headers={"Authorization": f"Bearer {self.bearer_token()}"},
                                          follow_redirects=False)
            if response.content_type == "application/jwt":
                register_secret(self.run, response.text.strip())
                try:
                    return jose.split(response.text.strip()).payload, response
                except jose.TokenFormatError:
                    return None, response
            return _json_or_none(response), response
        return self.memo("userinfo", make)

    def visas(self) -> tuple[list[Any], Response]:
        """The visas the broker hands out: from the Passport, or else from userinfo."""
        def make() -> tuple[list[Any], Response]:
            given = self.service.auth.secret("passport_env")
            if not given:
                self.bearer_token()  # no Passport to examine and no token to get visas with: say so
            why: list[str] = []  # what kept each source from being read
            if given or self.service.auth.secret("client_id_env"):
                try:
                    parts, response = self.passport_parts()
                except pytest.skip.Exception as exc:
                    parts = None
                    why.append(f"the Passport: {exc.msg}")
                if parts is not None and isinstance(parts.payload.get("ga4gh_passport_v1"), list):
                    if given:
                        self.memo("visas-from-given-passport", lambda: True)
                    return list(parts.payload["ga4gh_passport_v1"]), response
            if self.has_access_token():
                try:
                    body, response = self.userinfo()
                except pytest.skip.Exception as exc:
                    body = None
                    why.append(f"userinfo: {exc.msg}")
                if isinstance(body, dict) and isinstance(body.get("ga4gh_passport_v1"), list):
                    return list(body["ga4gh_passport_v1"]), response
            pytest.skip("no visas to examine: " + ("; ".join(why) if why else
                                                   "no Passport and no userinfo ga4gh_passport_v1 list"))
        visas, response = self.memo("visas", make)
        if not visas:
            pytest.skip("the broker hands out no visas for this user")
        return visas, response


# -- clearinghouse ----------------------------------------------------------------------------------------


class _Callback(BaseHTTPRequestHandler):
    """Serves the untrusted issuer's key set at any path and records every path it is asked for."""

    hits: ClassVar[list[str]] = []
    jwks: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = json.dumps(type(self).jwks).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class CallbackServer:
    """A loopback server that a conformant clearinghouse never calls (jku and URL Claims it must not fetch)."""

    def __init__(self, jwks: Mapping[str, Any]) -> None:
        handler: type[_Callback] = type("Callback", (_Callback,), {"hits": [], "jwks": dict(jwks)})
        self.handler = handler
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(CALLBACK_POLL_SECONDS,),
                                       name="passports-callback", daemon=True)
        self.thread.start()

    def fresh(self, what: str) -> str:
        return f"{self.url}/{secrets.token_hex(6)}/{what}"

    def was_fetched(self, url: str) -> bool:
        path = urlsplit(url).path
        return any(hit.split("?")[0] == path for hit in self.handler.hits)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def granted(response: Response) -> bool:
    """A grant is 200 with what the route gives (DRS 1.4.0 §PostAccessURL: an AccessURL, a JSON object whose url is
    a string; §PostObject: a DrsObject, whose id is one); 202 is inconclusive (see submit). A 200 carrying
    anything else (an "access denied" page, a broken body) grants nothing: a clearinghouse that answers its
    refusals so is not failed for granting access."""
    if response.status != 200:
        return False
    body = _json_or_none(response)
    return isinstance(body, dict) and (isinstance(body.get("url"), str) or isinstance(body.get("id"), str))


class Clearinghouse(ServiceView):
    """The harness as a test broker in front of a passport-protected DRS object."""

    def __init__(self, service: Service, run: Run) -> None:
        super().__init__(service, run)
        objects = service.options.get("protected_objects") or []
        self.object_id = str(objects[0]) if objects else None
        self.access_id = service.options.get("access_id")
        self.dataset = service.options.get("dataset")
        self.source = str(service.options.get("visa_source") or "https://no.organization")
        self.issuer = self._test_issuer()
        self.untrusted = jose.session_issuer("harness-untrusted-issuer")
        register_secret(run, *self.untrusted.sensitive_strings())
        self.real_passport = service.auth.secret("passport_env")
        self._callback: CallbackServer | None = None

    def _test_issuer(self) -> jose.Issuer | None:
        path = self.service.options.get("test_issuer_keys")
        issuer: jose.Issuer | None
        if path:
            try:
                issuer = jose.read_keys_file(Path(str(path)).expanduser())
            except (OSError, ValueError, KeyError) as exc:
                raise HarnessError(f"cannot read test_issuer_keys {path}: {type(exc).__name__}") from None
        elif self.service.reference is not None:
            issuer = jose.session_issuer(jose.DEMO_TEST_ISSUER)
        else:
            issuer = jose.session_issuer("harness-test-issuer-untrusted-by-default")
        register_secret(self.run, *issuer.sensitive_strings())
        return issuer

    @property
    def trusted(self) -> bool:
        return bool(self.service.options.get("trusts_test_issuer")) and self.issuer is not None and \
            self.trust_problem is None

    @property
    def trust_problem(self) -> str | None:
        """Why a declared trust cannot hold: without test_issuer_keys the harness signs with a fresh per-run
        issuer, which a real clearinghouse cannot have been configured to trust."""
        if self.service.options.get("trusts_test_issuer") and not self.service.options.get("test_issuer_keys") \
                and self.service.reference is None:
            return "trusts_test_issuer is true but no test_issuer_keys file names the issuer it trusts"
        return None

    @property
    def path(self) -> str:
        if not self.object_id or not self.access_id:
            pytest.skip("the profile names no protected object (protected_objects and access_id)")
        return f"/objects/{self.object_id}/access/{self.access_id}"

    @property
    def tokens_are_evidence(self) -> bool:
        """Whether the passports the harness submits may appear in reports (issue 21.10). Only where none
        can be a credential anywhere: the clearinghouse is the run's own embedded reference server, which
        trusts only keys made for this run (and the passport it issued for the run) and stops with it, and
        the profile gives neither test issuer keys nor a passport of its own. A forgery elsewhere is one
        step from a valid token (its visas are valid ones, or the profile's), and signed with an
        initiative's test issuer keys a harness passport is a credential there: those stay redacted. The
        passport the server issued stays redacted too, as every credential the profile's services hold."""
        auth = self.service.auth
        return (self.service.reference is not None and not self.service.options.get("test_issuer_keys")
                and "passport_env" not in auth.env)

    def minted(self, token: str) -> str:
        """A token the harness made: shown as evidence where :attr:`tokens_are_evidence`, else a secret."""
        if self.tokens_are_evidence:
            self.run.redactor.show(token)
        else:
            register_secret(self.run, token)
        return token

    def submit(self, passport: str) -> Response:
        """``passport`` POSTed to the protected object, on the clearinghouse's own origin, no redirect
        followed. A 202 (DRS: retry later) is neither a grant nor a refusal: the check is inconclusive."""
        self.minted(passport)
        response = self.client.post(self.path, json={"passports": [passport]}, idempotent=False,
                                    follow_redirects=False)
        if response.status == 202:
            pytest.skip("the clearinghouse answered 202 (try again later): neither a grant nor a refusal")
        return response

    # minting
    def visa(self, signer: jose.Issuer | None = None, *, obj: Mapping[str, Any] | None = None,
             header: Mapping[str, Any] | None = None, claims: Mapping[str, Any] | None = None,
             drop: tuple[str, ...] = (), alg: str = "ES256") -> str:
        signer = signer or self._require_issuer()
        t = jose.now()
        visa_object: dict[str, Any] = {"type": "ControlledAccessGrants", "value": self.require_dataset(),
                                       "source": self.source, "by": "dac", "asserted": t - 3600}
        visa_object.update(obj or {})
        payload: dict[str, Any] = {"iss": signer.iss, "sub": "conformance-test-user", "iat": t - 60,
                                   "exp": t + 3600, "jti": secrets.token_hex(8), "ga4gh_visa_v1": visa_object}
        payload.update(claims or {})
        for name in drop:
            payload.pop(name, None)
            visa_object.pop(name, None)
        return self.minted(signer.sign(payload, {"typ": jose.VISA_TYP, "jku": signer.jku, **(header or {})}, alg))

    def passport(self, visas: list[str] | None = None, signer: jose.Issuer | None = None, *,
                 header: Mapping[str, Any] | None = None, claims: Mapping[str, Any] | None = None,
                 drop: tuple[str, ...] = (), alg: str = "RS256") -> str:
        signer = signer or self._require_issuer()
        t = jose.now()
        payload: dict[str, Any] = {"iss": signer.iss, "sub": "conformance-test-user", "iat": t - 30,
                                   "exp": t + 600, "jti": secrets.token_hex(8),
                                   "ga4gh_passport_v1": [self.visa()] if visas is None else visas}
        payload.update(claims or {})
        for name in drop:
            payload.pop(name, None)
        return self.minted(signer.sign(payload, {"typ": jose.PASSPORT_TYP, **(header or {})}, alg))

    def _require_issuer(self) -> jose.Issuer:
        if self.issuer is None:
            pytest.skip("no test issuer")
        return self.issuer

    def require_dataset(self) -> str:
        if not self.dataset:
            pytest.skip("the profile names no dataset (the ControlledAccessGrants value the object needs)")
        return str(self.dataset)

    def require_trust(self) -> None:
        if self.trust_problem:
            pytest.skip(self.trust_problem)
        if not self.trusted:
            pytest.skip("needs a clearinghouse that trusts the harness's test issuer "
                        "(trusts_test_issuer: true with test_issuer_keys from `conformance passports keys`)")

    def baseline(self) -> str:
        """A valid passport the clearinghouse must grant: the harness's own when it is trusted, else
        the one the profile gives (passport_env)."""
        if self.trusted:
            return self.passport()
        if self.real_passport:
            expired = jose.expiry_note("the passport the profile gives (auth.passport_env)", self.real_passport)
            if expired:
                self.run.count_skips(self.service.key, "cannot decide without a passport", f"no passport the "
                                     f"clearinghouse grants, so its refusals prove nothing ({expired})")
                pytest.skip(f"cannot decide without a passport the clearinghouse grants: {expired}")
            return self.real_passport
        why = f" ({self.trust_problem})" if self.trust_problem else ""
        self.run.count_skips(self.service.key, "cannot decide without a passport",
                             "no passport the clearinghouse grants, so its refusals prove nothing (give "
                             "test_issuer_keys of an issuer it trusts, or auth.passport_env)")
        pytest.skip("cannot decide without a passport the clearinghouse grants: name a test issuer it trusts "
                    f"(trusts_test_issuer with test_issuer_keys) or a valid passport (auth.passport_env){why}")

    def resigned(self, token: str, signer: jose.Issuer) -> str:
        """``token``'s claims, with ``signer`` as iss, signed by ``signer``: the one-step mutation "another
        issuer" of a passport (its visas untouched)."""
        payload = {**jose.split(token).payload, "iss": signer.iss, "jti": secrets.token_hex(8)}
        return self.minted(signer.sign(payload, {"typ": jose.PASSPORT_TYP}, "RS256"))

    def control(self) -> Response:
        """The positive control: the baseline submitted once."""
        return self.memo("control", lambda: self.submit(self.baseline()))

    def require_control(self) -> None:
        """A refusal proves nothing unless the unmutated passport is granted (issue 21: a refusal of an
        untrusted passport is no evidence that alg none is refused). Without a passport to grant, the check
        cannot decide: a skip that says what the profile must give."""
        response = self.control()
        if not granted(response):
            pytest.skip(f"the valid passport was refused ({response.status}; see "
                        "passports.clearinghouse.grants-valid-passport): a refusal of its mutation proves nothing")

    def callback(self) -> CallbackServer:
        if self._callback is None:
            self._callback = CallbackServer(self.untrusted.public_jwks())
        return self._callback

    def close(self) -> None:
        """Stop the callback server (a later check of the same view starts a fresh one)."""
        if self._callback is not None:
            self._callback.stop()
            self._callback = None
