"""The refget suite beyond the generic fault matrix: refget 1.0.0, the choices the texts allow that the
reference server does not make (never failed), a large sequence streamed, and a profile without sequences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from conformance_suites.refget.reference.app import CIRCULAR, LINEAR, RefgetApp, Seq
from conformance_suites.refget.view import UNKNOWN_MD5

from conformance.reference.app import Reply, Request, json_reply, route
from conformance.reference.server import ReferenceServer
from conformance.testing import reference_entries, run_profile


def test_refget_1_0_0_is_conformant_with_406_and_vendor_types(report_root: Path, specs_dir: str | None) -> None:
    # the 1.0.1 entry's ids (MD5, TRUNC512) as a 1.0.0 server: the 2.0.0 entry names a ga4gh: id
    entry = next(e for e in reference_entries("refget") if e["version"] == "1.0.1")
    entry["version"] = "1.0.0"
    result = run_profile({"initiative": "refget 1.0.0", "services": [entry]}, report_root, specs_dir=specs_dir,
                         standards=["refget"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert result.exit_code == 0
    # issue 19: refget 1.0.0's text (hts-specs f7947e75) says 406 Not Acceptable, as 1.0.1 does (and as
    # seqrepo-rest-service 0.2.2 answers, which the harness failed for want of 415), and has the
    # degradation list, "SHOULD 206" and §Alternative Checksum Algorithms: judged, not skipped
    assert result.outcome("refget.negotiation.unsupported-accept-is-406") == "passed"
    for check_id in ("refget.negotiation.accepts-degraded-types", "refget.subsequence.range-answers-206",
                     "refget.service-info.sha512-algorithm-supported"):
        assert result.outcome(check_id) == "passed", result.output


class AllowedChoices(RefgetApp):
    """Answers the texts allow that the reference server does not give: text/plain sequences, a 303 to
    where the bases are, the 1.0.1 table's TRUNC512 key, a namespaced ga4gh and an upper-case md5 in the
    metadata, 416 (not 400/501) where the texts disagree, and 2.0.0 service-info without
    identifier_types (optional in the OpenAPI) and with the artifact of the text's example."""

    def text(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        reply = super().text(body, status, headers)
        reply.headers["Content-Type"] = "text/plain; charset=us-ascii"
        return reply

    @route("GET", "/sequence/{ident}")
    def sequence(self, request: Request) -> Reply:
        seq = self.resolve(request.params["ident"])
        plain = not request.query and request.header("Range") is None and self.acceptable(request, "text")
        if seq is not None and plain:
            return Reply(303, b"", {"Location": f"/bases/{seq.md5}"})
        return super().sequence(request)

    @route("GET", "/bases/{md5}")
    def bases(self, request: Request) -> Reply:
        seq = self.by_md5(request.params["md5"])
        return self.whole(seq) if seq is not None else self.error(404, "no such bases")

    @route("GET", "/sequence/{ident}/metadata")
    def metadata(self, request: Request) -> Reply:
        reply = super().metadata(request)
        if reply.status != 200:
            return reply
        document = json.loads(reply.body)
        inner = document["metadata"]
        inner["md5"] = inner["md5"].upper()
        if "trunc512" in inner:
            inner["TRUNC512"] = inner.pop("trunc512").upper()
        if isinstance(inner.get("ga4gh"), str):
            inner["ga4gh"] = "ga4gh:" + inner["ga4gh"]
        return json_reply(document, content_type=reply.headers["Content-Type"])

    @route("GET", "/sequence/service-info")
    def service_info(self, request: Request) -> Reply:
        reply = super().service_info(request)
        document = json.loads(reply.body)
        if "refget" in document:
            del document["refget"]["identifier_types"]
            document["type"]["artifact"] = "refget-sequence"  # the pinned 2.0.0 text's example (E9)
        return json_reply(document, content_type=reply.headers["Content-Type"])

    def query_answer(self, seq: Seq, start_text: str | None, end_text: str | None) -> Reply:
        if start_text and start_text.isdigit() and int(start_text) > seq.size and self.circular_supported:
            return self.error(416, "outside the bounds of the sequence")  # erratum E5
        return super().query_answer(seq, start_text, end_text)

    def wrap_answer(self, seq: Seq, start: int, end: int) -> Reply:
        if not self.circular_supported:
            return self.error(416, "start is greater than end")  # erratum E6
        return super().wrap_answer(seq, start, end)

    def range_answer(self, seq: Seq, header: str) -> Reply:
        first = header.removeprefix("bytes=").split("-")[0]
        if first.isdigit() and int(first) >= seq.size:
            return self.error(416, "range not satisfiable")  # erratum E7
        return super().range_answer(seq, header)


@pytest.mark.parametrize("version", ["2.0.0", "1.0.1"])
def test_choices_the_texts_allow_are_never_failed(version: str, report_root: Path, specs_dir: str | None) -> None:
    app = AllowedChoices(version=version)
    entry = next(e for e in AllowedChoices.demo_entries() if e["version"] == version)
    with ReferenceServer(app) as server:
        entry = {**entry, "url": server.url}
        entry.pop("reference")
        result = run_profile({"initiative": f"allowed {version}", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["refget"])
    assert result.failed() == [], result.output
    assert result.errors() == [], result.output
    assert result.exit_code == 0
    assert result.outcome("refget.sequence.md5-matches-bytes") == "passed"
    assert result.outcome("refget.subsequence.start-after-end") == "passed"
    if version == "2.0.0":
        assert result.outcome("service-info.type.artifact-matches-standard") == "passed"



class ServiceInfoAtTheExamplesPath(RefgetApp):
    """refget 2.0.0 with its service-info at GET /service-info only, the path of the text's example (erratum
    E10; the method's heading says /sequence/service-info), as the authors' own server serves it."""

    @route("GET", "/sequence/service-info")
    def service_info(self, request: Request) -> Reply:
        return self.error(404, "not found")

    @route("GET", "/service-info")
    def ga4gh_service_info(self, request: Request) -> Reply:
        return super().service_info(request)  # type: ignore[no-any-return]


def test_2_0_0_service_info_at_the_examples_path_is_read(report_root: Path, specs_dir: str | None) -> None:
    entry = next(e for e in RefgetApp.demo_entries() if e["version"] == "2.0.0")
    with ReferenceServer(ServiceInfoAtTheExamplesPath(version="2.0.0")) as server:
        entry = {**{k: v for k, v in entry.items() if k != "reference"}, "url": server.url}
        result = run_profile({"initiative": "service-info at /service-info", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["refget"])
    assert result.failed() == [], result.failed()
    assert result.errors() == [], result.errors()
    for check_id in ("service-info.endpoint.answers-200", "refget.service-info.capabilities-object-present",
                     "refget.service-info.algorithms-include-md5"):
        assert result.outcome(check_id) in ("passed", "skipped"), check_id
    assert result.outcome("refget.service-info.capabilities-object-present") == "passed"

class ChecksCounted(RefgetApp):
    """Counts the GETs of whole sequences: each is fetched once per run, whatever the number of checks."""

    whole_gets: ClassVar[int] = 0

    def whole(self, seq: Seq) -> Reply:
        type(self).whole_gets += 1
        return super().whole(seq)


def test_a_large_sequence_is_streamed_and_verified(report_root: Path, specs_dir: str | None) -> None:
    size = 3 * 1024 * 1024  # above what the server sends in one piece: chunked, in 64 KiB blocks
    app = ChecksCounted(version="2.0.0", options={"large_sequence_size": size})
    with ReferenceServer(app) as server:
        entry = {"standard": "refget", "version": "2.0.0", "url": server.url,
                 "sequences": ["insdc:CT000003.1"]}
        result = run_profile({"initiative": "large", "services": [entry]}, report_root, specs_dir=specs_dir,
                             checks=["refget.sequence.md5-matches-bytes", "refget.sequence.ga4gh-matches-bytes",
                                     "refget.sequence.length-matches-bytes",
                                     "refget.sequence.body-is-uppercase-letters",
                                     "refget.subsequence.start-end-returns-slice",
                                     "refget.property.subsequences-match-or-error"])
    assert result.failed() == [] and result.errors() == [], result.output
    assert all(c.outcome == "passed" for s in result.scorecard.services for c in s.checks), result.output
    assert ChecksCounted.whole_gets == 1


def test_the_reference_sequences_are_fixed() -> None:
    # The demo profile names these ids: the generator must not drift.
    assert LINEAR.md5 == "13815fd4f20f83e528af9e2d372ef7e0"
    assert LINEAR.ga4gh == "SQ.M1QxEHGas6blhy0qIgPC18SzCFulP1Y7"
    assert set(LINEAR.data(0, LINEAR.size)) <= set(b"ACGT")


def test_without_sequences_the_checks_say_why(report_root: Path) -> None:
    entries = reference_entries("refget")
    for entry in entries:
        entry["sequences"] = []
        entry["circular_sequences"] = []
    result = run_profile({"initiative": "no sequences", "services": entries[:1]}, report_root,
                         checks=["refget.sequence.md5-matches-bytes", "refget.subsequence.start-end-returns-slice",
                                 "refget.service-info.algorithms-include-md5"])
    check = result.check("refget.sequence.md5-matches-bytes")
    assert check.outcome == "skipped" and "lists no sequences" in check.message
    assert result.outcome("refget.service-info.algorithms-include-md5") == "passed"


def test_refget_1_0_service_info_checks_are_not_in_that_version(report_root: Path, specs_dir: str | None) -> None:
    # issue 19.6 (seqrepo-rest-service): refget 1.0 has its own {"service": ...} document, not GA4GH
    # service-info; the shared checks skip, saying the version they are not part of.
    entry = next(e for e in reference_entries("refget") if e["version"] == "1.0.1")
    entry["version"] = "1.0.0"
    result = run_profile({"initiative": "refget 1.0.0", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=["service-info.endpoint.answers-200", "service-info.schema.valid"])
    for check_id in ("service-info.endpoint.answers-200", "service-info.schema.valid"):
        assert result.outcome(check_id) == "skipped"
        message = result.check(check_id).message
        assert message.startswith("does not apply: not in refget 1.0.0"), message


def test_without_service_info_the_skips_say_so(report_root: Path, specs_dir: str | None) -> None:
    """seqrepo-rest-service 0.2.2 (issue 19): its /sequence/service-info answers 500; the checks that need the
    declared capabilities skip naming that, not "subsequence_limit is neither an integer nor null"."""
    entry = next(e for e in reference_entries("refget", ["service-info-404"]) if e["version"] == "1.0.1")
    result = run_profile({"initiative": "refget no service-info", "services": [entry]}, report_root,
                         specs_dir=specs_dir, standards=["refget"])
    for check_id in ("refget.subsequence.start-end-returns-slice", "refget.service-info.algorithms-include-md5",
                     "refget.metadata.declared-algorithms-have-values", "refget.subsequence.circular-wraps"):
        finding = result.check(check_id)
        assert finding.outcome == "skipped", result.output
        assert "GET /sequence/service-info answered 404" in finding.message, (check_id, finding.message)
        assert "refget.service-info.answers-200" in finding.message, finding.message


class NoNamespacedIds(RefgetApp):
    """A 2.0.0 server that writes ga4gh in its metadata as the 2.0.0 OpenAPI example does
    (``ga4gh:SQ.…``, erratum E4) but resolves no namespaced id: "should return the same sequence" (refget
    2.0.0 §Namespace of the checksums) is a SHOULD, so only that SHOULD check may warn."""

    def resolve(self, ident: str) -> Seq | None:
        if ":" in ident:
            return None
        return super().resolve(ident)

    @route("GET", "/sequence/{ident}/metadata")
    def metadata(self, request: Request) -> Reply:
        reply = super().metadata(request)
        if reply.status != 200:
            return reply
        document = json.loads(reply.body)
        if isinstance(document["metadata"].get("ga4gh"), str):
            document["metadata"]["ga4gh"] = "ga4gh:" + document["metadata"]["ga4gh"]
        return json_reply(document, content_type=reply.headers["Content-Type"])


def test_a_listed_namespaced_ga4gh_resolves_by_its_digest(report_root: Path, specs_dir: str | None) -> None:
    """refget.identifiers.listed-digests-resolve (a MUST) asks for the listed ga4gh digest without the
    namespace the metadata wrote it with: resolving namespaced ids is refget 2.0.0's SHOULD."""
    app = NoNamespacedIds(version="2.0.0")
    with ReferenceServer(app) as server:
        entry = {"standard": "refget", "version": "2.0.0", "url": server.url,
                 "sequences": [LINEAR.md5, CIRCULAR.ga4gh], "circular_sequences": [CIRCULAR.ga4gh]}
        result = run_profile({"initiative": "no namespaced ids", "services": [entry]}, report_root,
                             specs_dir=specs_dir, standards=["refget"])
    assert result.outcome("refget.identifiers.listed-digests-resolve") == "passed", result.output
    musts = [f for f in result.failed() if "namespaced-checksums-resolve" not in f]
    assert musts == [], result.output
    assert result.outcome("refget.identifiers.namespaced-checksums-resolve") == "failed"


class SmallLimitWithoutCircular(RefgetApp):
    """A 1.0.1 server without circular support whose subsequence_limit (8) is shorter than the wraps the
    checks ask for: start > end is answered 501, as "if the server does not support circular chromosomes it
    MUST respond with Not Implemented if the start is greater than the end" says, before the limit's 416."""

    def __init__(self, faults: Any = (), version: str | None = None, options: Any = None) -> None:
        super().__init__(faults, version, options)
        self.limit = 8


def test_start_after_end_over_the_limit_may_be_501(report_root: Path, specs_dir: str | None) -> None:
    app = SmallLimitWithoutCircular(version="1.0.1")
    entry = next(e for e in RefgetApp.demo_entries() if e["version"] == "1.0.1")
    checks = ["refget.subsequence.start-after-end", "refget.property.subsequences-match-or-error",
              "refget.subsequence.limit-exceeded-is-416"]
    with ReferenceServer(app) as server:
        entry = {**entry, "url": server.url}
        entry.pop("reference")
        result = run_profile({"initiative": "small limit", "services": [entry]}, report_root, specs_dir=specs_dir,
                             checks=checks)
    assert result.failed() == [] and result.errors() == [], result.output
    for check_id in checks:
        assert result.outcome(check_id) == "passed", result.output


def test_a_range_answered_with_a_slice_and_200_is_not_said_to_be_ignored(report_root: Path,
                                                                          specs_dir: str | None) -> None:
    """A 200 carrying only the sub-sequence does not show that the server ignores Range headers: the
    out-of-bounds check is undecided, not "does not apply"."""
    entry = next(e for e in reference_entries("refget", ["range-200-slice"]) if e["version"] == "2.0.0")
    check_id = "refget.subsequence.range-out-of-bounds-is-400"
    result = run_profile({"initiative": "range 200 slice", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=[check_id])
    finding = result.check(check_id)
    assert finding.outcome == "skipped", result.output
    assert not finding.message.startswith("does not apply"), finding.message
    assert "refget.subsequence.range-returns-slice-or-whole" in finding.message, finding.message


def test_skips_name_what_service_info_lacks(report_root: Path, specs_dir: str | None) -> None:
    """A skip's reason is what happened: an unread service-info or one without its refget object is not "declares
    no identifier_types" (which would say the requirement does not apply) nor "subsequence_limit is neither an
    integer nor null"; a server without circular support is where circular-wraps does not apply."""
    entries = [next(e for e in reference_entries("refget", [fault]) if e["version"] == version)
               for fault, version in (("service-info-404", "2.0.0"), ("capabilities-missing", "2.0.0"),
                                      ("capabilities-missing", "1.0.1"))]
    checks = ["refget.identifiers.aliases-resolve-to-same-sequence", "refget.subsequence.limit-exceeded-is-416",
              "refget.subsequence.circular-wraps"]
    result = run_profile({"initiative": "refget service-info lacks", "services": entries}, report_root,
                         specs_dir=specs_dir, checks=checks)
    unread, no_object_2, no_object_1 = (service.key for service in result.scorecard.services)
    aliases = result.check("refget.identifiers.aliases-resolve-to-same-sequence", unread)
    assert aliases.outcome == "skipped" and aliases.skip_kind == "undecided", aliases
    assert "GET /sequence/service-info answered 404" in aliases.message, aliases.message
    for key, container in ((no_object_2, "refget"), (no_object_1, "service")):
        for check_id in checks:
            finding = result.check(check_id, key)
            if check_id == "refget.identifiers.aliases-resolve-to-same-sequence" and container == "service":
                assert finding.outcome == "skipped" and finding.message.startswith("not a requirement of")
                continue
            assert finding.outcome == "skipped" and finding.skip_kind == "undecided", (check_id, finding)
            assert f"service-info has no {container} object" in finding.message, (check_id, finding.message)
    conformant = next(e for e in reference_entries("refget") if e["version"] == "1.0.1")
    result = run_profile({"initiative": "refget linear only", "services": [conformant]}, report_root,
                         specs_dir=specs_dir, checks=["refget.subsequence.circular-wraps"])
    wraps = result.check("refget.subsequence.circular-wraps")
    assert wraps.outcome == "skipped" and wraps.skip_kind == "not-applicable", wraps


def test_a_length_not_compared_says_what_kept_each_sequence_from_it(report_root: Path) -> None:
    """Metadata answering 404: the skip names that, not only "see md5-matches-bytes" (a check skipped too)."""
    from conformance.testing import run_reference

    result = run_reference("refget", report_root, ["metadata-known-404"],
                           checks=["refget.sequence.length-matches-bytes"])
    for service in result.scorecard.services:
        check = next(c for c in service.checks if c.id == "refget.sequence.length-matches-bytes")
        assert check.outcome == "skipped" and "metadata answered 404" in check.message, check


class NoStartEnd(RefgetApp):
    """A 2.0.0 server that answers every start/end request 400, whatever its Accept header: the one finding is
    refget.subsequence.start-end-returns-slice; the degradation of Accept types, which the checks judge on a
    start/end piece, is its consequence, not a second root cause."""

    def query_answer(self, seq: Seq, start_text: str | None, end_text: str | None) -> Reply:
        refused: Reply = self.error(400, "start and end are not supported")
        return refused


def test_accept_degradation_on_a_broken_start_end_is_a_consequence(report_root: Path, specs_dir: str | None) -> None:
    app = NoStartEnd(version="2.0.0")
    entry = next(e for e in NoStartEnd.demo_entries() if e["version"] == "2.0.0")
    root = "refget.subsequence.start-end-returns-slice"
    with ReferenceServer(app) as server:
        entry = {**entry, "url": server.url}
        entry.pop("reference")
        result = run_profile({"initiative": "no start/end", "services": [entry]}, report_root, specs_dir=specs_dir,
                             checks=[root, "refget.negotiation.accepts-degraded-types",
                                     "refget.negotiation.unsupported-accept-is-406"])
    assert (result.outcome(root), result.check(root).caused_by) == ("failed", None), result.output
    finding = result.check("refget.negotiation.accepts-degraded-types")
    assert (finding.outcome, finding.caused_by) == ("failed", root), (finding, result.output)
    assert "as much without an Accept header" in finding.message, finding.message
    # the server refuses the unsupported type (406) before it reads start/end: nothing to blame on the root
    assert result.outcome("refget.negotiation.unsupported-accept-is-406") == "passed", result.output


class AliasesUnresolved(RefgetApp):
    """A 2.0.0 server that declares insdc among its identifier_types and lists insdc aliases, but answers 404
    for every insdc:<alias>: the texts do not require an alias to resolve, so the alias check cannot judge
    anything; it must not pass as though it had."""

    def by_alias(self, authority: str, value: str) -> Seq | None:
        return None


def test_checks_that_judged_nothing_do_not_pass(report_root: Path, specs_dir: str | None) -> None:
    aliases, adjacent = ("refget.identifiers.aliases-resolve-to-same-sequence",
                         "refget.property.adjacent-subsequences-concatenate")
    outcomes = {}
    for app, check_id in ((AliasesUnresolved(version="2.0.0"), aliases), (NoStartEnd(version="2.0.0"), adjacent)):
        entry = next(e for e in RefgetApp.demo_entries() if e["version"] == "2.0.0")
        with ReferenceServer(app) as server:
            entry = {**entry, "url": server.url}
            entry.pop("reference")
            result = run_profile({"initiative": "judged nothing", "services": [entry]}, report_root,
                                 specs_dir=specs_dir, checks=[check_id])
        outcomes[check_id] = result.check(check_id)
    finding = outcomes[aliases]
    assert (finding.outcome, finding.skip_kind) == ("skipped", "undecided"), finding
    assert "answered 404" in finding.message, finding.message
    finding = outcomes[adjacent]
    assert (finding.outcome, finding.skip_kind) == ("skipped", "undecided"), finding
    assert "refget.property.subsequences-match-or-error" in finding.message, finding.message


class Md5Null(RefgetApp):
    """A 2.0.0 server whose metadata gives md5 as null (refget.metadata.fields-valid's finding): the checks that
    need a listed md5 say that, not that the bytes do not hash to it or that nothing could be read."""

    @route("GET", "/sequence/{ident}/metadata")
    def metadata(self, request: Request) -> Reply:
        reply: Reply = super().metadata(request)
        if reply.status != 200:
            return reply
        document = json.loads(reply.body)
        document["metadata"]["md5"] = None
        nulled: Reply = json_reply(document, content_type=reply.headers["Content-Type"])
        return nulled


def test_skips_name_a_missing_md5_and_an_unlisted_sha512(report_root: Path, specs_dir: str | None) -> None:
    checks = ["refget.metadata.fields-valid", "refget.sequence.md5-matches-bytes",
              "refget.subsequence.start-end-returns-slice"]
    entry = next(e for e in RefgetApp.demo_entries() if e["version"] == "2.0.0")
    with ReferenceServer(Md5Null(version="2.0.0")) as server:
        entry = {**entry, "url": server.url}
        entry.pop("reference")
        result = run_profile({"initiative": "md5 null", "services": [entry]}, report_root, specs_dir=specs_dir,
                             checks=checks)
    assert result.outcome("refget.metadata.fields-valid") == "failed", result.output
    for check_id in checks[1:]:
        finding = result.check(check_id)
        assert finding.outcome == "skipped", (check_id, finding)
        assert "md5" in finding.message and "refget.metadata.fields-valid" in finding.message, finding.message
        assert "do not hash" not in finding.message and "could be read" not in finding.message, finding.message
    # a 2.0.0 server lists no trunc512 (deprecated, not in the 2.0.0 metadata table): nothing to judge there
    conformant = next(e for e in reference_entries("refget") if e["version"] == "2.0.0")
    result = run_profile({"initiative": "refget 2.0.0 trunc512", "services": [conformant]}, report_root,
                         specs_dir=specs_dir, checks=["refget.sequence.trunc512-matches-bytes"])
    finding = result.check("refget.sequence.trunc512-matches-bytes")
    assert (finding.outcome, finding.skip_kind) == ("skipped", "not-applicable"), finding


@pytest.mark.parametrize(("fault", "root"), [
    ("slice-off-by-one", "refget.subsequence.start-end-returns-slice"),
    ("start-beyond-length-empty", "refget.subsequence.start-beyond-length-is-400"),
    ("wraps-without-circular-support", "refget.subsequence.start-after-end"),
    ("circular-wrap-wrong", "refget.subsequence.circular-wraps"),
    ("slices-drop-last-base-when-long", "refget.property.subsequences-match-or-error"),
])
def test_a_property_that_meets_a_judged_rule_is_its_consequence(fault: str, root: str, report_root: Path,
                                                                 specs_dir: str | None) -> None:
    """One root cause, one failure: where a generated request is of the kind a rule's own check judges (an
    in-bounds piece, a start past the end, start > end, a circular wrap), the property's failure is grouped
    under that check's; adjacent pieces that do not concatenate follow from the pieces being wrong."""
    version = "1.0.1" if fault == "wraps-without-circular-support" else "2.0.0"
    entry = next(e for e in reference_entries("refget", [fault]) if e["version"] == version)
    props = ["refget.property.subsequences-match-or-error", "refget.property.adjacent-subsequences-concatenate"]
    result = run_profile({"initiative": f"refget {fault}", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=[root, *props])
    assert (result.outcome(root), result.check(root).caused_by) == ("failed", None), result.output
    for check_id in props:
        finding = result.check(check_id)
        if finding.id != root and finding.outcome == "failed":
            assert finding.caused_by == root, (check_id, finding, result.output)


@pytest.mark.parametrize(("fault", "root"), [
    ("unknown-id-500", "refget.sequence.unknown-id-is-404"),
    ("metadata-unknown-200", "refget.metadata.unknown-id-is-404"),
])
def test_unknown_ids_that_meet_a_judged_rule_are_its_consequence(fault: str, root: str, report_root: Path,
                                                                 specs_dir: str | None) -> None:
    entry = next(e for e in reference_entries("refget", [fault]) if e["version"] == "2.0.0")
    prop = "refget.property.unknown-ids-are-404"
    result = run_profile({"initiative": f"refget {fault}", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=[root, prop])
    assert (result.outcome(root), result.check(root).caused_by) == ("failed", None), result.output
    assert (result.outcome(prop), result.check(prop).caused_by) == ("failed", root), result.output
    # ids only the property generates (long ones) are its own finding
    entry = next(e for e in reference_entries("refget", ["long-unknown-ids-500"]) if e["version"] == "2.0.0")
    result = run_profile({"initiative": "refget long ids", "services": [entry]}, report_root, specs_dir=specs_dir,
                         checks=["refget.sequence.unknown-id-is-404", prop])
    assert (result.outcome(prop), result.check(prop).caused_by) == ("failed", None), result.output


def test_a_listed_digest_of_a_kind_the_profile_names_is_a_consequence(report_root: Path,
                                                                      specs_dir: str | None) -> None:
    """trunc512-resolves-other: the profile's TRUNC512 id returns another sequence (requested-id-names-the-sequence)
    and so does the TRUNC512 the other sequence's metadata lists: one root cause, one failure."""
    root, listed = "refget.identifiers.requested-id-names-the-sequence", "refget.identifiers.listed-digests-resolve"
    entry = next(e for e in reference_entries("refget", ["trunc512-resolves-other"]) if e["version"] == "1.0.1")
    result = run_profile({"initiative": "refget trunc512 other", "services": [entry]}, report_root,
                         specs_dir=specs_dir, checks=[root, listed])
    assert (result.outcome(root), result.check(root).caused_by) == ("failed", None), result.output
    assert (result.outcome(listed), result.check(listed).caused_by) == ("failed", root), result.output


class MalformedNamespacedIs400(RefgetApp):
    """A 2.0.0 server that refuses a namespaced checksum whose value is not of its algorithm's form (md5:xyz) as
    Bad Request ("the requested parameters do not adhere to the specification", refget 2.0.0 §Errors): that
    reading and the 404 of an unknown id are both the text's; neither is failed."""

    def unknown(self, ident: str, endpoint: str) -> Reply:
        namespace, _, value = ident.partition(":")
        if namespace.lower() == "md5" and not (len(value) == 32 and all(c in "0123456789abcdefABCDEF" for c in value)):
            refused: Reply = self.error(400, f"{value!r} is not an MD5 checksum")
            return refused
        unknown: Reply = super().unknown(ident, endpoint)
        return unknown


def test_a_malformed_namespaced_checksum_may_be_400(report_root: Path, specs_dir: str | None) -> None:
    check_id = "refget.property.unknown-ids-are-404"
    entry = next(e for e in RefgetApp.demo_entries() if e["version"] == "2.0.0")
    with ReferenceServer(MalformedNamespacedIs400(version="2.0.0")) as server:
        entry = {**entry, "url": server.url}
        entry.pop("reference")
        result = run_profile({"initiative": "malformed namespaced", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=[check_id])
    assert result.outcome(check_id) == "passed", result.output


class StartAfterEndFirst(RefgetApp):
    """A server that applies the start > end rule before the start > length one (as seqrepo-rest-service does
    with its 416): ?start=<length + 1>&end=1 breaks both rules, and the text orders neither, so the answer of
    either (400; 501 without circular support, or 416 for a linear sequence) is the text's."""

    def query_answer(self, seq: Seq, start_text: str | None, end_text: str | None) -> Reply:
        digits = bool(start_text and end_text and start_text.isdigit() and end_text.isdigit())
        if digits and int(str(start_text)) > int(str(end_text)) and int(str(start_text)) > seq.size:
            refused: Reply = self.error(int(self.options.get("status", 416)), "start is greater than end")
            return refused
        answer: Reply = super().query_answer(seq, start_text, end_text)
        return answer


@pytest.mark.parametrize(("version", "status"), [("1.0.1", 416), ("1.0.1", 501), ("2.0.0", 416)])
def test_start_past_the_length_and_after_the_end_may_answer_either_rule(version: str, status: int, report_root: Path,
                                                                        specs_dir: str | None) -> None:
    check_id = "refget.property.subsequences-match-or-error"
    entry = next(e for e in RefgetApp.demo_entries() if e["version"] == version)
    with ReferenceServer(StartAfterEndFirst(version=version, options={"status": status})) as server:
        entry = {**entry, "url": server.url}
        entry.pop("reference")
        result = run_profile({"initiative": "start after end first", "services": [entry]}, report_root,
                             specs_dir=specs_dir, checks=[check_id])
    assert result.outcome(check_id) == "passed", result.output


class FirstBaseBrokenLongPiecesShort(RefgetApp):
    """Two defects: ?start=0&end=1 on the longest sequence answers 500 (refget.subsequence.start-end-returns-slice
    fails on it) and pieces over 100 bases lose their last base (fault slices-drop-last-base-when-long, which
    that check's short pieces never meet). The property's wrong bases are not that check's 500 again."""

    def query_answer(self, seq: Seq, start_text: str | None, end_text: str | None) -> Reply:
        if seq is LINEAR and (start_text, end_text) == ("0", "1"):
            broken: Reply = self.error(500, "first base unavailable")
            return broken
        answer: Reply = super().query_answer(seq, start_text, end_text)
        return answer


class UnknownIdsFailDifferently(RefgetApp):
    """The unknown id refget.sequence.unknown-id-is-404 asks for answers 400, an unknown insdc: id 500: two
    defects, so the property's 500 is its own finding, not that check's 400 again."""

    def unknown(self, ident: str, endpoint: str) -> Reply:
        if endpoint == "sequence" and ident == UNKNOWN_MD5:
            refused: Reply = self.error(400, "bad identifier")
            return refused
        if endpoint == "sequence" and ident.lower().startswith("insdc:"):
            broken: Reply = self.error(500, "lookup failed")
            return broken
        answer: Reply = super().unknown(ident, endpoint)
        return answer


@pytest.mark.parametrize(("server_class", "faults", "root", "prop"), [
    (FirstBaseBrokenLongPiecesShort, ["slices-drop-last-base-when-long"], "refget.subsequence.start-end-returns-slice",
     "refget.property.subsequences-match-or-error"),
    (UnknownIdsFailDifferently, [], "refget.sequence.unknown-id-is-404", "refget.property.unknown-ids-are-404"),
])
def test_a_property_failing_otherwise_than_its_rule_is_its_own_root_cause(
        server_class: type[RefgetApp], faults: list[str], root: str, prop: str, report_root: Path,
        specs_dir: str | None) -> None:
    """The property is grouped under a check only where that check failed the same way: a waiver of the
    check's defect must not also waive a different one the property found."""
    app = server_class(faults, "2.0.0")
    entry = next(e for e in RefgetApp.demo_entries() if e["version"] == "2.0.0")
    with ReferenceServer(app) as server:
        entry = {**entry, "url": server.url}
        entry.pop("reference")
        result = run_profile({"initiative": "two defects", "services": [entry]}, report_root, specs_dir=specs_dir,
                             checks=[root, prop])
    assert (result.outcome(root), result.check(root).caused_by) == ("failed", None), result.output
    assert (result.outcome(prop), result.check(prop).caused_by) == ("failed", None), result.output
    assert result.check(prop).message != result.check(root).message
