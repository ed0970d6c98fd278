"""Feed parser throughput: feedparser vs fastfeedparser (and our parse_feed) on one corpus.

Corpus: the feedparser conformance files in shared/data (2,106 XML + 1 JSON; skipped
with a message when absent) and a generated 10,000-item RSS 2.0 feed. Times are CPU
seconds (time.process_time), so a busy machine skews them less than wall time.
Also probes each parser with XML attacks, since speed alone does not decide.

Usage: .venv/bin/python bench/feeds.py   (needs `pip install fastfeedparser` for its figures)
Last line: feedparser_items_per_s=... fastfeedparser_items_per_s=...
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from akhbar.crawl.feeds import FeedError, parse_feed  # noqa: E402

try:
    import fastfeedparser
except ImportError:  # reported below; the bench still measures feedparser
    fastfeedparser = None

SHARED_DATA = Path(os.environ.get("AKHBAR_SHARED_DATA") or ROOT.parent / "shared" / "data")
CONFORMANCE = SHARED_DATA / "feeds-feedparser-conformance"
BIG_ITEMS = 10_000
FEED_URL = "https://www.example.ma/feed"


def big_feed(items: int = BIG_ITEMS) -> bytes:
    rows = "".join(
        f"<item><title>Article n°{i} : l&#8217;actualité &amp; la suite</title>"
        f"<link>https://www.example.ma/article-{i}.html</link>"
        f'<guid isPermaLink="false">https://www.example.ma/?p={i}</guid>'
        f"<pubDate>Fri, 04 Oct 2024 10:{i % 60:02d}:00 +0100</pubDate><category>Maroc</category>"
        f"<description>&lt;p&gt;Résumé de l'article {i}.&lt;/p&gt;</description></item>\n"
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bench</title>'
        f"<link>https://www.example.ma/</link>\n{rows}</channel></rss>\n"
    ).encode()


def run_feedparser(body: bytes) -> int:
    return len(feedparser.parse(io.BytesIO(body), sanitize_html=False).entries)


def run_fastfeedparser(body: bytes) -> int:
    return len(fastfeedparser.parse(body).entries)  # bytes: never a URL fetch


def run_parse_feed(body: bytes) -> int:
    return len(parse_feed(body, url=FEED_URL).entries)


def measure(run, bodies: list[bytes]) -> tuple[float, int, int]:
    """(CPU seconds, items, failures) over bodies."""
    items = failures = 0
    started = time.process_time()
    for body in bodies:
        try:
            items += run(body)
        except (FeedError, ValueError, TypeError, AttributeError, LookupError):
            failures += 1
    return time.process_time() - started, items, failures


def attack_payloads() -> dict[str, bytes]:
    lol = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    quad_entity = "A" * 20_000
    return {
        "billion laughs": (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{lol}]>'
                           '<rss version="2.0"><channel><title>&l9;</title></channel></rss>').encode(),
        "quadratic 60 KB": ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + quad_entity + '">\n]>\n'
                            '<rss version="2.0"><channel><title>q</title><item><link>https://x.ma/q</link>'
                            "<description>" + "&a;" * 2_000 + "</description></item></channel></rss>").encode(),
        "external entity": (b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n'
                            b'<rss version="2.0"><channel><title>&x;</title><item><link>https://x.ma/x</link>'
                            b"<description>&x;</description></item></channel></rss>"),
    }


def probe(name: str, run, body: bytes) -> str:
    started = time.process_time()
    try:
        shown = repr(run(body))
    except Exception as error:  # noqa: BLE001 - a probe reports whatever happens
        return f"{name}: raised {type(error).__name__} in {time.process_time() - started:.2f} s"
    leaked = "root:" in shown
    return f"{name}: {len(shown):,} chars of output, {time.process_time() - started:.2f} s, passwd leaked={leaked}"


def main() -> None:
    corpus = sorted(p for p in CONFORMANCE.rglob("*") if p.suffix in (".xml", ".json")) if CONFORMANCE.is_dir() else []
    if not corpus:
        print(f"conformance corpus not found at {CONFORMANCE}: measuring the generated feed only")
    small = [p.read_bytes() for p in corpus]
    big = big_feed()
    runners = {"feedparser": run_feedparser, "parse_feed": run_parse_feed}
    if fastfeedparser is not None:
        runners["fastfeedparser"] = run_fastfeedparser
    else:
        print("fastfeedparser is not installed: pip install fastfeedparser")
    totals: dict[str, float] = {}
    for name, run in runners.items():
        small_s, small_items, failures = measure(run, small)
        big_s, big_items, _ = measure(run, [big])
        seconds, items = small_s + big_s, small_items + big_items
        totals[name] = items / seconds if seconds else 0.0
        print(f"{name:15} conformance: {len(small) / small_s if small_s else 0:7.0f} feeds/s "
              f"{small_items / small_s if small_s else 0:7.0f} items/s ({failures} raised) | "
              f"{BIG_ITEMS:,}-item RSS: {big_s:5.2f} s {big_items / big_s:7.0f} items/s | "
              f"all: {(len(small) + 1) / seconds:7.0f} feeds/s {totals[name]:7.0f} items/s")
    print("XML attacks (stock parsers; parse_feed defuses the DTD first):")
    for attack, body in attack_payloads().items():
        for name in runners:
            raw = {"feedparser": lambda b: feedparser.parse(io.BytesIO(b)),
                   "fastfeedparser": lambda b: fastfeedparser.parse(b),
                   "parse_feed": lambda b: parse_feed(b, url=FEED_URL)}[name]
            print("  " + probe(f"{attack:16} {name:15}", raw, body))
    print(f"feedparser_items_per_s={totals['feedparser']:.0f} "
          f"fastfeedparser_items_per_s={totals.get('fastfeedparser', 0.0):.0f}")


if __name__ == "__main__":
    main()
