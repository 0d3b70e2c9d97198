"""htsget's refusal check needs a granted positive control (issue 21 item 1): a protected id the profile's
token does not get either tells nothing by being refused without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import reference
from conformance.testing import run_profile

CHECK = "htsget.error.invalid-authentication-401"


@pytest.mark.parametrize(("token", "outcome"), [("wrong-token", "skipped"), (None, "passed")])
def test_the_refusal_is_judged_only_when_the_token_is_granted(token: str | None, outcome: str,
                                                              report_root: Path) -> None:
    with reference.start("htsget") as server:
        issued = server.app.issued_secrets()["bearer_token_env"]
        entry = {"standard": "htsget", "version": "1.3.0", "url": server.url.rstrip("/"),
                 "reads": [{"id": "NA12878-synthetic", "referenceName": "chr1"}],
                 "protected": ["NA12878-protected"], "auth": {"bearer_token_env": "HTSGET_TOKEN"}}
        result = run_profile({"initiative": "htsget controls", "services": [entry]}, report_root, checks=[CHECK],
                             environ={"HTSGET_TOKEN": token or issued})
    finding = result.check(CHECK)
    assert finding.outcome == outcome, result.output
    if outcome == "skipped":
        assert finding.message.startswith("cannot decide"), finding.message
