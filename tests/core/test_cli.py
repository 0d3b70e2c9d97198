"""The ``conformance`` command (conformance/cli.py): usage errors are one line and exit 4; the
reference commands list what the suites ship."""

from __future__ import annotations

import pytest

from conformance.cli import main


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


def test_list_checks_unknown_standard_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list-checks", "--standard", "nonesuch"]) == 4
    assert "unknown standard" in capsys.readouterr().err
