"""Crawled lead images are stored once, by content, and served from our own address only."""

import io
import re

import pytest
from PIL import Image as PILImage

from akhbar.news.models import Article, Image
from tests.helpers import crawl_all

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crawled(demo_outlets):
    crawl_all()
    return demo_outlets


def test_every_article_with_a_lead_image_gets_our_own_copy(crawled):
    with_source_image = Article.objects.exclude(image_url="")
    assert with_source_image.count() > 10
    assert with_source_image.filter(image__isnull=True).count() == 0


def test_the_same_picture_from_several_outlets_is_stored_once(crawled):
    images = Image.objects.count()
    articles = Article.objects.filter(image__isnull=False).count()
    assert images < articles  # the shared stories' outlets use the same photograph
    shared = Image.objects.filter(articles__outlet__slug__in=["hespress-fr", "le360"]).distinct()
    assert any(image.articles.values("outlet").distinct().count() > 1 for image in shared)


def test_article_page_loads_images_only_from_our_own_address(crawled, client, sample_publisher):
    article = Article.objects.filter(image__isnull=False, language="fr").first()  # the French edition's words
    page = client.get(article.get_absolute_url()).content.decode()
    sources = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert sources and all(src.startswith("/img/") for src in sources)
    assert sample_publisher.base_url not in page.split("<article", 1)[1].split('class="source-link"')[0]
    assert "Signaler cette image" in page


def test_image_address_serves_a_webp_without_metadata(crawled, client):
    image = Image.objects.first()
    response = client.get(image.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    picture = PILImage.open(io.BytesIO(b"".join(response.streaming_content)))
    assert picture.format == "WEBP" and picture.width <= 640
    assert not picture.getexif() and "exif" not in picture.info


def test_unknown_image_and_size_are_not_found(crawled, client):
    image = Image.objects.first()
    assert client.get("/img/" + "0" * 64 + "/m.webp").status_code == 404
    assert client.get(f"/img/{image.sha256}/xl.webp").status_code == 404
