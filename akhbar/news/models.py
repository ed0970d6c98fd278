"""Articles as the site shows them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from akhbar.news.editions import address_in_edition, edition_of
from akhbar.sources.models import Category, Feed, Outlet


EXCERPT_CHARS = 300

# Renditions made by akhbar.crawl.images: the widest each may be.
RENDITION_WIDTHS = {"m": 640, "l": 1280}


class Image(models.Model):
    """A lead image, stored once however many articles use it: keyed by the hash of its bytes.

    The perceptual hash finds the same picture re-encoded or resized by another outlet. The
    renditions live in Django's default storage (image_storage_name); readers only ever load them
    from our own address, /img/.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    phash = models.BigIntegerField(_("empreinte perceptuelle"))
    width = models.PositiveIntegerField(_("largeur"))
    height = models.PositiveIntegerField(_("hauteur"))
    source_url = models.URLField(_("adresse d'origine"), max_length=2000, db_index=True)
    fetched_at = models.DateTimeField(_("collectée le"), default=timezone.now)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.width}×{self.height})"

    def get_absolute_url(self, size: str = "m") -> str:
        from django.urls import reverse

        return reverse("image", kwargs={"sha256": self.sha256, "size": size})

    def large_url(self) -> str:
        return self.get_absolute_url("l")

    def shown_size(self) -> tuple[int, int]:
        """Width and height of the "m" rendition, for the page's layout before the image arrives."""
        width = min(self.width, RENDITION_WIDTHS["m"])
        return width, max(1, round(self.height * width / self.width))

    @property
    def shown_width(self) -> int:
        return self.shown_size()[0]

    @property
    def shown_height(self) -> int:
        return self.shown_size()[1]


def image_storage_name(sha256: str, size: str) -> str:
    """Where a rendition lives in the default storage."""
    return f"img/{sha256[:2]}/{sha256}-{size}.webp"


class Story(models.Model):
    """One event, however many outlets and languages tell it. Articles join one on arrival (akhbar.stories.store)."""

    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    first_published_at = models.DateTimeField(_("premier article"), db_index=True)
    last_published_at = models.DateTimeField(_("dernier article"), db_index=True)
    articles_count = models.PositiveIntegerField(_("articles"), default=0)
    outlets_count = models.PositiveIntegerField(_("médias"), default=0, db_index=True)
    languages = models.JSONField(_("langues"), default=list, blank=True)
    headline = models.ForeignKey("Article", null=True, blank=True, related_name="+", on_delete=models.SET_NULL,
                                 help_text=_("Le titre le plus représentatif du sujet."))
    merged_into = models.ForeignKey("self", null=True, blank=True, related_name="+", on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("sujet")
        verbose_name_plural = _("sujets")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.articles_count} articles, {self.outlets_count} médias)"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("story", kwargs={"story_id": self.pk})


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
    image = models.ForeignKey(Image, null=True, blank=True, related_name="articles", on_delete=models.SET_NULL)
    image_attempts = models.PositiveSmallIntegerField(default=0)  # fetches of image_url so far
    story = models.ForeignKey(Story, null=True, blank=True, related_name="articles", on_delete=models.SET_NULL)
    # The story features, kept so that any process can compare new articles with this one.
    embedding = models.BinaryField(null=True, blank=True)  # 512 float16
    simhash = models.BigIntegerField(null=True, blank=True)  # of the text: copies are a few bits apart
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
        # Lists read newest first, ties by id; the id in the index lets PostgreSQL walk it without sorting.
        indexes = [
            models.Index(fields=["outlet", "-published_at", "-id"], name="article_outlet_newest"),
            models.Index(fields=["category", "-published_at", "-id"], name="article_category_newest"),
            # Each edition lists its language's articles: newest first, overall and by category.
            models.Index(fields=["language", "-published_at", "-id"], name="article_language_newest"),
            models.Index(fields=["category", "language", "-published_at", "-id"], name="article_category_lang_newest"),
            models.Index(fields=["outlet", "guid"], name="article_outlet_guid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display(self) -> str:
        """What the outlet lets us show: Outlet.Display.FULL, EXCERPT or HEADLINE."""
        return self.outlet.display

    def excerpt(self, chars: int = EXCERPT_CHARS) -> str:
        """A few plain-text lines of the article, for outlets that allow an excerpt only (and for cards)."""
        from django.utils.html import strip_tags
        from django.utils.text import Truncator

        text = " ".join(strip_tags(self.summary or self.content_html).split())
        return Truncator(text).chars(chars)

    def get_absolute_url(self) -> str:
        """The article's page, in the edition of its language, whatever edition links to it."""
        return address_in_edition("article", edition_of(self.language), outlet_slug=self.outlet.slug,
                                  article_id=self.pk)


class Takedown(models.Model):
    """A tombstone: an article withdrawn at its publisher's request. It is gone from every page, feed,
    search and sitemap (its row is deleted), and the crawler never stores its address or GUID again."""

    url = models.URLField(_("adresse"), max_length=2000)
    url_hash = models.CharField(max_length=64, unique=True)
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("média"))
    guid = models.CharField(max_length=1000, blank=True)
    article_id = models.BigIntegerField(_("ancien numéro"), null=True, blank=True, db_index=True,
                                        help_text=_("Son adresse chez nous répond désormais 410."))
    title = models.CharField(_("titre"), max_length=1000, blank=True)
    reason = models.TextField(_("motif"))
    requested_by = models.CharField(_("par"), max_length=150)
    created_at = models.DateTimeField(_("retiré le"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article retiré")
        verbose_name_plural = _("articles retirés")

    def __str__(self) -> str:
        return self.title or self.url


class StoryDecision(models.Model):
    """A moderator's split or join of stories: the audit log, never deleted (akhbar.stories.decisions).

    Stories are kept by id rather than by foreign key: the log must still say what happened once a
    story is gone.
    """

    class Action(models.TextChoices):
        SPLIT = "split", _("séparation")
        JOIN = "join", _("fusion")

    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    from_story_ids = models.JSONField(_("sujets d'origine"), default=list)
    to_story_id = models.BigIntegerField(_("sujet d'arrivée"))
    article_ids = models.JSONField(_("articles déplacés"), default=list)
    by = models.CharField(_("par"), max_length=150)
    reason = models.TextField(_("motif"), blank=True)
    created_at = models.DateTimeField(_("décidé le"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("décision sur un sujet")
        verbose_name_plural = _("décisions sur les sujets")

    def __str__(self) -> str:
        return f"{self.get_action_display()} → #{self.to_story_id}"


class StorySeparation(models.Model):
    """Two stories a moderator split apart: the engine never merges them again. The smaller id comes first."""

    low = models.ForeignKey(Story, related_name="+", on_delete=models.CASCADE)
    high = models.ForeignKey(Story, related_name="+", on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="story_separation_pair"),
            models.CheckConstraint(condition=models.Q(low__lt=models.F("high")), name="story_separation_ordered"),
        ]
