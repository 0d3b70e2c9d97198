"""The checks' hypothesis strategies are cheap to build on a fresh machine (issue 20): none asks hypothesis
for the characters a codec encodes (``st.text()``'s default alphabet, ``st.characters(codec=...)``), which
hypothesis works out by encoding every code point, about 1.3 s of CPU, once per machine and so in every
fresh CI job. ``st.characters(exclude_categories=["Cs"])`` is the same alphabet, read from its tables."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SUITES = Path(__file__).resolve().parents[2] / "suites"

# In a process of its own: a strategy validated once (by an earlier test in this process) is not validated
# again, and hypothesis remembers what it computed.
PROBE = """
import importlib
from hypothesis.internal import charmap
from hypothesis.strategies import SearchStrategy

from conformance import suite as suites

asked = []


def refused(codec):
    asked.append(codec)
    raise RuntimeError(codec)


charmap.intervals_from_codec = refused
for standard, found in sorted(suites.discover().items()):
    for path in found.check_files():
        module = importlib.import_module(f"{found.package}.{path.stem}")
        named = {f"{module.__name__}.{name}": value for name, value in vars(module).items()}
        for name, value in list(named.items()):
            handle = getattr(value, "hypothesis", None)
            for argument, strategy in (getattr(handle, "_given_kwargs", None) or {}).items():
                named[f"{name}({argument})"] = strategy
        for name, value in named.items():
            if isinstance(value, SearchStrategy):
                before = len(asked)
                try:
                    value.validate()
                except RuntimeError:
                    pass
                if len(asked) > before:
                    print(f"{name}: the characters of {asked[-1]}")
"""


def test_no_check_strategy_asks_for_a_codecs_characters() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "", done.stdout


def codec_alphabets(tree: ast.AST) -> list[int]:
    """Lines of ``st.text(...)`` without an alphabet and of ``st.characters(codec=...)``."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"):
            continue
        keywords = {k.arg for k in node.keywords}
        if node.func.attr == "text" and not node.args and "alphabet" not in keywords:
            found.append(node.lineno)
        if node.func.attr == "characters" and "codec" in keywords:
            found.append(node.lineno)
    return found


def test_no_strategy_written_in_a_suite_asks_for_a_codecs_characters() -> None:
    """The strategies a check draws from inside its body (``st.data()``) or builds at run time, which the
    probe above cannot reach, by their source."""
    found = [f"{path.relative_to(SUITES.parent)}:{line}" for path in sorted(SUITES.rglob("*.py"))
             for line in codec_alphabets(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []


def test_the_source_scan_finds_both_forms() -> None:
    tree = ast.parse("st.text(max_size=3)\nst.characters(codec='utf-8')\nst.text('ab')\nst.text(alphabet=x)\n")
    assert codec_alphabets(tree) == [1, 2]
