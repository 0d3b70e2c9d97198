"""Report writers: each takes the finished scorecard and writes one format into the run directory.

``junit.xml`` comes from pytest's junitxml during the session; ``report.html`` is the harness's own page
(:mod:`conformance.reports.html`). pytest-html writes a page only where a user asks pytest for one
(``--html``), with the scorecard block of :mod:`conformance.reports.html` on top.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.redact import Redactor
from conformance.reports import badge, html, scorecard_json, summary, testbed
from conformance.reports.atomic import atomic_write_text

if TYPE_CHECKING:
    from conformance.run import Run
    from conformance.scorecard import Scorecard

WRITERS = (scorecard_json.write, testbed.write, summary.write, badge.write, html.write)
#: The prefix of the staging directories a writer writes into (``.writing-XXXX`` in the run directory).
STAGING = ".writing-"
TEXT_SUFFIXES = {".json", ".md", ".html", ".xml", ".svg", ".txt", ".yaml", ".log"}
#: Files whose text is escaped markup (see :meth:`Redactor.markup`).
MARKUP_SUFFIXES = {".html", ".xml", ".svg"}


def write_reports(scorecard: Scorecard, run: Run) -> None:
    """Every format, each written whole or not at all: a writer writes into a staging directory beside
    the run's, and its files are renamed into place only once it has returned, so that a run killed,
    interrupted or failing while it writes never leaves a half report (issue 23, issue 21 item 2)."""
    run.run_dir.mkdir(parents=True, exist_ok=True)
    # A Ctrl-C can land where no clean-up runs (between the making of a staging directory and the code that
    # removes it): the writing it cut short left that directory, and the writing again that follows an
    # interrupt (plugin.finish_interrupted) removes it first.
    for stale in run.run_dir.glob(f"{STAGING}*"):
        shutil.rmtree(stale, ignore_errors=True)
    for writer in WRITERS:
        staging = Path(tempfile.mkdtemp(dir=run.run_dir, prefix=STAGING))
        try:
            writer(scorecard, staging, run.redactor)
            for path in sorted(staging.rglob("*")):
                if path.is_file():
                    target = run.run_dir / path.relative_to(staging)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def redact_tree(directory: Path, redactor: Redactor) -> None:
    """The last line of defence: no registered secret or credential-shaped text stays in any file."""
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES or path.name.startswith("."):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".json":
            try:
                # a member written twice is read once: the other's value would go unseen (the text instead)
                document = json.loads(text, object_pairs_hook=_unique_members)
            except ValueError:
                pass
            else:
                # Value by value, so that a registered secret is found whatever escaping JSON gave it and
                # the file stays valid; then the serialised document through the patterns, as the rules
                # for a member's value (access_token, private JWK members, token arrays) need its name.
                # A document its strings leave unchanged, written without \u escapes (as the writers'
                # are: a name written so would escape those rules), goes through them as it was written
                # (issue 20: serialising the demo's two large documents again took 0.2 s); any other is
                # serialised anew.
                structure = redactor.structure(document)
                if structure == document and "\\u" not in text:
                    cleaned = redactor.patterns(text)
                    if cleaned != text:
                        atomic_write_text(path, cleaned)
                    continue
                serialised = json.dumps(document, indent=2, ensure_ascii=False)
                cleaned = redactor.patterns(serialised if structure == document
                                            else json.dumps(structure, indent=2, ensure_ascii=False))
                if cleaned != serialised:
                    atomic_write_text(path, cleaned + "\n")
                continue
        cleaned = redactor.markup(text) if path.suffix in MARKUP_SUFFIXES else redactor.text(text)
        if cleaned != text:
            atomic_write_text(path, cleaned)


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member written twice")
    return members
