"""Operators can trust every answer of the `akhbar` command: run as a user runs it, in a subprocess,
on a real SQLite file, against feeds served on 127.0.0.1 by a server that counts requests."""

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.crawl.conftest import LoopbackServer, Recorder
from tests.helpers import akhbar, akhbar_ok, sqlite_rows
from tests.hostile import bodies

OPML = """<opml version="2.0"><body>
<outline text="Le Desk" xmlUrl="https://ledesk.ma/feed/"/>
<outline text="Hespress" xmlUrl="not-a-url"/>
</body></opml>"""


def run(data_dir: Path, *args: str) -> tuple[int, str]:
    """Run `akhbar`; its exit code and everything it printed (stdout then stderr)."""
    process = akhbar(data_dir, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=180)
    return process.returncode, out.decode() + err.decode()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A data folder migrated once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("akhbar-migrated")
    akhbar_ok(folder, "manage", "migrate", "--verbosity", "0")
    return folder


@pytest.fixture
def data_dir(migrated, tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(migrated, folder)
    return folder


@pytest.fixture
def site():
    """A loopback site: /ok-*.xml feeds with one article each, /limited.xml answers 429 for an hour, /gone.xml 404."""
    server = LoopbackServer("127.0.0.1", None, Recorder())

    def feed(req):
        link = server.url("/articles/" + req.path.strip("/").removesuffix(".xml"))
        req.reply(200, bodies.rss(bodies.item(link, "Le budget régional adopté")),
                  {"Content-Type": "application/rss+xml"})

    server.routes.update({
        "/ok-a.xml": feed, "/ok-b.xml": feed,
        "/limited.xml": lambda req: req.reply(429, b"slow down", {"Retry-After": "3600"}),
        "/gone.xml": lambda req: req.reply(404, b"gone"),
        "/articles/ok-a": lambda req: req.reply(200, bodies.article_page(req.path), {"Content-Type": "text/html"}),
        "/articles/ok-b": lambda req: req.reply(200, bodies.article_page(req.path), {"Content-Type": "text/html"}),
    })
    server.start()
    yield server
    server.stop()


def add(data_dir: Path, slug: str, url: str) -> None:
    akhbar_ok(data_dir, "sources", "add", "--name", slug.title(), "--slug", slug, "--feed", url)


def local(database: Path, feed_url: str, column: str) -> str:
    """A feed's moment as `sources list` shows it: in the site's time zone, to the minute."""
    ((stored,),) = sqlite_rows(database, f"SELECT {column} FROM sources_feed WHERE url = '{feed_url}'")
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(ZoneInfo("Africa/Casablanca"))
    return moment.strftime("%d-%m-%Y %H:%M")


# 1. Back-off that holds.

def test_crawl_once_polls_only_due_feeds_and_never_before_a_retry_after(data_dir, site):
    database = data_dir / "akhbar.sqlite3"
    add(data_dir, "limited", site.url("/limited.xml"))
    add(data_dir, "first", site.url("/ok-a.xml"))
    code, output = run(data_dir, "crawl", "--once")
    assert code == 3, output  # one of two feeds failed
    assert len(site.requests("/limited.xml")) == 1 and len(site.requests("/ok-a.xml")) == 1

    add(data_dir, "second", site.url("/ok-b.xml"))  # a new feed is due at once
    code, output = run(data_dir, "crawl", "--once")
    assert code == 0, output
    assert len(site.requests("/ok-b.xml")) == 1
    assert len(site.requests("/limited.xml")) == 1 and len(site.requests("/ok-a.xml")) == 1
    assert "2 feeds not due, skipped" in output
    assert f"earliest next attempt {local(database, site.url('/ok-a.xml'), 'next_attempt_at')}" in output

    code, output = run(data_dir, "crawl", "--once", "--force")
    assert code == 0, output
    assert len(site.requests("/ok-a.xml")) == 2 and len(site.requests("/ok-b.xml")) == 2
    assert len(site.requests("/limited.xml")) == 1  # the site's Retry-After binds --force too
    assert "1 feed asked us to wait, skipped" in output
    assert local(database, site.url("/limited.xml"), "retry_not_before") in output


# 2. Exit codes tell the truth.

def test_crawl_once_exit_codes(data_dir, site):
    add(data_dir, "gone", site.url("/gone.xml"))
    add(data_dir, "limited", site.url("/limited.xml"))
    code, output = run(data_dir, "crawl", "--once")
    assert code == 1 and "0 new articles, 2 of 2 feeds failed" in output, output
    code, output = run(data_dir, "crawl", "--once", "--outlet", "nowhere")
    assert code == 2 and "no outlet 'nowhere'" in output, output
    code, output = run(data_dir, "--help")
    assert code == 0 and "exit codes:" in output and "every feed polled failed" in output


def test_search_refuses_an_unknown_outlet_and_an_empty_query(data_dir):
    code, output = run(data_dir, "search", "budget", "--outlet", "nowhere")
    assert code == 2 and "search: no outlet 'nowhere'" in output, output
    code, output = run(data_dir, "search", "  ")
    assert code == 2 and "search: give the words to look for" in output, output


def test_extract_says_a_file_is_not_html_and_leaks_no_log_line(data_dir, tmp_path):
    picture = tmp_path / "photo.html"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
    code, output = run(data_dir, "extract", str(picture))
    assert code == 1, output
    assert f"extract: {picture} is not HTML" in output
    assert "ERROR" not in output and "trafilatura" not in output, output


def test_sources_import_and_discover_explain_themselves(data_dir, tmp_path):
    missing = tmp_path / "MISSING.opml"
    code, output = run(data_dir, "sources", "import", str(missing))
    assert code == 2 and f"sources: cannot read {missing}: no such file" in output, output
    assert "Traceback" not in output and "Errno" not in output
    code, output = run(data_dir, "sources", "discover", "not-a-url")
    assert code == 2 and "sources: 'not-a-url' is not a web address" in output, output


@pytest.mark.parametrize("command", [("sources", "list", "--json"), ("moderation", "list", "--json"),
                                     ("search", "budget", "--json")])
def test_a_closed_pipe_ends_the_command_quietly(data_dir, command):
    # The reader is gone before the command writes a byte, as `| head -1` is once it has its line.
    read_end, write_end = os.pipe()
    os.close(read_end)
    process = akhbar(data_dir, *command, stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    _, err = process.communicate(timeout=180)
    assert process.returncode == 141, err.decode()
    assert b"BrokenPipeError" not in err and b"Traceback" not in err and b"Exception ignored" not in err


# 3. No half-done command.

def test_sources_add_with_a_bad_feed_leaves_no_outlet(data_dir):
    code, output = run(data_dir, "sources", "add", "--name", "X", "--feed", "not-a-url")
    assert code == 2 and "must start with http" in output, output
    assert sqlite_rows(data_dir / "akhbar.sqlite3", "SELECT count(*) FROM sources_outlet") == [(0,)]


def test_importing_a_partly_bad_opml_imports_nothing(data_dir, tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text(OPML)
    code, output = run(data_dir, "sources", "import", str(opml))
    assert code == 2 and "not-a-url" in output and "nothing was imported" in output, output
    database = data_dir / "akhbar.sqlite3"
    assert sqlite_rows(database, "SELECT count(*) FROM sources_outlet") == [(0,)]
    assert sqlite_rows(database, "SELECT count(*) FROM sources_feed") == [(0,)]


def test_unknown_targets_change_nothing(data_dir):
    database = data_dir / "akhbar.sqlite3"
    code, output = run(data_dir, "articles", "takedown", "424242", "--reason", "request")
    assert code == 2 and "takedown: no article number 424242" in output, output
    code, output = run(data_dir, "moderation", "block", "abcdef12", "--reason", "spam")
    assert code == 2 and "no image has a hash starting with 'abcdef12'" in output, output
    assert sqlite_rows(database, "SELECT count(*) FROM news_takedown") == [(0,)]
    tables = [name for (name,) in sqlite_rows(database, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                                        "AND name LIKE 'moderation_%'")]
    assert tables and all(sqlite_rows(database, f"SELECT count(*) FROM {t}") == [(0,)] for t in tables)
