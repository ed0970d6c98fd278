"""Every path the sample publisher serves, mapped to a resource rendered on first request and cached."""

import gzip
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, partial

from . import feeds, pages, synthetic
from .content import DATA_DIR, Article, Outlet, load_outlets

IMAGE_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}
PRIVATE_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Privé</title></head><body></body></html>'


@dataclass
class Resource:
    """One response body with the validators a conditional GET compares against."""

    body: bytes
    content_type: str
    last_modified: datetime
    compressible: bool = True
    etag: str = field(init=False)

    def __post_init__(self):
        # HTTP dates have whole seconds; keep the same precision so If-Modified-Since compares equal.
        self.last_modified = self.last_modified.astimezone(UTC).replace(microsecond=0)
        self.etag = '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'

    @cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.body, compresslevel=6, mtime=0)


class Site:
    """The route table of the hand-written outlets plus `extra_outlets` synthetic ones."""

    def __init__(self, base_url: str, *, now: datetime, articles_per_outlet: int | None = None,
                 extra_outlets: int = 0):
        self.base_url = base_url
        self.now = now.replace(second=0, microsecond=0)
        self.outlets = load_outlets(self.now) + synthetic.bench_outlets(extra_outlets, articles_per_outlet, self.now)
        self._routes: dict[str, Callable[[], Resource]] = {}
        self._cache: dict[str, Resource] = {}
        self._cache_lock = threading.Lock()
        self._private = Resource(PRIVATE_PAGE.encode(), "text/html; charset=utf-8", self.now)
        self._add_routes()

    def resolve(self, path: str) -> Resource | None:
        """The resource at `path`, or None when nothing lives there."""
        if path.startswith("/private/"):
            return self._private
        resource = self._cache.get(path)
        if resource is None and path in self._routes:
            resource = self._routes[path]()
            with self._cache_lock:
                resource = self._cache.setdefault(path, resource)
        return resource

    def outlet(self, slug: str) -> Outlet:
        """The outlet called `slug`; ValueError names the known ones otherwise."""
        for outlet in self.outlets:
            if outlet.slug == slug:
                return outlet
        raise ValueError(f"publisher: no outlet {slug!r}; known: {', '.join(o.slug for o in self.outlets)}")

    def _add_routes(self) -> None:
        index = pages.index_page
        self._routes["/"] = lambda: self._text(index(self.outlets, base_url=self.base_url), "text/html; charset=utf-8")
        self._routes["/robots.txt"] = lambda: self._text(self._robots(), "text/plain; charset=utf-8")
        images = {path.name: path for path in (DATA_DIR / "images").iterdir() if path.suffix in IMAGE_TYPES}
        for name, path in images.items():
            self._routes[f"/media/{name}"] = partial(self._image, path)
        for outlet in self.outlets:
            self._add_outlet_routes(outlet, images)

    def _add_outlet_routes(self, outlet: Outlet, images: dict) -> None:
        newest = max((a.published for a in outlet.articles), default=self.now)
        charset = outlet.encoding
        html_type = "text/html; charset=utf-8" if charset == "utf-8" else "text/html"  # legacy pages: <meta> only

        def rendered(render, content_type, **options):
            text = partial(render, outlet, base_url=self.base_url, **options)
            return lambda: self._text(text(), content_type, newest, charset)

        self._routes[f"/{outlet.slug}/"] = rendered(pages.homepage, html_type, now=self.now)
        sitemap_type = f"application/xml; charset={charset}"
        self._routes[f"/{outlet.slug}/news-sitemap.xml"] = rendered(feeds.news_sitemap, sitemap_type)
        if outlet.feed_format in ("rss", "atom"):
            render = feeds.rss if outlet.feed_format == "rss" else feeds.atom
            feed_type = f"application/{outlet.feed_format}+xml; charset={charset}"
            self._routes[outlet.feed_path] = rendered(render, feed_type, now=self.now)
        for variant, article in enumerate(outlet.articles):
            self._routes[article.path] = partial(self._article, outlet, article, variant, html_type)
        for name in {article.image for article in outlet.articles}:
            self._routes[f"/{outlet.slug}/images/{name}"] = partial(self._image, images[name])

    def _article(self, outlet: Outlet, article: Article, variant: int, content_type: str) -> Resource:
        if not article.paragraphs:
            article = synthetic.with_body(article)
        html = pages.article_page(outlet, article, base_url=self.base_url, now=self.now, variant=variant)
        return self._text(html, content_type, article.published, outlet.encoding)

    def _robots(self) -> str:
        sitemaps = "".join(f"Sitemap: {self.base_url}/{outlet.slug}/news-sitemap.xml\n" for outlet in self.outlets)
        return f"User-agent: *\nDisallow: /private/\n\n{sitemaps}"

    def _text(self, text: str, content_type: str, modified: datetime | None = None, encoding="utf-8") -> Resource:
        # Legacy encodings cannot spell every character of the shared chrome; references keep the page valid.
        return Resource(text.encode(encoding, "xmlcharrefreplace"), content_type, modified or self.now)

    def _image(self, path) -> Resource:
        return Resource(path.read_bytes(), IMAGE_TYPES[path.suffix], self.now, compressible=False)
