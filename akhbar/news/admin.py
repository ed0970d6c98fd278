from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from akhbar.news.models import Article, Image, Story, StoryDecision, Takedown
from akhbar.news.services import TakedownError, article_takedown
from akhbar.stories.decisions import StoryDecisionError, story_join, story_split


class ReasonForm(ActionForm):
    """The reason a moderator gives with an action: required for a takedown, optional for a split or join."""

    reason = forms.CharField(label=_("Motif"), required=False, max_length=1000)


@admin.action(description=_("Retirer à la demande de l'éditeur (définitif)"))
def take_down(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    reason = request.POST.get("reason", "").strip()
    if not reason:
        modeladmin.message_user(request, _("Indiquez le motif du retrait."), messages.ERROR)
        return
    done = 0
    for pk in list(queryset.values_list("pk", flat=True)):
        try:
            article_takedown(target=str(pk), reason=reason, by=request.user.get_username())
            done += 1
        except TakedownError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
    modeladmin.message_user(request, _("%(count)d article(s) retiré(s).") % {"count": done}, messages.SUCCESS)


@admin.action(description=_("Séparer en un nouveau sujet"), permissions=["change"])
def split_story(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    try:
        story = story_split(article_ids=list(queryset.values_list("pk", flat=True)),
                            by=request.user.get_username(), reason=request.POST.get("reason", "").strip())
    except StoryDecisionError as error:
        modeladmin.message_user(request, str(error), messages.ERROR)
        return
    modeladmin.message_user(request, _("%(count)d article(s) séparé(s) dans le nouveau sujet n° %(story)d.")
                            % {"count": story.articles_count, "story": story.pk}, messages.SUCCESS)


@admin.action(description=_("Fusionner les sujets sélectionnés"), permissions=["change"])
def join_stories(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    try:
        story = story_join(story_ids=list(queryset.values_list("pk", flat=True)),
                           by=request.user.get_username(), reason=request.POST.get("reason", "").strip())
    except StoryDecisionError as error:
        modeladmin.message_user(request, str(error), messages.ERROR)
        return
    modeladmin.message_user(request, _("Sujets fusionnés dans le sujet n° %(story)d.") % {"story": story.pk},
                            messages.SUCCESS)


@admin.register(Takedown)
class TakedownAdmin(admin.ModelAdmin):
    list_display = ("created_at", "title", "outlet", "url", "requested_by", "reason")
    search_fields = ("url", "title", "reason")
    readonly_fields = ("url", "url_hash", "outlet", "guid", "article_id", "title", "reason", "requested_by",
                       "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a takedown is made on an article (the action), or by `akhbar articles takedown`

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the log of withdrawals is kept


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    action_form = ReasonForm
    actions = [take_down, split_story]
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
    action_form = ReasonForm
    actions = [join_stories]


@admin.register(StoryDecision)
class StoryDecisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "from_story_ids", "to_story_id", "article_ids", "by", "reason")
    list_filter = ("action",)
    search_fields = ("by", "reason")

    # The log is written only by the split and join actions (akhbar.stories.decisions), and kept.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("sha256", "width", "height", "source_url", "fetched_at")
    search_fields = ("sha256", "source_url")
    readonly_fields = ("sha256", "phash", "width", "height", "source_url", "fetched_at")
