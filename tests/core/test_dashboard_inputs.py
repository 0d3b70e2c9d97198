"""What the dashboard reads of its inputs (conformance/dashboard/runs.py): only regular files of bounded size, no
crash on deep nesting, verdicts recomputed from the checks, an initiative by the name its scorecard gives, a
run counted once however many copies of it there are, and every input not read listed with its reason."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from test_dashboard import check, service, write_run

from conformance.cli import main
from conformance.dashboard import runs
from conformance.dashboard.runs import collect


def build(roots: list[Path], out: Path) -> tuple[int, dict[str, Any]]:
    code = main(["dashboard", *map(str, roots), "--out", str(out)])
    return code, json.loads((out / "matrix.json").read_text(encoding="utf-8"))


def one_run(root: Path) -> Path:
    return write_run(root, "alpha", "20260101T000000Z", "Alpha", [service("std-a", [check("a.one", "passed")])])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_listed_not_opened(tmp_path: Path) -> None:
    one_run(tmp_path / "reports")
    fifo_dir = tmp_path / "reports" / "fifo" / "20260102T000000Z"
    fifo_dir.mkdir(parents=True)
    os.mkfifo(fifo_dir / "scorecard.json")
    result: list[tuple[int, dict[str, Any]]] = []
    worker = threading.Thread(target=lambda: result.append(build([tmp_path / "reports"], tmp_path / "site")),
                              daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():  # unblock the open() so the test process can end, then fail
        with open(fifo_dir / "scorecard.json", "wb"):
            pass
        pytest.fail("the dashboard blocked on a FIFO")
    code, matrix = result[0]
    assert code == 0
    assert any("fifo" in s and "not a regular file (a FIFO)" in s for s in matrix["skipped_inputs"])


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_link_to_a_device_is_listed_not_read(tmp_path: Path) -> None:
    one_run(tmp_path / "reports")
    zero = tmp_path / "reports" / "zero" / "20260102T000000Z"
    zero.mkdir(parents=True)
    (zero / "scorecard.json").symlink_to("/dev/zero")
    code, matrix = build([tmp_path / "reports"], tmp_path / "site")
    assert code == 0
    assert any("not a regular file (a character device)" in s for s in matrix["skipped_inputs"])


def test_a_scorecard_over_the_cap_is_not_read_nor_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert runs.MAX_SCORECARD_BYTES == 64 * 2**20
    run_dir = one_run(tmp_path / "reports")
    size = (run_dir / "scorecard.json").stat().st_size
    monkeypatch.setattr(runs, "MAX_SCORECARD_BYTES", size - 1)
    monkeypatch.setattr(runs.read_regular, "__defaults__", (size - 1,))
    code, matrix = build([tmp_path / "reports"], tmp_path / "site")
    assert code == 2
    assert any("larger than" in s and "not read" in s for s in matrix["skipped_inputs"])
    assert not list((tmp_path / "site").rglob("scorecard.json"))


def test_a_deeply_nested_scorecard_is_listed_not_fatal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one_run(tmp_path / "reports")
    deep = tmp_path / "reports" / "deep" / "20260102T000000Z"
    deep.mkdir(parents=True)
    (deep / "scorecard.json").write_text("[" * 200000, encoding="utf-8")
    deep_object = tmp_path / "reports" / "deep2" / "20260102T000000Z"
    deep_object.mkdir(parents=True)
    (deep_object / "scorecard.json").write_text('{"format": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    code, matrix = build([tmp_path / "reports"], tmp_path / "site")
    assert code == 0
    assert "internal error" not in capsys.readouterr().err
    skipped = [s for s in matrix["skipped_inputs"] if "deep" in s]
    assert len(skipped) == 2 and all("nested too deeply" in s for s in skipped), skipped


def test_a_stored_verdict_that_its_checks_contradict_is_not_shown(tmp_path: Path) -> None:
    """A hand-edited verdict, or counts that are not numbers, are never shown: the verdicts and counts come from
    the checks by the harness's own rules, and a scorecard that records others is listed as not read."""
    root = tmp_path / "reports"
    edited = service("std-a", [check("a.one", "failed"), check("a.two", "passed")])
    edited["verdict"] = edited["verdict_with_expected_failures"] = "conformant"
    write_run(root, "lambda", "20260101T000000Z", "Lambda", [edited])
    lots = service("std-a", [check("a.one", "passed")])
    lots["summary"]["must_passed"] = "lots"
    write_run(root, "omicron", "20260101T000000Z", "Omicron", [lots])
    honest = service("std-a", [check("a.one", "passed"), check("a.two", "passed")])
    del honest["summary"]  # nothing stored to trust: the counts come from the checks
    write_run(root, "pi", "20260101T000000Z", "Pi", [honest])
    code, matrix = build([root], tmp_path / "site")
    assert code == 0
    assert [c["initiative"] for c in matrix["cells"]] == ["pi"]
    assert (matrix["cells"][0]["services"][0]["must_passed"], matrix["cells"][0]["services"][0]["must_total"]) == (2, 2)
    reasons = " ".join(matrix["skipped_inputs"])
    assert "lambda" in reasons and "records verdict 'conformant', its checks give 'non-conformant'" in reasons
    assert "omicron" in reasons and "must_passed 'lots'" in reasons
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Lambda" not in index.split("Inputs not read")[0]


def test_an_initiative_is_the_one_its_scorecard_names_and_a_copy_counts_once(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    runs_of_beta = [service("std-a", [check("a.one", "failed"), check("a.two", "passed")])]
    original = write_run(root, "beta-biobank", "20260101T000000Z", "Beta Biobank", runs_of_beta)
    copy = root / "beta-biobank-resubmitted" / "20260101T000000Z"
    copy.mkdir(parents=True)
    (copy / "scorecard.json").write_bytes((original / "scorecard.json").read_bytes())
    resent = root / "beta-biobank" / "20260101T000000Z-resend"
    resent.mkdir(parents=True)  # the same run, spaced otherwise: still the same run
    (resent / "scorecard.json").write_text(json.dumps(json.loads((original / "scorecard.json").read_text()),
                                                      indent=4), encoding="utf-8")
    write_run(root, "gamma", "20260101T000000Z", "Gamma", [service("std-a", [check("a.one", "failed")])])
    code, matrix = build([root], tmp_path / "site")
    assert code == 0
    assert [i["slug"] for i in matrix["initiatives"]] == ["beta-biobank", "gamma"]
    assert len(matrix["initiatives"][0]["runs"]) == 1
    (failing,) = [r for r in matrix["requirements"]["std-a"] if r["id"] == "a.one"]
    assert failing["failed_at"] == ["beta-biobank", "gamma"] and failing["decided_at"] == 2
    once = [s for s in matrix["skipped_inputs"] if "counted once" in s]
    assert len(once) == 2 and all("the same run as" in s for s in once)
    page = (tmp_path / "site" / "standards" / "std-a.html").read_text(encoding="utf-8")
    assert "failed at 2 of 2" in page and "Beta Biobank, Beta Biobank" not in page


def test_two_runs_started_in_the_same_second_are_two_runs(tmp_path: Path) -> None:
    """The harness writes ``<stamp>-2`` for a second run started in the same second: different content, two runs."""
    root = tmp_path / "reports"
    write_run(root, "beta", "20260101T000000Z", "Beta", [service("std-a", [check("a.one", "passed")])])
    second = write_run(root, "beta", "20260101T000000Z-2", "Beta", [service("std-a", [check("a.one", "failed")])])
    card = json.loads((second / "scorecard.json").read_text())
    card["started"] = "2026-01-01T00:00:00Z"
    (second / "scorecard.json").write_text(json.dumps(card))
    assert len(collect([root]).runs) == 2


def test_a_folder_named_scorecard_and_a_lone_bundle_are_listed(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "reports"
    (root / "odd" / "20260101T000000Z" / "scorecard.json").mkdir(parents=True)
    (root / "omega").mkdir()
    (root / "omega" / "20260101T000000Z.conformance.tar").write_bytes(b"not read")
    assert main(["dashboard", str(root), "--out", str(tmp_path / "site")]) == 2
    captured = capsys.readouterr()
    assert "a folder, not a scorecard" in captured.out
    assert "a certification bundle without its run directory beside it" in captured.out
    assert "the dashboard reads run directories" in captured.out
    assert "those not read are listed above" in captured.err


def test_nothing_found_says_what_the_dashboard_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "reports" / "x").mkdir(parents=True)
    assert main(["dashboard", str(tmp_path / "reports"), "--out", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert "no scorecard.json found" in err and "<initiative>/<stamp>/scorecard.json" in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_unlistable_folder_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root lists every folder")
    locked = tmp_path / "reports" / "locked"
    locked.mkdir(parents=True)
    locked.chmod(0)
    try:
        assert main(["dashboard", str(tmp_path / "reports"), "--out", str(tmp_path / "site")]) == 2
    finally:
        locked.chmod(0o755)
    assert "cannot list the folder" in capsys.readouterr().out
