"""The run's bounds (conformance/limits.py): the memory and document budgets of issue 23, from the
profile's ``budget:`` and the command line."""

from __future__ import annotations

import pytest

from conformance.cli import _overrides, build_parser
from conformance.errors import ProfileError, UsageError
from conformance.limits import Budget
from conformance.profile import parse_profile
from conformance.suite import discover

KNOWN = discover()


def profile(**budget: object) -> dict[str, object]:
    return {"initiative": "X", "budget": budget,
            "services": [{"standard": "service-info", "version": "1.0.0", "url": "https://h.example.org"}]}


def test_the_defaults_bound_memory_and_documents() -> None:
    assert Budget().max_memory_mb == 300
    assert Budget().max_document_bytes == 8 * 1024 * 1024


def test_the_profile_sets_max_memory_mb_and_max_document_bytes() -> None:
    parsed = parse_profile(profile(max_memory_mb=500, max_document_bytes=32 * 1024 * 1024), standards=KNOWN)
    assert parsed.budget.max_memory_mb == 500 and parsed.budget.max_document_bytes == 32 * 1024 * 1024


@pytest.mark.parametrize("value", [0, -1, 1.5, "300", True])
def test_a_bad_max_memory_mb_is_a_one_line_profile_error(value: object) -> None:
    with pytest.raises(ProfileError, match=r"budget\.max_memory_mb: expected a (positive|whole) number") as caught:
        parse_profile(profile(max_memory_mb=value), standards=KNOWN)
    assert "\n" not in str(caught.value)


def test_the_command_line_overrides_them() -> None:
    args = build_parser().parse_args(["run", "--profile", "p.yaml", "--max-memory-mb", "200",
                                      "--max-document-bytes", "1024"])
    assert _overrides(args) == {"max_memory_mb": 200, "max_document_bytes": 1024}
    with pytest.raises(UsageError, match="--max-memory-mb: expected a positive number"):
        _overrides(build_parser().parse_args(["run", "--profile", "p.yaml", "--max-memory-mb", "0"]))
