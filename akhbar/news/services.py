"""Writes to the site's articles that are not the crawler's: taking an article down at its publisher's request."""

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from akhbar.crawl.normalize import canonical_url
from akhbar.crawl.store import url_hash
from akhbar.news import freshness
from akhbar.news.models import Article, Takedown
from akhbar.stories.store import stories_forget
from akhbar.search.index import unindex_articles

log = logging.getLogger(__name__)
# Our own article pages: /<edition>/<outlet>/<id>, or the older /<outlet>/<id>.
OUR_PAGE = re.compile(r"^/(?:[a-z]{2}/)?[-\w]+/(\d+)/?$")


class TakedownError(Exception):
    """The takedown cannot be done; the message says why."""


def article_for(target: str) -> tuple[Article | None, str]:
    """The stored article a takedown names (by its original address, our page's or its number), and the
    original address to tombstone; (None, address) when it is not stored (yet)."""
    target = target.strip()
    if target.isdigit():
        article = Article.objects.select_related("outlet").filter(pk=int(target)).first()
        if article is None:
            raise TakedownError(f"takedown: no article number {target}")
        return article, article.url
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TakedownError(f"takedown: {target!r} is neither an article's address nor its number")
    ours = OUR_PAGE.match(parts.path) if parts.hostname in _our_hosts() else None
    if ours:  # our page's address: the article it shows
        article = Article.objects.select_related("outlet").filter(pk=int(ours.group(1))).first()
        if article is None:
            raise TakedownError(f"takedown: no article at {target} (taken down already?)")
        return article, article.url
    url = canonical_url(target)
    return Article.objects.select_related("outlet").filter(url_hash=url_hash(url)).first(), url


def _our_hosts() -> set[str]:
    named = {urlsplit(settings.SITE_URL).hostname} | {host for host in settings.ALLOWED_HOSTS if "*" not in host}
    return {host.strip("[]").lstrip(".") for host in named if host}


def article_takedown(*, target: str, reason: str, by: str) -> Takedown:
    """Withdraw an article everywhere at once and keep it from ever coming back; the reason is logged."""
    if not reason.strip():
        raise TakedownError("takedown: say why (the publisher's request, its date, who asked)")
    article, url = article_for(target)
    key = article.url_hash if article else url_hash(url)
    with transaction.atomic():
        takedown, created = Takedown.objects.get_or_create(url_hash=key, defaults={
            "url": url, "reason": reason.strip(), "requested_by": by,
            "outlet": article.outlet if article else None, "guid": article.guid if article else "",
            "article_id": article.pk if article else None, "title": article.title if article else "",
        })
        if article is not None:
            story_id = article.story_id
            unindex_articles([article.pk])
            article.delete()
            stories_forget({takedown.article_id}, {story_id} if story_id else set())
        transaction.on_commit(freshness.bump)  # every cached page, in every process, is stale at once
    log.info("article taken down", extra={"article_url": url, "reason": takedown.reason, "by": by,
                                          "article_id": takedown.article_id, "already": not created})
    return takedown
