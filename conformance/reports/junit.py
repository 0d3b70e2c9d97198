"""``junit.xml`` (written by pytest's junitxml plugin during the session): what the core adds to it once
the scorecard is built — a ``caused_by`` property on each test case whose failure is a consequence of
another check's (issue 19: one root cause, one failure), failures that do not fail the run written as
skipped test cases that say why, and an ``interrupted`` property on every test suite of an interrupted run
(issue 21.2). The file is rewritten atomically (temporary file, rename)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.checks import Level
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


def annotate(path: Path, scorecard: Scorecard) -> None:
    """Mark the test cases of consequences in ``path`` with their cause, and write each failure that does not
    fail the run on its own as a skipped test case whose message says why: a failed SHOULD or MAY check (a
    warning, never non-conformance: DESIGN §4 and §6), a SHOULD or MAY check that erred, a failure the
    profile's ``expected_failures`` waive (with its consequences), and a consequence of a failed MUST check
    (one root cause, one failure: the cause's test case is the failure). CI systems that read junit.xml (a
    failed test case turns a pull request's check red, a Jenkins build unstable, a test view counts failures)
    then agree with the exit code and the scorecard's counts. Each such case keeps its ``outcome`` property and
    its level; the file is left as it is when nothing applies."""
    causes: dict[str, tuple[str, str | None]] = {}
    soft: dict[str, tuple[str, str]] = {}
    for service in scorecard.services:
        waived = {check.id: (check.expected_failure or {}).get("expires") for check in service.checks
                  if check.waived}
        # the failed MUST checks that fail the run on their own: a consequence of one is that one failure
        roots = {check.id for check in service.checks if check.level == Level.MUST.value
                 and check.outcome == "failed" and not check.consequence and check.id not in waived}
        for check in service.checks:
            failed = [case for case in check.cases if case.outcome == "failed"]
            if check.consequence:
                causes.update({_case_name(case.nodeid): (check.id, check.caused_by) for case in failed})
            if check.consequence and check.caused_by in roots:
                why = f"a consequence of {check.caused_by}, the one failure of this root cause"
            elif check.level != Level.MUST.value:
                why = f"warning: a {check.level} requirement not met (never non-conformance)"
                erred = f"a {check.level} check the harness could not decide (never non-conformance)"
                soft.update({_case_name(case.nodeid): (check.id, erred) for case in check.cases
                             if case.outcome == "error"})
            elif check.id in waived or check.caused_by in waived:
                expires = waived.get(check.id) or waived.get(str(check.caused_by))
                why = f"an expected failure, waived until {expires} by the profile's expected_failures"
            else:
                continue
            soft.update({_case_name(case.nodeid): (check.id, why) for case in failed})
    tree = _parse(path) if causes or soft else None
    if tree is None:
        return
    changed = False
    counted: dict[tuple[ET.Element, str], int] = {}
    parents = {child: parent for parent in tree.iter("testsuite") for child in parent}
    for testcase in tree.iter("testcase"):
        name = testcase.get("name", "")
        properties = testcase.find("properties")
        if properties is None:
            continue
        ids = {p.get("value") for p in properties if p.get("name") == "check_id"}
        found = causes.get(name)
        if found is not None and found[0] in ids:
            ET.SubElement(properties, "property", {"name": "caused_by", "value": str(found[1])})
            changed = True
        softened = soft.get(name)
        failure = next((child for child in testcase if child.tag in ("failure", "error")), None)
        if softened is None or softened[0] not in ids or failure is None:
            continue
        skipped = ET.Element("skipped", {"type": "conformance.not-failing",
                                         "message": f"{softened[1]}: {failure.get('message', '')}"})
        skipped.text = failure.text
        testcase.insert(list(testcase).index(failure), skipped)
        testcase.remove(failure)
        suite = parents.get(testcase)
        if suite is not None:
            key = (suite, "failures" if failure.tag == "failure" else "errors")
            counted[key] = counted.get(key, 0) + 1
        changed = True
    for (suite, attribute), moved in counted.items():
        for name, step in ((attribute, -moved), ("skipped", moved)):
            value = suite.get(name)
            if value is not None and value.isdigit():
                suite.set(name, str(max(0, int(value) + step)))
    if changed:
        write(tree, path)


def _case_name(nodeid: str) -> str:
    """The name pytest's junitxml gives a test case: the node id's last part, its parameters whole (a case
    id may hold "::")."""
    path, bracket, params = nodeid.partition("[")
    return path.rsplit("::", 1)[-1] + bracket + params


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
