"""``junit.xml`` comes from pytest's junitxml during the session; this adds what is known only once the
scorecard is built: a ``caused_by`` property on each test case whose failure is a consequence of
another check's (issue 19: one root cause, one failure), beside the ``check_id`` property."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.scorecard import Scorecard


def add_caused_by(path: Path, scorecard: Scorecard) -> None:
    """Mark the test cases of consequences in ``path`` (left as it is when there are none)."""
    causes = {case.nodeid.rsplit("::", 1)[-1]: (check.id, check.caused_by)
              for service in scorecard.services for check in service.checks if check.consequence
              for case in check.cases if case.outcome == "failed"}
    if not causes or not path.is_file():
        return
    try:
        tree = ET.parse(path)
    except ET.ParseError:
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
        tree.write(path, encoding="utf-8", xml_declaration=True)
