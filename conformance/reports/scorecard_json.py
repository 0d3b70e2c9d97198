"""``scorecard.json``: the project's own stable, versioned result format (DESIGN §5)."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.redact import Redactor
from conformance.reports.atomic import encodable
from conformance.scorecard import Scorecard


def write(scorecard: Scorecard, directory: Path, redactor: Redactor) -> Path:
    path = directory / "scorecard.json"
    text = json.dumps(redactor.structure(scorecard.to_dict()), indent=2, ensure_ascii=False)
    path.write_text(encodable(text) + "\n", encoding="utf-8")
    return path
