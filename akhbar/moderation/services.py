"""Reports, blocks and unblocks: every change to an image's moderation state goes through here."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from akhbar.moderation.models import Action, ImageCase, ModerationEvent, Report
from akhbar.moderation.similarity import blocked_images, first_match, similar_image_ids
from akhbar.news import freshness
from akhbar.news.models import Image

AUTOMATIC = "automatique"


class ReportLimitExceeded(Exception):
    """The reader has filed too many reports this hour."""


@dataclass(frozen=True)
class ReportOutcome:
    counted: bool  # False when this reader (or their network, lately) had reported the image already
    reporters: int  # distinct reporters of the image so far
    blocked: bool  # whether the image is blocked now


@contextmanager
def _locked_case(image_id: int) -> Iterator[ImageCase]:
    """An image's case row, created if need be and locked until the block ends: every change goes through here."""
    ImageCase.objects.get_or_create(image_id=image_id)
    with transaction.atomic():
        yield ImageCase.objects.select_for_update().get(image_id=image_id)


def image_report(*, image: Image, reporter_key: str, network_key: str, now: datetime | None = None) -> ReportOutcome:
    """Count one reader's report of an image, and block it when enough distinct readers have reported it.

    The image's case row is locked for the count, so concurrent reports are counted exactly and the
    automatic block happens once. A protected image is counted but never blocked automatically.
    """
    now = now or timezone.now()
    if _recent_reports(reporter_key, network_key, now) >= settings.REPORTS_PER_HOUR:
        raise ReportLimitExceeded
    with _locked_case(image.pk) as case:
        window_start = now - timedelta(hours=settings.REPORT_NETWORK_WINDOW_HOURS)
        seen = Report.objects.filter(image=image).filter(
            Q(reporter_key=reporter_key) | Q(network_key=network_key, created_at__gte=window_start)
        )
        if seen.exists():
            return ReportOutcome(counted=False, reporters=case.reporters, blocked=case.blocked)
        Report.objects.create(image=image, reporter_key=reporter_key, network_key=network_key, created_at=now)
        case.reporters += 1
        case.first_reported_at = case.first_reported_at or now
        case.last_reported_at = now
        reached = case.reporters >= settings.IMAGE_REPORT_THRESHOLD and not case.blocked and not case.protected
        if reached:
            reason = f"{case.reporters} lecteurs distincts l'ont signalée"
            _block(case, action=Action.AUTO_BLOCK, actor=AUTOMATIC, reason=reason, now=now)
        case.save()
    if reached:
        _block_similar(image, now=now)
        freshness.bump()
    return ReportOutcome(counted=True, reporters=case.reporters, blocked=case.blocked)


def _recent_reports(reporter_key: str, network_key: str, now: datetime) -> int:
    since = now - timedelta(hours=1)
    return Report.objects.filter(Q(reporter_key=reporter_key) | Q(network_key=network_key), created_at__gte=since).count()


def _block(case: ImageCase, *, action: str, actor: str, reason: str, now: datetime) -> None:
    """Mark a locked case blocked and log why; the caller saves it."""
    case.blocked, case.blocked_at = True, now
    ModerationEvent.objects.create(image_id=case.image_id, action=action, actor=actor, reason=reason, created_at=now)


def _block_similar(image: Image, *, now: datetime) -> None:
    """Block every other stored copy of a blocked picture: re-encoded, resized, or served by another outlet."""
    for other_id in similar_image_ids(image.phash, exclude=image.pk):
        _block_one(other_id, action=Action.SIMILAR_BLOCK, actor=AUTOMATIC,
                   reason=f"même image que {image.sha256[:12]}, bloquée", now=now)


def _block_one(image_id: int, *, action: str, actor: str, reason: str, now: datetime, force: bool = False) -> bool:
    """Block one image unless it is blocked already or protected (a moderator's block, `force`, overrides)."""
    with _locked_case(image_id) as case:
        if case.blocked or (case.protected and not force):
            return False
        if force:
            case.protected = False
        _block(case, action=action, actor=actor, reason=reason, now=now)
        case.save()
    return True


def image_block(*, image: Image, actor: str, reason: str = "") -> bool:
    """A moderator blocks an image by hand (and, with it, its other copies); False if it was blocked already."""
    now = timezone.now()
    changed = _block_one(image.pk, action=Action.BLOCK, actor=actor, reason=reason, now=now, force=True)
    if changed:
        _block_similar(image, now=now)
        freshness.bump()
    return changed


def image_unblock(*, image: Image, actor: str, reason: str = "", protect: bool = False) -> bool:
    """A moderator unblocks an image; `protect` keeps it from being blocked automatically again."""
    with _locked_case(image.pk) as case:
        if not case.blocked and case.protected == protect:
            return False
        case.blocked, case.blocked_at, case.protected = False, None, protect
        case.save()
        note = f"{reason} (protégée contre les blocages automatiques)" if protect else reason
        ModerationEvent.objects.create(image=image, action=Action.UNBLOCK, actor=actor, reason=note.strip())
    freshness.bump()
    return True


def reports_clear(*, image: Image, actor: str, reason: str = "") -> int:
    """A moderator dismisses an image's reports: the count starts again from zero. Returns how many went."""
    with _locked_case(image.pk) as case:
        deleted, _ = Report.objects.filter(image=image).delete()
        case.reporters, case.first_reported_at, case.last_reported_at = 0, None, None
        case.save()
        ModerationEvent.objects.create(
            image=image, action=Action.CLEAR_REPORTS, actor=actor, reason=f"{reason} ({deleted} signalements)".strip()
        )
    return deleted


def reports_purge(*, now: datetime | None = None) -> int:
    """Delete report rows older than the retention period; counts and decisions are kept."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REPORT_RETENTION_DAYS)
    deleted, _ = Report.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def images_screen_new(images: list[Image]) -> int:
    """Block newly crawled images that are copies of a blocked one; return how many were blocked."""
    if not images:
        return 0
    now, blocked, candidates = timezone.now(), 0, blocked_images()
    for image in images:
        match = first_match(image, candidates)
        if match is not None and _block_one(
            image.pk, action=Action.SIMILAR_BLOCK, actor=AUTOMATIC,
            reason=f"même image que {match.sha256[:12]}, bloquée", now=now,
        ):
            blocked += 1
    if blocked:
        freshness.bump()
    return blocked
