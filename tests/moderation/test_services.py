"""Counting, distinctness, threshold, protection, propagation and audit, on the real database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from akhbar.moderation import services
from akhbar.moderation.models import Action, ImageCase, ModerationEvent, Report
from akhbar.moderation.selectors import blocked_image_ids, image_is_blocked

pytestmark = pytest.mark.django_db


def report(image, reader: str, network: str | None = None, **kwargs):
    return services.image_report(image=image, reporter_key=f"r-{reader}", network_key=f"n-{network or reader}",
                                 **kwargs)


def events(image, action=None):
    found = ModerationEvent.objects.filter(image=image)
    return found.filter(action=action) if action else found


def test_the_third_distinct_reader_blocks_the_image(make_image, settings_threshold):
    image = make_image()
    assert report(image, "a") == services.ReportOutcome(counted=True, reporters=1, blocked=False)
    assert report(image, "b").blocked is False
    assert not image_is_blocked(image.pk)
    outcome = report(image, "c")
    assert outcome == services.ReportOutcome(counted=True, reporters=3, blocked=True)
    assert image_is_blocked(image.pk)
    (event,) = events(image)
    assert (event.action, event.actor) == (Action.AUTO_BLOCK, "automatique") and "3 lecteurs" in event.reason


def test_a_reader_counts_once_per_image(make_image, settings_threshold):
    image = make_image()
    for _ in range(5):
        report(image, "a")
    assert ImageCase.objects.get(image=image).reporters == 1
    assert not image_is_blocked(image.pk)


def test_one_network_counts_once_within_the_window_whatever_its_cookies(make_image, settings_threshold):
    image = make_image()
    assert report(image, "a", network="office").counted
    assert not report(image, "b", network="office").counted
    assert not report(image, "c", network="office").counted
    assert ImageCase.objects.get(image=image).reporters == 1 and not image_is_blocked(image.pk)
    later = timezone.now() + timedelta(hours=25)
    assert report(image, "d", network="office", now=later).counted


def test_the_threshold_is_a_setting(make_image, settings_threshold):
    settings_threshold.IMAGE_REPORT_THRESHOLD = 5
    image = make_image()
    for reader in "abcd":
        report(image, reader)
    assert not image_is_blocked(image.pk)
    assert report(image, "e").blocked


def test_reports_after_the_block_still_count_and_block_once(make_image, settings_threshold):
    image = make_image()
    for reader in "abcdef":
        report(image, reader)
    assert ImageCase.objects.get(image=image).reporters == 6
    assert events(image, Action.AUTO_BLOCK).count() == 1


def test_a_protected_image_is_counted_but_never_blocked_automatically(make_image, settings_threshold):
    image = make_image()
    for reader in "abc":
        report(image, reader)
    assert services.image_unblock(image=image, actor="amina", reason="photo officielle", protect=True)
    assert not image_is_blocked(image.pk)
    for reader in "defgh":
        report(image, reader)
    case = ImageCase.objects.get(image=image)
    assert case.reporters == 8 and case.protected and not case.blocked
    assert services.image_block(image=image, actor="amina", reason="changement d'avis")
    assert image_is_blocked(image.pk) and not ImageCase.objects.get(image=image).protected


def test_a_block_reaches_every_copy_of_the_picture(make_image, settings_threshold):
    original = make_image(phash=0x0F0F_0F0F_0F0F_0F0F)
    resized = make_image(phash=0x0F0F_0F0F_0F0F_0F0F ^ 0b101)  # 2 bits apart
    other = make_image(phash=0x7777_0000_3333_1111)
    for reader in "abc":
        report(original, reader)
    assert blocked_image_ids([original.pk, resized.pk, other.pk]) == {original.pk, resized.pk}
    assert events(resized, Action.SIMILAR_BLOCK).count() == 1


def test_a_copy_crawled_after_the_block_is_blocked_on_arrival(make_image, settings_threshold):
    original = make_image(phash=-0x1234_5678_9ABC_DEF0)
    services.image_block(image=original, actor="amina", reason="violence")
    later = make_image(phash=-0x1234_5678_9ABC_DEF0 ^ 0b11)  # 2 bits apart, negative as half of all hashes are
    unrelated = make_image(phash=0x1111_2222_3333_4444)
    assert services.images_screen_new([later, unrelated]) == 1
    assert blocked_image_ids([later.pk, unrelated.pk]) == {later.pk}


def test_a_protected_copy_is_not_blocked_with_the_original(make_image, settings_threshold):
    original, copy = make_image(phash=42), make_image(phash=43)
    services.image_unblock(image=copy, actor="amina", protect=True)
    services.image_block(image=original, actor="amina")
    assert blocked_image_ids([original.pk, copy.pk]) == {original.pk}


def test_every_decision_is_in_the_audit_log_with_who_and_why(make_image, settings_threshold):
    image = make_image()
    services.image_block(image=image, actor="amina", reason="choquante")
    services.image_unblock(image=image, actor="youssef", reason="erreur")
    report(image, "a")
    services.reports_clear(image=image, actor="amina", reason="signalement abusif")
    logged = [(e.action, e.actor) for e in events(image).order_by("created_at", "id")]
    assert logged == [(Action.BLOCK, "amina"), (Action.UNBLOCK, "youssef"), (Action.CLEAR_REPORTS, "amina")]
    assert events(image, Action.BLOCK).get().reason == "choquante"


def test_clearing_reports_starts_the_count_again(make_image, settings_threshold):
    image = make_image()
    report(image, "a")
    report(image, "b")
    assert services.reports_clear(image=image, actor="amina") == 2
    assert ImageCase.objects.get(image=image).reporters == 0
    report(image, "a")
    assert ImageCase.objects.get(image=image).reporters == 1


def test_old_reports_are_purged_and_decisions_kept(make_image, settings_threshold):
    settings_threshold.REPORT_RETENTION_DAYS = 90
    image = make_image()
    long_ago = timezone.now() - timedelta(days=91)
    for reader in "abc":
        report(image, reader, now=long_ago)
    report(image, "d")
    assert services.reports_purge() == 3
    assert Report.objects.filter(image=image).count() == 1
    assert image_is_blocked(image.pk) and events(image, Action.AUTO_BLOCK).exists()


def test_a_reader_past_the_hourly_limit_is_refused(make_image, settings_threshold):
    settings_threshold.REPORTS_PER_HOUR = 4
    images = [make_image() for _ in range(5)]
    for image in images[:4]:
        report(image, "a")
    with pytest.raises(services.ReportLimitExceeded):
        report(images[4], "a")
    with pytest.raises(services.ReportLimitExceeded):  # a new cookie on the same network is the same reader
        report(images[4], "b", network="a")
    assert not Report.objects.filter(image=images[4]).exists()
    assert report(images[4], "c").counted
