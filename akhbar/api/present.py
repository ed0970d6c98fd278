"""Articles, stories and outlets as the API shows them: absolute addresses, and only what each outlet allows.

An outlet's display mode is honoured as on the site: "full" gives the text, "excerpt" a few lines,
"headline" the title alone (no excerpt, no image). A blocked image is never given.
"""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from akhbar.moderation.selectors import blocked_image_ids
from akhbar.news.editions import edition_of
from akhbar.news.models import RENDITION_WIDTHS, Article, Story
from akhbar.news.selectors import TickerLine
from akhbar.sources.models import Outlet

FULL, HEADLINE = Outlet.Display.FULL, Outlet.Display.HEADLINE


def blocked_images(articles: list[Article]) -> set[int]:
    """The blocked images among these articles', in one query."""
    return blocked_image_ids(article.image_id for article in articles)


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _image(request: HttpRequest, article: Article, blocked: set[int]) -> dict | None:
    image = article.image
    if image is None or article.image_id in blocked or article.display == HEADLINE:
        return None
    width = min(image.width, RENDITION_WIDTHS["l"])
    return {"url": _absolute(request, image.large_url()), "width": width,
            "height": max(1, round(image.height * width / image.width)), "caption": article.image_caption}


def article_summary(request: HttpRequest, article: Article, blocked: set[int]) -> dict:
    category = article.category
    return {
        "id": article.pk,
        "title": article.title,
        "language": article.language,
        "outlet": {"slug": article.outlet.slug, "name": article.outlet.name},
        "category": {"slug": category.slug, "name": category.name} if category else None,
        "published_at": article.published_at,
        "url": article.url,
        "page": _absolute(request, article.get_absolute_url()),
        "api": _absolute(request, reverse("api:article", kwargs={"article_id": article.pk})),
        "excerpt": None if article.display == HEADLINE else article.excerpt(),
        "image": _image(request, article, blocked),
        "story_id": article.story_id,
    }


def article_summaries(request: HttpRequest, articles: list[Article]) -> list[dict]:
    blocked = blocked_images(articles)
    return [article_summary(request, article, blocked) for article in articles]


def summaries_by_id(request: HttpRequest, articles: list[Article]) -> dict[int, dict]:
    return {summary["id"]: summary for summary in article_summaries(request, articles)}


def article_detail(request: HttpRequest, article: Article) -> dict:
    blocked = blocked_images([article])
    return article_summary(request, article, blocked) | {
        "display": article.display,
        "author": article.author,
        "content_html": article.content_html if article.display == FULL else None,
    }


def headline(request: HttpRequest, line: TickerLine, article: Article) -> dict:
    """A ticker line: the story's headline (or the article alone in its story) and how many others tell it."""
    return {
        "title": article.title,
        "page": _absolute(request, article.get_absolute_url()),
        "url": article.url,
        "outlet": {"slug": article.outlet.slug, "name": article.outlet.name},
        "language": article.language,
        "published_at": article.published_at,
        "article_id": article.pk,
        "other_outlets": line.other_outlets,
        "story_id": line.story_id,
        "story_page": story_page(request, line.story_id, article.language) if line.other_outlets else None,
    }


def story_page(request: HttpRequest, story_id: int, language: str) -> str:
    with translation.override(edition_of(language)):
        return _absolute(request, reverse("story", kwargs={"story_id": story_id}))


def story_summary(request: HttpRequest, story: Story, headline: dict, language: str) -> dict:
    return {
        "id": story.pk,
        "headline": headline,
        "outlets_count": story.outlets_count,
        "articles_count": story.articles_count,
        "languages": list(story.languages or []),
        "first_published_at": story.first_published_at,
        "last_published_at": story.last_published_at,
        "page": story_page(request, story.pk, language),
        "api": _absolute(request, reverse("api:story", kwargs={"story_id": story.pk})),
    }


def outlet(request: HttpRequest, item: Outlet) -> dict:
    with translation.override(edition_of(item.language)):
        page = reverse("outlet", kwargs={"outlet_slug": item.slug})
    return {
        "slug": item.slug,
        "name": item.name,
        "homepage": item.homepage,
        "language": item.language,
        "display": item.display,
        "feeds_count": item.feeds_count,
        "page": _absolute(request, page),
        "articles": _absolute(request, reverse("api:articles") + f"?outlet={item.slug}"),
    }
