"""The requirement catalogue: every requirement of every suite, and the check that covers it.

A suite's requirements live in its ``requirements.yaml``; its checks name the requirement they verify
with ``@check(id)``. A requirement no check covers carries the reason (an uncovered MUST without one
is a defect, which the harness's own tests reject).
"""

from __future__ import annotations

import importlib
from typing import Any

from conformance import suite as suites
from conformance.checks import MARKER


def checks_of(suite: suites.Suite) -> dict[str, str]:
    """Check id → the function that implements it, for one suite."""
    found: dict[str, str] = {}
    for path in suite.check_files():
        module = importlib.import_module(f"{suite.package}.{path.stem}")
        for name in dir(module):
            function = getattr(module, name)
            for mark in getattr(function, "pytestmark", []):
                if getattr(mark, "name", None) == MARKER and mark.args:
                    found[str(mark.args[0])] = f"{path.stem}.{name}"
    return found


def catalogue_rows(standards: list[str] | None = None) -> list[dict[str, Any]]:
    rows = []
    for suite in sorted(suites.discover().values(), key=lambda s: s.standard):
        if standards and suite.standard not in standards:
            continue
        implemented = checks_of(suite)
        for requirement in suite.requirements.values():
            rows.append({
                "standard": suite.standard,
                "id": requirement.id,
                "level": requirement.level.value,
                "citation": requirement.citation,
                "versions": requirement.versions or "all",
                "requirement": requirement.text,
                "check": implemented.get(requirement.id),
                "uncovered": None if requirement.id in implemented else (requirement.uncovered or "no check yet"),
            })
    return rows


def render_markdown(rows: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for standard in dict.fromkeys(r["standard"] for r in rows):
        mine = [r for r in rows if r["standard"] == standard]
        covered = [r for r in mine if r["check"]]
        lines += [f"## {standard}: {len(covered)} checks, {len(mine) - len(covered)} requirements not covered", "",
                  "| Check | Level | Citation | Versions | Requirement |", "|---|---|---|---|---|"]
        lines += [f"| `{r['id']}` | {r['level']} | {r['citation']} | {r['versions']} | {r['requirement']} |"
                  for r in covered]
        uncovered = [r for r in mine if not r["check"]]
        if uncovered:
            lines += ["", "Not covered by a check:", "", "| Requirement | Level | Citation | Why not |",
                      "|---|---|---|---|"]
            lines += [f"| `{r['id']}` | {r['level']} | {r['citation']} | {r['uncovered']} |" for r in uncovered]
        lines.append("")
    return "\n".join(lines)
