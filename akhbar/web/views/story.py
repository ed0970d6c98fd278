"""/sujet/<id>/: one story's coverage, every outlet, grouped by language, earliest first."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from akhbar.news.selectors import story_articles_by_language, story_get
from akhbar.news.editions import NAMES
from akhbar.web.pagecache import cached_page
from akhbar.web.views.editions import in_editions


@cached_page
def story(request: HttpRequest, story_id: int) -> HttpResponse:
    item = story_get(story_id)
    if item.merged_into_id:  # two stories that grew together: the one that took the other in
        return redirect("story", story_id=item.merged_into_id, permanent=True)
    groups = story_articles_by_language(item)
    first = min((articles[0] for _, articles in groups), key=lambda a: (a.published_at, a.pk), default=None)
    language = get_language()
    named = [(code, NAMES.get(code, code), articles) for code, articles in groups]
    # The headline in this edition's language when the story has one.
    headline = next((articles[0] for code, articles in groups if code == language), item.headline)
    elsewhere = in_editions("story", [code for code, _ in groups], current=language, story_id=item.pk)
    return render(request, "web/story.html", {"story": item, "groups": named, "first": first,
                                              "headline": headline, "elsewhere": elsewhere})
