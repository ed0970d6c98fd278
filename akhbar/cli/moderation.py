"""`akhbar moderation ...`: the image moderation queue from the command line."""

import argparse
import getpass
import json
import sys

from rich.console import Console
from rich.table import Table


def register(commands) -> None:
    parser = commands.add_parser("moderation", help="reported and blocked images")
    actions = parser.add_subparsers(dest="action", required=True)

    listing = actions.add_parser("list", help="reported images, most reported first (or --blocked)")
    listing.add_argument("--blocked", action="store_true", help="blocked images instead")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=handle_list)

    for name, help_text in (("block", "block an image and its copies"), ("unblock", "unblock an image"),
                            ("clear", "delete an image's reports; its count starts again")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("image", help="the start of the image's hash (8 characters or more)")
        action.add_argument("--reason", default="", help="why, for the audit log")
        action.add_argument("--by", default=f"cli:{getpass.getuser()}", help="who decides, for the audit log")
        if name == "unblock":
            action.add_argument("--protect", action="store_true", help="never block it automatically again")
        action.set_defaults(handler=handle_decision)

    purge = actions.add_parser("purge", help="delete reports older than AKHBAR_REPORT_RETENTION_DAYS")
    purge.set_defaults(handler=handle_purge)


def handle_list(options: argparse.Namespace) -> int:
    from akhbar.moderation.selectors import case_list

    cases = list(case_list(blocked=options.blocked)[:500])
    rows = [{"image": c.image.sha256[:16], "reporters": c.reporters, "blocked": c.blocked, "protected": c.protected,
             "first_report": _iso(c.first_reported_at), "last_report": _iso(c.last_reported_at),
             "blocked_at": _iso(c.blocked_at), "source": c.image.source_url} for c in cases]
    if options.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    table = Table(title=f"{len(rows)} {'blocked' if options.blocked else 'reported'} images")
    for column in ("image", "reporters", "blocked", "protected", "first report", "last report", "source"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["image"], str(row["reporters"]), "yes" if row["blocked"] else "", "yes" if row["protected"]
                      else "", row["first_report"], row["last_report"], row["source"])
    Console().print(table)
    return 0


def _iso(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def handle_decision(options: argparse.Namespace) -> int:
    from akhbar.moderation import services
    from akhbar.moderation.selectors import UnknownImage, image_by_prefix

    try:
        image = image_by_prefix(options.image)
    except UnknownImage as error:
        print(error, file=sys.stderr)
        return 2
    who = {"image": image, "actor": options.by, "reason": options.reason}
    if options.action == "block":
        changed = services.image_block(**who)
    elif options.action == "unblock":
        changed = services.image_unblock(**who, protect=options.protect)
    else:
        changed = services.reports_clear(**who) > 0
    state = "done" if changed else "nothing to change"
    print(f"{options.action} {image.sha256[:16]}: {state}")
    return 0


def handle_purge(options: argparse.Namespace) -> int:
    from akhbar.moderation.services import reports_purge

    print(f"{reports_purge()} old reports deleted")
    return 0
