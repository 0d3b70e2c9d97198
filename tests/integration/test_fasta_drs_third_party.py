"""The DRS suite against a third-party server: the FASTA-DRS router of the PyPI package refget 0.12.0
(BSD-2-Clause, the spec authors' implementation; seqcolapi.databio.org mounts it under /fasta). It
declares DRS 1.5.0 in its service-info.

refget[seqcolapi] and sqlmodel are optional test dependencies. The package mounts the router only in its
PostgreSQL app; its ``RefgetDBAgent`` takes any SQLAlchemy engine, so the test runs the router in a
subprocess on 127.0.0.1, under /fasta as the package mounts it, over an SQLite file: the package's own
``add_from_fasta_file`` loads two small FASTA files (one DRS object each), with the access URL prefix
pointing at a static-file mount of the same process (Starlette's StaticFiles, which honours Range). The
router's ``self_uri`` names its public host (drs://seqcolapi.databio.org/<id>) whatever address it runs at,
as a service behind a proxy does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from third_party_server import serving

from conformance.reference.server import free_port
from conformance.testing import run_profile

pytestmark = pytest.mark.integration

STARTUP_SECONDS = 30.0

# Builds the database from the FASTA files, prints the objects' ids, then serves (blocking).
LAUNCHER = """
import os, sys
fasta_dir, port, database = sys.argv[1], int(sys.argv[2]), sys.argv[3]
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from refget.agents import RefgetDBAgent
from refget.router import fasta_drs_router
from sqlmodel import create_engine
import uvicorn
agent = RefgetDBAgent(engine=create_engine(f"sqlite:///{database}"),
                      fasta_drs_url_prefix=f"http://127.0.0.1:{port}/files/")
ids = [agent.seqcol.add_from_fasta_file(os.path.join(fasta_dir, name)).digest
       for name in sorted(os.listdir(fasta_dir))]
print("IDS", ",".join(ids), flush=True)
app = FastAPI()
app.state.dbagent = agent
app.include_router(fasta_drs_router, prefix="/fasta")
app.mount("/files", StaticFiles(directory=fasta_dir), name="files")
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""

# Failed checks observed against the FASTA-DRS router of refget 0.12.0, each a genuine deviation from DRS 1.5.0.
EXPECTED_FAILURES = {
    # DRS 1.5.0 §Models › Checksum.checksum: "The hex-string encoded checksum for the data". Each object
    # carries {"type": "refget.seqcol", "checksum": <base64url seqcol digest>}.
    "drs.checksum.value-is-hex": "the refget.seqcol checksum is a base64url digest, not hex",
    # DRS 1.5.0 §Models › Checksum.type: "SHOULD be listed as Hash Name String in the IANA Named Information
    # Hash Algorithm Registry" or be one of the listed non-IANA values (a SHOULD: a warning).
    "drs.checksum.type-is-known-name": "checksum type 'refget.seqcol' is neither",
    # DRS 1.5.0 §Service Info: DrsService "required: [type, maxBulkRequestLength]"; the router's service-info
    # has no maxBulkRequestLength. One root cause: the field's own check is grouped under the schema check.
    "drs.service-info.schema-valid": "maxBulkRequestLength is missing",
    "drs.service-info.max-bulk-request-length-present": "maxBulkRequestLength is missing",
    # DRS 1.5.0 servers.serverURL: "DRS server endpoints MUST be prefixed by the '/ga4gh/drs/v1' endpoint
    # path"; the package mounts the router under /fasta (as seqcolapi.databio.org does).
    "drs.http.api-prefix-is-ga4gh-drs-v1": "the API is served under /fasta, not /ga4gh/drs/v1",
    # DRS 1.5.0 §Authorization & Authentication › Discovery: "Implementers should indicate how to
    # authenticate to fetch a DrsObject by implementing the OptionsObject API" (a SHOULD: a warning).
    "drs.auth.options-object-implemented": "OPTIONS /objects/{id} answers 405",
}


def _write_fastas(directory: Path) -> None:
    directory.mkdir(parents=True)
    (directory / "a.fa").write_text(">chr1\nACGTACGTAC\nGGTTACGTAA\nCC\n>chr2\nTTTTGGGGAA\n", encoding="ascii")
    (directory / "b.fa").write_text(">x\nACGTNNNNAC\nGT\n", encoding="ascii")


@pytest.fixture
def fasta_drs(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """(base URL, object ids) of a running FASTA-DRS router; stopped by its handle."""
    for module in ("refget.router", "sqlmodel", "uvicorn", "gtars.refget"):
        pytest.importorskip(module, reason=f"{module} is not installed (optional test dependency: pip install "
                            "'refget[seqcolapi]==0.12.0' sqlmodel)", exc_type=ImportError)
    _write_fastas(tmp_path / "fasta")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", LAUNCHER, str(tmp_path / "fasta"), str(port), str(tmp_path / "drs.sqlite")]
    with serving("fasta-drs", command, f"{url}/fasta/service-info", tmp_path, startup_seconds=STARTUP_SECONDS):
        log = tmp_path / "fasta-drs.log"  # the launcher prints the DRS ids it registered
        ids = next(line.split()[1].split(",") for line in log.read_text().splitlines() if line.startswith("IDS "))
        yield url, ids


def test_fasta_drs_deviations_are_reported(fasta_drs: tuple[str, list[str]], tmp_path: Path) -> None:
    url, ids = fasta_drs
    document = {"initiative": "refget 0.12.0 FASTA-DRS", "services": [{
        "standard": "drs", "version": "1.5.0", "url": f"{url}/fasta", "objects": ids,
    }]}
    result = run_profile(document, tmp_path / "reports", standards=["drs"], seed=13)
    assert "Traceback" not in result.output, result.output
    failed = {c.id for s in result.scorecard.services for c in s.checks if c.outcome == "failed"}
    print("refget 0.12.0 FASTA-DRS failed checks:", *sorted(failed), sep="\n  ")
    print("details:", *(line[:300] for line in result.failed() + result.errors()), sep="\n  ")
    skipped = [f"{c.id}: {c.message}" for s in result.scorecard.services for c in s.checks if c.outcome == "skipped"]
    print("skipped:", *skipped, sep="\n  ")
    assert result.errors() == [], result.errors()
    # issue 19.4, 19.7, 19.9: the public host in self_uri, the 405 to POST and the blobs' bytes are no failures
    for check_id in ("drs.uri.hostname-uri-has-no-port", "drs.object.checksum-matches-bytes",
                     "drs.object.size-matches-bytes", "drs.access.range-partial-content-is-exact-slice"):
        assert result.outcome(check_id) == "passed", (check_id, result.check(check_id).message)
    assert result.outcome("drs.http.malformed-request-is-400") == "skipped"
    cause = result.check("drs.service-info.max-bulk-request-length-present").caused_by
    assert cause == "drs.service-info.schema-valid", cause
    assert failed == set(EXPECTED_FAILURES), (
        f"unexpected: {sorted(failed - set(EXPECTED_FAILURES))}; "
        f"missing: {sorted(set(EXPECTED_FAILURES) - failed)}")
    assert result.exit_code == 1, result.output
