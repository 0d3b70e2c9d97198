"""The harness as a package: what `pip install .` (a wheel built from the tree) and a source distribution give
a user outside the checkout.

The harness reads files beside its modules at run time (each suite's requirements.yaml, faults.yaml and
specs_pins.json, the core's pytest.ini, specs_pins.json, scorecard.schema.json and style sheets); a file the
wheel lacks works in the checkout and breaks only once installed. The wheel and the sdist are built once, with
the setuptools of this environment and no build isolation (no network), from a copy of the tree; without a
setuptools the build system accepts, the tests skip saying so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
#: Source folder → the package it installs as (pyproject.toml's package-dir).
PACKAGES = {"conformance": "conformance", "suites": "conformance_suites"}
#: What the sdist carries beside the packages: the README's examples and pages, and what the tests need.
SDIST_TREES = ("profiles", "docs", "tests", "tools", "benchmarks")
SDIST_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "CHANGELOG.md", "ARCHITECTURE.md",
               "LICENSE", "noxfile.py")
#: Files every suite folder has that the harness reads at run time (ARCHITECTURE.md, "What a suite folder holds").
SUITE_DATA = ("requirements.yaml", "faults.yaml")
#: Not sources: caches and byte code.
IGNORED = shutil.ignore_patterns("__pycache__", "*.py[cod]", ".*")

BUILD = r"""
import json, sys, warnings
from setuptools import build_meta

out, made = sys.argv[1], {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for kind in sys.argv[2:]:
        made[kind] = getattr(build_meta, "build_" + kind)(out)
made["warnings"] = [f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught
                   if "Deprecation" in w.category.__name__]
print("\n" + json.dumps(made))
"""


@dataclass
class Built:
    wheel: set[str]
    entry_points: str
    top_level: set[str]
    sdist: set[str]
    wheel_from_sdist: set[str]
    warnings: list[str]


def _files(folder: str) -> list[str]:
    """The files of a folder of the repository, relative to it (no caches, byte code or hidden files)."""
    return sorted(p.relative_to(REPO).as_posix() for p in (REPO / folder).rglob("*")
                  if p.is_file() and not p.name.endswith((".pyc", ".pyo"))
                  and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(REPO).parts))


def _sources() -> list[str]:
    """Every file of the packages' source folders."""
    return [name for folder in PACKAGES for name in _files(folder)]


def _installed_path(source: str) -> str:
    folder, rest = source.split("/", 1)
    return f"{PACKAGES[folder]}/{rest}"


def _setuptools_or_skip() -> None:
    try:
        import setuptools
    except ImportError:
        pytest.skip("no setuptools in this environment: the wheel cannot be built without downloading it")
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    requires = re.search(r"^requires\s*=\s*\[(.*?)\]", text, flags=re.M | re.S)
    assert requires, "pyproject.toml names no build-system requires"
    for spec in re.findall(r'"([^"]+)"', requires.group(1)):
        requirement = Requirement(spec)
        if requirement.name == "setuptools" and not requirement.specifier.contains(setuptools.__version__):
            pytest.skip(f"setuptools {setuptools.__version__} here, the build system requires {spec} (pip install . "
                        f"gets it in an isolated build; this test builds offline with what is installed)")


def _build(source: Path, out: Path, *kinds: str) -> tuple[dict[str, Path], list[str]]:
    """The distributions of `kinds` built from `source` into `out`, and the deprecations setuptools warned of."""
    done = subprocess.run([sys.executable, "-c", BUILD, str(out), *kinds], cwd=source, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 0, f"building {kinds} failed:\n{(done.stdout + done.stderr)[-4000:]}"
    made = json.loads(done.stdout.strip().splitlines()[-1])
    return {kind: out / made[kind] for kind in kinds}, [str(w) for w in made["warnings"]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    _setuptools_or_skip()
    root = tmp_path_factory.mktemp("packaging")
    tree, out = root / "tree", root / "dist"
    for name in (*PACKAGES, *SDIST_TREES):
        shutil.copytree(REPO / name, tree / name, ignore=IGNORED)
    for name in SDIST_FILES:
        if (REPO / name).exists():
            shutil.copy2(REPO / name, tree / name)
    made, warnings = _build(tree, out, "sdist", "wheel")  # the wheel from the tree, as `pip install .` builds it
    with zipfile.ZipFile(made["wheel"]) as wheel:
        names = set(wheel.namelist())
        info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
        top_level = set(wheel.read(f"{info}/top_level.txt").decode().split())
    safe: dict[str, str] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(made["sdist"]) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if m.isfile() and "/" in m.name}
        sdist.extractall(root / "unpacked", **safe)  # type: ignore[arg-type]
    unpacked = next((root / "unpacked").iterdir())
    from_sdist, more = _build(unpacked, root / "from-sdist", "wheel")  # as pip installs the sdist
    with zipfile.ZipFile(from_sdist["wheel"]) as wheel:
        names_from_sdist = set(wheel.namelist())
    return Built(wheel=names, entry_points=entry_points, top_level=top_level, sdist=members,
                 wheel_from_sdist=names_from_sdist, warnings=warnings + more)


def test_the_wheel_holds_every_file_of_the_packages(built: Built) -> None:
    """Every module and every file read beside one (YAML, JSON, ini, CSS, whatever a suite adds) is installed."""
    missing = [s for s in _sources() if _installed_path(s) not in built.wheel]
    assert not missing, f"not in the wheel (works in the checkout, not once installed): {missing}"


def test_the_wheel_holds_what_the_harness_reads_at_run_time(built: Built) -> None:
    """Named, so that a file the code reads but the tree lost fails here with its name."""
    read = ["conformance/pytest.ini", "conformance/specs_pins.json", "conformance/scorecard.schema.json",
            "conformance/reports/report.css", "conformance/dashboard/dashboard.css",
            # PEP 561: kit authors' type checkers read the kit's types; `python -m conformance`
            "conformance/py.typed", "conformance_suites/py.typed", "conformance/__main__.py"]
    suites = [p.name for p in (REPO / "suites").iterdir() if (p / "__init__.py").is_file()]
    assert suites
    read += [f"conformance_suites/{s}/{name}" for s in suites for name in SUITE_DATA]
    read += [_installed_path(p.relative_to(REPO).as_posix()) for p in (REPO / "suites").glob("*/specs_pins.json")]
    assert not [name for name in read if name not in built.wheel]


def test_the_wheel_installs_the_command_the_plugin_and_two_packages(built: Built) -> None:
    assert re.search(r"^\[console_scripts\]\nconformance = conformance\.cli:main$", built.entry_points, re.M)
    assert re.search(r"^\[pytest11\]\nconformance = conformance\.plugin$", built.entry_points, re.M)
    assert built.top_level == {"conformance", "conformance_suites"}  # no tests, tools or benchmarks installed


def test_the_sdist_holds_the_readmes_examples_and_what_the_tests_need(built: Built) -> None:
    expected = _sources() + [n for n in SDIST_FILES if (REPO / n).exists()]
    expected += [name for tree in SDIST_TREES for name in _files(tree)]
    missing = [name for name in expected if name not in built.sdist]
    assert not missing, f"not in the source distribution (MANIFEST.in): {missing[:20]} ({len(missing)} files)"


def test_a_wheel_built_from_the_sdist_installs_the_same_files(built: Built) -> None:
    assert built.wheel_from_sdist == built.wheel, sorted(built.wheel ^ built.wheel_from_sdist)


def test_building_uses_no_deprecated_packaging_configuration(built: Built) -> None:
    """setuptools warns before it refuses: a deprecated key in pyproject.toml breaks `pip install .` later."""
    assert not built.warnings, built.warnings
