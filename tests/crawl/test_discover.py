"""discover.py over tests/data/discover/: each NAME.<ext> sits beside NAME.expected.json.

The body's extension picks the function: .html -> find_feed_links (expects "feeds"),
.txt -> sitemaps_from_robots (expects "sitemaps"), .url -> candidate_feed_urls
(expects "candidates"). "base_url" is the page's URL; "max_cpu_seconds" bounds the time.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from akhbar.crawl.discover import candidate_feed_urls, find_feed_links, sitemaps_from_robots

FIXTURES = Path(__file__).parents[1] / "data" / "discover"
BODIES = sorted(p for p in FIXTURES.iterdir() if not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("body_path", BODIES, ids=lambda p: p.name)
def test_discover_fixture(body_path: Path) -> None:
    expected = json.loads(body_path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    text = body_path.read_text(encoding="utf-8")
    if body_path.suffix == ".html":
        started = time.process_time()
        found = find_feed_links(text, base_url=expected["base_url"])
        assert time.process_time() - started < expected.get("max_cpu_seconds", 5)
        assert [asdict(feed) for feed in found] == expected["feeds"]
    elif body_path.suffix == ".txt":
        assert sitemaps_from_robots(text, base_url=expected["base_url"]) == expected["sitemaps"]
    elif body_path.suffix == ".url":
        candidates = candidate_feed_urls(text.strip())
        assert candidates == expected["candidates"]
        assert len(candidates) == len(set(candidates))
    else:
        pytest.fail(f"{body_path.name}: unknown fixture type {body_path.suffix}")
