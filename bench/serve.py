"""Requests per second and p99 latency of the cached home and article pages, as `akhbar up --demo` serves them.

    .venv/bin/python bench/serve.py [--workers 2] [--connections 64] [--duration 10] [--client auto|wrk|python]

Starts the product (gunicorn, as `akhbar up` runs it) on a free port with a throwaway data folder, waits
until the sample publisher is crawled, warms each page, then loads it for --duration seconds. The load
generator runs on the same machine: wrk (Debian package) when installed, else a Python asyncio client,
which saturates a core by itself and so measures less than the server can do.
Ends with one line: home_rps=... home_p99_ms=... article_rps=... article_p99_ms=...
"""

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from common import DemoServer, machine_busy_ticks, tree_cpu_seconds

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Result:
    rps: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx answers, socket errors and timeouts
    server_cores: float = 0.0  # CPU used by akhbar up and its gunicorn, in cores
    machine_busy: float = 0.0  # share of the whole machine's CPU in use, by anything

    def line(self) -> str:
        per_request = 1000 * self.server_cores / self.rps if self.rps else float("nan")
        return (f"{self.rps:.0f} req/s, p99 {self.p99_ms:.1f} ms, {self.requests} requests, {self.errors} errors; "
                f"server {self.server_cores:.2f} cores = {per_request:.2f} ms CPU/request; "
                f"machine {self.machine_busy:.0%} busy")


def parse_duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS_MS[unit]


def run_wrk(url: str, *, connections: int, seconds: float, threads: int) -> Result:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "5s", url],
        check=True, capture_output=True, text=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out)[1])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx[1]) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Result(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        p99_ms=parse_duration_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]),
        requests=requests, errors=errors,
    )


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked) and return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = head.lower()
    length = re.search(rb"\r\ncontent-length: *(\d+)", headers)
    if length:
        await reader.readexactly(int(length[1]))
    elif b"transfer-encoding: chunked" in headers:
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return status


async def _python_load(url: str, connections: int, seconds: float) -> Result:
    parts = urlsplit(url)
    request = f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: akhbar-bench\r\n\r\n".encode()
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        while time.perf_counter() < end:
            started = time.perf_counter()
            try:
                writer.write(request)
                status = await asyncio.wait_for(_read_response(reader), timeout=5)
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                continue
            latencies.append(time.perf_counter() - started)
            errors += status >= 400
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else float("nan")
    return Result(rps=len(latencies) / elapsed, p99_ms=p99, requests=len(latencies), errors=errors)


def run_python(url: str, *, connections: int, seconds: float, threads: int) -> Result:
    return asyncio.run(_python_load(url, connections, seconds))


def measure(load, url: str, options: argparse.Namespace, *, server_pid: int) -> Result:
    """Warm up, then load the page; also what the server's processes and the machine spent meanwhile."""
    load(url, connections=options.connections, seconds=options.warmup, threads=options.threads)
    cpu_before, busy_before, started = tree_cpu_seconds(server_pid), machine_busy_ticks(), time.monotonic()
    result = load(url, connections=options.connections, seconds=options.duration, threads=options.threads)
    elapsed, busy_after = time.monotonic() - started, machine_busy_ticks()
    result.server_cores = (tree_cpu_seconds(server_pid) - cpu_before) / elapsed
    result.machine_busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    return result


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (akhbar up --workers)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per page")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load discarded before measuring")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--hold", action="store_true",
                        help="keep the server up after measuring (to profile it); Ctrl-C ends")
    return parser.parse_args()


def main() -> int:
    options = parse_args()
    use_wrk = options.client == "wrk" or (options.client == "auto" and shutil.which("wrk"))
    load, client = (run_wrk, "wrk") if use_wrk else (run_python, "python asyncio client")
    with DemoServer(workers=options.workers) as server:
        links = server.wait_crawled()
        version = server.content_version()
        before = machine_busy_ticks()
        time.sleep(2)
        after = machine_busy_ticks()
        idle_load = (after[0] - before[0]) / max(1, after[1] - before[1])
        print(f"akhbar up --demo --workers {options.workers} at {server.base_url}, data in {server.data_dir}")
        print(f"{len(links)} articles in the ticker; load: {client}, {options.connections} connections, "
              f"{options.warmup:g} s warm-up + {options.duration:g} s per page")
        print(f"machine {idle_load:.0%} busy before the load (anything above a few % skews the figures)")
        home = measure(load, server.base_url + "/fr/", options, server_pid=server.process.pid)
        print(f"home    /          {home.line()}")
        article = measure(load, server.base_url + links[0], options, server_pid=server.process.pid)
        print(f"article {links[0]:<10} {article.line()}")
        if server.content_version() != version:
            print("warning: new articles arrived during the run, so some requests rendered pages afresh")
        if options.hold:
            print("holding the server up; Ctrl-C ends", flush=True)
            try:
                server.process.wait()
            except KeyboardInterrupt:
                pass
    print(f"home_rps={home.rps:.0f} home_p99_ms={home.p99_ms:.1f} "
          f"article_rps={article.rps:.0f} article_p99_ms={article.p99_ms:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
