"""The bounds of one run (the profile's ``budget:``, DESIGN §3): a leaf module the client, the
profile parser and the command line all read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """Bounds of one run. The defaults suit a production endpoint."""

    max_seconds: float = 900
    request_timeout_seconds: float = 30
    max_requests: int = 2000
    requests_per_second: float = 10
    max_response_bytes: int = 100 * 1024 * 1024
    max_run_bytes: int = 2 * 1024 * 1024 * 1024
    max_examples: int = 25

    @classmethod
    def fields(cls) -> dict[str, type]:
        return {"max_seconds": float, "request_timeout_seconds": float, "max_requests": int,
                "requests_per_second": float, "max_response_bytes": int, "max_run_bytes": int,
                "max_examples": int}
