"""Readers report an article's lead image in Chromium, with and without JavaScript, until it is blocked.

The demo runs behind a trusted proxy on loopback (its own server and data folder), so each reader is a
browser context with its own cookies and its own X-Forwarded-For address, each in a different /24.
The tests run in file order on that one server: each leaves the image's reports where the next one
expects them (two distinct readers, then the third, AKHBAR_IMAGE_REPORT_THRESHOLD's default).
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ticker_items

DESKTOP = {"width": 1280, "height": 800}
OUTLET = "L'opinion"
TITLE = "Salon du livre de Paris : le Maroc invité d'honneur"
REPORT = "Signaler cette image"
THANKS = (
    "Merci d'avoir signalé!",
    "Cette image sera automatiquement bloquée après qu'elle soit signalée par plusieurs personnes.",
)
BACK = "Revenir à l'article"
# Each reader in another /24, so that neither their cookie nor their network is counted twice.
READER_1, READER_2, READER_3 = "203.0.113.1", "198.51.100.7", "192.0.2.9"
ONLOOKER_BEFORE, ONLOOKER_AFTER = "100.64.1.20", "100.64.2.30"
LEAD_IMAGE = re.compile(r'<figure class="lead-image" data-image="(?P<sha256>[0-9a-f]{64})">\s*<img src="(?P<src>[^"]+)"')


@dataclass(frozen=True)
class Article:
    path: str
    sha256: str
    image: str  # the lead image's address on our site, /img/<sha256>/m.webp


@pytest.fixture(scope="module")
def site(demo_site_behind_proxy):
    """The demo once its first crawl has brought L'opinion's Salon du livre article."""

    def crawled(page: str) -> bool:
        return any(i.outlet == OUTLET and i.title == TITLE for i in ticker_items(page))

    demo_site_behind_proxy.wait_until(crawled, what=f"{OUTLET}'s {TITLE!r} in the ticker")
    return demo_site_behind_proxy


@pytest.fixture(scope="module")
def article(site) -> Article:
    """The Salon du livre article if its lead image is shown, else the first ticker article with one."""
    items = sorted(ticker_items(site.get("/fr/") or ""), key=lambda i: (i.outlet, i.title) != (OUTLET, TITLE))
    for item in items:
        found = LEAD_IMAGE.search(site.get(item.href) or "")
        if found:
            return Article(path=item.href, sha256=found["sha256"], image=found["src"])
    pytest.fail(f"no article in the ticker shows a lead image:\n{site.log_tail()}")


def open_reader(pages, address: str, *, javascript: bool = True):
    """A new reader (no cookies, no cache) whose requests reach Akhbar from `address` through the proxy."""
    return pages.open(**DESKTOP, extra_http_headers={"X-Forwarded-For": address}, java_script_enabled=javascript)


def assert_image_shown(page, site, article: Article) -> None:
    figure = page.locator("figure.lead-image")
    expect(figure).to_have_attribute("data-image", article.sha256)
    image = figure.locator("img")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("src", article.image)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    expect(figure.get_by_role("button", name=REPORT, exact=True)).to_be_visible()
    assert page.request.get(site.url(article.image)).status == 200


def report_with_script(page, site, article: Article) -> None:
    """Click the report button; the script posts it and thanks the reader in place, under the image."""
    figure = page.locator("figure.lead-image")
    assert_image_shown(page, site, article)
    with page.expect_response(site.url(f"/fr/img/{article.sha256}/signaler/")) as answer:
        figure.get_by_role("button", name=REPORT, exact=True).click()
    assert answer.value.status == 200
    assert answer.value.request.headers["accept"] == "application/json"
    thanks = figure.get_by_role("status")
    for line in THANKS:
        expect(thanks.get_by_text(line, exact=True)).to_be_visible()
    expect(figure.get_by_role("button", name=REPORT)).to_have_count(0)
    assert page.url == site.url(article.path), "the script reports in place; the page must not change"
    image_box, thanks_box = figure.locator("img").bounding_box(), thanks.bounding_box()
    assert thanks_box["y"] >= image_box["y"] + image_box["height"] - 1, (image_box, thanks_box)


def test_readers_with_script_are_thanked_under_the_image_and_counted_once_each(site, article, pages, artifacts):
    first = open_reader(pages, READER_1)
    first.goto(site.url(article.path))
    report_with_script(first, site, article)
    first.locator("figure.lead-image").screenshot(path=artifacts / "report-confirmation-js.png")
    first.reload()
    report_with_script(first, site, article)  # the same reader again: thanked alike, but not counted
    second = open_reader(pages, READER_2)
    second.goto(site.url(article.path))
    report_with_script(second, site, article)

    # Two distinct readers so far, under the threshold of three: everyone still sees the image.
    onlooker = open_reader(pages, ONLOOKER_BEFORE)
    onlooker.goto(site.url(article.path))
    assert_image_shown(onlooker, site, article)
    assert pages.off_machine == []


def test_reader_without_script_gets_a_confirmation_page(site, article, pages, artifacts):
    page = open_reader(pages, READER_3, javascript=False)
    page.goto(site.url(article.path))
    assert_image_shown(page, site, article)
    page.locator("figure.lead-image").get_by_role("button", name=REPORT, exact=True).click()
    expect(page).to_have_url(site.url(f"/fr/img/{article.sha256}/signaler/"))
    confirmation = page.locator("section.report-confirmation")
    for line in THANKS:
        expect(confirmation.get_by_text(line, exact=True)).to_be_visible()
    expect(confirmation.get_by_role("link", name=BACK, exact=True)).to_have_attribute("href", article.path)
    page.screenshot(path=artifacts / "report-confirmation-nojs.png", full_page=True)
    assert pages.off_machine == []


def test_third_distinct_reader_blocks_the_image_for_everyone(site, article, pages, artifacts):
    page = open_reader(pages, ONLOOKER_AFTER)
    page.goto(site.url(article.path))
    figure = page.locator("figure.lead-image")
    expect(figure.get_by_role("img", name="Image retirée", exact=True)).to_be_visible()
    expect(figure.locator(".image-placeholder")).to_be_visible()
    expect(figure.locator("img")).to_have_count(0)
    expect(page.get_by_role("button", name=REPORT)).to_have_count(0)
    page.screenshot(path=artifacts / "report-placeholder.png", full_page=True)
    assert page.request.get(site.url(article.image)).status == 410
    assert pages.off_machine == []
