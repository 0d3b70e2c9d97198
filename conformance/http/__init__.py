"""The one HTTP client of the harness, in the manner of httpx: :mod:`.models` (the answer),
:mod:`.policy` (budgets, retries, the per-origin breaker), :mod:`.transport` (sockets, bounded reads),
:mod:`.redirects` (where requests may go, and credentials with them) and :mod:`.client`."""

from conformance.exchange import Exchange
from conformance.http.client import HttpClient, ServiceClient, unused_proxy
from conformance.http.models import Response
from conformance.http.policy import RunLimits, retry_after
from conformance.http.redirects import Credentials, credentials_for, origin_of

__all__ = ["Credentials", "Exchange", "HttpClient", "Response", "RunLimits", "ServiceClient", "credentials_for",
           "origin_of", "retry_after", "unused_proxy"]
