import hashlib
import itertools

import pytest

_serial = itertools.count()


@pytest.fixture
def make_image(db):
    """An image row as the crawler stores it, with a chosen perceptual hash."""
    from akhbar.news.models import Image

    def make(phash: int = 0x0F0F_0F0F_0F0F_0F0F) -> Image:
        sha = hashlib.sha256(f"image-{next(_serial)}".encode()).hexdigest()
        return Image.objects.create(sha256=sha, phash=phash, width=1200, height=800,
                                    source_url=f"https://cdn.example/{sha[:8]}.jpg")

    return make


@pytest.fixture
def settings_threshold(settings):
    settings.IMAGE_REPORT_THRESHOLD = 3
    settings.REPORTS_PER_HOUR = 20
    settings.REPORT_NETWORK_WINDOW_HOURS = 24
    settings.IMAGE_MATCH_DISTANCE = 6
    return settings
