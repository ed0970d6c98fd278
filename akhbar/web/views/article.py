from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from akhbar.moderation.selectors import image_is_blocked
from akhbar.news.editions import edition_of
from akhbar.news.selectors import article_get, article_taken_down, outlet_more, story_coverage
from akhbar.web.pagecache import cached_page
from akhbar.web.views.editions import in_editions


@cached_page
def article(request: HttpRequest, outlet_slug: str, article_id: int) -> HttpResponse:
    try:
        item = article_get(outlet_slug=outlet_slug, article_id=article_id)
    except Http404:
        if article_taken_down(article_id):  # say it is gone for good, so search engines drop it
            return render(request, "web/gone.html", status=410)
        raise
    if edition_of(item.language) != get_language():  # one address per article: its language's edition
        return redirect(item, permanent=True)
    blocked = item.image_id is not None and image_is_blocked(item.image_id)
    coverage, copies = story_coverage(item)
    elsewhere = in_editions("story", [other.language for other in coverage], current=get_language(),
                            story_id=item.story_id) if item.story_id else []
    context = {"article": item, "image_blocked": blocked, "more": outlet_more(item), "coverage": coverage,
               "copied_by": sorted({copy.outlet.name for copy in copies}), "elsewhere": elsewhere}
    return render(request, "web/article.html", context)
