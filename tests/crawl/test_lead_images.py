"""Lead images through the whole crawl: fetched under the usual limits, stored once, refused without losing the article.

A small news site on a loopback server: /feed.xml lists the articles, each article's page names its lead
image in og:image (or the feed item carries it as an enclosure). Every test publishes one article whose
image misbehaves beside a neighbour whose image is fine, crawls as `akhbar crawl --once` does, and checks
what a reader and an operator would see: the article with its text, the image or its absence, and an
error in the feed's outcome that names the problem.
"""

import hashlib
import io
import time
from functools import cache

import pytest
from django.conf import settings as django_settings

if not django_settings.configured:  # the rest of tests/crawl also runs with `-p no:django`; this file stores
    pytest.skip("stores articles and images: needs Django", allow_module_level=True)

from django.core.files.storage import default_storage  # noqa: E402
from PIL import Image as Picture  # noqa: E402

from akhbar.crawl.images import phash_distance, process_image  # noqa: E402
from akhbar.moderation.selectors import image_is_blocked  # noqa: E402
from akhbar.moderation.services import image_block  # noqa: E402
from akhbar.news.models import Article, Image, image_storage_name  # noqa: E402
from akhbar.sources.services import feed_add, outlet_upsert  # noqa: E402
from tests.crawl.test_images import camera_exif, encode, photo, png_declaring  # noqa: E402
from tests.helpers import crawl_all  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

GPS_IFD = 0x8825
BODY = (
    "<p>Le gouvernement a présenté mardi à Rabat son plan pour la saison agricole, marquée par un "
    "troisième hiver sec d'affilée dans les plaines du Saïss et du Gharb.</p>"
    "<p>Les barrages du nord sont remplis à moins de trente pour cent, selon le ministère de l'Équipement, "
    "et les agriculteurs attendent des aides pour les semences et l'irrigation goutte à goutte.</p>"
    "<p>Les coopératives de la région de Meknès disent avoir réduit les surfaces de blé tendre au profit "
    "de l'olivier, plus sobre, mais demandent un calendrier clair pour les subventions promises.</p>"
)


@cache
def jpeg(seed: int, width: int = 1600, height: int = 1067, quality: int = 90) -> bytes:
    """A photo-like JPEG, the same bytes for the same arguments."""
    return encode(photo(width, height, seed=seed), quality=quality)


NEIGHBOUR_JPEG = (9, 900, 600, 85)  # small enough for every limit these tests set


class Newsroom:
    """A news site on one loopback server: its feed, its article pages, its image routes."""

    def __init__(self, server) -> None:
        self.server = server
        self.items: dict[str, tuple[str, str]] = {}  # slug -> (image URL, "page" or "enclosure")
        server.routes["/feed.xml"] = lambda req: req.reply(
            200, self.feed(), {"Content-Type": "application/rss+xml; charset=utf-8"})

    def article(self, slug: str, image: str, *, via: str = "page") -> str:
        """Publish an article whose lead image is `image` (a path here, or a full URL); return the image URL."""
        image_url = image if image.startswith("http") else self.server.url(image)
        self.items[slug] = (image_url, via)
        page = self.page(slug, image_url if via == "page" else None)
        self.server.routes[f"/articles/{slug}"] = lambda req: req.reply(
            200, page, {"Content-Type": "text/html; charset=utf-8"})
        return image_url

    def image(self, path: str, body: bytes, content_type: str = "image/jpeg") -> str:
        self.server.routes[path] = lambda req: req.reply(200, body, {"Content-Type": content_type})
        return self.server.url(path)

    @staticmethod
    def page(slug: str, image_url: str | None) -> bytes:
        og = f'<meta property="og:image" content="{image_url}">' if image_url else ""
        return (
            f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Article {slug}</title>{og}</head>'
            f'<body><nav><a href="/">Accueil</a> <a href="/economie">Économie</a></nav>'
            f"<article><h1>Article {slug}</h1><p>Reportage {slug}.</p>{BODY}</article>"
            f"<footer>© Le Quotidien, tous droits réservés</footer></body></html>"
        ).encode()

    def feed(self) -> bytes:
        items = []
        for number, (slug, (image_url, via)) in enumerate(self.items.items()):
            enclosure = f'<enclosure url="{image_url}" type="image/jpeg" length="0"/>' if via == "enclosure" else ""
            items.append(
                f"<item><title>Article {slug}</title><link>{self.server.url(f'/articles/{slug}')}</link>"
                f'<guid isPermaLink="false">{slug}</guid><pubDate>Tue, 01 Apr 2025 {10 + number}:00:00 GMT</pubDate>'
                f"<description>Résumé de l'article {slug}.</description>{enclosure}</item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Le Quotidien</title>'
            f"<link>{self.server.url('/')}</link><description>Actualité</description>{''.join(items)}</channel></rss>"
        ).encode()


@pytest.fixture
def site(serve, settings, tmp_path) -> Newsroom:
    """The news site registered as a feed, with the good neighbour published; renditions go to tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    newsroom = Newsroom(serve())
    outlet = outlet_upsert(name="Le Quotidien", slug="le-quotidien", language="fr")
    feed_add(outlet=outlet, url=newsroom.server.url("/feed.xml"))
    newsroom.article("voisin", newsroom.image("/img/voisin.jpg", jpeg(*NEIGHBOUR_JPEG)))
    return newsroom


def crawl() -> tuple[list[str], dict[str, Article]]:
    """Poll the feed; its per-article errors, and every stored article by its feed GUID."""
    (outcome,) = crawl_all()
    assert outcome.error is None, outcome.error
    return outcome.article_errors, {a.guid: a for a in Article.objects.select_related("image")}


def assert_stored_with_text(articles: dict[str, Article], slug: str) -> Article:
    article = articles[slug]
    assert article.title == f"Article {slug}"
    assert "barrages du nord" in article.content_html and article.word_count > 60, article.extraction_note
    return article


def assert_neighbour_fine(articles: dict[str, Article], errors: list[str]) -> None:
    neighbour = assert_stored_with_text(articles, "voisin")
    assert neighbour.image is not None and (neighbour.image.width, neighbour.image.height) == NEIGHBOUR_JPEG[1:3]
    assert default_storage.exists(image_storage_name(neighbour.image.sha256, "m"))
    assert not [error for error in errors if "voisin" in error]


def refused(articles: dict[str, Article], errors: list[str], slug: str, image_url: str) -> str:
    """Check the article is stored without an image and the neighbour is fine; return the image's one error."""
    article = assert_stored_with_text(articles, slug)
    assert article.image is None and article.image_url == image_url
    assert_neighbour_fine(articles, errors)
    (error,) = [error for error in errors if image_url in error]
    assert Image.objects.count() == 1  # the neighbour's only
    return error


def stored_rendition(image: Image, size: str) -> Picture.Image:
    with default_storage.open(image_storage_name(image.sha256, size)) as file:
        picture = Picture.open(io.BytesIO(file.read()))
        picture.load()
    return picture


# --- pictures that come through ---------------------------------------------------------------------


def test_good_jpeg_is_stored_as_our_own_renditions_with_its_size(site):
    image_url = site.article("photo", site.image("/img/photo.jpg", jpeg(1)))
    errors, articles = crawl()
    assert errors == []
    image = assert_stored_with_text(articles, "photo").image
    assert image is not None and image.sha256 == hashlib.sha256(jpeg(1)).hexdigest()
    assert (image.width, image.height, image.source_url) == (1600, 1067, image_url)
    for size, expected in (("m", (640, 427)), ("l", (1280, 854))):  # 1067 × 1280 / 1600 = 853.6
        rendition = stored_rendition(image, size)
        assert (rendition.format, rendition.size) == ("WEBP", expected)
    assert_neighbour_fine(articles, errors)


def test_the_same_bytes_at_two_addresses_are_stored_once_now_and_on_later_crawls(site):
    for slug in ("premier", "second"):
        site.article(slug, site.image(f"/img/{slug}.jpg", jpeg(2)))
    errors, articles = crawl()
    assert errors == []
    shared = articles["premier"].image
    assert shared is not None and articles["second"].image_id == shared.pk
    # Later: the same bytes at a third address, and an article reusing an address fetched already.
    site.article("troisieme", site.image("/img/repris.jpg?w=1600", jpeg(2)))
    shared_path = shared.source_url.removeprefix(site.server.base_url)
    fetched_before = len(site.server.requests(shared_path))
    site.article("quatrieme", shared.source_url)
    errors, articles = crawl()
    assert errors == [] and articles["troisieme"].image_id == articles["quatrieme"].image_id == shared.pk
    assert len(site.server.requests(shared_path)) == fetched_before == 1
    assert Image.objects.filter(sha256=shared.sha256).count() == 1 and Image.objects.count() == 2
    _, files = default_storage.listdir(f"img/{shared.sha256[:2]}")
    assert sorted(f for f in files if f.startswith(shared.sha256)) == [f"{shared.sha256}-l.webp", f"{shared.sha256}-m.webp"]


def test_exif_gps_and_camera_of_the_original_are_absent_from_the_stored_renditions(site):
    original = encode(photo(1600, 1067, seed=3), quality=90, exif=camera_exif())
    assert Picture.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # there is something to strip
    site.article("gps", site.image("/img/gps.jpg", original))
    errors, articles = crawl()
    image = articles["gps"].image
    assert errors == [] and image is not None
    for size in ("m", "l"):
        rendition = stored_rendition(image, size)
        assert not rendition.getexif() and not rendition.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "xmp", "icc_profile"} & set(rendition.info)
        with default_storage.open(image_storage_name(image.sha256, size)) as file:
            assert b"Canon" not in file.read()


def test_a_copy_of_a_blocked_picture_is_blocked_on_arrival(site):
    picture = photo(1600, 1067, seed=4)
    first = process_image(encode(picture, quality=90))
    blocked = Image.objects.create(sha256=hashlib.sha256(b"published elsewhere").hexdigest(), phash=first.phash,
                                   width=first.width, height=first.height, source_url="https://ailleurs.example/a.jpg")
    assert image_block(image=blocked, actor="test")
    copy = encode(picture.resize((1200, 800), Picture.Resampling.LANCZOS), quality=75)
    assert phash_distance(process_image(copy).phash, first.phash) <= 6  # the same picture, other bytes
    site.article("copie", site.image("/img/copie.jpg", copy))
    errors, articles = crawl()
    copied = articles["copie"].image
    assert errors == [] and copied is not None and copied.sha256 == hashlib.sha256(copy).hexdigest()
    assert image_is_blocked(copied.pk)
    assert not image_is_blocked(articles["voisin"].image_id)


# --- pictures that are refused, articles that are not ------------------------------------------------


def stream_without_length(body: bytes):
    """Answer with the body but no Content-Length, so the size is only known while reading."""

    def handler(req) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "image/jpeg")
        req.send_header("Connection", "close")
        req.end_headers()
        req.close_connection = True
        for start in range(0, len(body), 16_384):
            req.wfile.write(body[start:start + 16_384])

    return handler


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
def test_image_over_image_max_bytes_is_refused_by_its_size(site, settings, announced):
    settings.IMAGE_MAX_BYTES = 200_000
    big = jpeg(5, quality=95)
    assert len(big) > 2 * settings.IMAGE_MAX_BYTES
    image_url = site.article("lourde", site.server.url("/img/lourde.jpg"))
    site.server.routes["/img/lourde.jpg"] = (
        (lambda req: req.reply(200, big, {"Content-Type": "image/jpeg"})) if announced else stream_without_length(big)
    )
    errors, articles = crawl()
    error = refused(articles, errors, "lourde", image_url)
    assert "200,000 bytes" in error, error


def test_image_size_error_names_the_setting_to_raise(site, settings):
    settings.IMAGE_MAX_BYTES = 200_000
    image_url = site.article("lourde", site.image("/img/lourde.jpg", jpeg(5, quality=95)))
    errors, articles = crawl()
    assert "AKHBAR_IMAGE_MAX_BYTES" in refused(articles, errors, "lourde", image_url)


def test_decompression_bomb_is_refused_from_its_header(site):
    bomb = png_declaring(60_000, 60_000)
    assert len(bomb) < 200  # tiny on the wire: only the pixel limit can catch it
    image_url = site.article("bombe", site.image("/img/bombe.png", bomb, "image/png"))
    errors, articles = crawl()
    error = refused(articles, errors, "bombe", image_url)
    assert error.startswith("image: ") and "pixels" in error and "limit" in error, error


def test_image_max_pixels_setting_is_obeyed(site, settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    image_url = site.article("grande", site.image("/img/grande.jpg", jpeg(6)))  # 1600×1067 = 1.7 million pixels
    errors, articles = crawl()
    error = refused(articles, errors, "grande", image_url)
    assert "1600×1067" in error and "1,000,000" in error, error


@pytest.mark.parametrize("how", ["direct", "redirect"])
def test_image_on_a_private_address_is_refused_without_any_request_reaching_it(site, serve, how):
    private = serve({"/photo.jpg": lambda req: req.reply(200, jpeg(7), {"Content-Type": "image/jpeg"})},
                    host="127.0.0.2")
    private_url = private.url("/photo.jpg")
    target = private_url
    if how == "redirect":  # a public address that sends the crawler on to a private one
        site.server.routes["/img/ailleurs.jpg"] = lambda req: req.reply(302, b"", {"Location": private_url})
        target = site.server.url("/img/ailleurs.jpg")
    image_url = site.article("interne", target, via="enclosure")
    errors, articles = crawl()
    error = refused(articles, errors, "interne", image_url)
    assert "refused to connect to 127.0.0.2" in error, error
    assert private.connections == 0 and private.requests() == []


def test_image_server_that_never_finishes_is_given_up_at_the_timeout(site, settings):
    body = jpeg(8)

    def never_finishes(req) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "image/jpeg")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body[:4096])
        req.wfile.flush()
        req.server.stopping.wait()

    site.server.routes["/img/lente.jpg"] = never_finishes
    image_url = site.article("lente", site.server.url("/img/lente.jpg"))
    errors, articles = crawl()
    done = time.monotonic()
    (request,) = site.server.requests("/img/lente.jpg")
    assert request.finished is None  # the server is still holding the body back
    # Stored once the image's deadline passed, not when the server gave up (never) or much later.
    assert settings.FETCH_TIMEOUT - 0.5 < done - request.started < settings.FETCH_TIMEOUT + 2
    error = refused(articles, errors, "lente", image_url)
    assert "did not answer in full within 3 s" in error, error


def test_image_that_robots_txt_disallows_is_not_fetched(site):
    site.server.routes["/robots.txt"] = lambda req: req.reply(
        200, b"User-agent: *\nDisallow: /img/privees/\n", {"Content-Type": "text/plain"})
    image_url = site.article("privee", site.image("/img/privees/photo.jpg", jpeg(10)))
    errors, articles = crawl()
    error = refused(articles, errors, "privee", image_url)
    assert "robots.txt" in error and site.server.requests("/img/privees/photo.jpg") == [], error


def test_html_served_as_a_jpeg_is_refused(site):
    page = b"<!DOCTYPE html><html><head><title>Erreur</title></head><body>Image introuvable</body></html>"
    image_url = site.article("html", site.image("/img/html.jpg", page))
    errors, articles = crawl()
    error = refused(articles, errors, "html", image_url)
    assert error.startswith("image: not a JPEG") and "<!DOCTYPE html>" in error, error


def test_missing_image_leaves_the_article_without_one(site):
    image_url = site.article("absente", "/img/absente.jpg")
    errors, articles = crawl()
    error = refused(articles, errors, "absente", image_url)
    assert "404 Not Found" in error, error


def test_an_image_that_failed_for_a_while_is_fetched_again_on_the_next_poll(site):
    answers = iter([503, 200])
    body = jpeg(21)

    def flaky(req):
        status = next(answers, 200)
        req.reply(status, body if status == 200 else b"busy", {"Content-Type": "image/jpeg"})

    site.server.routes["/img/instable.jpg"] = flaky
    image_url = site.article("instable", site.server.url("/img/instable.jpg"))
    errors, articles = crawl()
    assert articles["instable"].image is None and [e for e in errors if image_url in e]
    errors, articles = crawl()
    assert articles["instable"].image is not None and not [e for e in errors if image_url in e]
    assert articles["instable"].image.sha256 == hashlib.sha256(body).hexdigest()


def test_an_image_that_keeps_failing_is_given_up_after_three_attempts(site):
    site.server.routes["/img/cassee.jpg"] = lambda req: req.reply(404, b"gone", {"Content-Type": "text/plain"})
    site.article("cassee", site.server.url("/img/cassee.jpg"))
    for _ in range(5):
        crawl()
    assert len(site.server.requests("/img/cassee.jpg")) == 3
