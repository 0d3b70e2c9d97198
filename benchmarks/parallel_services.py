"""``conformance run --jobs 1`` against ``--jobs N`` on a profile of services a network away, interleaved rounds.

Each service is a reference server in a process of its own (as a deployment is), reached through a proxy in
this process that holds every piece of a request back ``--latency`` milliseconds (a server that far away);
each proxy listens on a port of its own, so every service is its own group (``conformance.parallel``). The
runs are ``conformance run PROFILE --quiet --jobs J``; the script prints each run's wall time, the medians
and the ratio to ``--jobs 1``, and checks that every run gave the same verdicts.

The demo (``benchmarks/demo_time.py --compare "--jobs 1"``) is bound by this machine's CPUs instead: its
reference servers share the parent's interpreter.

    python benchmarks/parallel_services.py [--rounds 3] [--latency 20] [--jobs 2 4]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from reference_process import reference_process

SERVICES = [("trs", "2.0.1", {}), ("trs", "2.0.0", {}), ("tes", "1.0.0", {}), ("tes", "1.1.0", {}),
            ("beacon", "2.1.1", {}), ("refget", "2.0.0", {})]
REFGET_SEQUENCES = ["13815fd4f20f83e528af9e2d372ef7e0", "ga4gh:SQ.OHY6W35Rt1jz0yqV5YQ0AGPmfMj9SNAb"]


def _pump(source: socket.socket, sink: socket.socket, delay: float) -> None:
    with contextlib.suppress(OSError):
        while True:
            data = source.recv(65536)
            if not data:
                break
            if delay:
                time.sleep(delay)
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def latency_proxy(target: str, delay: float) -> Iterator[str]:
    """A loopback proxy to ``target`` (http://127.0.0.1:PORT/PATH) delaying each request piece by ``delay`` s;
    yields the same URL through the proxy."""
    parts = urlsplit(target)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            server = socket.create_connection((host, port))
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=_pump, args=(client, server, delay), daemon=True).start()
            threading.Thread(target=_pump, args=(server, client, 0.0), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}{parts.path.rstrip('/')}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=20.0, help="milliseconds added to each request")
    parser.add_argument("--jobs", type=int, nargs="+", default=[2])
    args = parser.parse_args()
    script = shutil.which("conformance") or str(Path(sys.executable).with_name("conformance"))
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        services = []
        for standard, version, options in SERVICES:
            url = stack.enter_context(reference_process(standard, version, options))
            entry: dict[str, object] = {"standard": standard, "version": version,
                                        "url": stack.enter_context(latency_proxy(url, args.latency / 1000))}
            if standard == "refget":
                entry["sequences"] = REFGET_SEQUENCES
            services.append(entry)
        profile = Path(tmp) / "services.yaml"
        profile.write_text(yaml.safe_dump({"initiative": "Parallel services", "services": services}))
        times: dict[int, list[float]] = {jobs: [] for jobs in [1, *args.jobs]}
        verdicts: set[str] = set()
        for _ in range(args.rounds):
            for jobs in times:  # interleaved: the machine's load weighs on each alike
                reports = Path(tmp) / f"reports-{jobs}"
                started = time.perf_counter()
                done = subprocess.run([script, "run", str(profile), "--quiet", "--jobs", str(jobs),
                                       "--report-dir", str(reports)], capture_output=True, text=True)
                seconds = time.perf_counter() - started
                if done.returncode == 4:
                    raise SystemExit(done.stdout + done.stderr)
                found = [line.split("Reports: ", 1)[1] for line in done.stdout.splitlines() if "Reports: " in line]
                card = json.loads((Path(found[-1]) / "scorecard.json").read_text()) if found else {}
                verdicts.add(json.dumps({s["key"]: s["verdict"] for s in card.get("services", [])}, sort_keys=True))
                times[jobs].append(seconds)
                print(f"  --jobs {jobs}: {seconds:6.2f} s  (exit {done.returncode}, {card.get('verdict')})", flush=True)
    one = statistics.median(times[1])
    for jobs, values in times.items():
        median = statistics.median(values)
        print(f"--jobs {jobs:<3} median {median:6.2f} s  ratio to --jobs 1: {median / one:5.2f}")
    print("verdicts: the same in every run" if len(verdicts) == 1 else f"verdicts DIFFER: {verdicts}")


if __name__ == "__main__":
    main()
