"""/recherche: full-text search over every article, with filters, highlighted matches and pages."""

from datetime import date
from html import escape

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from akhbar.search.highlight import excerpt, highlight
from akhbar.search.selectors import Filters, search_articles
from akhbar.sources.models import Outlet

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper than 1,000 results, a reader refines the query instead
LANGUAGES = {"fr": "Français", "ar": "العربية", "es": "Español", "en": "English"}


class _Results:
    """Just enough of a sequence for Django's Paginator, over results counted by the database.

    The count and the asked page come from one search (on PostgreSQL each search finds its candidates anew);
    only a page number out of range, which Paginator moves back into range, costs a second one.
    """

    def __init__(self, query: str, filters: Filters, window: slice) -> None:
        self.query, self.filters, self.window = query, filters, window
        self.total, self.terms, self.more, self.articles = None, [], False, []

    def count(self) -> int:
        if self.total is None:
            found = search_articles(self.query, filters=self.filters, offset=self.window.start,
                                    limit=self.window.stop - self.window.start)
            self.total, self.more, self.terms, self.articles = found.total, found.more, found.terms, found.articles
        return self.total

    def __getitem__(self, window: slice) -> list:
        if window == self.window and self.total is not None:
            return self.articles
        found = search_articles(self.query, filters=self.filters, offset=window.start,
                                limit=window.stop - window.start, count=False)
        self.terms = found.terms
        return found.articles


def _day(value: str) -> date | None:
    """A date from the form, or None; years no archive holds are ignored (9999-12-31 would overflow)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2200 else None


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    filters = Filters(
        outlet_slug=request.GET.get("media", ""), language=request.GET.get("langue", "")[:8],
        since=_day(request.GET.get("du", "")), until=_day(request.GET.get("au", "")),
    )
    page: Page | None = None
    number = max(1, min(_number(request.GET.get("page")), MAX_PAGE))
    results = _Results(query, filters, slice((number - 1) * PAGE_SIZE, number * PAGE_SIZE))
    if query:
        page = Paginator(results, PAGE_SIZE).get_page(number)
    rows = [(article, highlight(article.title, results.terms), excerpt(article.summary, results.terms))
            for article in (page or [])]
    kept = {key: value for key, value in request.GET.items() if key != "page" and value}
    return render(request, "web/search.html", {
        "query": query, "filters": filters, "page": page, "rows": rows, "kept": urlencode(kept), "more": results.more,
        "outlet_options": _outlet_options(filters.outlet_slug),
        "languages": LANGUAGES,
    })


def _outlet_options(selected: str) -> SafeString:
    """The outlet filter's <option>s: written here, as 400 of them took a third of the page's rendering."""
    outlets = Outlet.objects.filter(enabled=True).order_by("name").values_list("slug", "name")
    return mark_safe("".join(  # noqa: S308 - every value is escaped
        f'<option value="{escape(slug)}"{" selected" if slug == selected else ""}>{escape(name)}</option>'
        for slug, name in outlets))


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 1
