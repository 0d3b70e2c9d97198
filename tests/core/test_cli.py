"""The ``conformance`` command (conformance/cli.py): usage errors are one line and exit 4; the
reference commands list what the suites ship."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conformance.cli import _verdict_lines, main
from conformance.scorecard import CaseResult, CheckResult, Scorecard, ServiceResult, aggregate


def test_reference_faults_lists_every_suite_server_and_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference", "faults"]) == 0
    out = capsys.readouterr().out
    for heading in ("beacon:", "drs:", "htsget:", "passports (broker):", "passports (clearinghouse):",
                    "service-info:"):
        assert heading in out
    assert "endpoint-404" in out and "[caught by: service-info.endpoint.answers-200]" in out


def test_reference_faults_of_one_standard(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference", "faults", "service-info"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("service-info:") and "drs" not in out


def test_reference_faults_of_an_unknown_standard_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference", "faults", "nonesuch"]) == 4
    assert "no reference server for nonesuch" in capsys.readouterr().err


def test_reference_serve_help_lists_the_standards(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference", "serve", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split()).replace("- ", "-")  # argparse wraps at hyphens
    listed = out.split("one of: ", 1)[1].split(")", 1)[0].split(", ")
    assert {"beacon", "drs", "htsget", "passports", "service-info"} <= set(listed)


def test_reference_serve_unknown_fault_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference", "serve", "service-info", "--fault", "no-such-fault"]) == 4
    err = capsys.readouterr().err
    assert "unknown fault(s)" in err and "Traceback" not in err


@pytest.mark.parametrize(("argv", "message"), [
    (["drs", "--port", "99999"], "expected a port number from 0 to 65535, not '99999'"),
    (["drs", "--version", "9.9"], "the drs reference server speaks 1.2.0, 1.3.0, 1.4.0, 1.5.0, not 9.9"),
    (["passports", "--role", "nosuch"], "no passports reference server has role 'nosuch' (roles: broker, "
                                        "clearinghouse)"),
    # an option no profile entry takes and the server does not read was ignored, silently
    (["drs", "--option", "objcts=[blob-1]"], "unknown option 'objcts' for the drs reference server (did you mean "
                                             "'objects'? known: blob_provider, bundles,"),
    (["tes", "--option", "opne=true"], "unknown option 'opne' for the tes reference server (did you mean 'open'?"),
])
def test_reference_serve_names_a_wrong_port_version_or_role(argv: list[str], message: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reference", "serve", *argv]) == 4
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err


def test_list_checks_unknown_standard_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list-checks", "--standard", "nonesuch"]) == 4
    assert "unknown standard" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["list-checks", "--standard", "dsr"], "--standard dsr: unknown standard (did you mean 'drs'? known: beacon,"),
    (["reference", "faults", "htsgte"], "no reference server for htsgte (did you mean 'htsget'? reference servers:"),
    (["reference", "serve", "dsr"], "no reference server for dsr (did you mean 'drs'? reference servers:"),
    (["reference", "serve", "drs", "--role", "nosuch"], "no reference server for drs role nosuch (reference servers:"),
    (["list-checks", "--standard", "nonesuch"], "--standard nonesuch: unknown standard (known: beacon,"),
])
def test_a_misspelt_standard_is_answered_with_the_nearest_known_one(
        argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 4
    assert message in capsys.readouterr().err


def test_a_misspelt_check_id_is_answered_with_the_nearest_known_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Hint", "services": [
        {"standard": "service-info", "version": "1.0.0", "url": "http://127.0.0.1:9/"}]}))
    assert main(["run", str(profile), "--check", "drs.object.size-match-bytes", "--report-dir",
                 str(tmp_path / "r")]) == 4
    assert ("--check drs.object.size-match-bytes: no such check (did you mean 'drs.object.size-matches-bytes'? "
            "see `conformance list-checks`)") in capsys.readouterr().err



def test_checks_of_no_standard_of_the_profile_are_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As --standard naming a standard the profile lacks: the run would check nothing and say incomplete."""
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Hint", "services": [
        {"standard": "drs", "version": "1.5.0", "url": "http://127.0.0.1:9/", "objects": ["a"]}]}))
    assert main(["run", str(profile), "--check", "vrs.document.objects", "--report-dir", str(tmp_path / "r")]) == 4
    assert "--check vrs.document.objects: no service of the profile is of its standard (vrs)" \
        in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
    # the profile has one, but --standard leaves it out: that is what the message names
    assert main(["run", str(profile), "--standard", "drs", "--check", "vrs.document.objects", "--report-dir",
                 str(tmp_path / "r")]) == 4
    profile.write_text(yaml.safe_dump({"initiative": "Hint", "services": [
        {"standard": "drs", "version": "1.5.0", "url": "http://127.0.0.1:9/", "objects": ["a"]},
        {"standard": "vrs", "version": "2.0", "documents": ["a.json"]}]}))
    (tmp_path / "a.json").write_text("{}")
    capsys.readouterr()
    assert main(["run", str(profile), "--standard", "drs", "--check", "vrs.document.objects", "--report-dir",
                 str(tmp_path / "r")]) == 4
    assert ("--check vrs.document.objects: no service that --standard drs selects is of its standard (vrs)"
            in capsys.readouterr().err)

def test_run_takes_the_profile_as_an_argument_or_an_option(capsys: pytest.CaptureFixture[str]) -> None:
    # `conformance run profile.yaml` is what a new user types first; both forms name the same file
    for argv in (["run", "nothere.yaml"], ["run", "--profile", "nothere.yaml"]):
        assert main(argv) == 4
        err = capsys.readouterr().err
        assert "nothere.yaml: no such file" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["run"], ["run", "a.yaml", "--profile", "b.yaml"]])
def test_run_needs_exactly_one_profile(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 4
    assert "name one profile" in capsys.readouterr().err


# -- Ctrl-C (issue 21.2) -------------------------------------------------------------------------------------


def test_sigint_marks_the_run_interrupted_even_when_the_exception_is_swallowed() -> None:
    import signal
    from types import SimpleNamespace
    from typing import Any, cast

    from conformance import cli

    run: Any = SimpleNamespace(interrupted=False, interrupt_seen=False)
    with cli._interrupts_recorded(cast("cli.Run", run)):
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            run.interrupt_seen = True  # the session saw it
    assert run.interrupted is True


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the dropped first one
def test_sigint_inside_a_gc_callback_is_raised_again_outside_it() -> None:
    """Hypothesis keeps a gc callback; an exception raised there (or in a weakref callback during a
    collection) is printed and dropped: the main thread is interrupted again until the session sees it."""
    import gc
    import signal
    import time
    from types import SimpleNamespace
    from typing import Any, cast

    from conformance import cli

    fired: list[bool] = []

    def gc_callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and not fired:
            fired.append(True)
            signal.raise_signal(signal.SIGINT)

    run: Any = SimpleNamespace(interrupted=False, interrupt_seen=False)
    with pytest.raises(KeyboardInterrupt), cli._interrupts_recorded(cast("cli.Run", run)):
        gc.callbacks.append(gc_callback)
        try:
            gc.collect()
        finally:
            gc.callbacks.remove(gc_callback)
        time.sleep(2)
    assert fired and run.interrupted is True


def test_after_the_checks_a_sigint_only_marks_the_run() -> None:
    import signal
    from types import SimpleNamespace
    from typing import Any, cast

    from conformance import cli

    run: Any = SimpleNamespace(interrupted=False, interrupt_seen=False)
    with cli._interrupts_recorded(cast("cli.Run", run), raise_=False):
        signal.raise_signal(signal.SIGINT)  # no KeyboardInterrupt: the reports are being finished
    assert run.interrupted is True


def test_once_the_verdict_is_final_a_first_sigint_changes_nothing_and_a_second_one_interrupts() -> None:
    """Ctrl-C right after the verdict was printed (the process ending) left the console saying conformant
    and the exit code saying interrupted; a second Ctrl-C still stops a process stuck on its way out."""
    import signal
    from types import SimpleNamespace
    from typing import Any, cast

    from conformance import cli

    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # a test runner's worker may have its own
    run: Any = SimpleNamespace(interrupted=False, interrupt_seen=False)
    try:
        with cli._interrupts_recorded(cast("cli.Run", run), raise_=False) as held:
            held.set()
        signal.raise_signal(signal.SIGINT)  # after the block: ignored
        assert run.interrupted is False
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, before)


def test_the_harness_session_loads_no_other_installed_pytest_plugin(tmp_path: Path) -> None:
    """An installed pytest plugin (one that reorders, reruns or reseeds tests would change how checks run)
    is loaded by a plain pytest session, never by the harness's."""
    site = tmp_path / "site"
    (site / "stray_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "stray_plugin-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: stray-plugin\n"
                                                                  "Version: 1.0\n")
    (site / "stray_plugin-1.0.dist-info" / "entry_points.txt").write_text("[pytest11]\nstray = stray_plugin\n")
    marker = tmp_path / "loaded"
    (site / "stray_plugin.py").write_text(f"open({str(marker)!r}, 'a').write('loaded')\n")
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Stray", "services": [
        {"standard": "service-info", "version": "1.0.0", "reference": True}]}))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(site)],
                   env=env, cwd=tmp_path, capture_output=True, check=False)
    assert marker.read_text() == "loaded"  # the plugin is installed: a plain pytest session loads it
    marker.unlink()
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", str(profile), "--quiet", "--no-fetch-specs",
                           "--report-dir", str(tmp_path / "r")], env=env, capture_output=True, text=True, timeout=120)
    # 0, or 2 where the official schemas are not at hand (the schema checks could not run)
    assert done.returncode in (0, 2) and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert not marker.exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_harness_session_ignores_pytest_settings_of_the_environment(
        jobs: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CI job's PYTEST_ADDOPTS (an option of a plugin the session does not load, --collect-only) and
    PYTEST_PLUGINS never reach the harness's session, in-process or in its workers; they are there again
    after the run."""
    from conformance.testing import run_profile

    addopts, plugins = "--timeout=60 --collect-only -x", "conformance_no_such_plugin_module"
    monkeypatch.setenv("PYTEST_ADDOPTS", addopts)
    monkeypatch.setenv("PYTEST_PLUGINS", plugins)
    services = [{"standard": "service-info", "version": "1.0.0", "reference": True, "name": f"info-{n}"}
                for n in range(2)]
    result = run_profile({"initiative": "Environ", "services": services}, tmp_path, jobs=jobs,
                         specs_dir=os.environ.get("CONFORMANCE_SPECS_DIR"))
    assert result.exit_code == 0, result.output
    assert all(service.checks for service in result.scorecard.services)
    assert (os.environ["PYTEST_ADDOPTS"], os.environ["PYTEST_PLUGINS"]) == (addopts, plugins)


def test_the_pytest_environment_is_as_it_was_after_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.cli import _own_pytest_environ

    monkeypatch.setenv("PYTEST_ADDOPTS", "-x")
    monkeypatch.delenv("PYTEST_PLUGINS", raising=False)
    with _own_pytest_environ():
        assert "PYTEST_ADDOPTS" not in os.environ
        os.environ["PYTEST_PLUGINS"] = "set-meanwhile"
    assert os.environ["PYTEST_ADDOPTS"] == "-x" and "PYTEST_PLUGINS" not in os.environ


def test_a_warning_in_a_check_is_no_error_whatever_pythonwarnings_says(tmp_path: Path, requires_specs: str) -> None:
    """PYTHONWARNINGS=error (a CI job's setting for its own tests) leaves a conformant run conformant: the DUO
    checks that leave a note warn (pytest's record_property under junit xunit2), and became errors."""
    from conformance.testing import reference_entries

    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Warnings", "services": reference_entries("duo")}))
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", str(profile), "--quiet", "--specs-dir",
                           requires_specs, "--report-dir", str(tmp_path / "r")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_console_that_cannot_show_a_character_changes_no_verdict(tmp_path: Path, requires_specs: str) -> None:
    """PYTHONIOENCODING=ascii: the verdict lines' "×" and "✅" become "?", the run stays conformant (it ended in
    UnicodeEncodeError, exit 2, after writing its reports)."""
    profile = tmp_path / "p.yaml"
    profile.write_text(yaml.safe_dump({"initiative": "Ascii", "services": [
        {"standard": "service-info", "version": "1.0.0", "reference": True}]}))
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "run", str(profile), "--specs-dir", requires_specs,
                           "--report-dir", str(tmp_path / "r")], env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr).decode("ascii", "replace")
    assert b"Ascii: conformant" in done.stdout and b"internal error" not in done.stderr


def test_run_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "exit codes: 0 conformant; 1 non-conformant (a MUST check failed); 2 incomplete" in out
    assert "4 usage or profile error" in out


def test_reference_serve_prints_the_profile_entry_that_checks_it() -> None:
    """`conformance reference serve` names the test data a profile needs (a DRS server's object ids, a data
    standard's documents) and a variable for each credential it issued; --option values a profile entry takes
    are kept, the server's own are not."""
    from conformance import reference
    from conformance.cli import _served_entry

    server = reference.start("drs", options={"large_object_size": 10})
    try:
        entry = _served_entry(server, {"large_object_size": 10, "variants": ["x"]}, server.app.issued_secrets())
    finally:
        server.stop()
    assert list(entry)[:3] == ["standard", "version", "url"] and entry["url"] == server.url.rstrip("/")
    assert entry["objects"] == ["blob-1", "blob-2", "10.5072/FK2805660V"] and "reference" not in entry
    assert entry["auth"] == {"passport_env": "DRS_PASSPORT"}
    assert entry["large_object_size"] == 10 and "variants" not in entry
    # the test issuer it trusts without a key file is its own process's: a run elsewhere cannot sign as it
    assert "trusts_test_issuer" not in entry
    server = reference.start("vrs")
    try:
        entry = _served_entry(server, {}, {})
    finally:
        server.stop()
    assert entry["documents"] and "auth" not in entry


@pytest.mark.parametrize(("standard", "version"), [("refget", "1.0.0"), ("crypt4gh", None)])
def test_the_served_entry_names_only_what_that_server_serves(standard: str, version: str | None) -> None:
    """refget 1.0.0 gets the test data of the demo's 1.0.1 entry (its major version), not the 2.0.0 one's
    ga4gh:SQ ids, which it does not serve; crypt4gh leaves out the document that needs the demo's DRS server."""
    from conformance import reference
    from conformance.cli import _served_entry

    server = reference.start(standard, version=version)
    try:
        entry = _served_entry(server, {}, server.app.issued_secrets())
    finally:
        server.stop()
    named = [str(x) for key in ("sequences", "circular_sequences", "documents") for x in entry.get(key, [])]
    assert named and not [x for x in named if x.startswith(("ga4gh:", "drs://"))], entry


def test_an_internal_error_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A defect's message on several lines (a YAML error's) is one line: a sweep shows a run's last line."""
    from conformance import cli

    def broken(args: object) -> int:
        raise ValueError('while scanning a simple key\n  in "<unicode string>", line 605, column 100')

    monkeypatch.setattr(cli, "cmd_list_checks", broken)
    assert main(["list-checks"]) == 2
    assert capsys.readouterr().err == ("conformance: internal error (ValueError: while scanning a simple key in "
                                       '"<unicode string>", line 605, column 100); please report it\n')



# -- the verdict lines: why a build is red, in the log's last lines -------------------------------------------


def _check(check_id: str, level: str, outcome: str, message: str = "", **extra: object) -> CheckResult:
    case = CaseResult(nodeid=f"x::{check_id}", check_id=check_id, service_key="s", case=None, outcome=outcome,
                      message=message)
    check = aggregate(check_id, level, f"{check_id.split('.')[0]} 1.0 §{check_id}", "a requirement", [case])
    for name, value in extra.items():
        setattr(check, name, value)
    return check


def _card(*services: ServiceResult) -> Scorecard:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    return Scorecard(initiative="Red", harness_version="0", started=now, finished=now, services=list(services),
                     specs={"available": True})


def _service(key: str, *checks: CheckResult, unreachable: str | None = None) -> ServiceResult:
    return ServiceResult(key=key, standard=key.split("-")[0], version="1.0", url=f"http://{key}.example.org",
                         name=None, checks=list(checks), unreachable=unreachable)


@pytest.mark.parametrize("quiet", [True, False])
def test_the_verdict_lines_name_each_failure_that_makes_the_build_red(quiet: bool) -> None:
    """A failed MUST root cause with its citation and message, each erring MUST check of a reachable service
    once per message; not a consequence, a waived failure, a warning, nor the errors of an unreachable
    service (its own line says why); with --quiet too, as a CI job runs it."""
    waived = {"reason": "known", "expires": "2099-01-01", "status": "waived"}
    card = _card(
        _service("drs-0",
                 _check("drs.a", "MUST", "failed", "blob-1: checksum differs\nReproduce: curl ..."),
                 _check("drs.b", "MUST", "failed", "a consequence", caused_by="drs.a"),
                 _check("drs.c", "MUST", "failed", "waived", expected_failure=waived),
                 _check("drs.d", "SHOULD", "failed", "a warning"),
                 _check("drs.e", "MUST", "error", "x" * 400),
                 _check("drs.f", "MUST", "error", "no such file"),
                 _check("drs.g", "MUST", "error", "no such file")),
        _service("refget-1", _check("refget.a", "MUST", "error", "refused"), unreachable="connection refused"))
    lines = _verdict_lines(SimpleNamespace(run_dir=Path("r")), card, quiet=quiet)  # type: ignore[arg-type]
    assert "  failed: drs-0 drs.a (drs 1.0 §drs.a): blob-1: checksum differs" in lines
    assert "  error: drs-0 drs.f and 1 more checks: no such file" in lines
    clipped = next(line for line in lines if line.startswith("  error: drs-0 drs.e: "))
    assert clipped.endswith("x…") and len(clipped) < 300
    named = " ".join(line for line in lines if line.startswith(("  failed: ", "  error: ")))
    for absent in ("drs.b", "drs.c", "drs.d", "refget.a"):
        assert absent not in named


def test_the_verdict_lines_give_the_verdict_the_exit_code_follows_when_failures_are_waived() -> None:
    waived = {"reason": "known", "expires": "2099-01-01", "status": "waived"}
    card = _card(_service("drs-0", _check("drs.a", "MUST", "passed"),
                          _check("drs.c", "MUST", "failed", "waived", expected_failure=waived)))
    lines = _verdict_lines(SimpleNamespace(run_dir=Path("r")), card, quiet=True)  # type: ignore[arg-type]
    assert lines[0] == "\nRed: non-conformant"  # the true verdict, as the scorecard keeps it
    assert lines[1] == "  with 1 expected failure waived: conformant (exit code 0)"
    assert not any(line.startswith("  failed: ") for line in lines)
    plain = _card(_service("drs-0", _check("drs.a", "MUST", "passed")))
    assert not any("waived" in line for line in _verdict_lines(SimpleNamespace(run_dir=Path("r")), plain,
                                                              quiet=True))  # type: ignore[arg-type]


def test_the_skip_summary_never_folds_a_single_reason_and_marks_a_cut_one() -> None:
    """"1 × 1 other reasons" hid the one reason in the space it would take; a reason cut at its width ended
    mid-word ("judged o") with nothing saying it was cut."""
    long = "the service runs on plain http at a loopback address " + "and so on " * 30
    reasons = [long, *(f"reason {n}" for n in range(8))]
    card = _card(_service("drs-0", *(_check(f"drs.{n}", "MUST", "skipped", r) for n, r in enumerate(reasons))))
    lines = _verdict_lines(SimpleNamespace(run_dir=Path("r")), card, quiet=False)  # type: ignore[arg-type]
    assert not any("other reasons" in line for line in lines)
    assert "       1 × reason 7" in lines
    cut = next(line for line in lines if "plain http" in line)
    assert cut.endswith("…") and len(cut) <= len("       1 × ") + 200
    card.services[0].checks.append(_check("drs.9", "MUST", "skipped", "reason 8"))
    lines = _verdict_lines(SimpleNamespace(run_dir=Path("r")), card, quiet=False)  # type: ignore[arg-type]
    assert "       2 × 2 other reasons (see summary.md / scorecard.json)" in lines


def test_every_option_of_every_command_says_what_it_does() -> None:
    """`conformance list-checks --help` listed --standard and --format with no word on them, `diff --help` its
    --format, `sweep --help` and `verify --help` their arguments."""
    import argparse

    from conformance.cli import build_parser

    def commands(parser: argparse.ArgumentParser, path: str) -> list[tuple[str, argparse.ArgumentParser]]:
        found = [(path, parser)]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += commands(sub, f"{path} {name}")
        return found

    silent = [f"{path} {action.option_strings or action.dest}"
              for path, parser in commands(build_parser(), "conformance")
              for action in parser._actions
              if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) and not action.help]
    assert silent == []
