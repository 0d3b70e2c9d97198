"""End to end through `conformance`: the demo, reports, exit codes, unreachable services, expected
failures, registry discovery, and `pytest --conformance-profile` without the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from conformance import reference
from conformance.cli import main
from conformance.demo import demo_profile_yaml
from conformance.errors import UsageError
from conformance.reference.app import ReferenceApp, Reply, Request, json_reply, route
from conformance.reference.service_info import service_info_document
from conformance.testing import LOOPBACK_BUDGET, run_profile

REPORT_FILES = {"scorecard.json", "testbed-report.json", "report.html", "junit.xml", "summary.md"}
REPO = Path(__file__).resolve().parents[2]
SCORECARD_SCHEMA = json.loads((REPO / "conformance" / "scorecard.schema.json").read_text())


def only_run_dir(root: Path) -> Path:
    dirs = [p for p in root.glob("*/*") if p.is_dir()]
    assert len(dirs) == 1, dirs
    return dirs[0]


def si_entry(url: str, **extra: Any) -> dict[str, Any]:
    return {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": url, **extra}


def test_demo_writes_every_report_and_is_conformant(report_root: Path, specs_dir: str | None,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    args = ["demo", "--report-dir", str(report_root)] + (["--specs-dir", specs_dir] if specs_dir else [])
    assert main(args) == 0
    run_dir = only_run_dir(report_root)
    assert run_dir.parent.name == "demo"
    names = {p.name for p in run_dir.iterdir()}
    assert names >= REPORT_FILES
    for app in reference.apps():
        assert f"badge-{app.standard}.svg" in names
    scorecard = json.loads((run_dir / "scorecard.json").read_text())
    jsonschema.Draft202012Validator(SCORECARD_SCHEMA).validate(scorecard)
    assert scorecard["format"] == "ga4gh-conformance-scorecard/1"
    assert {s["verdict"] for s in scorecard["services"]} == {"conformant"}
    assert "conformant" in (run_dir / "badge-service-info.svg").read_text()
    assert "Scorecard: Demo" in (run_dir / "report.html").read_text()
    junit = (run_dir / "junit.xml").read_text()
    assert 'errors="0"' in junit and 'failures="0"' in junit  # each check collected once, parametrized


def test_demo_without_official_schemas_skips_schema_checks_and_says_how(
        no_specs: None, report_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 21.3: schemas not checked is not "conformant" (incomplete), and the verdict line says why; the
    # demo itself did what it should, so the README's `pip install . && conformance demo` succeeds offline.
    assert main(["demo", "--report-dir", str(report_root)]) == 0
    out = capsys.readouterr().out
    assert "Demo: incomplete (schemas not checked)" in out
    assert "The demo ran as expected" in out and "the verdict `conformance run` would: incomplete, exit code 2" in out
    assert "schemas not checked: official GA4GH schemas not available" in out
    run_dir = only_run_dir(report_root)
    scorecard = json.loads((run_dir / "scorecard.json").read_text())
    assert scorecard["specs"]["available"] is False
    assert scorecard["schemas_not_checked"] is True and scorecard["verdict"] == "incomplete"
    assert "conformant" not in {s["verdict"] for s in scorecard["services"] if s.get("schemas_not_checked")}
    schema_checks = [c for s in scorecard["services"] for c in s["checks"] if ".schema." in c["id"]]
    assert schema_checks and {c["outcome"] for c in schema_checks} == {"skipped"}
    assert "conformance specs fetch" in (run_dir / "summary.md").read_text()


def test_a_specs_folder_without_the_schemas_is_not_available_and_is_named(
        report_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A specs folder that is there but lacks the schemas (empty, or a partial copy): the scorecard does not
    # say "available", and the console and reports name the folder rather than "not available".
    empty = tmp_path / "empty-specs"
    empty.mkdir()
    assert main(["demo", "--report-dir", str(report_root), "--specs-dir", str(empty), "--standard", "service-info",
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"schemas not checked: the specs directory {empty} lacks official GA4GH schemas" in out
    run_dir = only_run_dir(report_root)
    scorecard = json.loads((run_dir / "scorecard.json").read_text())
    assert scorecard["specs"]["available"] is False and scorecard["specs"]["source"] == str(empty)
    assert str(empty) in scorecard["specs"]["how_to_get"]
    assert str(empty) in (run_dir / "report.html").read_text()


def test_testbed_report_validates_against_the_official_schema(report_root: Path, requires_specs: str) -> None:
    result = run_profile({"initiative": "Testbed", "services": [
        {**si_entry(""), "url": None, "reference": {"faults": ["custom-group", "missing-id"]}}]},
        report_root, specs_dir=requires_specs)
    document = json.loads((result.run_dir / "testbed-report.json").read_text())
    schema_dir = Path(requires_specs) / "testbed-report" / "0.1.0" / "schema"
    base = "http://json-schema.org/draft-04/"  # the official files all claim this $id
    registry: Registry[Any] = Registry().with_resources(
        (base + p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=
                                               __import__("referencing.jsonschema").jsonschema.DRAFT4))
        for p in schema_dir.glob("*.json"))
    validator = jsonschema.Draft4Validator({"$ref": base + "ga4gh-testbed-report.json#/definitions/ga4ghTestbedReport"},
                                           registry=registry)
    validator.validate(document)
    statuses = {t["test_name"]: t["status"] for p in document["phases"] for t in p["tests"]}
    assert statuses["service-info.type.group-is-org-ga4gh"] == "WARN"
    assert statuses["service-info.fields.required-present"] == "FAIL"
    assert document["start_time"].endswith("Z") and len(document["start_time"]) == 20


@pytest.mark.parametrize("fault", sorted(reference.find_app("service-info").FAULTS))
def test_run_against_served_fault_exits_1_and_summary_names_the_check(
        fault: str, tmp_path: Path, requires_specs: str, capsys: pytest.CaptureFixture[str]) -> None:
    catches = reference.find_app("service-info").FAULTS[fault].catches
    with reference.start("service-info", [fault]) as server:
        profile = tmp_path / "p.yaml"
        profile.write_text(yaml.safe_dump({"initiative": "Serve", "services": [si_entry(server.url)],
                                           "budget": LOOPBACK_BUDGET}))
        code = main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "r"),
                     "--specs-dir", requires_specs, "--quiet"])
    summary = (only_run_dir(tmp_path / "r") / "summary.md").read_text()
    assert code == (0 if fault == "custom-group" else 1)  # the one SHOULD fault warns
    assert all(check in summary for check in catches)


def test_reference_serve_command_and_run_command_in_separate_processes(tmp_path: Path) -> None:
    """Through the real command line: `conformance reference serve` in one process, `conformance run`
    against it in another."""
    server = subprocess.Popen([sys.executable, "-m", "conformance.cli", "reference", "serve", "service-info",
                               "--fault", "wrong-artifact"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" at ", 1)[1].split(" ", 1)[0]
        profile = tmp_path / "p.yaml"
        profile.write_text(yaml.safe_dump({"initiative": "Serve", "services": [si_entry(url)]}))
        done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--profile", str(profile),
                               "--report-dir", str(tmp_path / "r")], capture_output=True, text=True, timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL  MUST" in done.stdout and "service-info.type.artifact-matches-standard" in done.stdout
    assert "service-info.type.artifact-matches-standard" in (only_run_dir(tmp_path / "r") / "summary.md").read_text()
    assert "Traceback" not in done.stdout + done.stderr


def test_conformant_reference_serve_exits_0(tmp_path: Path) -> None:
    with reference.start("service-info") as server:
        profile = tmp_path / "p.yaml"
        profile.write_text(yaml.safe_dump({"initiative": "Serve", "services": [si_entry(server.url)],
                                           "budget": LOOPBACK_BUDGET}))
        assert main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "r"), "--quiet"]) == 0


def test_unreachable_service_exit_2_and_reports_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.reference.server import free_port

    port = free_port()  # nothing listens there
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Gone", "services": [si_entry(f"http://127.0.0.1:{port}")]}))
    assert main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "r")]) == 2
    run_dir = only_run_dir(tmp_path / "r")
    assert {p.name for p in run_dir.iterdir()} >= REPORT_FILES
    scorecard = json.loads((run_dir / "scorecard.json").read_text())
    service = scorecard["services"][0]
    assert service["verdict"] == "unreachable"
    assert "connection refused" in service["unreachable"]
    assert {c["outcome"] for c in service["checks"]} <= {"error", "skipped"}
    assert "unreachable" in (run_dir / "summary.md").read_text()
    # Issue 21.12: one line per cause, not one identical ERROR line per check.
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 2, out
    assert errors[1].startswith("ERROR ×") and "more checks of service-info-0 with the same error" in errors[1]


def test_a_check_selection_checks_only_the_services_it_applies_to(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`conformance run --check X` reruns one check: the services no selected check applies to are not
    reported (as --standard leaves them out), so a selected check that passes exits 0, not 2 for services
    that had nothing to run."""
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Rerun", "budget": LOOPBACK_BUDGET, "services": [
        {"standard": "drs", "version": "1.5.0", "reference": True, "objects": ["blob-1"]},
        {"standard": "refget", "version": "2.0.0", "reference": True,
         "sequences": ["13815fd4f20f83e528af9e2d372ef7e0"]}]}))
    assert main(["run", str(profile), "--check", "drs.object.get-known-id-returns-200", "--no-fetch-specs",
                 "--report-dir", str(tmp_path / "r"), "--quiet"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "Rerun: conformant (only the 1 selected check)"
    scorecard = json.loads((only_run_dir(tmp_path / "r") / "scorecard.json").read_text())
    assert [s["key"] for s in scorecard["services"]] == ["drs-0"]
    # a check every service with a service-info shares keeps both
    assert main(["run", str(profile), "--check", "service-info.endpoint.answers-200", "--no-fetch-specs",
                 "--report-dir", str(tmp_path / "s"), "--quiet"]) == 0
    scorecard = json.loads((only_run_dir(tmp_path / "s") / "scorecard.json").read_text())
    assert [s["key"] for s in scorecard["services"]] == ["drs-0", "refget-1"]


def test_quiet_prints_the_verdict_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.reference.server import free_port

    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Gone", "services": [
        si_entry(f"http://127.0.0.1:{free_port()}")]}))
    assert main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "r"), "--quiet"]) == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Gone: unreachable" and lines[-1].startswith("Reports: ")
    # why: a red build names the cause in the run's last lines, not only in the ERROR lines above them
    assert lines[1].startswith("  service-info-0 unreachable: connection refused (http://127.0.0.1:"), lines


def test_quiet_keeps_the_notices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A notice says the run or the profile needs a look: a CI job that runs with --quiet must see it too."""
    from conformance.reference.server import free_port

    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Gone", "services": [
        si_entry(f"http://127.0.0.1:{free_port()}")],
        "expected_failures": [{"check": "service-info.no-such-check", "reason": "a typo", "expires": "2099-01-01"}]}))
    assert main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "r"), "--quiet"]) == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Gone: unreachable" and lines[-1].startswith("Reports: ")
    assert "  notice: expected_failures names 'service-info.no-such-check', which is no check of this harness" \
        in lines
    assert not any("MUST " in line for line in lines)  # the counts per service stay out


def test_skips_are_split_into_not_applicable_and_undecided(report_root: Path, specs_dir: str | None,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 21.12: a version or role that lacks a requirement is "does not apply", counted apart."""
    args = ["demo", "--report-dir", str(report_root), "--standard", "passports", "--standard", "refget"]
    assert main(args + (["--specs-dir", specs_dir] if specs_dir else [])) in (0, 2)
    out = capsys.readouterr().out
    assert "skipped checks do not apply:" in out
    assert "× does not apply: a broker check; this service is declared as role clearinghouse" in out
    scorecard = json.loads((only_run_dir(report_root) / "scorecard.json").read_text())
    jsonschema.Draft202012Validator(SCORECARD_SCHEMA).validate(scorecard)
    by_reason = {c["message"]: c["skip_kind"] for s in scorecard["services"] for c in s["checks"]
                 if c["outcome"] == "skipped"}
    assert by_reason["does not apply: a broker check; this service is declared as role clearinghouse"] \
        == "not-applicable"
    assert by_reason["not a requirement of refget 1.0.1 (applies to >=2.0.0)"] == "not-applicable"
    for service in scorecard["services"]:
        summary = service["summary"]
        assert summary["not_applicable"] + summary["undecided"] == summary["skipped"]
    clearinghouse = next(s for s in scorecard["services"] if s["url"].endswith("/ga4gh/drs/v1"))
    assert clearinghouse["summary"]["not_applicable"] > 0


def test_a_check_group_selects_every_check_whose_id_begins_with_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--check drs.access` (or `drs.access.`): every check whose id begins `drs.access.`, none of `drs.accessx`."""
    from conformance.suite import discover

    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Group", "budget": LOOPBACK_BUDGET, "services": [
        {"standard": "drs", "version": "1.5.0", "reference": True, "objects": ["blob-1"]}]}))
    group = sorted(r for r in discover()["drs"].requirements if r.startswith("drs.access."))
    assert len(group) > 1
    # a requirement no check covers is no check of a group: drs.service-info holds both kinds
    covered = sorted(r for r, req in discover()["drs"].requirements.items()
                     if r.startswith("drs.service-info.") and req.uncovered is None)
    assert main(["run", str(profile), "--check", "drs.service-info", "--no-fetch-specs", "--report-dir",
                 str(tmp_path / "si"), "--quiet"]) in (0, 2)
    assert json.loads((only_run_dir(tmp_path / "si") / "scorecard.json").read_text())["selection"]["checks"] == covered
    assert "drs.service-info.endpoint-available" not in covered
    for asked in ("drs.access", "drs.access."):
        assert main(["run", str(profile), "--check", asked, "--no-fetch-specs", "--report-dir",
                     str(tmp_path / asked), "--quiet"]) == 0, capsys.readouterr().out
        scorecard = json.loads((only_run_dir(tmp_path / asked) / "scorecard.json").read_text())
        assert scorecard["selection"]["checks"] == group
        assert {c["id"] for c in scorecard["services"][0]["checks"]} <= set(group)
    assert main(["run", str(profile), "--check", "drs.acces", "--no-fetch-specs", "--report-dir",
                 str(tmp_path / "none")]) == 4
    assert "--check drs.acces: no such check" in capsys.readouterr().err


def test_a_check_cites_the_version_that_was_run(report_root: Path, specs_dir: str | None) -> None:
    """Issue 21.13: a DRS 1.5.0 run does not cite "DRS 1.2.0 §…"."""
    from conformance.demo import demo_profile

    drs = next(s for s in demo_profile().services if s.standard == "drs")
    assert drs.version == "1.5.0"
    assert main(["demo", "--report-dir", str(report_root), "--standard", "drs", "--quiet"]
                + (["--specs-dir", specs_dir] if specs_dir else [])) in (0, 2)
    scorecard = json.loads((only_run_dir(report_root) / "scorecard.json").read_text())
    citations = [c["citation"] for s in scorecard["services"] if s["standard"] == "drs" for c in s["checks"]]
    assert citations and not [c for c in citations if c.startswith(("DRS 1.2.0", "DRS 1.3.0", "DRS 1.4.0"))]
    assert any(c.startswith("DRS 1.5.0 §") for c in citations)


@pytest.mark.parametrize("citation, standard, version, owner, expected", [
    ("DRS 1.2.0 §Checksums", "drs", "1.5.0", "drs", "DRS 1.5.0 §Checksums"),
    ("Beacon v2.1.1 §Framework", "beacon", "2.0.0", "beacon", "Beacon v2.0.0 §Framework"),
    ("refget 1.0.1 §Metadata", "refget", "2.0.0", "refget", "refget 2.0.0 §Metadata"),
    ("DRS 1.5.0 §Checksums", "drs", "1.5.0", "drs", "DRS 1.5.0 §Checksums"),
    ("RFC 9110 §15.5.5", "drs", "1.5.0", "drs", "RFC 9110 §15.5.5"),
    # a shared check cites its own document, whatever the service's standard
    ("GA4GH service-info 1.0.0 §Schema", "refget", "2.0.0", "service-info", "GA4GH service-info 1.0.0 §Schema"),
    # a citation that names the declared version's own document further on is left alone
    ("VRS 2.0 docs/conventions/computed_identifiers.rst; VRS 1.3 docs/impl-guide/computed_identifiers.rst",
     "vrs", "1.3", "vrs",
     "VRS 2.0 docs/conventions/computed_identifiers.rst; VRS 1.3 docs/impl-guide/computed_identifiers.rst"),
    ("TES 1.0.0 and 1.1.0 ListTasks name_prefix", "tes", "1.1.0", "tes", "TES 1.0.0 and 1.1.0 ListTasks name_prefix"),
    ("TES 1.0.0 and 1.1.0 ListTasks name_prefix", "tes", "1.0.0", "tes", "TES 1.0.0 and 1.1.0 ListTasks name_prefix"),
    # a version that only starts like the declared one is another
    ("DRS 1.2.0 §Checksums (as 1.5.0.1)", "drs", "1.5.0", "drs", "DRS 1.5.0 §Checksums (as 1.5.0.1)"),
    # a version the standard does not have is not a version of this standard: left alone
    ("Sequence Collections 1.0.0 decision record", "seqcol", "1.0.0", "seqcol",
     "Sequence Collections 1.0.0 decision record"),
])
def test_citation_for(citation: str, standard: str, version: str, owner: str, expected: str) -> None:
    from conformance.profile import Service
    from conformance.run import citation_for

    service = Service(index=0, standard=standard, version=version, url="https://x.example.org")
    assert citation_for(citation, service, owner) == expected


def test_an_unreachable_service_names_the_proxy_the_harness_does_not_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Behind an egress proxy every remote service is unreachable: the reason says the environment names one
    (the client never uses it), which is the whole explanation."""
    import conformance.run
    from conformance.reference.server import free_port

    monkeypatch.setattr(conformance.run, "unused_proxy", lambda url: "HTTPS_PROXY")
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Proxied", "services": [
        si_entry(f"http://127.0.0.1:{free_port()}")]}))
    assert main(["run", "--profile", str(profile), "--report-dir", str(tmp_path / "r"), "--quiet"]) == 2
    service = json.loads((only_run_dir(tmp_path / "r") / "scorecard.json").read_text())["services"][0]
    assert service["unreachable"].startswith("connection refused (http://127.0.0.1:")
    assert service["unreachable"].endswith("; the environment names a proxy for it (HTTPS_PROXY), which the "
                                          "harness uses only when the profile says proxy: environment")


@pytest.mark.parametrize(("standard", "check"), [("tes", "tes.list.response"), ("trs", "trs.descriptor.schema"),
                                                 ("wes", "wes.property.unknown-runs-are-404")])
def test_a_url_that_stops_before_the_api_prefix_names_the_url_to_declare(standard: str, check: str,
                                                                         report_root: Path) -> None:
    """Suite.api_prefix: the API answers only under the prefix its standard names; the profile's url stops
    before it. No check can tell anything there: the service is unreachable at that url, with the url to declare."""
    from conformance import suite as suites

    suite = suites.for_standard(standard)
    server = reference.start(standard)
    try:
        api = server.url.rstrip("/")
        assert suite.api_prefix and api.endswith(suite.api_prefix)
        entry = {"standard": standard, "version": server.app.version, "url": api.removesuffix(suite.api_prefix)}
        result = run_profile({"initiative": "Root", "services": [entry]}, report_root,
                             checks=[check])
    finally:
        server.stop()
    assert result.exit_code == 2, result.output
    assert (result.scorecard.services[0].unreachable or "").endswith(f"declare url: {api}"), result.output


def test_a_url_where_none_of_the_base_paths_answers_is_no_api(report_root: Path) -> None:
    """Suite.base_paths: a beacon's url may be anything (no API prefix), but /info and /map are at its base;
    a url where the probe and each of them answer 404 is not the API: unreachable, one line, not thirty 404s."""
    server = reference.start("beacon")
    try:
        api = server.url.rstrip("/")
        root = api.rsplit("/", 1)[0]
        entry = {"standard": "beacon", "version": server.app.version, "url": root}
        result = run_profile({"initiative": "Root", "services": [entry]}, report_root,
                             checks=["beacon.info.info-returns-info-response"])
        at_api = run_profile({"initiative": "Api", "services": [{**entry, "url": api}]}, report_root,
                             checks=["beacon.info.info-returns-info-response"])
    finally:
        server.stop()
    assert result.exit_code == 2, result.output
    assert result.scorecard.services[0].unreachable == (
        f"no API at the profile's url {root}: GET /service-info, /info, /map each answered 404 (declare the url "
        "of the API's base, where the standard's paths are)")
    assert at_api.scorecard.services[0].unreachable is None and at_api.exit_code == 0, at_api.output


class MapOnly(ReferenceApp):
    """A beacon base that answers /map only (its /service-info and /info missing)."""

    standard: ClassVar[str] = "beacon-map-only-test"
    versions: ClassVar[tuple[str, ...]] = ("2.1.1",)
    FAULTS: ClassVar[dict[str, reference.Fault]] = {}

    @route("GET", "/map")
    def map(self, request: Request) -> Reply:
        return json_reply({"meta": {}, "response": {"endpointSets": {}}})


def test_a_base_answering_one_of_its_paths_is_checked(report_root: Path) -> None:
    # /service-info and /info missing at the right base is what the checks report, not an unreachable service
    with reference.ReferenceServer(MapOnly()).start() as server:
        result = run_profile({"initiative": "Map only", "services": [
            {"standard": "beacon", "version": "2.1.1", "url": server.url}]}, report_root,
            checks=["beacon.info.info-returns-info-response"])
    assert result.scorecard.services[0].unreachable is None
    assert result.outcome("beacon.info.info-returns-info-response") == "failed"


class Gated(ReferenceApp):
    """Asks for credentials at the root's /service-info; under the prefix, an HTML page or an answer that
    never comes (``slow``)."""

    standard: ClassVar[str] = "tes-gated-test"
    versions: ClassVar[tuple[str, ...]] = ("1.1.0",)
    FAULTS: ClassVar[dict[str, reference.Fault]] = {}

    def __init__(self, slow: bool) -> None:
        super().__init__()
        self.slow = slow

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        return json_reply({"msg": "credentials, please"}, 401)

    @route("GET", "/ga4gh/tes/v1/service-info")
    def under(self, request: Request) -> Reply:
        if self.slow:
            time.sleep(1.5)
        return Reply(200, b"<html><body>Welcome</body></html>", {"Content-Type": "text/html"})


@pytest.mark.parametrize("slow", [False, True], ids=["html-page", "no-answer"])
def test_what_answers_under_the_prefix_makes_no_service_unreachable_unless_it_is_the_api(
        slow: bool, report_root: Path) -> None:
    """The service answered at its url (401): a page any path gets under the prefix, or no answer there, is no
    sign that the API is under it; the service is checked at its url as declared."""
    with reference.ReferenceServer(Gated(slow)).start() as server:
        result = run_profile({"initiative": "Gated", "budget": {**LOOPBACK_BUDGET, "request_timeout_seconds": 0.5},
                              "services": [{"standard": "tes", "version": "1.1.0", "url": server.url}]},
                             report_root, checks=["tes.list.response"])
    assert result.scorecard.services[0].unreachable is None, result.output


def test_one_unreachable_service_does_not_stop_the_others(report_root: Path) -> None:
    from conformance.reference.server import free_port

    result = run_profile({"initiative": "Mixed", "services": [
        si_entry(f"http://127.0.0.1:{free_port()}"), {**si_entry(""), "url": None, "reference": True}]}, report_root)
    verdicts = [s.verdict() for s in result.scorecard.services]
    assert verdicts == ["unreachable", "conformant"]
    assert result.exit_code == 2


def test_expected_failures_let_ci_pass_and_report_stale_entries(report_root: Path) -> None:
    document = {
        "initiative": "Known gaps",
        "services": [{**si_entry(""), "url": None, "reference": {"faults": ["wrong-artifact"]}}],
        "expected_failures": [
            {"check": "service-info.type.artifact-matches-standard", "reason": "fix in next release",
             "expires": "2099-01-01"},
            {"check": "service-info.timestamps.rfc3339", "reason": "was fixed", "expires": "2099-01-01"},
            {"check": "service-info.no-such-check", "reason": "typo", "expires": "2099-01-01"},
        ]}
    result = run_profile(document, report_root)
    check = result.check("service-info.type.artifact-matches-standard")
    assert check.outcome == "failed" and check.expected_failure == {
        "reason": "fix in next release", "expires": "2099-01-01", "status": "waived"}
    assert result.scorecard.services[0].verdict() == "non-conformant"  # the truth stays in the scorecard
    assert result.exit_code == 0  # ...while CI passes on the known gap
    notices = " ".join(result.scorecard.notices)
    assert "service-info.timestamps.rfc3339" in notices and "passed" in notices
    assert "service-info.no-such-check" in notices


def test_waiving_a_consequence_alone_says_to_name_its_cause(report_root: Path, specs_dir: str | None) -> None:
    """The failure that counts is the root cause's: a waiver of its consequence changes nothing, and says so."""
    document = {"initiative": "Waived consequence",
                "services": [{**si_entry(""), "url": None, "reference": {"faults": ["missing-id"]}}],
                "expected_failures": [{"check": "service-info.fields.required-present", "reason": "r",
                                       "expires": "2099-01-01"}]}
    result = run_profile(document, report_root, specs_dir=specs_dir)
    assert result.causes()["service-info.fields.required-present"] == "service-info.schema.valid"
    assert result.exit_code == 1
    assert ("expected_failures names service-info.fields.required-present on service-info-0, a consequence of "
            "service-info.schema.valid: the failure that counts is service-info.schema.valid's; name it instead "
            "(its consequences follow it)") in result.scorecard.notices, result.scorecard.notices


def test_expired_expected_failure_counts_again(report_root: Path) -> None:
    document = {"initiative": "Expired", "services": [{**si_entry(""), "url": None,
                                                       "reference": {"faults": ["wrong-artifact"]}}],
                "expected_failures": [{"check": "service-info.type.artifact-matches-standard", "reason": "r",
                                       "expires": "2020-01-01"}]}
    result = run_profile(document, report_root)
    assert result.exit_code == 1
    assert "expired on 2020-01-01" in " ".join(result.scorecard.notices)


class Registry_(ReferenceApp):
    standard: ClassVar[str] = "service-registry-test"
    versions: ClassVar[tuple[str, ...]] = ("1.0.0",)
    FAULTS: ClassVar[dict[str, reference.Fault]] = {}

    def __init__(self, listed: list[dict[str, Any]]) -> None:
        super().__init__()
        self.listed = listed

    @route("GET", "/services")
    def services(self, request: Request) -> Reply:
        return json_reply(self.listed)

    @route("GET", "/service-info")
    def service_info(self, request: Request) -> Reply:
        return json_reply(service_info_document("service-registry", "1.0.0"))


def test_registry_discovers_services(report_root: Path) -> None:
    with reference.start("service-info") as target:
        listed = [{**service_info_document("service-info", "1.0.0"), "url": target.url},
                  {**service_info_document("wes", "1.1.0", service_id="org.example.wes")}]  # no url
        with reference.ReferenceServer(Registry_(listed)).start() as registry:
            result = run_profile({"initiative": "From a registry", "registry": registry.url}, report_root)
    assert [(s.standard, s.url) for s in result.scorecard.services] == [("service-info", target.url)]
    assert result.exit_code == 0
    assert any("org.example.wes" in n and "not checked" in n for n in result.scorecard.notices)




def test_a_listed_service_of_a_type_outside_org_ga4gh_is_not_checked(report_root: Path) -> None:
    # a portal listed as com.example:portal claims no GA4GH specification: its missing /service-info is no
    # failure (service-info 1.0.0 ServiceType.group; service-registry 1.0.0 ExternalService.url), nor is a
    # drs of another group, which may diverge from the official specification
    with reference.start("service-info") as target, reference.ReferenceServer(Registry_([])).start() as portal:
        portal_type = {"group": "com.example", "artifact": "portal", "version": "1.0"}
        drs_type = {"group": "com.example", "artifact": "drs", "version": "1.4.0"}
        listed = [{**service_info_document("service-info", "1.0.0"), "url": target.url},
                  {**service_info_document("service-info", "1.0.0", service_id="com.example.portal"),
                   "type": portal_type, "url": portal.url},
                  {**service_info_document("service-info", "1.0.0", service_id="com.example.drs"),
                   "type": drs_type, "url": portal.url + "/drs"}]
        with reference.ReferenceServer(Registry_(listed)).start() as registry:
            result = run_profile({"initiative": "From a registry", "registry": registry.url}, report_root)
    assert [(s.standard, s.url) for s in result.scorecard.services] == [("service-info", target.url)]
    assert result.exit_code == 0
    assert ("registry lists com.example.portal as com.example:portal:1.0, a type outside org.ga4gh (it claims no "
            "GA4GH specification): not checked") in result.scorecard.notices
    not_tested = result.scorecard.registry["not_tested"]
    assert [(n["id"], n["reason"]) for n in not_tested] == [
        ("com.example.portal", "type group com.example is not org.ga4gh: no GA4GH specification claimed"),
        ("com.example.drs", "type group com.example is not org.ga4gh: no GA4GH specification claimed")]


def test_a_registry_cannot_point_the_harness_at_cloud_metadata(report_root: Path) -> None:
    """A listed service at a link-local address (169.254.169.254, cloud metadata) is not probed, as a redirect
    there is not followed; an entry's id that is no string is said so, not shown as a Python value."""
    with reference.start("service-info") as target:
        listed = [{**service_info_document("service-info", "1.0.0"), "url": target.url},
                  {**service_info_document("drs", "1.5.0", service_id="org.example.meta"),
                   "url": "http://169.254.169.254/latest"},
                  {**service_info_document("drs", "1.5.0"), "id": {"x": 1}},
                  {**service_info_document("drs", "1.5.0", service_id="org.example.userinfo"),
                   "url": "http://eve:hunter2@drs.example.org/ga4gh/drs/v1"}]
        with reference.ReferenceServer(Registry_(listed)).start() as registry:
            result = run_profile({"initiative": "From a registry", "registry": registry.url}, report_root)
    assert [s.url for s in result.scorecard.services] == [target.url]
    assert ("registry lists org.example.meta at http://169.254.169.254/latest: a link-local or special address "
            "(cloud metadata, say); not checked (a service the profile declares is)") in result.scorecard.notices
    assert any(n.startswith("registry lists an entry without a string id without an http(s) url")
               for n in result.scorecard.notices), result.scorecard.notices
    assert ("registry lists org.example.userinfo with user information ('user:password@') in its url: not checked "
            "(it would be sent in place of the profile's credentials)") in result.scorecard.notices
    assert not any("hunter2" in n for n in result.scorecard.notices)

def test_a_listed_name_is_judged_where_its_connection_goes(report_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry on a public address lists a host name that resolves to a public address when the listing is
    judged and to a loopback one when the harness connects (DNS rebinding): the connection is judged too, and
    the service is unreachable with the reason; nothing is sent to it."""
    import socket

    from conformance.http import redirects, transport

    real_resolve, real_peer = socket.getaddrinfo, transport._peer_address
    lookups: list[str] = []

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("registry.test", "listed.test"):
            lookups.append(host)
            first_listed = host == "listed.test" and lookups.count(host) == 1
            address = "93.184.216.35" if first_listed else "127.0.0.2" if host == "registry.test" else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]
        return real_resolve(host, port, *args, **kwargs)

    def peer(sock: socket.socket) -> str | None:  # the registry, on 127.0.0.2, is seen on a public address
        found = real_peer(sock)
        return "93.184.216.34" if found == "127.0.0.2" else found

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(transport, "_peer_address", peer)
    monkeypatch.setattr(redirects, "_DECLARED", {})
    redirects._resolves_inner.cache_clear()
    redirects._at_addresses.cache_clear()
    try:
        with reference.start("service-info") as target:
            listed_url = target.url.replace("127.0.0.1", "listed.test")
            listed = [{**service_info_document("service-info", "1.0.0"), "url": listed_url}]
            with reference.ReferenceServer(Registry_(listed), host="127.0.0.2").start() as registry:
                result = run_profile({"initiative": "Rebinding", "registry":
                                      registry.url.replace("127.0.0.2", "registry.test")}, report_root)
    finally:
        redirects._resolves_inner.cache_clear()
        redirects._at_addresses.cache_clear()
    [service] = result.scorecard.services
    assert service.url == listed_url and service.unreachable == (
        f"not requested: {listed_url}/service-info is at 127.0.0.1, a loopback or private address, followed only "
        f"for a service on such an address (a host of the deployment's own network is followed when the entry "
        f"lists it under auth.allowed_hosts) ({listed_url})")
    assert lookups.count("listed.test") == 2  # judged when listed, and where the connection went


def test_a_registry_only_profile_whose_registry_cannot_be_read_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Registry only", "registry": url}))
    assert main(["run", str(profile), "--report-dir", str(tmp_path / "r"), "--quiet"]) == 4
    err = capsys.readouterr().err
    assert f"no services to check (service registry {url} could not be read: " in err and "refused" in err, err


def test_the_command_line_budget_is_in_force_when_the_registry_is_read(tmp_path: Path) -> None:
    """--request-timeout bounds the registry's answer too: it is applied before the registry is read."""
    import socket

    from conformance.run import prepare

    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        profile = tmp_path / "p.yaml"
        profile.write_text(yaml.safe_dump({"initiative": "Registry only", "registry": url}))
        with pytest.raises(UsageError, match="could not be read") as caught:
            prepare(str(profile), report_root=tmp_path / "r", budget={"request_timeout_seconds": 1.0})
    assert "request_timeout_seconds=1" in str(caught.value)  # not the profile's 30 s

def test_pytest_plugin_runs_a_profile_without_the_cli(tmp_path: Path) -> None:
    with reference.start("service-info", ["wrong-artifact"]) as server:
        profile = tmp_path / "p.yaml"
        profile.write_text(yaml.safe_dump({"initiative": "Plain pytest", "services": [si_entry(server.url)]}))
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--conformance-profile",
                               str(profile), "--conformance-report-dir", str(tmp_path / "r"), "-q"],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "service-info.type.artifact-matches-standard" in done.stdout
    scorecard = json.loads((only_run_dir(tmp_path / "r") / "scorecard.json").read_text())
    assert scorecard["services"][0]["verdict"] == "non-conformant"


@pytest.mark.parametrize("command", [
    ["-m", "conformance.cli", "run", "--quiet", "--check", "drs.object.unknown-id-is-404", "--report-dir", "r",
     "--profile"],
    # plain pytest (its own cache provider off, as a user's setting would have it): the same
    ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--conformance-check", "drs.object.unknown-id-is-404",
     "--conformance-report-dir", "r", "--conformance-profile"],
], ids=["cli", "pytest"])
def test_a_run_writes_nothing_where_it_is_started_but_its_reports(tmp_path: Path, command: list[str]) -> None:
    """Hypothesis's Unicode tables go to the user cache (a property check of DRS draws text), not to a
    .hypothesis folder in the current directory."""
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Here", "services": [
        {"standard": "drs", "version": "1.5.0", "url": None, "reference": True, "objects": ["blob-1"]}]}))
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    done = subprocess.run([sys.executable, *command, str(profile)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "p.yaml", "r"]
    assert (tmp_path / "cache" / "ga4gh-conformance" / "hypothesis" / "unicode_data").is_dir()


def test_list_checks_shows_levels_citations_and_uncovered(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list-checks", "--standard", "service-info"]) == 0
    out = capsys.readouterr().out
    assert "| `service-info.type.artifact-matches-standard` | MUST | service-info 1.0.0 §" in out
    assert "Not covered by a check" in out and "service-info.name.human-readable" in out
    assert main(["list-checks", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["check"] or r["uncovered"] for r in rows)


def test_profiles_demo_yaml_is_the_demo_profile() -> None:
    assert (REPO / "profiles" / "demo.yaml").read_text() == demo_profile_yaml()


def test_seed_is_recorded(report_root: Path) -> None:
    assert main(["demo", "--report-dir", str(report_root), "--standard", "service-info", "--seed", "7",
                 "--quiet"]) == 0
    scorecard = json.loads((only_run_dir(report_root) / "scorecard.json").read_text())
    assert scorecard["seed"] == 7 and scorecard["explore"] is False


def test_no_must_check_decided_is_incomplete_not_conformant(report_root: Path) -> None:
    result = run_profile({"initiative": "Only a SHOULD",
                          "services": [{**si_entry(""), "url": None, "reference": True}]},
                         report_root, checks=["service-info.type.group-is-org-ga4gh"])
    assert result.scorecard.services[0].verdict() == "incomplete"
    assert result.exit_code == 2


def test_explore_records_a_random_seed(report_root: Path) -> None:
    assert main(["run", "--profile", str(REPO / "profiles" / "demo.yaml"), "--standard", "service-info",
                 "--explore", "--report-dir", str(report_root), "--quiet"]) == 0
    scorecard = json.loads((only_run_dir(report_root) / "scorecard.json").read_text())
    assert scorecard["explore"] is True and isinstance(scorecard["seed"], int)


def test_a_suite_module_that_cannot_load_makes_its_services_incomplete(
        report_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import conformance.plugin as plugin

    original = plugin.SuiteModule._getobj

    def broken(self: plugin.SuiteModule) -> Any:
        if self.module_name.endswith("check_service_info"):
            raise ImportError("simulated defect")
        return original(self)

    monkeypatch.setattr(plugin.SuiteModule, "_getobj", broken)
    result = run_profile({"initiative": "Broken", "services": [{**si_entry(""), "url": None, "reference": True}]},
                         report_root)
    assert result.scorecard.services[0].verdict() == "incomplete"
    assert any("could not be loaded" in n for n in result.scorecard.notices)
    assert result.exit_code == 2


def test_count_skips_puts_the_count_of_one_skip_reason_first_among_the_notices() -> None:
    """A suite's view that lacks material many checks need (issue 21: an access token) registers the reason;
    the notice counts the checks of that service skipped for it, and only those."""
    from types import SimpleNamespace

    from conformance.run import Run
    from conformance.scorecard import CheckResult, ServiceResult

    def skipped(check_id: str, message: str) -> CheckResult:
        return CheckResult(check_id, "MUST", "X §1", "text", "skipped", message)

    service = ServiceResult("passports-broker-0", "passports", "1.2", "https://b.example.org", None, checks=[
        skipped("a", "no access token: none given"), skipped("b", "no access token: none given"),
        skipped("c", "a clearinghouse check"), CheckResult("d", "MUST", "X §1", "t", "passed")])
    other = ServiceResult("passports-broker-1", "passports", "1.2", "https://c.example.org", None,
                          checks=[skipped("a", "no access token: none given")])
    fake: Any = SimpleNamespace(skip_counts={})
    Run.count_skips(fake, "passports-broker-0", "no access token", "no access token (give one)")
    Run.count_skips(fake, "passports-broker-2", "no access token", "no access token (give one)")
    assert Run._skip_count_notices(fake, [service, other]) == [
        "passports-broker-0: 2 checks not run: no access token (give one)"]


def test_closing_a_run_stops_its_embedded_servers_side_by_side() -> None:
    """Each server's stop waits up to its loop's poll interval: one after another, the demo's servers
    took seconds to stop (issue 20). Every stop here waits for all the others: stopped one after
    another, the barrier would break."""
    import threading

    from conformance.run import _stop_all

    servers = 5
    barrier = threading.Barrier(servers, timeout=5)
    stopped: list[bool] = []

    class Server:
        def stop(self) -> None:
            barrier.wait()
            stopped.append(True)

    _stop_all([Server() for _ in range(servers)])  # type: ignore[misc]
    assert stopped == [True] * servers


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_profiles_id_is_the_scorecards_initiative_id(report_root: Path, jobs: int) -> None:
    document = {"initiative": "Northern Genomics", "id": "northern-genomics",
                "services": [{**si_entry(""), "url": None, "reference": True}]}
    result = run_profile(document, report_root, jobs=jobs)
    written = json.loads((result.run_dir / "scorecard.json").read_text(encoding="utf-8"))
    assert written["initiative_id"] == "northern-genomics" and written["initiative"] == "Northern Genomics"
