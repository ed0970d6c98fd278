from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from akhbar.news.selectors import article_get, outlet_more
from akhbar.web.pagecache import cached_page


@cached_page
def article(request: HttpRequest, outlet_slug: str, article_id: int) -> HttpResponse:
    item = article_get(outlet_slug=outlet_slug, article_id=article_id)
    return render(request, "web/article.html", {"article": item, "more": outlet_more(item)})
