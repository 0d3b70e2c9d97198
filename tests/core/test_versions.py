"""Spec versions compared as releases (conformance/versions.py)."""

from __future__ import annotations

import pytest

from conformance import versions


@pytest.mark.parametrize(("a", "b", "same"), [("1.4", "1.4.0", True), ("v2.0.0", "2.0", True),
                                               ("1.2", "1.2.1", False), ("x", "x", True), ("x", "y", False)])
def test_same_release(a: str, b: str, same: bool) -> None:
    assert versions.same_release(a, b) is same


def test_matches_a_specifier_and_none_matches_all() -> None:
    assert versions.matches("1.3.0", ">=1.3.0")
    assert not versions.matches("1.2.0", ">=1.3.0")
    assert versions.matches("v2.1.1", ">=2.1,<3")
    assert versions.matches("anything", None)
    assert not versions.matches("not a version", ">=1")


def test_pick_supported_gives_the_suite_spelling() -> None:
    assert versions.pick_supported("1.4", ["1.3.0", "1.4.0"]) == "1.4.0"
    assert versions.pick_supported("1.6", ["1.3.0", "1.4.0"]) is None


def test_valid_specifier_and_is_version() -> None:
    assert versions.valid_specifier(">=1.0,<2")
    assert not versions.valid_specifier("about one")
    assert versions.is_version("v1.2") and not versions.is_version("one")


def test_release_order_sorts_releases_then_text() -> None:
    assert sorted(["1.10", "v1.9", "draft", "1.2.0", "2021-02-23"], key=versions.release_order) == [
        "1.2.0", "v1.9", "1.10", "2021-02-23", "draft"]
