"""What the refget checks share: one cached view of a refget sequences service per run.

Every answer several checks need (service-info, the metadata of each sequence, each sequence streamed
and hashed, the Range answers) is fetched once. Sequences stream through the client into MD5 and SHA-512
objects (constant memory); a few windows of each are kept (head, middle, tail) to judge sub-sequences.
The sequences come from the profile (``sequences``): refget offers no listing ("Explicitly this API does
NOT: Provide a way to discover identifiers for valid sequences", refget 1.0.1 §Design principles).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeGuard
from urllib.parse import quote

import pytest

from conformance import BudgetExceeded, CheckFailure, Response, ServiceView, json_type

from .digests import NOT_UPPER, SequenceDigest, is_normalised, same_checksum
from .slices import WINDOW, Capture, Known

_SKIP = pytest.skip.Exception
#: Of an answer that should be a sub-sequence, the bases kept to compare (a 200 with the whole sequence
#: in answer to a Range is hashed, not kept).
KEEP = 64 * 1024
NOT_UPPER_RE = re.compile(b"[" + re.escape(NOT_UPPER) + b"]")
#: An identifier no server holds: the MD5 of a text that is no sequence (32 hex digits, the MD5 form).
UNKNOWN_MD5 = "0c0a6f1f7b1e4a8d9e2f3a4b5c6d7e8f"
#: refget 1.0.1 and 2.0.0 §Method: Fetch information on the service; the 2.0.0 example's path (erratum E10).
SERVICE_INFO_PATH = "/sequence/service-info"
SERVICE_INFO_EXAMPLE_PATH = "/service-info"
VENDOR_TEXT = re.compile(r"^text/vnd\.ga4gh\.refget\.v\d+(\.\d+)*\+plain$")
VENDOR_JSON = re.compile(r"^application/vnd\.ga4gh\.refget\.v\d+(\.\d+)*\+json$")


def sequence_path(ident: str) -> str:
    """``/sequence/<id>``; an id is sent as given but for characters a path cannot carry (``:`` of a
    namespaced id stays, refget 2.0.0 §Namespace of the checksums)."""
    return f"/sequence/{quote(ident, safe=':')}"


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def answered(response: Response) -> str:
    return f"{response.status} {response.reason}".strip()


@dataclass(frozen=True)
class Capabilities:
    """The service's declared capabilities (refget 1.0.1 ``service``, 2.0.0 ``refget`` object of
    service-info); a value is None when the document does not give a usable one."""

    response: Response | None
    container: dict[str, Any] | None
    circular_supported: bool | None
    #: int >= 1, or None for no limit ("null values or values lower than 1 mean the server has no imposed
    #: limit", refget 2.0.0; "May be null if the server has imposed no limit", refget 1.0.1).
    limit: int | None
    #: False when subsequence_limit is present but neither an integer nor null: the limit is unknown.
    limit_known: bool
    algorithms: list[str] | None
    identifier_types: list[str] | None


@dataclass(frozen=True)
class Fetched:
    """One sequence streamed with the default Accept: its digests over the normalised bases, its length,
    the first byte that is not uppercase A-Z, and the windows kept."""

    ident: str
    response: Response
    digest: SequenceDigest
    raw_length: int
    #: (offset, byte) of the first byte outside 0x41-0x5A, or None.
    bad: tuple[int, int] | None
    #: The body went past the bound the harness set (twice the metadata length): not read to its end.
    cut: bool
    known: Known

    @property
    def length(self) -> int:
        return self.digest.length


@dataclass(frozen=True)
class Verified:
    """A profile sequence whose bytes hash to the MD5 its metadata lists: the ground truth of the
    sub-sequence checks."""

    ident: str
    metadata: dict[str, Any]
    metadata_response: Response
    fetched: Fetched

    @property
    def length(self) -> int:
        return self.fetched.length

    @property
    def known(self) -> Known:
        return self.fetched.known


@dataclass(frozen=True)
class Ranged:
    """The answer to a GET with a Range header: the response, the first bases of its body, and the
    count and MD5 of the whole body (a 200 may carry the entire sequence)."""

    response: Response
    head: bytes
    count: int
    md5: str


class Refget(ServiceView):
    """The run's view of one refget sequences service."""

    # -- the declared version ----------------------------------------------------------------------

    @property
    def v1(self) -> bool:
        return not self.at_least("2.0.0")

    @property
    def text_type(self) -> str:
        """The versioned sequence media type (``text/vnd.ga4gh.refget.v2.0.0+plain``)."""
        return f"text/vnd.ga4gh.refget.v{self.version}+plain"

    @property
    def json_type(self) -> str:
        return f"application/vnd.ga4gh.refget.v{self.version}+json"

    # -- profile hints -----------------------------------------------------------------------------

    def sequence_ids(self) -> list[str]:
        ids = self.option("sequences")
        if not ids:
            pytest.skip("the profile lists no sequences (refget offers no listing; name ids under `sequences`)")
        return ids

    def circular_ids(self) -> list[str]:
        return self.option("circular_sequences")

    # -- service-info ------------------------------------------------------------------------------

    def service_info_response(self) -> Response:
        """GET /sequence/service-info; in 2.0.0, where that is not answered 200, GET /service-info when it is
        (erratum E10: the method's heading names the first, its example the second)."""
        return self._service_info()[1]

    @property
    def service_info_path(self) -> str:
        """The path :meth:`service_info_response` read service-info from."""
        return self._service_info()[0]

    def _service_info(self) -> tuple[str, Response]:
        return self.memo("service-info", self._read_service_info)

    def _read_service_info(self) -> tuple[str, Response]:
        response = self.client.get(SERVICE_INFO_PATH)
        if response.status != 200 and not self.v1:
            other = self.client.get(SERVICE_INFO_EXAMPLE_PATH)
            if other.status == 200:
                return SERVICE_INFO_EXAMPLE_PATH, other
        return SERVICE_INFO_PATH, response

    def service_info(self) -> tuple[dict[str, Any], Response]:
        response = self.service_info_response()
        see = "refget.service-info.answers-200" if self.v1 else "service-info.endpoint.answers-200"
        return _document(response, f"GET {self.service_info_path}", see), response

    def container_name(self) -> str:
        return "service" if self.v1 else "refget"

    def capabilities(self) -> Capabilities:
        """The declared capabilities; never skips (each value is None when unusable)."""
        return self.memo("capabilities", self._capabilities)

    def declared_capabilities(self) -> Capabilities:
        """The declared capabilities; skips with the reason when there is no service-info document (issue 19:
        seqrepo-rest-service's answered 500, and "service-info gives no algorithms array" was not the reason)."""
        caps = self.capabilities()
        if caps.response is None:
            self.service_info()
        return caps

    def _capabilities(self) -> Capabilities:
        try:
            document, response = self.service_info()
        except _SKIP:
            return Capabilities(None, None, None, None, False, None, None)
        container = document.get(self.container_name())
        if not isinstance(container, dict):
            return Capabilities(response, None, None, None, False, None, None)
        circular = container.get("circular_supported")
        raw_limit = container.get("subsequence_limit")
        limit_known = raw_limit is None or is_int(raw_limit)
        limit = raw_limit if is_int(raw_limit) and raw_limit >= 1 else None
        algorithms = container.get("algorithms")
        types = container.get("identifier_types")
        return Capabilities(
            response, container,
            circular if isinstance(circular, bool) else None,
            limit, limit_known,
            [a for a in algorithms if isinstance(a, str)] if isinstance(algorithms, list) else None,
            [t for t in types if isinstance(t, str)] if isinstance(types, list) else None,
        )

    def limit(self) -> int | None:
        """The subsequence limit, or None for none; skips when service-info gives an unusable value."""
        caps = self.capabilities()
        if caps.response is None:
            self.service_info()  # no service-info document: skip saying why, not that a value is unusable
        if caps.container is None:  # no capabilities object: no subsequence_limit was given, unusable or not
            pytest.skip(f"service-info has no {self.container_name()} object, so which sub-sequences must be "
                        "served is unknown (see refget.service-info.capabilities-object-present)")
        if not caps.limit_known:
            pytest.skip("service-info's subsequence_limit is neither an integer nor null, so which sub-sequences "
                        "must be served is unknown (see refget.schema.service-info-capabilities-valid)")
        return caps.limit

    # -- metadata ----------------------------------------------------------------------------------

    def metadata_response(self, ident: str) -> Response:
        listed = self.option("sequences") + self.circular_ids()
        if ident in listed:  # every listed sequence's metadata is asked for: side by side
            self.prefetch("metadata", lambda: [(("metadata", i), partial(self._get_metadata, i)) for i in listed])
        return self.memo(("metadata", ident), lambda: self._get_metadata(ident))

    def _get_metadata(self, ident: str) -> Response:
        return self.client.get(sequence_path(ident) + "/metadata")

    def metadata(self, ident: str) -> tuple[dict[str, Any], Response]:
        """The ``metadata`` object of an id's metadata document."""
        response = self.metadata_response(ident)
        what = f"GET {sequence_path(ident)}/metadata"
        document = _document(response, what, "refget.metadata.known-id-answers-200")
        inner = document.get("metadata")
        if not isinstance(inner, dict):
            pytest.skip(f"{what} has no metadata object (see refget.metadata.fields-valid)")
        return inner, response

    def documents(self) -> list[tuple[str, dict[str, Any], Response]]:
        """(id, metadata object, response) of every profile sequence whose metadata could be read."""
        found = []
        reason = ""
        for ident in self.sequence_ids():
            try:
                inner, response = self.metadata(ident)
            except _SKIP as exc:
                reason = reason or str(exc.msg)
                continue
            found.append((ident, inner, response))
        if not found:
            pytest.skip(f"no metadata could be read: {reason}")
        return found

    # -- the sequences themselves ------------------------------------------------------------------

    def fetched(self, ident: str) -> Fetched:
        """The sequence of ``ident`` streamed once with the default Accept (whatever the status); every
        listed sequence side by side (:meth:`prefetch`)."""
        self.prefetch("sequences", self._fetch_entries)
        return self.memo(("fetch", ident), lambda: self._fetch(ident))

    def _fetch_entries(self) -> list[tuple[Any, Callable[[], Fetched]]]:
        """Every listed sequence whose metadata is made and states its length, when what they may read takes
        at most half of what remains of the run's bytes (RunLimits.within_half)."""
        entries: list[tuple[Any, Callable[[], Fetched]]] = []
        needed = 0
        for ident in self.option("sequences"):
            try:
                length = self.metadata(ident)[0].get("length")  # what _fetch reads: made already, or left out
            except (Exception, pytest.skip.Exception):
                continue
            if not is_int(length) or length < 0:
                continue  # read within max_response_bytes: left to its check
            needed += 2 * length + 4096  # _fetch's cap
            entries.append((("fetch", ident), partial(self._fetch, ident)))
        return entries if self.run.limits.within_half(read=needed) else []

    def _fetch(self, ident: str) -> Fetched:
        try:
            declared = self.metadata(ident)[0].get("length")
        except _SKIP:
            declared = None
        length = declared if is_int(declared) and declared >= 0 else None
        limits = self.run.limits
        remaining = limits.budget.max_run_bytes - limits.bytes
        if length is not None and length > remaining:
            limits.note("max_run_bytes")
            raise BudgetExceeded(f"the sequence {ident} has {length} bases but only {max(0, remaining)} bytes remain "
                                 f"of the run's byte budget (max_run_bytes={limits.budget.max_run_bytes})",
                                 "max_run_bytes")
        # Twice the declared length tells a body with line breaks from one of another sequence, and bounds
        # what a wrong answer costs; without a declared length, the response-size cap applies.
        cap = min(2 * length + 4096, remaining) if length is not None else None
        digest = SequenceDigest()
        capture = Capture(WINDOW, length // 2 if length is not None else None)
        raw = 0
        bad: tuple[int, int] | None = None

        def on_chunk(chunk: bytes | bytearray) -> None:
            nonlocal raw, bad
            clean = is_normalised(chunk)  # the common case, at memory speed: no scan, no copy
            if bad is None and not clean:
                found = NOT_UPPER_RE.search(chunk)
                if found:
                    bad = (raw + found.start(), chunk[found.start()])
            raw += len(chunk)
            capture.feed(digest.update(chunk, normalised=clean))

        # evidence_digest=False: the sequence's evidence is the MD5 and SHA-512 computed here (the checks
        # name them in their failures); a sha-256 of the same bases beside them cost a fifth of the
        # verification's time. borrowed: the pieces are the client's two reused buffers (no allocation per
        # piece); on_chunk keeps only copies (the windows, a bad byte's value), and SequenceDigest's
        # pipelined hashing has finished a piece when its next update returns (issue 13).
        response = self.client.stream(sequence_path(ident), on_chunk, max_bytes=cap, evidence_digest=False,
                                      borrowed=True, claims=[self.metadata_response(ident).exchange])
        return Fetched(ident, response, digest, raw, bad, response.truncated, capture.known())

    def fetched_ok(self, ident: str) -> Fetched:
        fetched = self.fetched(ident)
        if fetched.response.status != 200:
            pytest.skip(f"GET {sequence_path(ident)} answered {answered(fetched.response)} "
                        "(see refget.sequence.known-id-answers-200)")
        if fetched.cut:
            pytest.skip(f"GET {sequence_path(ident)} sent more than the harness reads of one sequence (twice the "
                        "metadata length, or max_response_bytes without one); not read to its end "
                        "(see refget.sequence.length-matches-bytes)")
        return fetched

    def verified_one(self, ident: str) -> Verified:
        """The sequence of ``ident`` whose bytes hash to the MD5 its metadata lists; skips otherwise."""
        return self.memo(("verified", ident), lambda: self._verify(ident))

    def _verify(self, ident: str) -> Verified:
        inner, response = self.metadata(ident)
        fetched = self.fetched_ok(ident)
        listed = inner.get("md5")
        if not isinstance(listed, str):
            pytest.skip(f"the metadata of {ident} lists no md5 string to verify its bytes by "
                        "(see refget.metadata.fields-valid)")
        if not same_checksum("md5", listed, fetched.digest.md5):
            pytest.skip(f"the bytes of {ident} do not hash to the md5 its metadata lists "
                        "(see refget.sequence.md5-matches-bytes)")
        return Verified(ident, inner, response, fetched)

    def verified(self) -> list[Verified]:
        """Every profile sequence verified against its metadata MD5; skips when there is none."""
        found = []
        reason = ""
        for ident in self.sequence_ids():
            try:
                found.append(self.verified_one(ident))
            except _SKIP as exc:
                reason = reason or str(exc.msg)
        if not found:
            pytest.skip(f"no sequence to check: {reason}")
        return found

    def longest(self, minimum: int = 20) -> Verified:
        """The longest verified sequence of at least ``minimum`` bases (sub-sequence checks need room)."""
        candidates = [v for v in self.verified() if v.length >= minimum]
        if not candidates:
            pytest.skip(f"no verified sequence has at least {minimum} bases to take sub-sequences of")
        return max(candidates, key=lambda v: v.length)

    # -- sub-sequences -----------------------------------------------------------------------------

    def query(self, ident: str, start: int | str | None, end: int | str | None,
              headers: dict[str, str] | None = None, *, cache: bool = True) -> Response:
        """GET /sequence/<id>?start=..&end=.. (either may be left out, or be a malformed value)."""
        params = {k: str(v) for k, v in (("start", start), ("end", end)) if v is not None}

        def get() -> Response:
            return self.client.get(sequence_path(ident), params=params, headers=headers)

        if not cache:
            return get()
        key = ("query", ident, tuple(sorted(params.items())), tuple(sorted((headers or {}).items())))
        return self.memo(key, get)

    def ranged(self, ident: str, header: str, params: dict[str, str] | None = None) -> Ranged:
        """GET with ``Range: <header>``, streamed: a server may answer 200 with the whole sequence."""
        return self.memo(("range", ident, header, tuple(sorted((params or {}).items()))),
                         lambda: self._ranged(ident, header, params))

    def _ranged(self, ident: str, header: str, params: dict[str, str] | None) -> Ranged:
        try:
            length: int | None = self.verified_one(ident).length
        except _SKIP:
            length = None
        digest = SequenceDigest()
        head = bytearray()

        def on_chunk(chunk: bytes) -> None:
            if len(head) < KEEP:
                head.extend(chunk[: KEEP - len(head)])
            digest.update(chunk)

        path = sequence_path(ident)
        response = self.client.stream(path, on_chunk, params=params, headers={"Range": header},
                                      max_bytes=2 * length + 4096 if length is not None else None, claims=[])
        return Ranged(response, bytes(head), digest.length, digest.md5)

    # -- unknown ids -------------------------------------------------------------------------------

    def unknown_sequence(self) -> Response:
        return self.memo("unknown", lambda: self.client.get(sequence_path(UNKNOWN_MD5), max_bytes=65536))

    def unknown_metadata(self) -> Response:
        return self.memo("unknown-metadata",
                         lambda: self.client.get(sequence_path(UNKNOWN_MD5) + "/metadata", max_bytes=65536))


def listed_checksums(metadata: dict[str, Any], version_1: bool) -> list[tuple[str, str]]:
    """(algorithm, value) of every non-null checksum a metadata object lists: ``md5``, ``ga4gh`` (2.0.0),
    and ``trunc512`` (the 1.0.1 table names it ``TRUNC512``, its example and the OpenAPI ``trunc512``)."""
    found: list[tuple[str, str]] = []
    if isinstance(metadata.get("md5"), str):
        found.append(("md5", metadata["md5"]))
    if not version_1 and isinstance(metadata.get("ga4gh"), str):
        found.append(("ga4gh", metadata["ga4gh"]))
    trunc = trunc512_value(metadata)
    if isinstance(trunc, str):
        found.append(("trunc512", trunc))
    return found


def trunc512_value(metadata: dict[str, Any]) -> Any:
    return metadata["trunc512"] if "trunc512" in metadata else metadata.get("TRUNC512")


def computed(fetched: Fetched, kind: str) -> str:
    return {"md5": fetched.digest.md5, "ga4gh": fetched.digest.ga4gh, "trunc512": fetched.digest.trunc512}[kind]


def same_sequence(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Two metadata objects name the same sequence: equal MD5 (case-insensitive) and length."""
    a, b = first.get("md5"), second.get("md5")
    return (isinstance(a, str) and isinstance(b, str) and a.lower() == b.lower()
            and first.get("length") == second.get("length"))


def metadata_of(response: Response) -> dict[str, Any] | None:
    body = response.json_object() if response.status == 200 else None
    inner = body.get("metadata") if body is not None else None
    return inner if isinstance(inner, dict) else None


def _document(response: Response, what: str, see: str) -> dict[str, Any]:
    if response.status != 200:
        pytest.skip(f"{what} answered {answered(response)} (see {see})")
    try:
        body = response.json()
    except CheckFailure:
        pytest.skip(f"{what} did not answer JSON (see {see})")
    if not isinstance(body, dict):
        pytest.skip(f"{what} answered a JSON {json_type(body)}, not an object (see {see})")
    return body
