"""``junit.xml`` (written by pytest's junitxml plugin during the session): what the core makes of it once
the scorecard is built, so that a CI test view (GitHub Actions, GitLab, Jenkins) shows what the other reports
show — each test case named by its check and its service (``classname`` the service's key, ``name`` the check id
with the case's parameters, ``<check id>[<service key>-<item>]``: stable across runs of a
profile, so that CI tools follow a check's history), the test suite by the initiative, a ``caused_by`` property
on each test case whose failure is a consequence of another check's (issue 19: one root cause, one failure),
failures that do not fail the run written as skipped test cases that say why, and an ``interrupted`` property
on every test suite of an interrupted run (issue 21.2). What varies from run to run though nothing in the
results did (hypothesis's timing statistics) is left out. The file is rewritten atomically (temporary file,
rename)."""

from __future__ import annotations

import re
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
    """Name each check's test case in ``path`` by its check and its service (``classname`` the service's key,
    ``name`` :func:`testcase_name`), name the test suite by the initiative, mark the test cases of consequences
    with their cause, and write each failure that does not fail the run on its own as a skipped test case whose
    message says why: a failed SHOULD or MAY check (a warning, never non-conformance: DESIGN §4 and §6), a SHOULD
    or MAY check that erred, a failure the profile's ``expected_failures`` waive (with its consequences), and a
    consequence of a failed MUST check (one root cause, one failure: the cause's test case is the failure). CI
    systems that read junit.xml (a failed test case turns a pull request's check red, a Jenkins build unstable,
    a test view counts failures) then agree with the exit code and the scorecard's counts. Each such case keeps
    its ``outcome`` property and its level."""
    #: (the name pytest gives a case, its check id) → (its service's key, its node id)
    named: dict[tuple[str, str], tuple[str, str]] = {}
    causes: dict[tuple[str, str], str | None] = {}
    soft: dict[tuple[str, str], str] = {}
    for service in scorecard.services:
        waived = {check.id: (check.expected_failure or {}).get("expires") for check in service.checks
                  if check.waived}
        # the failed MUST checks that fail the run on their own: a consequence of one is that one failure
        roots = {check.id for check in service.checks if check.level == Level.MUST.value
                 and check.outcome == "failed" and not check.consequence and check.id not in waived}
        for check in service.checks:
            named.update({(_pytest_name(case.nodeid), check.id): (service.key, case.nodeid) for case in check.cases})
            failed = [(_pytest_name(case.nodeid), check.id) for case in check.cases if case.outcome == "failed"]
            if check.consequence:
                causes.update(dict.fromkeys(failed, check.caused_by))
            if check.consequence and check.caused_by in roots:
                why = f"a consequence of {check.caused_by}, the one failure of this root cause"
            elif check.level != Level.MUST.value:
                why = f"warning: a {check.level} requirement not met (never non-conformance)"
                erred = f"a {check.level} check the harness could not decide (never non-conformance)"
                soft.update({(_pytest_name(case.nodeid), check.id): erred for case in check.cases
                             if case.outcome == "error"})
            elif check.id in waived or check.caused_by in waived:
                expires = waived.get(check.id) or waived.get(str(check.caused_by))
                why = f"an expected failure, waived until {expires} by the profile's expected_failures"
            else:
                continue
            soft.update(dict.fromkeys(failed, why))
    tree = _parse(path)
    if tree is None:
        return
    changed = _name_suites(tree, scorecard)
    counted: dict[tuple[ET.Element, str], int] = {}
    parents = {child: parent for parent in tree.iter("testsuite") for child in parent}
    for testcase in tree.iter("testcase"):
        properties = testcase.find("properties")
        check_id = next((p.get("value") for p in properties if p.get("name") == "check_id"), None) \
            if properties is not None else None
        address = (testcase.get("name", ""), str(check_id))
        case = named.get(address)
        if properties is None or check_id is None or case is None:
            continue  # not a check's case of this run (a collection error), or named already
        service_key, nodeid = case
        testcase.set("classname", service_key)
        testcase.set("name", testcase_name(check_id, nodeid))
        changed = True
        if address in causes:
            ET.SubElement(properties, "property", {"name": "caused_by", "value": str(causes[address])})
        skip = testcase.find("skipped")
        reason = skip.get("message", "") if skip is not None else ""
        if skip is not None and skip.get("type") == "pytest.skip" and reason and (skip.text or "").endswith(
                f": {reason}"):
            skip.text = reason  # the reason, not the file and line of the suite's source it came from
        softened = soft.get(address)
        failure = next((child for child in testcase if child.tag in ("failure", "error")), None)
        if softened is None or failure is None:
            continue
        skipped = ET.Element("skipped", {"type": "conformance.not-failing",
                                         "message": f"{softened}: {failure.get('message', '')}"})
        skipped.text = failure.text
        testcase.insert(list(testcase).index(failure), skipped)
        testcase.remove(failure)
        suite = parents.get(testcase)
        if suite is not None:
            key = (suite, "failures" if failure.tag == "failure" else "errors")
            counted[key] = counted.get(key, 0) + 1
    for (suite, attribute), moved in counted.items():
        for name, step in ((attribute, -moved), ("skipped", moved)):
            value = suite.get(name)
            if value is not None and value.isdigit():
                suite.set(name, str(max(0, int(value) + step)))
    if changed:
        write(tree, path)


#: Test suite properties that differ between two runs of one profile whose results agree: hypothesis's
#: statistics, the time each property took, under a pytest node id.
_VARYING_PROPERTIES = "hypothesis-statistics-"
#: What XML 1.0 cannot hold, written as pytest's junitxml writes it (``#x01``).
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\x80-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _name_suites(tree: ET.ElementTree[ET.Element], scorecard: Scorecard) -> bool:
    """Each test suite named by the run's initiative (pytest names it "pytest"), without the properties that
    vary from run to run. Returns whether anything changed."""
    root = tree.getroot()
    if root is None:
        return False
    changed = False
    name = _NOT_XML.sub(lambda m: f"#x{ord(m.group()):02X}", f"{scorecard.initiative}: GA4GH conformance")
    for suite in [root] if root.tag == "testsuite" else list(root.iter("testsuite")):
        if suite.get("name") != name:
            suite.set("name", name)
            changed = True
        properties = suite.find("properties")
        if properties is None:
            continue
        for varying in [p for p in properties if p.get("name", "").startswith(_VARYING_PROPERTIES)]:
            properties.remove(varying)
            changed = True
        if not len(properties):
            suite.remove(properties)
    return changed


def testcase_name(check_id: str, nodeid: str) -> str:
    """A case's name in junit.xml and in the testbed report: its check id with the parameters of its node id, the
    service's key and, for a check run per item, the item (``<check id>[<service key>-<item>]``).
    It stays the same from run to run of a profile, so that CI tools follow each check's history."""
    _, bracket, params = nodeid.partition("[")
    return check_id + bracket + params


def _pytest_name(nodeid: str) -> str:
    """The name pytest's junitxml gives the test case of a node id: its last part, its parameters whole (a case
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
