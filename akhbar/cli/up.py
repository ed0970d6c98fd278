"""`akhbar up [--demo]`: migrate, load outlets on the first run, serve the site and crawl, until Ctrl-C."""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

LOOPBACK_ONLY = "127.0.0.0/8"


def register(commands) -> None:
    parser = commands.add_parser("up", help="run the site and the crawler")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("AKHBAR_WEB_WORKERS", 4)))
    parser.add_argument("--demo", action="store_true", help="crawl the bundled sample publisher, on this machine only")
    parser.add_argument("--no-crawl", action="store_true", help="serve the site without crawling")
    parser.set_defaults(handler=handle, prepare=prepare)


def prepare(options: argparse.Namespace) -> None:
    if options.demo:
        # The demo never leaves the machine: its own data folder, and only loopback addresses reachable.
        os.environ.setdefault("AKHBAR_DATA_DIR", str(Path("var") / "demo"))
        os.environ["AKHBAR_FETCH_ONLY_NETWORKS"] = LOOPBACK_ONLY
        os.environ["AKHBAR_FETCH_ALLOW_NETWORKS"] = "127.0.0.1/32"
        os.environ.setdefault("AKHBAR_FETCH_HOST_DELAY", "0.05")


def handle(options: argparse.Namespace) -> int:
    from akhbar.sources import bootstrap

    publisher = None
    if options.demo:
        from akhbar.demo.publisher import SamplePublisher

        publisher = SamplePublisher().start()
    bootstrap.prepare_data_folder()
    loaded = bootstrap.load_outlets_first_run(demo_outlets=publisher.outlets if publisher else None)
    if loaded:
        print(f"{loaded} outlets loaded (first run)")
    scheduler = None
    if not options.no_crawl:
        from akhbar.sources.scheduler import Scheduler

        scheduler = Scheduler().start()
    server = subprocess.Popen(gunicorn_command(options.host, options.port, options.workers))
    print(f"Akhbar is running at http://{options.host}:{options.port}/ (Ctrl-C to stop)", flush=True)
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if scheduler:
            scheduler.stop()
        if publisher:
            publisher.stop()
        print("Akhbar stopped.")


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable, "-m", "gunicorn", "akhbar.wsgi:application", "--bind", bind,
        "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
        "--log-level", "warning", "--graceful-timeout", "10",
    ]
