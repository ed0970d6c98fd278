"""A small newsroom for the API's tests: outlets of each display mode, a story told in two languages, images
(one blocked), and articles sharing their publication times, written to the real test database."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from akhbar.crawl.store import url_hash
from akhbar.moderation.services import image_block
from akhbar.news.models import Article, Image, Story
from akhbar.search.index import index_articles
from akhbar.sources.models import Outlet
from akhbar.sources.services import categories_ensure, feed_add, outlet_upsert


@dataclass
class Newsroom:
    full: Article  # L'Opinion shows the text
    excerpt: Article  # Le360 allows an excerpt
    headline: Article  # Hespress allows the title alone
    blocked: Article  # its image was blocked after reports
    story: Story
    articles: list[Article]


def _image(n: int, phash: int) -> Image:
    sha = hashlib.sha256(f"api-image-{n}".encode()).hexdigest()
    return Image.objects.create(sha256=sha, phash=phash, width=1600, height=900,
                                source_url=f"https://cdn.example/{n}.jpg")


def make_article(outlet: Outlet, n: int, *, when: datetime, language: str = "fr", **fields) -> Article:
    url = f"https://{outlet.slug}.example/{n}"
    fields = {"title": f"Titre {n} de {outlet.name}", "summary": f"Résumé de l'article {n}.",
              "content_html": f"<p>Texte intégral de l'article {n}.</p>", **fields}
    return Article.objects.create(outlet=outlet, url=url, url_hash=url_hash(url), published_at=when,
                                  language=language, **fields)


@pytest.fixture
def newsroom(transactional_db) -> Newsroom:
    categories = categories_ensure()
    full = outlet_upsert(name="L'Opinion", slug="lopinion", category="politique")
    excerpt = outlet_upsert(name="Le360", slug="le360")
    headline = outlet_upsert(name="Hespress", slug="hespress", language="ar")
    Outlet.objects.filter(pk=excerpt.pk).update(display=Outlet.Display.EXCERPT)
    Outlet.objects.filter(pk=headline.pk).update(display=Outlet.Display.HEADLINE)
    outlet_upsert(name="Ancien média", slug="ancien")
    Outlet.objects.filter(slug="ancien").update(enabled=False)
    feed_add(outlet=full, url="https://lopinion.example/rss")
    feed_add(outlet=full, url="https://lopinion.example/politique/rss")
    feed_add(outlet=excerpt, url="https://le360.example/rss")
    full, excerpt, headline = (Outlet.objects.get(pk=o.pk) for o in (full, excerpt, headline))

    now = timezone.now().replace(microsecond=0)
    shown, hidden = _image(1, 0x0F0F_0F0F_0F0F_0F0F), _image(2, 0x7777_0000_FFFF_1234)
    image_block(image=hidden, actor="tests")
    politics = categories["politique"]
    story_full = make_article(full, 1, when=now - timedelta(hours=3), title="Le gouvernement présente le budget",
                              category=politics, image=shown, image_caption="Le ministre à Rabat")
    story_excerpt = make_article(excerpt, 2, when=now - timedelta(hours=2), image=shown,
                                 title="Budget : ce que prévoit le gouvernement")
    story_headline = make_article(headline, 3, when=now - timedelta(hours=1), language="ar", image=shown,
                                  title="الحكومة تقدم مشروع الميزانية")
    blocked = make_article(full, 4, when=now - timedelta(hours=5), image=hidden, summary="",
                           content_html="<p>Sans résumé : l'extrait vient du <b>texte</b>.</p>")
    story = Story.objects.create(first_published_at=story_full.published_at, last_published_at=now - timedelta(hours=1),
                                 articles_count=3, outlets_count=3, languages=["fr", "ar"], headline=story_full)
    Article.objects.filter(pk__in=[story_full.pk, story_excerpt.pk, story_headline.pk]).update(story=story)
    # Older articles, five to a second: the keyset must tell them apart by id.
    older = [make_article((full, excerpt)[n % 2], 10 + n, when=now - timedelta(days=1, seconds=n // 5))
             for n in range(40)]
    articles = [story_full, story_excerpt, story_headline, blocked, *older]
    index_articles([a.pk for a in articles])
    fresh = {a.pk: a for a in Article.objects.select_related("outlet").filter(pk__in=[a.pk for a in articles])}
    return Newsroom(full=fresh[story_full.pk], excerpt=fresh[story_excerpt.pk], headline=fresh[story_headline.pk],
                    blocked=fresh[blocked.pk], story=story, articles=[fresh[a.pk] for a in articles])


@pytest.fixture
def generous_rate(settings):
    """A limit no test reaches, unless it sets its own."""
    settings.API_RATE = "100000/minute"
