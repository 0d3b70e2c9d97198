"""Follow-ups of the DRS precision review: conformant servers that choose differently where the text lets them
get no failed check, and a check that judged nothing skips with its reason instead of passing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance_suites.drs.reference.app import Blob, DrsApp

from conformance.reference.server import ReferenceServer
from conformance.testing import RunResult, run_profile


def _run(app: DrsApp, report_root: Path, checks: list[str], **entry_changes: Any) -> RunResult:
    with ReferenceServer(app) as server:
        entry = dict(DrsApp.demo_entries()[0])
        entry.pop("reference")
        entry.update(url=server.url, auth={"passport_env": "DRS_TEST_PASSPORT"}, **entry_changes)
        return run_profile({"initiative": "drs follow-ups", "services": [entry]}, report_root, checks=checks,
                           environ={"DRS_TEST_PASSPORT": app.passport})


class _AccessIdPerAnswer(DrsApp):
    """Each answer names its access methods' access_ids afresh (an access_id is "An arbitrary string to be
    passed to the /access method", unique within one object, DRS 1.2.0 §Models › AccessMethod.access_id;
    nothing asks it to stay the same from one answer to the next)."""

    def access_methods(self, blob: Blob) -> list[dict[str, Any]]:
        methods: list[dict[str, Any]] = super().access_methods(blob)
        self._issued = getattr(self, "_issued", 0) + 1
        return [{**m, "access_id": f"{m['access_id']}-{self._issued}"} if "access_id" in m else m for m in methods]


def test_expand_on_a_blob_is_judged_on_the_object_data_not_its_access_ids(report_root: Path) -> None:
    check = "drs.bundle.expand-ignored-for-blob"
    result = _run(_AccessIdPerAnswer(), report_root, [check])
    assert result.outcome(check) == "passed", result.output
    changed = _run(DrsApp(faults=["expand-on-blob-changes-it"]), report_root, [check])
    assert changed.outcome(check) == "failed", changed.output
