"""`akhbar articles takedown URL --reason ...`: withdraw an article at its publisher's request, for good."""

import argparse
import getpass
import sys


def register(commands) -> None:
    parser = commands.add_parser("articles", help="operators' actions on articles")
    actions = parser.add_subparsers(dest="action", required=True)
    takedown = actions.add_parser(
        "takedown", help="withdraw an article everywhere (pages, feeds, search, sitemaps) and never crawl it again")
    takedown.add_argument("target", help="the original article's address, our page's address, or its number")
    takedown.add_argument("--reason", required=True, help="why: the publisher's request, its date, who asked")
    takedown.add_argument("--by", default="", help="who decided (default: this user)")
    takedown.set_defaults(handler=handle_takedown)
    listing = actions.add_parser("takedowns", help="the articles taken down, newest first")
    listing.set_defaults(handler=handle_takedowns)


def handle_takedown(options: argparse.Namespace) -> int:
    from akhbar.news.services import TakedownError, article_takedown

    try:
        done = article_takedown(target=options.target, reason=options.reason, by=options.by or getpass.getuser())
    except TakedownError as error:
        print(error, file=sys.stderr)
        return 2
    what = f"article {done.article_id} ({done.title})" if done.article_id else "address (not stored yet)"
    print(f"taken down: {what}\n  {done.url}\n  it will not be crawled again; reason: {done.reason}")
    return 0


def handle_takedowns(options: argparse.Namespace) -> int:
    from akhbar.news.models import Takedown

    for done in Takedown.objects.all():
        print(f"{done.created_at:%Y-%m-%d %H:%M}  {done.requested_by:<12}  {done.url}  — {done.reason}")
    return 0
