"""`akhbar search "QUERY"`: the site's search, in the terminal; `--reindex` rebuilds the index."""

import argparse
import json

from rich.console import Console
from rich.table import Table

from akhbar.cli.output import refuse


def register(commands) -> None:
    parser = commands.add_parser("search", help="search every article, as /recherche does")
    parser.add_argument("query", nargs="?", default="")
    parser.add_argument("--outlet", metavar="SLUG", default="")
    parser.add_argument("--lang", choices=["fr", "ar", "es", "en"], default="")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--reindex", action="store_true", help="index every stored article again, then search")
    parser.set_defaults(handler=handle_search)


def handle_search(options: argparse.Namespace) -> int:
    from akhbar.search.selectors import Filters, search_articles

    if options.reindex:
        from akhbar.search.index import reindex_all

        print(f"{reindex_all()} articles indexed")
        if not options.query.strip():
            return 0
    from akhbar.sources.selectors import outlet_exists

    if not options.query.strip():
        return refuse('search: give the words to look for, e.g. akhbar search "salon du livre"')
    if options.outlet and not outlet_exists(options.outlet):
        return refuse(f"search: no outlet {options.outlet!r}; see `akhbar sources list`")
    found = search_articles(options.query, filters=Filters(outlet_slug=options.outlet, language=options.lang),
                            limit=options.limit)
    rows = [{"title": a.title, "outlet": a.outlet.name, "published": a.published_at.isoformat(timespec="minutes"),
             "language": a.language, "url": a.url, "id": a.pk} for a in found.articles]
    if options.json:
        print(json.dumps({"total": found.total, "results": rows}, ensure_ascii=False, indent=1))
        return 0
    table = Table(title=f"{found.total} articles for {options.query!r}")
    for column in ("published", "outlet", "title", "url"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["published"], row["outlet"], row["title"], row["url"])
    Console().print(table)
    return 0
