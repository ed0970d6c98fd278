"""Shared by the bench scripts: `akhbar up --demo` on a free port with a throwaway data folder, ready to measure."""

import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

AKHBAR = Path(sys.executable).with_name("akhbar")  # the venv that runs the bench
TICKER_LINK = re.compile(r'<li><a href="(?P<href>/[^"]+)"[^>]*>(?P<title>[^<]*)</a>\s*<span class="ticker-outlet">')


class BenchError(Exception):
    """bench: the product did not start, crawl or stop as expected."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ticker_links(page_html: str) -> list[str]:
    return [html.unescape(m["href"]) for m in TICKER_LINK.finditer(page_html)]


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by a process and all its descendants (Linux /proc)."""
    stats: dict[int, list[str]] = {}
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone since the listing
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    ticks, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            ticks += int(stats[pid][11]) + int(stats[pid][12])  # utime + stime
        todo += children.get(pid, [])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class DemoServer:
    """`akhbar up --demo --port P --workers N` as a user runs it (gunicorn), with its own data folder."""

    workers: int = 2
    port: int = field(default_factory=free_port)
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="akhbar-bench-")))
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "akhbar-up.log"

    def content_version(self) -> int:
        """The page cache's content version (akhbar.news.freshness): it changes when new articles arrive."""
        try:
            return (self.data_dir / "content.stamp").stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def start(self) -> "DemoServer":
        env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_") and k != "DJANGO_SETTINGS_MODULE"}
        env["AKHBAR_DATA_DIR"] = str(self.data_dir)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(AKHBAR), "up", "--demo", "--port", str(self.port), "--workers", str(self.workers)],
                cwd=self.data_dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    def get(self, path: str = "/") -> str | None:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=5) as response:
                return response.read().decode() if response.status == 200 else None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def wait_crawled(self, *, timeout: float = 180.0, settle: float = 5.0, every: float = 0.5) -> list[str]:
        """Poll the home page until its ticker holds links and has not changed for `settle` seconds."""
        deadline = time.monotonic() + timeout
        links: list[str] = []
        stable_since = time.monotonic()
        for _ in range(int(timeout / every) + 1):
            if self.process.poll() is not None:
                raise BenchError(f"bench: akhbar up exited with {self.process.returncode}:\n{self.log_tail()}")
            current = ticker_links(self.get("/fr/") or "")
            if current != links:
                links, stable_since = current, time.monotonic()
            elif links and time.monotonic() - stable_since >= settle:
                return links
            if time.monotonic() > deadline:
                break
            time.sleep(every)
        raise BenchError(f"bench: no settled ticker after {timeout:.0f} s ({len(links)} links):\n{self.log_tail()}")

    def stop(self, timeout: float = 30.0) -> int:
        """Ctrl-C (SIGINT to the process group); kill it if it hangs. Returns the exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            raise BenchError(f"bench: akhbar up did not stop within {timeout:.0f} s of Ctrl-C")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)



@contextmanager
def throwaway_postgres(server_url: str, prefix: str) -> Iterator[str]:
    """A new database <prefix>_<pid> on the PostgreSQL server that server_url names, dropped on the way out."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server_url)._replace(path="/" + name).geturl()
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
