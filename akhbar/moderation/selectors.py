"""What the rest of the site may ask of moderation."""

from collections.abc import Iterable

from django.db.models import QuerySet

from akhbar.moderation.models import ImageCase, ModerationEvent
from akhbar.news.models import Image


def blocked_image_ids(image_ids: Iterable[int | None]) -> set[int]:
    """The blocked ones among these images."""
    ids = {pk for pk in image_ids if pk is not None}
    if not ids:
        return set()
    return set(ImageCase.objects.filter(image_id__in=ids, blocked=True).values_list("image_id", flat=True))


def image_is_blocked(image_id: int) -> bool:
    return bool(blocked_image_ids([image_id]))


def image_by_key(key: str) -> Image | None:
    """An image by its content hash, as it appears in its address."""
    return Image.objects.filter(sha256=key).first()


def case_list(*, blocked: bool | None = None) -> QuerySet[ImageCase]:
    """Reported (or blocked) images, most reported first."""
    cases = ImageCase.objects.select_related("image")
    if blocked is True:
        cases = cases.filter(blocked=True)
    elif blocked is False:
        cases = cases.filter(blocked=False, reporters__gt=0)
    return cases.order_by("-blocked", "-reporters", "-last_reported_at")


def event_list(*, image: Image | None = None) -> QuerySet[ModerationEvent]:
    events = ModerationEvent.objects.select_related("image")
    return events.filter(image=image) if image else events


class UnknownImage(Exception):
    """No image, or more than one, matches what was given."""


def image_by_prefix(prefix: str) -> Image:
    """An image by the start of its content hash (at least 8 characters), as the command line shows it."""
    prefix = prefix.strip().lower()
    if len(prefix) < 8:
        raise UnknownImage(f"moderation: give at least 8 characters of the image's hash, not {prefix!r}")
    found = list(Image.objects.filter(sha256__startswith=prefix)[:2])
    if len(found) != 1:
        problem = "no image has" if not found else "several images have"
        raise UnknownImage(f"moderation: {problem} a hash starting with {prefix!r}; see `akhbar moderation list`")
    return found[0]
