"""`akhbar sources ...`: add, list, discover, import, export, load-defaults."""

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from akhbar.cli.output import FAILED, OK, local_time, refuse


def register(commands) -> None:
    parser = commands.add_parser("sources", help="outlets and their feeds")
    actions = parser.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add", help="add an outlet's feed")
    add.add_argument("--name", required=True, help="the outlet's name as readers know it")
    add.add_argument("--feed", required=True, help="the feed's address")
    add.add_argument("--slug")
    add.add_argument("--homepage", default="")
    add.add_argument("--lang", default="fr", choices=["fr", "ar", "es", "en"])
    add.add_argument("--category", default=None)
    add.set_defaults(handler=handle_add)

    listing = actions.add_parser("list", help="every feed with its health")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--outlet", metavar="SLUG")
    listing.set_defaults(handler=handle_list)

    discover = actions.add_parser("discover", help="find the feeds of a homepage, or of an outlet")
    target = discover.add_mutually_exclusive_group(required=True)
    target.add_argument("homepage", nargs="?")
    target.add_argument("--outlet", metavar="SLUG", help="an outlet's homepage and known alternative feeds")
    discover.add_argument("--apply", action="store_true", help="with --outlet: replace failing feeds by the first working one")
    discover.add_argument("--json", action="store_true")
    discover.set_defaults(handler=handle_discover)

    import_ = actions.add_parser("import", help="import outlets from an OPML file")
    import_.add_argument("file", type=Path)
    import_.set_defaults(handler=handle_import)

    export = actions.add_parser("export", help="print every feed as OPML")
    export.set_defaults(handler=handle_export)

    defaults = actions.add_parser("load-defaults", help="load the default list of Moroccan outlets")
    defaults.set_defaults(handler=handle_load_defaults)


def handle_add(options: argparse.Namespace) -> int:
    from akhbar.sources.services import SourceError, outlet_add

    try:
        feed = outlet_add(name=options.name, feed_url=options.feed, slug=options.slug, homepage=options.homepage,
                          language=options.lang, category=options.category)
    except SourceError as error:
        return refuse(str(error))
    print(f"{feed.outlet.name} ({feed.outlet.slug}): {feed.url}")
    return OK


def handle_list(options: argparse.Namespace) -> int:
    from akhbar.sources.selectors import feed_health_list

    rows = feed_health_list(outlet_slug=options.outlet)
    if options.json:
        print(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=1))
        return 0
    table = Table(title=f"{len(rows)} feeds")
    for column in ("outlet", "feed", "status", "last success", "failures", "next attempt", "articles", "last error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row.outlet, row.url, row.status, local_time(row.last_success), str(row.consecutive_failures),
            local_time(row.next_attempt), str(row.articles), row.last_error[:100],
        )
    Console().print(table)
    return 0


def handle_discover(options: argparse.Namespace) -> int:
    from akhbar.sources.crawling import run_discovery
    from akhbar.sources.models import Outlet
    from akhbar.sources.services import SourceError, homepage_check, outlet_apply_discovery

    outlet = Outlet.objects.filter(slug=options.outlet).first() if options.outlet else None
    if options.outlet and (outlet is None or not outlet.homepage):
        return refuse(f"sources: no outlet {options.outlet!r} with a homepage; see `akhbar sources list`")
    homepage = outlet.homepage if outlet else options.homepage
    try:
        homepage_check(homepage)
    except SourceError as error:
        return refuse(str(error))
    known = tuple(outlet.feed_candidates) + tuple(outlet.feeds.values_list("url", flat=True)) if outlet else ()
    candidates = run_discovery(homepage, known=known)
    if options.json:
        print(json.dumps([asdict(c) for c in candidates], ensure_ascii=False, indent=1))
    else:
        print_candidates(homepage, candidates)
    if outlet and options.apply:
        feed = outlet_apply_discovery(outlet, [c.url for c in candidates if c.ok])
        print(f"{outlet.name}: now polling {feed.url}" if feed else f"{outlet.name}: feeds left as they are")
    return OK if any(c.ok for c in candidates) else FAILED


def print_candidates(homepage: str, candidates: list) -> None:
    table = Table(title=f"Feeds of {homepage}")
    for column in ("address", "found by", "result"):
        table.add_column(column, overflow="fold")
    for candidate in sorted(candidates, key=lambda c: (not c.ok, c.url)):
        result = f"[green]{candidate.format}, {candidate.entries} items[/green]" if candidate.ok else candidate.error
        table.add_row(candidate.url, candidate.found_by, result)
    Console().print(table)


def handle_import(options: argparse.Namespace) -> int:
    from akhbar.sources.opml import OpmlError, parse_opml
    from akhbar.sources.services import SourceError, outlets_load

    try:
        data = options.file.read_bytes()
    except OSError as error:
        return refuse(f"sources: cannot read {options.file}: {(error.strerror or str(error)).lower()}")
    try:
        rows = parse_opml(data)
        created = outlets_load(rows)
    except (OpmlError, SourceError) as error:
        return refuse(f"{error}; nothing was imported")
    print(f"{len(rows)} outlets read, {created} new, {sum(len(r['feeds']) for r in rows)} feeds")
    return 0


def handle_export(options: argparse.Namespace) -> int:
    from akhbar.sources.models import Outlet
    from akhbar.sources.opml import export_opml

    outlets = Outlet.objects.prefetch_related("feeds").select_related("default_category").order_by("name")
    sys.stdout.write(export_opml(list(outlets)) + "\n")
    return 0


def handle_load_defaults(options: argparse.Namespace) -> int:
    from akhbar.sources.defaults import read_outlets_tsv
    from akhbar.sources.services import outlets_load

    rows = read_outlets_tsv()
    created = outlets_load(rows)
    print(f"{len(rows)} default outlets, {created} new")
    return 0
