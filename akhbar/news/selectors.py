"""Reads for the public site: what each page lists, in as few queries as possible."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from akhbar.stories.copies import simhash_distance, text_overlap
from akhbar.news.models import Article, Story, Takedown
from akhbar.sources.models import Category, Outlet

TICKER_SIZE = 50
PER_GROUP = 5

# The list pages show cards; the article body is never needed there.
LIST_FIELDS = ("id", "title", "summary", "image_url", "published_at", "language", "outlet__slug", "outlet__name",
               "outlet__display", "outlet_id", "category_id")


def _listing(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("outlet").only(*LIST_FIELDS)


@dataclass(frozen=True)
class TickerLine:
    article: Article  # the story's most representative headline (or the article, alone in its story)
    other_outlets: int  # how many more outlets tell the story
    story_id: int | None


HEADLINE_FIELDS = ("story__outlets_count", "story__headline__title", "story__headline__outlet__slug",
                   "story__headline__outlet__name", "story__headline__language")


def ticker_lines(*, language: str, limit: int = TICKER_SIZE) -> list[TickerLine]:
    """The latest stories told in this language, one line each, newest first."""
    # Ids first: finding 50 stories reads up to 200 rows, and making each into five model instances (its
    # outlet, story, headline and the headline's outlet) took a third of the home page's time.
    newest = Article.objects.filter(language=language).order_by("-published_at", "-id")
    picked, seen = [], set()
    for pk, story_id in newest.values_list("pk", "story_id")[:limit * 4]:
        if story_id is None or story_id not in seen:
            picked.append(pk)
            seen.add(story_id)
        if len(picked) == limit:
            break
    rows = Article.objects.select_related("outlet", "story__headline__outlet").only(
        *LIST_FIELDS, "story_id", *HEADLINE_FIELDS).in_bulk(picked)
    lines = []
    for article in (rows[pk] for pk in picked if pk in rows):
        story = article.story
        # The story's headline if it is in this edition's language; otherwise this article's own title.
        shown = story.headline if story and story.headline_id and story.headline.language == language else article
        lines.append(TickerLine(shown, max(0, story.outlets_count - 1) if story else 0, article.story_id))
    return lines


TOP_STORIES = 8
TOP_STORY_HOURS = 48
HALF_LIFE_HOURS = 12.0


def top_stories(*, language: str, limit: int = TOP_STORIES) -> list[tuple[Story, Article]]:
    """Stories of the last two days told by several outlets, in this language among others, ranked by
    outlets and recency; each with the headline it shows in this edition."""
    now = timezone.now()
    recent = list(Story.objects.filter(last_published_at__gte=now - timedelta(hours=TOP_STORY_HOURS),
                                       outlets_count__gte=2, merged_into__isnull=True)
                  .select_related("headline__outlet").order_by("-outlets_count")[:200])

    def weight(story: Story) -> float:
        age = (now - story.last_published_at).total_seconds() / 3600
        return story.outlets_count / (1 + age / HALF_LIFE_HOURS)

    ranked = sorted((story for story in recent if language in (story.languages or [])), key=weight, reverse=True)
    return _with_headlines(ranked[:limit], language)


def _with_headlines(stories: list[Story], language: str) -> list[tuple[Story, Article]]:
    """Each story with its headline if in this language, else its first article in this language."""
    missing = [story.pk for story in stories if not (story.headline_id and story.headline.language == language)]
    firsts: dict[int, Article] = {}
    for article in _listing(Article.objects.filter(story_id__in=missing, language=language)).only(
            *LIST_FIELDS, "story_id").order_by("-published_at", "-id"):
        firsts[article.story_id] = article  # newest first: the earliest is kept
    shown = [(story, firsts.get(story.pk) or story.headline) for story in stories]
    return [(story, headline) for story, headline in shown if headline is not None]


def story_coverage(article: Article) -> tuple[list[Article], list[Article]]:
    """(other outlets' articles on the article's story, earliest first; those among them that are copies)."""
    if not article.story_id:
        return [], []
    others = list(_listing(Article.objects.filter(story_id=article.story_id).exclude(outlet_id=article.outlet_id))
                  .only(*LIST_FIELDS, "simhash").order_by("published_at", "id"))
    near = [other.pk for other in others if article.simhash is not None and other.simhash is not None
            and simhash_distance(article.simhash, other.simhash) <= COPY_DISTANCE]
    # The fingerprint finds candidates; the texts' own overlap decides.
    texts = dict(Article.objects.filter(pk__in=near).values_list("pk", "content_html")) if near else {}
    copies = [other for other in others if other.pk in texts
              and text_overlap(article.content_html, texts[other.pk]) >= COPY_OVERLAP]
    return others, copies


COPY_DISTANCE = 6
COPY_OVERLAP = 0.6  # share of word trigrams in common (Jaccard) for two texts to be one text
LANGUAGE_ORDER = ["fr", "ar", "es", "en"]


def story_get(story_id: int) -> Story:
    return get_object_or_404(Story.objects.select_related("headline__outlet"), pk=story_id)


def story_articles_by_language(story: Story) -> list[tuple[str, list[Article]]]:
    """A story's articles grouped by language (French, Arabic, Spanish, English), earliest first in each."""
    groups: dict[str, list[Article]] = {}
    for article in _listing(story.articles.all()).order_by("published_at", "id"):
        groups.setdefault(article.language or "fr", []).append(article)
    order = {code: n for n, code in enumerate(LANGUAGE_ORDER)}
    return sorted(groups.items(), key=lambda group: order.get(group[0], len(order)))


GROUP_TABLES = {"outlet_id": "sources_outlet", "category_id": "sources_category"}


def latest_per_group(field: str, *, per_group: int = PER_GROUP, group_ids: list[int] | None = None,
                     language: str = "", outlets: dict[int, Outlet] | None = None) -> list[Article]:
    """The latest few articles of every outlet or category (or of these ones), in this language if given,
    newest first in each. Given their `outlets` already, the articles are not joined to them again.

    One index walk of a few rows per group (LATERAL on PostgreSQL, an IN-subquery on SQLite): a window
    function over the whole table took seconds at a million articles.
    """
    table = GROUP_TABLES[field]
    in_language = "AND x.language = %s " if language else ""
    inner = (f"SELECT x.id FROM news_article x WHERE x.{field} = g.id {in_language}"
             f"ORDER BY x.published_at DESC, x.id DESC LIMIT %s")
    if connection.vendor == "postgresql":
        sql = f"SELECT a.id FROM {table} g CROSS JOIN LATERAL ({inner}) a"
    else:
        sql = f"SELECT a.id FROM {table} g JOIN news_article a ON a.id IN ({inner})"
    params: list = [language, per_group] if language else [per_group]
    if group_ids is not None:
        if not group_ids:
            return []
        sql += f" WHERE g.id IN ({', '.join(['%s'] * len(group_ids))})"
        params += list(group_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    found = Article.objects.filter(pk__in=ids).order_by(field, "-published_at", "-id")
    if outlets is None:
        return list(_listing(found))
    articles = list(found.only(*(name for name in LIST_FIELDS if not name.startswith("outlet__"))))
    for article in articles:
        article.outlet = outlets[article.outlet_id]
    return articles


HOME_OUTLETS = 40  # the home page shows the outlets that published last; every outlet has its own page


def active_outlets(*, language: str, limit: int = HOME_OUTLETS) -> dict[int, Outlet]:
    """The enabled outlets of this language that published most recently, by name."""
    # One index probe per outlet (its newest article), not a GROUP BY over every article.
    newest = Article.objects.filter(outlet_id=OuterRef("pk")).order_by("-published_at").values("published_at")[:1]
    recent = (Outlet.objects.filter(enabled=True, language=language).annotate(newest=Subquery(newest)).exclude(newest=None)
              .order_by("-newest")[:limit])
    return {o.pk: o for o in sorted(recent, key=lambda outlet: outlet.name)}


def grouped(articles: list[Article], groups: dict[int, object], key: str) -> list[tuple[object, list[Article]]]:
    """Pair each group (outlet or category) with its articles, groups ordered as given."""
    by_group: dict[int, list[Article]] = {}
    for article in articles:
        by_group.setdefault(getattr(article, key), []).append(article)
    return [(group, by_group[group_id]) for group_id, group in groups.items() if group_id in by_group]


def home_sections(*, language: str) -> dict:
    """An edition's home page: its language's ticker, stories, categories and outlets."""
    categories = {c.pk: c for c in Category.objects.order_by("name")}
    outlets = active_outlets(language=language)
    return {
        "ticker": ticker_lines(language=language),
        "top_stories": top_stories(language=language),
        "by_category": grouped(latest_per_group("category_id", language=language), categories, "category_id"),
        "by_outlet": grouped(latest_per_group("outlet_id", group_ids=list(outlets), outlets=outlets), outlets,
                             "outlet_id"),
    }


def article_get(*, outlet_slug: str, article_id: int) -> Article:
    return get_object_or_404(
        Article.objects.select_related("outlet", "category", "image"), pk=article_id, outlet__slug=outlet_slug
    )


def article_taken_down(article_id: int) -> bool:
    return Takedown.objects.filter(article_id=article_id).exists()


def outlet_more(article: Article, *, limit: int = PER_GROUP) -> list[Article]:
    return list(_listing(Article.objects.filter(outlet_id=article.outlet_id).exclude(pk=article.pk))[:limit])


def outlet_articles(outlet: Outlet) -> QuerySet[Article]:
    return _listing(Article.objects.filter(outlet=outlet)).order_by("-published_at", "-id")


def category_articles(category: Category, *, language: str) -> QuerySet[Article]:
    return _listing(Article.objects.filter(category=category, language=language)).order_by("-published_at", "-id")


def day_articles(day: date, *, language: str) -> QuerySet[Article]:
    """Articles in this language published on a day of Moroccan time."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return _listing(Article.objects.filter(
        language=language, published_at__gte=start, published_at__lt=start + timedelta(days=1),
    )).order_by("-published_at", "-id")
