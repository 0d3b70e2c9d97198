"""The profile's documentation (issue 21.6): an example profile for every standard, each parsed as a run
would parse it, and docs/profile.md generated from the parser and the suites (tools/make_profile_doc.py),
failing here when it is stale."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from conformance import profile as profiles
from conformance import suite as suites
from conformance.testing import run_profile

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "profiles" / "examples").glob("*.yaml"))
ENV_NAME = re.compile(r"\b\w+_env:\s*([A-Za-z_][A-Za-z0-9_]*)")
BUILT_IN = sorted(s.standard for s in suites.discover().values() if s.package.startswith("conformance_suites."))


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_profile_doc", REPO / "tools" / "make_profile_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(path: Path) -> profiles.Profile:
    """The profile as `conformance run` reads it, with every environment variable it names set."""
    environ = {name: "placeholder" for name in ENV_NAME.findall(path.read_text(encoding="utf-8"))}
    return profiles.load_profile(path, environ, standards=suites.discover())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_a_valid_documented_profile(path: Path) -> None:
    parsed = load(path)
    assert parsed.services
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Example profile:") and "docs/profile.md" in text
    assert f"conformance run --profile profiles/examples/{path.name}" in text


def test_every_standard_and_role_has_an_example() -> None:
    declared = {(s.standard, s.options.get("role")) for path in EXAMPLES for s in load(path).services}
    assert set(BUILT_IN) <= {standard for standard, _ in declared}
    assert {("passports", "broker"), ("passports", "clearinghouse")} <= declared


def test_an_example_shows_the_reference_faults_form_with_faults_that_exist() -> None:
    with_faults = [(s.standard, f) for path in EXAMPLES for s in load(path).services
                   for f in (s.reference or {}).get("faults", [])]
    assert with_faults, "no example profile uses reference: {faults: [...]}"
    known = {suite.standard: {fault.name for fault in suite.faults} for suite in suites.discover().values()}
    assert [(standard, f) for standard, f in with_faults if f not in known[standard]] == []


@pytest.mark.slow
def test_the_reference_example_catches_its_faults(tmp_path: Path, specs_dir: str | None) -> None:
    """reference.yaml says it exits 1 because its faults are caught: it does, by the checks they name."""
    document = yaml.safe_load((REPO / "profiles" / "examples" / "reference.yaml").read_text(encoding="utf-8"))
    known = suites.discover()
    caught = set()
    for entry in document["services"]:
        reference = entry.get("reference")
        injected = reference.get("faults", []) if isinstance(reference, dict) else []
        caught |= {c for fault in known[entry["standard"]].faults if fault.name in injected for c in fault.catches}
    result = run_profile(document, tmp_path, specs_dir=specs_dir, checks=sorted(caught))
    assert result.exit_code == 1
    assert {check for check in caught if result.outcome(check) == "failed"} == caught


def test_profile_doc_is_current() -> None:
    page = REPO / "docs" / "profile.md"
    assert page.read_text(encoding="utf-8") == tool().render(), \
        "docs/profile.md is stale: run `python tools/make_profile_doc.py`"


def test_profile_doc_describes_every_suite_option_and_parser_key() -> None:
    page = (REPO / "docs" / "profile.md").read_text(encoding="utf-8")
    for suite in suites.discover().values():
        if suite.standard in BUILT_IN:
            assert f"### `{suite.standard}`" in page
            for key, schema in suite.service_options.items():
                assert f"| `{key}` |" in page and str(schema.get("description", "")) in page
    for key in [*profiles._TOP_KEYS, *profiles._SERVICE_KEYS, *profiles.AUTH_ENV_KEYS]:
        assert f"| `{key}` |" in page


def test_profile_doc_check_fails_when_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    module = tool()
    stale = tmp_path / "profile.md"
    stale.write_text(module.render().replace("| `objects` |", "| `object` |"), encoding="utf-8")
    monkeypatch.setattr(module, "PAGE", stale)
    monkeypatch.setattr(module, "REPO", tmp_path)
    assert module.main(["--check"]) == 1
    assert "profile.md is stale: run `python tools/make_profile_doc.py`" in capsys.readouterr().err
    assert module.main([]) == 0 and module.main(["--check"]) == 0


def test_profile_doc_refuses_a_parser_key_it_does_not_describe(monkeypatch: pytest.MonkeyPatch) -> None:
    module = tool()
    monkeypatch.setattr(profiles, "_TOP_KEYS", {*profiles._TOP_KEYS, "new_key"})
    with pytest.raises(module.StaleError, match="new_key"):
        module.render()
