"""Reference htsget server (htsget 1.2.0 and 1.3.0) over synthetic data made with pysam.

Tickets carry the header as an inline ``data:`` URI and the body as a block of the same server
(``/data/...``, fetched with the ``Range`` header the ticket gives) or inline when it is small. Region
slices are made by re-writing the overlapping records (``htsget_data.make_slice``). ``/refget`` serves the
reference sequences by MD5 so that a client can decode CRAM.

Conformant variants, chosen with ``options={"variant": ...}``: ``inline`` (every block a data: URI),
``no-class``, ``no-md5``, ``superset`` (a region returns its whole reference), ``media-types`` (data: URIs
with other or no media types), ``no-post`` (POST refused with 405), ``default-formats-only`` (no CRAM or
BCF: UnsupportedFormat), ``empty-range-400`` (GET start == end refused with InvalidRange, as POST does) and
``block-in-file`` (a block URL serves a larger resource, other bytes before the block, and the ticket's Range
names the block within it).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode

from conformance import ReferenceApp, Reply, Request, json_reply, route, service_info_document

from . import data

READS_ID = "NA12878-synthetic"
VARIANTS_ID = "NA12878-synthetic.vcf"
PROTECTED_ID = "NA12878-protected"
FORMATS = {"reads": ("BAM", "CRAM"), "variants": ("VCF", "BCF")}
DEFAULT_FORMAT = {"reads": "BAM", "variants": "VCF"}
TICKET_TYPE = "application/vnd.ga4gh.htsget.v1.3.0+json; charset=utf-8"
INLINE_LIMIT = 4096
#: The bytes before a block in its resource, ``block-in-file`` and the ``block-range-ignored`` fault.
BLOCK_OFFSET = 512
UINT32_MAX = (1 << 32) - 1
STATUS = {"InvalidAuthentication": 401, "PermissionDenied": 403, "NotFound": 404, "UnsupportedFormat": 400,
          "InvalidInput": 400, "InvalidRange": 400, "PayloadTooLarge": 413}

_D = "htsget.data."
_P = "htsget.property."


class HtsgetError(Exception):
    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error
        self.message = message


class ServerFailure(Exception):
    """A fault's internal error, answered 500."""


class HtsgetApp(ReferenceApp):
    """An htsget server over one reads id (BAM/CRAM), one variants id (VCF/BCF) and a protected reads id."""

    OPTIONS: ClassVar[Mapping[str, str]] = {"variant": "a conformant variant of its answers (the module's docstring)"}


    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token = secrets.token_urlsafe(24)
        self.block_token = secrets.token_urlsafe(16)
        self.variant = str(self.options.get("variant", ""))
        # ``default-formats-only``: BAM and VCF only, CRAM/BCF refused with UnsupportedFormat (conformant).
        self.formats = {k: v[:1] for k, v in FORMATS.items()} \
            if self.variant == "default-formats-only" or self.has("service-info-formats-overstated") \
            or self.has("unoffered-format-invalid-input") else FORMATS
        self._nonces = itertools.count()
        self._used_nonces: set[str] = set()
        data.dataset()

    @classmethod
    def demo_entries(cls) -> list[dict[str, Any]]:
        return [{"standard": "htsget", "version": cls.versions[-1], "reference": True,
                 "reads": [{"id": READS_ID, "referenceName": "chr1"}], "variants": [{"id": VARIANTS_ID}],
                 "protected": [PROTECTED_ID], "refget_url": "refget"}]

    def issued_secrets(self) -> dict[str, str]:
        return {"bearer_token_env": self.token}

    def handle(self, request: Request) -> Reply:
        """Every answer, with the CORS headers the spec asks of API methods (htsget 1.3.0 §CORS) and the
        protocol-level faults (Accept refused, content-coding) applied."""
        api = request.path.startswith(("/reads/", "/variants/"))
        accept = request.header("Accept") or ""
        if api and request.method == "GET" and "vnd.ga4gh.htsget" in accept and self.has("accept-header-406"):
            return json_reply({"htsget": {"error": "InvalidInput", "message": "not acceptable"}}, 406)
        reply = super().handle(request)
        origin = request.header("Origin")
        if api and origin and request.method != "OPTIONS" and not self.has("cors-no-allow-origin"):
            reply.headers["Access-Control-Allow-Origin"] = origin
        if api and request.method != "OPTIONS" and self.has("ticket-content-coding-gzip") and \
                "gzip" in (request.header("Accept-Encoding") or "") and reply.body:
            reply.body = gzip.compress(reply.body)
            reply.headers["Content-Encoding"] = "gzip"
        return reply

    @route("OPTIONS", "/reads/{id}")
    def preflight_reads(self, request: Request) -> Reply:
        return self._preflight(request)

    @route("OPTIONS", "/variants/{id}")
    def preflight_variants(self, request: Request) -> Reply:
        return self._preflight(request)

    def _preflight(self, request: Request) -> Reply:
        """A CORS preflight: accepted for GET (and POST), echoing Origin and the requested headers, with
        a 30-day Access-Control-Max-Age (htsget 1.3.0 §CORS)."""
        method = request.header("Access-Control-Request-Method") or ""
        if self.has("cors-preflight-refused") or method not in ("GET", "POST"):
            return Reply(405, b"", {"Allow": "GET, POST"})
        headers = {"Access-Control-Allow-Origin": request.header("Origin") or "*",
                   "Access-Control-Allow-Methods": "GET, POST",
                   "Access-Control-Max-Age": "600" if self.has("cors-max-age-short") else "2592000"}
        if request.header("Access-Control-Request-Headers"):
            headers["Access-Control-Allow-Headers"] = request.header("Access-Control-Request-Headers") or ""
        return Reply(204, b"", headers)

    # -- helpers ------------------------------------------------------------------------------------

    def _error(self, error: str, message: str, request: Request | None = None) -> Reply:
        status = STATUS[error]
        if self.has("error-echoes-authorization") and request is not None and request.header("Authorization"):
            message = f"{message} (request sent {request.header('Authorization')})"
        if self.has("error-type-status-mismatch") and error == "NotFound":
            status = 400
        if self.has("error-type-invented") and error in ("InvalidInput", "InvalidRange"):
            error = "BadRequest"
        # RFC 9110 §15.5.2 and RFC 6750 §3: a 401 names its authentication scheme.
        headers = {} if status != 401 or self.has("401-without-www-authenticate") else \
            {"WWW-Authenticate": 'Bearer realm="htsget"'}
        if self.has("error-html-body"):
            return Reply(status, f"<html><body><h1>{error}</h1></body></html>".encode(),
                         {"Content-Type": "text/html", **headers})
        body: dict[str, Any] = {"error": error, "message": message}
        if self.has("error-missing-message"):
            del body["message"]
        return json_reply({"htsget": body}, status, headers)

    def _ids(self, kind: str) -> set[str]:
        return {READS_ID, PROTECTED_ID} if kind == "reads" else {VARIANTS_ID}

    def _authorised(self, request: Request, kind: str, ident: str) -> None:
        if ident != PROTECTED_ID or self.has("protected-served-anonymously"):
            return
        header = request.header("Authorization") or ""
        if header != f"Bearer {self.token}" or self.has("bearer-token-rejected"):
            raise HtsgetError("InvalidAuthentication", "a valid bearer token is required for this id")

    # -- service-info -------------------------------------------------------------------------------

    @route("GET", "/reads/service-info")
    def reads_service_info(self, request: Request) -> Reply:
        return self._service_info("reads")

    @route("GET", "/variants/service-info")
    def variants_service_info(self, request: Request) -> Reply:
        return self._service_info("variants")

    def _service_info(self, kind: str) -> Reply:
        if kind == "variants" and self.has("service-info-variants-404"):
            return self._error("NotFound", "no service-info here")
        datatype = "variants" if kind == "reads" and self.has("service-info-wrong-datatype") else kind
        formats = list(FORMATS[kind] if self.has("service-info-formats-overstated") else self.formats[kind])
        if self.has("service-info-mixed-formats"):
            formats = ["BAM", "CRAM", "VCF", "BCF"]
        block: dict[str, Any] = {"datatype": datatype, "formats": formats, "fieldsParameterEffective": False,
                                 "tagsParametersEffective": True}
        if self.has("service-info-flag-string"):
            block["fieldsParameterEffective"] = "true"
        extra = {} if self.has("service-info-no-htsget-block") else {"htsget": block}
        artifact = "htsget-server" if self.has("service-info-wrong-artifact") else "htsget"
        document = service_info_document(artifact, self.version, name=f"Reference htsget ({kind})",
                                         service_id=f"org.ga4gh.conformance.reference.htsget.{kind}", extra=extra)
        return json_reply(document)

    # -- refget (for CRAM decoding) -----------------------------------------------------------------

    @route("GET", "/refget/sequence/{digest}")
    def refget_sequence(self, request: Request) -> Reply:
        sequence = data.sequence(request.params["digest"])
        if sequence is None:
            return json_reply({"errors": [{"error": "NotFound"}]}, 404)
        return Reply(200, sequence.encode(), {"Content-Type": "text/vnd.ga4gh.refget.v1.0.0+plain"})

    # -- tickets ------------------------------------------------------------------------------------

    @route("GET", "/reads/{id}")
    def get_reads(self, request: Request) -> Reply:
        return self._ticket(request, "reads")

    @route("GET", "/variants/{id}")
    def get_variants(self, request: Request) -> Reply:
        return self._ticket(request, "variants")

    @route("POST", "/reads/{id}")
    def post_reads(self, request: Request) -> Reply:
        return self._post(request, "reads")

    @route("POST", "/variants/{id}")
    def post_variants(self, request: Request) -> Reply:
        return self._post(request, "variants")

    def _ticket(self, request: Request, kind: str) -> Reply:
        if request.params["id"] == "service-info":  # the id is reserved (htsget 1.3.0 §GET request)
            return self._service_info(kind)
        try:
            query = {key: values[0] for key, values in request.query.items()}
            return self._answer(request, kind, request.params["id"], query, None)
        except HtsgetError as exc:
            return self._error(exc.error, exc.message, request)
        except ServerFailure as exc:
            return json_reply({"htsget": {"error": "InternalServerError", "message": str(exc)}}, 500)

    def _post(self, request: Request, kind: str) -> Reply:
        if self.version.startswith("1.2") or self.variant == "no-post" or self.has("post-405-without-allow"):
            return json_reply({"htsget": {"error": "InvalidInput", "message": "POST is not supported"}}, 405,
                              {} if self.has("post-405-without-allow") else {"Allow": "GET"})
        if self.has("post-500"):
            return json_reply({"htsget": {"error": "InternalServerError", "message": "boom"}}, 500)
        try:
            if request.query and not self.has("post-query-params-accepted"):
                raise HtsgetError("InvalidInput", "POST takes no query parameters")
            body = request.json() if request.body else {}
            if not isinstance(body, dict):
                raise HtsgetError("InvalidInput", "the request body is not a JSON object")
            regions = body.get("regions")
            parsed: list[data.Region] | None = None
            if regions == [] and self.has("post-empty-regions-accepted"):
                regions = None
            if regions is not None:
                if not isinstance(regions, list) or not regions:
                    raise HtsgetError("InvalidInput", "regions must be a non-empty array")
                parsed = []
                for region in regions:
                    if isinstance(region, dict) and "referenceName" not in region and \
                            self.has("post-region-without-reference-accepted"):
                        region = {**region, "referenceName": data.CONTIGS[0][0]}
                    if not isinstance(region, dict) or not isinstance(region.get("referenceName"), str):
                        raise HtsgetError("InvalidInput", "every region needs a referenceName")
                    start, end = region.get("start"), region.get("end")
                    for value in (start, end):
                        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                                  or not 0 <= value <= UINT32_MAX):
                            raise HtsgetError("InvalidInput", "start and end are unsigned integers")
                    if start is not None and end is not None and start >= end and not (
                            start == end and self.has("post-empty-region-accepted")):
                        raise HtsgetError("InvalidRange", "start must be less than end")
                    if end is None and self.has("post-open-region-stops-at-start"):
                        end = (start or 0) + 1
                    parsed.append((region["referenceName"], start, end))
                if self.has("post-first-region-only"):
                    parsed = parsed[:1]
            if parsed is None and self.has("post-no-regions-empty"):
                parsed = [(data.CONTIGS[0][0], 0, 0)]
            options = {k: v for k, v in body.items() if k != "regions"}
            if self.has("post-class-header-returns-records") and options.get("class") == "header":
                del options["class"]
            if self.has("post-class-header-with-regions-accepted") and options.get("class") == "header":
                parsed = None
            for key in ("fields", "tags", "notags"):
                if isinstance(options.get(key), list):
                    options[key] = ",".join(str(v) for v in options[key])
            return self._answer(request, kind, request.params["id"], options, parsed, post=True)
        except HtsgetError as exc:
            return self._error(exc.error, exc.message, request)

    def _answer(self, request: Request, kind: str, ident: str, query: dict[str, Any],
                regions: list[data.Region] | None, post: bool = False) -> Reply:
        if ident not in self._ids(kind):
            if self.has("unknown-id-500"):
                return json_reply({"htsget": {"error": "InternalServerError", "message": "lookup failed"}}, 500)
            if self.has("error-with-200"):
                return json_reply({"htsget": {"error": "NotFound", "message": f"no {kind} id {ident}"}}, 200)
            raise HtsgetError("NotFound", f"no {kind} with id {ident!r}")
        self._authorised(request, kind, ident)
        fmt = query.get("format") or DEFAULT_FORMAT[kind]
        if fmt not in self.formats[kind] and not self.has("unsupported-format-200"):
            unoffered = self.has("unoffered-format-invalid-input") and fmt in FORMATS[kind]
            raise HtsgetError("InvalidInput" if unoffered else "UnsupportedFormat",
                              f"format {fmt!r} is not offered for {kind}")
        if fmt not in FORMATS[kind] or (self.has("format-ignored") and "format" in query):
            fmt = DEFAULT_FORMAT[kind]
        if "format" not in query:
            if self.has("default-format-cram") and kind == "reads":
                fmt = "CRAM"
            if self.has("default-format-bcf") and kind == "variants":
                fmt = "BCF"
        klass = query.get("class")
        if klass == "header" and self.has("class-header-ignores-format"):
            fmt = DEFAULT_FORMAT[kind]
        if klass not in (None, "header"):
            raise HtsgetError("InvalidInput", "class must be 'header'")
        others = set(query) - {"format", "class"}
        if klass == "header" and (others or regions) and not self.has("class-header-with-region-accepted"):
            raise HtsgetError("InvalidInput", "class=header takes no other parameter than format")
        tags = _list(query.get("tags"))
        notags = _list(query.get("notags")) or ()
        if tags is not None and set(tags) & set(notags) and not self.has("tags-notags-intersect-accepted"):
            raise HtsgetError("InvalidInput", "tags and notags intersect")
        if not post:
            regions = self._get_region(kind, query)
        regions = self._check_references(kind, regions)
        if regions is not None and any(end is not None and end > data.INT32_MAX for _, _, end in regions) \
                and self.has("end-uint32-overflow-500"):
            return json_reply({"htsget": {"error": "InternalServerError", "message": "int32 overflow"}}, 500)
        if regions is not None and self.has("ticket-500-for-regions"):
            return json_reply({"htsget": {"error": "InternalServerError", "message": "region lookup failed"}}, 500)
        header_only = klass == "header" and not self.has("class-header-returns-records")
        header, body = self._slice(kind, fmt, regions, header_only, tags, notags, query.get("fields"))
        if self.has("empty-region-404") and regions is not None and len(body) <= len(data.EOFS[fmt]) \
                and not header_only:
            raise HtsgetError("NotFound", "no records in that region")
        return self._ticket_reply(kind, ident, fmt, query, regions, header, body, post)

    def _get_region(self, kind: str, query: dict[str, Any]) -> list[data.Region] | None:
        reference = query.get("referenceName")
        if self.has("bad-integer-500") and not all(str(query.get(k, "0")).isdigit() for k in ("start", "end")):
            raise ServerFailure("could not convert the coordinates")
        start, end = _uint(query, "start"), _uint(query, "end")
        if reference is None:
            if (start is not None and not self.has("start-without-reference-ignored")) or (
                    end is not None and not self.has("end-without-reference-ignored")):
                raise HtsgetError("InvalidInput", "start and end need referenceName")
            return None
        if reference == "*" and (start is not None or end is not None) and not self.has("star-with-range-accepted"):
            raise HtsgetError("InvalidInput", "start and end cannot be used with referenceName=*")
        if start is not None and end is not None and not self.has("invalid-range-200") and (
                start > end or (start == end and self.variant == "empty-range-400")):
            raise HtsgetError("InvalidRange", "start is greater than end")
        if start is not None and end is not None and start > end:
            start, end = end, end
        if reference == "*":
            start = end = None
        if reference != "*" and start is None and end is None and self.has("reference-only-first-half"):
            end = dict(data.CONTIGS)[reference] // 2 if reference in dict(data.CONTIGS) else None
        return [(reference, start, end)]

    def _check_references(self, kind: str, regions: list[data.Region] | None) -> list[data.Region] | None:
        if regions is None:
            return None
        known = {name for name, _ in data.CONTIGS} | ({"*"} if kind == "reads" else set())
        if self.has("star-unsupported"):
            known.discard("*")
        for reference, _, _ in regions:
            if reference not in known:
                if self.has("unknown-reference-200-empty"):
                    return [(data.CONTIGS[0][0], 0, 0)]
                raise HtsgetError("NotFound", f"no reference {reference!r} in this {kind} id")
        if self.variant == "superset":
            return [(reference, None, None) for reference, _, _ in regions]
        return regions

    def _slice_args(self, kind: str, fmt: str, regions: list[data.Region] | None, header_only: bool,
                    tags: tuple[str, ...] | None, notags: tuple[str, ...], fields: str | None = None,
                    ) -> tuple[Any, ...]:
        shift, drop = 0, ""
        if regions is not None and not header_only:
            if self.has("start-treated-as-1-based"):
                shift = -1
            if self.has("region-drops-first-read"):
                drop = "first"
            if self.has("region-drops-last-read"):
                drop = "last"
            adjusted = []
            for reference, start, end in regions:
                if self.has("start-plus-one") and start is not None:
                    start += 1
                if self.has("end-minus-one") and end is not None:
                    end -= 1
                if start is not None and end is not None and start > end:
                    start = end
                adjusted.append((reference, start, end))
            regions = adjusted
        if self.has("tags-stripped-by-default") and regions is not None and tags is None:
            tags = ()
        if self.has("requested-tag-stripped") and tags:
            notags = tuple(tags)
            tags = None
        if self.has("notags-strips-all") and notags:
            tags = ()
        comment = ""
        if self.has("header-differs-per-request") and regions is not None:
            comment = f"region={regions[0][0]}:{regions[0][1]}-{regions[0][2]}"
        mode = ""
        if self.has("region-by-pos-only") and kind == "reads":
            mode = "pos-only"
        if self.has("variant-end-ignored"):
            mode = "ref-extent"
        if self.has("whole-file-without-unplaced") and regions is None and kind == "reads":
            mode = "placed-only"
        if self.has("fields-requested-qname-blanked") and "QNAME" in (fields or "").split(","):
            mode = "blank-qname"
        return (kind, fmt, tuple(regions) if regions is not None else None, header_only, shift, drop, tags,
                notags, comment, mode)

    def _slice(self, kind: str, fmt: str, regions: list[data.Region] | None, header_only: bool,
               tags: tuple[str, ...] | None, notags: tuple[str, ...], fields: str | None = None,
               ) -> tuple[bytes, bytes]:
        """Header and body bytes of a request, with the data faults applied (the same for the ticket and
        for the block endpoint, so that md5 and Range agree with what a block serves)."""
        args = self._slice_args(kind, fmt, regions, header_only, tags, notags, fields)
        header, body = data.make_slice(*args)
        sliced = args[2]
        if sliced is not None and len(sliced) > 1 and not header_only:
            if self.has("post-regions-in-list-order"):
                body = self._per_region_body(kind, fmt, list(sliced), in_list_order=True)
            elif self.has("post-overlap-duplicated"):
                body = self._per_region_body(kind, fmt, list(sliced), in_list_order=False)
        if self.has("cram-corrupt") and fmt == "CRAM" and not header_only and len(body) > 100:
            middle = len(body) // 2
            body = body[:middle] + bytes(b ^ 0x5A for b in body[middle:middle + 16]) + body[middle + 16:]
        if self.has("truncated-body") and not header_only and len(body) > 60:
            eof = data.EOFS[fmt]
            body = body[:-len(eof) - 20] + eof
        if self.has("fields-payload-invalid") and fields and not header_only and len(body) > 100:
            middle = len(body) // 2
            body = body[:middle] + bytes(b ^ 0x5A for b in body[middle:middle + 16]) + body[middle + 16:]
        if self.has("missing-eof") and not header_only:
            body = body[:-len(data.EOFS[fmt])]
        return header, body

    def _ticket_reply(self, kind: str, ident: str, fmt: str, query: dict[str, Any],
                      regions: list[data.Region] | None, header: bytes, body: bytes, post: bool = False) -> Reply:
        whole = header + body
        urls: list[dict[str, Any]] = [{"url": self._data_uri(header, fmt), "class": "header"}]
        params = {"format": fmt, **{k: v for k, v in query.items() if k in ("class", "tags", "notags", "fields")}}
        if regions is not None:
            params["regions"] = ";".join(f"{r}:{'' if s is None else s}:{'' if e is None else e}"
                                         for r, s, e in regions)
        if body:
            if len(body) <= INLINE_LIMIT or self.variant == "inline":
                urls.append({"url": self._data_uri(body, fmt), "class": "body"})
            else:
                block = self._block(kind, ident, params, body)
                urls.append({**block, "class": "body"})
        if self.has("class-mislabelled"):
            for url in urls:
                url["class"] = "body" if url["class"] == "header" else "header"
        if self.has("class-bad-value"):
            for url in urls[1:]:
                url["class"] = "data"
        if self.has("class-partial"):
            for url in urls[1:]:
                url.pop("class", None)
        if self.variant == "no-class":
            for url in urls:
                url.pop("class", None)
        ticket: dict[str, Any] = {"format": fmt.lower() if self.has("format-lowercase") else fmt, "urls": urls}
        md5 = hashlib.md5(whole).hexdigest()
        if self.has("md5-wrong"):
            md5 = hashlib.md5(header).hexdigest()
        if self.has("md5-not-hex"):
            md5 = base64.b64encode(hashlib.md5(whole).digest()).decode()
        if self.variant != "no-md5":
            ticket["md5"] = md5
        if self.has("urls-object"):
            ticket["urls"] = {str(i): u for i, u in enumerate(urls)}
        wrapped = not self.has("ticket-no-wrapper") and not (post and self.has("post-ticket-no-wrapper"))
        document: dict[str, Any] = {"htsget": ticket} if wrapped else ticket
        content_type = "text/plain" if self.has("wrong-content-type") else TICKET_TYPE
        return json_reply(document, content_type=content_type)

    def _per_region_body(self, kind: str, fmt: str, regions: list[data.Region], in_list_order: bool) -> bytes:
        """A body made region by region: in list order (a fault) or with overlaps repeated (a fault)."""
        order = regions if in_list_order else sorted(
            regions, key=lambda r: ([n for n, _ in data.CONTIGS].index(r[0]) if r[0] != "*" else 99, r[1] or 0))
        pieces = []
        for region in order:
            _, part = data.make_slice(kind, fmt, (region,))
            pieces.append(part[:-len(data.EOFS[fmt])])
        return b"".join(pieces) + data.EOFS[fmt]

    def _data_uri(self, payload: bytes, fmt: str) -> str:
        encoded = base64.b64encode(payload).decode()
        if self.has("data-uri-not-base64"):
            from urllib.parse import quote_from_bytes

            return f"data:application/octet-stream,{quote_from_bytes(payload)}"
        if self.has("data-uri-percent-encoded"):
            encoded = encoded.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
        if self.variant == "media-types":
            return f"data:;base64,{encoded}" if fmt in ("BAM", "VCF") else \
                f"data:application/octet-stream;base64,{encoded}"
        return f"data:application/vnd.ga4gh.{fmt.lower()};base64,{encoded}"

    def _block(self, kind: str, ident: str, params: dict[str, str], body: bytes) -> dict[str, Any]:
        query = dict(params)
        if ident == PROTECTED_ID and not self.has("block-needs-api-token"):
            query["token"] = self.block_token
        if self.has("block-single-use"):
            query["nonce"] = str(next(self._nonces))
        base = "" if self.has("relative-url") else self.root_url
        block: dict[str, Any] = {"url": f"{base}/data/{kind}/{ident}?{urlencode(query)}"}
        if self.has("block-url-not-percent-encoded"):
            block["url"] += "&note=conformance block|raw"
        offset = self._block_offset()
        headers: dict[str, Any] = {"Range": f"bytes={offset}-{offset + len(body) - 1}"}
        if self.has("headers-non-string"):
            headers["Range"] = [headers["Range"]]
        block["headers"] = headers
        return block

    def _block_offset(self) -> int:
        """Where the block starts in the resource its URL serves."""
        return BLOCK_OFFSET if self.variant == "block-in-file" or self.has("block-range-ignored") else 0

    # -- data blocks --------------------------------------------------------------------------------

    @route("GET", "/data/{kind}/{id}")
    def data_block(self, request: Request) -> Reply:
        kind, ident = request.params["kind"], request.params["id"]
        if kind not in FORMATS or ident not in self._ids(kind):
            return Reply(404, b"no such block", {"Content-Type": "text/plain"})
        if ident == PROTECTED_ID:
            allowed = request.arg("token") == self.block_token or (
                self.has("block-needs-api-token") and request.header("Authorization") == f"Bearer {self.token}")
            if not allowed:
                return Reply(403, b"block token missing", {"Content-Type": "text/plain"})
        if self.has("ticket-headers-missing") and request.header("X-Block-Signature") is None:
            return Reply(400, b"missing X-Block-Signature", {"Content-Type": "text/plain"})
        nonce = request.arg("nonce")
        if nonce is not None:
            if nonce in self._used_nonces:
                return Reply(410, b"this block URL was already used", {"Content-Type": "text/plain"})
            self._used_nonces.add(nonce)
        fmt = request.arg("format") or DEFAULT_FORMAT[kind]
        regions: list[data.Region] | None = None
        if request.arg("regions"):
            regions = []
            for part in (request.arg("regions") or "").split(";"):
                reference, start, end = part.split(":")
                regions.append((reference, int(start) if start else None, int(end) if end else None))
        query = {k: request.arg(k) for k in ("class", "tags", "notags", "fields") if request.arg(k) is not None}
        header_only = query.get("class") == "header" and not self.has("class-header-returns-records")
        tags, notags = _list(query.get("tags")), _list(query.get("notags")) or ()
        _, body = self._slice(kind, fmt, regions, header_only, tags, notags, query.get("fields"))
        body = bytes(self._block_offset()) + body  # the resource the block lies in
        cors = {} if self.has("block-no-cors") else {"Access-Control-Allow-Origin": "*"}
        rng = request.header("Range")
        if rng and rng.startswith("bytes=") and not self.has("block-range-ignored"):
            first, _, last = rng[6:].partition("-")
            lo, hi = int(first), int(last) if last else len(body) - 1
            if self.has("block-range-not-subdivisible") and (lo, hi) != (self._block_offset(), len(body) - 1):
                return Reply(416, b"only the ticket's range is served", {"Content-Type": "text/plain", **cors})
            chunk = body[lo:hi + 1]
            ranged = {} if self.has("block-206-without-content-range") else {
                "Content-Range": f"bytes {lo}-{lo + len(chunk) - 1}/{len(body)}"}
            return self._block_reply(Reply(206, chunk, {"Content-Type": "application/octet-stream", **ranged,
                                                        **cors}))
        return self._block_reply(Reply(200, body, {"Content-Type": "application/octet-stream", **cors}))

    def _block_reply(self, reply: Reply) -> Reply:
        """A block answer; ``block-close-delimited`` sends it with neither Content-Length nor chunked
        transfer encoding, ending it by closing the connection."""
        if not self.has("block-close-delimited"):
            return reply

        def write(handler: Any) -> None:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(reply.body)

        return Reply(reply.status, reply.body, reply.headers, raw=write)


def _uint(query: dict[str, Any], key: str) -> int | None:
    value = query.get(key)
    if value is None:
        return None
    text = str(value)
    if not text.isdigit() or int(text) > UINT32_MAX:
        raise HtsgetError("InvalidInput", f"{key} must be an unsigned 32-bit integer, not {text!r}")
    return int(text)


def _list(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(v for v in str(value).split(",") if v)
