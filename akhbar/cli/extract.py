"""`akhbar extract PAGE.html...`: one JSON line per page, with the crawler's own extractor."""

import argparse
import gzip
import json
import sys
from pathlib import Path


def register(commands) -> None:
    parser = commands.add_parser("extract", help="extract the article from saved pages (plain or gzipped HTML)")
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--url", default=None, help="the address the page came from (resolves relative links)")
    parser.set_defaults(handler=handle)


def handle(options: argparse.Namespace) -> int:
    from akhbar.crawl.extract import extract_article

    failures = 0
    for page in options.pages:
        record: dict = {"file": str(page)}
        try:
            body = page.read_bytes()
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            result = extract_article(body, url=options.url or page.resolve().as_uri())
        except OSError as error:
            record["error"] = f"extract: cannot read {page}: {error.strerror}"
            failures += 1
        else:
            record.update(_as_json(result) if result else {"error": "extract: no article text found"})
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 1 if failures else 0


def _as_json(result) -> dict:
    return {
        "title": result.title, "author": result.author,
        "published": result.published.isoformat() if result.published else None,
        "language": result.language, "text": result.text, "image": result.image_url,
    }
