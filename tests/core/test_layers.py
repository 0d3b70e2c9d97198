"""The layers of the code: the core (``conformance/``) imports no suite, names no standard and has no
import cycle, type-only and function-local imports included; suites import the core only through the
kit API (``from conformance import ...``)."""

from __future__ import annotations

import ast
import re
import subprocess
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "conformance"
SUITES = REPO / "suites"


def module_name(path: Path, root: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def imports_of(path: Path, name: str) -> set[str]:
    """Every module ``path`` imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def core_graph(core: Path = CORE) -> dict[str, set[str]]:
    """Module → the core modules it imports (``from conformance import x`` names submodule x when one
    exists, else the package itself: the kit façade, which no core module may lean on)."""
    modules = {module_name(p, core, "conformance"): p for p in core.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for imported in imports_of(path, name):
            if imported in modules:
                edges.add(imported)
            elif imported.startswith("conformance."):
                parent = imported.rsplit(".", 1)[0]
                if parent in modules:  # `from conformance.x import Name`: a name of module x
                    edges.add(parent)
        edges.discard(name)
        if name != "conformance":
            # the package root is the kit façade: it imports everything, lazily; a core module that
            # imported a name from it would close a cycle through it
            graph[name] = edges
        else:
            graph[name] = set()
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        return list(exc.args[1])
    return None


def test_core_has_no_import_cycle() -> None:
    assert cycle_in(core_graph()) is None


def test_core_modules_never_import_from_the_kit_facade() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        if path == CORE / "__init__.py":
            continue
        name = module_name(path, CORE, "conformance")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "conformance" and node.level == 0:
                for alias in node.names:
                    if not (CORE / alias.name).is_dir() and not (CORE / f"{alias.name}.py").is_file():
                        offenders.append(f"{name}: from conformance import {alias.name}")
    assert offenders == []


def test_the_guard_sees_a_cycle(tmp_path: Path) -> None:
    """The cycle test can fail: a type-only import that closes a loop is found."""
    package = tmp_path / "conformance"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from conformance.b import B\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                  "    from conformance.a import A\n")
    (package / "c.py").write_text("from conformance import b\n")
    cycle = cycle_in(core_graph(package))
    assert cycle is not None and set(cycle) >= {"conformance.a", "conformance.b"}
    (package / "b.py").write_text("B = 1\n")
    assert cycle_in(core_graph(package)) is None


def test_core_imports_no_suite() -> None:
    offenders = [f"{module_name(p, CORE, 'conformance')}: {imported}"
                 for p in CORE.rglob("*.py")
                 for imported in imports_of(p, module_name(p, CORE, "conformance"))
                 if imported.split(".")[0] in ("suites", "conformance_suites")]
    assert offenders == []


def test_core_names_no_standard() -> None:
    """Nothing under conformance/ knows a particular standard (the words of the issue's own check)."""
    try:
        listed = subprocess.run(["git", "grep", "-il", "-E", "drs|htsget|beacon", "--",
                                 "conformance/*.py", "conformance/**/*.py"],
                                cwd=REPO, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        listed = None
    if listed is not None and listed.returncode in (0, 1):
        assert listed.stdout.strip() == ""
        return
    # not a git checkout (an sdist): read the files
    hits = [str(p) for p in CORE.rglob("*.py")
            if re.search(r"drs|htsget|beacon", p.read_text(encoding="utf-8"), re.IGNORECASE)]
    assert hits == []


def test_core_names_passports_only_as_a_credential() -> None:
    """A passport is a kind of credential a profile can hold (``auth.passport_env``) and a shape the
    redactor masks; no check, server or token rule of the standard lives in the core."""
    allowed = {"conformance/profile.py", "conformance/redact.py"}
    hits = sorted(str(p.relative_to(REPO)) for p in CORE.rglob("*.py")
                  if "passport" in p.read_text(encoding="utf-8").lower())
    assert set(hits) <= allowed, hits


@pytest.mark.parametrize("path", sorted(SUITES.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_suites_use_only_the_kit(path: Path) -> None:
    name = module_name(path, SUITES, "conformance_suites")
    outside = sorted(i for i in imports_of(path, name)
                     if i.startswith("conformance.") and i != "conformance.versions"
                     and not i.startswith("conformance_suites"))
    kit = __import__("conformance").__all__
    deep = [i for i in outside if i.rsplit(".", 1)[-1] not in kit or i.count(".") > 1]
    assert deep == [], f"{name} reaches past the kit API: {deep}"


@pytest.mark.parametrize("path", sorted(SUITES.rglob("check_*.py")) + sorted(SUITES.rglob("view.py")),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_suites_fail_one_way(path: Path) -> None:
    """A failure is ``raise fail(message, evidence)`` from the kit: never a CheckFailure made by hand
    (which could leave out the evidence) and never a local ``fail`` that shadows the kit's."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    made = [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "CheckFailure"]
    shadows = [node.lineno for node in ast.walk(tree)
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "fail"]
    assert (made, shadows) == ([], [])
