"""The moderators' queue in the Django admin: reported images, blocked images, and the audit log."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from akhbar.moderation import services
from akhbar.moderation.models import BlockedImage, ImageCase, ModerationEvent, ReportedImage

ARTICLES_SHOWN = 3


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Motif"), required=False, max_length=500)


def _decision(name: str, decide, description: str, done: str):
    """An admin action applying one moderation service to each selected image, with the form's reason."""

    @admin.action(description=description)
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        actor, reason = request.user.get_username(), request.POST.get("reason", "").strip()
        changed = sum(1 for case in queryset if decide(image=case.image, actor=actor, reason=reason))
        modeladmin.message_user(request, done % {"count": changed}, messages.SUCCESS)

    action.__name__ = name  # the admin tells actions apart by name
    return action


unblock = _decision("unblock", services.image_unblock, _("Débloquer"), _("%(count)d image(s) débloquée(s)."))
unblock_and_protect = _decision(
    "unblock_and_protect", partial(services.image_unblock, protect=True),
    _("Débloquer et protéger contre les blocages automatiques"), _("%(count)d image(s) débloquée(s) et protégée(s)."),
)
block = _decision("block", services.image_block, _("Bloquer"), _("%(count)d image(s) bloquée(s)."))
clear_reports = _decision(
    "clear_reports", lambda **decision: services.reports_clear(**decision) >= 0, _("Supprimer les signalements"),
    _("Signalements supprimés pour %(count)d image(s)."),
)


class ImageCaseAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    list_display = ["thumbnail", "reporters", "first_reported_at", "last_reported_at", "blocked_at", "protected",
                    "used_by"]
    list_filter = ["protected"]
    readonly_fields = ["image", "reporters", "first_reported_at", "last_reported_at", "blocked", "blocked_at",
                       "protected"]
    actions = [unblock, unblock_and_protect, block, clear_reports]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # every change is an action, so it is logged with its reason

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("image")

    @admin.display(description=_("image"))
    def thumbnail(self, case: ImageCase) -> str:
        return format_html('<img src="{}" alt="" style="max-width:160px;max-height:110px">',
                           case.image.get_absolute_url())

    @admin.display(description=_("articles"))
    def used_by(self, case: ImageCase) -> str:
        articles = case.image.articles.select_related("outlet")[:ARTICLES_SHOWN]
        return format_html_join(
            mark_safe("<br>"), '<a href="{}">{}</a> ({})',
            ((reverse("admin:news_article_change", args=[a.pk]), a.title[:80], a.outlet.name) for a in articles),
        )


@admin.register(ReportedImage)
class ReportedImageAdmin(ImageCaseAdmin):
    actions = [block, clear_reports, unblock_and_protect]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(blocked=False, reporters__gt=0).order_by("-reporters")


@admin.register(BlockedImage)
class BlockedImageAdmin(ImageCaseAdmin):
    actions = [unblock, unblock_and_protect, clear_reports]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(blocked=True).order_by("-blocked_at")


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "image", "actor", "reason"]
    list_filter = ["action"]
    search_fields = ["actor", "reason", "image__sha256"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the audit log is kept
