"""Requests per second on one reused keep-alive connection to a Python ``http.server`` server, with
and without TCP_NODELAY on the server's sockets, through the harness's own client (issue 20).

A ``BaseHTTPRequestHandler`` writes the headers and the body of an answer in separate ``send`` calls.
With Nagle's algorithm on (the server default), the body waits for the ACK of the headers, and a
client whose kernel delays that ACK (Linux: up to 40 ms) stalls on every request after the first of a
connection. The client's fix (``conformance.http.transport``) asks the kernel to acknowledge at once.

Runs alternate between the two servers (interleaved) so that the load of a shared machine weighs on
both alike; the ratio is what to read, not the absolute numbers.

    python benchmarks/keepalive.py [--rounds 5] [--requests 200] [--no-quickack]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conformance.http import transport
from conformance.http.client import HttpClient
from conformance.http.policy import RunLimits
from conformance.limits import Budget
from conformance.redact import Redactor

BODY = b'{"id": "x", "status": "ok"}'


class PlainHandler(BaseHTTPRequestHandler):
    """An ``http.server`` handler as small deployments write it: Nagle on, headers then body."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        pass


class NoDelayHandler(PlainHandler):
    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rate(server: ThreadingHTTPServer, count: int) -> float:
    """Requests per second over one client (one kept-alive connection), unthrottled."""
    client = HttpClient(RunLimits(Budget(requests_per_second=1e9, max_requests=10**9)), Redactor())
    url = f"http://127.0.0.1:{server.server_address[1]}/x"
    try:
        client.request("GET", url)  # the connection is opened outside the clock
        started = time.perf_counter()
        for _ in range(count):
            client.request("GET", url)
        return count / (time.perf_counter() - started)
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-quickack", action="store_true", help="measure the client without its fix")
    args = parser.parse_args()
    if args.no_quickack:
        transport.QUICKACK = False
    plain, nodelay = serve(PlainHandler), serve(NoDelayHandler)
    ratios: list[float] = []
    try:
        for round_ in range(args.rounds):
            a = rate(plain, args.requests)
            b = rate(nodelay, args.requests)
            ratios.append(b / a)
            print(f"round {round_ + 1}: http.server {a:8.1f} req/s   TCP_NODELAY server {b:8.1f} req/s   "
                  f"ratio {b / a:.2f}")
    finally:
        plain.shutdown()
        nodelay.shutdown()
    print(f"median ratio (TCP_NODELAY server / plain http.server): {statistics.median(ratios):.2f} "
          f"(1.0 = no stall; the issue's bound is 1.5)")


if __name__ == "__main__":
    main()
