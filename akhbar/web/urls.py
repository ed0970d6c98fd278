from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from akhbar.web import feeds
from akhbar.web.views import article, editions, errors, home, images, listing, search, story, syndication

# Addresses outside the editions: the same for every language.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("akhbar.api.urls")),  # the read-only JSON API, the same for every edition
    path("edition/<slug:code>/", editions.choose, name="edition-choose"),
    path("img/<str:sha256>/<slug:size>.webp", images.image, name="image"),
    path("robots.txt", syndication.robots, name="robots"),
    path("sitemap.xml", syndication.sitemap_index, name="sitemap"),
    path("sitemaps/<slug:section>.xml", syndication.sitemap_section, name="sitemap-section"),
    path("sitemap-news.xml", syndication.news_sitemap, name="sitemap-news"),
    path("medias.opml", syndication.outlets_opml, name="outlets-opml"),
]

# The editions, /fr/ /ar/ /es/ /en/: the same pages, each in its language and listing its language's articles.
# An address without an edition (/, or an old /lopinion/123) is sent to the reader's, by LocaleMiddleware.
urlpatterns += i18n_patterns(
    path("", home.home, name="home"),
    path("", include("akhbar.moderation.urls")),  # the report's answer is in the reader's edition
    path("recherche", search.search, name="search"),
    # Feeds before the outlet pages, so that no outlet is looked for under "rss.xml".
    path("rss.xml", feeds.edition_rss, name="feed-edition"),
    path("atom.xml", feeds.edition_atom, name="feed-edition-atom"),
    path("sujet/<int:story_id>/rss.xml", feeds.story_rss, name="feed-story"),
    path("sujet/<int:story_id>/atom.xml", feeds.story_atom, name="feed-story-atom"),
    path("categorie/<slug:category_slug>/rss.xml", feeds.category_rss, name="feed-category"),
    path("categorie/<slug:category_slug>/atom.xml", feeds.category_atom, name="feed-category-atom"),
    path("<slug:outlet_slug>/rss.xml", feeds.outlet_rss, name="feed-outlet"),
    path("<slug:outlet_slug>/atom.xml", feeds.outlet_atom, name="feed-outlet-atom"),
    path("sujet/<int:story_id>/", story.story, name="story"),
    path("categorie/<slug:category_slug>/", listing.category, name="category"),
    path("archives/<int:year>/<int:month>/<int:day>/", listing.archives, name="archives"),
    path("<slug:outlet_slug>/", listing.outlet, name="outlet"),
    path("<slug:outlet_slug>/<int:article_id>", article.article, name="article"),
    prefix_default_language=True,
)

handler404 = errors.not_found
handler500 = errors.server_error
