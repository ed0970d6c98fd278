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
