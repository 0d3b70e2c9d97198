"""Who a row of the adoption matrix is (conformance/dashboard/runs.py ``assign_identities``): an initiative by the
``initiative_id`` its scorecards carry (the profile's ``id:``), else by its name, as scorecards without one always
were. A member that renames itself keeps its row; two members that keep one name, each with its id, get a row
each; what cannot be told apart is shown apart and says why; a sweep warns of an id given by two profiles."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from test_dashboard import check, service, write_run

from conformance.cli import main
from conformance.dashboard.runs import collect
from conformance.dashboard.site import SweepLine, build_site

PASSED = [service("std-a", [check("a.one", "passed")])]
FAILED = [service("std-a", [check("a.one", "failed")])]


def run(root: Path, folder: str, stamp: str, name: str, initiative_id: str | None = None,
        services: list[dict[str, Any]] | None = None) -> Path:
    run_dir: Path = write_run(root, folder, stamp, name, services or PASSED)
    if initiative_id is not None:
        card = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
        card = {"format": card.pop("format"), "initiative": card.pop("initiative"), "initiative_id": initiative_id,
                **card}
        (run_dir / "scorecard.json").write_text(json.dumps(card), encoding="utf-8")
    return run_dir


def build(root: Path, out: Path, sweep: list[SweepLine] | None = None) -> dict[str, Any]:
    build_site(collect([root]), out, sweep)
    return dict(json.loads((out / "matrix.json").read_text(encoding="utf-8")))


def rows(out: Path) -> dict[str, tuple[str, str]]:
    """Row key → (its name as the matrix shows it, the notes under the name)."""
    index = (out / "index.html").read_text(encoding="utf-8")
    found = re.findall(r'<tr><th scope="row"><a href="initiatives/([^".]+)\.html">([^<]*)</a>(.*?)</th>', index)
    return {key: (name, notes) for key, name, notes in found}


def initiatives(matrix: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["slug"]: i for i in matrix["initiatives"]}


def test_a_member_that_renames_itself_keeps_its_row(tmp_path: Path) -> None:
    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "alpha", "20260101T000000Z", "Alpha", "alpha-genomics", FAILED)
    run(root, "alpha-genomics-network", "20260201T000000Z", "Alpha Genomics Network", "alpha-genomics")
    matrix = build(root, out)
    assert list(initiatives(matrix)) == ["alpha-genomics"]  # no stale row of the former name
    row = initiatives(matrix)["alpha-genomics"]
    assert row["name"] == "Alpha Genomics Network" and row["id"] == "alpha-genomics"
    assert row["names"] == [{"name": "Alpha", "since": "2026-01-01T00:00:00Z"},
                            {"name": "Alpha Genomics Network", "since": "2026-02-01T00:00:00Z"}]
    assert len(row["runs"]) == 2 and "identity_notes" not in row
    name, notes = rows(out)["alpha-genomics"]
    assert name == "Alpha Genomics Network"
    assert "id <code>alpha-genomics</code>" in notes
    assert "renamed: Alpha → Alpha Genomics Network (2026-02-01 00:00:00 UTC)" in notes
    history = (out / "initiatives" / "alpha-genomics.html").read_text(encoding="utf-8")
    assert "was non-conformant" in history  # one history across the rename


def test_two_members_that_keep_one_name_each_with_its_id_are_two_rows(tmp_path: Path) -> None:
    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "example", "20260101T000000Z", "Example", "member-one")
    run(root, "example", "20260101T000001Z", "Example", "member-two", FAILED)
    matrix = build(root, out)
    assert {i["slug"]: i["name"] for i in matrix["initiatives"]} == {"member-one": "Example", "member-two": "Example"}
    cells = {c["initiative"]: c["verdict"] for c in matrix["cells"]}
    assert cells == {"member-one": "conformant", "member-two": "non-conformant"}
    assert all("was " not in notes for _, notes in rows(out).values())
    # wherever they are listed by name, they are told apart
    standard = (out / "standards" / "std-a.html").read_text(encoding="utf-8")
    assert "2 initiatives: Example (member-one), Example (member-two)" in standard
    assert "Example (member-two)</a>" in standard  # failing at


def test_scorecards_without_an_id_are_grouped_by_name_as_before(tmp_path: Path) -> None:
    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "x", "20260101T000000Z", "Beta Biobank")
    run(root, "y", "20260201T000000Z", "beta biobank")
    row = initiatives(build(root, out))["beta-biobank"]
    assert row["id"] is None and len(row["runs"]) == 2 and row["name"] == "beta biobank"
    assert rows(out)["beta-biobank"][1] == ""  # a name row shows no id and no rename


def test_runs_from_before_a_member_took_its_id_are_its_history(tmp_path: Path) -> None:
    """The id present in its new runs and absent in its older ones: one row, not a stale one beside it."""
    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "alpha", "20260101T000000Z", "Alpha", services=FAILED)
    run(root, "alpha", "20260102T000000Z", "Alpha")
    run(root, "alpha", "20260201T000000Z", "Alpha", "alpha-genomics")
    run(root, "alpha", "20260301T000000Z", "Alpha Genomics", "alpha-genomics")
    matrix = build(root, out)
    assert list(initiatives(matrix)) == ["alpha-genomics"]
    row = initiatives(matrix)["alpha-genomics"]
    assert len(row["runs"]) == 4
    assert row["identity_notes"] == ["2 earlier runs without an id shown as its history (made before its first run "
                                     "with the id, under a name no other initiative with an id gives)"]
    history = (out / "initiatives" / "alpha-genomics.html").read_text(encoding="utf-8")
    assert "2 earlier runs without an id shown as its history" in history
    assert "earlier runs" not in rows(out)["alpha-genomics"][1]  # the matrix's row only warns


def test_runs_without_an_id_after_a_member_took_its_id_are_shown_apart(tmp_path: Path) -> None:
    """Another member that kept the name (or a profile that lost its id): never folded into the id's row."""
    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "example", "20260101T000000Z", "Example")
    run(root, "example", "20260201T000000Z", "Example", "member-one")
    run(root, "example", "20260301T000000Z", "Example", services=FAILED)  # no id, after member-one took its id
    matrix = build(root, out)
    assert {slug: len(i["runs"]) for slug, i in initiatives(matrix).items()} == {"member-one": 1, "example": 2}
    assert {c["initiative"]: c["verdict"] for c in matrix["cells"]} == {"member-one": "conformant",
                                                                          "example": "non-conformant"}
    notes = rows(out)["example"][1]
    assert "the initiative with id &#x27;member-one&#x27; gives this name too; these runs carry no id" in notes


def test_runs_without_an_id_whose_name_two_ids_give_are_shown_apart(tmp_path: Path) -> None:
    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "example", "20260101T000000Z", "Example")
    run(root, "example", "20260201T000000Z", "Example", "member-one")
    run(root, "example", "20260201T000001Z", "Example", "member-two")
    matrix = build(root, out)
    assert {slug: len(i["runs"]) for slug, i in initiatives(matrix).items()} == {
        "member-one": 1, "member-two": 1, "example": 1}
    assert initiatives(matrix)["example"]["identity_notes"] == [
        "the initiatives with ids member-one, member-two give this name too; these runs carry no id, so whose they "
        "are cannot be told: shown apart"]


def test_an_id_never_shares_a_row_with_a_name(tmp_path: Path) -> None:
    """A member with the id 'alpha' and another, without an id, named 'Alpha', whose runs came after: two rows;
    the name's row takes a key no id can be."""
    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "a", "20260101T000000Z", "Alpha Genomics", "alpha")
    run(root, "b", "20260201T000000Z", "Alpha", services=FAILED)
    matrix = build(root, out)
    assert {slug: i["name"] for slug, i in initiatives(matrix).items()} == {"alpha": "Alpha Genomics",
                                                                            "alpha--name": "Alpha"}
    assert (out / "initiatives" / "alpha--name.html").is_file()
    assert {c["initiative"]: c["verdict"] for c in matrix["cells"]} == {"alpha": "conformant",
                                                                          "alpha--name": "non-conformant"}


def test_names_that_go_back_and_forth_under_one_id_are_a_warning(tmp_path: Path) -> None:
    """A rename goes one way: runs of one id alternating between two names are two profiles giving it."""
    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "a", "20260101T000000Z", "Alpha", "shared-id")
    run(root, "b", "20260102T000000Z", "Beta", "shared-id")
    run(root, "a", "20260103T000000Z", "Alpha", "shared-id")
    matrix = build(root, out)
    assert initiatives(matrix)["shared-id"]["identity_notes"] == [
        "its runs go back and forth between names (Alpha, Beta, Alpha): two profiles may give the id 'shared-id'; "
        "each member needs its own"]
    notes = rows(out)["shared-id"][1]
    assert "go back and forth between names" in notes and "renamed:" not in notes


@pytest.mark.parametrize("initiative_id", ["Alpha Genomics", "a--b", 42, "", "alpha\n"])
def test_a_scorecard_whose_id_is_no_slug_is_not_read(tmp_path: Path, initiative_id: Any) -> None:
    """The harness never writes one; read by its name, it could join another initiative's row."""
    root = tmp_path / "reports"
    path = run(root, "alpha", "20260101T000000Z", "Alpha", initiative_id) / "scorecard.json"
    collection = collect([root])
    assert collection.runs == []
    (skipped,) = collection.skipped
    assert skipped.startswith(f"{path}: initiative_id: ") and skipped.endswith("; not read")


def test_a_null_id_is_no_id(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    run(root, "alpha", "20260101T000000Z", "Alpha")
    card_path = root / "alpha" / "20260101T000000Z" / "scorecard.json"
    card_path.write_text(json.dumps({**json.loads(card_path.read_text()), "initiative_id": None}))
    (read,) = collect([root]).runs
    assert (read.slug, read.initiative_id) == ("alpha", None)


# -- the sweep ---------------------------------------------------------------------------------------------


def test_an_id_two_profiles_of_a_sweep_give_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.dashboard import commands
    from conformance.dashboard.sweep import Outcome

    root, out = tmp_path / "reports", tmp_path / "site"
    run(root, "a", "20260101T000000Z", "Alpha", "shared-id")
    run(root, "b", "20260101T000001Z", "Beta", "shared-id")
    run(root, "c", "20260101T000000Z", "Example", "member-one")
    run(root, "d", "20260101T000000Z", "Example")
    lines = [SweepLine("m/alpha.yaml", "Alpha: conformant", 0, "Alpha", "shared-id"),
             SweepLine("m/beta.yaml", "Beta: conformant", 0, "Beta", "shared-id"),
             SweepLine("m/one.yaml", "Example: conformant", 0, "Example", "member-one"),
             SweepLine("m/two.yaml", "Example: conformant", 0, "Example")]
    build(root, out, lines)
    found = rows(out)
    assert ("2 profiles of the last sweep give the id <code>shared-id</code> (m/alpha.yaml, m/beta.yaml)"
            in found["shared-id"][1])
    # one member with an id and one without that keep one name: two rows, nothing shared
    assert "profiles of the last sweep" not in found["member-one"][1] + found["example"][1]

    outcomes = [Outcome(line.profile, 0, "done", 0.1, initiative=line.initiative,
                        initiative_id=line.initiative_id) for line in lines]
    monkeypatch.setattr(commands, "sweep", lambda *args, **kwargs: outcomes)
    assert main(["sweep", *(line.profile for line in lines), "--no-dashboard",
                 "--report-dir", str(tmp_path / "r")]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("warning:")]
    assert printed == ["warning: m/alpha.yaml ('Alpha'), m/beta.yaml ('Beta') give the same id, 'shared-id': the "
                       "dashboard shows their runs as one initiative (one row, one history); if they are different "
                       "members, give each its own `id`"]


def test_the_shared_name_warning_is_kept_for_profiles_without_an_id(tmp_path: Path) -> None:
    from conformance.dashboard.site import shared_ids, shared_names

    lines = [SweepLine("m/one.yaml", "", 0, "Example"), SweepLine("m/two.yaml", "", 0, "Example"),
             SweepLine("m/three.yaml", "", 0, "Example", "member-three"),
             SweepLine("m/one.yaml", "", 0, "Example")]  # the same profile given twice is one member
    assert shared_names(lines) == {"example": ["m/one.yaml", "m/two.yaml"]}
    assert shared_ids(lines) == {}
    assert shared_names(lines[:1] + lines[3:]) == {}


@pytest.mark.parametrize(("recorded", "expected"), [(None, "alpha-genomics"), ({}, None),
                                                    ({"initiative_id": "alpha-genomics"}, "alpha-genomics")])
def test_a_sweep_knows_each_runs_id(tmp_path: Path, recorded: dict[str, str] | None, expected: str | None) -> None:
    """The id the run's scorecard records, which the dashboard groups by (a harness that records none, the
    profile's id notwithstanding, leaves the run known by its name: the shared-name warning must hold for it);
    the profile's when the run wrote no scorecard."""
    from conformance.dashboard.sweep import run_one

    profile = tmp_path / "p.yaml"
    profile.write_text("initiative: Alpha\nid: alpha-genomics\nservices:\n"
                       "  - {standard: service-info, version: '1.0.0', url: 'https://a.example.org'}\n")
    (tmp_path / "logs").mkdir()
    script = "pass"
    if recorded is not None:
        run_dir = tmp_path / "reports" / "alpha" / "20260101T000000Z"
        run_dir.mkdir(parents=True)
        (run_dir / "scorecard.json").write_text(json.dumps({"initiative": "Alpha", **recorded}))
        script = f"print('Reports: {run_dir}')"
    outcome = run_one(1, profile, tmp_path / "reports", tmp_path / "logs", specs_dir=None, kill_margin=5,
                      command=lambda *_: [sys.executable, "-c", script])
    assert (outcome.initiative, outcome.initiative_id) == ("Alpha", expected)
