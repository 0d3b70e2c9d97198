"""Robustness against broken and hostile servers (issue 8): every corpus server costs one clear line
in the report, within the run's time budget, never a hung job, a crash, a traceback or a leaked
credential. The memory bounds, the interruption and the redaction are tested here too."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import corpus
import pytest
import yaml

from conformance import cli
from conformance.testing import RunResult, forward_proxy, run_profile

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
#: The budget of the corpus runs: small, so that the tests are quick.
REQUEST_TIMEOUT = 1.0
MAX_SECONDS = 20.0
#: What a run may take beyond max_seconds: starting pytest, writing the reports.
MARGIN = 4.0
MAX_PEAK_MB = 300
REPORT_FILES = ("scorecard.json", "testbed-report.json", "report.html", "junit.xml", "summary.md")


def entry(url: str, **extra: Any) -> dict[str, Any]:
    return {"standard": "service-info", "version": "1.0.0", "artifact": "service-info", "url": url, **extra}


def document(*services: dict[str, Any], **budget: Any) -> dict[str, Any]:
    limits = {"request_timeout_seconds": REQUEST_TIMEOUT, "max_seconds": MAX_SECONDS, **budget}
    return {"initiative": "robustness corpus", "services": list(services), "budget": limits}


def timed_run(doc: dict[str, Any], report_root: Path, specs_dir: str | None,
              **kwargs: Any) -> tuple[RunResult, float]:
    started = time.monotonic()
    result = run_profile(doc, report_root, specs_dir=specs_dir, **kwargs)
    return result, time.monotonic() - started


def assert_clean_reports(run_dir: Path, *outputs: str) -> None:
    """Every report format written, and no traceback anywhere (console or report)."""
    for name in REPORT_FILES:
        assert (run_dir / name).is_file(), f"{name} not written"
    for output in outputs:
        assert "Traceback" not in output, output
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert "Traceback" not in path.read_text(encoding="utf-8", errors="replace"), path.name


def one_line(message: str) -> None:
    assert message and "\n" not in message and len(message) < 400, message


# -- one test per corpus server -----------------------------------------------------------------------------

#: corpus server → (service verdict, outcome of service-info.endpoint.answers-200, its message, its limit)
EXPECTED: dict[str, tuple[str, str, str, str | None]] = {
    "silent": ("unreachable", "error", r"no answer within request_timeout_seconds=1 \(the server accepted", None),
    "stall-after-headers": ("incomplete", "error",
                            r"sent its headers, then nothing of its body within request_timeout_seconds=1",
                            "request_timeout_seconds"),
    "trickle": ("unreachable", "error", r"status line and headers too slowly", None),
    "trickle-body": ("incomplete", "error", r"sends its body too slowly", "request_timeout_seconds"),
    "deep-json": ("incomplete", "error", r"answered JSON nested too deeply to parse", None),
    "invalid-utf8": ("non-conformant", "failed", r"answered 200, but the body is not valid UTF-8 \(byte \d+\)", None),
    "gzip-lie": ("incomplete", "error", r"could not be decoded as its Content-Encoding \(gzip\) says", None),
    "length-too-long": ("incomplete", "error",
                        r"closed the connection after (\d+) of the \1\d* bytes its Content-Length announced|"
                        r"closed the connection after \d+ of the \d+ bytes its Content-Length announced", None),
    "length-too-short": ("non-conformant", "failed",
                         r"the JSON document breaks off at the end of the \d+ bytes its Content-Length announced",
                         None),
    "reset-mid-body": ("incomplete", "error", r"reset the connection in the middle of the body", None),
    "redirect-loop": ("unreachable", "error", r"redirect loop starting at http://127\.0\.0\.1:\d+/service-info",
                      None),
    "redirect-file": ("unreachable", "error", r"redirected to a non-http\(s\) URL \(file:///etc/passwd\)", None),
    "retry-after-day": ("incomplete", "error",
                        r"429 Too Many Requests with Retry-After: 86400 s, longer than the harness waits", None),
    "unavailable": ("incomplete", "error", r"503 Service Unavailable", None),
    "html-200": ("non-conformant", "failed", r"answered 200, but the body is not JSON \(text/html: '<!DOCTYPE html>",
                 None),
    "html-500": ("non-conformant", "failed", r"answered 500 Internal Server Error, not 200", None),
}


#: A server sending a byte a second keeps a 1 s socket timeout from firing only by chance: give the
#: trickling servers a request timeout that a byte a second never meets, so the wall clock must act.
BUDGETS: dict[str, dict[str, float]] = {"trickle": {"request_timeout_seconds": 1.5},
                                        "trickle-body": {"request_timeout_seconds": 1.5}}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_server_costs_one_clear_line(name: str, report_root: Path, specs_dir: str | None) -> None:
    verdict, outcome, message, limit = EXPECTED[name]
    with corpus.CorpusServer(name) as server:
        result, elapsed = timed_run(document(entry(server.url), **BUDGETS.get(name, {})), report_root, specs_dir)
        seen = len(server.app.seen)
    assert elapsed < MAX_SECONDS + MARGIN
    service = result.scorecard.services[0]
    assert service.verdict() == verdict, result.output
    check = result.check("service-info.endpoint.answers-200")
    assert check.outcome == outcome, check.message
    assert re.search(message, check.message), check.message
    assert check.limit == limit
    if limit is not None:
        assert limit in result.scorecard.limits_hit
    for other in service.checks:  # every check ran to an outcome with a one-line reason
        assert other.outcome in ("passed", "failed", "error", "skipped")
        if other.outcome != "passed":
            one_line(other.message)
    assert result.exit_code == {"non-conformant": 1}.get(verdict, 2)
    if name in ("retry-after-day",):
        assert seen == 1, "asked again after the server said to wait a day"
    if name in ("unavailable", "reset-mid-body", "stall-after-headers", "trickle-body"):
        assert seen <= 9, f"{seen} requests to a server that keeps failing"
    assert_clean_reports(result.run_dir, result.output)


def test_a_broken_service_does_not_stop_the_others(report_root: Path, specs_dir: str | None) -> None:
    with corpus.CorpusServer("silent") as silent, corpus.CorpusServer("stall-after-headers") as slow, \
            corpus.CorpusServer("conformant") as good:
        doc = document(entry(silent.url, name="silent"), entry(slow.url, name="slow"), entry(good.url, name="good"))
        result, elapsed = timed_run(doc, report_root, specs_dir)
    assert elapsed < MAX_SECONDS + MARGIN
    verdicts = {s.name: s.verdict() for s in result.scorecard.services}
    assert verdicts == {"silent": "unreachable", "slow": "incomplete", "good": "conformant"}, result.output
    assert_clean_reports(result.run_dir, result.output)


def test_credentials_do_not_follow_a_redirect_to_another_host(report_root: Path, specs_dir: str | None,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    token = "robust-" + secrets.token_hex(16)
    monkeypatch.setenv("ROBUSTNESS_TOKEN", token)
    with corpus.CorpusServer("conformant", host="127.0.0.2") as other, \
            corpus.CorpusServer("redirect-other-host", target=f"{other.url}/service-info") as first:
        doc = document(entry(first.url, auth={"bearer_token_env": "ROBUSTNESS_TOKEN"}))
        result, _ = timed_run(doc, report_root, specs_dir)
    assert first.app.seen and all(h.get("Authorization") == f"Bearer {token}" for _, _, h in first.app.seen)
    assert other.app.seen, "the redirect was not followed"
    assert not any("Authorization" in headers for _, _, headers in other.app.seen)
    assert result.outcome("service-info.endpoint.answers-200") == "passed"
    for path in result.run_dir.rglob("*"):
        assert token not in path.read_text(encoding="utf-8", errors="replace"), path.name
    assert token not in result.output


def test_self_signed_certificate_is_a_clear_error_and_ca_bundle_fixes_it(
        tmp_path: Path, report_root: Path, specs_dir: str | None) -> None:
    ca, cert, key = corpus.self_signed(tmp_path)
    with corpus.CorpusServer("conformant", tls=corpus.tls_context(cert, key)) as server:
        assert server.url.startswith("https://localhost:")
        refused, _ = timed_run(document(entry(server.url)), report_root, specs_dir)
        trusted, _ = timed_run({**document(entry(server.url)), "ca_bundle": str(ca)}, report_root, specs_dir)
        per_service, _ = timed_run(document(entry(server.url, ca_bundle=str(ca))), report_root, specs_dir)
    service = refused.scorecard.services[0]
    assert service.verdict() == "unreachable"
    assert service.unreachable is not None
    assert "TLS certificate not trusted" in service.unreachable and "ca_bundle" in service.unreachable
    assert_clean_reports(refused.run_dir, refused.output)
    assert trusted.scorecard.services[0].verdict() == "conformant", trusted.output
    assert per_service.scorecard.services[0].verdict() == "conformant", per_service.output


def test_an_https_service_behind_the_profiles_proxy_is_checked_through_a_tunnel(
        tmp_path: Path, report_root: Path, specs_dir: str | None) -> None:
    """TLS end to end through CONNECT: the proxy sees the host and port, the certificate is the service's."""
    ca, cert, key = corpus.self_signed(tmp_path, host="svc.test")
    with corpus.CorpusServer("conformant", tls=corpus.tls_context(cert, key)) as server, \
            forward_proxy(["svc.test"]) as proxy:
        port = urlsplit(server.url).port
        result, _ = timed_run({**document(entry(f"https://svc.test:{port}")), "ca_bundle": str(ca),
                               "proxy": proxy.url}, report_root, specs_dir)
    assert result.scorecard.services[0].verdict() == "conformant", result.output
    assert proxy.seen and {(method, target) for method, target, _ in proxy.seen} == {("CONNECT", f"svc.test:{port}")}


# -- the heavy servers, measured in a subprocess ------------------------------------------------------------

HEAVY = {
    "gzip-bomb": r"the server's gzip-encoded body inflates to more than max_document_bytes=8388608 bytes",
    "json-500mb": r"the server announced a body of 500,000,000 bytes \(Content-Length\), more than "
                  r"max_document_bytes=8388608",
    "endless-body": r"the server sent more than max_document_bytes=8388608 bytes without ending its body",
}
#: The heavy runs run a few checks each (every one downloads 100 MiB): enough for the peak.
HEAVY_CHECKS = ("service-info.endpoint.answers-200", "service-info.content-type.is-json")


def peak_rss_run(args: list[str], timeout: float) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``python -m conformance.cli ARGS`` and return it with its peak RSS in MB
    (``/usr/bin/time -v`` where there is one, else getrusage of the children)."""
    time_bin = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    command = [sys.executable, "-m", "conformance.cli", *args]
    if time_bin:
        process = subprocess.run([time_bin, "-v", *command], capture_output=True, text=True, timeout=timeout,
                                 cwd=REPO)
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", process.stderr)
        assert match, process.stderr[-2000:]
        return process, int(match.group(1)) / 1024
    import resource

    process = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    return process, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def write_profile(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def scorecard_of(report_root: Path) -> tuple[dict[str, Any], Path]:
    found = sorted(report_root.rglob("scorecard.json"))
    assert found, f"no scorecard under {report_root}"
    return json.loads(found[-1].read_text(encoding="utf-8")), found[-1].parent


@pytest.mark.slow
def test_heavy_servers_stay_under_the_memory_bound(tmp_path: Path, specs_dir: str | None) -> None:
    servers = {name: corpus.CorpusServer(name).start() for name in HEAVY}
    try:
        doc = document(*(entry(s.url, name=n) for n, s in servers.items()), request_timeout_seconds=10,
                       max_seconds=60, max_run_bytes=8 * 1024**3)
        profile = write_profile(tmp_path / "heavy.yaml", doc)
        args = ["run", "--profile", str(profile), "--report-dir", str(tmp_path / "reports")]
        args += [item for check in HEAVY_CHECKS for item in ("--check", check)]
        if specs_dir:
            args += ["--specs-dir", specs_dir]
        started = time.monotonic()
        process, peak_mb = peak_rss_run(args, timeout=120)
        elapsed = time.monotonic() - started
    finally:
        for server in servers.values():
            server.stop()
    assert process.returncode == 2, process.stdout[-2000:] + process.stderr[-2000:]
    assert peak_mb < MAX_PEAK_MB, f"peak RSS {peak_mb:.0f} MB"
    assert elapsed < 60 + MARGIN
    assert "Traceback" not in process.stdout + process.stderr
    scorecard, run_dir = scorecard_of(tmp_path / "reports")
    assert_clean_reports(run_dir)
    by_name = {s["name"]: s for s in scorecard["services"]}
    for name, message in HEAVY.items():
        service = by_name[name]
        assert service["verdict"] == "incomplete"
        for check in service["checks"]:
            assert check["outcome"] == "error" and check["limit"] == "max_document_bytes", check
            assert re.search(message, check["message"]), check["message"]
    assert scorecard["usage"]["limits_hit"] == ["max_document_bytes"]


def test_gzip_bomb_inflates_one_bounded_chunk_at_a_time() -> None:
    """The bomb really is one: about 10 MB on the wire for 10 GiB inflated (measured on a slice)."""
    pieces = corpus.gzip_bomb_pieces(inflated=64 * corpus.MiB)
    wire = sum(len(p) for p in pieces)
    assert wire * 1000 < 64 * corpus.MiB  # better than 1:1000, so 10 GiB is some 10 MB on the wire


# -- limits --------------------------------------------------------------------------------------------------


def test_limits_cut_checks_short_and_are_recorded(report_root: Path, specs_dir: str | None) -> None:
    with corpus.CorpusServer("conformant") as server:
        few_requests, _ = timed_run(document(entry(server.url), max_requests=2), report_root, specs_dir)
        few_bytes, _ = timed_run(document(entry(server.url), max_run_bytes=1500), report_root, specs_dir)
        small_bodies, _ = timed_run(document(entry(server.url), max_response_bytes=100), report_root, specs_dir)
    for result, limit, message in (
            (few_requests, "max_requests", r"request budget exhausted \(max_requests=2\)"),
            (few_bytes, "max_run_bytes", r"run byte budget exhausted \(max_run_bytes=1500\)"),
            (small_bodies, "max_response_bytes", r"announced a body of \d+ bytes \(Content-Length\), more than "
                                                  r"max_response_bytes=100")):
        assert limit in result.scorecard.limits_hit
        cut = [c for c in result.scorecard.services[0].checks if c.limit == limit]
        assert cut and all(c.outcome == "error" for c in cut)
        assert any(re.search(message, c.message) for c in cut), [c.message for c in cut]
        data = json.loads((result.run_dir / "scorecard.json").read_text(encoding="utf-8"))
        assert limit in data["usage"]["limits_hit"]
        assert any(c.get("limit") == limit for s in data["services"] for c in s["checks"])


def test_run_time_budget_bounds_the_run(report_root: Path, specs_dir: str | None) -> None:
    with corpus.CorpusServer("trickle-body") as server:
        result, elapsed = timed_run(document(entry(server.url), max_seconds=3, request_timeout_seconds=2),
                                    report_root, specs_dir)
    assert elapsed < 3 + MARGIN
    assert "max_seconds" in result.scorecard.limits_hit
    assert any(c.limit == "max_seconds" and "max_seconds=3" in c.message for c in result.scorecard.services[0].checks)


def test_command_line_overrides_the_budget(tmp_path: Path, specs_dir: str | None,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with corpus.CorpusServer("conformant") as server:
        profile = write_profile(tmp_path / "p.yaml", document(entry(server.url)))
        args = ["run", "--profile", str(profile), "--report-dir", str(tmp_path / "reports"), "--quiet",
                "--max-requests", "2", "--request-timeout", "3", "--max-seconds", "30"]
        code = cli.main([*args, "--specs-dir", specs_dir] if specs_dir else args)
    assert code == 2
    scorecard, _ = scorecard_of(tmp_path / "reports")
    assert scorecard["budget"]["max_requests"] == 2 and scorecard["budget"]["request_timeout_seconds"] == 3
    assert scorecard["usage"]["limits_hit"] == ["max_requests"]
    assert "Traceback" not in capsys.readouterr().err


# -- interruption --------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupted_run_writes_partial_reports(signum: int, tmp_path: Path, specs_dir: str | None) -> None:
    with corpus.CorpusServer("trickle-body") as slow, corpus.CorpusServer("conformant") as good:
        doc = document(entry(good.url, name="good"), entry(slow.url, name="slow"), request_timeout_seconds=30,
                       max_seconds=120)
        profile = write_profile(tmp_path / "p.yaml", doc)
        args = [sys.executable, "-m", "conformance.cli", "run", "--profile", str(profile),
                "--report-dir", str(tmp_path / "reports")]
        process = subprocess.Popen([*args, "--specs-dir", specs_dir] if specs_dir else args, cwd=REPO,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not slow.app.seen and time.monotonic() < deadline:  # the run is waiting on the slow server
                time.sleep(0.1)
            assert slow.app.seen, "the run never reached the slow server"
            time.sleep(0.5)
            started = time.monotonic()
            process.send_signal(signum)
            stdout, stderr = process.communicate(timeout=20)
            stopped = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 2, stdout[-2000:] + stderr[-2000:]
    assert stopped < 10
    assert "Traceback" not in stdout + stderr
    scorecard, run_dir = scorecard_of(tmp_path / "reports")
    assert scorecard["interrupted"] is True
    by_name = {s["name"]: s for s in scorecard["services"]}
    assert by_name["slow"]["verdict"] == "incomplete"
    assert_clean_reports(run_dir)


# -- redaction ----------------------------------------------------------------------------------------------


def test_no_credential_reaches_any_report(report_root: Path, specs_dir: str | None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    token = "tok-" + secrets.token_hex(16)
    passport = ("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUub3JnIn0."
                + secrets.token_urlsafe(32))
    user, password = "robot", "p@ss/" + secrets.token_hex(8) + "+="
    for name, value in (("R_TOKEN", token), ("R_PASSPORT", passport), ("R_USER", user), ("R_PASSWORD", password)):
        monkeypatch.setenv(name, value)
    echoed = {"x1": token, "x2": passport, "x3": password}
    with corpus.CorpusServer("echo-secrets", secrets={k: quote(v, safe="") for k, v in echoed.items()}) as bearer, \
            corpus.CorpusServer("echo-secrets", secrets={k: quote(v, safe="") for k, v in echoed.items()}) as basic:
        doc = document(
            entry(bearer.url, name="bearer", auth={"bearer_token_env": "R_TOKEN", "passport_env": "R_PASSPORT"}),
            entry(basic.url, name="basic", auth={"basic_username_env": "R_USER", "basic_password_env": "R_PASSWORD"}))
        result, _ = timed_run(doc, report_root, specs_dir)
    assert basic.app.seen and bearer.app.seen
    import base64

    forbidden = {token, passport, password, quote(token, safe=""), quote(passport, safe=""), quote(password, safe=""),
                 base64.b64encode(f"{user}:{password}".encode()).decode(), "p%40ss"}
    files = [p for p in result.run_dir.rglob("*") if p.is_file()]
    suffixes = {p.suffix for p in files}
    assert {".json", ".html", ".xml", ".md", ".svg"} <= suffixes, suffixes
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in forbidden:
            assert secret not in text, f"{path.name} holds a credential"
    for secret in forbidden:
        assert secret not in result.output
    # the secrets were really in play: the evidence shows the redirect's query and the echoed body, masked
    data = json.loads((result.run_dir / "scorecard.json").read_text(encoding="utf-8"))
    evidence = [e for s in data["services"] for c in s["checks"] for case in c["cases"] for e in case["evidence"]]
    assert evidence
    assert any("x1=[REDACTED]" in e["url"] for e in evidence), [e["url"] for e in evidence]
    assert any("[REDACTED]" in e["response_body"] for e in evidence)
    assert all(e["redirected_from"] for e in evidence)


def test_checks_left_when_max_seconds_are_spent_are_not_started(report_root: Path, specs_dir: str | None) -> None:
    """Issue 23: past its deadline the run starts no check (each would cost pytest's own overhead, and a
    check that computes without asking the server would still run), so it ends within max_seconds plus
    the grace of the check running at the deadline; the checks left are counted as not run."""
    with corpus.CorpusServer("conformant") as server:
        result, elapsed = timed_run(document(entry(server.url), max_seconds=0.001), report_root, specs_dir)
    service = result.scorecard.services[0]
    assert [(c.outcome, c.limit, c.message) for c in service.checks] == [
        ("error", "max_seconds", "run time budget exhausted (max_seconds=0.001)")]
    assert service.not_run > 0 and service.verdict() == "incomplete"
    assert result.exit_code == 2 and "max_seconds" in result.scorecard.limits_hit
    assert not result.scorecard.interrupted
    assert elapsed < MAX_SECONDS + MARGIN
    assert_clean_reports(result.run_dir, result.output)
