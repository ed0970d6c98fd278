"""Crawled articles join their story on arrival: the sample publisher's shared stories, across languages."""

import json
from pathlib import Path

import pytest

import akhbar
from akhbar.news.models import Article, Story
from tests.helpers import crawl_all

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_OUTLETS = Path(akhbar.__file__).parent / "demo" / "data" / "outlets"


def gold_stories() -> dict[str, set[str]]:
    """Titles of the sample articles that tell a shared story, by story (recent ones: a story lasts days)."""
    stories: dict[str, set[str]] = {}
    for path in DEMO_OUTLETS.glob("*.json"):
        for article in json.loads(path.read_text())["articles"]:
            if article.get("story") and not article.get("published", "").startswith("2024"):
                stories.setdefault(article["story"], set()).add(article["title"])
    return stories


@pytest.fixture
def crawled(demo_outlets):
    crawl_all()


def test_each_shared_story_is_one_story_and_only_that(crawled):
    for name, titles in gold_stories().items():
        stories = set(Article.objects.filter(title__in=titles).values_list("story", flat=True))
        assert len(stories) == 1 and None not in stories, (name, stories)
        members = set(Article.objects.filter(story__in=stories).values_list("title", flat=True))
        assert members == titles, (name, members - titles)


def test_a_story_counts_its_outlets_and_languages_and_has_a_headline(crawled):
    titles = gold_stories()["hackers-34-gb"]
    story = Story.objects.get(articles__title=next(iter(titles)))
    assert (story.articles_count, story.outlets_count, story.languages) == (3, 3, ["en", "es", "fr"])
    assert story.headline.title in titles


def test_articles_telling_nothing_shared_are_alone(crawled):
    shared = set().union(*gold_stories().values())
    lonely = Article.objects.exclude(title__in=shared)
    assert lonely.count() > 10
    assert all(article.story.articles_count == 1 for article in lonely.select_related("story"))
