"""Which stored images are the same picture as another: equal perceptual hashes, give or take a few bits."""

from django.conf import settings

from akhbar.news.models import Image

MASK64 = (1 << 64) - 1


def distance(a: int, b: int) -> int:
    """Bits that differ between two signed 64-bit perceptual hashes."""
    return ((a ^ b) & MASK64).bit_count()


def similar_image_ids(phash: int, *, exclude: int) -> list[int]:
    """Every other image whose hash is within IMAGE_MATCH_DISTANCE of this one (a scan: blocks are rare)."""
    limit = settings.IMAGE_MATCH_DISTANCE
    rows = Image.objects.exclude(pk=exclude).values_list("pk", "phash").iterator(chunk_size=5000)
    return [pk for pk, other in rows if distance(phash, other) <= limit]


def blocked_images() -> list[Image]:
    """Every blocked image's hashes (few: blocks are rare)."""
    return list(Image.objects.filter(moderation__blocked=True).only("pk", "sha256", "phash"))


def first_match(image: Image, candidates: list[Image]) -> Image | None:
    """The first candidate, other than the image itself, that is the same picture."""
    limit = settings.IMAGE_MATCH_DISTANCE
    return next((c for c in candidates if c.pk != image.pk and distance(image.phash, c.phash) <= limit), None)
