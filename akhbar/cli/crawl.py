"""`akhbar crawl --once`: crawl now, with a progress bar and a table of what happened."""

import argparse

from rich.console import Console
from rich.progress import Progress
from rich.table import Table


def register(commands) -> None:
    parser = commands.add_parser("crawl", help="crawl the feeds now")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="one pass over every feed in this process, then stop")
    mode.add_argument("--enqueue", action="store_true", help="queue the due feeds for `akhbar worker`, then stop")
    parser.add_argument("--outlet", metavar="SLUG", help="only this outlet's feeds (with --once)")
    parser.add_argument("--batch-size", type=int, default=50, help="feeds per queued task (with --enqueue)")
    parser.set_defaults(handler=handle)


def handle(options: argparse.Namespace) -> int:
    if options.enqueue:
        from akhbar.sources.scheduler import enqueue_due

        feeds, tasks = enqueue_due(batch_size=max(1, options.batch_size))
        print(f"{feeds} due feeds queued in {tasks} tasks")
        return 0
    from akhbar.sources.crawling import run_crawl
    from akhbar.sources.services import feeds_claim_due

    console = Console()
    feed_ids = feeds_claim_due(limit=100_000, outlet_slug=options.outlet, force=True)
    if not feed_ids:
        console.print("crawl: no feed to crawl (add some with `akhbar sources add` or `akhbar sources load-defaults`)")
        return 1
    with Progress(console=console, transient=True) as progress:
        bar = progress.add_task("Collecte", total=len(feed_ids))
        outcomes = run_crawl(feed_ids, on_done=lambda _: progress.advance(bar))
    table = Table(title="Collecte")
    for column in ("outlet", "feeds", "new articles", "errors"):
        table.add_column(column, justify="right" if column != "outlet" else "left")
    by_outlet: dict[str, list] = {}
    for outcome in outcomes:
        by_outlet.setdefault(outcome.outlet_slug, []).append(outcome)
    for slug, items in sorted(by_outlet.items()):
        errors = [o.error for o in items if o.error]
        table.add_row(slug, str(len(items)), str(sum(o.new_articles for o in items)),
                      f"[red]{errors[0][:90]}[/red]" if errors else "0")
    console.print(table)
    total_new = sum(o.new_articles for o in outcomes)
    failed = sum(1 for o in outcomes if o.error)
    console.print(f"{total_new} new articles, {failed} of {len(outcomes)} feeds failed")
    return 0
