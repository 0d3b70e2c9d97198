"""SequenceLocation coordinates (VRS 2.0 docs/concepts/LocationAndReference/SequenceLocation.rst)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance import check

from .objects import of_type
from .view import Vrs


def locations(obj: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    return of_type(obj, path, "SequenceLocation")


@check("vrs.location.start-or-end")
def test_location_has_start_or_end(vrs: Vrs) -> None:
    """"At least one of the start and end properties MUST be specified in any SequenceLocation instance"
    (VRS 2.0 docs/concepts/LocationAndReference/SequenceLocation.rst, Start, End, and Ranges)."""
    if vrs.version.startswith("1."):
        pytest.skip("does not apply: VRS 1.x SequenceLocations hold an interval, not start and end")
    judged = 0
    for document, path, obj in vrs.objects():
        for where, location in locations(obj, path):
            judged += 1
            if location.get("start") is None and location.get("end") is None:
                raise vrs.failure(document, f"the SequenceLocation at {where} has neither start nor end")
    if not judged:
        pytest.skip("does not apply: no object of the documents holds a SequenceLocation (a location given by "
                    "its identifier is not one)")
