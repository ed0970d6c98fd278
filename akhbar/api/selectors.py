"""Reads for the API: articles by keyset, by ids in a given order, one article, stories and outlets.

The site's selectors pick which articles a list holds (ticker, top stories, a story's coverage, search);
the API then reads those articles again in one query with the columns it shows (original address,
category, image), rather than one query per article for the columns the site's lists leave out.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, F, Q, QuerySet, TextField, Value, When
from django.utils import timezone

from akhbar.api.cursor import Cursor
from akhbar.news.models import Article, Story
from akhbar.sources.models import Category, Outlet

SUMMARY_FIELDS = ("id", "title", "summary", "url", "published_at", "language", "story_id", "image_caption",
                  "outlet__slug", "outlet__name", "outlet__display", "category__slug", "category__name",
                  "image__sha256", "image__width", "image__height")
MERGE_HOPS = 5  # a story merged into one merged in turn...: more hops than this is a loop, not history


def _summaries(queryset: QuerySet[Article]) -> QuerySet[Article]:
    # The excerpt falls back on the text when the feed gave no summary: read it only for those articles.
    return queryset.select_related("outlet", "category", "image").only(*SUMMARY_FIELDS).annotate(
        text_without_summary=Case(When(summary="", then=F("content_html")), default=Value(""),
                                  output_field=TextField()))


def _with_text(articles: list[Article]) -> list[Article]:
    for article in articles:
        if not article.summary:  # the annotation is the real content_html: no extra query in excerpt()
            article.content_html = article.text_without_summary
    return articles


def articles_by_ids(ids: list[int]) -> list[Article]:
    """These articles, in this order, with what the API shows of each (missing ones left out)."""
    found = {article.pk: article for article in _summaries(Article.objects.filter(pk__in=ids))}
    return _with_text([found[pk] for pk in ids if pk in found])


@dataclass(frozen=True)
class ArticleFilters:
    language: str = ""
    outlet_id: int | None = None
    category_id: int | None = None
    since: date | None = None
    until: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def article_list(filters: ArticleFilters, *, after: Cursor | None, limit: int) -> list[Article]:
    """Up to `limit` articles, newest first (ties by id), strictly after the cursor's article."""
    articles = Article.objects.all()
    if filters.language:
        articles = articles.filter(language=filters.language)
    if filters.outlet_id is not None:
        articles = articles.filter(outlet_id=filters.outlet_id)
    if filters.category_id is not None:
        articles = articles.filter(category_id=filters.category_id)
    if filters.since:
        articles = articles.filter(published_at__gte=_day_start(filters.since))
    if filters.until:
        articles = articles.filter(published_at__lt=_day_start(filters.until + timedelta(days=1)))
    if after:
        # A range on published_at (an index walk), then the few equal to the cursor's set apart by id;
        # an OR of the two conditions would keep SQLite from walking the index.
        articles = articles.filter(published_at__lte=after.published_at).exclude(
            published_at=after.published_at, id__gte=after.article_id)
    return _with_text(list(_summaries(articles).order_by("-published_at", "-id")[:limit]))


def article_detail(article_id: int) -> Article | None:
    return Article.objects.select_related("outlet", "category", "image").filter(pk=article_id).first()


def outlet_id_by_slug(slug: str) -> int | None:
    return Outlet.objects.filter(slug=slug).values_list("pk", flat=True).first()


def category_id_by_slug(slug: str) -> int | None:
    return Category.objects.filter(slug=slug).values_list("pk", flat=True).first()


def story_current(story_id: int) -> Story | None:
    """The story, or the one it was merged into (two stories that grew together)."""
    story = Story.objects.select_related("headline").filter(pk=story_id).first()
    for _ in range(MERGE_HOPS):
        if story is None or not story.merged_into_id:
            break
        story = Story.objects.select_related("headline").filter(pk=story.merged_into_id).first()
    return story


def _outlets() -> QuerySet[Outlet]:
    return Outlet.objects.filter(enabled=True).annotate(
        feeds_count=Count("feeds", filter=Q(feeds__enabled=True))).order_by("name")


def outlet_list() -> list[Outlet]:
    """The enabled outlets, by name, each with its enabled feeds counted."""
    return list(_outlets())


def outlet_enabled(slug: str) -> Outlet | None:
    return _outlets().filter(slug=slug).first()
