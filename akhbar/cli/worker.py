"""`akhbar worker`: run queued crawl tasks (with AKHBAR_TASKS_BACKEND=django_tasks_db.DatabaseBackend)."""

import argparse
import sys

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


def register(commands) -> None:
    parser = commands.add_parser("worker", help="run queued crawl tasks; start as many as you like, anywhere")
    parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
    parser.set_defaults(handler=handle)


def handle(options: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    if settings.TASKS["default"]["BACKEND"] != DATABASE_BACKEND:
        print(f"worker: tasks run inside `akhbar up` with the in-process backend; set "
              f"AKHBAR_TASKS_BACKEND={DATABASE_BACKEND} (and DATABASE_URL for several machines)", file=sys.stderr)
        return 2
    call_command("db_worker", batch=options.batch, startup_delay=False, reload=False)
    return 0
