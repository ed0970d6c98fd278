"""/sujet/<id>/: one story's coverage, every outlet, grouped by language, earliest first."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from akhbar.news.selectors import story_articles_by_language, story_get
from akhbar.web.pagecache import cached_page

LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية", "es": "Español", "en": "English"}


@cached_page
def story(request: HttpRequest, story_id: int) -> HttpResponse:
    item = story_get(story_id)
    if item.merged_into_id:  # two stories that grew together: the one that took the other in
        return redirect("story", story_id=item.merged_into_id, permanent=True)
    groups = story_articles_by_language(item)
    first = min((articles[0] for _, articles in groups), key=lambda a: (a.published_at, a.pk), default=None)
    named = [(code, LANGUAGE_NAMES.get(code, code), articles) for code, articles in groups]
    return render(request, "web/story.html", {"story": item, "groups": named, "first": first})
