"""Reference DRS server (GA4GH DRS 1.2.0 - 1.5.0) with named faults.

It holds a few blobs whose bytes are deterministic pseudo-random data generated on the fly (never a
file), a nested bundle, an object whose id needs percent-encoding, and a passport-protected object.
Bytes are served by the server itself over plain http on loopback: an inline ``access_url`` and an
``access_id`` whose AccessURL asks for a header. ``self_uri`` is ``drs://127.0.0.1:PORT/<id>``, the
hostname-based form a loopback deployment can honour (suites/drs explains the local-deployment rule).

Each fault is one spec violation and names the checks that must catch it (suites/drs/requirements.yaml).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document

from ...passports.reference.app import PassportClearinghouseApp

BLOCK = 64 * 1024
MAX_BULK = 5
CREATED = "2026-01-05T09:30:00Z"
UPDATED = "2026-02-01T12:00:00+01:00"
#: The ControlledAccessGrants value that grants the protected object (the `dataset` option overrides it).
DATASET = "https://datasets.conformance.invalid/drs-controlled"
#: DRS faults that break the passport decision, each the passports clearinghouse fault it injects into the
#: verifier this server shares with the passports reference clearinghouse (suites/passports/reference).
PASSPORT_FAULTS = {
    "alg-none-passport-granted": "accepts-alg-none",
    "untrusted-issuer-granted": "accepts-untrusted-issuer",
    "hs256-public-key-passport-granted": "accepts-hs256-with-public-key",
    "ps256-passport-granted": "accepts-ps256",
    "expired-passport-granted": "accepts-expired-passport",
    "passport-without-exp-granted": "accepts-passport-without-exp",
    "not-yet-valid-passport-granted": "accepts-not-yet-valid-passport",
    "wrong-audience-passport-granted": "ignores-audience",
    "wrong-typ-passport-granted": "accepts-any-typ",
    "alg-none-visa-granted": "accepts-alg-none-visa",
    "tampered-visa-granted": "skips-visa-signature",
    "expired-visa-granted": "accepts-expired-visa",
    "visa-without-exp-granted": "accepts-visa-without-exp",
    "formless-visa-granted": "accepts-formless-visa",
    "untrusted-visa-issuer-granted": "accepts-untrusted-visa-issuer",
    "untrusted-jku-granted": "accepts-untrusted-jku",
    "untrusted-jku-fetched": "fetches-untrusted-jku",
    "url-claims-fetched": "fetches-url-claims",
    "visa-value-prefix-granted": "value-prefix-match",
    "custom-visa-type-granted": "accepts-custom-type-as-grant",
    "unrelated-expired-visa-refused": "rejects-on-unrelated-bad-visa",
    "conditions-ignored": "ignores-conditions",
    "conditions-all-or": "conditions-all-or",
    "unknown-condition-prefix-matches": "unknown-prefix-matches",
    "condition-const-case-insensitive": "const-case-insensitive",
    "condition-pattern-search": "pattern-via-search",
    "condition-met-by-expired-visa": "condition-matches-expired-visa",
    "condition-met-by-conditional-visa": "condition-matches-conditional-visa",
}
TOKEN_HEADER = "X-Access-Token"
#: Conformant variants (reference option ``variants``), each a legitimate choice a real server makes:
#: signed-inline-urls: the inline access_url carries a signature that changes per answer, and the
#:   checksums come in another order every other answer;
#: metadata-open: the protected object's metadata is open, only its AccessURL needs the passport;
#: accepted-first: the first GET of each object answers 202 Accepted with Retry-After: 0;
#: external-bundle-member: bundle-1 lists a member held by another DRS server;
#: gzip-stored: the bytes are served as stored with Content-Encoding: gzip (size and checksums are over
#:   the stored bytes);
#: public-hostname: self_uri names the service's public host without a port (drs://drs.example.org/id), as a
#:   service behind a proxy does;
#: post-for-passports-only: POST /objects/{id} answers 405 for a held object that needs no passport (the
#:   refget FASTA-DRS router offers no POST at all);
#: bytes-out-of-band: the protected object's metadata and GET access are open; its AccessURL lists no
#:   headers and its bytes need a credential the caller got out of band ("private content that requires the
#:   caller to have out-of-band auth knowledge", DRS 1.2.0 §Authorization & Authentication).
VARIANTS = ("signed-inline-urls", "metadata-open", "accepted-first", "external-bundle-member", "gzip-stored",
            "public-hostname", "post-for-passports-only", "bytes-out-of-band")
PUBLIC_HOSTNAME = "drs.example.org"


def blob_chunks(seed: int, size: int, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """Bytes ``start..end-1`` of a deterministic pseudo-random blob, in blocks of at most 64 KiB.

    One random 64 KiB block, rotated differently for each block position: cheap to produce for any
    size (the 1 GiB benchmark object) and any range, and never the same block twice in a row.
    """
    end = size if end is None else min(end, size)
    block = random.Random(seed).randbytes(BLOCK)
    position = start
    while position < end:
        index, offset = divmod(position, BLOCK)
        shift = (index * 7919) % BLOCK
        rotated = block[shift:] + block[:shift]
        piece = rotated[offset: offset + min(BLOCK - offset, end - position)]
        yield piece
        position += len(piece)


@dataclass
class Blob:
    id: str
    name: str
    seed: int
    size: int
    types: tuple[str, ...]
    mime_type: str = "application/octet-stream"
    protected: bool = False
    checksums: dict[str, str] = field(default_factory=dict)
    #: the bytes, where given (a provided blob: bytes, or an mmap of a large file) rather than generated
    #: from ``seed``
    data: Any = None

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        if self.data is None:
            yield from blob_chunks(self.seed, self.size, start, end)
            return
        end = self.size if end is None else min(end, self.size)
        for position in range(start, end, BLOCK):
            yield self.data[position:min(position + BLOCK, end)]

    def compute(self) -> None:
        digests = {t: hashlib.new(_HASHLIB[t]) for t in self.types}
        for chunk in self.chunks():
            for digest in digests.values():
                digest.update(chunk)
        for kind, digest in digests.items():
            value = digest.hexdigest()
            self.checksums[kind] = value[:48] if kind == "trunc512" else value


_HASHLIB = {"sha-256": "sha256", "md5": "md5", "sha-512": "sha512", "sha1": "sha1", "trunc512": "sha512"}

BLOBS = (
    Blob("blob-1", "reads_chr1.bam", 11, 200_000, ("sha-256", "md5"), "application/octet-stream"),
    Blob("blob-2", "variants.vcf.gz", 12, 4_321, ("sha-256", "sha-512", "sha1", "trunc512"), "application/gzip"),
    Blob("10.5072/FK2805660V", "doi_object.txt", 13, 1_000, ("sha-256",), "text/plain"),
    Blob("blob-protected", "controlled.cram", 14, 2_048, ("sha-256",), protected=True),
)
#: bundle id → contents (name, object id)
BUNDLES = {
    "bundle-1": (("reads_chr1.bam", "blob-1"), ("inner", "bundle-inner")),
    "bundle-inner": (("variants.vcf.gz", "blob-2"),),
    # an open bundle holding the protected object: its contents name the member, never reveal it
    "bundle-controlled": (("controlled.cram", "blob-protected"), ("reads_chr1.bam", "blob-1")),
}

C = "drs."


class DrsApp(ReferenceApp):
    """An in-memory DRS server speaking 1.2.0, 1.3.0, 1.4.0 or 1.5.0."""

    base_path: ClassVar[str] = "/ga4gh/drs/v1"
    OPTIONS: ClassVar[Mapping[str, str]] = {
        "variants": "conformant variants of its answers (VARIANTS)",
        "blob_provider": "module:function giving more blobs (another reference server's data)",
    }

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        faults = list(faults)
        if "api-prefix-missing" in faults:
            self.base_path = ""  # type: ignore[misc]
        super().__init__(faults, version, options)
        self._key = secrets.token_bytes(32)
        # Passports are verified for real, by the passports reference clearinghouse's decision (signatures,
        # issuers, exp/nbf/aud, visas and their conditions), trusting the harness's test issuer of the run
        # (or of the test_issuer_keys file): the DRS server is a Passport Clearinghouse.
        self.dataset = str(self.options.get("dataset") or DATASET)
        self.verifier = PassportClearinghouseApp(
            [PASSPORT_FAULTS[f] for f in self.faults if f in PASSPORT_FAULTS], options={
                "dataset": self.dataset, "test_issuer_keys": self.options.get("test_issuer_keys")})
        self.passport = self.verifier.issued_secrets()["passport_env"]
        self._access_token = hmac.new(self._key, b"access", "sha256").hexdigest()[:32]
        self._gets = 0
        self._answers = 0
        self._accepted: set[str] = set()
        self.variants = set(self.options.get("variants") or ())
        if self.variants - set(VARIANTS):
            raise ValueError(f"unknown DRS variant(s) {sorted(self.variants - set(VARIANTS))}; known: {VARIANTS}")
        self.blobs = {b.id: Blob(b.id, b.name, b.seed, b.size, b.types, b.mime_type, b.protected) for b in BLOBS}
        large = int(self.options.get("large_object_size", 0) or 0)
        if large:
            self.blobs["large-1"] = Blob("large-1", "large.bin", 99, large, ("sha-256",))
        for blob in self.blobs.values():
            blob.compute()
        self.blobs.update(_provided(self.options.get("blob_provider")))

    # -- profile entries ---------------------------------------------------------------------------

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{"standard": "drs", "version": cls.versions[-1], "reference": True,
                 "objects": ["blob-1", "blob-2", "10.5072/FK2805660V"],
                 "bundles": ["bundle-1", "bundle-controlled"], "protected_objects": ["blob-protected"],
                 "dataset": DATASET, "trusts_test_issuer": True}]

    def issued_secrets(self) -> dict[str, str]:
        return {"passport_env": self.passport}

    def served_entry(self) -> dict[str, Any]:
        return PassportClearinghouseApp.standalone(super().served_entry(), self.options)

    # -- helpers -----------------------------------------------------------------------------------

    def at_least(self, version: str) -> bool:
        return tuple(int(p) for p in self.version.split(".")) >= tuple(int(p) for p in version.split("."))

    def error(self, status: int, msg: str, headers: dict[str, str] | None = None) -> Reply:
        if self.has("error-body-html") and status == 404:
            return Reply(404, f"<html><body><h1>Not Found</h1>{msg}</body></html>".encode(),
                         {"Content-Type": "text/html"})
        code = 500 if self.has("error-status-code-mismatch") and status == 404 else status
        extra = dict(headers or {})
        if status == 405 and not self.has("405-without-allow"):
            extra.setdefault("Allow", "GET, POST")  # RFC 9110 §15.5.6: a 405 lists the methods supported
        if status == 401 and not self.has("401-without-www-authenticate"):
            extra.setdefault("WWW-Authenticate", 'Bearer realm="drs", error="passport required"')
        return json_reply({"msg": msg, "status_code": code}, status, extra)

    def not_found(self, request: Request) -> Reply:
        return self.error(404, f"no such endpoint: {request.path}")

    def reply(self, data: Any, status: int = 200) -> Reply:
        content_type = "text/plain" if self.has("content-type-text-plain") else "application/json"
        return json_reply(data, status, content_type=content_type)

    def host(self) -> str:
        return urlsplit(self.root_url).netloc

    def self_uri(self, object_id: str) -> str:
        encoded = quote(object_id, safe="")
        if self.has("self-uri-wrong-id"):
            others = [i for i in self.blobs if i != object_id]
            encoded = quote(others[0], safe="")
        if self.has("self-uri-https-scheme"):
            return f"{self.url}/objects/{encoded}"
        if self.has("self-uri-compact-form"):
            return f"drs://drs.ref:{encoded}"
        if self.has("self-uri-with-another-port"):
            return f"drs://{urlsplit(self.root_url).hostname}:1/{encoded}"
        if self.has("self-uri-unencoded-id"):
            return f"drs://{self.host()}/{object_id}"
        if "public-hostname" in self.variants:
            return f"drs://{PUBLIC_HOSTNAME}/{encoded}"
        return f"drs://{self.host()}/{encoded}"

    def bytes_url(self, object_id: str, private: bool = False) -> str:
        path = f"/bytes/{quote(object_id, safe='')}{'/private' if private else ''}"
        if self.has("access-url-relative"):
            return self.base_path + path
        return self.url + path

    def authorizations(self, blob_id: str | None) -> dict[str, Any]:
        protected = blob_id is not None and blob_id in self.blobs and self.blobs[blob_id].protected
        if protected:
            found: dict[str, Any] = {"supported_types": ["PassportAuth"]}
            if not self.has("passport-auth-missing-issuers"):
                found["passport_auth_issuers"] = [self.verifier.trusted.iss]
        else:
            found = {"supported_types": ["None"]}
        return found

    def access_methods(self, blob: Blob) -> list[dict[str, Any]]:
        inline: dict[str, Any] = {"type": "https", "access_url": {"url": self.bytes_url(blob.id)}}
        if "signed-inline-urls" in self.variants:
            self._answers += 1
            signature = hmac.new(self._key, str(self._answers).encode(), "sha256").hexdigest()
            inline["access_url"]["url"] += f"?X-Amz-Signature={signature}"
        signed: dict[str, Any] = {"type": "https", "access_id": "https-signed"}
        methods = [signed] if blob.protected else [inline, signed]
        if self.has("access-url-plain-http-public") and not blob.protected:
            # the bytes over plain http under another name of this host: fetchable, and not the service's origin
            port = urlsplit(self.root_url).port
            inline["access_url"] = {"url": f"http://localhost:{port}{self.base_path}/bytes/{quote(blob.id, safe='')}"}
        if self.has("access-method-type-unknown"):
            inline["type"] = "http"
        if self.has("access-method-neither-url-nor-id"):
            methods.append({"type": "https", "region": "local"})
        if self.has("access-id-duplicate"):
            methods.append({"type": "https", "access_id": "https-signed"})
        for method in methods:
            if self.at_least("1.3.0"):
                method["authorizations"] = self.authorizations(blob.id)
                if self.has("authorizations-unknown-type"):
                    method["authorizations"] = {"supported_types": ["OAuth2"]}
            if self.at_least("1.5.0"):
                method["cloud"] = "AWS" if self.has("cloud-nonstandard") else "aws"
                method["available"] = True
        return methods

    def checksums(self, blob: Blob) -> list[dict[str, str]]:
        if self.has("checksums-empty"):
            return []
        found = []
        for kind, value in blob.checksums.items():
            if self.has("checksum-wrong") and kind in ("sha-256", "sha-512"):
                value = hashlib.new(_HASHLIB[kind], b"other bytes").hexdigest()
            if self.has("checksum-base64") and kind == "md5":
                import base64
                value = base64.b64encode(bytes.fromhex(value)).decode()
            if self.has("checksum-truncated") and kind == "sha-256":
                value = value[:63]
            if self.has("checksum-type-nonstandard"):
                kind = {"sha-256": "SHA256", "md5": "MD5", "sha-512": "SHA512"}.get(kind, kind)
            found.append({"checksum": value, "type": kind})
        if "signed-inline-urls" in self.variants and self._answers % 2:
            found.reverse()
        return found

    def blob_object(self, blob: Blob) -> dict[str, Any]:
        size: Any = blob.size
        if self.has("size-off-by-one"):
            size += 1
        if self.has("size-negative"):
            size = -1
        if self.has("id-unstable"):
            self._gets += 1
            size += self._gets
        if self.has("size-as-string"):
            size = str(size)
        document: dict[str, Any] = {
            "id": blob.id,
            "name": "my file (1).bam" if self.has("name-with-spaces") else blob.name,
            "self_uri": self.self_uri(blob.id),
            "size": size,
            "created_time": "2026-01-05 09:30:00" if self.has("created-time-not-rfc3339") else CREATED,
            "updated_time": "01/02/2026" if self.has("updated-time-not-rfc3339") else UPDATED,
            "version": "1",
            "mime_type": blob.mime_type,
            "checksums": self.checksums(blob),
            "description": f"reference blob {blob.id}",
            "aliases": [],
        }
        if not self.has("blob-without-access-methods"):
            document["access_methods"] = self.access_methods(blob)
        if self.has("missing-self-uri"):
            del document["self_uri"]
        return document

    def bundle_object(self, bundle_id: str, expand: bool) -> dict[str, Any]:
        contents = [self.contents_entry(name, child, expand) for name, child in BUNDLES[bundle_id]]
        if "external-bundle-member" in self.variants and bundle_id == "bundle-1":
            contents.append({"name": "external.bam", "id": "ext-1", "drs_uri": ["drs://drs.other.example.org/ext-1"]})
        if self.has("bundle-contents-missing-id") and contents:
            del contents[0]["id"]
        if self.has("bundle-duplicate-names") and len(contents) > 1:
            contents[1]["name"] = contents[0]["name"]
        children = [self.object_document(child, False) for _, child in BUNDLES[bundle_id]]
        size = sum(int(c["size"]) for c in children)
        if self.has("bundle-size-not-sum"):
            size = int(children[0]["size"])
        checksums = []
        for kind in ("sha-256", "md5"):
            values = [next((c["checksum"] for c in child["checksums"] if c["type"] == kind), None)
                      for child in children]
            if None in values:
                continue
            # DRS §DrsObject.checksums: over the sorted concatenation; the fault sorts the wrong way round
            ordered = sorted(map(str, values), reverse=self.has("bundle-checksum-unsorted"))
            digest = hashlib.new(_HASHLIB[kind], "".join(ordered).encode()).hexdigest()
            checksums.append({"type": kind, "checksum": digest})
        if not checksums:
            digest = hashlib.sha256(bundle_id.encode()).hexdigest()
            checksums.append({"type": "etag", "checksum": digest})
        document: dict[str, Any] = {
            "id": bundle_id, "name": bundle_id.replace("-", "_"), "self_uri": self.self_uri(bundle_id),
            "size": size, "created_time": CREATED, "updated_time": CREATED, "checksums": checksums,
            "contents": contents, "description": "reference bundle",
        }
        if self.has("access-methods-empty"):
            document["access_methods"] = []
        return document

    def contents_entry(self, name: str, child: str, expand: bool, nested: bool = False) -> dict[str, Any]:
        uri = self.self_uri(child)
        entry: dict[str, Any] = {"name": name, "id": child, "drs_uri": [uri]}
        if self.has("contents-drs-uri-string"):
            entry["drs_uri"] = uri
        if self.has("contents-drs-uri-invalid"):
            entry["drs_uri"] = [f"{self.url}/objects/{quote(child, safe='')}"]
        if expand and self.has("expand-reveals-protected-object") and child in self.blobs:
            document = self.blob_object(self.blobs[child])
            entry.update(access_methods=document.get("access_methods"), checksums=document["checksums"])
        if child in BUNDLES:
            deep = (expand and not self.has("bundle-expand-ignored")) or self.has("bundle-always-expanded")
            if deep:
                entry["contents"] = [self.contents_entry(n, c, expand, True) for n, c in BUNDLES[child]]
        return entry

    def object_document(self, object_id: str, expand: bool) -> dict[str, Any]:
        if object_id in BUNDLES:
            return self.bundle_object(object_id, expand)
        document = self.blob_object(self.blobs[object_id])
        if expand and self.has("expand-on-blob-changes-it"):
            document["size"] = int(document["size"]) + 7
        return document

    def known(self, object_id: str) -> bool:
        return object_id in self.blobs or object_id in BUNDLES

    def is_protected(self, object_id: str) -> bool:
        return object_id in self.blobs and self.blobs[object_id].protected

    def passport_ok(self, body: Any) -> bool:
        passports = body.get("passports") if isinstance(body, dict) else None
        if not isinstance(passports, list):
            return False
        if self.has("bad-passport-accepted"):
            return any(isinstance(p, str) and p for p in passports)
        if self.has("only-issued-passport-granted"):  # the string comparison this server used to make
            return any(isinstance(p, str) and hmac.compare_digest(p, self.passport) for p in passports)
        self.verifier.root_url = self.root_url  # the audience a passport may name: this server
        return any(isinstance(p, str) and self.verifier.decide(p)[0] == 200 for p in passports)

    def passport_refused(self, object_id: str, body: Any) -> Reply:
        refusal = self.error(403, "the passports given do not grant access to this object")
        passports = body.get("passports") if isinstance(body, dict) else None
        if self.has("passport-without-grant-401") and isinstance(passports, list) and any(
                isinstance(p, str) and self.verifier.decide(p)[0] == 403 for p in passports):
            refusal = self.error(401, "the passports given do not grant access to this object")
        if self.has("passport-refusal-leaks-object"):
            methods = self.blob_object(self.blobs[object_id]).get("access_methods")
            refusal = json_reply({"msg": "the passports given do not grant access to this object",
                                  "status_code": 403, "access_methods": methods}, 403)
        return refusal

    def refuse(self) -> Reply:
        if self.has("missing-token-403"):
            return self.error(403, "a passport is required for this object")
        return self.error(401, "a passport is required for this object: POST it as {\"passports\": [...]}")

    def object_id(self, request: Request) -> str:
        object_id = request.params["object_id"]
        if self.has("percent-encoded-id-rejected") and "%2f" in request.path.lower():
            return "\0not-found"
        return object_id

    @staticmethod
    def expand(request: Request, body: Any = None) -> bool:
        if isinstance(body, dict) and body.get("expand") is True:
            return True
        return (request.arg("expand") or "").lower() == "true"

    # -- service-info ------------------------------------------------------------------------------

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        if self.has("service-info-500"):
            return self.error(500, "service-info is broken")
        extra: dict[str, Any] = {}
        if self.at_least("1.4.0"):
            length: Any = MAX_BULK
            if self.has("service-info-max-bulk-zero"):
                length = 0
            if self.has("service-info-max-bulk-string"):
                length = str(length)
            if not self.has("service-info-no-max-bulk"):
                extra["maxBulkRequestLength"] = length
        if self.at_least("1.5.0"):
            section: dict[str, Any] = {"maxBulkRequestLength": MAX_BULK, "objectCount": len(self.blobs),
                                       "totalObjectSize": sum(b.size for b in self.blobs.values())}
            if self.has("service-info-drs-section-incomplete"):
                del section["maxBulkRequestLength"]
            if self.has("service-info-drs-section-disagrees"):
                section["maxBulkRequestLength"] = MAX_BULK + 10
            extra["drs"] = section
        document = service_info_document("drs", self.version, name="Reference DRS server", extra=extra)
        if self.has("service-info-optional-null"):  # issue 19: Galaxy 26.1 (DRS 1.2)
            document.update(dict.fromkeys(("contactUrl", "documentationUrl", "createdAt", "updatedAt"), None))
        if self.has("service-info-wrong-group"):
            document["type"]["group"] = "org.example"
        if self.has("service-info-wrong-artifact"):
            document["type"]["artifact"] = "DRS"
        return self.reply(document)

    # -- bulk (1.4.0+); the method names sort before `object_*` so /objects/access is routed here ------

    @route("POST", "/objects/access")
    def bulk_access(self, request: Request) -> Reply:
        if not self.at_least("1.4.0"):
            return self.error(404, "no bulk endpoints before DRS 1.4.0")
        if self.has("bulk-access-path-shadowed"):
            request.params["object_id"] = "access"
            return self.object_post(request)
        body = request.json()
        items = body.get("bulk_object_access_ids") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return self.error(400, "expected {\"bulk_object_access_ids\": [...]}")
        if len(items) > MAX_BULK:
            return self.error(413, f"at most {MAX_BULK} items per bulk request")
        granted = self.passport_ok(body)
        resolved, unresolved = [], []
        for item in items:
            object_id = item.get("bulk_object_id") if isinstance(item, dict) else None
            access_ids = item.get("bulk_access_ids") if isinstance(item, dict) else None
            if not isinstance(object_id, str) or object_id not in self.blobs or not isinstance(access_ids, list):
                unresolved.append(str(object_id))
                continue
            if self.is_protected(object_id) and not granted and not self.has("bulk-access-leaks-protected"):
                unresolved.append(object_id)
                continue
            for access_id in access_ids:
                if access_id != "https-signed":
                    unresolved.append(object_id)
                    continue
                url = self.access_url(object_id)
                entry: dict[str, Any] = {"drs_object_id": object_id, "drs_access_id": access_id, **url}
                if self.has("bulk-access-url-missing"):
                    del entry["url"]
                if self.has("bulk-access-unlabelled"):
                    del entry["drs_object_id"], entry["drs_access_id"]
                resolved.append(entry)
        return self.reply({
            "summary": {"requested": len(items), "resolved": len(resolved), "unresolved": len(unresolved)},
            "unresolved_drs_objects": [{"error_code": 404, "object_ids": unresolved}] if unresolved else [],
            "resolved_drs_object_access_urls": resolved,
        })

    def bulk_ids(self, request: Request) -> tuple[list[str] | None, Any, Reply | None]:
        if not self.at_least("1.4.0"):
            return None, None, self.error(404, "no bulk endpoints before DRS 1.4.0")
        body = request.json()
        ids = body.get("bulk_object_ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return None, body, self.error(400, "expected {\"bulk_object_ids\": [\"...\"]}")
        limit = MAX_BULK - 1 if self.has("bulk-max-off-by-one") else MAX_BULK
        if len(ids) > limit and not self.has("bulk-max-not-enforced"):
            return None, body, self.error(413, f"at most {MAX_BULK} ids per bulk request")
        return ids, body, None

    def summary(self, requested: int, resolved: int, unresolved: int) -> dict[str, Any]:
        summary: dict[str, Any] = {"requested": requested, "resolved": resolved, "unresolved": unresolved}
        if self.has("bulk-summary-miscounts"):
            summary["unresolved"] += 1
        if self.has("bulk-requested-wrong"):
            summary["requested"] = resolved
        if self.has("bulk-summary-string"):
            summary = {k: str(v) for k, v in summary.items()}
        return summary

    @route("POST", "/objects")
    def bulk_objects(self, request: Request) -> Reply:
        if self.has("bulk-endpoint-missing"):
            return self.error(405, "bulk requests are not supported", {"Allow": "OPTIONS"})
        ids, body, problem = self.bulk_ids(request)
        if problem is not None or ids is None:
            return problem or self.error(400, "bad request")
        granted = self.passport_ok(body) and not self.has("bulk-passports-ignored")
        expand = self.expand(request, body)
        resolved, unresolved = [], []
        for object_id in ids:
            guarded = self.is_protected(object_id) and not granted and not self.has("bulk-object-leaks-protected")
            if not self.known(object_id) or guarded:
                unresolved.append(object_id)
                continue
            document = self.object_document(object_id, expand)
            if self.has("bulk-objects-differ") and isinstance(document.get("size"), int):
                document["size"] += 1
            resolved.append(document)
        if self.has("bulk-resolves-extra-object"):
            # an object nobody asked for in place of a requested open one: the counts stay right (one SHOULD fault)
            open_ones = [i for i, d in enumerate(resolved) if not self.is_protected(str(d.get("id")))]
            if open_ones:
                resolved[open_ones[0]] = self.object_document("bundle-inner", False)
        reported = [] if self.has("bulk-unknown-ids-dropped") else unresolved
        key = "resolved_drs_objects" if self.has("bulk-resolved-key-plural") else "resolved_drs_object"
        return self.reply({
            "summary": self.summary(len(ids), len(resolved), len(reported)),
            "unresolved_drs_objects": [{"error_code": 404, "object_ids": reported}] if reported else [],
            key: resolved,
        })

    @route("OPTIONS", "/objects")
    def bulk_options(self, request: Request) -> Reply:
        if self.has("bulk-options-cors-empty"):
            return Reply(200, b"", {"Access-Control-Allow-Origin": "*"})
        ids, _, problem = self.bulk_ids(request)
        if problem is not None or ids is None:
            return problem or self.error(400, "bad request")
        resolved = [{**self.authorizations(i), "drs_object_id": i} for i in ids if self.known(i)]
        unresolved = [i for i in ids if not self.known(i)]
        return self.reply({
            "summary": self.summary(len(ids), len(resolved), len(unresolved)),
            "unresolved_drs_objects": [{"error_code": 404, "object_ids": unresolved}] if unresolved else [],
            "resolved_drs_object": resolved,
        })

    # -- single objects ----------------------------------------------------------------------------

    @route("GET", "/objects/{object_id}")
    def object_get(self, request: Request) -> Reply:
        object_id = self.object_id(request)
        if self.has("known-object-404") and object_id == "blob-1":
            return self.error(404, "not found")
        if not self.known(object_id):
            return self.unknown(object_id)
        if self.is_protected(object_id) and not self.has("protected-object-leaks") \
                and not {"metadata-open", "bytes-out-of-band"} & set(self.variants):
            return self.refuse()
        if "accepted-first" in self.variants and not self.is_protected(object_id) \
                and object_id not in self._accepted:
            self._accepted.add(object_id)
            return json_reply({"msg": "preparing the object, try again", "status_code": 202}, 202,
                              {"Retry-After": "0"})
        return self.reply(self.object_document(object_id, self.expand(request)))

    def unknown(self, object_id: str) -> Reply:
        if self.has("unknown-id-500") or (self.has("long-id-500") and len(object_id) > 60):
            return self.error(500, "internal error")
        return self.error(404, f"no object with id {object_id!r}")

    @route("POST", "/objects/{object_id}")
    def object_post(self, request: Request) -> Reply:
        object_id = self.object_id(request)
        open_object = self.known(object_id) and not self.is_protected(object_id)
        if self.has("passport-post-unsupported") or ("post-for-passports-only" in self.variants and open_object):
            return self.error(405, "POST is not supported")
        body = request.json()
        if not isinstance(body, dict):
            if self.has("malformed-body-422"):
                return self.error(422, "unprocessable entity")
            return self.error(400, "the body must be a JSON object")
        if not self.known(object_id):
            if self.has("post-unknown-id-500"):
                return self.error(500, "internal error")
            return self.unknown(object_id)
        if self.is_protected(object_id) and not self.passport_ok(body):
            return self.passport_refused(object_id, body)
        if self.has("post-object-returns-access-url"):
            return self.reply(self.access_url(object_id))
        return self.reply(self.object_document(object_id, self.expand(request, body)))

    @route("OPTIONS", "/objects/{object_id}")
    def object_options(self, request: Request) -> Reply:
        if not self.at_least("1.3.0"):
            return self.error(405, "OPTIONS is not part of DRS 1.2.0")
        object_id = self.object_id(request)
        if self.has("options-405") or self.has("405-without-allow"):
            return self.error(405, "authorizations are not supported")
        if self.has("options-cors-empty-200"):
            return Reply(200, b"", {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST"})
        if not self.known(object_id):
            if self.has("options-unknown-id-200"):
                return self.reply(self.authorizations(None))
            return self.unknown(object_id)
        if self.has("options-requires-auth") and self.is_protected(object_id):
            return self.refuse()
        if self.has("options-reveals-object") and object_id in self.blobs:
            return self.reply({**self.object_document(object_id, False), **self.authorizations(object_id)})
        return self.reply(self.authorizations(object_id))

    # -- access ------------------------------------------------------------------------------------

    def access_url(self, object_id: str) -> dict[str, Any]:
        token = f"{TOKEN_HEADER}: {self._access_token}"
        if self.has("access-headers-not-header-lines"):
            token = f"{TOKEN_HEADER}={self._access_token}"
        headers: Any = [token]
        if self.has("access-headers-as-object"):
            headers = {TOKEN_HEADER: self._access_token}
        return {"url": self.bytes_url(object_id, private=True), "headers": headers}

    def access_common(self, request: Request, body: Any, post: bool) -> Reply:
        object_id = self.object_id(request)
        access_id = request.params["access_id"]
        if not self.known(object_id):
            if self.has("access-unknown-object-200"):
                return self.reply(self.access_url("blob-1"))
            return self.unknown(object_id)
        methods = {m.get("access_id") for m in self.access_methods(self.blobs[object_id])} \
            if object_id in self.blobs else set()
        if access_id not in methods:
            if self.has("unknown-access-id-500"):
                return self.error(500, "internal error")
            return self.error(404, f"object {object_id!r} has no access_id {access_id!r}")
        if self.is_protected(object_id) and not post and "bytes-out-of-band" in self.variants:
            return self.reply({"url": self.bytes_url(object_id, private=True)})  # the bytes ask the X-Access-Token
        if self.is_protected(object_id) and not (self.has("protected-object-leaks") and not post):
            if not post:
                return self.refuse()
            if self.has("passport-access-ignored") or not self.passport_ok(body):
                return self.passport_refused(object_id, body)
        if self.has("accepted-without-retry-after"):
            return json_reply({"msg": "preparing the URL, try again", "status_code": 202}, 202)
        return self.reply(self.access_url(object_id))

    @route("GET", "/objects/{object_id}/access/{access_id}")
    def access_get(self, request: Request) -> Reply:
        return self.access_common(request, None, False)

    @route("POST", "/objects/{object_id}/access/{access_id}")
    def access_post(self, request: Request) -> Reply:
        body = request.json()
        if not isinstance(body, dict):
            return self.error(422 if self.has("malformed-body-422") else 400, "the body must be a JSON object")
        return self.access_common(request, body, True)

    # -- bytes -------------------------------------------------------------------------------------

    @route("GET", "/bytes/{object_id}")
    def bytes_open(self, request: Request) -> Reply:
        object_id = request.params["object_id"]
        blob = self.blobs.get(object_id)
        if blob is None or blob.protected:
            return self.error(404, "no such bytes")
        return self.serve(blob, request)

    @route("GET", "/bytes/{object_id}/private")
    def bytes_private(self, request: Request) -> Reply:
        blob = self.blobs.get(request.params["object_id"])
        if blob is None or self.has("access-url-dead"):
            return self.error(404, "no such bytes")
        # under access-headers-not-header-lines a client cannot send the token: the bytes stay reachable, so
        # the SHOULD fault breaks only the form of the header lines
        if request.header(TOKEN_HEADER) != self._access_token and not self.has("access-headers-not-header-lines"):
            return self.error(403, f"the {TOKEN_HEADER} header the AccessURL lists is required")
        return self.serve(blob, request)

    def serve(self, blob: Blob, request: Request) -> Reply:
        size = blob.size
        if self.has("bytes-truncated"):
            size -= 1
        start, end, status = 0, size, 200
        headers = {"Content-Type": blob.mime_type, "Accept-Ranges": "bytes"}
        if "gzip-stored" in self.variants:
            headers["Content-Encoding"] = "gzip"
        wanted = _single_range(request.header("Range"), size)
        if wanted is None and _past_the_end(request.header("Range"), size) and not self.has("range-ignored") \
                and not self.has("range-unsatisfiable-200"):
            return Reply(416, b"", {"Content-Range": f"bytes */{size}", "Content-Type": blob.mime_type})
        if wanted is not None and not self.has("range-ignored"):
            start, end = wanted
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
            if self.has("range-off-by-one"):
                end -= 1
            if self.has("range-206-whole-body"):
                start, end = 0, size
        headers["Content-Length"] = str(end - start)

        def write(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            try:
                for piece in blob.chunks(start, end):
                    handler.wfile.write(piece)
            except (BrokenPipeError, ConnectionResetError):
                handler.close_connection = True

        # Content-Length frames the answer: the connection stays open (closing it unannounced after each
        # answer made every client's next request on it meet a closed connection)
        return Reply(status, b"", headers, raw=write, keep_alive=True)


def _provided(target: Any) -> dict[str, Blob]:
    """Blobs another reference server shares (reference option ``blob_provider``, ``module:function`` of a
    built-in suite): the function returns dicts with ``id``, ``name``, ``data`` (bytes), optionally
    ``mime_type`` and ``checksums`` (type -> value, served in place of the computed ones: a fault of the
    provider's standard)."""
    if not target:
        return {}
    module_name, _, attribute = str(target).partition(":")
    if not module_name.startswith("conformance_suites."):
        raise ValueError(f"blob_provider {target!r}: not a function of a built-in suite (conformance_suites.*)")
    import importlib
    blobs = {}
    for item in getattr(importlib.import_module(module_name), attribute)():
        data = item["data"]
        blob = Blob(item["id"], item["name"], 0, len(data), ("sha-256", "md5"),
                    item.get("mime_type", "application/octet-stream"), data=data)
        blob.compute()
        blob.checksums.update(item.get("checksums") or {})
        blobs[blob.id] = blob
    return blobs


def _past_the_end(header: str | None, size: int) -> bool:
    """Whether ``header`` is one ``bytes=a-`` or ``bytes=a-b`` range starting at or past the end (RFC 9110
    §14.1.1: unsatisfiable)."""
    if not header or not header.startswith("bytes=") or "," in header:
        return False
    first = header[len("bytes="):].strip().partition("-")[0]
    return first.isdigit() and int(first) >= size


def _single_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of a satisfiable single ``bytes=a-b`` range, else None."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes="):].strip().partition("-")
    try:
        if first == "":
            count = int(last)
            return (max(0, size - count), size) if count > 0 else None
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return None
    if start >= size or end <= start:
        return None
    return start, min(end, size)
