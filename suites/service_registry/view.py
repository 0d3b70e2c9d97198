"""What the service-registry checks share: one cached view of a registry per run (its /services,
/services/types, each listed service by id, and each listed service's own /service-info)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from conformance import HarnessError, Response, ServiceView, fail, json_type

UNKNOWN_ID = "org.example.no-such-service-7f3a9c2e"
#: At most this many listed services are read one by one (by id, and their own service-info).
MAX_SERVICES = 20
SPEC = "service-registry/1.0.0/service-registry.yaml"
#: The ServiceType.group of "implementations compliant with official GA4GH specifications" (service-info 1.0.0).
GA4GH_GROUP = "org.ga4gh"
SI_REMOTE = {"https://raw.githubusercontent.com/ga4gh-discovery/ga4gh-service-info/v1.0.0/": "service-info/1.0.0/"}


def answered(response: Response) -> str:
    return f"{response.status} {response.reason}".strip()


class Registry(ServiceView):
    """The run's view of one service registry."""

    def services_response(self) -> Response:
        return self.memo("services", lambda: self.client.get("/services"))

    def services(self) -> list[dict[str, Any]]:
        """The listed services that are objects (a failure of trs.services.schema's kind stops the caller)."""
        response = self.services_response()
        if response.status != 200:
            raise fail(f"GET /services answered {answered(response)}, not 200", response,
                       caused_by="service-registry.services.schema")
        body = response.json()
        if not isinstance(body, list):
            raise fail(f"GET /services answered a JSON {json_type(body)}, not an array", response,
                       caused_by="service-registry.services.schema")
        return [s for s in body if isinstance(s, dict)]

    def sampled(self) -> list[dict[str, Any]]:
        return [s for s in self.services() if isinstance(s.get("id"), str)][:MAX_SERVICES]

    def by_id(self, ident: str) -> Response:
        return self.memo(("id", ident), lambda: self.client.get(f"/services/{quote(ident, safe='')}"))

    def unknown(self) -> Response:
        """GET /services/{serviceId} of an id no registry lists."""
        return self.memo("unknown", lambda: self.client.get(f"/services/{UNKNOWN_ID}"))

    def types_response(self) -> Response:
        return self.memo("types", lambda: self.client.get("/services/types"))

    def own_service_info(self, url: str) -> Response | HarnessError:
        """GET {url}/service-info of a listed service (no credentials: the profile may not name its host),
        or the error that kept the harness from an answer (a budget spent is the harness's, not the
        service's: a check re-raises it)."""
        def make() -> Response | HarnessError:
            try:
                return self.client.without_credentials().get(url.rstrip("/") + "/service-info")
            except HarnessError as exc:
                return exc
        return self.memo(("own", url), make)
