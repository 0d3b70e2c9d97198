"""The adoption dashboard from scorecards written by hand: grouping, latest runs, comparability, the
per-standard ordering, matrix.json, escaping, and what it refuses to do."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

import pytest

from conformance.cli import main
from conformance.dashboard.runs import SITE_MARKER, collect
from conformance.dashboard.site import MATRIX_FORMAT, build_site
from conformance.profile import slugify

HOSTILE = 'Évil <script>alert("x")</script> & "Co"'
#: An initiative is identified by the name its scorecard gives, not by the folder the scorecard is in.
EVIL = slugify(HOSTILE)


def check(cid: str, outcome: str, level: str = "MUST") -> dict[str, Any]:
    return {"id": cid, "level": level, "outcome": outcome, "citation": f"X 1.0 §{cid}", "message": "",
            "requirement": f"requirement {cid}", "cases": []}


def service(standard: str, checks: list[dict[str, Any]], *, version: str = "1.0.0", index: int = 0,
            verdict: str | None = None, unreachable: str | None = None) -> dict[str, Any]:
    musts = [c for c in checks if c["level"] == "MUST"]
    if unreachable:
        verdict = "unreachable"
    if verdict is None:
        verdict = ("non-conformant" if any(c["outcome"] == "failed" for c in musts) else
                   "incomplete" if any(c["outcome"] == "error" for c in musts) else "conformant")
    return {"key": f"{standard}-{index}", "standard": standard, "version": version,
            "url": f"https://{standard}.example.org", "verdict": verdict,
            "verdict_with_expected_failures": verdict,
            "summary": {"passed": sum(c["outcome"] == "passed" for c in checks),
                        "failed": sum(c["outcome"] == "failed" for c in checks),
                        "error": sum(c["outcome"] == "error" for c in checks),
                        "skipped": sum(c["outcome"] == "skipped" for c in checks),
                        "warnings": sum(c["outcome"] == "failed" and c["level"] != "MUST" for c in checks),
                        "must_total": sum(c["outcome"] != "skipped" for c in musts),
                        "must_passed": sum(c["outcome"] == "passed" for c in musts)},
            "checks": checks, **({"unreachable": unreachable} if unreachable else {})}


def write_run(root: Path, slug: str, stamp: str, initiative: str, services: list[dict[str, Any]],
              harness: str = "0.1.0", suites: dict[str, Any] | None = None) -> Path:
    run_dir = root / slug / stamp
    run_dir.mkdir(parents=True)
    started = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}Z"
    document = {"format": "ga4gh-conformance-scorecard/1", "initiative": initiative,
                "harness": {"version": harness,
                            "suites": suites or {s["standard"]: {"versions": [], "checks": 5} for s in services}},
                "started": started, "finished": started, "interrupted": False, "services": services}
    (run_dir / "scorecard.json").write_text(json.dumps(document), encoding="utf-8")
    (run_dir / "report.html").write_text(f"<html><title>report {slug} {stamp}</title></html>", encoding="utf-8")
    return run_dir


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    ok = [check("a.one", "passed"), check("a.two", "passed"), check("a.three", "passed", "SHOULD")]
    # alpha: was non-conformant, now conformant for std-a; also runs std-b.
    write_run(root, "alpha", "20260101T000000Z", "Alpha",
              [service("std-a", [check("a.one", "failed"), check("a.two", "passed")])])
    write_run(root, "alpha", "20260201T000000Z", "Alpha",
              [service("std-a", ok), service("std-b", [check("b.one", "passed")])])
    # beta: std-a fails a.two and warns a.three; two services of std-b, one unreachable.
    write_run(root, "beta", "20260115T000000Z", "Beta",
              [service("std-a", [check("a.one", "passed"), check("a.two", "failed"), check("a.three", "failed",
                                                                                          "SHOULD")]),
               service("std-b", [check("b.one", "passed")], index=1),
               service("std-b", [], index=2, unreachable="connection refused")])
    # hostile name, a newer harness: not comparable with the others; fails a.two too.
    write_run(root, "evil", "20260301T000000Z", HOSTILE,
              [service("std-a", [check("a.one", "passed"), check("a.two", "failed"), check("a.three", "skipped",
                                                                                          "SHOULD")])],
              harness="0.2.0")
    (root / "junk" / "x").mkdir(parents=True)
    (root / "junk" / "x" / "scorecard.json").write_text("{not json", encoding="utf-8")
    return root


def build(reports: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    out = tmp_path / "site"
    assert main(["dashboard", str(reports), "--out", str(out)]) == 0
    return out, json.loads((out / "matrix.json").read_text(encoding="utf-8"))


def test_matrix_has_the_latest_run_of_each_pair(reports: Path, tmp_path: Path) -> None:
    out, matrix = build(reports, tmp_path)
    assert matrix["format"] == MATRIX_FORMAT
    assert matrix["standards"] == ["std-a", "std-b"]
    cells = {(c["initiative"], c["standard"]): c for c in matrix["cells"]}
    assert set(cells) == {("alpha", "std-a"), ("alpha", "std-b"), ("beta", "std-a"), ("beta", "std-b"),
                          (EVIL, "std-a")}
    assert cells["alpha", "std-a"]["verdict"] == "conformant"
    assert cells["alpha", "std-a"]["started"] == "2026-02-01T00:00:00Z"
    assert cells["beta", "std-a"]["verdict"] == "non-conformant"
    assert cells["beta", "std-a"]["services"][0]["warnings"] == 1
    assert cells["beta", "std-b"]["verdict"] == "unreachable"  # the worst of its two services
    assert len(cells["beta", "std-b"]["services"]) == 2
    assert cells[EVIL, "std-a"]["comparable_with_newest"] is True  # it is the newest
    assert cells["alpha", "std-a"]["comparable_with_newest"] is False
    for cell in matrix["cells"]:
        assert (out / cell["report"]).is_file()
        assert (out / cell["scorecard"]).is_file()
    assert any("junk" in s for s in matrix["skipped_inputs"])

    html = (out / "index.html").read_text(encoding="utf-8")
    table = html[html.index('id="matrix"'):html.index("</table>")]
    assert table.count('class="cell') == 3 * 2  # one cell per (initiative, standard), empty ones too
    assert f'data-initiative="{EVIL}" data-standard="std-b" data-verdict="not-checked"' in table
    assert "≠ made with harness 0.1.0" in table
    assert "no overall score" in html


def test_pages_are_offline_and_every_link_resolves_inside_the_site(reports: Path, tmp_path: Path) -> None:
    out, _ = build(reports, tmp_path)
    for page in out.rglob("*.html"):
        if "runs" in page.relative_to(out).parts:
            continue  # copies of the runs' own reports
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r'(?:href|src)="([^"]+)"', text):
            assert not re.match(r"[a-z]+:", target), f"{page}: {target} leaves the site"
            assert (page.parent / target).resolve().is_file(), f"{page}: {target} is missing"


def test_names_are_escaped_everywhere(reports: Path, tmp_path: Path) -> None:
    out, matrix = build(reports, tmp_path)
    for page in out.rglob("*.html"):
        if "runs" in page.relative_to(out).parts:
            continue
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text, page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Évil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Co&quot;" in index
    assert any(i["name"] == HOSTILE for i in matrix["initiatives"])


def test_initiative_history_says_what_changed(reports: Path, tmp_path: Path) -> None:
    out, _ = build(reports, tmp_path)
    page = (out / "initiatives" / "alpha.html").read_text(encoding="utf-8")
    assert "2 runs, newest first" in page
    assert "was non-conformant" in page
    assert page.index("2026-02-01") < page.index("2026-01-01")
    assert 'href="../runs/alpha/20260101T000000Z/report.html"' in page


def test_standard_page_puts_the_most_widely_failed_first_and_does_not_pool_versions(
        reports: Path, tmp_path: Path) -> None:
    out, matrix = build(reports, tmp_path)
    page = (out / "standards" / "std-a.html").read_text(encoding="utf-8")
    assert "not pooled" in page
    groups = page.split("<h2>Runs made with ")[1:]
    assert [g.split(",")[0] for g in groups] == ["harness 0.2.0", "harness 0.1.0"]
    old = groups[1]
    order = re.findall(r'data-check="([^"]+)" data-failed="(\d+)" data-ran="(\d+)"', old)
    assert order[0] == ("a.two", "1", "2")   # fails at beta, of alpha and beta
    assert order[1] == ("a.three", "1", "2")  # a SHOULD failing as widely: after the MUST
    assert order[-1][1] == "0"
    rows = [r for r in matrix["requirements"]["std-a"] if r["group"]["harness_version"] == "0.1.0"]
    assert rows[0]["id"] == "a.two" and rows[0]["failed_at"] == ["beta"]


def test_a_single_run_directory_or_initiative_folder_is_accepted(reports: Path, tmp_path: Path) -> None:
    collection = collect([reports / "alpha", reports / "beta" / "20260115T000000Z"])
    assert sorted((r.slug, r.stamp) for r in collection.runs) == [
        ("alpha", "20260101T000000Z"), ("alpha", "20260201T000000Z"), ("beta", "20260115T000000Z")]


def test_rebuild_replaces_a_site_but_never_another_folder(reports: Path, tmp_path: Path) -> None:
    out, _ = build(reports, tmp_path)
    assert (out / SITE_MARKER).is_file()
    (out / "stale.html").write_text("old", encoding="utf-8")
    build(reports, tmp_path)
    assert not (out / "stale.html").exists()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep", encoding="utf-8")
    assert main(["dashboard", str(reports), "--out", str(precious)]) == 4
    assert (precious / "thesis.txt").read_text(encoding="utf-8") == "keep"


def test_a_site_inside_the_reports_is_not_read_back(reports: Path, tmp_path: Path) -> None:
    out = reports / "site"
    assert main(["dashboard", str(reports), "--out", str(out)]) == 0
    assert main(["dashboard", str(reports), "--out", str(tmp_path / "other")]) == 0
    matrix = json.loads((tmp_path / "other" / "matrix.json").read_text(encoding="utf-8"))
    assert sum(len(i["runs"]) for i in matrix["initiatives"]) == 4


def test_unknown_scorecard_major_version_is_skipped_with_the_reason(tmp_path: Path) -> None:
    run_dir = tmp_path / "r" / "x" / "20260101T000000Z"
    run_dir.mkdir(parents=True)
    (run_dir / "scorecard.json").write_text(json.dumps({"format": "ga4gh-conformance-scorecard/2"}),
                                            encoding="utf-8")
    collection = collect([tmp_path / "r"])
    assert collection.runs == []
    assert "this dashboard reads ga4gh-conformance-scorecard/1" in collection.skipped[0]


def test_no_scorecards_builds_an_empty_site_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["dashboard", str(tmp_path / "empty"), "--out", str(tmp_path / "site")]) == 2
    assert "No scorecards found" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert main(["dashboard", str(tmp_path / "missing"), "--out", str(tmp_path / "site")]) == 4


def test_only_unreadable_scorecards_are_not_said_to_be_missing(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    corrupt = tmp_path / "reports" / "x" / "20261205T000000Z"
    corrupt.mkdir(parents=True)
    (corrupt / "scorecard.json").write_text("{not json")
    assert main(["dashboard", str(tmp_path / "reports"), "--out", str(tmp_path / "site")]) == 2
    captured = capsys.readouterr()
    assert "not read: " in captured.out and "no scorecard.json found" not in captured.err
    assert "no scorecard.json could be read (those not read are listed above)" in captured.err


def test_build_site_returns_what_it_wrote(reports: Path, tmp_path: Path) -> None:
    document = build_site(collect([reports]), tmp_path / "s")
    assert document == json.loads((tmp_path / "s" / "matrix.json").read_text(encoding="utf-8"))


def test_skips_are_counted_apart_on_the_dashboard(tmp_path: Path) -> None:
    """Issue 21.12: "does not apply" and "could not be decided" are two counts, never one "skipped"."""
    root = tmp_path / "reports"
    na, undecided = check("a.two", "skipped"), check("a.three", "skipped")
    na["skip_kind"], undecided["skip_kind"] = "not-applicable", "undecided"
    document = service("std-a", [check("a.one", "passed"), na, undecided])
    document["summary"].update({"not_applicable": 1, "undecided": 1})
    write_run(root, "alpha", "20260101T000000Z", "Alpha", [document])
    write_run(root, "beta", "20260101T000000Z", "Beta", [service("std-a", [check("a.one", "passed"),
                                                                           check("a.two", "skipped")])])
    out, matrix = build(root, tmp_path)
    cell = next(c for c in matrix["cells"] if c["initiative"] == "alpha")
    assert (cell["services"][0]["not_applicable"], cell["services"][0]["undecided"]) == (1, 1)
    page = (out / "std-a" / "index.html").read_text(encoding="utf-8") if (out / "std-a" / "index.html").is_file() \
        else "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "1 not decided · 1 not applicable" in page
    # a.two does not apply at alpha; beta's scorecard predates skip_kind: not claimed inapplicable
    assert "not applicable at 1; not decided at 1" in page
    assert "not decided at 1" in page


def test_registry_listed_against_tested_and_conformant(tmp_path: Path) -> None:
    """An initiative tested from its service registry: listed in its registry, tested, conformant."""
    root = tmp_path / "reports"
    ok = service("std-a", [check("a.one", "passed")])
    bad = service("std-b", [check("b.one", "failed")], index=1)
    run_dir = write_run(root, "gamma", "20260101T000000Z", "Gamma", [ok, bad])
    card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    card["registry"] = {"url": "https://registry.example.org", "listed": 4,
                        "tested": [{"id": "a", "url": ok["url"]}, {"id": "b", "url": bad["url"]}],
                        "not_tested": [{"id": "c", "type": "org.ga4gh:x:1.0.0", "reason": "no suite"},
                                       {"id": "d", "type": "?:?:?", "reason": "no url"}]}
    (run_dir / "scorecard.json").write_text(json.dumps(card), encoding="utf-8")
    write_run(root, "delta", "20260101T000000Z", "Delta", [service("std-a", [check("a.one", "passed")])])
    out, matrix = build(root, tmp_path)
    by_slug = {i["slug"]: i for i in matrix["initiatives"]}
    assert by_slug["gamma"]["registry"] == {"url": "https://registry.example.org", "listed": 4, "tested": 2,
                                            "conformant": 1, "not_tested": 2}
    assert "registry" not in by_slug["delta"]
    index = (out / "index.html").read_text(encoding="utf-8")
    table = re.search(r'<table class="plain" id="registries">.*?</table>', index, re.S)
    assert table is not None and "Listed in its registry" in table.group(0)
    assert "<td>4</td><td>2</td><td>1</td><td>2</td>" in table.group(0) and "Delta" not in table.group(0)
    page = (out / "initiatives" / "gamma.html").read_text(encoding="utf-8")
    assert "4 listed in its registry, 2 tested, 1 conformant, 2 not tested" in page


def test_a_sweeps_runs_get_the_cpus_its_profiles_leave_over() -> None:
    from conformance.dashboard.commands import run_jobs_default

    assert run_jobs_default(1, 16, cpus=2) == 2  # one profile: its services side by side
    assert run_jobs_default(2, 16, cpus=8) == 4
    assert run_jobs_default(8, 16, cpus=2) == 1  # more profiles than CPUs: one process each
    assert run_jobs_default(8, 1, cpus=4) == 4  # -j 1: one run at a time, with every CPU
    assert run_jobs_default(30, 16, cpus=2) == 1


def test_a_failure_rate_counts_the_initiatives_where_the_check_was_decided() -> None:
    """An initiative whose service was unreachable (every check an error) told nothing: "failed at 1 of 2",
    not "1 of 3", with "could not tell at 1" beside it."""
    from conformance.dashboard.site import RequirementRow

    row = RequirementRow("drs.x", "MUST", "t", "c", failed=[("A", cast(Any, None))], passed=["B"], errored=["C"],
                         skipped=[])
    assert (row.ran, row.decided, row.failing_fraction) == (3, 2, 0.5)


def test_an_untested_service_says_why_on_the_dashboard(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    document = {**service("std-a", [check("a.one", "passed")]), "verdict": "incomplete",
                "verdict_with_expected_failures": "incomplete", "untested": "the profile names no objects for it"}
    write_run(root, "alpha", "20260101T000000Z", "Alpha", [document])
    out, matrix = build(root, tmp_path)
    (cell,) = [c for c in matrix["cells"] if c["initiative"] == "alpha"]
    assert cell["services"][0]["untested"] == "the profile names no objects for it"
    assert "the profile names no objects for it" in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
