"""Outlets, their feeds, and each feed's health."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The name in the reader's edition: the site's own categories are in the catalogues (others stay as typed)."""
        from django.utils.translation import gettext

        return gettext(self.name)

    def get_absolute_url(self) -> str:
        """The category's page in the reader's edition."""
        from django.utils.translation import get_language

        from akhbar.news.editions import address_in_edition

        return address_in_edition("category", get_language() or settings.LANGUAGE_CODE, category_slug=self.slug)


class Outlet(models.Model):
    class Display(models.TextChoices):
        """What of its articles the publisher lets us show: set by operators, honoured by pages, feeds and the API."""

        FULL = "full", _("texte intégral")
        EXCERPT = "excerpt", _("extrait et lien")
        HEADLINE = "headline", _("titre seul")

    name = models.CharField(_("nom"), max_length=200, help_text=_("Le nom tel que les lecteurs le connaissent."))
    slug = models.SlugField(unique=True)
    homepage = models.URLField(_("page d'accueil"), max_length=500, blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    default_category = models.ForeignKey(
        Category, verbose_name=_("catégorie par défaut"), null=True, blank=True, on_delete=models.SET_NULL
    )
    enabled = models.BooleanField(_("actif"), default=True)
    display = models.CharField(
        _("affichage"), max_length=10, choices=Display.choices, default=Display.FULL,
        help_text=_("Ce que le média nous autorise à montrer de ses articles, partout : pages, flux et API."),
    )
    notes = models.TextField(_("notes"), blank=True)
    feed_candidates = models.JSONField(
        _("flux candidats"), default=list, blank=True,
        help_text=_("Autres adresses de flux connues, essayées par la découverte quand le flux échoue."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("média")
        verbose_name_plural = _("médias")

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The name in every edition: an outlet's name is its own (as Category.shown_name, for lists of either)."""
        return self.name

    def get_absolute_url(self) -> str:
        """The outlet's page in the reader's edition."""
        from django.utils.translation import get_language

        from akhbar.news.editions import address_in_edition

        return address_in_edition("outlet", get_language() or settings.LANGUAGE_CODE, outlet_slug=self.slug)


class Feed(models.Model):
    class Kind(models.TextChoices):
        AUTO = "auto", _("automatique")
        RSS = "rss", "RSS"
        ATOM = "atom", "Atom"
        JSON = "json", "JSON Feed"
        SITEMAP = "sitemap", _("sitemap d'actualités")

    outlet = models.ForeignKey(Outlet, related_name="feeds", on_delete=models.CASCADE)
    url = models.URLField(_("adresse"), max_length=1000, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.AUTO)
    title = models.CharField(_("titre"), max_length=300, blank=True)
    enabled = models.BooleanField(_("actif"), default=True)

    # Conditional GET validators from the last successful fetch.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    # Health, shown to operators.
    poll_interval = models.PositiveIntegerField(_("intervalle (s)"), default=600)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now, db_index=True)
    # A site's Retry-After, kept apart from the schedule: `crawl --once --force` overrides the schedule, never this.
    retry_not_before = models.DateTimeField(_("pas avant (Retry-After du site)"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("dernier succès"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    last_error_at = models.DateTimeField(_("date de l'erreur"), null=True, blank=True)
    last_warning = models.TextField(
        _("avertissement"), blank=True, help_text=_("Le flux est lu, mais quelque chose y cloche (dernier passage).")
    )
    consecutive_failures = models.PositiveIntegerField(_("échecs consécutifs"), default=0)
    last_new_articles = models.PositiveIntegerField(_("nouveaux articles (dernier passage)"), default=0)
    note = models.TextField(_("remarque"), blank=True, help_text=_("Comment ce flux a été trouvé, et ce qui a été essayé."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["outlet__name", "url"]
        verbose_name = _("flux")
        verbose_name_plural = _("flux")

    def __str__(self) -> str:
        return self.url

    @property
    def is_healthy(self) -> bool:
        return self.consecutive_failures == 0 and self.last_success_at is not None
