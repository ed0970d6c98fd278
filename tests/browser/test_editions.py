"""The four editions of `akhbar up --demo` in Chromium: each home and article speaks its language, Arabic mirrored.

The interface strings are the translations in akhbar/locale/*/LC_MESSAGES/django.po, written out here as a
reader sees them, so a translation that goes missing (or is not compiled) fails here.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

import akhbar
from tests.browser.conftest import ticker_items

DEMO_OUTLETS = Path(akhbar.__file__).parent / "demo" / "data" / "outlets"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844, "mobile": True}
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
DATE = r"\d{2} - \d{2} - \d{4}"


@dataclass(frozen=True)
class Edition:
    code: str
    direction: str
    ticker: str  # "À la une"
    published: str  # "Publié dans {outlet} le {date}", with the .po file's placeholders
    source: str  # "Cliquez ici pour lire l'article depuis sa source."

    def published_line(self, outlet: str) -> re.Pattern:
        """The article line for an article of `outlet`, whatever its date."""
        pattern = re.escape(self.published).replace(re.escape("{outlet}"), re.escape(outlet))
        return re.compile("^" + pattern.replace(re.escape("{date}"), DATE) + "$")


EDITIONS = {
    edition.code: edition for edition in (
        Edition("fr", "ltr", "À la une", "Publié dans {outlet} le {date}",
                "Cliquez ici pour lire l'article depuis sa source."),
        Edition("ar", "rtl", "آخر الأخبار", "نشر في {outlet} يوم {date}", "اضغط هنا لقراءة المقال من مصدره."),
        Edition("es", "ltr", "Portada", "Publicado en {outlet} el {date}",
                "Haga clic aquí para leer el artículo en su fuente."),
        Edition("en", "ltr", "Top headlines", "Published in {outlet} on {date}",
                "Click here to read the article at its source."),
    )
}
# How the edition switcher names each edition: in that edition's own language, whatever the page's.
OWN_NAMES = ["Français", "العربية", "Español", "English"]


def sample_outlets_by_language() -> dict[str, set[str]]:
    """The sample publisher's outlet names by language: each edition's ticker holds those of its own, only those."""
    names: dict[str, set[str]] = {code: set() for code in EDITIONS}
    for outlet in map(json.loads, map(Path.read_text, DEMO_OUTLETS.glob("*.json"))):
        names[outlet["lang"]].add(outlet["name"])
    return names


OUTLETS_BY_LANGUAGE = sample_outlets_by_language()


@pytest.fixture(scope="module")
def site(demo_site):
    """The demo once its first crawl is done: every edition's ticker holds every sample outlet of its language."""

    def crawled(_root_page: str) -> bool:
        # wait_until polls "/" (the French edition, for a client without Accept-Language); look at each edition.
        return all(
            {item.outlet for item in ticker_items(demo_site.get(f"/{code}/") or "")} >= OUTLETS_BY_LANGUAGE[code]
            for code in EDITIONS
        )

    demo_site.wait_until(crawled, what="headlines in the ticker of every edition")
    return demo_site


def ticker(page, edition: Edition):
    """The home's ticker, found by its heading in the edition's language."""
    region = page.get_by_role("region", name=edition.ticker, exact=True)
    expect(region).to_be_visible()
    expect(region.get_by_role("heading", level=2)).to_have_text(edition.ticker)
    return region


def assert_language_and_direction(page, edition: Edition) -> None:
    expect(page.locator("html")).to_have_attribute("lang", edition.code)
    expect(page.locator("html")).to_have_attribute("dir", edition.direction)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def open_first_ticker_article(page, edition: Edition) -> tuple[str, str]:
    """Follow the ticker's first headline; its (title, outlet)."""
    first = ticker(page, edition).get_by_role("listitem").first
    title, outlet = first.get_by_role("link").first.inner_text(), first.locator(".ticker-outlet").inner_text()
    first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return title, outlet


@pytest.mark.parametrize("code", EDITIONS)
def test_each_home_lists_its_languages_headlines_in_its_language(site, pages, artifacts, code):
    edition = EDITIONS[code]
    page = pages.open(**DESKTOP)
    page.goto(site.url(f"/{code}/"))
    assert_language_and_direction(page, edition)
    region = ticker(page, edition)
    titles = region.locator(".ticker-list > li > a[dir=auto]").all_inner_texts()
    outlets = set(region.locator(".ticker-outlet").all_inner_texts())
    assert titles and outlets == OUTLETS_BY_LANGUAGE[code], outlets
    in_arabic = [bool(ARABIC_LETTER.search(title)) for title in titles]
    assert all(in_arabic) if code == "ar" else not any(in_arabic), titles
    page.screenshot(path=artifacts / f"edition-{code}-home.png", full_page=True)
    assert pages.off_machine == []


@pytest.mark.parametrize("code", EDITIONS)
def test_each_editions_article_page_speaks_its_language(site, pages, artifacts, code):
    edition = EDITIONS[code]
    page = pages.open(**DESKTOP)
    page.goto(site.url(f"/{code}/"))
    _, outlet = open_first_ticker_article(page, edition)
    assert urlsplit(page.url).path.startswith(f"/{code}/")
    assert_language_and_direction(page, edition)
    expect(page.locator("p.published")).to_have_text(edition.published_line(outlet))
    expect(page.get_by_role("link", name=edition.source, exact=True)).to_be_visible()
    page.screenshot(path=artifacts / f"edition-{code}-article.png", full_page=True)
    assert pages.off_machine == []


@pytest.mark.parametrize("code", EDITIONS)
def test_each_edition_fits_a_phone(site, pages, artifacts, code):
    edition = EDITIONS[code]
    page = pages.open(**PHONE)
    page.goto(site.url(f"/{code}/"))
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=artifacts / f"edition-{code}-home-phone.png", full_page=True)
    open_first_ticker_article(page, edition)
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=artifacts / f"edition-{code}-article-phone.png", full_page=True)
    assert pages.off_machine == []


def test_the_arabic_edition_is_the_french_one_mirrored(site, pages):
    french, arabic = pages.open(**DESKTOP), pages.open(**DESKTOP)
    french.goto(site.url("/fr/"))
    arabic.goto(site.url("/ar/"))
    width = DESKTOP["width"]
    french_brand = french.locator(".masthead .brand").bounding_box()
    arabic_brand = arabic.locator(".masthead .brand").bounding_box()
    # The brand sits as far from the right edge in Arabic as it does from the left edge in French.
    assert arabic_brand["x"] > width / 2, arabic_brand
    assert abs((width - arabic_brand["x"] - arabic_brand["width"]) - french_brand["x"]) <= 2, (arabic_brand, french_brand)

    region = ticker(arabic, EDITIONS["ar"])
    expect(region.locator(".ticker-list")).to_have_css("direction", "rtl")
    for item in region.get_by_role("listitem").all()[:5]:
        link = item.get_by_role("link").first
        expect(link).to_have_css("direction", "rtl")
        line, text = item.bounding_box(), link.bounding_box()
        assert abs((line["x"] + line["width"]) - (text["x"] + text["width"])) <= 2, "the headline starts at the right"
    assert pages.off_machine == []


def test_an_arabic_articles_coverage_in_other_languages_reads_left_to_right(site, pages, artifacts):
    page = pages.open(**DESKTOP)
    page.goto(site.url("/ar/"))
    told_elsewhere = ticker(page, EDITIONS["ar"]).get_by_role("listitem").filter(has=page.locator(".ticker-more"))
    told_elsewhere.first.get_by_role("link").first.click()
    coverage, article = page.locator("aside.coverage"), page.locator("article.article").bounding_box()
    expect(coverage).to_be_visible()
    column = coverage.bounding_box()
    assert abs(column["x"] - article["x"]) <= 1 and abs(column["width"] - article["width"]) <= 1, (column, article)
    foreign = coverage.locator(".card").filter(has=page.locator(".card-title:not([lang=ar])")).all()
    assert foreign, "the story is told in other languages"
    for card in foreign:  # title and meta line both start at the left, as the title's language reads
        expect(card).to_have_css("direction", "ltr")
        box, meta = card.bounding_box(), card.locator(".card-meta").bounding_box()
        assert abs(meta["x"] - box["x"]) <= 2, (meta, box)
    page.screenshot(path=artifacts / "edition-ar-coverage.png", full_page=True)
    assert pages.off_machine == []


@pytest.mark.parametrize("code", EDITIONS)
def test_the_edition_switcher_names_each_edition_in_its_own_language(site, pages, code):
    page = pages.open(**DESKTOP)
    page.goto(site.url(f"/{code}/"))
    assert page.locator("nav.editions").get_by_role("link").all_inner_texts() == OWN_NAMES
    assert pages.off_machine == []
