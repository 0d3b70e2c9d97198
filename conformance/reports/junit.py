"""``junit.xml`` (written by pytest's junitxml plugin during the session): what the core adds to it."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path


def mark_interrupted(path: Path) -> bool:
    """Add ``<property name="interrupted" value="true"/>`` to every test suite of ``path`` (issue 21.2:
    every report an interrupted run leaves says so). Returns whether the file was changed."""
    if not path.is_file():
        return False
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError):
        return False
    root = tree.getroot()
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
        temporary = path.with_name(f".{path.name}.tmp")
        tree.write(temporary, encoding="utf-8", xml_declaration=True)
        os.replace(temporary, path)
    return changed
