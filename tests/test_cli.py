"""The `akhbar` command, run in-process against the test database and the sample publisher."""

import gzip
import json

import pytest

from akhbar.cli import main
from akhbar.news.models import Article
from akhbar.sources.models import Feed, Outlet

pytestmark = pytest.mark.django_db(transaction=True)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_sources_add_list_and_export(capsys):
    code, out, _ = run(capsys, "sources", "add", "--name", "TelQuel", "--feed", "https://telquel.ma/feed",
                       "--category", "politique")
    assert code == 0 and "telquel" in out
    code, out, _ = run(capsys, "sources", "list", "--json")
    (row,) = json.loads(out)
    assert row["outlet"] == "TelQuel" and row["status"] == "never polled"
    code, out, _ = run(capsys, "sources", "export")
    assert 'xmlUrl="https://telquel.ma/feed"' in out


def test_sources_add_refuses_a_bad_address_in_words(capsys):
    code, _, err = run(capsys, "sources", "add", "--name", "X", "--feed", "javascript:alert(1)")
    assert code == 2 and "must start with http" in err
    assert not Feed.objects.exists()


def test_sources_import_and_load_defaults(capsys, tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text('<opml version="2.0"><body><outline text="Le Desk" xmlUrl="https://ledesk.ma/feed/"/></body></opml>')
    code, out, _ = run(capsys, "sources", "import", str(opml))
    assert code == 0 and "1 outlets read, 1 new" in out
    code, out, _ = run(capsys, "sources", "load-defaults")
    assert code == 0
    assert Outlet.objects.count() >= 30


def test_crawl_once_prints_a_table_per_outlet(capsys, demo_outlets):
    code, out, _ = run(capsys, "crawl", "--once", "--outlet", "lopinion")
    assert code == 0
    assert "lopinion" in out and "new articles" in out
    assert Article.objects.filter(outlet__slug="lopinion").count() > 0
    assert not Article.objects.exclude(outlet__slug="lopinion").exists()


def test_discover_finds_the_feed_behind_a_homepage(capsys, sample_publisher):
    outlet = sample_publisher.outlets[0]
    code, out, _ = run(capsys, "sources", "discover", outlet["homepage"], "--json")
    assert code == 0
    found = {c["url"]: c for c in json.loads(out) if c["ok"]}
    assert found[outlet["feed_url"]]["found_by"] == "link"
    assert found[outlet["feed_url"]]["entries"] >= 3


def test_extract_prints_one_json_line_per_page(capsys, tmp_path):
    page = tmp_path / "page.html.gz"
    paragraphs = "".join(f"<p>Le Maroc a annoncé la mesure numéro {n} pour soutenir les agriculteurs touchés "
                         f"par la sécheresse dans plusieurs régions du pays.</p>" for n in range(12))
    page.write_bytes(gzip.compress(
        f"<html lang='fr'><head><title>Sécheresse</title></head><body><article><h1>Sécheresse</h1>{paragraphs}"
        f"</article></body></html>".encode()))
    missing = tmp_path / "missing.html"
    code, out, _ = run(capsys, "extract", str(page), str(missing))
    first, second = (json.loads(line) for line in out.splitlines())
    assert "mesure numéro 11" in first["text"] and first["language"] == "fr"
    assert second["error"].startswith("extract: cannot read")
    assert code == 1


def test_discover_apply_replaces_a_gone_feed_and_says_so(capsys, sample_publisher):
    source = next(o for o in sample_publisher.outlets if o["slug"] == "lopinion")
    code, _, _ = run(capsys, "sources", "add", "--name", "L'opinion", "--slug", "lopinion",
                     "--homepage", source["homepage"], "--feed", sample_publisher.base_url + "/broken/404.rss")
    run(capsys, "crawl", "--once")
    code, out, _ = run(capsys, "sources", "discover", "--outlet", "lopinion", "--apply")
    assert code == 0 and f"now polling {source['feed_url']}" in out
    gone = Feed.objects.get(url__endswith="/broken/404.rss")
    found = Feed.objects.get(url=source["feed_url"])
    assert not gone.enabled and found.enabled
    assert "replaces" in found.note and "404.rss" in found.note
