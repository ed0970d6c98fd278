"""`akhbar extract PAGE.html...`: one JSON line per page, with the crawler's own extractor."""

import argparse
import gzip
import json
import logging
import sys
from pathlib import Path

from akhbar.cli.output import FAILED, OK

NO_ARTICLE = "extract: no article text found"


def register(commands) -> None:
    parser = commands.add_parser("extract", help="extract the article from saved pages (plain or gzipped HTML)")
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--url", default=None, help="the address the page came from (resolves relative links)")
    parser.set_defaults(handler=handle)


def handle(options: argparse.Namespace) -> int:
    # Each page's verdict is in its JSON line; trafilatura's own log lines on odd input would only
    # repeat it, in its words, on the terminal.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    failures = 0
    for page in options.pages:
        record = {"file": str(page), **_extract(page, url=options.url)}
        failures += "error" in record and record["error"] != NO_ARTICLE
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return FAILED if failures else OK


def _extract(page: Path, *, url: str | None) -> dict:
    """The article of one saved page as JSON fields, or {"error": why}."""
    from akhbar.crawl.decode import decode_html, looks_like_html
    from akhbar.crawl.extract import extract_article

    try:
        body = page.read_bytes()
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
    except (OSError, EOFError) as error:
        return {"error": f"extract: cannot read {page}: {getattr(error, 'strerror', None) or error}"}
    if not looks_like_html(decode_html(body)):
        return {"error": f"extract: {page} is not HTML (no markup in it); give a saved web page"}
    result = extract_article(body, url=url or page.resolve().as_uri())
    return _as_json(result) if result else {"error": NO_ARTICLE}


def _as_json(result) -> dict:
    return {
        "title": result.title, "author": result.author,
        "published": result.published.isoformat() if result.published else None,
        "language": result.language, "text": result.text, "image": result.image_url,
    }
