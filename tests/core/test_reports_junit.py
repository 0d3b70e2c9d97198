"""junit.xml of real runs (conformance/reports/junit.py over pytest's junitxml), read as a CI system reads it:
each test case named by its check and its service, the same names run after run, counts as the scorecard's."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.testing import RunResult, reference_entries, run_profile

CHECKSUM = "drs.object.checksum-matches-bytes"  # run once per object
UNKNOWN_ID = "drs.object.unknown-id-is-404"  # a hypothesis property
GROUP = "drs.service-info.type-group-is-org-ga4gh"


def run(root: Path, specs_dir: str | None) -> RunResult:
    entries = reference_entries("drs", ["checksum-wrong"])
    return run_profile({"initiative": "CI view", "services": entries}, root, specs_dir=specs_dir,
                       checks=[CHECKSUM, UNKNOWN_ID, GROUP])


def cases(result: RunResult) -> dict[tuple[str, str], ET.Element]:
    return {(str(case.get("classname")), str(case.get("name"))): case
            for case in ET.parse(result.run_dir / "junit.xml").iter("testcase")}


def test_a_ci_test_view_shows_each_check_and_service_the_same_in_every_run(tmp_path: Path,
                                                                           specs_dir: str | None) -> None:
    """A CI test view showed the harness's Python function names (test_checksums_match_bytes[drs-0-blob-1] under
    drs.check_access): it shows the check id and the service, and the same names in a second run of the
    profile (servers on other ports), so that CI tools follow each check's history."""
    first, second = run(tmp_path / "1", specs_dir), run(tmp_path / "2", specs_dir)
    assert first.outcome(CHECKSUM) == "failed"
    named = cases(first)
    key = first.scorecard.services[0].key
    objects = [case.case for case in first.check(CHECKSUM).cases]
    assert objects and {(key, f"{CHECKSUM}[{key}-{item}]") for item in objects} <= set(named)
    assert {(key, f"{UNKNOWN_ID}[{key}]"), (key, f"{GROUP}[{key}]")} <= set(named)
    assert len(named) == sum(len(check.cases) for s in first.scorecard.services for check in s.checks)
    assert not [name for name in named if re.search(r"test_|check_", "".join(name))]
    assert list(cases(second)) == list(named)
    failure = named[(key, f"{CHECKSUM}[{key}-{objects[0]}]")].find("failure")
    assert failure is not None and "Reproduce:" in (failure.text or "")


def test_two_runs_with_the_same_results_write_the_same_junit_xml(tmp_path: Path, specs_dir: str | None) -> None:
    """Apart from times, ports and the host: hypothesis's statistics (how long each property took) made every
    run's junit.xml differ."""
    texts = []
    for name in ("1", "2"):
        text = (run(tmp_path / name, specs_dir).run_dir / "junit.xml").read_text(encoding="utf-8")
        text = re.sub(r'(time|timestamp)="[^"]*"', "", text)
        texts.append(re.sub(r"127\.0\.0\.1:\d+|Date: [^\n&]*", "", text))
    assert texts[0] == texts[1]
    assert "hypothesis-statistics" not in texts[0]
