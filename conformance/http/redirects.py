"""Where requests may go and what goes with them: redirects are followed by hand, and no request off the
service's origin (a redirect, a URL a server gave) reaches a link-local address, or a private one from a
public service, whether its URL names the address or a host name leads there (judged by the address each
connection reaches); credentials (the profile's and a check's own) stay with the origin they belong to.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from conformance.profile import Service
from conformance.redact import Redactor

MAX_REDIRECTS = 5
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Credentials:
    """Headers to add to requests sent to the service's own origin (or to an allowed host, over https unless the
    service is on http)."""

    origin: tuple[str, str, int]
    headers: Mapping[str, str]
    allowed_hosts: frozenset[str] = frozenset()

    def applies_to(self, url: str) -> bool:
        origin = origin_of(url)  # the host the request reaches, as the transport reads the URL
        if origin == self.origin:
            return True
        # a host of auth.allowed_hosts, on any port; in clear text (http) only where the service itself is, so
        # that a redirect from an https service to http://<allowed host>/ never puts its token on the wire
        return origin[1] in self.allowed_hosts and (origin[0] == "https" or self.origin[0] != "https")


#: A URL made of these characters only reads the same to :func:`urllib.parse.urlsplit` as to the transport
#: (urllib3): no backslash, which ends the authority for urllib3 and not for urlsplit, no white space or control
#: character (which urlsplit drops and urllib3 escapes), nothing outside ASCII (a host urllib3 IDNA-encodes).
_PLAIN_URL = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*")


def as_requested(url: str) -> str:
    """``url`` as the transport requests it (requests' preparation of a URL): where the host and port it names
    are what every decision on the request (its origin, its credentials, the addresses it may reach) reads.
    ``http://attacker.example\\@service.example/`` names ``service.example`` to ``urlsplit`` and is requested
    from ``attacker.example``: judged by urlsplit, a URL a server gave (a redirect, an access URL) took the
    service's credentials elsewhere. A URL requests cannot prepare is returned as it is (its request fails
    before any connection)."""
    if _PLAIN_URL.fullmatch(url):
        return url
    return _prepared_url(url)


@functools.lru_cache(maxsize=1024)  # a URL's decisions read it several times
def _prepared_url(url: str) -> str:
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
    except (requests.exceptions.RequestException, ValueError, UnicodeError):
        return url
    return prepared.url or url


def redirect_refusal(service_url: str, target: str) -> str | None:
    """Why a redirect target is not followed, or None.

    A checked server must not be able to point the harness at the machine it runs on or its network
    (cloud metadata at a link-local address, private hosts) and have the answer published as
    evidence; loopback and private targets are followed only when the service itself is there
    (:func:`on_inner_network`). A target named by a host name is judged where each connection to it
    goes (:func:`connection_refusal`): a name resolved here could resolve elsewhere when connecting.
    """
    try:
        parts = urlsplit(as_requested(target))
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "not a valid URL"
    host = parts.hostname or ""
    kind = _kind("127.0.0.1" if host == "localhost" else host)
    return None if kind is None else _refusal(service_url, kind)  # (None: a host name, judged as it connects)


def connection_refusal(service_url: str, address: str) -> str | None:
    """Why a connection that reached ``address`` (the peer of its socket, as connected) is not used for a
    request off the origin of the service at ``service_url`` (a URL a server gave, a redirect), or None: what
    :func:`redirect_refusal` says of a target at that address. Judging the address connected to, not one
    resolved beforehand, leaves a server no way round it by a name that resolves anew (DNS rebinding)."""
    kind = _kind(address.split("%", 1)[0])
    return None if kind is None else _refusal(service_url, kind)


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_of(name: str) -> Address | None:
    """The address a host names, in every notation the system resolver accepts for one, or None (a host
    name): the resolver (inet_aton) also reads decimal, hex, octal and short IPv4 forms, and an IPv4-mapped
    IPv6 address reaches its IPv4 address."""
    try:
        found: Address = ipaddress.ip_address(name)
    except ValueError:
        if not name or not all(c in "0123456789abcdefxABCDEFX." for c in name):
            return None
        try:
            found = ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    if isinstance(found, ipaddress.IPv6Address) and any(found in prefix for prefix in NAT64):
        return ipaddress.IPv4Address(int(found) & 0xFFFFFFFF)  # a NAT64 gateway reaches the IPv4 address it embeds
    return found


#: NAT64 prefixes (RFC 6052 well-known, RFC 8215 local-use): an address in them reaches the IPv4 address in its
#: last 32 bits (cloud NAT gateways translate to their own network, the metadata address included).
NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


@functools.lru_cache(maxsize=1024)  # an address's properties cost microseconds each, asked of every judged request
def _kind(name: str) -> tuple[bool, bool] | None:
    """Whether the address ``name`` is link-local or special (multicast, unspecified), and whether it is loopback
    or private (a link-local address is both); None for a host name."""
    where = address_of(name)
    if where is None:
        return None
    # the shared address space of carrier-grade NAT (RFC 6598), which Python counts as neither private nor
    # global, is an inner network too: a cloud's metadata service may sit there (100.100.100.200)
    shared = isinstance(where, ipaddress.IPv4Address) and where in SHARED_ADDRESS_SPACE
    return (where.is_link_local or where.is_multicast or where.is_unspecified,
            where.is_loopback or where.is_private or shared)


SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")


def _refusal(service_url: str, kind: tuple[bool, bool]) -> str | None:
    special, inner = kind
    if special:
        return f"{SPECIAL}, never followed"
    if inner and not on_inner_network(service_url):
        return (f"{PRIVATE}, followed only for a service on such an address (a host of the deployment's own "
                "network is followed when the entry lists it under auth.allowed_hosts)")
    return None


def on_inner_network(service_url: str) -> bool:
    """Whether the service at ``service_url`` is on a loopback or private address (a local deployment, a
    docker-compose service, an intranet name): its address; for a host name, where every connection the
    harness made to it went (:func:`note_declared`), or where the name resolves before any did (every
    address it resolves to: a name that does not resolve is taken as public). ``localhost`` is loopback."""
    try:
        host = (urlsplit(service_url).hostname or "").lower()
    except ValueError:
        return False
    if host == "localhost":
        return True
    kind = _kind(host)
    if kind is not None:
        return kind[1]
    seen = _DECLARED.get(host)
    if seen:
        return False not in seen
    return _resolves_inner(host)


#: For each host name of a declared origin (a service's own, a document the profile names), whether the
#: connections the harness made to it reached a loopback or private address: ``{True}``, ``{False}``, or
#: both (a name that moved: taken as public).
_DECLARED: dict[str, set[bool]] = {}


def note_proxied(host: str) -> None:
    """Remember that a connection of a declared request to ``host`` went through the profile's proxy: the
    service is off this machine's networks (never judged on an inner one by where its name resolves here)."""
    _DECLARED.setdefault(host.lower(), set()).add(False)


def moved_to_special(host: str, address: str) -> str | None:
    """Why a connection of a declared request to ``host`` that reached ``address`` is not used, or None: a name
    whose earlier connections went elsewhere that now leads to a link-local or special address (its name
    server moved it there mid-run: cloud metadata answers are not the service's). A name that led there from
    its first connection is the profile's to declare."""
    kind = _kind(address.split("%", 1)[0])
    if kind is None or not kind[0]:
        return None
    host = host.lower()
    if host in _DECLARED and host not in _SPECIAL_FIRST:
        return f"{SPECIAL}, where the service's name led elsewhere before; not used"
    _SPECIAL_FIRST.add(host)
    return None


#: Declared host names whose first connection reached a link-local or special address (declared so).
_SPECIAL_FIRST: set[str] = set()


def note_declared(host: str, address: str) -> None:
    """Remember where a connection of a declared request to ``host`` went (``address``, its peer): what the
    service is judged by, rather than an answer of its name server that the harness's own connections did
    not follow. Called by the transport for each new connection of a request not judged."""
    kind = _kind(address.split("%", 1)[0])
    if kind is not None:
        _DECLARED.setdefault(host.lower(), set()).add(kind[1])


@functools.lru_cache(maxsize=256)  # each service's host resolved once, and only where nothing connected to it
def _resolves_inner(host: str) -> bool:
    found = [_kind(address) for address in _lookup(host)]
    return bool(found) and all(k is not None and k[1] for k in found)


@functools.lru_cache(maxsize=256)  # a host a request through the proxy names, resolved once
def resolved(host: str) -> tuple[str, ...]:
    """The addresses ``host`` resolves to here (itself for an address; none for a name that does not
    resolve): where a request through a proxy, whose connections reach only the proxy, is judged."""
    host = host.strip("[]")
    return (host,) if address_of(host) is not None else _lookup(host)


def _lookup(host: str, port: int | None = None) -> tuple[str, ...]:
    """The addresses the system resolver gives for ``host`` (an IPv6 scope left out), sorted; none for a name
    that does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return ()
    return tuple(sorted({str(info[4][0]).split("%", 1)[0] for info in infos}))


SPECIAL = "a link-local or special address"
PRIVATE = "a loopback or private address"


def listed_refusal(registry_url: str, listed: str) -> str | None:
    """Why a service a registry lists is not checked, or None: as a redirect of the registry would not be
    followed there (a registry must not point the harness at cloud metadata or the network it runs in).
    Host names are judged where they resolve: a registry's (a docker-compose service, an intranet name: a
    private network, whose services it may list), and a listed service's (a name for a link-local address is
    refused as the address is)."""
    registry = _at_addresses(registry_url)
    inner = [u for u in registry if redirect_refusal(PUBLIC_ANCHOR, u) is not None]  # on a private network
    anchor = (inner or registry)[0]
    refusals = [r for r in (redirect_refusal(anchor, u) for u in _at_addresses(listed)) if r is not None]
    if not refusals:
        return None
    if "not a valid URL" in refusals:
        return "not a valid URL"
    return (f"{SPECIAL} (cloud metadata, say)" if any(r.startswith(SPECIAL) for r in refusals)
            else f"{PRIVATE}, while the registry is not on one")


#: A public address: a URL that :func:`redirect_refusal` judges against it tells whether the URL is on a
#: loopback, private or special address.
PUBLIC_ANCHOR = "http://1.1.1.1/"


@functools.lru_cache(maxsize=256)  # a registry and its entries: each host resolved once
def _at_addresses(url: str) -> tuple[str, ...]:
    """``url`` with its host name replaced by each address it resolves to, or ``(url,)`` as it is (an address
    already, or a name that does not resolve: the request itself will say so)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return (url,)
    try:
        ipaddress.ip_address(host)
        return (url,)
    except ValueError:
        pass
    found = _lookup(host, port or None)
    return tuple(f"{parts.scheme}://{f'[{a}]' if ':' in a else a}{f':{port}' if port else ''}{parts.path}"
                 for a in found) or (url,)


def origin_of(url: str) -> tuple[str, str, int]:
    """The origin (scheme, host, port) a request to ``url`` reaches: read as the transport reads the URL
    (:func:`as_requested`)."""
    parts = urlsplit(as_requested(url))
    scheme = parts.scheme.lower()
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:  # a port out of range: an origin of its own, matching no service
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def credentials_for(service: Service, redactor: Redactor) -> Credentials | None:
    """The credentials of ``service`` from the environment, registered with the redactor."""
    headers: dict[str, str] = {}
    token = service.auth.secret("bearer_token_env")
    user = service.auth.secret("basic_username_env")
    password = service.auth.secret("basic_password_env")
    for secret in (service.auth.secret(k) for k in service.auth.keys()):  # noqa: SIM118 - Auth is no dict
        redactor.add(secret)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif password is not None:
        redactor.add_basic(user or "", password)
        auth = requests.auth._basic_auth_str(user or "", password)
        headers["Authorization"] = auth
        redactor.add(auth.split(" ", 1)[1])
    if not headers:
        return None
    if service.listed_by and origin_of(service.url)[1] != host_as_requested(urlsplit(service.url).hostname or ""):
        # A URL a registry listed that names one host to a reader (urlsplit: the auth it was given was chosen by
        # that host) and is requested from another (https://elsewhere\@storage.example/) gets no credentials.
        return None
    return Credentials(origin_of(service.url), headers, allowed_hosts(service.auth.allowed_hosts))


def host_as_requested(host: str) -> str:
    """A host name as the origin of a request to it names it (:func:`origin_of`: lower case, IDNA-encoded)."""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # an IPv6 literal written as in a URL: its origin names it without the brackets
    if _PLAIN_URL.fullmatch(host) and ":" not in host:
        return host.lower()
    return origin_of(f"http://[{host}]/" if ":" in host else f"http://{host}/")[1] or host.lower()


def may_carry_credentials(url: str, home: str, hosts: Iterable[str] = ()) -> bool:
    """Whether credentials that belong to ``home`` (a service's URL, an issuer's) may go with a request to ``url``:
    one to home's origin, or to a host of ``hosts`` (a profile's ``auth.allowed_hosts``) over https, or over http
    where home itself is on http. Each URL is read as the transport reads it (``http://evil\\@home/`` reaches
    evil). The one rule of the client (:meth:`Credentials.applies_to`), of the credentials a registry's services
    get, and of a suite sending a credential itself (a token endpoint, a key set)."""
    return Credentials(origin_of(home), {}, allowed_hosts(hosts)).applies_to(url)


def allowed_hosts(hosts: Iterable[str]) -> frozenset[str]:
    """The hosts of ``auth.allowed_hosts`` as :func:`origin_of` names them, which is what they are compared with."""
    return frozenset(host_as_requested(host) for host in hosts)
