"""The scheduler of `akhbar up`: due feeds go through the Tasks backend once, then wait their turn."""

import pytest
from django.utils import timezone

from akhbar.news.models import Article
from akhbar.sources.models import Feed
from akhbar.sources.scheduler import Scheduler

pytestmark = pytest.mark.django_db(transaction=True)


def test_due_feeds_are_crawled_once_and_rescheduled(demo_outlets):
    scheduler = Scheduler(tick=60)
    assert scheduler.dispatch_due() == len(demo_outlets)
    assert scheduler.dispatch_due() == 0  # claimed: nothing is due twice
    scheduler.stop()  # waits for the batches under way
    assert Article.objects.count() > 20
    now = timezone.now()
    for feed in Feed.objects.all():
        assert feed.last_success_at is not None and feed.next_attempt_at > now
    assert Scheduler(tick=60).dispatch_due() == 0
