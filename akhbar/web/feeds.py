"""Our outgoing feeds, RSS 2.0 and Atom, of an edition, an outlet, a category and a story (contrib.syndication).

Each item links to our page (its guid too), names the outlet as its author, and ends with the credit line and a
link to the original article at the publisher. Outlets that allow their headlines only give the credit alone,
as their pages do. Every feed class has an Atom twin that only changes the generator.
"""

from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from akhbar.news.editions import NAMES
from akhbar.news.models import Article, Story
from akhbar.news.selectors import LIST_FIELDS, category_articles, outlet_articles, story_get
from akhbar.sources.models import Category, Feed as OutletFeed, Outlet
from akhbar.web.pagecache import cached_page

FEED_SIZE = 50
# A list page's fields, and what an item adds: the original's address, the text of its excerpt, the outlet's site.
FEED_FIELDS = (*LIST_FIELDS, "url", "content_html", "outlet__homepage")


def feed_articles(articles: QuerySet[Article]) -> QuerySet[Article]:
    """The newest FEED_SIZE of these articles, each with its outlet's own feed (source_feed) for <source>."""
    outlet_feed = (OutletFeed.objects.filter(outlet_id=OuterRef("outlet_id"), enabled=True)
                   .order_by("pk").values("url")[:1])
    return (articles.select_related("outlet").only(*FEED_FIELDS).annotate(source_feed=Subquery(outlet_feed))
            .order_by("-published_at", "-id")[:FEED_SIZE])


class RssWithSource(Rss201rev2Feed):
    """RSS 2.0 whose items name their outlet in <source url="its feed">, the element RSS 2.0 has for it."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        if item["source_url"]:  # RSS 2.0 requires the url attribute: an outlet with neither feed nor site has none
            handler.addQuickElement("source", item["source_name"], {"url": item["source_url"]})


class AtomWithOriginal(Atom1Feed):
    """Atom whose entries also link to the original article at its publisher, as rel="related"."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("link", "", {"rel": "related", "href": item["original_url"]})


class Moved(Exception):
    """The feed's object now lives at another address (a story merged into another)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class ArticleFeed(Feed):
    """A feed of articles. Subclasses give get_object, articles(obj), link(obj), and name(obj) or title(obj)."""

    feed_type = RssWithSource
    item_guid_is_permalink = True  # the guid is our page's address

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Moved as moved:
            return redirect(moved.url, permanent=True)

    def articles(self, obj) -> QuerySet[Article]:
        raise NotImplementedError(f"feeds: {type(self).__name__} needs an articles(obj) method returning a queryset")

    def name(self, obj) -> str:
        raise NotImplementedError(f"feeds: {type(self).__name__} needs a name(obj) method, the feed's title")

    def items(self, obj) -> QuerySet[Article]:
        return feed_articles(self.articles(obj))

    def title(self, obj) -> str:
        return f"{self.name(obj)} — Akhbar"  # as the page's <title>

    def description(self) -> str:
        return gettext("Toute la presse marocaine, au même endroit.")

    def item_title(self, item: Article) -> str:
        return item.title  # plain text: the generator escapes it once, so "&" and "<" arrive as typed

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.published_at  # Atom requires an entry's <updated>; we keep no later version of an article

    def item_author_name(self, item: Article) -> str:
        return item.outlet.name

    def item_description(self, item: Article) -> str:
        date = dateformat.format(timezone.localtime(item.published_at), "d - m - Y")  # as the article page
        credit = gettext("Publié dans %(outlet)s le %(date)s") % {"outlet": item.outlet.name, "date": date}
        original = format_html('<p>{} <a href="{}">{}</a></p>', credit, item.url,
                               gettext("Cliquez ici pour lire l'article depuis sa source."))
        if item.display == Outlet.Display.HEADLINE:
            return original
        return format_html('<p lang="{}" dir="auto">{}</p>{}', item.language or "fr", item.excerpt(), original)

    def item_extra_kwargs(self, item: Article) -> dict:
        return {"original_url": item.url, "source_name": item.outlet.name,
                "source_url": item.source_feed or item.outlet.homepage}


class EditionFeed(ArticleFeed):
    """/<lang>/rss.xml: the edition's latest articles, in its language."""

    def get_object(self, request) -> str:
        return get_language()

    def articles(self, language: str) -> QuerySet[Article]:
        return Article.objects.filter(language=language)

    def title(self, language: str) -> str:
        return f"Akhbar — {NAMES[language]}"

    def link(self) -> str:
        return reverse("home")


class OutletArticlesFeed(ArticleFeed):
    """/<lang>/<outlet>/rss.xml: an enabled outlet's articles, in every language (as its page)."""

    def get_object(self, request, outlet_slug: str) -> Outlet:
        return get_object_or_404(Outlet, slug=outlet_slug, enabled=True)

    def articles(self, outlet: Outlet) -> QuerySet[Article]:
        return outlet_articles(outlet)

    def name(self, outlet: Outlet) -> str:
        return outlet.name

    def link(self, outlet: Outlet) -> str:
        return reverse("outlet", kwargs={"outlet_slug": outlet.slug})


class CategoryFeed(ArticleFeed):
    """/<lang>/categorie/<slug>/rss.xml: a category's articles in the edition's language."""

    def get_object(self, request, category_slug: str) -> Category:
        return get_object_or_404(Category, slug=category_slug)

    def articles(self, category: Category) -> QuerySet[Article]:
        return category_articles(category, language=get_language())

    def name(self, category: Category) -> str:
        return category.shown_name

    def link(self, category: Category) -> str:
        return reverse("category", kwargs={"category_slug": category.slug})


class StoryFeed(ArticleFeed):
    """/<lang>/sujet/<id>/rss.xml: a story's articles in every language, newest first."""

    route = "feed-story"

    def get_object(self, request, story_id: int) -> Story:
        story = story_get(story_id)
        if story.merged_into_id:  # as the story's page: to the story that took this one in
            raise Moved(reverse(self.route, kwargs={"story_id": story.merged_into_id}))
        return story

    def articles(self, story: Story) -> QuerySet[Article]:
        return story.articles.all()

    def name(self, story: Story) -> str:
        # The page's headline: the earliest article in the edition's language, else the story's own headline.
        here = story.articles.filter(language=get_language()).order_by("published_at", "id").only("title").first()
        headline = here or story.headline
        return headline.title if headline else gettext("sujet")

    def link(self, story: Story) -> str:
        return story.get_absolute_url()


class EditionAtom(EditionFeed):
    feed_type = AtomWithOriginal


class OutletArticlesAtom(OutletArticlesFeed):
    feed_type = AtomWithOriginal


class CategoryAtom(CategoryFeed):
    feed_type = AtomWithOriginal


class StoryAtom(StoryFeed):
    feed_type = AtomWithOriginal
    route = "feed-story-atom"


def feed_links(kind: str, **kwargs) -> tuple[str, str]:
    """The addresses of a page's RSS and Atom feeds, in the current edition: kind is edition, outlet, category or story."""
    return reverse(f"feed-{kind}", kwargs=kwargs), reverse(f"feed-{kind}-atom", kwargs=kwargs)


# The views: the same for every reader of an edition, so the page cache keeps them until new articles arrive.
edition_rss, edition_atom = cached_page(EditionFeed()), cached_page(EditionAtom())
outlet_rss, outlet_atom = cached_page(OutletArticlesFeed()), cached_page(OutletArticlesAtom())
category_rss, category_atom = cached_page(CategoryFeed()), cached_page(CategoryAtom())
story_rss, story_atom = cached_page(StoryFeed()), cached_page(StoryAtom())
