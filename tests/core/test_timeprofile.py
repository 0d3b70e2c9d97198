"""``--profile-time`` (issue 20): where a run spent its time, per phase and per check, written to the
report folder and summarised on the console. No timing is asserted: only that the profile is there,
complete and consistent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conformance.cli import main
from conformance.timeprofile import FILE, TimeProfile, summary_lines


def test_the_profile_adds_up_checks_and_requests() -> None:
    timing = TimeProfile(started=100.0)
    timing.add_check("a.check", 101.0, 101.5, 3)
    timing.add_check("a.check", 101.5, 102.5, 2)
    timing.add_check("b.check", 102.5, 104.5, 0)
    timing.add_request(0.4, streamed=0.1)
    timing.report_seconds = 0.25
    data = timing.as_dict(rate_wait=0.2, ended=105.0)
    assert data["total_seconds"] == 5.0
    assert data["phases"] == {"start_up": 1.0, "checks": 3.5, "requests": 0.3, "rate_limit_waits": 0.2,
                              "hashing_streamed_bodies": 0.1, "report_writing": 0.25}
    assert data["checks"] == [{"check": "b.check", "seconds": 2.0, "runs": 1, "requests": 0},
                              {"check": "a.check", "seconds": 1.5, "runs": 2, "requests": 5}]
    lines = summary_lines(data, top=1)
    assert lines[0].startswith("Time profile (5.00 s in all") and len(lines) == 3
    assert "b.check" in lines[2] and "a.check" not in "\n".join(lines)


def test_a_run_with_profile_time_writes_and_prints_its_profile(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Timed", "services": [
        {"standard": "service-info", "version": "1.0.0", "reference": {"faults": []}}]}))
    reports = tmp_path / "reports"
    assert main(["run", "--profile", str(profile), "--report-dir", str(reports), "--quiet", "--profile-time"]) in (0, 2)
    run_dir = next((reports / "timed").iterdir())
    data = json.loads((run_dir / FILE).read_text(encoding="utf-8"))
    assert set(data["phases"]) == {"start_up", "checks", "requests", "rate_limit_waits", "hashing_streamed_bodies",
                                   "report_writing"}
    assert data["checks"] and all(c["check"].startswith("service-info.") for c in data["checks"])
    assert sum(c["requests"] for c in data["checks"]) > 0
    assert data["phases"]["rate_limit_waits"] == 0  # a loopback server: not throttled by default
    assert "Time profile (" in capsys.readouterr().out


def test_without_the_option_no_profile_is_written(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Untimed", "services": [
        {"standard": "service-info", "version": "1.0.0", "reference": {"faults": []}}]}))
    reports = tmp_path / "reports"
    main(["run", "--profile", str(profile), "--report-dir", str(reports), "--quiet"])
    assert not (next((reports / "untimed").iterdir()) / FILE).exists()


def test_the_last_redaction_of_the_reports_counts_as_report_writing(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The reports are redacted once more when the session ends (the demo: about 2 s): that is report
    writing too, and the profile written after it says so."""
    import time

    from conformance import reports

    real = reports.redact_tree

    def slow(*args: object) -> None:
        time.sleep(1.0)
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(reports, "redact_tree", slow)
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Timed", "services": [
        {"standard": "service-info", "version": "1.0.0", "reference": {"faults": []}}]}))
    reports_dir = tmp_path / "reports"
    main(["run", "--profile", str(profile), "--report-dir", str(reports_dir), "--quiet", "--profile-time"])
    data = json.loads((next((reports_dir / "timed").iterdir()) / FILE).read_text(encoding="utf-8"))
    assert data["phases"]["report_writing"] >= 1.0
