"""The sitemaps (contrib.sitemaps): the editions' home pages, the outlets, the stories several outlets tell, and
every article at its edition's address; and what the Google News sitemap lists (the framework has none)."""

from datetime import timedelta
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation

from akhbar.news.editions import edition_of
from akhbar.news.models import Article, Story
from akhbar.sources.models import Outlet

NEWS_HOURS = 48
NEWS_LIMIT = 1000  # Google News reads at most 1,000 addresses a sitemap
# The protocol allows 50,000 addresses a page; rendering one takes about 0.1 ms of CPU, so 5,000 keep a page
# near half a second. A million articles make 200 pages.
ADDRESSES_PER_PAGE = 5_000
STAND_IN_ID = 987_654_321


class IdRangePaginator(Paginator):
    """Page n holds the ids from lowest + (n - 1) * per_page to lowest + n * per_page - 1.

    Each page reads a range of the primary key, however deep: the framework's OFFSET walks every row before
    the page (the whole table's pages on SQLite, where an article's text lives in its row), and its COUNT(*)
    every entry of an index. Ids of articles taken down, or skipped by the database, leave a page a little short.
    """

    @cached_property
    def id_range(self) -> tuple[int, int]:
        # Two queries, each one probe of the primary key: SQLite scans the table for MIN and MAX asked together.
        ids = self.object_list.values_list("pk", flat=True)
        lowest, highest = ids.first(), ids.last()
        return (lowest, highest) if lowest is not None else (1, 0)

    @cached_property
    def count(self) -> int:
        lowest, highest = self.id_range
        return highest - lowest + 1  # ids, not rows: what the pages are cut from

    def page(self, number):
        number = self.validate_number(number)
        first = self.id_range[0] + (number - 1) * self.per_page
        return self._get_page(self.object_list.filter(pk__gte=first, pk__lt=first + self.per_page), number, self)


class EditionsSitemap(Sitemap):
    """/fr/ /ar/ /es/ /en/, each naming the others; / is the x-default, as it sends a reader to their edition."""

    i18n = True
    alternates = True
    x_default = True

    def items(self) -> list[str]:
        return ["home"]

    def location(self, name: str) -> str:
        return reverse(name)


class OutletsSitemap(Sitemap):
    """Each enabled outlet that has articles, in its language's edition (its page there lists every language)."""

    def items(self) -> QuerySet[Outlet]:
        # One index probe per outlet for its newest article, as the home page does.
        newest = Article.objects.filter(outlet_id=OuterRef("pk")).order_by("-published_at").values("published_at")[:1]
        return (Outlet.objects.filter(enabled=True).annotate(newest=Subquery(newest)).exclude(newest=None)
                .only("id", "slug", "language").order_by("id"))

    def location(self, outlet: Outlet) -> str:
        with translation.override(edition_of(outlet.language)):
            return reverse("outlet", kwargs={"outlet_slug": outlet.slug})

    def lastmod(self, outlet: Outlet):
        return outlet.newest


class StoriesSitemap(Sitemap):
    """Stories told by two outlets or more, in the edition of their headline's language."""

    limit = ADDRESSES_PER_PAGE

    def items(self) -> QuerySet[Story]:
        return (Story.objects.filter(outlets_count__gte=2, merged_into__isnull=True).select_related("headline")
                .only("id", "last_published_at", "headline__language").order_by("id"))

    def location(self, story: Story) -> str:
        with translation.override(edition_of(story.headline.language if story.headline else None)):
            return story.get_absolute_url()

    def lastmod(self, story: Story):
        return story.last_published_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("last_published_at"))["latest"]


class ArticlesSitemap(Sitemap):
    """Every article, at its page in its language's edition, by id, ADDRESSES_PER_PAGE a page."""

    limit = ADDRESSES_PER_PAGE

    def items(self) -> QuerySet:
        # Three columns of one table: no join for a page's rows, and none in front of the primary key's bounds.
        return Article.objects.order_by("pk").values_list("pk", "language", "published_at", "outlet_id", named=True)

    @property
    def paginator(self) -> Paginator:
        return IdRangePaginator(self.items(), self.limit)

    @cached_property
    def outlet_slugs(self) -> dict[int, str]:
        return dict(Outlet.objects.values_list("pk", "slug"))  # a few hundred; the framework makes a sitemap a request

    @cached_property
    def addresses(self) -> dict[tuple[str, int], tuple[str, str, str]]:
        return {}

    def location(self, row) -> str:
        # One reverse() per edition and outlet, not one per article (half the page's time): each article's id then
        # takes the place of a stand-in id in that address.
        key = (edition_of(row.language), row.outlet_id)
        if key not in self.addresses:
            with translation.override(key[0]):
                address = reverse("article", kwargs={"outlet_slug": self.outlet_slugs[row.outlet_id],
                                                     "article_id": STAND_IN_ID})
            self.addresses[key] = address.rpartition(str(STAND_IN_ID))
        before, _, after = self.addresses[key]
        return f"{before}{row.pk}{after}"

    def lastmod(self, row):
        return row.published_at

    def get_latest_lastmod(self):
        # The framework's default reads every item for its lastmod; the index on published_at answers at once.
        return Article.objects.aggregate(latest=Max("published_at"))["latest"]


SECTIONS = {"editions": EditionsSitemap, "outlets": OutletsSitemap, "stories": StoriesSitemap,
            "articles": ArticlesSitemap}


def news_articles(*, hours: int = NEWS_HOURS, limit: int = NEWS_LIMIT) -> QuerySet[Article]:
    """The articles published in the last `hours`, newest first, for the Google News sitemap."""
    since = timezone.now() - timedelta(hours=hours)
    return (Article.objects.filter(published_at__gte=since, published_at__lte=timezone.now())
            .select_related("outlet").only("id", "title", "language", "published_at", "outlet__slug")
            .order_by("-published_at", "-id")[:limit])
