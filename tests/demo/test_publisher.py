"""The sample publisher, exercised over real HTTP on 127.0.0.1."""

import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, datetime
from html import unescape

import feedparser
import httpx
import pytest

from akhbar.demo.content import load_outlets
from akhbar.demo.publisher import SamplePublisher, accepts_gzip
from akhbar.demo.site import Site

HANDWRITTEN = ["hespress-ar", "hespress-fr", "le360", "lopinion", "marruecos-hoy", "medias24", "morocco-world-news"]
FEEDS = [slug for slug in HANDWRITTEN if slug != "medias24"]
ARTICLES = {outlet.slug: outlet.articles for outlet in load_outlets(datetime.now(UTC))}


@pytest.fixture(scope="module")
def publisher():
    with SamplePublisher(extra_outlets=2, articles_per_outlet=7) as running:
        yield running


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=5, trust_env=False) as http:
        yield http


def outlet(publisher, slug):
    return next(o for o in publisher.outlets if o["slug"] == slug)


def test_outlets_are_listed_with_their_feeds(publisher):
    assert [o["slug"] for o in publisher.outlets] == HANDWRITTEN + ["bench-1", "bench-2"]
    assert outlet(publisher, "lopinion")["feed_url"] == publisher.base_url + "/lopinion/xml/syndication.rss"
    assert {o["slug"]: o["feed_format"] for o in publisher.outlets if o["slug"] in HANDWRITTEN} == {
        "hespress-ar": "rss", "hespress-fr": "rss", "le360": "atom", "lopinion": "rss", "marruecos-hoy": "rss",
        "medias24": "sitemap", "morocco-world-news": "atom"}
    assert {o["lang"] for o in publisher.outlets} == {"fr", "ar", "es", "en"}


@pytest.mark.parametrize("slug", FEEDS)
def test_feed_lists_every_article(publisher, client, slug):
    response = client.get(outlet(publisher, slug)["feed_url"])
    parsed = feedparser.parse(response.content)
    assert response.status_code == 200 and not parsed.bozo
    assert [entry.link for entry in parsed.entries] == publisher.article_urls(slug)
    assert 5 <= len(parsed.entries) <= 8
    assert all(entry.title and entry.published_parsed and entry.summary for entry in parsed.entries)


def test_sitemap_outlet_lists_every_article(publisher, client):
    response = client.get(outlet(publisher, "medias24")["feed_url"])
    root = ET.fromstring(response.content)
    locs = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert response.headers["content-type"].startswith("application/xml")
    assert locs == publisher.article_urls("medias24")
    assert len(list(root.iter("{http://www.google.com/schemas/sitemap-news/0.9}title"))) == len(locs)


def test_lopinion_keeps_its_dated_model_article_and_tags(publisher, client):
    parsed = feedparser.parse(client.get(outlet(publisher, "lopinion")["feed_url"]).content)
    model = next(e for e in parsed.entries if e.title == "Salon du livre de Paris : le Maroc invité d'honneur")
    assert model.published_parsed[:3] == (2024, 10, 4)
    assert any("[INTEGRAL]" in entry.title for entry in parsed.entries)
    assert "Publié dans L'opinion le 04 - 10 - 2024" in client.get(model.link).text


def test_arabic_feed_is_served_in_windows_1256(publisher, client):
    response = client.get(outlet(publisher, "hespress-ar")["feed_url"])
    assert response.content.startswith(b'<?xml version="1.0" encoding="windows-1256"?>')
    assert response.headers["content-type"] == "application/rss+xml; charset=windows-1256"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    titles = [entry.title for entry in feedparser.parse(response.content).entries]
    assert "المغرب ضيف شرف مهرجان باريس للكتاب" in titles


def test_arabic_pages_declare_windows_1256_only_in_html(publisher, client):
    declarations = set()
    for article, url in zip(ARTICLES["hespress-ar"], publisher.article_urls("hespress-ar")):
        response = client.get(url)
        assert response.headers["content-type"] == "text/html"
        head = response.content.split(b"</head>")[0]
        declarations |= set(re.findall(rb'<meta (charset|http-equiv)="?[^>]*windows-1256', head))
        assert article.paragraphs[0] in unescape(response.content.decode("windows-1256"))
    assert declarations == {b"charset", b"http-equiv"}


@pytest.mark.parametrize("path", ["/lopinion/xml/syndication.rss", "/le360/feeds/atom.xml", "/hespress-fr/",
                                  "/media/pub-728x90.png"])
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_conditional_get_answers_304(publisher, client, path, encoding):
    url = publisher.base_url + path
    first = client.get(url, headers={"Accept-Encoding": encoding})
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    matching = ({"If-None-Match": etag}, {"If-Modified-Since": last_modified}, {"If-None-Match": f'"stale", {etag}'})
    for validators in matching:
        again = client.get(url, headers={"Accept-Encoding": encoding, **validators})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "Thu, 01 Jan 2004 00:00:00 GMT"}).status_code == 200


def test_gzip_follows_accept_encoding(publisher, client):
    url = outlet(publisher, "le360")["feed_url"]
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})  # httpx decodes the body
    assert "content-encoding" not in plain.headers and zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content and int(zipped.headers["content-length"]) < len(plain.content)
    headers = ["gzip, deflate, br", "br;q=1, gzip;q=0", "*;q=0.5", "identity", ""]
    assert [accepts_gzip(header) for header in headers] == [True, False, True, False, False]


def test_head_sends_headers_only(publisher, client):
    url, identity = publisher.article_urls("le360")[0], {"Accept-Encoding": "identity"}
    head, get = client.head(url, headers=identity), client.get(url, headers=identity)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"] and int(head.headers["content-length"]) == len(get.content)


@pytest.mark.parametrize("path", ["/nowhere", "/lopinion/no-such-article.html", "/bench-9/feed.rss"])
def test_unknown_paths_are_404(publisher, client, path):
    assert client.get(publisher.base_url + path).status_code == 404


@pytest.mark.parametrize("slug", HANDWRITTEN)
def test_article_pages_carry_metadata_and_text(publisher, client, slug):
    for article, url in zip(ARTICLES[slug], publisher.article_urls(slug)):
        assert 250 <= len(" ".join(article.paragraphs).split()) <= 700
        response = client.get(url)
        html = unescape(response.content.decode("windows-1256" if slug == "hespress-ar" else "utf-8"))
        image = re.search(r'<meta property="og:image" content="([^"]+)"', html).group(1)
        assert f'<link rel="canonical" href="{url}">' in html
        assert '<meta property="article:published_time"' in html
        assert f'<h1 class="entry-title">{article.title}</h1>' in html
        assert all(paragraph in html for paragraph in article.paragraphs)
        picture = client.get(image)
        assert picture.headers["content-type"] == "image/jpeg" and 1000 < len(picture.content) < 40_000


@pytest.mark.parametrize("slug", HANDWRITTEN)
def test_homepage_points_at_the_feed(publisher, client, slug):
    home = client.get(outlet(publisher, slug)["homepage"]).text
    links = re.findall(r'<link rel="alternate" type="application/(rss|atom)\+xml"[^>]* href="([^"]+)"', home)
    expected = [] if slug == "medias24" else [outlet(publisher, slug)["feed_url"]]
    assert [href for _, href in links] == expected


def test_robots_txt_disallows_private_and_lists_sitemaps(publisher, client):
    robots = client.get(publisher.base_url + "/robots.txt").text
    assert "User-agent: *\nDisallow: /private/\n" in robots
    assert f"Sitemap: {publisher.base_url}/medias24/news-sitemap.xml" in robots.splitlines()


def test_stories_are_covered_by_several_outlets():
    covering = defaultdict(set)
    for slug, articles in ARTICLES.items():
        for article in articles:
            if article.story:
                covering[article.story].add(slug)
    assert covering == {
        "fes-plane-crash": {"le360", "hespress-fr", "medias24"},
        "paris-book-festival": {"lopinion", "le360", "hespress-fr", "hespress-ar"},
        "hackers-34-gb": {"hespress-fr", "marruecos-hoy", "morocco-world-news"},
        "finance-bill": {"lopinion", "hespress-ar", "morocco-world-news"},
    }


@pytest.mark.parametrize(("path", "status"), [("/broken/404.rss", 404), ("/broken/500.rss", 500),
                                              ("/broken/invalid.rss", 200)])
def test_failure_routes(publisher, client, path, status):
    response = client.get(publisher.base_url + path)
    assert response.status_code == status
    if status == 200:
        parsed = feedparser.parse(response.content)
        assert parsed.bozo and parsed.entries == [] and not parsed.feed.get("title")


def test_slow_route_makes_clients_time_out(publisher, client):
    with pytest.raises(httpx.ReadTimeout):
        client.get(publisher.base_url + "/broken/slow.rss", timeout=0.3)


def test_stop_releases_a_waiting_slow_request():
    outcome = []
    publisher = SamplePublisher().start()

    def fetch():
        try:
            outcome.append(httpx.get(publisher.base_url + "/broken/slow.rss", timeout=10, trust_env=False).status_code)
        except httpx.TransportError as error:
            outcome.append(type(error).__name__)

    waiting = threading.Thread(target=fetch)
    waiting.start()
    time.sleep(0.2)
    started = time.monotonic()
    publisher.stop()
    waiting.join(5)
    assert time.monotonic() - started < 3 and outcome and outcome != [200]


def test_extra_outlets_generate_realistic_pages(publisher, client):
    for slug in ("bench-1", "bench-2"):
        parsed = feedparser.parse(client.get(outlet(publisher, slug)["feed_url"]).content)
        assert [entry.link for entry in parsed.entries] == publisher.article_urls(slug) and len(parsed.entries) == 7
        for url in publisher.article_urls(slug):
            page = client.get(url, headers={"Accept-Encoding": "identity"}).content
            assert 5_000 <= len(page) <= 15_000 and b'property="og:image"' in page and b'class="comment"' in page


def test_generated_pages_are_deterministic():
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    first, second = (Site("http://127.0.0.1:1", now=now, extra_outlets=1, articles_per_outlet=3) for _ in range(2))
    path = first.outlet("bench-1").articles[2].path
    assert first.resolve(path).body == second.resolve(path).body


def test_request_log_records_method_and_path(publisher, client):
    client.head(publisher.base_url + "/robots.txt?probe=1")
    assert ("HEAD", "/robots.txt?probe=1") in publisher.request_log


def test_runs_standalone():
    command = [sys.executable, "-m", "akhbar.demo.publisher", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        first_line = process.stdout.readline()
        base_url = first_line.split()[-1].rstrip("/")
        assert first_line.startswith("Sample publisher on http://127.0.0.1:")
        assert httpx.get(base_url + "/robots.txt", trust_env=False).status_code == 200
    finally:
        process.terminate()
        process.wait(5)
