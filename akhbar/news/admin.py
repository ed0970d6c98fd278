from django.contrib import admin

from akhbar.news.models import Article, Image, Story


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "outlet", "category", "language", "published_at", "word_count", "story", "extraction_note")
    list_filter = ("outlet", "category", "language")
    search_fields = ("title", "url")
    date_hierarchy = "published_at"
    raw_id_fields = ("feed", "image", "story")
    readonly_fields = ("url_hash", "fetched_at", "simhash")
    exclude = ("embedding",)


class StoryArticles(admin.TabularInline):
    model = Article
    fields = ("title", "outlet", "language", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("pk", "headline", "outlets_count", "articles_count", "languages", "first_published_at",
                    "last_published_at")
    list_filter = ("outlets_count",)
    date_hierarchy = "last_published_at"
    raw_id_fields = ("headline", "merged_into")
    inlines = [StoryArticles]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("sha256", "width", "height", "source_url", "fetched_at")
    search_fields = ("sha256", "source_url")
    readonly_fields = ("sha256", "phash", "width", "height", "source_url", "fetched_at")
