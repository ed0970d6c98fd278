"""The paginated lists: an outlet's articles, a category's, a day's."""

from datetime import date

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from akhbar.news.selectors import category_articles, day_articles, outlet_articles
from akhbar.sources.models import Category, Outlet

PAGE_SIZE = 30


def render_list(request: HttpRequest, articles: QuerySet, *, heading: str, context: dict | None = None) -> HttpResponse:
    # Page through ids alone (the index holds them), then read the page's 30 rows: deep in an outlet's
    # archive, skipping 70,000 full rows took a quarter of a second.
    page = Paginator(articles.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = articles.in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return render(request, "web/list.html", {"page": page, "heading": heading, **(context or {})})


def outlet(request: HttpRequest, outlet_slug: str) -> HttpResponse:
    item = get_object_or_404(Outlet, slug=outlet_slug)
    return render_list(request, outlet_articles(item), heading=item.name, context={"outlet": item})


def category(request: HttpRequest, category_slug: str) -> HttpResponse:
    item = get_object_or_404(Category, slug=category_slug)
    return render_list(request, category_articles(item), heading=item.name)


def archives(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    try:
        when = date(year, month, day)
    except ValueError as error:
        raise Http404(_("Cette date n'existe pas.")) from error
    heading = _("Archives du %(date)s") % {"date": when.strftime("%d - %m - %Y")}
    return render_list(request, day_articles(when), heading=heading)
