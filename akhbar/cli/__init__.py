"""The `akhbar` command. Each subcommand is a small module; logic lives in services and selectors."""

import argparse
import os
import sys

from akhbar.cli import articles, crawl, extract, moderation, search, sources, stories, up, worker
from akhbar.cli.output import BROKEN_PIPE, EPILOG


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="akhbar", description="Akhbar: la presse marocaine, au même endroit.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (up, crawl, sources, extract, worker, moderation, search, stories, articles):
        module.register(commands)
    manage = commands.add_parser("manage", help="run a Django management command (migrate, createsuperuser, ...)")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=run_manage, needs_django=False)
    return parser


def run_manage(options: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["akhbar manage", *options.args])
    return 0


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akhbar.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    # Some commands change the environment (the demo's data folder and networks) before settings load.
    prepare = getattr(options, "prepare", None)
    if prepare:
        prepare(options)
    setup_django()
    try:
        code = options.handler(options) or 0
        sys.stdout.flush()  # a pipe's buffer is written here, so a closed pipe shows up inside the try
    except BrokenPipeError:
        # `akhbar ... | head -1`: the reader has what it wanted. Point stdout at /dev/null so that the
        # interpreter's own flush at exit does not complain again, and end as a Unix tool would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
