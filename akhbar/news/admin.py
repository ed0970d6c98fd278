from django.contrib import admin

from akhbar.news.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "outlet", "category", "language", "published_at", "word_count", "extraction_note")
    list_filter = ("outlet", "category", "language")
    search_fields = ("title", "url")
    date_hierarchy = "published_at"
    raw_id_fields = ("feed",)
    readonly_fields = ("url_hash", "fetched_at")
