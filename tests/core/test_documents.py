"""Data standards (``Suite(data=True)``): profile entries that name documents, and ``read_document``
(conformance/documents.py) reading them from files, http(s) URLs and ``drs://`` URIs."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance import ServiceView
from conformance.documents import read_document
from conformance.errors import BudgetExceeded, DocumentUnavailable, ProfileError
from conformance.profile import load_profile
from conformance.reference import start
from conformance.run import Run, prepare
from conformance.suite import Suite, discover
from conformance.testing import serving

DATA = Suite(standard="docs-example", title="Example documents", versions=("1.0",), data=True,
             service_options={"documents": {"type": "array", "items": {"type": "string"}}})


class Documents(ServiceView):
    pass


def _standards() -> dict[str, Any]:
    return {**discover(), DATA.standard: DATA}


def _load(tmp_path: Path, *entries: dict[str, Any], budget: dict[str, Any] | None = None) -> Any:
    path = tmp_path / "profile.yaml"
    document: dict[str, Any] = {"initiative": "Docs", "services": list(entries)}
    if budget:
        document["budget"] = budget
    path.write_text(yaml.safe_dump(document))
    return load_profile(path, standards=_standards())


@pytest.fixture()
def run_of(tmp_path: Path) -> Iterator[Any]:
    made: list[Run] = []

    def make(*entries: dict[str, Any], budget: dict[str, Any] | None = None) -> Run:
        run = prepare(_load(tmp_path, *entries, budget=budget), report_root=tmp_path / "reports")
        made.append(run)
        return run

    yield make
    for run in made:
        run.close()
        for server in run.servers:
            server.stop()


def _view(run: Run) -> Documents:
    service = next(s for s in run.profile.services if s.standard == DATA.standard)
    return Documents.of(service, run)


def test_a_data_entry_needs_documents_but_no_url(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"{}")
    profile = _load(tmp_path, {"standard": "docs-example", "version": "1.0", "documents": ["a.json"]})
    assert profile.services[0].url == "" and profile.services[0].options["documents"] == ["a.json"]
    with pytest.raises(ProfileError, match=r"services\[0\]\.documents: required key missing"):
        _load(tmp_path, {"standard": "docs-example", "version": "1.0"})
    with pytest.raises(ProfileError, match=r"services\[0\]\.url: required key missing"):
        _load(tmp_path, {"standard": "service-info", "version": "1.0.0"})


def test_files_resolve_against_the_profile_folder(tmp_path: Path, run_of: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance import suite as suites

    known = suites.for_standard
    monkeypatch.setattr(suites, "for_standard", lambda name: DATA if name == DATA.standard else known(name))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.json").write_bytes(b'{"id": "a"}')
    run = run_of({"standard": "docs-example", "version": "1.0", "documents": ["docs/a.json"]})
    assert run.probe(run.profile.services[0]) is None  # never probed
    document = read_document(_view(run), "docs/a.json")
    assert document.data == b'{"id": "a"}' and document.location == str(tmp_path / "docs" / "a.json")
    assert document.response is None and read_document(_view(run), "docs/a.json") is document
    with pytest.raises(DocumentUnavailable, match=r"^missing\.json: no such file"):
        read_document(_view(run), "missing.json")


def test_a_document_over_the_budget_is_cut_short_not_read(tmp_path: Path, run_of: Any) -> None:
    (tmp_path / "big.json").write_bytes(b"x" * 2048)
    run = run_of({"standard": "docs-example", "version": "1.0", "documents": ["big.json"]},
                 budget={"max_document_bytes": 1024})
    with pytest.raises(BudgetExceeded, match="larger than 1024 bytes") as caught:
        read_document(_view(run), "big.json")
    assert caught.value.limit == "max_document_bytes"
    assert read_document(_view(run), "big.json", limit=4096).data == b"x" * 2048


def test_relative_documents_resolve_against_the_entry_url(run_of: Any) -> None:
    server = start("service-info")
    try:
        run = run_of({"standard": "docs-example", "version": "1.0", "url": server.url,
                      "documents": ["service-info", "no-such-document.json"]})
        document = read_document(_view(run), "service-info")
        assert document.location == server.url.rstrip("/") + "/service-info"
        assert document.media_type == "application/json" and document.response is not None
        assert b'"type"' in document.data
        with pytest.raises(DocumentUnavailable, match=r"no-such-document\.json: GET .* answered HTTP 404"):
            read_document(_view(run), "no-such-document.json")
        # every check that needs it is told so from that one reading, with its evidence
        asked = run.limits.requests
        with pytest.raises(DocumentUnavailable, match=r"no-such-document\.json: GET .* answered HTTP 404") as again:
            read_document(_view(run), "no-such-document.json")
        assert run.limits.requests == asked and again.value.exchange is not None
        absolute = read_document(_view(run), server.url.rstrip("/") + "/service-info")
        assert absolute.data == document.data
    finally:
        server.stop()


def test_an_unknown_scheme_is_named(run_of: Any, tmp_path: Path) -> None:
    run = run_of({"standard": "docs-example", "version": "1.0", "documents": ["ftp://x.example.org/a"]})
    with pytest.raises(DocumentUnavailable, match=r"no suite resolves ftp:// documents .*drs"):
        read_document(_view(run), "ftp://x.example.org/a")


def test_drs_uris_resolve_through_the_profile_drs_service(run_of: Any) -> None:
    """A ``drs://`` document is the blob's bytes, read through the profile's DRS service (its own client)."""
    drs = {"standard": "drs", "version": "1.4.0", "reference": True}
    run = run_of(drs, {"standard": "docs-example", "version": "1.0", "documents": ["drs://anywhere/blob-2"]})
    import hashlib

    from conformance_suites.drs.reference.app import BLOBS

    blob = next(b for b in BLOBS if b.id == "blob-2")
    blob.compute()
    document = read_document(_view(run), "drs://drs.example.org/blob-2")
    assert len(document.data) == blob.size
    assert hashlib.sha256(document.data).hexdigest() == blob.checksums["sha-256"]
    assert document.ref == "drs://drs.example.org/blob-2" and document.response is not None
    with pytest.raises(DocumentUnavailable, match=r"drs://h/no-such: GET /objects/no-such answered HTTP 404"):
        read_document(_view(run), "drs://h/no-such")


def test_drs_uris_without_a_drs_service_are_unavailable(run_of: Any) -> None:
    run = run_of({"standard": "docs-example", "version": "1.0", "documents": ["drs://h/x"]})
    with pytest.raises(DocumentUnavailable, match="declares no DRS service"):
        read_document(_view(run), "drs://h/x")


def test_stream_document_hands_over_the_bytes_without_keeping_them(tmp_path: Path, run_of: Any) -> None:
    """``stream_document``: each piece of the body goes to ``on_chunk`` and the Document keeps none; a
    suite's resolver that takes ``on_chunk`` (drs://) streams, and the document budget is no cap."""
    import hashlib

    from conformance_suites.drs.reference.app import BLOBS

    from conformance.documents import stream_document

    (tmp_path / "a.bin").write_bytes(b"y" * 3000)
    drs = {"standard": "drs", "version": "1.4.0", "reference": True}
    run = run_of(drs, {"standard": "docs-example", "version": "1.0", "documents": ["a.bin"]},
                 budget={"max_document_bytes": 1024})
    blob = next(b for b in BLOBS if b.id == "blob-1")  # 200 000 bytes, over the document budget
    blob.compute()
    pieces: list[bytes] = []
    document = stream_document(_view(run), "drs://anywhere/blob-1", pieces.append)
    assert document.data == b"" and document.response is not None
    assert hashlib.sha256(b"".join(pieces)).hexdigest() == blob.checksums["sha-256"]
    whole: list[bytes] = []
    assert stream_document(_view(run), "a.bin", whole.append, limit=4096).data == b""
    assert whole == [b"y" * 3000]
    with pytest.raises(DocumentUnavailable, match=r"drs://h/no-such: GET /objects/no-such answered HTTP 404"):
        stream_document(_view(run), "drs://h/no-such", whole.append)


def test_drs_uris_on_a_shared_host_find_the_service_that_holds_the_object(run_of: Any) -> None:
    """Two DRS services on one host (127.0.0.1, other ports): the one whose entry lists the id, else the
    first that holds it, reads a drs:// document."""
    first = {"standard": "drs", "version": "1.4.0", "reference": True, "objects": ["blob-1"]}
    second = {"standard": "drs", "version": "1.4.0", "reference": {"options": {"large_object_size": 10}},
              "objects": ["blob-2"]}
    run = run_of(first, second, {"standard": "docs-example", "version": "1.0", "documents": ["drs://x/large-1"]})
    assert read_document(_view(run), "drs://127.0.0.1/large-1").data != b""
    from conformance_suites.drs.documents import drs_blob

    assert drs_blob(run, "drs://127.0.0.1/blob-2").service.options["objects"] == ["blob-2"]


def _read_within(view: ServiceView, ref: str, seconds: float = 10.0) -> BaseException | None:
    """What reading ``ref`` raised, from a thread given ``seconds``: a read that blocks fails the test
    instead of hanging it."""
    raised: list[BaseException | None] = []

    def read() -> None:
        try:
            read_document(view, ref)
            raised.append(None)
        except BaseException as exc:  # handed to the test
            raised.append(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(seconds)
    assert raised, f"reading {ref} blocked for {seconds} s"
    return raised[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_named_and_never_opened(tmp_path: Path, run_of: Any) -> None:
    """Opening a FIFO blocks until a writer comes, past --max-seconds: it is refused by its kind."""
    (tmp_path / "docs").mkdir()
    os.mkfifo(tmp_path / "docs" / "fifo.json")
    run = run_of({"standard": "docs-example", "version": "1.0", "documents": ["docs/fifo.json"]})
    raised = _read_within(_view(run), "docs/fifo.json")
    assert isinstance(raised, DocumentUnavailable)
    assert raised.message == (f"docs/fifo.json: not a regular file (a FIFO), so not read "
                              f"({tmp_path / 'docs' / 'fifo.json'})")


@pytest.mark.skipif(not Path("/dev/zero").exists() or not hasattr(socket, "AF_UNIX"),
                    reason="no /dev/zero or Unix sockets on this platform")
def test_devices_and_sockets_are_not_read(tmp_path: Path, run_of: Any) -> None:
    """Only regular files are read: /dev/zero (named or behind a link) never ends, a socket is no file."""
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(tmp_path / "s.json"))
    try:
        run = run_of({"standard": "docs-example", "version": "1.0", "documents": ["zero.json"]})
        for ref, kind in (("zero.json", "a character device"), ("/dev/zero", "a character device"),
                          ("s.json", "a socket")):
            raised = _read_within(_view(run), ref)
            assert isinstance(raised, DocumentUnavailable), (ref, raised)
            assert raised.message.startswith(f"{ref}: not a regular file ({kind}), so not read ("), raised.message
        (tmp_path / "a.json").write_bytes(b"{}")
        (tmp_path / "link.json").symlink_to(tmp_path / "a.json")  # a link to a regular file is read
        assert read_document(_view(run), "link.json").data == b"{}"
    finally:
        listening.close()


DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


def test_nesting_past_the_limit_of_http_answers_is_named() -> None:
    """The limit of HTTP answers (MAX_DEPTH, RFC 8259 §9), for arrays and objects; YAML that is not JSON
    to half that (PyYAML's composer spends two Python frames a level); binary documents not judged."""
    from conformance.documents import YAML_MAX_DEPTH, nesting_problem
    from conformance.http.models import MAX_DEPTH

    deep = f"nested too deeply to parse (deeper than {MAX_DEPTH} levels of arrays and objects)"
    assert nesting_problem(DEEP_JSON) == deep
    assert nesting_problem(b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1)) == deep
    assert nesting_problem(b'{"a":' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH) is None  # JSON: parsed as deep
    assert nesting_problem(b'["' + b"[" * 5000 + b'"]') is None  # brackets in a string are text
    assert nesting_problem("[".encode("utf-16") * 5000) == deep  # JSON may be UTF-16
    assert nesting_problem(b"crypt4gh\x01\x00\x00\x00" + b"[" * 5000) is None  # binary: not JSON or YAML
    yaml_deep = f"YAML nested or indented too deeply to parse (deeper than {YAML_MAX_DEPTH} levels)"
    for depth, problem in ((YAML_MAX_DEPTH + 1, yaml_deep), (YAML_MAX_DEPTH - 1, None)):
        assert nesting_problem(b"- " * depth + b"x\n") == problem  # block sequences
        assert nesting_problem(b"a: " + b"[" * depth + b"]" * depth) == problem  # flow, not JSON
        assert nesting_problem(b"".join(b" " * i + b"k:\n" for i in range(depth))) == problem  # mappings
    pretty = json.dumps(json.loads(b"[" * 300 + b"]" * 300), indent=2).encode()
    assert nesting_problem(pretty) is None  # deeply indented JSON is read as JSON
    assert nesting_problem(b"") is None and nesting_problem(b"a: [1, {b: [2]}]\n") is None


def test_a_document_nested_too_deeply_is_named_not_parsed(tmp_path: Path, run_of: Any) -> None:
    """A file or an http(s) document nested past the limit: DocumentUnavailable naming it, never a
    RecursionError in the suite that parses it."""
    (tmp_path / "deep.json").write_bytes(DEEP_JSON)
    (tmp_path / "deep.yaml").write_bytes(b"- " * 300 + b"x\n")
    with serving(DEEP_JSON, "/deep.json") as url:
        run = run_of({"standard": "docs-example", "version": "1.0", "documents": ["deep.json"]})
        with pytest.raises(DocumentUnavailable, match=r"^deep\.json: nested too deeply to parse \(deeper than "
                                                       r"512 levels of arrays and objects\)$"):
            read_document(_view(run), "deep.json")
        with pytest.raises(DocumentUnavailable, match=r"^deep\.yaml: YAML nested or indented too deeply") as caught:
            read_document(_view(run), "deep.yaml")
        assert caught.value.exchange is None
        with pytest.raises(DocumentUnavailable, match=r"/deep\.json: nested too deeply to parse") as caught:
            read_document(_view(run), url)
        assert caught.value.exchange is not None and caught.value.exchange.status == 200


def _flow_depth_whole(data: bytes) -> int:
    """The nesting outside strings as the strings cut out at once would count it (what the pieces must agree with)."""
    import itertools

    from conformance import documents

    steps = documents._STRINGS.sub(b"", data).translate(documents._STEPS, documents._NOT_BRACKETS)
    return max(itertools.accumulate(memoryview(steps).cast("b"), initial=0))


@pytest.mark.parametrize("data", [
    b'[{"a": "[[[[", "b": [1, [2, [3]]]}]',
    b'{"x": "\\"[[[", "y": [[["\\\\"]]], "z": "]]]"}',
    b'[[[ "unterminated [[[[[[',
    b"]]][[[[",
    b"",
    b'"[" ' * 5000 + b"[" * 300 + b"]" * 300,
])
def test_flow_depth_in_pieces_counts_as_the_whole_document(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance import documents

    monkeypatch.setattr(documents, "_FLOW_PIECE", 7)  # many pieces, cut anywhere
    assert documents._flow_depth(data) == _flow_depth_whole(data)


def test_flow_depth_of_a_document_of_many_strings_stays_in_bounded_memory() -> None:
    """A 4 MB JSON list of short strings: cutting every string out at once held some twenty times the
    document (a crypt4gh file or an ontology may be max_response_bytes, 100 MB); in pieces, a few MB."""
    import tracemalloc

    from conformance import documents

    data = json.dumps([{"type": "Allele", "id": "x", "n": [1, 2]}] * 100_000).encode()
    assert len(data) > 4_000_000
    tracemalloc.start()
    try:
        assert documents._flow_depth(data) == 3
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * documents._FLOW_PIECE + 1_000_000, f"{peak:,} bytes at the peak"


def test_a_document_over_the_readers_own_cap_is_unavailable_not_a_limit_of_the_run(run_of: Any) -> None:
    """A reader's own cap below max_response_bytes (a DUO release read to 16 MiB): the document over it was
    reported as 'more than max_response_bytes=16777216' with max_response_bytes among the limits reached (the
    run's was 100 MiB), and read again by every check that asked; it is unavailable, read once, no limit hit."""
    with serving(b"[" + b" " * 5000 + b"]", "/big.json") as url:
        run = run_of({"standard": "docs-example", "version": "1.0", "documents": [url]})
        view = _view(run)
        with pytest.raises(DocumentUnavailable) as caught:
            read_document(view, url, limit=1000)
        assert caught.value.message == (f"{url}: the server announced a body of 5,002 bytes (Content-Length), more "
                                        "than the 1,000 bytes the harness reads of this answer")
        requests = run.limits.requests
        with pytest.raises(DocumentUnavailable):
            read_document(view, url, limit=1000)
        assert run.limits.requests == requests
        assert not run.limits.hit
        assert read_document(view, url).data.startswith(b"[")
