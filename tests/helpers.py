"""Small helpers shared by the tests."""

import os
import subprocess
import sys
from pathlib import Path


def crawl_all(**filters):
    """Poll every enabled feed now, as `akhbar crawl --once` does."""
    from akhbar.sources.crawling import run_crawl
    from akhbar.sources.services import feeds_claim_due

    return run_crawl(feeds_claim_due(limit=10_000, force=True, **filters))


def akhbar(data_dir: Path, *args: str, extra_env: dict | None = None, **popen) -> subprocess.Popen:
    """Run the `akhbar` command as a user would, on a real SQLite file in data_dir, loopback only."""
    # These tests are about the embedded default: a real SQLite file, whatever DATABASE_URL says.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"AKHBAR_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "akhbar.settings",
           "AKHBAR_FETCH_ALLOW_NETWORKS": "127.0.0.1/32", "AKHBAR_FETCH_ONLY_NETWORKS": "127.0.0.0/8",
           "AKHBAR_FETCH_HOST_DELAY": "0", **(extra_env or {})}
    return subprocess.Popen([sys.executable, "-m", "akhbar", *args], env=env, **popen)


def akhbar_ok(data_dir: Path, *args: str, extra_env: dict | None = None) -> str:
    """Run `akhbar` to completion; fail the test with its output if it fails."""
    process = akhbar(data_dir, *args, extra_env=extra_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output.decode()
    return output.decode()


def sqlite_rows(database: Path, query: str) -> list[tuple]:
    """Read a product's SQLite file as an outsider would, read-only."""
    import sqlite3

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        return connection.execute(query).fetchall()


def install_bench_outlets(data_dir: Path, publisher, *, extra_env: dict | None = None) -> Path:
    """A migrated data folder whose feeds are the publisher's synthetic outlets; returns its database."""
    akhbar_ok(data_dir, "manage", "migrate", "--verbosity", "0", extra_env=extra_env)
    for outlet in publisher.outlets:
        if outlet["slug"].startswith("bench-"):
            akhbar_ok(data_dir, "sources", "add", "--name", outlet["name"], "--slug", outlet["slug"],
                      "--feed", outlet["feed_url"], extra_env=extra_env)
    return data_dir / "akhbar.sqlite3"
