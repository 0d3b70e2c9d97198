"""The check model (conformance/checks.py): catalogues as data, the one way to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.checks import CatalogueError, Level, fail, json_type, load_catalogue
from conformance.errors import CheckFailure
from conformance.exchange import Exchange

GOOD = """requirements:
- id: x.one
  level: MUST
  text: |
    The server   answers.
  citation: X 1.0 §1
  versions: ">=1.1"
- id: x.two
  level: SHOULD
  text: t
  citation: c
  uncovered: no black-box client can see it
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requirements.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_catalogue_reads_levels_versions_and_uncovered(tmp_path: Path) -> None:
    catalogue = load_catalogue(_write(tmp_path, GOOD))
    one, two = catalogue["x.one"], catalogue["x.two"]
    assert one.level is Level.MUST and one.text == "The server answers." and one.versions == ">=1.1"
    assert one.applies_to("1.1.0") and not one.applies_to("1.0.0")
    assert two.uncovered == "no black-box client can see it" and two.applies_to("0.1")


@pytest.mark.parametrize(("text", "problem"), [
    ("requirements: {}\n", "'requirements' list"),
    ("requirements: [x]\n", r"requirements\[0\]: expected a mapping"),
    ("requirements:\n- {id: a, level: MUST, text: t}\n", "missing citation"),
    ("requirements:\n- {id: a, level: MUSTN'T, text: t, citation: c}\n", "not MUST, SHOULD or MAY"),
    ("requirements:\n- {id: a, level: MUST, text: t, citation: c, note: x}\n", "unknown key"),
    ("requirements:\n- {id: a, level: MUST, text: t, citation: c, versions: about one}\n", "not a version specifier"),
    ("requirements:\n- {id: a, level: MUST, text: t, citation: c}\n- {id: a, level: MAY, text: t, citation: c}\n",
     "listed twice"),
])
def test_malformed_catalogue_names_the_entry(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(CatalogueError, match=problem):
        load_catalogue(_write(tmp_path, text))


def test_fail_carries_the_exchange_it_is_about() -> None:
    exchange = Exchange(method="GET", url="http://127.0.0.1/x", status=500)
    failure = fail("the server broke", exchange)
    assert isinstance(failure, CheckFailure) and failure.exchange is exchange and failure.message == "the server broke"


def test_json_type_names_json_types() -> None:
    assert [json_type(v) for v in ({}, [], "", True, None, 1, 1.5)] == [
        "object", "array", "string", "boolean", "null", "integer", "number"]
