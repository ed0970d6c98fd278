"""Articles as the site shows them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from akhbar.sources.models import Category, Feed, Outlet


class Article(models.Model):
    outlet = models.ForeignKey(Outlet, related_name="articles", on_delete=models.CASCADE)
    feed = models.ForeignKey(Feed, related_name="articles", null=True, blank=True, on_delete=models.SET_NULL)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL)

    # Identity: the canonical URL's hash is unique, so the same article reached through two feeds
    # or with tracking parameters is stored once.
    url = models.URLField(_("adresse"), max_length=2000)
    url_hash = models.CharField(max_length=64, unique=True)
    guid = models.CharField(max_length=1000, blank=True)

    title = models.CharField(_("titre"), max_length=1000)
    tags = models.JSONField(_("étiquettes"), default=list, blank=True)
    summary = models.TextField(_("résumé"), blank=True)
    content_html = models.TextField(_("texte (HTML assaini)"), blank=True)
    author = models.CharField(_("auteur"), max_length=300, blank=True)
    language = models.CharField(_("langue"), max_length=8, blank=True)
    image_url = models.URLField(_("image"), max_length=2000, blank=True)
    image_caption = models.CharField(_("légende"), max_length=1000, blank=True)
    word_count = models.PositiveIntegerField(default=0)
    extraction_note = models.CharField(
        _("extraction"), max_length=300, blank=True,
        help_text=_("Vide si le texte vient de la page ; sinon, pourquoi le contenu du flux a été gardé."),
    )

    published_at = models.DateTimeField(_("publié le"), db_index=True)
    fetched_at = models.DateTimeField(_("collecté le"), default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["outlet", "-published_at"], name="article_outlet_recent"),
            models.Index(fields=["category", "-published_at"], name="article_category_recent"),
            models.Index(fields=["outlet", "guid"], name="article_outlet_guid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("article", kwargs={"outlet_slug": self.outlet.slug, "article_id": self.pk})
