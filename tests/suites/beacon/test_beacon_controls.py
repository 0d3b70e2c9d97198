"""Beacon's "invalid parameter is rejected" needs a granted positive control (issue 21 item 1): a beacon
whose query endpoint refuses every request (authentication required) rejects start=abc too, which proves
nothing about the parameter."""

from __future__ import annotations

from pathlib import Path

import pytest
from conformance_suites.beacon.reference import BeaconApp

from conformance import ReferenceServer, Reply, Request, json_reply
from conformance.testing import run_profile

CHECK = "beacon.errors.invalid-parameter-rejected"


class _QueriesNeedLogin(BeaconApp):
    def handle(self, request: Request) -> Reply:
        if request.path.rstrip("/").endswith(("/g_variants", "/individuals")):
            return json_reply({"meta": {}, "error": {"errorCode": 401, "errorMessage": "login required"}}, 401)
        return super().handle(request)


@pytest.mark.parametrize(("app", "outcome"), [(_QueriesNeedLogin, "skipped"), (BeaconApp, "passed")])
def test_the_rejection_is_judged_only_when_the_valid_request_is_answered(app: type[BeaconApp], outcome: str,
                                                                          report_root: Path) -> None:
    with ReferenceServer(app()).start() as server:
        entry = {"standard": "beacon", "version": "2.1.1", "url": server.url.rstrip("/")}
        result = run_profile({"initiative": "beacon controls", "services": [entry]}, report_root, checks=[CHECK])
    finding = result.check(CHECK)
    assert finding.outcome == outcome, result.output
    if outcome == "skipped":
        assert finding.message.startswith("cannot decide"), finding.message
