"""Publishers' control: the display mode an operator sets per outlet, and takedowns that stick."""

import lxml.html
import pytest
from django.contrib.auth.models import User
from django.test import Client

from akhbar.news.models import Article, Takedown
from akhbar.news.services import TakedownError, article_takedown
from akhbar.search.selectors import search_articles
from akhbar.sources.models import Outlet
from tests.helpers import akhbar_ok, crawl_all, sqlite_rows

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crawled(demo_outlets):
    crawl_all()
    return Article.objects.filter(outlet__slug="lopinion").exclude(content_html="").order_by("pk").first()


def page_text(url: str) -> tuple[int, str]:
    """The page's status and its text as a reader sees it."""
    response = Client().get(url)
    return response.status_code, lxml.html.fromstring(response.content).text_content()


def first_words(text: str) -> str:
    return " ".join(text.split()[:5])


@pytest.mark.parametrize(("mode", "shows_excerpt", "shows_body"), [
    (Outlet.Display.FULL, False, True), (Outlet.Display.EXCERPT, True, False), (Outlet.Display.HEADLINE, False, False),
])
def test_the_article_page_shows_what_the_outlet_allows(crawled, mode, shows_excerpt, shows_body):
    Outlet.objects.filter(pk=crawled.outlet_id).update(display=mode)
    status, page = page_text(crawled.get_absolute_url())
    assert status == 200 and crawled.title in page
    assert "Cliquez ici pour lire l'article depuis sa source." in page
    body = lxml.html.fromstring(Client().get(crawled.get_absolute_url()).content).xpath('//div[@class="article-body"]')
    assert bool(body) is shows_body
    text = lxml.html.fromstring(crawled.content_html).text_content()
    ending = " ".join(text.split()[-6:])  # past any excerpt: only the full text shows it
    assert ending not in crawled.excerpt()
    assert (ending in page) is shows_body
    if not shows_body:  # (the full text may begin with the excerpt's words)
        assert (first_words(crawled.excerpt()) in page) is shows_excerpt


def test_a_takedown_removes_the_article_everywhere_at_once(crawled):
    url, title, page = crawled.url, crawled.title, crawled.get_absolute_url()
    outlet_page = f"/fr/{crawled.outlet.slug}/"
    assert title in page_text(outlet_page)[1]  # cached now
    word = max(title.split(), key=len)
    assert crawled.pk in [a.pk for a in search_articles(word).articles]

    done = article_takedown(target=url, reason="Demande de L'opinion du 27/11", by="operateur")

    assert not Article.objects.filter(url=url).exists() and done.article_id == crawled.pk
    status, gone = page_text(page)
    assert status == 410 and "retiré à la demande de son éditeur" in gone
    assert title not in page_text(outlet_page)[1]  # the cached copy is stale
    assert crawled.pk not in [a.pk for a in search_articles(word).articles]


def test_the_crawler_never_adds_a_taken_down_article_again(crawled):
    article_takedown(target=crawled.url, reason="Demande de l'éditeur", by="operateur")
    crawl_all()  # every feed again, forced
    assert not Article.objects.filter(url=crawled.url).exists()
    assert not Article.objects.filter(outlet_id=crawled.outlet_id, guid=crawled.guid).exclude(guid="").exists()


def test_an_address_can_be_taken_down_before_it_is_crawled(crawled):
    url = crawled.url
    Article.objects.filter(pk=crawled.pk).delete()  # as if never crawled: the publisher asked first
    article_takedown(target=url, reason="Demande préalable", by="operateur")
    crawl_all()
    assert not Article.objects.filter(url=url).exists()
    assert Takedown.objects.get(url=url).article_id is None


def test_a_takedown_needs_a_reason_and_a_real_target(crawled):
    with pytest.raises(TakedownError, match="say why"):
        article_takedown(target=crawled.url, reason=" ", by="x")
    with pytest.raises(TakedownError, match="neither"):
        article_takedown(target="javascript:alert(1)", reason="r", by="x")
    with pytest.raises(TakedownError, match="no article number"):
        article_takedown(target="999999", reason="r", by="x")


def test_our_page_address_names_the_article(crawled):
    done = article_takedown(target=f"http://testserver{crawled.get_absolute_url()}", reason="r", by="x")
    assert done.url == crawled.url and not Article.objects.filter(pk=crawled.pk).exists()


def test_operators_take_down_from_the_admin_with_a_reason_logged(crawled):
    User.objects.create_superuser("chef", password="motdepasse-solide")
    admin = Client()
    admin.login(username="chef", password="motdepasse-solide")
    changelist = "/admin/news/article/"
    form = {"action": "take_down", "_selected_action": [crawled.pk], "reason": ""}
    admin.post(changelist, form)
    assert Article.objects.filter(pk=crawled.pk).exists()  # no reason, no takedown
    admin.post(changelist, {**form, "reason": "Courriel de la rédaction"})
    logged = Takedown.objects.get(article_id=crawled.pk)
    assert (logged.reason, logged.requested_by, logged.url) == ("Courriel de la rédaction", "chef", crawled.url)
    assert "Courriel de la rédaction" in admin.get("/admin/news/takedown/").content.decode()


def test_the_terminal_takedown(tmp_path, sample_publisher):
    akhbar_ok(tmp_path, "manage", "migrate", "--verbosity", "0")
    akhbar_ok(tmp_path, "sources", "add", "--name", "L'opinion", "--slug", "lopinion",
              "--feed", sample_publisher.outlets[0]["feed_url"])
    akhbar_ok(tmp_path, "crawl", "--once")
    database = tmp_path / "akhbar.sqlite3"
    (pk, url), *_ = sqlite_rows(database, "SELECT id, url FROM news_article ORDER BY id")
    output = akhbar_ok(tmp_path, "articles", "takedown", url, "--reason", "Demande écrite", "--by", "ops")
    assert f"article {pk}" in output and "Demande écrite" in output
    assert sqlite_rows(database, f"SELECT count(*) FROM news_article WHERE id = {pk}") == [(0,)]
    assert "Demande écrite" in akhbar_ok(tmp_path, "articles", "takedowns")
