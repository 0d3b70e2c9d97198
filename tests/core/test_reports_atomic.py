"""Report files are written whole or not at all (conformance/reports/__init__.py, issue 23): a writer
that fails half-way, or a run interrupted while it writes, leaves no half file behind."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from conformance import reports
from conformance.redact import Redactor
from conformance.reports import atomic_write_text, junit, redact_tree, write_reports
from conformance.reports.atomic import atomic_write


def half_then_fail(scorecard: Any, directory: Path, redactor: Redactor) -> Path:
    path = directory / "scorecard.json"
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"services": [')
        stream.flush()
        raise KeyboardInterrupt  # Ctrl-C in the middle of the file


def whole(scorecard: Any, directory: Path, redactor: Redactor) -> Path:
    path = directory / "summary.md"
    path.write_text("# done\n", encoding="utf-8")
    return path


def test_a_writer_stopped_half_way_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "scorecard.json").write_text('{"old": true}\n', encoding="utf-8")
    monkeypatch.setattr(reports, "WRITERS", (whole, half_then_fail))
    with pytest.raises(KeyboardInterrupt):
        write_reports(cast(Any, None), cast(Any, SimpleNamespace(run_dir=tmp_path, redactor=Redactor([]))))
    assert json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8")) == {"old": True}
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == "# done\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scorecard.json", "summary.md"]  # no staging left


def test_atomic_write_text_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("old", encoding="utf-8")
    atomic_write_text(path, '{"new": 1}')
    assert path.read_text(encoding="utf-8") == '{"new": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_redaction_rewrites_a_file_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "tok-0123456789abcdefSECRET"
    (tmp_path / "summary.md").write_text(f"token {secret}\n", encoding="utf-8")
    written: list[Path] = []
    original = reports.atomic_write_text

    def recording(path: Path, text: str) -> None:
        written.append(path)
        original(path, text)

    monkeypatch.setattr(reports, "atomic_write_text", recording)
    redact_tree(tmp_path, Redactor([secret]))
    assert written == [tmp_path / "summary.md"]
    assert secret not in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_a_write_interrupted_half_way_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text("<old/>", encoding="utf-8")

    def half_then_ctrl_c(temporary: Path) -> None:
        temporary.write_text("<testsuites><testsu", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, half_then_ctrl_c)
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]
    assert path.read_text(encoding="utf-8") == "<old/>"


def test_junit_xml_is_rewritten_through_the_atomic_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "junit.xml"
    path.write_text('<testsuites><testsuite name="t" tests="1"><testcase name="a"/></testsuite></testsuites>',
                    encoding="utf-8")

    def stopped(self: ET.ElementTree[ET.Element], target: Any, *args: Any, **kwargs: Any) -> None:
        Path(target).write_text("<testsuites", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(ET.ElementTree, "write", stopped)
    with pytest.raises(KeyboardInterrupt):
        junit.mark_interrupted(path)
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]
    assert "interrupted" not in path.read_text(encoding="utf-8")
