"""What the DRS checks share: one cached view of a DRS service per run, and the field rules.

Every answer the checks need more than once (service-info, each DrsObject, each AccessURL, each
download) is fetched once per run, so a full run stays within a modest number of requests at the
default rate limit. Downloads stream through the client into hash objects: constant memory.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeGuard
from urllib.parse import quote, urlsplit

import pytest
from jsonschema.protocols import Validator

from conformance import (
    BudgetExceeded,
    CheckFailure,
    HarnessError,
    ParallelHashes,
    Response,
    Run,
    Service,
    ServiceView,
    SpecStore,
    json_type,
    retry_after,
)

UNRESERVED = re.compile(r"^(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+$")
HEX = re.compile(r"^[0-9a-fA-F]+$")
#: The Hash Name Strings of the IANA Named Information Hash Algorithm Registry, which Checksum.type "SHOULD"
#: be (DRS 1.2.0 §Models › Checksum.type); k12-256 and k12-512 (KangarooTwelve) have no standard-library hash.
IANA_HASH_NAMES = frozenset({"sha-256", "sha-256-128", "sha-256-120", "sha-256-96", "sha-256-64", "sha-256-32",
                             "sha-384", "sha-512", "sha3-224", "sha3-256", "sha3-384", "sha3-512", "blake2s-256",
                             "blake2b-256", "blake2b-512", "k12-256", "k12-512"})
#: Non-IANA type names DRS lists as existing standard values (§Checksum.type).
DRS_TYPE_NAMES = {"md5", "etag", "crc32c", "trunc512", "sha1"}
#: Checksum type → (hashlib name, the hex digits to keep, the blake2 digest size). Every IANA name with a
#: standard-library hash (the truncated sha-256 forms keep the leading bits, RFC 6920 §2), the DRS names, and
#: the other names that can only mean one of these ("sha256": "Other values MAY be used", and a checksum of
#: that type is the SHA-256 of the bytes like any other; "sha-1", "sha-224").
HASHLIB: dict[str, tuple[str, int | None, int | None]] = {
    "sha-256": ("sha256", None, None), "sha-384": ("sha384", None, None), "sha-512": ("sha512", None, None),
    "sha-256-128": ("sha256", 32, None), "sha-256-120": ("sha256", 30, None), "sha-256-96": ("sha256", 24, None),
    "sha-256-64": ("sha256", 16, None), "sha-256-32": ("sha256", 8, None),
    "sha3-224": ("sha3_224", None, None), "sha3-256": ("sha3_256", None, None),
    "sha3-384": ("sha3_384", None, None), "sha3-512": ("sha3_512", None, None),
    "blake2s-256": ("blake2s", None, 32), "blake2b-256": ("blake2b", None, 32), "blake2b-512": ("blake2b", None, 64),
    "md5": ("md5", None, None), "sha1": ("sha1", None, None), "trunc512": ("sha512", 48, None),
    "sha-1": ("sha1", None, None), "sha-224": ("sha224", None, None),
    "sha224": ("sha224", None, None), "sha256": ("sha256", None, None), "sha384": ("sha384", None, None),
    "sha512": ("sha512", None, None)}
#: The types whose digest is the whole SHA-256, which the client computes of every streamed body.
SHA256_NAMES = frozenset(kind for kind, entry in HASHLIB.items() if entry == ("sha256", None, None))
#: Hex length of each fixed-size checksum type: those the harness computes, crc32c, and k12-256/k12-512.
def _standard_hash(name: str, size: int | None) -> Any:
    if name == "blake2b":
        return hashlib.blake2b(digest_size=size or 64)
    if name == "blake2s":
        return hashlib.blake2s(digest_size=size or 32)
    return hashlib.new(name)


HEX_LENGTH = {**{kind: keep or _standard_hash(name, size).digest_size * 2
                 for kind, (name, keep, size) in HASHLIB.items()},
              "crc32c": 8, "k12-256": 64, "k12-512": 128}


def new_hash(kind: str) -> tuple[Any, int | None] | None:
    """A fresh standard-library hash object for a checksum type (lowercase) and the hex digits to keep, or
    None when the type has none."""
    if kind not in HASHLIB:
        return None
    name, keep, size = HASHLIB[kind]
    return _standard_hash(name, size), keep
ACCESS_TYPES = ("s3", "gs", "ftp", "gsiftp", "globus", "htsget", "https", "file")
AUTH_TYPES = ("None", "BasicAuth", "BearerAuth", "PassportAuth")
RANGE_WINDOW = 100
#: A 202 Accepted is retried this many times, each after its Retry-After if that is at most
#: ACCEPTED_MAX_WAIT seconds (DRS §202Accepted: "The client should retry this same request after the delay").
ACCEPTED_RETRIES = 2
ACCEPTED_MAX_WAIT = 10.0


def object_path(object_id: str) -> str:
    """The API path of an id, percent-encoded as DRS requires (§DRS IDs: "they MUST be encoded")."""
    return f"/objects/{quote(object_id, safe='')}"


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def header_lines(headers: object) -> dict[str, str]:
    """AccessURL.headers (``["Name: value", ...]``) as a mapping; lines of another shape are left out."""
    found: dict[str, str] = {}
    if isinstance(headers, list):
        for line in headers:
            if isinstance(line, str) and ":" in line:
                name, _, value = line.partition(":")
                if name.strip() and re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name.strip()):
                    found[name.strip()] = value.strip()
    return found


def comparable(key: str, value: Any) -> Any:
    """A DrsObject field as it must stay equal between answers: checksums as a set of (type, value)
    (their order is not specified, case-insensitive hex); other fields as they are. Access methods are no
    object data: an access_id is arbitrary and an inline access_url may be signed per answer."""
    if key == "checksums" and isinstance(value, list):
        return frozenset((str(c.get("type", "")).lower(), str(c.get("checksum", "")).lower())
                         if isinstance(c, dict) else ("", repr(c)) for c in value)
    return value


def same_object_data(first: dict[str, Any], second: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of ``keys`` on which two answers for one object differ (see :func:`comparable`), or None."""
    for key in keys:
        if comparable(key, first.get(key)) != comparable(key, second.get(key)):
            return key
    return None


def secret_header_values(body: object) -> list[str]:
    """The header values an AccessURL (or a DrsObject's inline AccessURLs, or a bulk answer) hands out:
    tokens the redactor must know before any report is written."""
    found: list[str] = []
    access_urls: list[Any] = []
    if isinstance(body, dict):
        access_urls.append(body)
        for method in body.get("access_methods") or [] if isinstance(body.get("access_methods"), list) else []:
            if isinstance(method, dict):
                access_urls.append(method.get("access_url"))
        bulk = body.get("resolved_drs_object_access_urls")
        access_urls.extend(bulk if isinstance(bulk, list) else [])
        resolved = body.get("resolved_drs_object")
        for document in resolved if isinstance(resolved, list) else []:
            if isinstance(document, dict) and "access_methods" in document:
                found.extend(secret_header_values(document))
    for access_url in access_urls:
        headers = access_url.get("headers") if isinstance(access_url, dict) else None
        if isinstance(headers, dict):
            found.extend(str(v) for v in headers.values())
        for line in headers if isinstance(headers, list) else []:
            if isinstance(line, str):
                value = line.partition(":")[2].strip() if ":" in line else line.partition("=")[2].strip()
                found.extend([value, value.rsplit(" ", 1)[-1]])
    return [v for v in found if v]


def crc32c_factory() -> Callable[[], Any] | None:
    """A crc32c hasher from a well-kept library, if one is installed (never hand-written)."""
    for module_name in ("google_crc32c", "crc32c"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if module_name == "google_crc32c":
            return lambda: _Crc32cAdapter(module.Checksum())
        return lambda: _Crc32cAdapter(module.CRC32CHash())
    return None


class _Crc32cAdapter:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def update(self, data: bytes) -> None:
        self.inner.update(data)

    def hexdigest(self) -> str:
        return bytes(self.inner.digest()).hex()


def hasher(kind: str) -> tuple[Any, int | None] | str:
    """A fresh hash object for a DRS checksum type and the hex digits to keep, or why it cannot be had."""
    kind = kind.lower()
    if kind == "etag":
        return "etag is not a digest of the bytes in general (an S3 multipart etag is not), so it is not verified"
    if kind == "crc32c":
        factory = crc32c_factory()
        if factory is None:
            return "crc32c needs google-crc32c or crc32c, neither is installed"
        return factory(), None
    made = new_hash(kind)
    if made is not None:
        return made
    return f"no implementation of checksum type {kind!r}"


@dataclass
class Download:
    """The outcome of streaming one access URL: count, digests, and one small window of the bytes."""

    label: str
    url: str
    headers: dict[str, str]
    response: Response
    count: int
    digests: dict[str, str]
    unverifiable: dict[str, str]
    window: tuple[int, int]
    window_bytes: bytes


@dataclass
class AccessTarget:
    """One way to the bytes of an object: an access method's URL and headers."""

    label: str
    url: str
    headers: dict[str, str]
    #: The answer that gave the URL: the object's, or its access_id's.
    source: Response
    #: The object's answer, which claims the size and checksums the bytes are checked against.
    described_by: Response


class Drs(ServiceView):
    """The run's view of one DRS service: every answer several checks need, fetched once."""

    def __init__(self, service: Service, run: Run) -> None:
        super().__init__(service, run)
        #: (what, response) of every 202 Accepted met so far, for drs.http.accepted-has-retry-after.
        self._accepted: list[tuple[str, Response]] = []

    def register_secrets(self, response: Response) -> Response:
        """Tell the redactor the header values an answer hands out (AccessURL.headers)."""
        if response.status == 200 and response.content:
            try:
                body = response.json()
            except CheckFailure:
                return response
            for value in secret_header_values(body):
                self.client.redactor.add(value)
        return response

    def get_accepted(self, path: str, params: dict[str, str] | None = None) -> Response:
        """GET ``path``, retrying a 202 Accepted after its Retry-After (bounded; DRS §202Accepted). The
        202s seen are kept for drs.http.accepted-has-retry-after."""
        return self._retrying_accepted(f"GET {path}", lambda: self.client.get(path, params=params))

    def post_accepted(self, path: str, body: Any) -> Response:
        """POST ``body`` to ``path`` (a bulk request), retrying a 202 Accepted as :meth:`get_accepted` does
        (GetBulkObjects and GetBulkAccessURL list 202 among their answers)."""
        return self._retrying_accepted(f"POST {path}", lambda: self.client.post(path, json=body))

    def _retrying_accepted(self, what: str, send: Callable[[], Response]) -> Response:
        """``send`` again while it answers 202 Accepted, at most ACCEPTED_RETRIES times, after each Retry-After
        no longer than ACCEPTED_MAX_WAIT (1 s without one); each 202 kept as ``what`` asked."""
        response = send()
        for _ in range(ACCEPTED_RETRIES):
            if response.status != 202:
                break
            self._accepted.append((what, response))
            delay = retry_after(response.headers.get("Retry-After"))
            if delay is not None and delay > ACCEPTED_MAX_WAIT:
                break
            time.sleep(1.0 if delay is None else delay)
            response = send()
        return self.register_secrets(response)

    def accepted(self) -> list[tuple[str, Response]]:
        """(what, response) of every 202 Accepted met so far, by what was asked (answers fetched side by side
        come in any order)."""
        return sorted(self._accepted, key=lambda item: item[0])

    # -- schemas -----------------------------------------------------------------------------------

    def validator(self, schemas: SpecStore, pointer: str) -> Validator:
        validator: Validator = self.memo(
            ("validator", pointer),
            lambda: schemas.validator(f"drs/{self.version}/openapi.yaml", pointer, openapi="3.0"))
        return validator

    # -- service-info ------------------------------------------------------------------------------

    def service_info_response(self) -> Response:
        return self.memo("service-info", lambda: self.client.get("/service-info"))

    def service_info(self) -> tuple[dict[str, Any], Response]:
        response = self.service_info_response()
        return _document(response, "GET /service-info", "service-info.endpoint.answers-200"), response

    def max_bulk(self) -> tuple[int, Response]:
        document, response = self.service_info()
        value = document.get("maxBulkRequestLength")
        if not is_int(value) or value < 1:
            section = document.get("drs")
            value = section.get("maxBulkRequestLength") if isinstance(section, dict) else None
        if not is_int(value) or value < 1:
            pytest.skip("service-info gives no usable maxBulkRequestLength "
                        "(see drs.service-info.max-bulk-request-length-present)")
        return int(value), response

    # -- objects -----------------------------------------------------------------------------------

    def object_response(self, object_id: str, expand: bool = False) -> Response:
        listed = self.option("objects") + self.option("bundles")
        if not expand and object_id in listed:  # every listed object's answer is asked for: side by side
            self.prefetch("objects", lambda: [(("object", i, False), partial(self._get_object, i, False))
                                              for i in listed])
        return self.memo(("object", object_id, expand), lambda: self._get_object(object_id, expand))

    def _get_object(self, object_id: str, expand: bool) -> Response:
        return self.get_accepted(object_path(object_id), {"expand": "true"} if expand else None)

    def object(self, object_id: str, expand: bool = False) -> tuple[dict[str, Any], Response]:
        response = self.object_response(object_id, expand)
        what = f"GET {object_path(object_id)}{'?expand=true' if expand else ''}"
        return _document(response, what, "drs.object.get-known-id-returns-200"), response

    def passport(self) -> str:
        passport = self.service.auth.secret("passport_env")
        if not passport:
            pytest.skip("no passport: name its environment variable under auth.passport_env")
        return passport

    def post_object_response(self, object_id: str, passport: str | None = None) -> Response:
        passport = passport or self.passport()
        return self.memo(("post", object_id, passport),
                         lambda: self.register_secrets(
                             self.client.post(object_path(object_id), json={"passports": [passport]})))

    def documents(self) -> Iterator[tuple[str, dict[str, Any], Response]]:
        """Every DrsObject the profile names that the harness can read: (id, document, response)."""
        for object_id in self.option("objects") + self.option("bundles"):
            response = self.object_response(object_id)
            document = _maybe_document(response)
            if document is not None:
                yield object_id, document, response
        if self.service.auth.secret("passport_env"):
            for object_id in self.option("protected_objects"):
                response = self.post_object_response(object_id)
                document = _maybe_document(response)
                if document is not None:
                    yield object_id, document, response

    def require_documents(self) -> list[tuple[str, dict[str, Any], Response]]:
        found = list(self.documents())
        if not found:
            pytest.skip("no DrsObject could be read (the profile lists no objects, or none answered 200; "
                        "see drs.object.get-known-id-returns-200)")
        return found

    def blobs(self) -> list[tuple[str, dict[str, Any], Response]]:
        return [(i, d, r) for i, d, r in self.documents() if not is_bundle(d)]

    def unknown_object(self) -> Response:
        return self.memo("unknown", lambda: self.client.get(object_path("ga4gh-conformance-no-such-object-7f3a")))

    # -- access ------------------------------------------------------------------------------------

    def access_response(self, object_id: str, access_id: str) -> Response:
        self.prefetch("access", self._access_entries)
        return self.memo(("access", object_id, access_id), lambda: self._get_access(object_id, access_id))

    def _access_entries(self) -> list[tuple[Any, Callable[[], Response]]]:
        """The AccessURL of every access_id of every readable, unprotected listed object (as :meth:`access_ids`),
        an object whose answer is not made left out."""
        protected = set(self.option("protected_objects"))
        entries: list[tuple[Any, Callable[[], Response]]] = []
        for object_id in self.option("objects") + self.option("bundles"):
            if object_id in protected:
                continue
            try:
                document = _maybe_document(self.object_response(object_id))
            except (Exception, pytest.skip.Exception):
                continue
            for method in (document or {}).get("access_methods") or []:
                if isinstance(method, dict) and isinstance(method.get("access_id"), str):
                    entries.append((("access", object_id, method["access_id"]),
                                    partial(self._get_access, object_id, method["access_id"])))
        return entries

    def _get_access(self, object_id: str, access_id: str) -> Response:
        return self.register_secrets(self.client.get(f"{object_path(object_id)}/access/{quote(access_id, safe='')}"))

    def access_ids(self) -> list[tuple[str, str, Response]]:
        """(object id, access_id, response that listed it) for every readable, unprotected object."""
        protected = set(self.option("protected_objects"))
        found = []
        for object_id, document, response in self.documents():
            if object_id in protected:
                continue
            for method in document.get("access_methods") or []:
                if isinstance(method, dict) and isinstance(method.get("access_id"), str):
                    found.append((object_id, method["access_id"], response))
        return found

    def targets(self, object_id: str, document: dict[str, Any], response: Response) -> tuple[
            list[AccessTarget], list[str]]:
        """The fetchable http(s) URLs of an object's access methods, and why others were left out."""
        targets: list[AccessTarget] = []
        skipped: list[str] = []
        for index, method in enumerate(document.get("access_methods") or []):
            if not isinstance(method, dict):
                continue
            label = f"access_methods[{index}] ({method.get('type')})"
            access_url = method.get("access_url")
            source = response
            if not isinstance(access_url, dict) and isinstance(method.get("access_id"), str):
                source = self.access_response(object_id, method["access_id"])
                access_url = _maybe_document(source)
                label += f" access_id {method['access_id']}"
            if not isinstance(access_url, dict) or not isinstance(access_url.get("url"), str):
                skipped.append(f"{label}: no AccessURL")
                continue
            url = access_url["url"]
            scheme = urlsplit(url).scheme.lower()
            if scheme not in ("http", "https"):
                skipped.append(f"{label}: {scheme or 'relative'} URLs are not fetched by the harness")
                continue
            targets.append(AccessTarget(label, url, header_lines(access_url.get("headers")), source, response))
        return targets, skipped

    def download_plan(self, object_id: str) -> tuple[int, list[AccessTarget], list[Any]]:
        """What verifying a blob's bytes needs: its size, the access methods the harness can fetch, the
        checksums it lists; skips, with the reason, for a bundle or an object without them."""
        document, response = self.object(object_id)
        if is_bundle(document):
            pytest.skip(f"{object_id} is a bundle; its bytes are those of its contents")
        size = document.get("size")
        if not is_int(size) or size < 0:
            pytest.skip(f"{object_id} has no usable size (see drs.object.size-is-non-negative-integer)")
        targets, skipped = self.targets(object_id, document, response)
        if not targets:
            pytest.skip(f"{object_id}: no access method the harness can fetch ({'; '.join(skipped) or 'none listed'})")
        checksums: list[Any] = document["checksums"] if isinstance(document.get("checksums"), list) else []
        return size, targets, checksums

    def downloads(self, object_id: str) -> tuple[int, list[Download]]:
        """A blob's size and its bytes streamed through every access method the harness can fetch (every
        listed object's side by side: :meth:`prefetch`)."""
        self.prefetch("downloads", self._download_entries)
        size, makes = self._download_makes(object_id)
        return size, [self.memo(key, make) for key, make in makes]

    def _download_makes(self, object_id: str) -> tuple[int, list[tuple[Any, Callable[[], Download]]]]:
        """A blob's size and the memo entries of its downloads, one per access method the harness can fetch."""
        size, targets, checksums = self.download_plan(object_id)
        return size, [(("download", object_id, target.url), partial(self._download, target, size, checksums))
                      for target in targets]

    def _download_entries(self) -> list[tuple[Any, Callable[[], Download]]]:
        """Every listed blob's downloads, when all of them take at most half of what remains of the run's
        bytes (RunLimits.within_half)."""
        entries: list[tuple[Any, Callable[[], Download]]] = []
        needed = 0
        for object_id in self.option("objects"):
            try:
                size, makes = self._download_makes(object_id)
            except (Exception, pytest.skip.Exception):
                continue
            needed += (size + 1) * len(makes)
            entries.extend(makes)
        return entries if self.run.limits.within_half(read=needed) else []

    def _download(self, target: AccessTarget, size: int, checksums: list[Any]) -> Download:
        limits = self.run.limits
        remaining = limits.budget.max_run_bytes - limits.bytes
        if size > remaining:
            limits.note("max_run_bytes")
            raise BudgetExceeded(f"the object has {size} bytes but only {max(0, remaining)} remain of the run's "
                                 f"byte budget (max_run_bytes={limits.budget.max_run_bytes})", "max_run_bytes")
        hashers: dict[str, tuple[Any, int | None]] = {}
        unverifiable: dict[str, str] = {}
        for item in checksums:
            kind = str(item.get("type", "")).lower() if isinstance(item, dict) else ""
            made = hasher(kind)
            if isinstance(made, str):
                unverifiable[kind] = made
            else:
                hashers[kind] = made
        start = size // 3
        window = (start, min(size, start + RANGE_WINDOW))
        captured = bytearray()
        count = 0

        # The client hashes every streamed body with sha-256 for the evidence (Exchange.body_sha256): a listed
        # sha-256 is read from there, not computed a second time over the same bytes (issue 20).
        own = {kind: made for kind, made in hashers.items() if kind not in SHA256_NAMES}
        # pipelined: the next piece of the body is read while this one is hashed
        digests = ParallelHashes(*(digest for digest, _ in own.values()), pipelined=True)

        def on_chunk(chunk: bytes) -> None:
            nonlocal count
            digests.update(chunk)
            low, high = max(window[0], count), min(window[1], count + len(chunk))
            if low < high:
                captured.extend(chunk[low - count: high - count])
            count += len(chunk)

        # One byte more than promised is enough to tell a longer body; never more than the budget left.
        # decode=False: size and checksums are over the bytes as stored, even if served Content-Encoding: gzip.
        # the claims beside the bytes are this object's own answers, whatever other object was read last
        claims = list({id(r.exchange): r.exchange for r in (target.described_by, target.source)}.values())
        response = self.client.stream(target.url, on_chunk, headers=target.headers, decode=False,
                                      max_bytes=max(1, min(size + 1, remaining)), claims=claims)
        digests.wait()
        hexdigests = {kind: (digest.hexdigest()[:keep] if keep else digest.hexdigest())
                      for kind, (digest, keep) in own.items()}
        if SHA256_NAMES & set(hashers):
            evidence = response.exchange.body_sha256
            if evidence is None:  # the client sets it on every complete stream: a defect of the harness
                raise HarnessError("the streamed body's sha-256 was not computed")
            hexdigests = {kind: (evidence if kind in SHA256_NAMES else hexdigests[kind]) for kind in hashers}
        return Download(target.label, target.url, target.headers, response, count, hexdigests, unverifiable,
                        window, bytes(captured))


def accepted_reason(response: Response) -> str:
    """What the harness did about a 202 Accepted that stayed the last answer of :meth:`Drs.get_accepted`,
    as it happened: a Retry-After longer than ACCEPTED_MAX_WAIT is not waited for, so nothing was retried
    after it (Galaxy 26.1 answers "Retry-After: 60" while it computes a checksum, issue 19)."""
    delay = retry_after(response.headers.get("Retry-After"))
    if delay is not None and delay > ACCEPTED_MAX_WAIT:
        return (f"answered 202 Accepted with Retry-After {delay:g} s, longer than the {ACCEPTED_MAX_WAIT:g} s "
                "the harness waits")
    return (f"still answered 202 Accepted after {ACCEPTED_RETRIES} retries within Retry-After "
            f"(at most {ACCEPTED_MAX_WAIT:g} s each)")


def _maybe_document(response: Response) -> dict[str, Any] | None:
    return response.json_object() if response.status == 200 else None


def _document(response: Response, what: str, see: str) -> dict[str, Any]:
    if response.status == 202:
        pytest.skip(f"{what} {accepted_reason(response)}; the object is not ready to be checked")
    if response.status != 200:
        pytest.skip(f"{what} answered {response.status} (see {see})")
    try:
        body = response.json()
    except CheckFailure:
        pytest.skip(f"{what} did not answer JSON (see {see})")
    if not isinstance(body, dict):
        pytest.skip(f"{what} answered a JSON {json_type(body)}, not an object (see {see})")
    return body


def is_json_media_type(content_type: str) -> bool:
    """application/json, or a media type with the +json structured syntax suffix (RFC 6839 §3.1: its body is
    JSON), such as application/problem+json: DRS asks JSON of its answers ("It uses JSON in requests and
    responses", DRS 1.2.0 §DRS API Principles › Standards). ``content_type`` as Response.content_type gives it."""
    kind, slash, subtype = content_type.partition("/")
    return content_type == "application/json" or (bool(kind) and bool(slash) and subtype.endswith("+json")
                                                  and len(subtype) > len("+json"))


#: The check that judges the Error body of the API's error answers.
ERROR_BODY = "drs.error.body-is-json-error"


def error_problem(response: Response, content_type: bool = True) -> str | None:
    """Why an error answer is not a DRS Error (JSON object; msg a string; status_code an integer
    equal to the HTTP status is judged separately), or None; ``content_type=False`` judges the body alone."""
    if content_type and not is_json_media_type(response.content_type):
        return (f"its Content-Type is {response.headers.get('Content-Type') or 'missing'}, not application/json "
                "(or another JSON media type)")
    try:
        body = response.json()
    except CheckFailure:
        return "its body is not JSON"
    if not isinstance(body, dict):
        return f"its body is a JSON {json_type(body)}, not an Error object"
    if "msg" in body and not isinstance(body["msg"], str):
        return f"msg is a JSON {json_type(body['msg'])}, not a string"
    if "status_code" in body and not is_int(body["status_code"]):
        return f"status_code is a JSON {json_type(body['status_code'])}, not an integer"
    return None


def error_body_cause(drs: Drs, problem: str | None) -> str | None:
    """``ERROR_BODY`` when an error answer's problem is the very one of the plain unknown object's 404, which
    that check judges first: the server's error answers share one defect (an HTML error page, say), reported
    once; None for any other problem, which stands alone."""
    unknown = drs.unknown_object()
    if problem is None or unknown.status < 400 or error_problem(unknown) != problem:
        return None
    return ERROR_BODY


def is_bundle(document: Any) -> bool:
    """A bundle is "represented by a DrsObject with a contents array", a blob by one without (DRS 1.2.0
    §Introduction, DRS Datatypes): a bundle here lists at least one item, and every other object is a
    blob, one with ``"contents": null`` (Galaxy) or ``[]`` included (issue 19.9)."""
    return isinstance(document, dict) and isinstance(document.get("contents"), list) and bool(document["contents"])
