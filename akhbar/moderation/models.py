"""What readers reported, what was decided, and who decided it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from akhbar.news.models import Image


class ImageCase(models.Model):
    """An image's moderation state: how many distinct readers reported it, and whether it is blocked.

    Every report locks this row, so counts stay exact and the block happens once under any concurrency.
    """

    image = models.OneToOneField(Image, primary_key=True, related_name="moderation", on_delete=models.CASCADE)
    reporters = models.PositiveIntegerField(_("signalements distincts"), default=0)
    first_reported_at = models.DateTimeField(_("premier signalement"), null=True, blank=True)
    last_reported_at = models.DateTimeField(_("dernier signalement"), null=True, blank=True)
    blocked = models.BooleanField(_("bloquée"), default=False, db_index=True)
    blocked_at = models.DateTimeField(_("bloquée le"), null=True, blank=True)
    protected = models.BooleanField(
        _("protégée"), default=False,
        help_text=_("Une image protégée par un modérateur n'est plus jamais bloquée automatiquement."),
    )

    class Meta:
        verbose_name = _("dossier d'image")
        verbose_name_plural = _("dossiers d'images")

    def __str__(self) -> str:
        return str(self.image)


class Report(models.Model):
    """One reader's report of one image. No address is stored: only keyed hashes of the reader."""

    image = models.ForeignKey(Image, related_name="reports", on_delete=models.CASCADE)
    reporter_key = models.CharField(max_length=64)  # HMAC of the reader's cookie
    network_key = models.CharField(max_length=64, db_index=True)  # HMAC of the reader's /24 or /48
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [models.UniqueConstraint(fields=["image", "reporter_key"], name="report_once_per_reader")]
        indexes = [models.Index(fields=["reporter_key", "created_at"], name="report_reader_recent")]


class Action(models.TextChoices):
    AUTO_BLOCK = "auto_block", _("blocage automatique")
    SIMILAR_BLOCK = "similar_block", _("blocage d'une image identique")
    BLOCK = "block", _("blocage")
    UNBLOCK = "unblock", _("déblocage")
    CLEAR_REPORTS = "clear_reports", _("signalements supprimés")


class ModerationEvent(models.Model):
    """The audit log: every decision on an image, automatic or not. Kept when reports are purged."""

    image = models.ForeignKey(Image, related_name="moderation_events", on_delete=models.CASCADE)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.CharField(_("par"), max_length=150)
    reason = models.TextField(_("motif"), blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("décision de modération")
        verbose_name_plural = _("journal de modération")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.image} · {self.actor}"


class ReportedImage(ImageCase):
    """The moderators' queue: images readers reported that are not blocked."""

    class Meta:
        proxy = True
        verbose_name = _("image signalée")
        verbose_name_plural = _("images signalées")


class BlockedImage(ImageCase):
    class Meta:
        proxy = True
        verbose_name = _("image bloquée")
        verbose_name_plural = _("images bloquées")
