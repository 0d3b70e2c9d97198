"""Issue 19.11: a failure says what is wrong in one sentence, then the falsifying request in one line and
the reproduce line for a property check; no report file holds hypothesis's repr of the falsifying call
(which copies fixtures and profile data) or a profile dump, and no failure message reaches 2 kB. Proven on
the demo with faults that make every property check fail."""

from __future__ import annotations

import json
from pathlib import Path

from conformance import reference
from conformance.demo import demo_document
from conformance.testing import run_profile

#: per standard, faults that fail its property checks (suites' faults.yaml)
PROPERTY_FAULTS = {
    "drs": ["long-id-500", "expand-on-blob-changes-it", "self-uri-wrong-id", "bulk-objects-differ"],
    "htsget": ["region-drops-first-read", "unknown-id-500", "post-first-region-only"],
    "beacon": ["count-disagrees-with-records", "skip-past-end-500", "variant-outside-range"],
    "seqcol": ["unknown-digest-500"],
}
PROPERTY_CHECKS = ["drs.object.unknown-id-is-404", "drs.bundle.expand-ignored-for-blob",
                   "drs.uri.self-uri-resolves-to-this-object", "drs.bulk.resolved-objects-equal-single-answers",
                   "htsget.property.adjacent-regions-compose", "htsget.property.bad-input-never-5xx",
                   "htsget.property.post-equals-union-of-gets", "beacon.property.granularities-agree",
                   "beacon.property.random-pagination-safe", "beacon.property.returned-variants-match-query",
                   "seqcol.collection.unknown-digest-is-404"]
FORBIDDEN = ("Failing test case", "Falsifying example", "Service(index=", "conformance_run=", "@reproduce_failure")


def _demo_with_property_faults() -> dict[str, object]:
    document = demo_document()
    services = []
    for app in reference.apps():
        for entry in app.demo_entries():
            faults = [f for f in PROPERTY_FAULTS.get(app.standard, []) if f in app.FAULTS]
            services.append({**entry, "reference": {"faults": faults}} if faults else entry)
    return {**document, "services": services}


def test_demo_failure_messages_are_short_and_carry_no_hypothesis_repr(report_root: Path,
                                                                      requires_specs: str) -> None:
    result = run_profile(_demo_with_property_faults(), report_root, specs_dir=requires_specs)
    checks = {c.id: c for s in result.scorecard.services for c in s.checks}
    for check_id in PROPERTY_CHECKS:
        check = checks[check_id]
        assert check.outcome == "failed", (check_id, check.outcome, check.message)
        failed = [c for c in check.cases if c.outcome == "failed"]
        assert all(c.message.endswith("(reproduce with --seed 0)") for c in failed), check_id
        assert all("\n" not in c.message for c in failed), check_id
        if any(c.evidence for c in failed):
            assert any(" — falsifying request: " in c.message for c in failed), (check_id, failed[0].message)
    messages = [c.message for s in result.scorecard.services for c in s.checks] + [
        case.message for s in result.scorecard.services for c in s.checks for case in c.cases]
    longest = max(messages, key=len)
    assert len(longest.encode("utf-8")) < 2048, longest
    for path in result.run_dir.iterdir():
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in FORBIDDEN:
            assert needle not in text, f"{path.name} holds {needle!r}"
    scorecard = json.loads((result.run_dir / "scorecard.json").read_text(encoding="utf-8"))
    assert "services" not in scorecard["profile"]  # a reference to the profile, never a dump of it
