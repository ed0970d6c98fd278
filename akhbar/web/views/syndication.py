"""For machines: the sitemaps, the Google News sitemap, robots.txt and the OPML list of our outlets.

All are outside the editions and the same for every reader (their addresses name the edition they link to),
so the page cache keeps them until new articles arrive.
"""

from django.contrib.sitemaps import views as sitemaps
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from akhbar.sources.models import Feed, Outlet
from akhbar.sources.opml import export_opml
from akhbar.web.pagecache import cached_page
from akhbar.web.sitemaps import SECTIONS, news_articles


@cached_page
def sitemap_index(request: HttpRequest) -> HttpResponse:
    return sitemaps.index(request, SECTIONS, sitemap_url_name="sitemap-section")


@cached_page
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemaps.sitemap(request, SECTIONS, section=section)


@cached_page
def news_sitemap(request: HttpRequest) -> HttpResponse:
    context = {"articles": news_articles(), "origin": f"{request.scheme}://{request.get_host()}"}
    return render(request, "web/sitemap_news.xml", context, content_type="application/xml; charset=utf-8")


@cached_page
def robots(request: HttpRequest) -> HttpResponse:
    context = {"origin": f"{request.scheme}://{request.get_host()}"}
    return render(request, "web/robots.txt", context, content_type="text/plain; charset=utf-8")


@cached_page
def outlets_opml(request: HttpRequest) -> HttpResponse:
    outlets = (Outlet.objects.filter(enabled=True).select_related("default_category")
               .prefetch_related(Prefetch("feeds", queryset=Feed.objects.filter(enabled=True).order_by("url"))))
    return HttpResponse(export_opml(list(outlets)), content_type="text/x-opml; charset=utf-8")
