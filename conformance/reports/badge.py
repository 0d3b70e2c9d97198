"""``badge-<standard>.svg``: a badge per standard with its declared version and verdict in words
(the colour only repeats what the words say)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from conformance.redact import Redactor
from conformance.scorecard import Scorecard
from conformance.versions import release_order

COLOURS = {"conformant": "#2e7d32", "non-conformant": "#c62828", "incomplete": "#ef6c00",
           "unreachable": "#616161"}
ORDER = ["non-conformant", "unreachable", "incomplete", "conformant"]
CHAR_WIDTH = 6.6


def render(label: str, verdict: str) -> str:
    left = int(len(label) * CHAR_WIDTH + 12)
    right = int(len(verdict) * CHAR_WIDTH + 12)
    width = left + right
    colour = COLOURS.get(verdict, "#616161")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{escape(label)}: {escape(verdict)}"><title>{escape(label)}: {escape(verdict)}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="6" y="14">{escape(label)}</text><text x="{left + 6}" y="14">{escape(verdict)}</text>'
        f"</g></svg>\n"
    )


def write(scorecard: Scorecard, directory: Path, redactor: Redactor) -> list[Path]:
    by_standard: dict[str, list[tuple[str, str]]] = {}
    for service in scorecard.services:
        by_standard.setdefault(service.standard, []).append((service.version, service.verdict()))
    paths = []
    for standard, entries in sorted(by_standard.items()):
        verdict = next(v for v in ORDER if v in {e[1] for e in entries})
        versions = ", ".join(sorted({e[0] for e in entries}, key=release_order))
        path = directory / f"badge-{standard}.svg"
        path.write_text(render(f"{standard} {versions}", verdict), encoding="utf-8")
        paths.append(path)
    return paths
