"""Regenerate conformance/specs_pins.json from an offline specs bundle (MANIFEST.md + SHA256SUMS).

Each pin is a schema file the suites read: its path in the specs directory, the raw URL of that file
in the official repository at the pinned commit, and its sha256. `conformance specs fetch` downloads
exactly these and refuses any whose hash differs. Usage:

    python tools/make_specs_pins.py ../shared/specs > conformance/specs_pins.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

STANDARDS = ("service-info", "service-registry", "testbed-report", "drs", "htsget", "beacon-v2", "vrs",
             "passport", "aai-oidc-profile")
SCHEMA_SUFFIXES = (".json", ".yaml", ".yml")
ROW = re.compile(r"^\| (?P<standard>[\w-]+) \| (?P<version>[^|]+) \| (?P<repo>github\.com/[^ |]+) \| [^|]* \| "
                 r"`(?P<commit>[0-9a-f]{40})`[^|]* \| `(?P<source>[^`]+)` \| `(?P<local>[^`]+)` \|")


def main(root: Path) -> None:
    rows = [m.groupdict() for line in (root / "MANIFEST.md").read_text().splitlines() if (m := ROW.match(line))]
    pins = []
    for line in (root / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split(maxsplit=1)
        if not path.startswith(STANDARDS) or not (path.endswith(SCHEMA_SUFFIXES) or
                                                 ("/json/" in path and "." not in path.rsplit("/", 1)[1])):
            continue
        matches = [r for r in rows if path == r["local"] or (r["local"].endswith("/") and path.startswith(r["local"]))]
        if not matches:
            continue
        row = max(matches, key=lambda r: len(r["local"]))
        rest = path[len(row["local"]):] if row["local"].endswith("/") else ""
        repo = row["repo"].removeprefix("github.com/")
        pins.append({"path": path, "url": f"https://raw.githubusercontent.com/{repo}/{row['commit']}/{row['source']}{rest}",
                     "sha256": digest})
    json.dump({"format": "ga4gh-conformance-specs-pins/1", "files": pins}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
