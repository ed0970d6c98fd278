"""Stories on the site: one ticker line per story, the coverage on the article page, the story page."""

import re

import pytest

from akhbar.crawl.store import url_hash
from akhbar.news.models import Article, Story
from akhbar.stories.store import stories_assign
from akhbar.sources.services import outlet_upsert
from tests.helpers import crawl_all

pytestmark = pytest.mark.django_db(transaction=True)

PLANE = "Fès : un avion de tourisme s'écrase près de l'aéroport de Saïss, deux morts"


@pytest.fixture
def crawled(demo_outlets):
    crawl_all()


def plane_story() -> Story:
    return Article.objects.get(title=PLANE).story


def test_the_ticker_shows_each_story_once_with_its_other_outlets(crawled, client):
    page = client.get("/fr/").content.decode()
    ticker = page.split('class="ticker-list"')[1].split("</ol>")[0]
    story = plane_story()
    assert ticker.count(f'href="/fr/sujet/{story.pk}/"') == 1
    assert "+2 médias" in ticker
    plane_titles = set(Article.objects.filter(story=story).values_list("title", flat=True))
    shown = [t for t in re.findall(r'dir="auto">([^<]+)</a>', ticker) if t.replace("&#x27;", "'") in plane_titles]
    assert len(shown) == 1


def test_the_home_page_ranks_stories_told_by_several_outlets(crawled, client):
    page = client.get("/fr/").content.decode()
    top = page.split('id="top-stories-title"')[1].split("</section>")[0]
    assert f'href="/fr/sujet/{plane_story().pk}/"' in top and "3 médias" in top


def test_the_article_page_lists_the_same_story_elsewhere_with_languages(crawled, client):
    article = Article.objects.get(title__startswith="Des hackers marocains publient 34 Go")
    page = client.get(article.get_absolute_url()).content.decode()
    coverage = page.split('id="coverage-title"')[1].split("</aside>")[0]
    assert "Hackers marroquíes publican 34 GB" in coverage and '<span class="lang-badge" lang="es">ES</span>' in coverage
    assert article.title not in coverage


def test_the_story_page_groups_by_language_and_names_who_published_first(crawled, client):
    story = Article.objects.get(title="Le Maroc invité d’honneur du Festival du livre de Paris").story
    page = client.get(story.get_absolute_url()).content.decode()
    sections = re.findall(r'<section class="story-language" lang="(\w+)"', page)
    assert sections == ["fr", "ar"]
    first = Article.objects.filter(story=story).order_by("published_at", "pk").select_related("outlet").first()
    assert f"Publié en premier par {first.outlet.name}".replace("'", "&#x27;") in page


def test_a_wire_copy_is_credited_to_every_outlet_that_ran_it(crawled, client):
    original = Article.objects.get(title=PLANE)
    map_outlet = outlet_upsert(name="MAP", slug="map", language="fr")
    copy = Article.objects.create(
        outlet=map_outlet, url="https://map.example/avion", url_hash=url_hash("https://map.example/avion"),
        title=original.title, summary=original.summary, content_html=original.content_html, language="fr",
        published_at=original.published_at,
    )
    stories_assign([copy])
    page = client.get(original.get_absolute_url()).content.decode()
    assert "Aussi publié par : MAP" in page


def test_a_merged_story_sends_readers_to_the_one_that_took_it_in(crawled, client):
    kept, gone = Story.objects.filter(merged_into__isnull=True)[:2]
    gone.merged_into = kept
    gone.save()
    response = client.get(gone.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == kept.get_absolute_url()


def test_operators_see_stories_and_their_articles_in_the_admin(crawled, admin_client):
    story = plane_story()
    assert admin_client.get("/admin/news/story/").status_code == 200
    page = admin_client.get(f"/admin/news/story/{story.pk}/change/").content.decode()
    assert all(title.replace("'", "&#x27;") in page
               for title in Article.objects.filter(story=story).values_list("title", flat=True))
