"""jsonschema's ``iri`` formats load rfc3987_syntax's grammars on first use, not at import (issue 20),
and check exactly as before."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("rfc3987_syntax")

SCRIPT = """
import sys
import conformance
from jsonschema import FormatChecker
checker = FormatChecker()
print("syntax_helpers" in " ".join(sys.modules))
print(checker.conforms("http://example.org/\\u00e9", "iri"), checker.conforms("http://exa mple", "iri"),
      checker.conforms("a b", "iri-reference"), checker.conforms("#frag", "iri-reference"))
print("rfc3987_syntax.syntax_helpers" in sys.modules)
"""


def test_the_grammars_load_on_first_use_and_check_as_before() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True)
    before, verdicts, after = out.stdout.split("\n")[:3]
    assert before == "False", "importing jsonschema no longer builds the grammars"
    assert verdicts == "True False False True"
    assert after == "True"
