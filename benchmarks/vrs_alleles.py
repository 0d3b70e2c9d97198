"""Checking 10,000 VRS 2.0 alleles: schema validation and recomputed identifiers, the rate of each.

Generates distinct alleles (locations on one refget sequence, literal states), states their computed
``id`` and ``digest`` (ga4gh-vrs), then runs the VRS suite's own code on them: the schema validator of
``suites/vrs/schema.py`` and the identifier comparison of ``suites/vrs/identifiers.py``.

    CONFORMANCE_SPECS_DIR=... python benchmarks/vrs_alleles.py [--count N]

Prints the time and the rate (alleles per second) of each part and of both.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from conformance_suites.vrs import identifiers, schema
from conformance_suites.vrs.reference.documents import CHR7, identify_2, location_2
from jsonschema import Draft202012Validator

from conformance import FORMAT_CHECKER
from conformance.specs import SpecStore


def alleles(count: int) -> list[dict[str, Any]]:
    bases = "ACGT"
    return [identify_2({"type": "Allele", "location": location_2(CHR7, 1000 + i, 1001 + i),
                        "state": {"type": "LiteralSequenceExpression", "sequence": bases[i % 4] * (1 + i % 3)}})
            for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    store = SpecStore(Path(os.environ["CONFORMANCE_SPECS_DIR"]))
    objects = alleles(args.count)
    validator = schema.validator(store, "2.0", "Allele")
    started = time.perf_counter()
    invalid = sum(1 for obj in objects if schema.first_error(validator, obj) is not None)
    schema_seconds = time.perf_counter() - started
    started = time.perf_counter()
    wrong = sum(len(list(identifiers.problems_2(obj, "$", field))) for obj in objects for field in ("id", "digest"))
    digest_seconds = time.perf_counter() - started
    total = schema_seconds + digest_seconds
    old = Draft202012Validator(validator.schema, registry=schema.registry_2(store), format_checker=FORMAT_CHECKER)
    started = time.perf_counter()
    old_invalid = sum(1 for obj in objects if schema.first_error(old, obj) is not None)
    old_seconds = time.perf_counter() - started
    print(f"{args.count} alleles: schema {schema_seconds:.2f} s ({args.count / schema_seconds:,.0f}/s, "
          f"{invalid} invalid), "
          f"identifiers {digest_seconds:.2f} s ({args.count / digest_seconds:,.0f}/s, {wrong} wrong), "
          f"both {total:.2f} s ({args.count / total:,.0f} alleles/s)")
    print(f"schema, plain oneOf (the old path): {old_seconds:.2f} s ({args.count / old_seconds:,.0f}/s, "
          f"{old_invalid} invalid); typed oneOf is {old_seconds / schema_seconds:.2f}x faster")


if __name__ == "__main__":
    main()
