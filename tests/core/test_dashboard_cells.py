"""What a cell of the matrix stands for (conformance/dashboard/site.py): the initiative's latest whole run of the
standard, never a run filtered with --check; marked when it is older than the initiative's latest run; compared
under the newest harness release; and no counts for a service that could not be reached."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from test_dashboard import check, service, write_run

from conformance.cli import main


def build(root: Path, out: Path) -> dict[str, Any]:
    assert main(["dashboard", str(root), "--out", str(out)]) == 0
    return dict(json.loads((out / "matrix.json").read_text(encoding="utf-8")))


def filtered(run_dir: Path, checks: list[str]) -> None:
    card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    card["selection"] = {"standards": None, "checks": checks}
    (run_dir / "scorecard.json").write_text(json.dumps(card), encoding="utf-8")


def cell_html(index: str, slug: str, standard: str) -> str:
    pattern = rf'<td class="cell[^"]*" data-initiative="{slug}" data-standard="{standard}".*?</td>'
    match = re.search(pattern, index, re.S)
    assert match is not None, (slug, standard)
    return match.group(0)


def test_a_run_filtered_with_check_never_stands_for_the_result(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    full = [check("a.one", "failed"), check("a.two", "passed"), check("a.three", "passed")]
    write_run(root, "alpha", "20260101T000000Z", "Alpha", [service("std-a", full)])
    filtered(write_run(root, "alpha", "20260102T000000Z", "Alpha", [service("std-a", [check("a.two", "passed")])]),
             ["a.two"])
    write_run(root, "beta", "20260101T000000Z", "Beta", [service("std-a", [check("a.one", "failed")])])
    # gamma checked std-b only in a filtered run: no cell for it
    write_run(root, "gamma", "20260101T000000Z", "Gamma", [service("std-a", [check("a.one", "passed")])])
    filtered(write_run(root, "gamma", "20260102T000000Z", "Gamma", [service("std-b", [check("b.one", "passed")])]),
             ["b.one"])
    out = tmp_path / "site"
    matrix = build(root, out)
    cells = {(c["initiative"], c["standard"]): c for c in matrix["cells"]}
    assert cells["alpha", "std-a"]["verdict"] == "non-conformant"
    assert cells["alpha", "std-a"]["started"] == "2026-01-01T00:00:00Z"
    assert ("gamma", "std-b") not in cells
    assert [r["partial"] for r in matrix["initiatives"][0]["runs"]] == [False, True]
    (one,) = [r for r in matrix["requirements"]["std-a"] if r["id"] == "a.one"]
    assert one["failed_at"] == ["alpha", "beta"] and one["decided_at"] == 3

    index = (out / "index.html").read_text(encoding="utf-8")
    alpha = cell_html(index, "alpha", "std-a")
    assert "✘" in alpha and "MUST 2/3" in alpha and "MUST 1/1" not in alpha
    assert "only in runs filtered with --check" in cell_html(index, "gamma", "std-b")
    history = (out / "initiatives" / "alpha.html").read_text(encoding="utf-8")
    assert "partial run: only 1 check selected with --check" in history
    assert "was non-conformant" not in history  # a partial run is no improvement
    standard = (out / "standards" / "std-a.html").read_text(encoding="utf-8")
    assert "failed at 2 of 3" in standard


def test_a_run_filtered_with_standard_is_whole_for_its_standards(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    write_run(root, "alpha", "20260101T000000Z", "Alpha", [service("std-a", [check("a.one", "failed")])])
    run_dir = write_run(root, "alpha", "20260102T000000Z", "Alpha", [service("std-a", [check("a.one", "passed")])])
    card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    card["selection"] = {"standards": ["std-a"], "checks": None}
    (run_dir / "scorecard.json").write_text(json.dumps(card), encoding="utf-8")
    (cell,) = build(root, tmp_path / "site")["cells"]
    assert (cell["verdict"], cell["started"]) == ("conformant", "2026-01-02T00:00:00Z")


def test_a_cell_older_than_the_latest_run_says_so(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    write_run(root, "alpha", "20260101T000000Z", "Alpha",
              [service("std-a", [check("a.one", "passed")]), service("std-b", [check("b.one", "passed")])])
    write_run(root, "alpha", "20260201T000000Z", "Alpha", [service("std-b", [check("b.one", "passed")])])
    out = tmp_path / "site"
    cells = {c["standard"]: c for c in build(root, out)["cells"]}
    assert "earlier_than_latest" not in cells["std-b"]
    assert cells["std-a"]["earlier_than_latest"].startswith("from an earlier run (2026-01-01 00:00:00 UTC)")
    assert "did not check std-a" in cells["std-a"]["earlier_than_latest"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "from an earlier run (2026-01-01 00:00:00 UTC)" in cell_html(index, "alpha", "std-a")
    assert "from an earlier run" not in cell_html(index, "alpha", "std-b")


def test_one_late_run_on_an_old_harness_does_not_mark_everyone_else(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    for slug in ("alpha", "beta", "gamma"):
        write_run(root, slug, "20260101T000000Z", slug.title(), [service("std-a", [check("a.one", "passed")])],
                  harness="0.10.0")
    write_run(root, "delta", "20260301T000000Z", "Delta", [service("std-a", [check("a.one", "passed")])],
              harness="0.9.0")  # the newest run, made with an older release (0.9 < 0.10 by version order)
    out = tmp_path / "site"
    cells = {c["initiative"]: c for c in build(root, out)["cells"]}
    assert {s for s, c in cells.items() if not c["comparable_with_newest"]} == {"delta"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "≠ made with harness 0.9.0" in cell_html(index, "delta", "std-a")
    assert "≠" not in cell_html(index, "alpha", "std-a")
    page = (out / "standards" / "std-a.html").read_text(encoding="utf-8")
    groups = page.split("<h2>Runs made with ")[1:]
    assert [g.split(",")[0] for g in groups] == ["harness 0.10.0", "harness 0.9.0"]


def test_an_unreachable_service_shows_no_counts(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    errors = [check(f"a.{n}", "error") for n in range(5)]
    write_run(root, "delta", "20260101T000000Z", "Delta",
              [service("std-a", errors, unreachable="connection refused (https://std-a.example.org)")])
    out = tmp_path / "site"
    build(root, out)
    cell = cell_html((out / "index.html").read_text(encoding="utf-8"), "delta", "std-a")
    assert "unreachable" in cell and "connection refused" in cell
    assert "MUST 0/" not in cell and "error" not in cell.replace("v-unreachable", "")
    assert "no check could run" in cell


def test_a_keys_entry_for_no_initiative_is_said(tmp_path: Path, capsys: Any) -> None:
    root = tmp_path / "reports"
    write_run(root, "alpha", "20260101T000000Z", "Alpha", [service("std-a", [check("a.one", "passed")])])
    (tmp_path / "k.pem").write_text("unused")
    keys = tmp_path / "keys.yaml"
    keys.write_text("Nobody Here: [k.pem]\n")
    assert main(["dashboard", str(root), "--out", str(tmp_path / "site"), "--certification-keys", str(keys)]) == 0
    assert "nobody-here: no initiative of these reports has this name or slug" in capsys.readouterr().out


def test_a_sweep_that_could_not_run_a_members_profile_marks_its_row(tmp_path: Path) -> None:
    from conformance.dashboard.runs import collect
    from conformance.dashboard.site import SweepLine, build_site

    root = tmp_path / "reports"
    for slug in ("alpha", "beta"):
        run_dir = write_run(root, slug, "20260101T000000Z", slug.title(),
                            [service("std-a", [check("a.one", "passed")])])
        card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
        card["profile"] = {"path": f"members/{slug}.yaml", "sha256": "0" * 64}
        (run_dir / "scorecard.json").write_text(json.dumps(card), encoding="utf-8")
    lines = [SweepLine("members/alpha.yaml", "profile not usable: budget.max_seconds: expected a positive number", 4),
             SweepLine("members/beta.yaml", "Beta: conformant", 0)]
    build_site(collect([root]), tmp_path / "site", lines)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr><th scope="row"><a href="initiatives/([^".]+)\.html">[^<]*</a>(.*?)</th>', index))
    assert "the last sweep made no run of its profile (profile not usable" in rows["alpha"]
    assert rows["beta"] == ""


def test_only_a_limit_that_stops_the_run_makes_it_partial() -> None:
    """One answer cut at max_document_bytes or a request that timed out leaves the run whole (its check says
    so); max_seconds, max_requests and max_run_bytes stop the checks left: those runs carry no badge."""
    from conformance.dashboard.runs import Run

    def partial(limits: list[str]) -> list[str]:
        run = Run(directory=Path("r"), slug="x", name="X", started="2026-11-24T10:00:00Z", services=[],
                  finished="2026-11-24T10:01:00Z", harness_version="0.1.0", suites={},
                  selection_recorded=True, limits_hit=limits)
        return run.partial_reasons()

    assert partial(["max_document_bytes", "request_timeout_seconds", "max_memory_mb"]) == []
    assert partial(["max_response_bytes", "max_seconds"]) == ["cut short by a limit (max_seconds)"]


def test_a_cell_names_the_root_causes_its_counts_count(tmp_path: Path) -> None:
    """A failure grouped under its cause (``caused_by``) is counted once, with the cause (issue 19): the cell
    names the cause as the failed MUST check, says how many are grouped under it, and matrix.json links them."""
    from conformance.certify.consistency import load

    root = tmp_path / "reports"
    consequence = {**check("a.consequence", "failed"), "caused_by": "a.schema"}
    run_dir = write_run(root, "alpha", "20260101T000000Z", "Alpha",
                        [service("std-a", [check("a.schema", "failed"), consequence, check("a.other", "passed")])])
    card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    card["services"][0]["summary"] = load(card, []).services[0].counts()  # as the harness counts: 1 failed
    (run_dir / "scorecard.json").write_text(json.dumps(card), encoding="utf-8")
    out = tmp_path / "site"
    (cell,) = build(root, out)["cells"]
    assert cell["services"][0]["failed_checks"] == [{"id": "a.schema", "level": "MUST"},
                                                    {"id": "a.consequence", "level": "MUST", "caused_by": "a.schema"}]
    alpha = cell_html((out / "index.html").read_text(encoding="utf-8"), "alpha", "std-a")
    assert "MUST 1/2" in alpha
    assert "MUST failed: <code>a.schema</code> (1 consequence grouped under it)" in alpha
    assert "a.consequence" not in alpha


def test_a_cell_of_a_run_cut_short_by_a_limit_says_so(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    run_dir = write_run(root, "alpha", "20260101T000000Z", "Alpha",
                        [service("std-a", [check("a.one", "passed"), check("a.two", "error")])])
    card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    card["usage"] = {"limits_hit": ["max_document_bytes", "max_requests"]}
    (run_dir / "scorecard.json").write_text(json.dumps(card), encoding="utf-8")
    write_run(root, "beta", "20260101T000000Z", "Beta", [service("std-a", [check("a.one", "passed")])])
    out = tmp_path / "site"
    build(root, out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "run cut short by a limit (max_requests)" in cell_html(index, "alpha", "std-a")
    assert "cut short" not in cell_html(index, "beta", "std-a")


def test_two_profiles_of_a_sweep_naming_one_initiative_are_said(tmp_path: Path, monkeypatch: Any,
                                                                 capsys: Any) -> None:
    """The scorecard holds no identity but the initiative's name: two members who kept an example's name share
    a row (their runs alternate in its history). A sweep knows their profiles apart: the row and the sweep's
    output say so."""
    from conformance.dashboard import commands
    from conformance.dashboard.runs import collect
    from conformance.dashboard.site import SweepLine, build_site
    from conformance.dashboard.sweep import Outcome

    root = tmp_path / "reports"
    write_run(root, "example", "20260101T000000Z", "Example", [service("std-a", [check("a.one", "passed")])])
    write_run(root, "example", "20260101T000001Z", "Example", [service("std-a", [check("a.one", "failed")])])
    write_run(root, "beta", "20260101T000000Z", "Beta", [service("std-a", [check("a.one", "passed")])])
    lines = [SweepLine("m/one.yaml", "Example: conformant", 0, "Example"),
             SweepLine("m/two.yaml", "Example: non-conformant", 1, "Example"),
             SweepLine("m/beta.yaml", "Beta: conformant", 0, "Beta")]
    build_site(collect([root]), tmp_path / "site", lines)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr><th scope="row"><a href="initiatives/([^".]+)\.html">[^<]*</a>(.*?)</th>', index))
    assert "2 profiles of the last sweep name this initiative (m/one.yaml, m/two.yaml)" in rows["example"]
    assert rows["beta"] == ""

    outcomes = [Outcome(line.profile, line.exit_code or 0, "done", 0.1, initiative=line.initiative) for line in lines]
    monkeypatch.setattr(commands, "sweep", lambda *args, **kwargs: outcomes)
    assert main(["sweep", "m/one.yaml", "m/two.yaml", "m/beta.yaml", "--no-dashboard",
                 "--report-dir", str(tmp_path / "r")]) == 1
    out = capsys.readouterr().out
    assert "warning: m/one.yaml, m/two.yaml name the same initiative, 'Example': the dashboard identifies" in out
    assert "beta" not in out.split("warning:")[1]
