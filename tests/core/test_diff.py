"""conformance/diff.py: ``conformance diff`` and ``conformance run --baseline`` (issue 18)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance import reference
from conformance.cli import main
from conformance.diff import compare, load_scorecard, render_markdown
from conformance.testing import RunResult, run_reference

FAULT = "wrong-content-type"


def check(check_id: str, outcome: str, level: str = "MUST", message: str = "") -> dict[str, Any]:
    return {"id": check_id, "level": level, "outcome": outcome, "message": message}


def scorecard(services: list[dict[str, Any]], *, harness: str = "0.1.0", fingerprint: str = "aaa",
              started: str = "2026-11-24T10:00:00Z") -> dict[str, Any]:
    return {"format": "ga4gh-conformance-scorecard/1", "initiative": "X", "started": started,
            "verdict": "conformant", "harness": {"version": harness, "suites": {"drs": {"version": fingerprint}}},
            "services": services}


def service(key: str, checks: list[dict[str, Any]], verdict: str = "conformant", must: int = 1) -> dict[str, Any]:
    return {"key": key, "standard": "drs", "url": f"https://{key}.example.org", "verdict": verdict,
            "summary": {"must_passed": must, "must_total": 2, "warnings": 0}, "checks": checks}


# -- compare ---------------------------------------------------------------------------------------------------


def test_each_kind_of_change() -> None:
    old = scorecard([service("drs-0", [check("a", "passed"), check("b", "failed"),
                                       check("c", "skipped", message="no ids"), check("d", "passed", "SHOULD"),
                                       check("e", "passed"), check("gone", "passed"),
                                       check("f", "skipped", message="v1.2 only")]),
                     service("drs-1", [])])
    new = scorecard([service("drs-0", [check("a", "failed", message="404"), check("b", "passed"),
                                       check("c", "skipped", message="no objects"), check("d", "failed", "SHOULD"),
                                       check("e", "passed", "SHOULD"), check("added", "failed"),
                                       check("f", "skipped", message="v1.2 only")], verdict="non-conformant", must=0),
                     {**service("htsget-2", []), "standard": "htsget"}],
                    harness="0.2.0", fingerprint="bbb", started="2026-11-25T10:00:00Z")
    result = compare(old, new)
    assert [(c.id, c.level, c.before, c.after) for c in result.regressions] == [
        ("a", "MUST", "passed", "failed"), ("d", "SHOULD", "passed", "failed")]
    assert [c.id for c in result.fixed] == ["b"]
    assert [(c.id, c.before_message, c.message) for c in result.changed] == [
        ("c", "no ids", "no objects"), ("e", "", "")]
    assert result.changed[1].before_level == "MUST" and result.changed[1].level == "SHOULD"
    assert [c.id for c in result.only_old] == ["gone"] and [c.id for c in result.only_new] == ["added"]
    assert [s["key"] for s in result.services_removed] == ["drs-1"]
    assert [s["key"] for s in result.services_added] == ["htsget-2"]
    assert result.scores[0]["before"]["verdict"] == "conformant"
    assert result.scores[0]["after"] == {"verdict": "non-conformant", "must_passed": 0, "must_total": 2, "warnings": 0}
    assert result.notes == ["harness 0.1.0 → 0.2.0: compared check by check where the ids match",
                            "the drs suite changed (fingerprint aaa → bbb): compared check by check where the ids "
                            "match"]
    assert result.exit_code() == 1 and not result.unchanged
    text = render_markdown(result)
    for line in ("**Regressions (newly failing)** (2)", "- `a` on `drs-0` (MUST): passed → failed: 404",
                 "**Checks only in the old run** (1)", "- `gone` on `drs-0` (MUST): passed → —",
                 "**Checks only in the new run** (1)", "- `added` on `drs-0` (MUST): — → failed",
                 "- `e` on `drs-0` (SHOULD): passed → passed (level MUST → SHOULD)",
                 "**Services added**", "**Services removed**"):
        assert line in text.splitlines(), line


def test_server_text_is_shown_as_written_not_rendered() -> None:
    """A message quoting a server (an image, a table cell, a new line) stays one line of text in a CI summary."""
    old = scorecard([service("drs-0", [check("a", "passed")])])
    new = scorecard([service("drs-0", [check("a", "failed", message="body ![x](https://t.example/p.png) | <b>\n# h")])],
                    started="2026-11-25T10:00:00Z")
    line = next(x for x in render_markdown(compare(old, new)).splitlines() if x.startswith("- `a`"))
    assert line == "- `a` on `drs-0` (MUST): passed → failed: body !\\[x\\](https://t.example/p.png) \\| \\<b\\> # h"


def test_a_check_failing_only_in_the_new_harness_is_no_regression() -> None:
    result = compare(scorecard([service("drs-0", [check("a", "passed")])]),
                     scorecard([service("drs-0", [check("a", "passed"), check("new", "failed")])]))
    assert result.exit_code() == 0 and [c.id for c in result.only_new] == ["new"]


def test_same_scorecard_is_no_change() -> None:
    card = scorecard([service("drs-0", [check("a", "passed"), check("b", "failed")])])
    result = compare(card, card)
    assert result.unchanged and result.exit_code() == 0
    assert "No change." in render_markdown(result)


def test_swapped_runs_are_pointed_out() -> None:
    result = compare(scorecard([], started="2026-11-25T00:00:00Z"), scorecard([], started="2026-11-24T00:00:00Z"))
    assert result.notes == ["the new run started before the old one: are OLD and NEW swapped?"]


def test_load_scorecard_says_what_is_wrong(tmp_path: Path) -> None:
    from conformance.errors import UsageError

    with pytest.raises(UsageError, match="no such report directory or bundle"):
        load_scorecard(tmp_path / "absent")
    with pytest.raises(UsageError, match=r"no scorecard\.json in this directory"):
        load_scorecard(tmp_path)
    (tmp_path / "x.json").write_text("[1]")
    with pytest.raises(UsageError, match="not a ga4gh-conformance scorecard"):
        load_scorecard(tmp_path / "x.json")
    (tmp_path / "deep.json").write_text("[" * 200_000)
    with pytest.raises(UsageError, match=r"not a scorecard \(JSON nested too deeply to read\)"):
        load_scorecard(tmp_path / "deep.json")
    (tmp_path / "next.json").write_text(json.dumps({**scorecard([]), "format": "ga4gh-conformance-scorecard/2"}))
    with pytest.raises(UsageError, match="of format 'ga4gh-conformance-scorecard/2'; this harness reads "
                                         "ga4gh-conformance-scorecard/1"):
        load_scorecard(tmp_path / "next.json")
    os.mkfifo(tmp_path / "fifo.json")  # no writer: reading it would wait forever
    with pytest.raises(UsageError, match="not a regular file, so not read"):
        load_scorecard(tmp_path / "fifo.json")


def test_a_filtered_or_interrupted_run_is_said() -> None:
    partial = {**scorecard([]), "selection": {"checks": ["drs.a", "drs.b"], "standards": None}}
    stopped = {**scorecard([], started="2026-11-25T00:00:00Z"), "interrupted": True}
    assert compare(scorecard([]), partial).notes == [
        "NEW is filtered with --check (2 given): checks it did not run are listed as only in the other run, "
        "not as gone or added"]
    assert compare(partial, stopped).notes[1] == (
        "NEW is interrupted: checks it did not run are listed as only in the other run, not as gone or added")


# -- the "must show", against the service-info reference server -----------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, requires_specs: str) -> dict[str, RunResult]:
    root = tmp_path_factory.mktemp("runs")
    return {"clean": run_reference("service-info", root, specs_dir=requires_specs),
            "again": run_reference("service-info", root, specs_dir=requires_specs),
            "fault": run_reference("service-info", root, faults=[FAULT], specs_dir=requires_specs)}


def test_one_fault_shows_exactly_its_checks_as_regressions(runs: dict[str, RunResult],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    catches = reference.find_app("service-info", None).FAULTS[FAULT].catches
    assert main(["diff", str(runs["clean"].run_dir), str(runs["fault"].run_dir), "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert sorted(c["id"] for c in document["regressions"]) == sorted(catches)
    assert document["fixed"] == [] and document["only_in_old"] == [] and document["only_in_new"] == []
    assert main(["diff", str(runs["clean"].run_dir), str(runs["fault"].run_dir)]) == 1
    text = capsys.readouterr().out
    assert text.startswith("# Since last run\n")
    assert "**Regressions (newly failing)** (1)" in text


def test_two_runs_of_the_same_server_are_no_change(runs: dict[str, RunResult],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(runs["clean"].run_dir), str(runs["again"].run_dir)]) == 0
    assert "\nNo change.\n" in capsys.readouterr().out
    assert main(["diff", str(runs["clean"].run_dir / "scorecard.json"), str(runs["again"].run_dir),
                 "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] is True


def test_diff_reads_bundles(runs: dict[str, RunResult], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from conformance.certify.manifest import certify

    key = ed25519.Ed25519PrivateKey.generate()
    bundles: list[Path] = []
    for name in ("clean", "fault"):
        profile = tmp_path / f"{name}.yaml"
        profile.write_text("initiative: x\n")
        bundles.append(tmp_path / f"{name}.tar")
        scorecard_path = runs[name].run_dir / "scorecard.json"
        document = json.loads(scorecard_path.read_text())
        document["profile"] = {"path": str(profile), "sha256": ""}
        copy = tmp_path / name
        copy.mkdir()
        (copy / "scorecard.json").write_text(json.dumps(document))
        certify(copy, key, bundles[-1])
    assert main(["diff", str(bundles[0]), str(bundles[1])]) == 1
    assert "service-info.content-type.is-json" in capsys.readouterr().out


def test_diff_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(tmp_path / "a"), str(tmp_path / "b")]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such report directory or bundle" in err


# -- conformance run --baseline ---------------------------------------------------------------------------------


def _profile(tmp_path: Path, faults: list[str]) -> Path:
    path = tmp_path / f"profile-{len(faults)}.yaml"
    path.write_text(yaml.safe_dump({"initiative": "Baseline", "budget": {"requests_per_second": 500},
                                    "services": [{"standard": "service-info", "version": "1.0.0",
                                                  "reference": {"faults": faults}}]}))
    return path


def test_run_with_a_baseline_opens_summary_and_report_with_the_changes(runs: dict[str, RunResult],
                                                                       tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert main(["run", "--profile", str(_profile(tmp_path, [FAULT])), "--report-dir", str(reports), "--quiet",
                 "--baseline", str(runs["clean"].run_dir)]) == 1
    run_dir = next((reports / "baseline").iterdir())
    summary = (run_dir / "summary.md").read_text(encoding="utf-8").splitlines()
    assert summary[0].startswith("# GA4GH conformance: Baseline")
    assert summary[2] == "## Since last run"
    regressions = summary.index("**Regressions (newly failing)** (1)")
    assert summary[regressions + 1].startswith("- `service-info.content-type.is-json` on `service-info-0` (MUST): "
                                                "passed → failed")
    assert regressions < summary.index(
        "| Service | Version | Verdict | MUST passed | Warnings | Errors | Does not apply | Undecided |")
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<h2>Since last run</h2>" in html and "service-info.content-type.is-json" in html
    assert html.index("Since last run") < html.index("Scorecard: Baseline")


def test_run_with_a_bad_baseline_stops_before_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    assert main(["run", "--profile", str(_profile(tmp_path, [])), "--report-dir", str(reports), "--quiet",
                 "--baseline", str(tmp_path / "nothing")]) == 4
    assert "no such report directory or bundle" in capsys.readouterr().err
    assert not reports.exists()


def test_a_reordered_profile_pairs_the_only_service_of_a_standard() -> None:
    old = scorecard([service("drs-3", [check("a", "passed")]), service("drs-4", []),
                     {**service("service-info-8", [check("s", "passed")]), "standard": "service-info"}])
    new = scorecard([{**service("service-info-0", [check("s", "failed")]), "standard": "service-info"},
                     service("drs-1", [check("a", "passed")])])
    new["initiative"] = "Y"
    result = compare(old, new)
    assert [(c.service, c.id) for c in result.regressions] == [("service-info-0", "s")]
    assert "service-info-8 (old) is compared with service-info-0 (new): the only service-info service left on " \
           "each side" in result.notes
    assert "OLD is a run of 'X', NEW of 'Y'" in result.notes
    # two drs services left in OLD, one in NEW: no guess
    assert [s["key"] for s in result.services_removed] == ["drs-3", "drs-4"]
    assert [s["key"] for s in result.services_added] == ["drs-1"]


def test_services_swapped_in_the_profile_are_compared_at_their_urls() -> None:
    """Two services of one standard swapped in the profile swap keys: each is compared with itself (its url),
    not with the other, whose checks would read as regressions."""
    first = {**service("service-info-0", [check("s", "passed"), check("t", "failed")]), "url": "https://a.org"}
    second = {**service("service-info-1", [check("s", "failed"), check("t", "passed")]), "url": "https://b.org"}
    swapped = [{**second, "key": "service-info-0"}, {**first, "key": "service-info-1"}]
    result = compare(scorecard([first, second]), scorecard(swapped))
    assert result.regressions == [] and result.fixed == [] and result.changed == [], result.regressions
    assert result.services_added == result.services_removed == []
    assert "service-info-1 (old) is compared with service-info-0 (new): the same url" in result.notes


def test_loopback_and_missing_urls_pair_nothing() -> None:
    """A reference server's loopback port is new each run (one run's drs-0 port may be the next run's drs-1),
    and a data standard's entry has no url: neither says which service is which; their keys do."""
    old = scorecard([{**service("drs-0", [check("a", "passed")]), "url": "http://127.0.0.1:40001"},
                     {**service("drs-1", [check("a", "failed")]), "url": "http://127.0.0.1:40002"}])
    new = scorecard([{**service("drs-0", [check("a", "passed")]), "url": "http://127.0.0.1:40003"},
                     {**service("drs-1", [check("a", "failed")]), "url": "http://127.0.0.1:40001"}])
    result = compare(old, new)
    assert result.regressions == [] and result.fixed == [] and not [n for n in result.notes if "compared" in n]
    moved = compare(scorecard([{**service("vrs-0", [check("v", "passed")]), "standard": "vrs", "url": ""}]),
                    scorecard([{**service("vrs-3", [check("v", "passed")]), "standard": "vrs", "url": ""}]))
    assert moved.notes == ["vrs-0 (old) is compared with vrs-3 (new): the only vrs service left on each side"]


def test_roles_are_kept_apart_when_pairing() -> None:
    broker = {**service("passports-broker-3", [check("p", "passed")]), "standard": "passports"}
    clearinghouse = {**service("passports-clearinghouse-0", [check("p", "failed")]), "standard": "passports"}
    result = compare(scorecard([broker]), scorecard([clearinghouse]))
    assert result.regressions == [] and len(result.services_added) == len(result.services_removed) == 1


def test_a_version_declared_anew_and_another_initiative_are_said() -> None:
    old = scorecard([{**service("drs-0", [check("a", "passed")]), "version": "1.5.0"}])
    new = scorecard([{**service("drs-0", [check("a", "passed")]), "version": "1.4.0"}])
    new["initiative"] = "Y"
    result = compare(old, new)
    assert "drs-0 declares drs 1.4.0, 1.5.0 in the old run" in result.notes
    assert render_markdown(result).splitlines()[2].startswith("X: conformant (") and " → Y: conformant (" in \
        render_markdown(result)


def test_a_service_unreachable_in_the_new_run_is_one_note_not_every_check() -> None:
    """Unreachable, every check errs for want of the service: one note says so (no check regression: nothing
    failed; a verdict worse, which CI gates on), and its score is not a MUST fraction of checks that could not
    run."""
    old = scorecard([service("drs-0", [check("a", "passed"), check("b", "failed"), check("c", "skipped")],
                             verdict="non-conformant")])
    gone = {**service("drs-0", [check(c, "error", message="service unreachable: connection refused")
                                for c in "abc"], verdict="unreachable", must=0),
            "unreachable": "connection refused (https://drs-0.example.org)"}
    result = compare(old, scorecard([gone], started="2026-11-25T10:00:00Z"))
    assert not (result.regressions or result.fixed or result.changed) and result.exit_code() == 1
    assert result.verdicts_worse == [{"service": "drs-0", "standard": "drs", "before": "non-conformant",
                                      "after": "unreachable"}]
    assert result.notes == ["drs-0 was unreachable in the new run (connection refused (https://drs-0.example.org)): "
                            "none of its 3 checks could run; they are not listed one by one"]
    text = render_markdown(result)
    assert "| drs `drs-0` | non-conformant, MUST 1/2, 0 warnings | unreachable, no check could run |" in text
    assert "- `drs-0` drs: non-conformant → unreachable" in text.splitlines()
    back = compare(scorecard([gone]), old)  # reachable again: its checks are compared as usual
    assert [c.id for c in back.regressions] == ["b"] and [c.id for c in back.fixed] == ["a"]


@pytest.mark.parametrize(("before", "after", "worse"), [
    ("conformant", "incomplete", True), ("conformant", "non-conformant", True), ("incomplete", "unreachable", True),
    ("non-conformant", "incomplete", False), ("incomplete", "conformant", False), ("unreachable", "unreachable", False),
])
def test_a_verdict_worse_is_a_regression_ci_gates_on(before: str, after: str, worse: bool) -> None:
    """A service conformant no longer (its checks now erring, say: no check newly failed) or unreachable now."""
    old = scorecard([service("drs-0", [check("a", "passed")], verdict=before)])
    new = scorecard([service("drs-0", [check("a", "passed")], verdict=after)], started="2026-11-25T10:00:00Z")
    result = compare(old, new)
    assert bool(result.verdicts_worse) is worse and result.exit_code() == int(worse)


def test_one_id_under_two_names_is_a_rename_and_two_ids_under_one_name_are_two_initiatives() -> None:
    old = {**scorecard([]), "initiative": "Old Name", "initiative_id": "northern-genomics"}
    renamed = {**scorecard([], started="2026-11-25T10:00:00Z"), "initiative": "New Name",
               "initiative_id": "northern-genomics"}
    assert compare(old, renamed).notes == ["the initiative 'northern-genomics' was renamed: 'Old Name' → 'New Name'"]
    other = {**renamed, "initiative": "Old Name", "initiative_id": "southern-genomics"}
    assert compare(old, other).notes == ["OLD is a run of the initiative 'northern-genomics', NEW of "
                                         "'southern-genomics', both named 'Old Name'"]
