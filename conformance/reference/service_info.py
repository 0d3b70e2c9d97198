"""The service-info document every reference server answers with (GA4GH service-info 1.0.0 §Service),
for its own artifact: the one piece of a standard's server that every standard shares."""

from __future__ import annotations

from typing import Any


def service_info_document(artifact: str, version: str, *, name: str = "Reference server",
                          service_id: str | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A conformant service-info document (service-info 1.0.0 §Service)."""
    document: dict[str, Any] = {
        "id": service_id or f"org.ga4gh.conformance.reference.{artifact.replace('-', '')}",
        "name": name,
        "type": {"group": "org.ga4gh", "artifact": artifact, "version": version},
        "description": f"Embedded {artifact} reference server of the GA4GH conformance harness",
        "organization": {"name": "GA4GH conformance harness", "url": "https://example.org/ga4gh-conformance"},
        "contactUrl": "mailto:conformance@example.org",
        "documentationUrl": "https://example.org/ga4gh-conformance/docs",
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-11-01T12:30:00Z",
        "environment": "test",
        "version": "1.0.0",
    }
    document.update(extra or {})
    return document
