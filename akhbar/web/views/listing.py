"""The paginated lists: an outlet's articles (in every language), a category's and a day's (in the edition's)."""

from datetime import date

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language, gettext as _

from akhbar.news.selectors import category_articles, day_articles, outlet_articles
from akhbar.sources.models import Category, Outlet
from akhbar.web.feeds import feed_links

PAGE_SIZE = 30


class NewestIds:
    """A list's ids, newest first, as Paginator reads them: a page past the middle is read from the oldest end
    backwards, so that the last pages cost what the first do (OFFSET walks every row it skips)."""

    def __init__(self, articles: QuerySet) -> None:
        self.ids, self.total = articles.values_list("pk", flat=True), None

    def count(self) -> int:
        if self.total is None:
            self.total = self.ids.count()
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[int]:
        start, stop, total = window.start or 0, window.stop, self.count()
        if start <= total // 2:
            return list(self.ids[start:stop])
        stop = min(stop, total)
        return list(self.ids.reverse()[total - stop:total - start])[::-1]


def render_list(request: HttpRequest, articles: QuerySet, *, heading: str, context: dict | None = None) -> HttpResponse:
    # Page through ids alone (the index holds them), then read the page's 30 rows: deep in an outlet's
    # archive, skipping 70,000 full rows took a quarter of a second.
    page = Paginator(NewestIds(articles), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = articles.in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return render(request, "web/list.html", {"page": page, "heading": heading, **(context or {})})


def outlet(request: HttpRequest, outlet_slug: str) -> HttpResponse:
    item = get_object_or_404(Outlet, slug=outlet_slug)
    feeds = feed_links("outlet", outlet_slug=item.slug) if item.enabled else None  # a disabled outlet has no feed
    return render_list(request, outlet_articles(item), heading=item.name, context={"outlet": item, "feeds": feeds})


def category(request: HttpRequest, category_slug: str) -> HttpResponse:
    item = get_object_or_404(Category, slug=category_slug)
    return render_list(request, category_articles(item, language=get_language()), heading=item.shown_name,
                       context={"feeds": feed_links("category", category_slug=item.slug)})


def archives(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    try:
        when = date(year, month, day)
    except ValueError as error:
        raise Http404(_("Cette date n'existe pas.")) from error
    heading = _("Archives du %(date)s") % {"date": when.strftime("%d - %m - %Y")}
    return render_list(request, day_articles(when, language=get_language()), heading=heading)
