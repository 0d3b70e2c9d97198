"""Where requests may go and what goes with them (conformance/http/redirects.py): which redirect targets
are refused, what an origin is, and which credentials a service's profile entry yields."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from conformance.http.redirects import Credentials, credentials_for, origin_of, redirect_refusal
from conformance.profile import Auth, Service
from conformance.redact import MASK, Redactor

PUBLIC = "https://drs.example.org/ga4gh/drs/v1"
LINK_LOCAL = "a link-local or special address, never followed"
PRIVATE = ("a loopback or private address, followed only for a service on such an address (a host of the "
           "deployment's own network is followed when the entry lists it under auth.allowed_hosts)")

# -- redirect_refusal -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fe80::1]/x",
    "http://224.0.0.1/x",
    "http://0:8080/x",  # the unspecified address, in the short form the resolver reads
    "http://[::]/x",
])
@pytest.mark.parametrize("service", [PUBLIC, "http://127.0.0.1:8080", "http://10.1.2.3/api"])
def test_a_link_local_or_special_target_is_never_followed(service: str, target: str) -> None:
    assert redirect_refusal(service, target) == LINK_LOCAL


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:9000/x", "http://127.0.0.2/x", "http://localhost/x", "http://[::1]/x", "http://10.0.0.5/x",
    "http://192.168.1.1/x", "http://172.16.0.1/x", "http://[fd00::1]/x",
])
def test_a_private_target_is_refused_for_a_public_service(target: str) -> None:
    assert redirect_refusal(PUBLIC, target) == PRIVATE
    assert redirect_refusal("http://93.184.216.34/api", target) == PRIVATE


@pytest.mark.parametrize("service", ["http://127.0.0.1:8080", "http://[::1]:8080/api", "http://10.0.0.1/api",
                                     "http://192.168.0.10:5000"])
@pytest.mark.parametrize("target", ["http://127.0.0.2:9000/x", "http://10.0.0.5/x", "http://192.168.1.1/x"])
def test_a_private_target_is_followed_for_a_private_service(service: str, target: str) -> None:
    assert redirect_refusal(service, target) is None


def test_a_service_named_localhost_is_on_loopback() -> None:
    assert redirect_refusal("http://localhost:8080", "http://127.0.0.1:9000/x") is None
    assert redirect_refusal("http://localhost:8080", "http://169.254.169.254/x") == LINK_LOCAL


@pytest.fixture
def addresses(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Host names resolving as the returned map says (a name missing does not resolve), and nothing remembered of
    where connections went."""
    import socket

    from conformance.http import redirects

    where: dict[str, list[str]] = {}

    def resolve(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        if host not in where:
            raise socket.gaierror("no such name")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0))
                for a in where[host]]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(redirects, "_DECLARED", {})
    redirects._resolves_inner.cache_clear()
    yield where
    redirects._resolves_inner.cache_clear()


def test_a_service_name_is_judged_where_it_resolves(addresses: dict[str, list[str]]) -> None:
    """Before the harness connected to it, a service's name is on a private network when every address it
    resolves to is; one that does not resolve, or also resolves to a public address, is taken as public."""
    addresses.update({"drs-compose": ["172.18.0.3"], "mixed.example": ["10.0.0.1", "93.184.216.34"],
                      "intranet.example": ["fd00::5%eth0"], "drs.example.org": ["93.184.216.34"]})
    assert redirect_refusal("http://drs-compose:8080", "http://172.18.0.4:9000/bucket/x") is None
    assert redirect_refusal("http://intranet.example/api", "http://10.0.0.5/x") is None
    for service in ("https://drs.example.org", "https://mixed.example", "https://no-such-name.invalid"):
        assert redirect_refusal(service, "http://10.0.0.5/x") == PRIVATE
        assert redirect_refusal(service, "https://storage.example.net/x") is None


def test_a_service_name_is_judged_where_the_harness_connected_to_it(addresses: dict[str, list[str]]) -> None:
    """Once a connection to the service was made, where it went judges the service, not its name server's
    answer to another lookup (which may differ, DNS rebinding); a name whose connections went to both kinds of
    address is public."""
    from conformance.http.redirects import note_declared

    addresses.update({"drs.example.org": ["10.0.0.1"], "moved.example": ["10.0.0.1"]})
    note_declared("DRS.example.org", "93.184.216.34")
    assert redirect_refusal("https://drs.example.org", "http://10.0.0.5/x") == PRIVATE
    note_declared("moved.example", "10.0.0.1")
    assert redirect_refusal("https://moved.example", "http://10.0.0.5/x") is None
    note_declared("moved.example", "93.184.216.34")
    assert redirect_refusal("https://moved.example", "http://10.0.0.5/x") == PRIVATE


@pytest.mark.parametrize(("service", "address", "refusal"), [
    (PUBLIC, "169.254.169.254", LINK_LOCAL),
    ("http://10.0.0.1/api", "169.254.169.254", LINK_LOCAL),
    ("http://10.0.0.1/api", "::ffff:169.254.169.254", LINK_LOCAL),
    ("http://10.0.0.1/api", "fe80::1%eth0", LINK_LOCAL),
    (PUBLIC, "10.0.0.5", PRIVATE),
    (PUBLIC, "100.100.100.200", PRIVATE),  # shared address space (RFC 6598): a cloud's metadata service
    (PUBLIC, "64:ff9b::a9fe:a9fe", LINK_LOCAL),  # NAT64 (RFC 6052): the IPv4 address it embeds, 169.254.169.254
    (PUBLIC, "64:ff9b:1::a00:5", PRIVATE),  # local-use NAT64 (RFC 8215): 10.0.0.5
    ("http://10.0.0.1/api", "100.64.0.7", None),
    (PUBLIC, "::1", PRIVATE),
    ("http://127.0.0.1:8080", "10.0.0.5", None),
    (PUBLIC, "93.184.216.34", None),
    (PUBLIC, "2606:4700::1111", None),
])
def test_a_connection_is_judged_by_the_address_it_reached(addresses: dict[str, list[str]], service: str,
                                                          address: str, refusal: str | None) -> None:
    from conformance.http.redirects import connection_refusal

    addresses["drs.example.org"] = ["93.184.216.34"]
    assert connection_refusal(service, address) == refusal


@pytest.mark.parametrize("target", ["https://storage.example.net/blob?sig=x", "http://93.184.216.34/x",
                                    "https://[2606:4700::1111]/x", "/relative/path"])
def test_a_public_target_or_a_host_name_is_followed(target: str) -> None:
    assert redirect_refusal(PUBLIC, target) is None
    assert redirect_refusal("http://127.0.0.1:8080", target) is None


@pytest.mark.parametrize(("service", "target"), [
    (PUBLIC, "http://2852039166/latest/meta-data/"),
    (PUBLIC, "http://0xa9fea9fe/latest/meta-data/"),
    (PUBLIC, "http://0251.0376.0251.0376/latest/meta-data/"),
    (PUBLIC, "http://169.254.43518/latest/meta-data/"),
    ("http://10.0.0.1/api", "http://[::ffff:169.254.169.254]/latest/meta-data/"),
], ids=["decimal", "hex", "octal", "short", "ipv4-mapped"])
def test_the_link_local_address_in_another_notation_is_never_followed(service: str, target: str) -> None:
    assert redirect_refusal(service, target) == LINK_LOCAL


@pytest.mark.parametrize("target", ["http://example.org:99999/x", "http://[::1/x", "http://example.org:port/x"])
def test_a_target_that_is_no_url_is_refused(target: str) -> None:
    assert redirect_refusal(PUBLIC, target) == "not a valid URL"


# -- origin_of --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "origin"), [
    ("https://Drs.Example.ORG/ga4gh/drs/v1", ("https", "drs.example.org", 443)),
    ("HTTP://example.org", ("http", "example.org", 80)),
    ("http://example.org:8080/x?y=1", ("http", "example.org", 8080)),
    ("https://example.org:443/", ("https", "example.org", 443)),
    ("http://[::1]:5000/x", ("http", "::1", 5000)),
    ("http://user:secret@example.org/x", ("http", "example.org", 80)),
])
def test_origin_of_is_scheme_host_and_port_with_the_default_ports(url: str, origin: tuple[str, str, int]) -> None:
    assert origin_of(url) == origin


@pytest.mark.parametrize(("url", "origin"), [
    ("http://evil.test\\@drs.example.org/x", ("http", "evil.test", 80)),
    ("https://evil.test:8443\\@drs.example.org/x", ("https", "evil.test", 8443)),
    ("http://evil.test\\x@drs.example.org:81/", ("http", "evil.test", 80)),
    ("http://drs.example.org\\.evil.test/", ("http", "drs.example.org", 80)),
    ("http://evil.test\t@drs.example.org/", ("http", "drs.example.org", 80)),
    ("https://B\u00fccher.example/", ("https", "xn--bcher-kva.example", 443)),
])
def test_origin_of_reads_a_url_as_the_transport_requests_it(url: str, origin: tuple[str, str, int]) -> None:
    """urlsplit and urllib3 (what connects) read some URLs as different hosts: the origin is where the request
    goes, or a URL a server gave could pass another host off as the service's."""
    assert origin_of(url) == origin


@pytest.mark.parametrize("target", ["http://169.254.169.254\\@drs.example.org/latest/meta-data/",
                                    "http://169.254.169.254:80\\@drs.example.org/"])
def test_a_link_local_target_behind_a_backslash_is_never_followed(target: str) -> None:
    assert redirect_refusal(PUBLIC, target) == LINK_LOCAL


def test_an_out_of_range_port_is_an_origin_matching_no_service() -> None:
    assert origin_of("http://example.org:99999/x") == ("http", "example.org", -1)
    assert origin_of("http://example.org:99999/x") != origin_of("http://example.org/x")


def test_the_same_host_on_another_scheme_or_port_is_another_origin() -> None:
    assert origin_of("http://example.org/x") != origin_of("https://example.org/x")
    assert origin_of("http://example.org/x") != origin_of("http://example.org:8080/x")
    assert origin_of("http://example.org/x") == origin_of("http://example.org:80/y")


# -- Credentials.applies_to -------------------------------------------------------------------------------------


def test_credentials_apply_to_their_own_origin_only() -> None:
    credentials = Credentials(origin_of(PUBLIC), {"Authorization": "Bearer t"})
    assert credentials.applies_to("https://drs.example.org/ga4gh/drs/v1/objects/1")
    assert credentials.applies_to("https://DRS.example.org:443/other")
    assert not credentials.applies_to("http://drs.example.org/ga4gh/drs/v1")  # another scheme
    assert not credentials.applies_to("https://drs.example.org:8443/ga4gh/drs/v1")  # another port
    assert not credentials.applies_to("https://storage.example.org/blob")
    assert not credentials.applies_to("https://drs.example.org.evil.test/x")


def test_credentials_apply_to_the_allowed_hosts_on_any_port() -> None:
    credentials = Credentials(origin_of(PUBLIC), {"Authorization": "Bearer t"}, frozenset({"files.example.org"}))
    assert credentials.applies_to("https://files.example.org/blob")
    assert credentials.applies_to("https://Files.Example.org:8443/blob")
    assert not credentials.applies_to("https://evil.files.example.org/blob")


def test_credentials_of_an_https_service_go_to_an_allowed_host_over_https_only() -> None:
    """A redirect (or an access URL) from an https service to http://<allowed host>/ would put the token on the
    wire in clear text; a service on http has nothing to lose."""
    secure = Credentials(origin_of(PUBLIC), {"Authorization": "Bearer t"}, frozenset({"files.example.org"}))
    assert not secure.applies_to("http://files.example.org/blob")
    assert not secure.applies_to("http://files.example.org:443/blob")
    plain = Credentials(origin_of("http://drs.internal:8080/"), {"Authorization": "Bearer t"},
                        frozenset({"files.internal"}))
    assert plain.applies_to("http://files.internal:9000/blob") and plain.applies_to("https://files.internal/blob")



def test_may_carry_credentials_is_the_clients_rule_for_a_suite() -> None:
    """The kit's ``may_carry_credentials`` (a suite sending a credential itself: a token endpoint, a key set) is
    the client's rule: home's origin, or an allowed host (named as a profile writes it, in any case) over https,
    or over http where home is on http; each URL read as the transport reads it."""
    from conformance import may_carry_credentials

    hosts = ["Files.Example.org"]
    assert may_carry_credentials("https://drs.example.org/token", PUBLIC)
    assert not may_carry_credentials("https://drs.example.org:8443/token", PUBLIC)
    assert may_carry_credentials("https://files.example.org:8443/jwks", PUBLIC, hosts)
    assert not may_carry_credentials("http://files.example.org/jwks", PUBLIC, hosts)
    assert not may_carry_credentials("https://files.example.org/jwks", PUBLIC)
    assert may_carry_credentials("http://files.internal:9000/x", "http://drs.internal:8080/", ["files.internal"])
    assert not may_carry_credentials("http://evil.test\\@drs.example.org/token", PUBLIC)  # reaches evil.test

# -- credentials_for ----------------------------------------------------------------------------------------------

TOKEN = "tok-0123456789abcdef0123"


def service(auth: Auth, url: str = PUBLIC) -> Service:
    return Service(index=0, standard="drs", version="1.4.0", url=url, auth=auth)


def test_a_bearer_token_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRS_TOKEN", TOKEN)
    redactor = Redactor()
    credentials = credentials_for(service(Auth(env={"bearer_token_env": "DRS_TOKEN"},
                                               allowed_hosts=("files.example.org",))), redactor)
    assert credentials == Credentials(("https", "drs.example.org", 443), {"Authorization": f"Bearer {TOKEN}"},
                                      frozenset({"files.example.org"}))
    assert redactor.text(f"token={TOKEN}!") == f"token={MASK}!"


def test_basic_credentials_are_a_basic_header_and_every_form_is_redacted() -> None:
    redactor = Redactor()
    auth = Auth(inline={"basic_username_env": "alice", "basic_password_env": "s3cret-passw0rd"})
    credentials = credentials_for(service(auth), redactor)
    encoded = base64.b64encode(b"alice:s3cret-passw0rd").decode()
    assert credentials is not None
    assert dict(credentials.headers) == {"Authorization": f"Basic {encoded}"}
    assert MASK in redactor.text("s3cret-passw0rd") and "s3cret" not in redactor.text("pw s3cret-passw0rd")
    assert encoded not in redactor.text(f"seen: {encoded}")


def test_a_password_without_a_user_name_is_basic_with_an_empty_user() -> None:
    credentials = credentials_for(service(Auth(inline={"basic_password_env": "only-a-password"})), Redactor())
    assert credentials is not None
    assert credentials.headers["Authorization"] == "Basic " + base64.b64encode(b":only-a-password").decode()


def test_a_bearer_token_wins_over_basic_credentials() -> None:
    auth = Auth(inline={"bearer_token_env": TOKEN, "basic_username_env": "alice", "basic_password_env": "pw-pw-pw"})
    credentials = credentials_for(service(auth), Redactor())
    assert credentials is not None and dict(credentials.headers) == {"Authorization": f"Bearer {TOKEN}"}


def test_no_credentials_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNSET_TOKEN", raising=False)
    assert credentials_for(service(Auth()), Redactor()) is None
    assert credentials_for(service(Auth(env={"bearer_token_env": "UNSET_TOKEN"})), Redactor()) is None


def test_secrets_that_make_no_header_are_still_redacted() -> None:
    """A passport or a client secret is sent by the checks that need it, never as a header of every
    request, and must be masked wherever it shows up."""
    redactor = Redactor()
    auth = Auth(inline={"passport_env": "passport-value-123456", "client_secret_env": "client-secret-abcdef"})
    assert credentials_for(service(auth), redactor) is None
    assert redactor.text("passport-value-123456 client-secret-abcdef") == f"{MASK} {MASK}"


def test_the_origin_of_the_credentials_is_the_service_url() -> None:
    credentials = credentials_for(service(Auth(inline={"bearer_token_env": TOKEN}), url="http://127.0.0.1:8080/api"),
                                  Redactor())
    assert credentials is not None and credentials.origin == ("http", "127.0.0.1", 8080)
    assert credentials.allowed_hosts == frozenset()


def test_a_listed_url_that_reads_as_two_hosts_gets_no_credentials() -> None:
    """A registry's entry ``https://elsewhere\\@storage.example.org/`` names ``storage.example.org`` to urlsplit (the
    host the profile's auth was chosen for, through auth.allowed_hosts) and is requested from ``elsewhere``."""
    auth = Auth(inline={"bearer_token_env": TOKEN}, allowed_hosts=("storage.example.org",))
    listed = Service(index=3, standard="drs", version="1.4.0", url="https://elsewhere.test\\@storage.example.org/drs",
                     auth=auth, listed_by="https://registry.example.org")
    assert credentials_for(listed, Redactor()) is None
    plain = Service(index=3, standard="drs", version="1.4.0", url="https://storage.example.org/drs", auth=auth,
                    listed_by="https://registry.example.org")
    assert credentials_for(plain, Redactor()) is not None


def test_allowed_hosts_are_named_as_the_origins_they_are_compared_with() -> None:
    auth = Auth(inline={"bearer_token_env": TOKEN}, allowed_hosts=("b\u00fccher.example", "Files.Example.org"))
    credentials = credentials_for(service(auth), Redactor())
    assert credentials is not None
    assert credentials.allowed_hosts == frozenset({"xn--bcher-kva.example", "files.example.org"})
    assert credentials.applies_to("https://B\u00fccher.example/blob")


@pytest.mark.parametrize("written", ["[::1]", "::1"])
def test_an_ipv6_allowed_host_is_named_as_its_origin_is(written: str) -> None:
    """An IPv6 literal, with or without the brackets a URL writes it in, matches a request to it."""
    auth = Auth(inline={"bearer_token_env": TOKEN}, allowed_hosts=(written,))
    credentials = credentials_for(service(auth), Redactor())
    assert credentials is not None and credentials.applies_to("https://[::1]:8443/blob")


# -- listed_refusal ---------------------------------------------------------------------------------------------


def test_host_names_are_judged_where_they_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry that is a docker-compose service or an intranet name on a private network may list services
    there; one that resolves to a public address may not; no registry may list a link-local address, by its
    address or by a name for it."""
    import socket

    from conformance.http.redirects import listed_refusal

    where = {"registry-compose": "172.18.0.2", "registry.example.org": "93.184.216.34",
             "metadata.cloud.internal": "169.254.169.254", "drs.example.org": "93.184.216.35"}

    def resolve(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        if host not in where:
            raise socket.gaierror("no such name")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (where[host], 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert listed_refusal("http://registry-compose:8080", "http://10.0.0.5:8080/ga4gh/drs/v1") is None
    assert listed_refusal("https://registry.example.org", "http://10.0.0.5/x") == \
        "a loopback or private address, while the registry is not on one"
    assert listed_refusal("https://no-such-name.invalid", "http://10.0.0.5/x") == \
        "a loopback or private address, while the registry is not on one"
    assert listed_refusal("http://registry-compose:8080", "http://169.254.169.254/latest") == \
        "a link-local or special address (cloud metadata, say)"
    assert listed_refusal("https://registry.example.org", "https://drs.example.org/ga4gh/drs/v1") is None
    # a listed host name is judged where it resolves
    assert listed_refusal("https://registry.example.org", "http://metadata.cloud.internal/latest") == \
        "a link-local or special address (cloud metadata, say)"
    assert listed_refusal("http://registry-compose:8080", "http://metadata.cloud.internal/latest") == \
        "a link-local or special address (cloud metadata, say)"
