"""`akhbar crawl --once`: crawl the due feeds now, with a progress bar and a table of what happened."""

import argparse

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from akhbar.cli.output import FAILED, OK, PARTLY_FAILED, local_time, refuse


def register(commands) -> None:
    parser = commands.add_parser("crawl", help="crawl the feeds now")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="one pass over the due feeds in this process, then stop")
    mode.add_argument("--enqueue", action="store_true", help="queue the due feeds for `akhbar worker`, then stop")
    parser.add_argument("--outlet", metavar="SLUG", help="only this outlet's feeds (with --once)")
    parser.add_argument("--force", action="store_true",
                        help="with --once: poll every feed whatever its schedule, except those whose site "
                             "asked us to wait (Retry-After)")
    parser.add_argument("--batch-size", type=int, default=50, help="feeds per queued task (with --enqueue)")
    parser.set_defaults(handler=handle)


def handle(options: argparse.Namespace) -> int:
    if options.enqueue:
        from akhbar.sources.scheduler import enqueue_due

        feeds, tasks = enqueue_due(batch_size=max(1, options.batch_size))
        print(f"{feeds} due feeds queued in {tasks} tasks")
        return OK
    from akhbar.sources.models import Feed
    from akhbar.sources.selectors import feeds_skipped, outlet_exists
    from akhbar.sources.services import feeds_claim_due

    if options.outlet and not outlet_exists(options.outlet):
        return refuse(f"crawl: no outlet {options.outlet!r}; see `akhbar sources list`")
    if not Feed.objects.filter(enabled=True, outlet__enabled=True).exists():
        return refuse("crawl: no feed to crawl (add some with `akhbar sources add` or `akhbar sources load-defaults`)")
    console = Console()
    feed_ids = feeds_claim_due(limit=100_000, outlet_slug=options.outlet, force=options.force)
    outcomes = _crawl(console, feed_ids) if feed_ids else []
    skipped = feeds_skipped(polled=feed_ids, outlet_slug=options.outlet, force=options.force)
    if skipped.count:
        why = "asked us to wait" if options.force else "not due"
        console.print(f"{_feeds(skipped.count)} {why}, skipped; earliest next attempt {local_time(skipped.earliest)}"
                      + ("" if options.force else " (--force polls them now, except where a site asked us to wait)"), soft_wrap=True)
    failed = sum(1 for o in outcomes if o.error)
    if outcomes:
        console.print(f"{sum(o.new_articles for o in outcomes)} new articles, {failed} of {len(outcomes)} feeds failed",
                      soft_wrap=True)
    if failed == 0:
        return OK
    return FAILED if failed == len(outcomes) else PARTLY_FAILED


def _feeds(count: int) -> str:
    return f"{count} feed" if count == 1 else f"{count} feeds"


def _crawl(console: Console, feed_ids: list[int]) -> list:
    """Poll the claimed feeds with a progress bar, then print a table per outlet."""
    from akhbar.sources.crawling import run_crawl

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
    return outcomes
