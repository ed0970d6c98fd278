"""Reads for the public site: what each page lists, in as few queries as possible."""

from datetime import date, datetime, time, timedelta

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from akhbar.news.models import Article
from akhbar.sources.models import Category, Outlet

TICKER_SIZE = 50
PER_GROUP = 5

# The list pages show cards; the article body is never needed there.
LIST_FIELDS = ("id", "title", "summary", "image_url", "published_at", "language", "outlet__slug", "outlet__name",
               "outlet_id", "category_id")


def _listing(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("outlet").only(*LIST_FIELDS)


def ticker_articles(*, limit: int = TICKER_SIZE) -> list[Article]:
    return list(_listing(Article.objects.order_by("-published_at", "-id"))[:limit])


def latest_per_group(field: str, *, per_group: int = PER_GROUP) -> list[Article]:
    """The latest few articles of every outlet or category, in one query (a window function)."""
    ranked = _listing(Article.objects.exclude(**{f"{field}__isnull": True})).annotate(
        rank=Window(RowNumber(), partition_by=F(field), order_by=[F("published_at").desc(), F("id").desc()])
    )
    return list(ranked.filter(rank__lte=per_group).order_by(field, "rank"))


def grouped(articles: list[Article], groups: dict[int, object], key: str) -> list[tuple[object, list[Article]]]:
    """Pair each group (outlet or category) with its articles, groups ordered as given."""
    by_group: dict[int, list[Article]] = {}
    for article in articles:
        by_group.setdefault(getattr(article, key), []).append(article)
    return [(group, by_group[group_id]) for group_id, group in groups.items() if group_id in by_group]


def home_sections() -> dict:
    categories = {c.pk: c for c in Category.objects.order_by("name")}
    outlets = {o.pk: o for o in Outlet.objects.filter(enabled=True).order_by("name")}
    return {
        "ticker": ticker_articles(),
        "by_category": grouped(latest_per_group("category_id"), categories, "category_id"),
        "by_outlet": grouped(latest_per_group("outlet_id"), outlets, "outlet_id"),
    }


def article_get(*, outlet_slug: str, article_id: int) -> Article:
    return get_object_or_404(
        Article.objects.select_related("outlet", "category", "image"), pk=article_id, outlet__slug=outlet_slug
    )


def outlet_more(article: Article, *, limit: int = PER_GROUP) -> list[Article]:
    return list(_listing(Article.objects.filter(outlet_id=article.outlet_id).exclude(pk=article.pk))[:limit])


def outlet_articles(outlet: Outlet) -> QuerySet[Article]:
    return _listing(Article.objects.filter(outlet=outlet)).order_by("-published_at", "-id")


def category_articles(category: Category) -> QuerySet[Article]:
    return _listing(Article.objects.filter(category=category)).order_by("-published_at", "-id")


def day_articles(day: date) -> QuerySet[Article]:
    """Articles published on a day of Moroccan time."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return _listing(
        Article.objects.filter(published_at__gte=start, published_at__lt=start + timedelta(days=1))
    ).order_by("-published_at", "-id")
