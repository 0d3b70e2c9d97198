"""What the htsget checks share: ticket requests (cached per run), block assembly, decoding with pysam
and the ground truth (the same id through a whole-file request)."""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes, urljoin

import pysam
import pytest

from conformance.client import Exchange, Response, ServiceClient
from conformance.errors import CheckFailure, HarnessError
from conformance.profile import Service

BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
CRAM_EOF = bytes.fromhex("0f000000ffffffff0fe0454f46000000000100" "05bdd94f0001000606010001000100ee63014b")
FORMATS = {"reads": ("BAM", "CRAM"), "variants": ("VCF", "BCF")}
DEFAULT = {"reads": "BAM", "variants": "VCF"}
SUFFIX = {"BAM": ".bam", "CRAM": ".cram", "VCF": ".vcf.gz", "BCF": ".bcf"}

pysam.set_verbosity(0)


class AssemblyError(Exception):
    """The ticket's blocks could not be fetched or decoded into one blob."""

    def __init__(self, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exchange = exchange


@dataclass(frozen=True)
class Record:
    key: tuple[Any, ...]
    ref: str | None
    start: int
    end: int
    tags: tuple[tuple[str, Any], ...] = ()

    def overlaps(self, ref: str, start: int, end: int) -> bool:
        if ref == "*":
            return self.ref is None
        return self.ref == ref and self.start < end and self.end > start

    def label(self) -> str:
        name = self.key[0] if self.key[0] else self.key[2]
        where = f"{self.ref}:[{self.start},{self.end})" if self.ref else "unplaced"
        return f"{name} at {where}"


@dataclass
class Ticket:
    response: Response
    document: Any

    @property
    def exchange(self) -> Exchange:
        return self.response.exchange

    @property
    def body(self) -> dict[str, Any]:
        return self.document["htsget"]  # type: ignore[no-any-return]

    @property
    def urls(self) -> list[dict[str, Any]]:
        return list(self.body["urls"])

    @property
    def format(self) -> str:
        return str(self.body.get("format"))


@dataclass
class Blob:
    data: bytes
    exchanges: list[Exchange] = field(default_factory=list)


def cases(service: Service, kind: str) -> list[dict[str, Any]]:
    protected = set(service.options.get("protected") or [])
    return [c for c in service.options.get(kind) or [] if c.get("id") not in protected]


def first_case(service: Service, kind: str) -> dict[str, Any]:
    found = cases(service, kind)
    if not found:
        pytest.skip(f"the profile lists no {kind} ids for this service")
    return found[0]


class Htsget:
    """One per service and run: caches tickets, blobs, decoded records and the reference."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.tickets: dict[str, Response] = {}
        self.blobs: dict[str, Blob] = {}
        self.decoded: dict[str, list[Record]] = {}
        self.reference: str | None = None
        self.reference_reason = ""
        self._reference_done = False
        self._tempdir = tempfile.TemporaryDirectory(prefix="htsget-check-")

    # -- requests ----------------------------------------------------------------------------------

    def request(self, client: ServiceClient, kind: str, ident: str, params: dict[str, Any] | None = None,
                post: Any = None, cache: bool = True, **kwargs: Any) -> Response:
        path = f"/{kind}/{ident}"
        key = json.dumps([kind, ident, params or {}, post], sort_keys=True)
        if cache and key in self.tickets:
            client.exchanges.append(self.tickets[key].exchange)
            return self.tickets[key]
        if post is not None:
            response = client.post(path, json=post, params=params, **kwargs)
        else:
            response = client.get(path, params=params, **kwargs)
        if cache:
            self.tickets[key] = response
        return response

    def ticket(self, client: ServiceClient, kind: str, ident: str, params: dict[str, Any] | None = None,
               post: Any = None) -> Ticket:
        """A ticket the other checks can read; skips (naming the check that reports it) otherwise."""
        response = self.request(client, kind, ident, params, post)
        what = f"{'POST' if post is not None else 'GET'} /{kind}/{ident}"
        if response.status != 200:
            pytest.skip(f"{what} answered {response.status}, no ticket (see htsget.response.success-200-json)")
        try:
            document = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            pytest.skip(f"{what} did not answer JSON (see htsget.response.success-200-json)")
        body = document.get("htsget") if isinstance(document, dict) else None
        if not isinstance(body, dict) or not isinstance(body.get("urls"), list) or not all(
                isinstance(u, dict) and isinstance(u.get("url"), str) for u in body["urls"]):
            pytest.skip(f"{what} answered no usable htsget.urls (see htsget.response.single-htsget-key, "
                        "htsget.ticket.urls-array)")
        return Ticket(response, document)

    # -- blocks -------------------------------------------------------------------------------------

    def blob(self, client: ServiceClient, ticket: Ticket) -> Blob:
        key = ticket.response.content.decode("utf-8", "replace")
        if key not in self.blobs:
            self.blobs[key] = self.fetch(client, ticket.urls, ticket.response.url)
        client.exchanges.extend(self.blobs[key].exchanges)
        return self.blobs[key]

    def fetch(self, client: ServiceClient, urls: Sequence[dict[str, Any]], base: str) -> Blob:
        parts: list[bytes] = []
        exchanges: list[Exchange] = []
        # Block URLs carry their own credentials (htsget §HTTPS data block URLs): never the API token.
        anonymous = client.without_credentials()
        for index, entry in enumerate(urls):
            url = entry["url"]
            if url.startswith("data:"):
                parts.append(decode_data_uri(url, index))
                continue
            if not url.lower().startswith(("http://", "https://")):
                raise AssemblyError(f"urls[{index}].url {url[:80]!r} is neither an absolute http(s) URL nor a "
                                    "data: URI")
            headers = entry.get("headers") or {}
            if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
                raise AssemblyError(f"urls[{index}].headers is not a map of strings")
            response = anonymous.get(urljoin(base, url), headers=headers)
            exchanges.append(response.exchange)
            if response.status not in (200, 206) or (response.status == 206 and "Range" not in headers):
                raise AssemblyError(f"block {index} ({response.exchange.url}) answered {response.status} to a GET "
                                    "with the ticket's headers", response.exchange)
            if response.truncated:
                raise HarnessError("a data block exceeds max_response_bytes", response.exchange)
            parts.append(response.content)
        return Blob(b"".join(parts), exchanges)

    # -- decoding -----------------------------------------------------------------------------------

    def records(self, client: ServiceClient, blob: bytes, fmt: str, header_only: bool = False) -> list[Record]:
        """The records of a blob, parsed with htslib; CRAM needs a reference (skips without one)."""
        key = f"{fmt}:{header_only}:{hash(blob)}:{len(blob)}"
        if key in self.decoded:
            return self.decoded[key]
        reference = None
        if fmt == "CRAM":
            reference = self.reference_for(client, blob)
            if reference is None:
                pytest.skip(f"CRAM records cannot be decoded without a reference: {self.reference_reason}")
        path = os.path.join(self._tempdir.name, f"blob{len(self.decoded)}{SUFFIX[fmt]}")
        with open(path, "wb") as fh:
            fh.write(blob)
        found: list[Record] = []
        try:
            if fmt in ("BAM", "CRAM"):
                with pysam.AlignmentFile(path, reference_filename=reference, check_sq=False,
                                         ignore_truncation=header_only) as handle:
                    for r in handle.fetch(until_eof=True):
                        start = r.reference_start if r.reference_id >= 0 else -1
                        end = r.reference_end or start + 1
                        found.append(Record((r.query_name, r.flag, r.reference_name, start, end, r.cigarstring),
                                            r.reference_name if r.reference_id >= 0 else None, start, end,
                                            tuple(sorted((k, str(v)) for k, v in r.get_tags()))))
            else:
                with pysam.VariantFile(path, ignore_truncation=header_only) as handle:
                    for v in handle.fetch():
                        found.append(Record((v.id, v.pos, v.contig, v.ref, v.alts, v.stop), v.contig,
                                            int(v.start), int(v.stop)))
        except (OSError, ValueError, StopIteration) as exc:
            raise AssemblyError(f"htslib cannot parse the {fmt} concatenation: {exc}") from None
        self.decoded[key] = found
        return found

    def header_text(self, blob: bytes, fmt: str) -> str:
        path = os.path.join(self._tempdir.name, f"head{len(blob)}{SUFFIX[fmt]}")
        with open(path, "wb") as fh:
            fh.write(blob)
        try:
            if fmt in ("BAM", "CRAM"):
                with pysam.AlignmentFile(path, check_sq=False, ignore_truncation=True) as handle:
                    return str(handle.header)
            with pysam.VariantFile(path, ignore_truncation=True) as handle:
                return str(handle.header)
        except (OSError, ValueError) as exc:
            raise AssemblyError(f"htslib cannot read the {fmt} header: {exc}") from None

    def reference_for(self, client: ServiceClient, blob: bytes) -> str | None:
        if self._reference_done:
            return self.reference
        self._reference_done = True
        fasta = self.service.options.get("reference_fasta")
        if fasta:
            if os.path.exists(str(fasta)):
                self.reference = str(fasta)
            else:
                self.reference_reason = f"the profile's reference_fasta {fasta} does not exist"
            return self.reference
        refget = self.service.options.get("refget_url")
        if not refget:
            self.reference_reason = "the profile names neither reference_fasta nor refget_url"
            return None
        base = urljoin(self.service.url.rstrip("/") + "/", str(refget)).rstrip("/")
        try:
            text = self.header_text(blob, "CRAM")
        except AssemblyError as exc:
            self.reference_reason = exc.message
            return None
        path = os.path.join(self._tempdir.name, "reference.fa")
        with open(path, "w") as fh:
            for line in text.splitlines():
                if not line.startswith("@SQ"):
                    continue
                tags = dict(part.split(":", 1) for part in line.split("\t")[1:] if ":" in part)
                if "M5" not in tags:
                    self.reference_reason = f"@SQ {tags.get('SN')} has no M5 to ask the refget service for"
                    return None
                response = client.get(f"{base}/sequence/{tags['M5']}")
                if response.status != 200:
                    self.reference_reason = f"the refget service answered {response.status} for {tags['SN']}"
                    return None
                fh.write(f">{tags['SN']}\n{response.text.strip()}\n")
        pysam.faidx(path)
        self.reference = path
        return path

    def ground_truth(self, client: ServiceClient, kind: str, ident: str, fmt: str | None = None) -> list[Record]:
        """The records of the whole file, in the given format (default: the endpoint's default)."""
        fmt = fmt or DEFAULT[kind]
        params = {"format": fmt} if fmt != DEFAULT[kind] else None
        ticket = self.ticket(client, kind, ident, params)
        try:
            blob = self.blob(client, ticket)
            return self.records(client, blob.data, fmt)
        except AssemblyError as exc:
            pytest.skip(f"the whole-file {fmt} response of {ident} could not be read ({exc.message}); "
                        "see htsget.data.concatenation-valid-format")

    def region_records(self, client: ServiceClient, kind: str, ident: str, ref: str, start: int | None,
                       end: int | None, fmt: str | None = None, extra: dict[str, Any] | None = None,
                       ) -> tuple[list[Record], Ticket]:
        params: dict[str, Any] = {"referenceName": ref}
        if start is not None:
            params["start"] = start
        if end is not None:
            params["end"] = end
        if fmt:
            params["format"] = fmt
        params.update(extra or {})
        ticket = self.ticket(client, kind, ident, params)
        try:
            blob = self.blob(client, ticket)
            return self.records(client, blob.data, fmt or DEFAULT[kind]), ticket
        except AssemblyError as exc:
            raise CheckFailure(f"the answer for {ref}:[{start},{end}) could not be assembled: {exc.message}",
                               exc.exchange or ticket.exchange) from None


def decode_data_uri(url: str, index: int = 0) -> bytes:
    meta, comma, payload = url[5:].partition(",")
    if not comma:
        raise AssemblyError(f"urls[{index}] is a data: URI without a comma")
    if meta.split(";")[-1].strip().lower() != "base64":
        raise AssemblyError(f"urls[{index}] is a data: URI without ;base64 (media type {meta!r})")
    text = payload
    if "%" in text:  # tolerated here; htsget.data-uri.not-percent-encoded reports it
        text = unquote_to_bytes(text).decode("ascii", "replace")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AssemblyError(f"urls[{index}] data: payload is not valid base64 ({exc})") from None


def sniff(blob: bytes) -> str:
    """The format the bytes are in: BAM, CRAM, VCF, BCF, or a description of what they are not."""
    import zlib

    if blob[:4] == b"CRAM":
        return "CRAM"
    if blob[:4] == b"\x1f\x8b\x08\x04":
        try:
            first = zlib.decompressobj(31).decompress(blob[:65536], 64)
        except zlib.error:
            return "corrupt BGZF"
        if first.startswith(b"BAM\1"):
            return "BAM"
        if first.startswith(b"BCF\2"):
            return "BCF"
        if first.startswith(b"##fileformat=VCF"):
            return "VCF"
        return "unknown BGZF"
    if blob.startswith(b"##fileformat=VCF"):
        return "VCF"
    return "unknown"


def missing(expected: Iterable[Record], got: Iterable[Record]) -> list[Record]:
    have = {r.key for r in got}
    return [r for r in expected if r.key not in have]


def overlapping(records: Iterable[Record], ref: str, start: int, end: int) -> list[Record]:
    return [r for r in records if r.overlaps(ref, start, end)]


def names(records: Sequence[Record], limit: int = 3) -> str:
    shown = ", ".join(r.label() for r in records[:limit])
    return shown + (f" and {len(records) - limit} more" if len(records) > limit else "")
