from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from akhbar.moderation.selectors import image_is_blocked
from akhbar.news.selectors import article_get, outlet_more, story_coverage
from akhbar.web.pagecache import cached_page


@cached_page
def article(request: HttpRequest, outlet_slug: str, article_id: int) -> HttpResponse:
    item = article_get(outlet_slug=outlet_slug, article_id=article_id)
    blocked = item.image_id is not None and image_is_blocked(item.image_id)
    coverage, copies = story_coverage(item)
    context = {"article": item, "image_blocked": blocked, "more": outlet_more(item), "coverage": coverage,
               "copied_by": sorted({copy.outlet.name for copy in copies})}
    return render(request, "web/article.html", context)
