"""Report writers: each takes the finished scorecard and writes one format into the run directory.

``junit.xml`` comes from pytest's junitxml during the session; ``report.html`` is the harness's own page
(:mod:`conformance.reports.html`). pytest-html writes a page only where a user asks pytest for one
(``--html``), with the scorecard block of :mod:`conformance.reports.html` on top.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from conformance.redact import Redactor
from conformance.reports import badge, html, scorecard_json, summary, testbed

if TYPE_CHECKING:
    from conformance.run import Run
    from conformance.scorecard import Scorecard

WRITERS = (scorecard_json.write, testbed.write, summary.write, badge.write, html.write)
TEXT_SUFFIXES = {".json", ".md", ".html", ".xml", ".svg", ".txt", ".yaml", ".log"}


def write_reports(scorecard: Scorecard, run: Run) -> None:
    for writer in WRITERS:
        writer(scorecard, run.run_dir, run.redactor)


def redact_tree(directory: Path, redactor: Redactor) -> None:
    """The last line of defence: no registered secret or credential-shaped text stays in any file."""
    if not directory.is_dir():
        return
    for path in directory.rglob("*"):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".json":
            try:
                document = json.loads(text)
            except ValueError:
                pass
            else:
                # Value by value, so that a registered secret is found whatever escaping JSON gave it and
                # the file stays valid; then the serialised document through the patterns, as the rules
                # for a member's value (access_token, private JWK members, token arrays) need its name.
                cleaned = redactor.patterns(json.dumps(redactor.structure(document), indent=2, ensure_ascii=False))
                if cleaned != json.dumps(document, indent=2, ensure_ascii=False):
                    path.write_text(cleaned + "\n", encoding="utf-8")
                continue
        cleaned = redactor.text(text)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")
