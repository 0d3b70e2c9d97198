"""Every report of a run against a stand-in server whose answers are hostile to the formats the reports are
written in: text UTF-8 cannot encode, markup, control characters, Markdown table syntax. Each file is still
written, whole and well-formed, and says what the server sent as text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from conformance.testing import RunResult, run_profile, serving

GROUP = "service-info.type.group-is-org-ga4gh"  # a SHOULD whose message quotes type.group
ARTIFACT = "service-info.type.artifact-matches-standard"  # a MUST whose message quotes type.artifact


def service_info(group: str, artifact: str = "beacon") -> bytes:
    """A service-info document naming ``group`` (written with JSON's escapes, as a server may send it)."""
    document = {"id": "org.example.hostile", "name": "hostile", "version": "1.0.0",
                "type": {"group": group, "artifact": artifact, "version": "1.0.0"},
                "organization": {"name": "o", "url": "https://example.org"}}
    return json.dumps(document, ensure_ascii=True).encode()


def run_against(body: bytes, root: Path, **extra: Any) -> RunResult:
    with serving(body, "") as url:
        return run_profile({"initiative": "Hostile", "services": [
            {"standard": "service-info", "version": "1.0.0", "url": url, "artifact": "beacon", **extra}]},
            root, checks=[GROUP, ARTIFACT, "service-info.endpoint.answers-200"])


def test_a_lone_surrogate_from_the_server_does_not_stop_the_reports(tmp_path: Path) -> None:
    """JSON may escape half a surrogate pair ("\\ud800"): Python reads it as text UTF-8 cannot encode. The
    scorecard keeps the service-info document as read, so every report stopped with a UnicodeEncodeError
    and the run left none; each is written, the code point shown as U+FFFD."""
    result = run_against(service_info("org.ex\ud800ample"), tmp_path)
    assert result.outcome(GROUP) == "failed"
    names = {p.name for p in result.run_dir.iterdir()}
    assert {"scorecard.json", "testbed-report.json", "summary.md", "report.html", "junit.xml",
            "badge-service-info.svg"} <= names
    card = json.loads((result.run_dir / "scorecard.json").read_text(encoding="utf-8"))
    assert card["services"][0]["service_info"]["type"]["group"] == "org.ex\ufffdample"
    json.loads((result.run_dir / "testbed-report.json").read_text(encoding="utf-8"))
    ET.parse(result.run_dir / "junit.xml")


HOSTILE = "org.ex|am\nple <img src=https://e.example/t.png> [l](https://e.example) **b** \x01\x1b[31m & ]]>"


def test_markup_and_control_characters_from_the_server_stay_text_in_every_report(tmp_path: Path) -> None:
    """The server's type.group, quoted by the failing checks' messages: the CI step summary renders it as text on
    one line, the page escapes it, junit.xml and the badge stay well-formed XML."""
    result = run_against(service_info(HOSTILE, artifact="beacon|<b>"), tmp_path)
    assert result.outcome(GROUP) == "failed" and result.outcome(ARTIFACT) == "failed"
    markdown = (result.run_dir / "summary.md").read_text(encoding="utf-8")
    message = next(line for line in markdown.splitlines() if line.startswith(f"- `{GROUP}`"))
    assert "\\<img" in message and "\\[l\\]" in message and "\\*\\*b\\*\\*" in message and "\\|am" in message
    assert "\x1b" not in markdown and "\x01" not in markdown
    page = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert "<img" not in page and "&lt;img src=https://e.example/t.png&gt;" in page
    for name in ("junit.xml", "badge-service-info.svg"):
        ET.parse(result.run_dir / name)
