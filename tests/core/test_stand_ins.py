"""Modules whose import is slow load on first use, not at import (issue 20), and work exactly as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance import _stand_ins


def run(script: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.split("\n")


def test_the_grammars_load_on_first_use_and_check_as_before() -> None:
    pytest.importorskip("rfc3987_syntax")
    before, verdicts, after = run("""
import sys
import conformance
from jsonschema import FormatChecker
checker = FormatChecker()
print("syntax_helpers" in " ".join(sys.modules))
print(checker.conforms("http://example.org/\\u00e9", "iri"), checker.conforms("http://exa mple", "iri"),
      checker.conforms("a b", "iri-reference"), checker.conforms("#frag", "iri-reference"))
print("rfc3987_syntax.syntax_helpers" in sys.modules)
""")[:3]
    assert before == "False", "importing jsonschema no longer builds the grammars"
    assert verdicts == "True False False True"
    assert after == "True"


def test_openapi_validators_come_without_pydantic_and_the_shortcut_still_works() -> None:
    if not _stand_ins._installed("openapi_schema_validator.settings"):
        pytest.skip("this openapi-schema-validator has no settings module to stand in for")
    before, verdict, shortcut, after = run("""
import sys
import conformance
from openapi_schema_validator import OAS30Validator, validate
print("pydantic" in sys.modules)
print(OAS30Validator({"type": "string", "nullable": True}).is_valid(None))
try:
    validate("x", {"type": "integer"})
except Exception as exc:
    print(type(exc).__name__)
print("pydantic_settings" in sys.modules)
""")[:4]
    assert before == "False", "importing openapi_schema_validator imports pydantic again"
    assert verdict == "True"
    assert shortcut == "ValidationError"  # the shortcut loads the real settings and validates as before
    assert after == "True"


def test_a_module_not_installed_gets_no_stand_in() -> None:
    assert not _stand_ins._installed("no_such_module_here")
    assert not _stand_ins._installed("conformance.no_such_module")
    assert _stand_ins._installed("conformance.redact")
    assert _stand_ins.install("no_such_module_here", ("f",), importers=()) is None
    assert "no_such_module_here" not in sys.modules


def test_a_stand_in_forwards_to_the_real_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "slow_module_for_test.py").write_text("LOADED = True\ndef twice(x):\n    return 2 * x\n",
                                                      encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_module_for_test", raising=False)
    stand_in = _stand_ins.install("slow_module_for_test", ("twice",), importers=())
    assert stand_in is not None and stand_in.real is None
    from slow_module_for_test import twice  # type: ignore[import-not-found]

    assert stand_in.real is None, "taking the function is no use of the module"
    assert twice(21) == 42 and stand_in.real is not None
    assert sys.modules["slow_module_for_test"].LOADED is True
