"""Writes about outlets and feeds: creating them, loading the defaults, claiming due feeds."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop as _

from akhbar.sources.models import Category, Feed, Outlet

# A claimed feed is not handed out again before this, even if its worker dies without a word.

# Names in French, marked for the catalogues: Category.shown_name gives them in the reader's edition.
CATEGORIES = {
    "actualite": _("Actualité"), "politique": _("Politique"), "economie": _("Économie"), "societe": _("Société"),
    "sport": _("Sport"), "culture": _("Culture"), "monde": _("Monde"), "regions": _("Régions"),
    "technologie": _("Technologie"),
}


# Outlet slugs are the first segment of the site's addresses; these are taken by other pages.
RESERVED_SLUGS = {"admin", "categorie", "archives", "static", "img", "sujet", "recherche", "api", "fr", "ar", "es",
                  "en", "rss", "feeds", "sitemap", "robots", "media", "edition"}


class SourceError(Exception):
    """A request about sources that cannot be carried out; the message says why in plain words."""


def categories_ensure() -> dict[str, Category]:
    """Create the site's categories where missing; return them by slug."""
    existing = {c.slug: c for c in Category.objects.all()}
    for slug, name in CATEGORIES.items():
        if slug not in existing:
            existing[slug] = Category.objects.create(slug=slug, name=name)
    return existing


def outlet_upsert(
    *, name: str, slug: str | None = None, homepage: str = "", language: str = "fr",
    category: str | None = None, notes: str = "", feed_candidates: list[str] | None = None,
) -> Outlet:
    """Create an outlet, or update the one with the same slug."""
    slug = slug or slugify(name) or None
    if not slug:
        raise SourceError(f"sources: cannot make an identifier from the name {name!r}; give --slug")
    if slug in RESERVED_SLUGS:
        raise SourceError(f"sources: the identifier {slug!r} is used by the site's own pages; give another --slug")
    categories = categories_ensure()
    if category and category not in categories:
        raise SourceError(f"sources: unknown category {category!r}; choose one of {', '.join(sorted(categories))}")
    outlet, _ = Outlet.objects.update_or_create(
        slug=slug,
        defaults=dict(
            name=name, homepage=homepage, language=language, notes=notes, feed_candidates=feed_candidates or [],
            default_category=categories.get(category or "actualite"),
        ),
    )
    return outlet


def feed_url_check(url: str) -> None:
    """Refuse what cannot be a feed's address, before anything is written."""
    if not url.startswith(("http://", "https://")):
        raise SourceError(f"sources: a feed address must start with http:// or https://, not {url!r}")


def homepage_check(url: str) -> None:
    """Refuse what cannot be a homepage to discover feeds on."""
    if not url.startswith(("http://", "https://")) or not urlsplit(url).hostname:
        raise SourceError(f"sources: {url!r} is not a web address; give the homepage's full address, "
                          f"e.g. https://www.hespress.com/")


def outlet_add(*, name: str, feed_url: str, slug: str | None = None, homepage: str = "", language: str = "fr",
               category: str | None = None) -> Feed:
    """Add an outlet with its feed, all or nothing: a refused feed leaves no outlet behind."""
    feed_url_check(feed_url)
    with transaction.atomic():
        outlet = outlet_upsert(name=name, slug=slug, homepage=homepage, language=language, category=category)
        return feed_add(outlet=outlet, url=feed_url)


def feed_add(*, outlet: Outlet, url: str, kind: str = Feed.Kind.AUTO, note: str = "") -> Feed:
    feed_url_check(url)
    feed, created = Feed.objects.get_or_create(url=url, defaults=dict(outlet=outlet, kind=kind, note=note))
    if not created and feed.outlet_id != outlet.pk:
        raise SourceError(f"sources: {url} already belongs to {feed.outlet.name}")
    return feed


@transaction.atomic
def outlets_load(rows: list[dict]) -> int:
    """Load outlet rows (name, slug, homepage, lang, category, feeds, alternatives, notes); return how many were new."""
    for url in (url for row in rows for url in row.get("feeds", [])):
        feed_url_check(url)
    before = Outlet.objects.count()
    for row in rows:
        outlet = outlet_upsert(
            name=row["name"], slug=row["slug"], homepage=row.get("homepage", ""),
            language=row.get("lang", "fr"), category=row.get("category") or None, notes=row.get("notes", ""),
            feed_candidates=row.get("alternatives", []),
        )
        for url in row.get("feeds", []):
            feed_add(outlet=outlet, url=url, kind=row.get("kind", Feed.Kind.AUTO))
    return Outlet.objects.count() - before


def feeds_claim_due(*, limit: int = 200, outlet_slug: str | None = None, force: bool = False) -> list[int]:
    """Claim the feeds that are due, so that no other scheduler or worker polls them at the same time.

    force claims feeds whatever their schedule, but never one whose site asked us to wait (Retry-After)."""
    now = timezone.now()
    due = Feed.objects.filter(enabled=True, outlet__enabled=True).exclude(retry_not_before__gt=now)
    if outlet_slug:
        due = due.filter(outlet__slug=outlet_slug)
    if not force:
        due = due.filter(next_attempt_at__lte=now)
    claimed = []
    for feed_id, next_at in due.order_by("next_attempt_at").values_list("pk", "next_attempt_at")[:limit]:
        # A conditional update is the claim: of two schedulers racing, only one changes the row.
        lease = now + timedelta(seconds=settings.CLAIM_LEASE)
        if Feed.objects.filter(pk=feed_id, next_attempt_at=next_at).update(next_attempt_at=lease):
            claimed.append(feed_id)
    return claimed


@transaction.atomic
def outlet_apply_discovery(outlet: Outlet, working_urls: list[str]) -> Feed | None:
    """Replace an outlet's failing feeds by the first working address discovery found; None if none."""
    current = set(outlet.feeds.values_list("url", flat=True))
    if any(url in current for url in working_urls):
        return None  # a feed the outlet has works: nothing to replace
    if not working_urls:
        outlet.feeds.filter(consecutive_failures__gt=0).update(
            note="discovery: no working feed found on the homepage, at the usual addresses or in robots.txt"
        )
        return None
    failing = list(outlet.feeds.filter(consecutive_failures__gt=0))
    outlet.feeds.filter(pk__in=[f.pk for f in failing]).update(enabled=False)
    replaced = ", ".join(f.url for f in failing) or "none"
    return feed_add(outlet=outlet, url=working_urls[0], note=f"discovery: found automatically; replaces {replaced}")
