"""Where a run spent its time (``--profile-time``): per phase (start-up, requests, waits for the rate
limit, streamed bodies handed to checks (hashing), report writing) and per check, written to the report
folder as ``time-profile.json`` and summarised on the console.

The phases overlap only where the run does (checks run one after another; a streamed body's hashing is
counted apart from the rest of its request), but requests are summed: the answers a view fetches side by
side (the budget's ``concurrent_requests``) each count their own time, and may add up to more than the
checks'. Times are wall-clock seconds of this machine: compare runs side by side, not across machines."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.reports.atomic import atomic_write_text

FILE = "time-profile.json"


@dataclass
class CheckTime:
    seconds: float = 0.0
    runs: int = 0
    requests: int = 0


@dataclass
class TimeProfile:
    """The clocks of one run. ``started`` is when the command began (before the profile was read)."""

    started: float = field(default_factory=time.monotonic)
    first_check: float | None = None
    last_check: float | None = None
    request_seconds: float = 0.0
    stream_seconds: float = 0.0
    report_seconds: float = 0.0
    checks: dict[str, CheckTime] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_request(self, seconds: float, streamed: float) -> None:
        with self._lock:
            self.request_seconds += seconds - streamed
            self.stream_seconds += streamed

    def add_check(self, check_id: str, started: float, ended: float, requests: int) -> None:
        with self._lock:
            if self.first_check is None:
                self.first_check = started
            self.last_check = ended
            entry = self.checks.setdefault(check_id, CheckTime())
            entry.seconds += ended - started
            entry.runs += 1
            entry.requests += requests

    def as_dict(self, rate_wait: float, ended: float | None = None) -> dict[str, Any]:
        ended = time.monotonic() if ended is None else ended
        first = self.first_check if self.first_check is not None else ended
        total = ended - self.started
        checks = sorted(self.checks.items(), key=lambda kv: (-kv[1].seconds, kv[0]))
        return {
            "total_seconds": round(total, 3),
            "phases": {
                "start_up": round(first - self.started, 3),
                "checks": round((self.last_check or first) - first, 3),
                "requests": round(self.request_seconds, 3),
                "rate_limit_waits": round(rate_wait, 3),
                "hashing_streamed_bodies": round(self.stream_seconds, 3),
                "report_writing": round(self.report_seconds, 3),
            },
            "checks": [{"check": cid, "seconds": round(t.seconds, 4), "runs": t.runs, "requests": t.requests}
                       for cid, t in checks],
        }

    def write(self, folder: Path, rate_wait: float) -> dict[str, Any]:
        data = self.as_dict(rate_wait)
        atomic_write_text(folder / FILE, json.dumps(data, indent=2) + "\n")
        return data


#: The console's name of a phase where its key alone would mislead.
_PHASE_NAMES = {"requests": "requests (summed)"}


def summary_lines(data: dict[str, Any], top: int = 10) -> list[str]:
    """The console's summary: the phases, then the slowest checks."""
    phases = data["phases"]
    lines = [f"Time profile ({data['total_seconds']:.2f} s in all; {FILE} in the report folder):",
             "  " + ", ".join(f"{_PHASE_NAMES.get(name, name.replace('_', ' '))} {value:.2f} s"
                              for name, value in phases.items())]
    for entry in data["checks"][:top]:
        lines.append(f"  {entry['seconds']:8.3f} s  {entry['requests']:>4} requests  {entry['check']}"
                     + (f" (×{entry['runs']})" if entry["runs"] > 1 else ""))
    return lines
