"""Conformant htsget servers that choose differently where the spec lets them get no false failure.

Each stand-in is the reference server with one choice changed, the choice a real server may make: header
names of the ticket in another case, block URLs that redirect to another origin, a Range reaching past
the end of the data, other error answers the text allows. Each test runs the checks that judged that
choice wrongly, and asserts they do not fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conformance_suites.htsget.reference.app import (
    READS_ID,
    VARIANTS_ID,
    HtsgetApp,
)

from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile


@contextmanager
def serving(app: HtsgetApp) -> Iterator[str]:
    with ReferenceServer(app) as server:
        yield server.url


def run(url: str, report_root: Path, specs_dir: str | None, version: str = "1.3.0",
        checks: list[str] | None = None, **extra: Any) -> RunResult:
    entry = {"standard": "htsget", "version": version, "url": url,
             "reads": [{"id": READS_ID, "referenceName": "chr1"}], "variants": [{"id": VARIANTS_ID}],
             "refget_url": "refget", **extra}
    return run_profile({"initiative": "htsget precision", "services": [entry]}, report_root, specs_dir=specs_dir,
                       checks=checks, standards=None if checks else ["htsget"])


def must_failures(result: RunResult) -> list[str]:
    return [f"{c.id}: {c.message}" for s in result.scorecard.services for c in s.checks
            if c.outcome == "failed" and c.level == "MUST"]


class LowerCaseHeaderNames(HtsgetApp):
    """Ticket headers named in lower case ({"range": "bytes=0-99"}): HTTP header names are case-insensitive
    (RFC 9110 §5.1), and htsget 1.3.0 §Response JSON fields names no case."""

    def _block(self, kind: str, ident: str, params: dict[str, str], body: bytes) -> dict[str, Any]:
        block = super()._block(kind, ident, params, body)
        block["headers"] = {name.lower(): value for name, value in block["headers"].items()}
        return block


def test_ticket_header_names_in_lower_case_are_headers(report_root: Path, specs_dir: str | None) -> None:
    with serving(LowerCaseHeaderNames()) as url:
        result = run(url, report_root, specs_dir)
    assert result.failed() == [], result.failed()
    assert result.errors() == [], result.errors()
    assert result.outcome("htsget.urls.accept-get") == "passed"
