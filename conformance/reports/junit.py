"""``junit.xml`` (written by pytest's junitxml plugin during the session): what the core adds to it once
the scorecard is built — a ``caused_by`` property on each test case whose failure is a consequence of
another check's (issue 19: one root cause, one failure), and an ``interrupted`` property on every test
suite of an interrupted run (issue 21.2). The file is rewritten atomically (temporary file, rename)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.reports.atomic import atomic_write
from conformance.scorecard import Scorecard


def write(tree: ET.ElementTree[ET.Element], path: Path) -> None:
    """``tree`` replaces ``path`` whole or not at all."""
    atomic_write(path, lambda temporary: tree.write(temporary, encoding="utf-8", xml_declaration=True))


def _parse(path: Path) -> ET.ElementTree[ET.Element] | None:
    if not path.is_file():
        return None
    try:
        return ET.parse(path)
    except (ET.ParseError, OSError):
        return None


def add_caused_by(path: Path, scorecard: Scorecard) -> None:
    """Mark the test cases of consequences in ``path`` (left as it is when there are none)."""
    causes = {case.nodeid.rsplit("::", 1)[-1]: (check.id, check.caused_by)
              for service in scorecard.services for check in service.checks if check.consequence
              for case in check.cases if case.outcome == "failed"}
    tree = _parse(path) if causes else None
    if tree is None:
        return
    changed = False
    for testcase in tree.iter("testcase"):
        found = causes.get(testcase.get("name", ""))
        properties = testcase.find("properties")
        if found is None or properties is None:
            continue
        check_id, cause = found
        if not any(p.get("name") == "check_id" and p.get("value") == check_id for p in properties):
            continue
        ET.SubElement(properties, "property", {"name": "caused_by", "value": str(cause)})
        changed = True
    if changed:
        write(tree, path)


def mark_interrupted(path: Path) -> bool:
    """Add ``<property name="interrupted" value="true"/>`` to every test suite of ``path`` (issue 21.2:
    every report an interrupted run leaves says so). Returns whether the file was changed."""
    tree = _parse(path)
    if tree is None:
        return False
    root = tree.getroot()
    if root is None:
        return False
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    changed = False
    for suite in suites:
        properties = suite.find("properties")
        if properties is None:
            properties = ET.Element("properties")
            suite.insert(0, properties)
        if any(p.get("name") == "interrupted" for p in properties.iter("property")):
            continue
        ET.SubElement(properties, "property", {"name": "interrupted", "value": "true"})
        changed = True
    if changed:
        write(tree, path)
    return changed
