"""Spec versions as profiles and services write them ("1.4", "v2.0.0", "1.2") compared as releases."""

from __future__ import annotations

import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


def parse(text: str) -> Version:
    """Parse a spec version, tolerating a leading ``v`` (some standards write ``v2.0.0``); a release
    named by its date (``2021-02-23``, as ontologies name theirs) reads as ``2021.2.23``."""
    cleaned = text.strip()
    if cleaned[:1] in ("v", "V"):
        cleaned = cleaned[1:]
    if _DATED.fullmatch(cleaned):
        cleaned = cleaned.replace("-", ".")
    return Version(cleaned)


_DATED = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_version(text: str) -> bool:
    try:
        parse(text)
    except InvalidVersion:
        return False
    return True


def release_order(text: str) -> tuple[int, Version | str]:
    """A sort key: versions as releases ("1.9" before "1.10"), any text that is none after them, as text."""
    try:
        return 0, parse(text)
    except InvalidVersion:
        return 1, text


def same_release(a: str, b: str) -> bool:
    """``1.4`` and ``v1.4.0`` are the same release; pre-release and local parts must match too."""
    try:
        return parse(a) == parse(b)
    except InvalidVersion:
        return a.strip() == b.strip()


def matches(version: str, specifier: str | None) -> bool:
    """Whether ``version`` satisfies a PEP 440 specifier such as ``">=1.4.0"`` (None: every version)."""
    if not specifier:
        return True
    try:
        return SpecifierSet(specifier).contains(parse(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def valid_specifier(specifier: str) -> bool:
    try:
        SpecifierSet(specifier)
    except InvalidSpecifier:
        return False
    return True


def pick_supported(declared: str, supported: list[str]) -> str | None:
    """The supported version string equal to ``declared`` as a release, or None."""
    for candidate in supported:
        if same_release(declared, candidate):
            return candidate
    return None
