"""Fetch throughput: N pages from loopback servers through the full Fetcher (guard, robots, gzip, limits).

    .venv/bin/python bench/fetch.py [--pages 3000] [--hosts 25] [--size 30000]

Each host is a ThreadingHTTPServer on its own 127.0.1.x address, run in a child process so that its
threads do not compete with the fetcher for the GIL. The per-host limit (2) and the overall limit
(64) apply as in production; the polite delay is 0, since it would only measure itself.
The last line is `fetch_per_s=...`.
"""

import argparse
import asyncio
import gzip
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from akhbar.crawl.fetch import Fetcher  # noqa: E402
from tests.crawl.conftest import LoopbackServer, Recorder  # noqa: E402


def page_route(size: int):
    body = gzip.compress((b"<p>Akhbar bench paragraph.</p>\n" * (size // 32 + 1))[:size])

    def route(req) -> None:
        req.reply(200, body, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})

    return route


async def run(pages: int, bases: list[str]) -> float:
    fetcher = Fetcher(user_agent="Akhbar/bench (+https://akhbar.example/about)", host_delay=0,
                      allow_networks=["127.0.0.0/8"])
    urls = [f"{bases[i % len(bases)]}/page?n={i}" for i in range(pages)]
    async with fetcher:
        started = time.perf_counter()
        results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
        elapsed = time.perf_counter() - started
    assert all(r.status == 200 for r in results)
    return elapsed


def serve(hosts: int, size: int, pipe) -> None:
    """Child process: start the servers, send their base URLs, report the high-water marks when told."""
    recorder = Recorder()
    route = page_route(size)
    servers = [LoopbackServer(f"127.0.1.{i + 1}", {"/page": route}, recorder).start() for i in range(hosts)]
    pipe.send([server.base_url for server in servers])
    pipe.recv()
    pipe.send((recorder.total_high_water, max(recorder.high_water.values())))
    for server in servers:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=25)
    parser.add_argument("--size", type=int, default=30_000, help="decompressed bytes per page")
    options = parser.parse_args()
    here, there = multiprocessing.Pipe()
    child = multiprocessing.Process(target=serve, args=(options.hosts, options.size, there), daemon=True)
    child.start()
    bases = here.recv()
    try:
        elapsed = asyncio.run(run(options.pages, bases))
    finally:
        here.send("stop")
    overall, per_host = here.recv()
    child.join()
    print(f"fetched {options.pages} pages of {options.size:,} bytes (gzip) from {options.hosts} loopback hosts "
          f"in {elapsed:.2f} s; server side: at most {overall} in flight, {per_host} per host")
    print(f"fetch_per_s={options.pages / elapsed:.1f}")


if __name__ == "__main__":
    main()
