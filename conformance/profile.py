"""Load and validate a profile (DESIGN §3).

Every problem becomes one :class:`ProfileError` line naming the file, the key and the problem, for
example ``profiles/x.yaml: services[1].url: not an http(s) URL``. Secrets never appear in a profile:
only the names of the environment variables that hold them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import yaml

from conformance import versions
from conformance.errors import ProfileError, unknown
from conformance.files import named_file
from conformance.limits import Budget

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: Keys of ``auth:``. Each ``*_env`` names an environment variable; its value is the secret.
AUTH_ENV_KEYS = {
    "bearer_token_env": "a bearer token sent as 'Authorization: Bearer ...'",
    "basic_username_env": "a user name for HTTP basic authentication",
    "basic_password_env": "a password for HTTP basic authentication",
    "passport_env": "a GA4GH passport (JWT) for passport-protected resources",
    "client_id_env": "an OAuth client id",
    "client_secret_env": "an OAuth client secret",
}


class Standard(Protocol):
    """What the profile parser needs to know of a standard (a :class:`~conformance.suite.Suite` is one);
    the caller hands the known standards over, so the parser depends on no discovery."""

    @property
    def title(self) -> str: ...
    @property
    def versions(self) -> tuple[str, ...]: ...
    @property
    def service_options(self) -> Mapping[str, Any]: ...
    @property
    def auth_keys(self) -> Mapping[str, str]: ...
    @property
    def data(self) -> bool: ...


@dataclass(frozen=True)
class Auth:
    env: Mapping[str, str] = field(default_factory=dict)
    #: Hosts besides the service's own origin that may receive its credentials.
    allowed_hosts: tuple[str, ...] = ()
    #: Secrets an embedded reference server issued for the run (never read from a profile file).
    inline: Mapping[str, str] = field(default_factory=dict)

    def secret(self, key: str, environ: Mapping[str, str] | None = None) -> str | None:
        if key in self.inline:
            return self.inline[key]
        name = self.env.get(key)
        if name is None:
            return None
        return (os.environ if environ is None else environ).get(name)

    def keys(self) -> set[str]:
        return set(self.env) | set(self.inline)


@dataclass(frozen=True)
class Service:
    """One declared service. ``options`` holds the standard-specific keys (objects, reads, ...)."""

    index: int
    standard: str
    version: str
    url: str
    auth: Auth = field(default_factory=Auth)
    options: Mapping[str, Any] = field(default_factory=dict)
    ca_bundle: str | None = None
    #: ``{"faults": [...]}`` when the service is an embedded reference server started for the run.
    reference: Mapping[str, Any] | None = None
    name: str | None = None
    #: The registry's URL for a service only a registry lists (not the profile): every request to it, its own
    #: origin's too, is judged as a URL the registry gave (``declared`` of ``HttpClient.request``).
    listed_by: str | None = None

    @property
    def key(self) -> str:
        """A short stable id for this service within the run (test ids, report anchors)."""
        role = self.options.get("role")
        return f"{self.standard}{'-' + str(role) if role else ''}-{self.index}"

    @property
    def label(self) -> str:
        return self.name or f"{self.standard} {self.version}"

    @property
    def is_loopback(self) -> bool:
        host = urlsplit(self.url).hostname or ""
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


@dataclass(frozen=True)
class ExpectedFailure:
    check: str
    reason: str
    expires: dt.date
    #: Restrict the waiver to services of this standard or with this URL (None: any service).
    service: str | None = None

    def expired(self, today: dt.date | None = None) -> bool:
        return (today or dt.date.today()) > self.expires

    def matches(self, check_id: str, service: Service) -> bool:
        if check_id != self.check:
            return False
        return self.service is None or self.service in (service.standard, service.url, service.key)


@dataclass(frozen=True)
class Profile:
    initiative: str
    services: tuple[Service, ...]
    path: str = "<profile>"
    #: ``id:``: the initiative's stable identity across runs (a slug the member keeps when it renames itself),
    #: recorded in the scorecard as ``initiative_id``; None: the dashboard knows the initiative by its name.
    id: str | None = None
    contact: str | None = None
    registry: str | None = None
    budget: Budget = field(default_factory=Budget)
    expected_failures: tuple[ExpectedFailure, ...] = ()
    ca_bundle: str | None = None
    #: Where requests to services off this machine go: an http(s) proxy URL, ``environment`` (the proxy the
    #: environment names: ``HTTPS_PROXY``, ``NO_PROXY``...), or None (every service directly).
    proxy: str | None = None
    #: sha256 of the profile file's bytes, recorded in the run's metadata.
    sha256: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.initiative)

    def standards(self) -> set[str]:
        return {s.standard for s in self.services}


def slugify(text: str) -> str:
    """The name as a folder name: lower-case ASCII letters and digits, runs of anything else as one '-'. A name
    with letters of another script than the Latin one (日本語, Ελληνικά), or one of which nothing is left (🧬),
    gets a digest of the name after it, so that two such names never share a folder (and a dashboard row);
    a Latin name keeps the slug it always had, whatever its letters (Øresund, Straße, Łódź, Génomique)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    foreign = any(c.isalnum() and not c.isascii() and "LATIN" not in unicodedata.name(c, "") for c in text)
    if foreign or (not slug and text.strip() and not text.isascii()):
        slug = f"{slug or 'initiative'}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    if len(slug) > MAX_SLUG:  # a folder name (a file system allows 255 bytes): cut, and told apart by the digest
        slug = f"{slug[:MAX_SLUG - 9].rstrip('-')}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return slug or "initiative"


#: The longest slug: a name beyond it is cut, with a digest of the whole name after it.
MAX_SLUG = 100


# --------------------------------------------------------------------------------------------------
# validation

#: ``registry: reference``: the registry is the profile's service-registry entry with ``reference:``, started
#: after the other reference servers and listing each of them that answers a service-info (``run.py``).
REFERENCE_REGISTRY = "reference"

_TOP_KEYS = {"initiative", "id", "contact", "services", "registry", "budget", "expected_failures", "ca_bundle", "proxy"}
#: ``proxy: environment``: the proxy the environment names for each URL (as curl and pip take it).
PROXY_FROM_ENVIRONMENT = "environment"
_SERVICE_KEYS = {"standard", "version", "url", "auth", "name", "ca_bundle", "reference"}


#: ``id:``: lower-case ASCII letters and digits, single hyphens between them (no ``--``, which no slug of a name
#: holds either), at most :data:`MAX_ID` characters. The dashboard's pages and the certification keys file use it.
INITIATIVE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID = 64


def id_problem(value: object) -> str | None:
    """Why ``value`` is no initiative id (words for a one-line error), or None."""
    if not isinstance(value, str):
        return (f"expected a slug such as 'example-genomics', got {_type_name(value)} (quote a value YAML reads as "
                "a number, a date or true/false)")
    shown = value if len(value) <= 80 else value[:80] + "…"
    if INITIATIVE_ID.fullmatch(value):  # fullmatch: ``$`` alone would let a trailing newline through
        return None if len(value) <= MAX_ID else f"{shown!r} is {len(value)} characters long; an id has at most " \
                                                 f"{MAX_ID}"
    suggestion = slugify(value)
    such_as = (f"{suggestion!r}" if suggestion != "initiative" and len(suggestion) <= MAX_ID
               and INITIATIVE_ID.fullmatch(suggestion) else "'example-genomics'")
    return (f"{shown!r} is not a slug: lower-case letters a-z, digits and single hyphens between them, at most "
            f"{MAX_ID} characters (such as {such_as})")


class _Where:
    """Builds the ``file: path.to[key]: problem`` messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, path: str, problem: str) -> ProfileError:
        return ProfileError(f"{self.source}: {path + ': ' if path else ''}{problem}")


def is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


#: Why a url with a query or a fragment is refused (its value is not shown: a query may hold a key).
_QUERY_OR_FRAGMENT = ("has a query or a fragment ('?' or '#'), where the standard's paths are appended (they would "
                      "end up inside it); a credential belongs under auth")


#: Why a url with user information is refused (nor is it shown: it is a credential).
_USER_INFO = ("holds user information ('user:password@' before the host), which would be sent as Basic "
              "authentication in place of the entry's auth; a credential belongs under auth (basic: with the "
              "names of environment variables)")


def has_user_info(url: str) -> bool:
    """Whether an http(s) url carries user information (``user:password@host``, RFC 3986 §3.2.1)."""
    return "@" in urlsplit(url).netloc


def _shown_url(value: object) -> object:
    """A refused url as an error shows it: without user information, query or fragment, which may hold a
    credential (``htps://user:pw@host/api?apikey=...``)."""
    if not isinstance(value, str):
        return value
    cut = re.split(r"[?#]", value, maxsplit=1)[0]
    return re.sub(r"//[^/]*@", "//", cut) + ("…" if cut != value else "")


def _query_or_fragment(url: str) -> bool:
    return "?" in url or "#" in url  # each starts one wherever it stands in a url (RFC 3986 §3)


def _type_name(value: object) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "true/false", type(None): "empty"}.get(type(value), type(value).__name__)


def _check_option(where: _Where, path: str, value: object, schema: Mapping[str, Any]) -> None:
    """A small JSON-Schema subset (type, items, enum, properties) for suite options, with our wording."""
    expected = schema.get("type")
    kinds: dict[str, tuple[type, ...]] = {
        "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
        "array": (list,), "object": (dict,),
    }
    if expected:
        allowed = expected if isinstance(expected, list) else [expected]
        ok = any(isinstance(value, kinds[k]) and not (k in ("integer", "number") and isinstance(value, bool))
                 for k in allowed)
        if not ok:
            raise where.error(path, f"expected {' or '.join(allowed)}, got {_type_name(value)}")
    if "enum" in schema and value not in schema["enum"]:
        raise where.error(path, f"{value!r} is not one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check_option(where, f"{path}[{i}]", item, schema["items"])
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        for key in schema.get("required", []):
            if key not in value:
                raise where.error(f"{path}.{key}", "required key missing")
        if schema.get("additionalProperties", False) is not True:
            for key in value:
                if key not in props:
                    raise where.error(f"{path}.{key}", unknown("key", key, props))
        for key, item in value.items():
            if key in props:
                _check_option(where, f"{path}.{key}", item, props[key])


def _parse_auth(where: _Where, path: str, raw: object, environ: Mapping[str, str],
                reference: bool = False, extra_keys: Mapping[str, str] | None = None) -> Auth:
    if not isinstance(raw, dict):
        raise where.error(path, f"expected a mapping, got {_type_name(raw)}")
    env: dict[str, str] = {}
    allowed: tuple[str, ...] = ()
    for key, value in raw.items():
        if key == "allowed_hosts":
            if not isinstance(value, list) or not all(isinstance(h, str) and h for h in value):
                raise where.error(f"{path}.allowed_hosts", "expected a list of host names")
            allowed = tuple(h.lower() for h in value)
        elif key in AUTH_ENV_KEYS or key in (extra_keys or {}):
            if not isinstance(value, str) or not ENV_NAME.match(value):
                raise where.error(f"{path}.{key}", "expected the NAME of an environment variable "
                                                    "(secrets never go in a profile)")
            if value not in environ and not reference:
                raise where.error(f"{path}.{key}", f"environment variable {value} is not set")
            problem = _unusable_secret(key, environ.get(value))
            if problem:
                raise where.error(f"{path}.{key}", f"environment variable {value} {problem}")
            env[key] = value
        else:
            known = [*AUTH_ENV_KEYS, *(extra_keys or {}), "allowed_hosts"]
            raise where.error(f"{path}.{key}", unknown("key", key, known))
    return Auth(env=env, allowed_hosts=allowed)


#: Secrets sent as they are in a header (``Authorization: Bearer ...``): a control character there (the
#: trailing newline of a token read from a file) is refused by the HTTP library, and every request would fail.
_HEADER_SECRETS = ("bearer_token_env", "passport_env")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Basic authentication sends ``user:`` or ``:key`` as it is (an API key as the user name, no password).
_MAY_BE_EMPTY = ("basic_username_env", "basic_password_env")


def _unusable_secret(key: str, secret: str | None) -> str | None:
    """Why a secret the environment holds cannot be what the profile uses it as (never the value), or None."""
    if secret is None:
        return None
    if not secret and key not in _MAY_BE_EMPTY:
        return "is empty: the run would go on without the credential"
    if key in _HEADER_SECRETS and _CONTROL.search(secret):
        return ("holds a line break or another control character, which a header cannot carry (a trailing "
                "newline of a token read from a file?)")
    return None


def _not_a_file(value: object) -> str | None:
    """Why ``ca_bundle`` names no file to read, or None (also for no value)."""
    if value is None:
        return None
    path = Path(str(value))
    if path.is_file():
        return None
    return f"a folder, not a CA bundle file: {value}" if path.is_dir() else f"no such file: {value}"


def _parse_budget(where: _Where, raw: object) -> Budget:
    if not isinstance(raw, dict):
        raise where.error("budget", f"expected a mapping, got {_type_name(raw)}")
    known = Budget.fields()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise where.error(f"budget.{key}", unknown("key", key, known))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or value <= 0:
            raise where.error(f"budget.{key}", "expected a positive number")
        if known[key] is int and not isinstance(value, int):
            raise where.error(f"budget.{key}", "expected a whole number")
        if value > Budget.MAXIMA.get(key, math.inf):
            raise where.error(f"budget.{key}", f"at most {Budget.MAXIMA[key]}")
        values[key] = known[key](value)
    return Budget(**values)


def _parse_expected(where: _Where, raw: object) -> tuple[ExpectedFailure, ...]:
    if not isinstance(raw, list):
        raise where.error("expected_failures", f"expected a list, got {_type_name(raw)}")
    entries = []
    for i, item in enumerate(raw):
        path = f"expected_failures[{i}]"
        if not isinstance(item, dict):
            raise where.error(path, f"expected a mapping, got {_type_name(item)}")
        for key in item:
            if key not in ("check", "reason", "expires", "service"):
                raise where.error(f"{path}.{key}", unknown("key", key, ("check", "expires", "reason", "service")))
        for key in ("check", "reason", "expires"):
            if not item.get(key):
                raise where.error(f"{path}.{key}", "required key missing")
        expires = item["expires"]
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise where.error(f"{path}.expires", f"{expires!r} is not a date (YYYY-MM-DD)") from None
        if not isinstance(expires, dt.date):
            raise where.error(f"{path}.expires", "expected a date (YYYY-MM-DD)")
        if isinstance(expires, dt.datetime):  # an unquoted `2026-12-31 10:00:00`: YAML reads a time of that day
            expires = expires.date()
        entries.append(ExpectedFailure(check=str(item["check"]), reason=str(item["reason"]),
                                       expires=expires,
                                       service=str(item["service"]) if item.get("service") else None))
    return tuple(entries)


def _documents_exist(where: _Where, path: str, documents: object) -> None:
    """A data standard's document named by a path (no URL, no URI: relative to the profile file's folder, as
    conformance/documents.py reads it) that does not exist is a profile error: every check of the entry would
    err with the same reason."""
    if not isinstance(documents, list):
        return
    for position, ref in enumerate(documents):
        file = named_file(ref, where.source) if isinstance(ref, str) and ref else None
        if file is not None and not file.exists():
            raise where.error(f"{path}.documents[{position}]", f"no such file: {file}")


def _documents_carry_no_user_info(where: _Where, path: str, documents: object) -> None:
    """A document named by an http(s) URL with ``user:password@`` would be fetched with that password as Basic
    authentication, a credential no report is told to mask: refused as the entry's url is."""
    for position, ref in enumerate(documents if isinstance(documents, list) else ()):
        if isinstance(ref, str) and is_http_url(ref) and has_user_info(ref):
            raise where.error(f"{path}.documents[{position}]", _USER_INFO)


def _parse_service(where: _Where, index: int, raw: object, environ: Mapping[str, str],
                   default_ca: str | None, known: Mapping[str, Standard]) -> Service:
    path = f"services[{index}]"
    if not isinstance(raw, dict):
        raise where.error(path, f"expected a mapping, got {_type_name(raw)}")
    standard = raw.get("standard")
    if standard is None:
        raise where.error(f"{path}.standard", "required key missing")
    if not isinstance(standard, str) or standard not in known:
        raise where.error(f"{path}.standard", unknown(f"standard {standard!r}", standard, known))
    suite = known[standard]
    options_schema = dict(suite.service_options)
    for key in raw:
        if key not in _SERVICE_KEYS and key not in options_schema:
            raise where.error(f"{path}.{key}",
                              unknown(f"key for a {standard} service", key, _SERVICE_KEYS | set(options_schema)))
    version = raw.get("version")
    if version is None:
        raise where.error(f"{path}.version", "required key missing")
    supported = versions.pick_supported(str(version), list(suite.versions)) if suite.versions else str(version)
    if supported is None:
        raise where.error(f"{path}.version", f"{suite.title} {version} is not supported "
                                             f"(supported: {', '.join(suite.versions)})")
    reference = raw.get("reference")
    url = raw.get("url")
    data = bool(getattr(suite, "data", False))
    if data and "documents" not in raw:
        raise where.error(f"{path}.documents", f"required key missing (a {standard} entry names the documents "
                                               "to check)")
    if reference is not None:
        if url is not None:
            raise where.error(path, "give either url or reference, not both")
        if reference is True:
            reference = {}
        if not isinstance(reference, dict) or set(reference) - {"faults", "options"}:
            raise where.error(f"{path}.reference", "expected true or a mapping with 'faults' (a list) and "
                                                   "'options' (a mapping for the reference server)")
        if not isinstance(reference.get("options", {}), dict):
            raise where.error(f"{path}.reference.options", "expected a mapping")
        faults = reference.get("faults", [])
        if not isinstance(faults, list) or not all(isinstance(f, str) for f in faults):
            raise where.error(f"{path}.reference.faults", "expected a list of fault names")
        url = "http://127.0.0.1:0/"  # replaced when the reference server starts
    elif url is None and data:
        url = ""  # a data standard's relative documents resolve against the profile's folder
    elif url is None:
        raise where.error(f"{path}.url", "required key missing")
    elif not is_http_url(url):
        raise where.error(f"{path}.url", f"not an http(s) URL: {_shown_url(url)!r}")
    elif _query_or_fragment(url):
        raise where.error(f"{path}.url", _QUERY_OR_FRAGMENT)
    elif has_user_info(url):
        raise where.error(f"{path}.url", _USER_INFO)
    for key, schema in options_schema.items():
        if key in raw:
            _check_option(where, f"{path}.{key}", raw[key], schema)
    _documents_carry_no_user_info(where, path, raw.get("documents"))
    if data and url == "":
        _documents_exist(where, path, raw.get("documents"))
    auth = (_parse_auth(where, f"{path}.auth", raw["auth"], environ, reference is not None, suite.auth_keys)
            if "auth" in raw else Auth())
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise where.error(f"{path}.name", "expected a string")
    ca_bundle = raw.get("ca_bundle", default_ca)
    problem = _not_a_file(ca_bundle)
    if problem:
        raise where.error(f"{path}.ca_bundle", problem)
    options = {k: v for k, v in raw.items() if k in options_schema}
    return Service(index=index, standard=str(standard), version=supported, url=str(url).rstrip("/"),
                   auth=auth, options=options, ca_bundle=str(ca_bundle) if ca_bundle else None,
                   reference=reference, name=name)


def parse_profile(data: object, source: str = "<profile>", environ: Mapping[str, str] | None = None,
                  raw_bytes: bytes = b"", *, standards: Mapping[str, Standard]) -> Profile:
    """Validate already-parsed YAML. ``source`` is how errors name the file; ``standards`` are the
    standards the harness knows (``conformance.suite.discover()``), by name."""
    where = _Where(source)
    env = os.environ if environ is None else environ
    if not isinstance(data, dict):
        raise where.error("", f"expected a mapping at the top level, got {_type_name(data)}")
    for key in data:
        if key not in _TOP_KEYS:
            raise where.error(str(key), unknown("key", key, _TOP_KEYS))
    initiative = data.get("initiative")
    if not initiative or not isinstance(initiative, str):
        raise where.error("initiative", "required key missing" if not initiative else "expected a string")
    initiative_id = data.get("id")
    problem = id_problem(initiative_id) if "id" in data else None  # ``id:`` written empty is an error too
    if problem:
        raise where.error("id", problem)
    registry = data.get("registry")
    if registry is not None and not is_http_url(registry) and registry != REFERENCE_REGISTRY:
        raise where.error("registry", f"not an http(s) URL: {_shown_url(registry)!r}")
    if registry is not None and registry != REFERENCE_REGISTRY and _query_or_fragment(registry):
        raise where.error("registry", _QUERY_OR_FRAGMENT)
    if registry is not None and registry != REFERENCE_REGISTRY and has_user_info(registry):
        raise where.error("registry", _USER_INFO)
    raw_services = data.get("services")
    if raw_services is None and registry is None:
        raise where.error("services", "required key missing (or give a registry: URL)")
    if raw_services is not None and (not isinstance(raw_services, list) or
                                     (not raw_services and registry is None)):
        raise where.error("services", "expected a non-empty list")
    ca_bundle = data.get("ca_bundle")
    problem = _not_a_file(ca_bundle)
    if problem:
        raise where.error("ca_bundle", problem)
    proxy = data.get("proxy")
    if proxy is not None and proxy != PROXY_FROM_ENVIRONMENT:
        if not is_http_url(proxy):
            raise where.error("proxy", f"expected an http(s) URL or {PROXY_FROM_ENVIRONMENT!r}, got "
                                       f"{_shown_url(proxy)!r}")
        if _query_or_fragment(proxy) or urlsplit(proxy).path not in ("", "/"):
            raise where.error("proxy", "a proxy URL is a scheme, a host and a port (no path, query or fragment)")
        if has_user_info(proxy):
            raise where.error("proxy", "holds user information ('user:password@'); a proxy that needs credentials "
                                       f"is named by the environment (proxy: {PROXY_FROM_ENVIRONMENT}, "
                                       "HTTPS_PROXY=http://user:password@host:port), which no report shows")
    services = tuple(_parse_service(where, i, s, env, ca_bundle, standards)
                     for i, s in enumerate(raw_services or []))
    if registry == REFERENCE_REGISTRY and not any(s.standard == "service-registry" and s.reference is not None
                                                  for s in services):
        raise where.error("registry", f"{REFERENCE_REGISTRY!r} needs a service-registry entry with reference:")
    contact = data.get("contact")
    return Profile(
        initiative=initiative,
        id=initiative_id,
        contact=str(contact) if contact is not None else None,
        services=services,
        path=source,
        registry=str(registry).rstrip("/") if registry else None,
        budget=_parse_budget(where, data["budget"]) if "budget" in data else Budget(),
        expected_failures=_parse_expected(where, data["expected_failures"])
        if "expected_failures" in data else (),
        ca_bundle=str(ca_bundle) if ca_bundle else None,
        proxy=str(proxy).rstrip("/") if proxy else None,
        sha256=hashlib.sha256(raw_bytes).hexdigest() if raw_bytes else "",
    )


_NUMBERS = frozenset({"tag:yaml.org,2002:float", "tag:yaml.org,2002:int"})


def _effective(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    """The value node of ``key`` as the constructed mapping has it: the last one written (once constructed,
    a mapping's node lists the pairs merged in by ``<<`` before its own)."""
    for name, value in reversed(node.value):
        if isinstance(name, yaml.ScalarNode) and name.value == key:
            found: yaml.Node = value
            return found
    return None


def _refuse_repeated_keys(root: yaml.Node) -> None:
    """A key written twice in one mapping is an error: YAML's loader keeps the last silently, so a second
    ``version:`` or ``url:`` pasted into an entry would change what is checked unseen. (A merge key's
    ``<<`` keys may be overridden: that is what it is for.)"""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in first:
                        line = first[key.value].start_mark.line + 1
                        raise yaml.constructor.ConstructorError(
                            None, None, f"the key {key.value!r} is written twice in one mapping (first at line "
                                        f"{line}); keep one", key.start_mark)
                    first[key.value] = key
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def read_profile_yaml(raw: bytes | str) -> Any:
    """A profile's YAML as a safe loader reads it, but a service entry's ``version`` written as a number keeps
    the text written: YAML reads ``version: 1.10`` as the number 1.1 and ``version: 010`` as 8, which would
    name another version. Numbers anywhere else (a budget, a workflow's parameters) stay numbers."""
    loader = yaml.SafeLoader(raw)
    try:
        node = loader.get_single_node()
        if node is not None:
            _refuse_repeated_keys(node)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        return data
    services = _effective(node, "services")
    entries = data.get("services")
    if not isinstance(services, yaml.SequenceNode) or not isinstance(entries, list):
        return data
    for entry_node, entry in zip(services.value, entries, strict=False):
        if not isinstance(entry_node, yaml.MappingNode) or not isinstance(entry, dict):
            continue
        version = _effective(entry_node, "version")
        if isinstance(version, yaml.ScalarNode) and version.tag in _NUMBERS:
            entry["version"] = version.value
    return data


#: A profile is a page of YAML: a file larger than this is not one (and is not read whole).
PROFILE_MAX_BYTES = 16 * 1024 * 1024


def load_profile(path: str | Path, environ: Mapping[str, str] | None = None, *,
                 standards: Mapping[str, Standard]) -> Profile:
    """Read a profile file; any problem is a one-line :class:`ProfileError`."""
    source = str(path)
    where = _Where(source)
    try:
        # read from a pipe too (``conformance run <(envsubst < profile.yaml)``), never without end (/dev/zero)
        with open(path, "rb") as file:
            raw = file.read(PROFILE_MAX_BYTES + 1)
    except FileNotFoundError:
        raise where.error("", "no such file") from None
    except OSError as exc:
        raise where.error("", f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > PROFILE_MAX_BYTES:
        raise where.error("", f"larger than {PROFILE_MAX_BYTES // (1024 * 1024)} MiB: not a profile")
    try:
        data = read_profile_yaml(raw)  # a SafeLoader: no Python objects
    except yaml.reader.ReaderError as exc:  # a byte that is not UTF-8 (or UTF-16 with its BOM), a control character
        at = (f"character {exc.position}: a character YAML does not allow (#x{exc.character:04x})"
              if exc.encoding == "unicode" else f"byte {exc.position}: not {exc.encoding.upper()} text ({exc.reason})")
        raise where.error("", f"invalid YAML at {at}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = str(exc.problem or exc)
        if "'\\t'" in problem or "tab character" in problem:  # PyYAML's words for a tab say nothing of indentation
            problem += "; YAML indents with spaces, never tabs: replace the tab with spaces"
        raise where.error("", f"invalid YAML{at}: {problem}") from None
    except yaml.YAMLError as exc:
        raise where.error("", f"invalid YAML: {exc}") from None
    except ValueError as exc:  # YAML's resolver reads 2027-02-30 as a date, and the date does not exist
        raise where.error("", f"invalid YAML: a value YAML reads as a date or a number is not one ({exc}); "
                              "quote it") from None
    return parse_profile(data, source, environ, raw, standards=standards)


def with_services(profile: Profile, services: tuple[Service, ...]) -> Profile:
    """A copy of ``profile`` with other services (registry discovery, started reference servers)."""
    return Profile(**{**profile.__dict__, "services": services})

