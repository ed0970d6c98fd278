"""A reader's journey through `akhbar up --demo`, in Chromium: the ticker, an article, a phone, Ctrl-C.

The tests run in file order on one server (module fixture); the last one stops it as a user would.
"""

import json
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

import akhbar
from tests.browser.conftest import ticker_items

DEMO_OUTLETS = Path(akhbar.__file__).parent / "demo" / "data" / "outlets"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844, "mobile": True}
SOURCE_LINK = "Cliquez ici pour lire l'article depuis sa source."
BYLINE = "Publié dans L'opinion le 04 - 10 - 2024"


def sample_article(outlet_file: str, day: str) -> dict:
    """The article the sample publisher gives for that outlet and day (its title and path)."""
    outlet = json.loads((DEMO_OUTLETS / outlet_file).read_text())
    [article] = [a for a in outlet["articles"] if a.get("published", "").startswith(day)]
    return {"outlet": outlet["name"], **article}


TARGET = sample_article("lopinion.json", "2024-10-04")
# The French edition's ticker: the French outlets' headlines (the others are in their own editions).
OUTLET_NAMES = {outlet["name"] for outlet in map(json.loads, map(Path.read_text, DEMO_OUTLETS.glob("*.json")))
                if outlet["lang"] == "fr"}


@pytest.fixture(scope="module")
def site(demo_site):
    """The demo once its first crawl is done: the ticker holds every French outlet, L'opinion's 04-10-2024 among them."""

    def crawled(page: str) -> bool:
        items = ticker_items(page)
        return {i.outlet for i in items} >= OUTLET_NAMES and any(
            i.outlet == TARGET["outlet"] and i.title == TARGET["title"] for i in items
        )

    demo_site.wait_until(crawled, what="ticker with every sample outlet")
    return demo_site


def assert_french_left_to_right(page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def open_target_from_ticker(page) -> None:
    ticker = page.get_by_role("region", name="À la une")
    entry = ticker.get_by_role("listitem").filter(has=page.get_by_text(TARGET["outlet"], exact=True))
    entry.get_by_role("link", name=TARGET["title"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TARGET["title"])


def test_home_ticker_shows_headlines_from_several_outlets(site, pages, artifacts):
    page = pages.open(**DESKTOP)
    page.goto(site.url("/fr/"))
    ticker = page.get_by_role("region", name="À la une")
    expect(ticker).to_be_visible()
    expect(ticker.get_by_role("link").first).to_be_visible()
    outlets = set(ticker.locator(".ticker-outlet").all_inner_texts())
    assert len(outlets) >= 3, outlets
    assert ticker.get_by_role("link").count() >= 10
    assert_french_left_to_right(page)
    page.screenshot(path=artifacts / "home-desktop.png", full_page=True)
    assert pages.off_machine == []


def test_ticker_link_leads_to_lopinions_article_with_its_source(site, pages, artifacts):
    page = pages.open(**DESKTOP)
    page.goto(site.url("/fr/"))
    open_target_from_ticker(page)
    byline = page.get_by_text(BYLINE, exact=True)
    expect(byline).to_be_visible()
    assert byline.inner_text() == BYLINE
    source = page.get_by_role("link", name=SOURCE_LINK, exact=True)
    expect(source).to_be_visible()
    original = urlsplit(source.get_attribute("href"))
    assert (original.scheme, original.hostname, original.path) == ("http", "127.0.0.1", TARGET["path"])
    assert original.port != urlsplit(site.base_url).port, "the source link must leave Akhbar for the publisher"
    with urllib.request.urlopen(original.geturl(), timeout=10) as response:  # the sample publisher's own page
        assert response.status == 200
    assert_french_left_to_right(page)
    page.screenshot(path=artifacts / "article-desktop.png", full_page=True)
    assert pages.off_machine == []


def test_phone_pages_have_no_horizontal_scroll(site, pages, artifacts):
    page = pages.open(**PHONE)
    page.goto(site.url("/fr/"))
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=artifacts / "home-phone.png", full_page=True)
    open_target_from_ticker(page)
    expect(page.get_by_text(BYLINE, exact=True)).to_be_visible()
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=artifacts / "article-phone.png", full_page=True)
    assert pages.off_machine == []


def test_search_from_the_masthead_finds_french_and_arabic_whatever_the_spelling(site, pages, artifacts):
    page = pages.open(**DESKTOP)
    page.goto(site.url("/fr/"))
    box = page.get_by_role("searchbox", name="Rechercher")
    box.fill("salon livre invite")  # no accent on "invité"
    box.press("Enter")
    found = page.locator(".search-results li", has_text=TARGET["title"])
    expect(found.locator("a.card-title")).to_have_text(TARGET["title"])
    expect(found.locator("mark").first).to_have_text("Salon")
    page.screenshot(path=artifacts / "search-french.png", full_page=True)

    # An Arabic query with tashkeel and another alef form finds the Arabic article, right to left.
    page.locator(".search-form").get_by_role("searchbox").fill("مِهْرَجَان باريس")
    page.locator(".search-form").get_by_role("button", name="Rechercher").click()
    arabic = page.locator(".search-results li", has_text="المغرب ضيف شرف مهرجان باريس للكتاب")
    expect(arabic).to_have_attribute("lang", "ar")
    expect(arabic.locator("a.card-title")).to_have_css("direction", "rtl")
    expect(arabic.locator("mark").first).to_have_text("مهرجان")
    page.screenshot(path=artifacts / "search-arabic.png", full_page=True)


def test_ctrl_c_stops_akhbar_cleanly(site):
    assert site.interrupt() == 0, site.log_tail()
    assert "Akhbar stopped." in site.log_tail()
