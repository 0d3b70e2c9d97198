"""CPU time of one request through the harness's client, side by side with requests' ``Session`` and bare
urllib3, each over a kept-alive connection of its own to the same loopback server (issue 20).

Against a fast server the client's own work per request bounds how many checks a second a run gets: every
check of a run goes through :class:`~conformance.http.client.HttpClient`, which records, redacts, bounds
and times each exchange. The server runs in this process too (a ``http.server`` handler with
TCP_NODELAY), so each figure is the client's and the server's CPU together; the server's part is the same
in every column, and the ratios against urllib3 are what to read. Rounds alternate between the clients
(interleaved) so that the load of a shared machine weighs on all alike.

    python benchmarks/request_cpu.py [--rounds 5] [--requests 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests
import urllib3

sys.path.insert(0, str(Path(__file__).parent))
from keepalive import NoDelayHandler, serve

from conformance.http.client import HttpClient
from conformance.http.policy import RunLimits
from conformance.limits import Budget
from conformance.redact import Redactor


def cpu_per_request(send: Callable[[], object], count: int) -> float:
    """Microseconds of this process's CPU per request (one request first, outside the clock, opens the
    connection)."""
    send()
    started = time.process_time()
    for _ in range(count):
        send()
    return 1e6 * (time.process_time() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    server = serve(NoDelayHandler)
    port = int(server.server_address[1])
    url = f"http://127.0.0.1:{port}/x"
    harness = HttpClient(RunLimits(Budget(requests_per_second=1e9, max_requests=10**9)), Redactor())
    session = requests.Session()
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1)
    clients: dict[str, Callable[[], object]] = {
        "harness client": lambda: harness.request("GET", url),
        "requests.Session": lambda: session.get(url).content,
        "urllib3": lambda: pool.request("GET", "/x").data,
    }
    figures: dict[str, list[float]] = {name: [] for name in clients}
    try:
        for round_ in range(args.rounds):
            for name, send in clients.items():
                figures[name].append(cpu_per_request(send, args.requests))
            print(f"round {round_ + 1}: " + "   ".join(f"{name} {values[-1]:5.0f} µs"
                                                      for name, values in figures.items()), flush=True)
    finally:
        harness.close()
        session.close()
        pool.close()
        server.shutdown()
        server.server_close()
    medians = {name: statistics.median(values) for name, values in figures.items()}
    bare = medians["urllib3"]
    print("median CPU per request (client and server): " + ", ".join(
        f"{name} {value:.0f} µs ({value / bare:.2f}× urllib3)" for name, value in medians.items()))


if __name__ == "__main__":
    main()
