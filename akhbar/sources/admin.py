from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from akhbar.sources.models import Category, Feed, Outlet
from akhbar.sources.selectors import feed_status


class FeedInline(admin.TabularInline):
    model = Feed
    extra = 0
    fields = ("url", "kind", "enabled", "last_success_at", "consecutive_failures", "last_error", "next_attempt_at")
    readonly_fields = ("last_success_at", "consecutive_failures", "last_error", "next_attempt_at")


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "language", "default_category", "enabled")
    list_filter = ("language", "enabled", "default_category")
    search_fields = ("name", "slug", "homepage")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [FeedInline]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ("url", "outlet", "health", "last_success_at", "consecutive_failures", "next_attempt_at",
                    "poll_interval", "last_error_short")
    list_filter = ("enabled", "kind", "outlet__language")
    search_fields = ("url", "outlet__name", "last_error")
    readonly_fields = ("etag", "last_modified", "last_attempt_at", "last_success_at", "last_error", "last_error_at",
                       "last_warning",
                       "consecutive_failures", "last_new_articles")
    actions = ["crawl_now"]

    @admin.display(description=_("état"))
    def health(self, feed: Feed) -> str:
        return feed_status(feed)

    @admin.display(description=_("dernière erreur"))
    def last_error_short(self, feed: Feed) -> str:
        return (feed.last_error if feed.consecutive_failures else feed.last_warning)[:120]

    @admin.action(description=_("Collecter maintenant"))
    def crawl_now(self, request, queryset) -> None:
        from akhbar.sources.crawling import run_crawl  # the crawler's imports are not needed to browse the admin

        outcomes = run_crawl(list(queryset.values_list("pk", flat=True)))
        new = sum(o.new_articles for o in outcomes)
        errors = sum(1 for o in outcomes if o.error)
        self.message_user(request, _("%(new)d nouveaux articles, %(errors)d flux en erreur.") % {"new": new, "errors": errors},
                          messages.WARNING if errors else messages.SUCCESS)


admin.site.register(Category)
