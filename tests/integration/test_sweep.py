"""``conformance sweep``: the three example profiles of profiles/sweep/ run concurrently against embedded
reference servers (one with a MUST fault, one with a SHOULD fault), then the dashboard; a failing,
broken or hanging target never stops the others. The browser tests open the swept site in Debian's
headless chromium and leave a screenshot in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance.dashboard import sweep as sweeping
from conformance.dashboard.sweep import Outcome, sweep, sweep_exit_code
from conformance.profile import parse_profile
from conformance.suite import discover

#: Real sweeps (one `conformance run` process per profile) and, where Chromium is installed, a browser.
pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
PROFILES = sorted((REPO / "profiles" / "sweep").glob("*.yaml"))
ARTIFACTS = REPO / "test-artifacts"
EXPECTED = {  # (initiative slug, standard) → (verdict of its matrix cell, SHOULD warnings)
    ("northern-genomics-network", "service-info"): ("conformant", 0),
    ("northern-genomics-network", "drs"): ("conformant", 0),
    ("southern-biobank-alliance", "service-info"): ("non-conformant", 0),
    ("southern-biobank-alliance", "drs"): ("non-conformant", 0),
    ("eastern-rare-disease-consortium", "service-info"): ("conformant", 1),
    ("eastern-rare-disease-consortium", "drs"): ("not-checked", 0),
}
FAILED_MUST = {("southern-biobank-alliance", "service-info"): "service-info.type.artifact-matches-standard",
               ("southern-biobank-alliance", "drs"): "drs.object.checksum-matches-bytes"}


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    reports = tmp_path_factory.mktemp("sweep") / "reports"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "sweep", *map(str, PROFILES), "-j", "3",
                           "--report-dir", str(reports)], cwd=REPO, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    site = reports / "site"
    matrix = json.loads((site / "matrix.json").read_text(encoding="utf-8")) if site.is_dir() else {}
    return {"done": done, "reports": reports, "site": site, "matrix": matrix, "seconds": seconds}


def test_the_example_profiles_are_three_initiatives_one_with_faults() -> None:
    assert len(PROFILES) == 3
    texts = [p.read_text(encoding="utf-8") for p in PROFILES]
    assert sum("faults:" in t for t in texts) == 2  # one MUST-faulty initiative, one SHOULD-faulty


def test_sweep_runs_every_profile_and_builds_the_site(swept: dict[str, Any]) -> None:
    done = swept["done"]
    assert done.returncode == 1, done.stdout + done.stderr  # one initiative is non-conformant
    outcome_lines = [ln for ln in done.stdout.splitlines() if ln.startswith("exit ")]
    assert len(outcome_lines) == 3, done.stdout
    assert (swept["site"] / "index.html").is_file()
    assert "Sweep exit 1: 2 exit 0, 1 exit 1" in done.stdout


def test_the_matrix_shows_the_right_verdicts(swept: dict[str, Any]) -> None:
    matrix = swept["matrix"]
    cells = {(c["initiative"], c["standard"]): c for c in matrix["cells"]}
    assert set(cells) == {pair for pair, (verdict, _) in EXPECTED.items() if verdict != "not-checked"}
    for pair, cell in cells.items():
        verdict, warnings = EXPECTED[pair]
        assert cell["verdict"] == verdict, cell
        assert cell["services"][0]["warnings"] == warnings
        assert (swept["site"] / cell["report"]).is_file()
        failed_musts = [c["id"] for c in cell["services"][0]["failed_checks"] if c["level"] == "MUST"]
        assert failed_musts == ([FAILED_MUST[pair]] if pair in FAILED_MUST else []), cell
    html = (swept["site"] / "index.html").read_text(encoding="utf-8")
    assert html.count('data-verdict="non-conformant"') == 2
    assert html.count('data-verdict="not-checked"') == 1
    assert html.count('<span aria-hidden="true">✘</span> non-conformant</span>') == 1 + 2  # legend, cells


def test_sweep_exit_code_precedence() -> None:
    assert sweep_exit_code([0, 0]) == 0
    assert sweep_exit_code([0, 2, 1]) == 1
    assert sweep_exit_code([2, 0]) == 2
    assert sweep_exit_code([1, 4, 2]) == 4
    assert sweep_exit_code([0, 3]) == 2


def _profile(path: Path, initiative: str, url: str = "http://127.0.0.1:9/", max_seconds: float = 30) -> Path:
    path.write_text(f"initiative: {initiative}\nservices:\n  - standard: service-info\n    version: '1.0.0'\n"
                    f"    url: {url}\nbudget:\n  max_seconds: {max_seconds}\n  request_timeout_seconds: 2\n",
                    encoding="utf-8")
    return path


def test_a_broken_and_an_unreachable_target_do_not_stop_the_others(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("initiative: Broken\nservices: 3\n", encoding="utf-8")
    unreachable = _profile(tmp_path / "gone.yaml", "Gone Away")
    good = REPO / "profiles" / "sweep" / "east-rare-disease.yaml"
    outcomes = sweep([broken, unreachable, good], tmp_path / "reports", jobs=2)
    assert [o.exit_code for o in outcomes] == [4, 2, 0], [o.line for o in outcomes]
    assert "services: expected a non-empty list" in outcomes[0].outcome
    assert outcomes[1].run_dir is not None and outcomes[2].run_dir is not None
    assert outcomes[1].outcome == "unreachable"  # the run's own verdict, not "incomplete or unreachable"
    assert sweep_exit_code([o.exit_code for o in outcomes]) == 4
    scorecard = json.loads((outcomes[1].run_dir / "scorecard.json").read_text(encoding="utf-8"))
    assert scorecard["services"][0]["verdict"] == "unreachable"


def _sleeper(seconds: float, record: Path | None = None, ignore_term: bool = False) -> sweeping.CommandFactory:
    code = "import signal, sys, time\n"
    if ignore_term:
        code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    if record is not None:
        code += f"open({str(record)!r}, 'a').write(f'{{time.time()}} start\\n')\n"
    code += f"time.sleep({seconds})\n"
    if record is not None:
        code += f"open({str(record)!r}, 'a').write(f'{{time.time()}} end\\n')\n"

    def command(profile: Path, report_dir: Path, specs_dir: str | None) -> list[str]:
        return [sys.executable, "-c", code]

    return command


def test_a_hanging_run_is_stopped_after_its_budget_and_the_others_finish(tmp_path: Path) -> None:
    hangs = _profile(tmp_path / "hangs.yaml", "Hangs", max_seconds=1)
    quick = _profile(tmp_path / "quick.yaml", "Quick", max_seconds=30)
    started = time.monotonic()
    outcomes = sweep([hangs, quick], tmp_path / "reports", jobs=2, kill_margin=0.5,
                     command=lambda p, r, s: _sleeper(60 if p == hangs else 0.1)(p, r, s))
    assert time.monotonic() - started < 20
    assert outcomes[0].exit_code == 2 and outcomes[0].outcome.startswith("hung: stopped after 1.5 s")
    assert outcomes[1].exit_code == 0


def test_a_run_ignoring_sigterm_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sweeping, "TERM_GRACE", 0.5)
    stubborn = _profile(tmp_path / "stubborn.yaml", "Stubborn", max_seconds=1)
    started = time.monotonic()
    [outcome] = sweep([stubborn], tmp_path / "reports", jobs=1, kill_margin=0.2,
                      command=_sleeper(60, ignore_term=True))
    assert outcome.exit_code == 2 and "hung" in outcome.outcome
    assert time.monotonic() - started < 15


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_a_signal_to_the_sweep_stops_its_runs_with_their_partial_reports(tmp_path: Path, sig: str) -> None:
    """A CI job cancelled (SIGTERM), or Ctrl-C to a sweep a script started in the background (SIGINT ignored,
    as a shell leaves it): the runs under way end as interrupted runs, none is left running on its own."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        profile = tmp_path / "slow.yaml"
        profile.write_text(f"initiative: Slow\nservices:\n  - standard: service-info\n    version: '1.0.0'\n"
                           f"    url: {url}\nbudget:\n  max_seconds: 120\n  request_timeout_seconds: 60\n")
        process = subprocess.Popen([sys.executable, "-m", "conformance.cli", "sweep", str(profile), "--no-dashboard",
                                    "--report-dir", str(tmp_path / "reports")], cwd=tmp_path, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        try:
            deadline = time.monotonic() + 60
            while not list((tmp_path / "reports").glob("slow/*")):  # the run has begun
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
            time.sleep(1.0)
            process.send_signal(getattr(signal, sig))
            out, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert process.returncode != 0, out
    (scorecard,) = (tmp_path / "reports").glob("slow/*/scorecard.json")
    assert json.loads(scorecard.read_text())["interrupted"] is True, out
    assert "incomplete (interrupted)" in out, out


def test_a_run_started_as_the_sweep_stops_is_stopped_too(tmp_path: Path) -> None:
    """A job past its check of the stop when the signal came starts its run after the others were sent
    SIGTERM: the run sees the stop itself and ends at once rather than at its max_seconds."""
    import threading

    stopping = threading.Event()
    stopping.set()
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    started = time.monotonic()
    outcome = sweeping.run_one(1, _profile(tmp_path / "late.yaml", "Late", max_seconds=60), tmp_path / "reports",
                               log_dir, specs_dir=None, kill_margin=5, command=_sleeper(60), stopping=stopping)
    assert time.monotonic() - started < 10 and outcome.exit_code != 0, outcome


def test_at_most_j_runs_at_once(tmp_path: Path) -> None:
    record = tmp_path / "record.txt"
    profiles = [_profile(tmp_path / f"p{i}.yaml", f"P{i}") for i in range(4)]
    outcomes: list[Outcome] = sweep(profiles, tmp_path / "reports", jobs=2, command=_sleeper(0.5, record))
    assert [o.exit_code for o in outcomes] == [0, 0, 0, 0]
    running = peak = 0
    for line in sorted(record.read_text(encoding="utf-8").splitlines(), key=lambda ln: float(ln.split()[0])):
        running += 1 if line.endswith("start") else -1
        peak = max(peak, running)
    assert peak == 2


def _peak(record: Path) -> int:
    running = peak = 0
    for line in sorted(record.read_text(encoding="utf-8").splitlines(), key=lambda ln: float(ln.split()[0])):
        running += 1 if line.endswith("start") else -1
        peak = max(peak, running)
    return peak


def test_at_most_per_host_runs_against_one_host(tmp_path: Path) -> None:
    """Issue 20: a sweep runs many profiles at once (it waits on networks), never more than ``per_host``
    of them against one deployment."""
    record = tmp_path / "record.txt"
    profiles = [_profile(tmp_path / f"p{i}.yaml", f"P{i}", url="https://one.example.org/") for i in range(4)]
    outcomes = sweep(profiles, tmp_path / "reports", jobs=4, per_host=2, command=_sleeper(0.5, record))
    assert [o.exit_code for o in outcomes] == [0, 0, 0, 0]
    assert _peak(record) == 2


def test_profiles_on_different_hosts_run_together(tmp_path: Path) -> None:
    record = tmp_path / "record.txt"
    profiles = [_profile(tmp_path / f"p{i}.yaml", f"P{i}", url=f"https://host{i}.example.org/") for i in range(4)]
    outcomes = sweep(profiles, tmp_path / "reports", jobs=4, per_host=1, command=_sleeper(0.5, record))
    assert [o.exit_code for o in outcomes] == [0, 0, 0, 0]
    assert _peak(record) == 4


def test_embedded_and_loopback_servers_are_this_machines_host() -> None:
    standards = discover()
    profile = parse_profile({"initiative": "Hosts", "services": [
        {"standard": "service-info", "version": "1.0.0", "url": "https://Remote.example.org:8443/x"},
        {"standard": "service-info", "version": "1.0.0", "url": "http://127.0.0.1:9/"},
        {"standard": "service-info", "version": "1.0.0", "url": "http://localhost:9/"},
        {"standard": "drs", "version": "1.5.0", "reference": True, "objects": ["blob-1"]},
    ]}, source="<test>", standards=standards)
    assert sweeping.hosts_of(profile) == {"remote.example.org", sweeping.THIS_MACHINE}


# -- in a real browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium through its chromedriver; never a download (Selenium Manager is bypassed by
    giving the driver's path)."""
    for needed in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not Path(needed).exists():
            pytest.skip(f"{needed} is missing (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install .[test])")
    profile_dir = tempfile.mkdtemp(prefix="dashboard-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1280,900", f"--user-data-dir={profile_dir}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    except Exception as exc:  # a chromium that cannot start here (no display libraries, ...)
        shutil.rmtree(profile_dir, ignore_errors=True)
        pytest.skip(f"headless chromium could not start: {exc.__class__.__name__}: {str(exc)[:200]}")
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile_dir, ignore_errors=True)


def _errors(driver: Any) -> list[str]:
    return [f"{e['level']}: {e['message']}" for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


@pytest.mark.browser
def test_every_page_loads_without_console_errors(browser: Any, swept: dict[str, Any]) -> None:
    site: Path = swept["site"]
    pages = [site / "index.html", *sorted((site / "initiatives").glob("*.html")),
             *sorted((site / "standards").glob("*.html"))]
    assert len(pages) == 1 + 3 + 2
    for page in pages:
        browser.get(page.as_uri())
        assert browser.find_element("css selector", "h1").text, page
        assert _errors(browser) == [], page


@pytest.mark.browser
def test_matrix_has_one_cell_per_pair_with_verdict_words_and_a_screenshot(browser: Any,
                                                                          swept: dict[str, Any]) -> None:
    browser.get((swept["site"] / "index.html").as_uri())
    cells = browser.find_elements("css selector", "#matrix td.cell")
    pairs = [(c.get_attribute("data-initiative"), c.get_attribute("data-standard")) for c in cells]
    matrix = swept["matrix"]
    assert sorted(pairs) == sorted((i["slug"], s) for i in matrix["initiatives"] for s in matrix["standards"])
    for cell in cells:
        verdict, _ = EXPECTED[cell.get_attribute("data-initiative"), cell.get_attribute("data-standard")]
        first_line = cell.text.split("\n")[0]
        assert verdict.replace("-", " ") in first_line.replace("-", " "), cell.text  # a word, not only a colour
        if verdict != "not-checked":
            assert "MUST" in cell.text
    ARTIFACTS.mkdir(exist_ok=True)
    # The whole page, not only the first screen.
    height = int(browser.execute_script("return document.documentElement.scrollHeight"))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": min(height, 4000), "deviceScaleFactor": 1, "mobile": False})
    try:
        assert browser.save_screenshot(str(ARTIFACTS / "dashboard-matrix.png"))
        # The same page in greyscale: what a reader who cannot tell the colours apart sees.
        browser.execute_script("document.documentElement.style.filter = 'grayscale(100%)'")
        assert browser.save_screenshot(str(ARTIFACTS / "dashboard-matrix-greyscale.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.browser
def test_a_cells_link_opens_that_runs_report(browser: Any, swept: dict[str, Any]) -> None:
    browser.get((swept["site"] / "index.html").as_uri())
    cell = browser.find_element(
        "css selector", '#matrix td.cell[data-initiative="southern-biobank-alliance"][data-standard="drs"]')
    cell.find_element("css selector", "a.report").click()
    deadline = time.monotonic() + 10
    while "Southern Biobank Alliance" not in browser.title and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "Southern Biobank Alliance" in browser.title
    south = next(c for c in swept["matrix"]["cells"]
                 if (c["initiative"], c["standard"]) == ("southern-biobank-alliance", "drs"))
    assert urlsplit(browser.current_url).path == (swept["site"] / south["report"]).as_posix()
    assert "non-conformant" in browser.find_element("css selector", "body").text
    # The standard page lists the failing requirement first, linking to the same report.
    browser.get((swept["site"] / "standards" / "service-info.html").as_uri())
    first = browser.find_element("css selector", "table.requirements tbody tr")
    assert first.get_attribute("data-check") == "service-info.type.artifact-matches-standard"
