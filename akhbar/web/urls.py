from django.contrib import admin
from django.urls import include, path

from akhbar.web.views import article, errors, home, images, listing, search, story

urlpatterns = [
    path("", home.home, name="home"),
    path("admin/", admin.site.urls),
    path("img/<str:sha256>/<slug:size>.webp", images.image, name="image"),
    path("", include("akhbar.moderation.urls")),
    path("recherche", search.search, name="search"),
    path("sujet/<int:story_id>/", story.story, name="story"),
    path("categorie/<slug:category_slug>/", listing.category, name="category"),
    path("archives/<int:year>/<int:month>/<int:day>/", listing.archives, name="archives"),
    path("<slug:outlet_slug>/", listing.outlet, name="outlet"),
    path("<slug:outlet_slug>/<int:article_id>", article.article, name="article"),
]

handler404 = errors.not_found
handler500 = errors.server_error
