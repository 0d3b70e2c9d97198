"""The service-info view of one service: the paths its standard serves service-info at, and the
documents found there, fetched once per run for every check that reads them."""

from __future__ import annotations

from typing import Any

import pytest

from conformance import CheckFailure, Response, ServiceView, json_type, suite_for

#: Versions of standards that define no GA4GH service-info (issue 19.6), for a ``standard: service-info`` entry
#: naming their ``artifact`` where no suite of that standard says it (``Suite.service_info_versions``, which
#: wins): WES 1.0.0's GetServiceInfo answers WES's own ServiceInfo (WES 1.0.0 swagger, definitions.ServiceInfo);
#: TRS 2.0.0 has no service-info (TRS 2.0.1 adds GET /service-info with the GA4GH Service).
PREDATE_SERVICE_INFO: dict[str, tuple[str, str, str]] = {"wes": ("WES", "1.0.0", "1.0.1"),
                                                         "trs": ("TRS", "2.0.0", "2.0.1")}


def _own_suite(artifact: str) -> Any:
    """The suite of the standard whose service-info reports ``artifact`` (named as its standard), or None."""
    try:
        suite = suite_for(artifact)
    except KeyError:
        return None
    return suite if artifact in suite.service_info_artifacts() else None


class ServiceInfo(ServiceView):
    """The service-info documents of one service (of any standard whose suite declares one)."""

    def paths(self) -> tuple[str, ...]:
        """Where the service's standard serves service-info; skips for a version that defines none."""
        suite = suite_for(self.service.standard)
        if self.service.standard == "service-info":
            # an entry of nothing but service-info, naming the artifact of a standard: judged only at a version
            # of that standard that has GA4GH service-info (WES 1.0.1's Swagger keeps 1.0.0's own ServiceInfo,
            # erratum E1 of suites/wes/requirements.yaml; refget 1.0.x has its own {"service": ...} document)
            artifact = str(self.service.options.get("artifact", "")).lower()
            own, known = _own_suite(artifact), PREDATE_SERVICE_INFO.get(artifact)
            if own is not None and not own.has_service_info(self.service.version):
                pytest.skip(f"does not apply: not in {own.standard} {self.service.version}: GA4GH service-info is "
                            f"part of {own.standard} {own.service_info_versions} only")
            if own is None and known and self.service.version == known[1]:
                pytest.skip(f"does not apply: not in {known[0]} {known[1]}: GA4GH service-info is part of "
                            f"{known[0]} >={known[2]} only")
        if self.service.standard != "service-info" and not suite.has_service_info(self.service.version):
            pytest.skip(f"does not apply: not in {self.service.standard} {self.service.version}: GA4GH "
                        f"service-info is part of {self.service.standard} {suite.service_info_versions} only")
        return suite.service_info_paths_for(self.service)

    def documents(self) -> list[tuple[str, dict[str, Any], Response]]:
        """The service-info documents to examine. Where a standard offers several (htsget 1.3.0 §Service
        info: "/reads/service-info and/or /variants/service-info"), those that answer are examined;
        checks other than the endpoint check skip without one, so that a missing endpoint is reported
        once, by the check that is about it."""
        return self.memo("documents", self._documents)

    def _documents(self) -> list[tuple[str, dict[str, Any], Response]]:
        candidates = self.paths()
        if len(candidates) == 1:
            return [(candidates[0], *self._document(candidates[0]))]
        found = []
        for path in candidates:
            response = self.client.get(path)
            body = response.json_object() if response.status == 200 else None
            if body is not None:
                found.append((path, body, response))
        if not found:
            pytest.skip(f"no service-info document at {' or '.join(candidates)} "
                        "(see service-info.endpoint.answers-200)")
        return found

    def _document(self, path: str) -> tuple[dict[str, Any], Response]:
        response = self.client.get(path)
        if response.status != 200:
            pytest.skip(f"no service-info document: GET {path} answered {response.status} "
                        "(see service-info.endpoint.answers-200)")
        try:
            body = response.json()
        except CheckFailure:
            pytest.skip(f"no service-info document: GET {path} did not answer JSON "
                        "(see service-info.endpoint.answers-200)")
        if not isinstance(body, dict):
            # service-info.endpoint.answers-200 fails a 200 whose JSON is no object: the skip names it
            pytest.skip(f"no service-info document: GET {path} answered a JSON {json_type(body)}, "
                        "not an object (see service-info.endpoint.answers-200)")
        return body, response
