"""Concurrent reports against the real database: exact counts and exactly one block.

Threads each hold their own database connection, as gunicorn's threads do. PostgreSQL's default
allows 100 connections in all, so 40 threads share the 100 reports, all released together.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from akhbar.moderation import services
from akhbar.moderation.models import Action, ImageCase, ModerationEvent, Report

pytestmark = pytest.mark.django_db(transaction=True)

REPORTS = 100
THREADS = 40


def run_together(calls: list) -> list:
    """Run the calls on THREADS threads, all starting at once; return what each gave (or raised)."""
    start = threading.Barrier(min(THREADS, len(calls)))

    def one(index: int):
        try:
            if index < THREADS:  # the first wave starts together; the rest follow as threads free up
                start.wait(timeout=30)
            return calls[index]()
        except Exception as error:  # noqa: BLE001 - the test looks at every outcome
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(one, range(len(calls))))


def test_a_hundred_readers_at_once_give_an_exact_count_and_one_block(make_image, settings_threshold):
    settings_threshold.REPORTS_PER_HOUR = 1000
    image = make_image()
    calls = [
        lambda i=i: services.image_report(image=image, reporter_key=f"reader-{i}", network_key=f"network-{i}")
        for i in range(REPORTS)
    ]
    outcomes = run_together(calls)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert all(o.counted for o in outcomes)
    assert ImageCase.objects.get(image=image).reporters == REPORTS == Report.objects.filter(image=image).count()
    assert ModerationEvent.objects.filter(image=image, action=Action.AUTO_BLOCK).count() == 1
    assert sorted(o.reporters for o in outcomes) == list(range(1, REPORTS + 1))


def test_one_reader_hammering_counts_once(make_image, settings_threshold):
    settings_threshold.REPORTS_PER_HOUR = 1000
    image = make_image()
    calls = [lambda: services.image_report(image=image, reporter_key="same", network_key="same")] * 60
    outcomes = run_together(calls)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sum(o.counted for o in outcomes) == 1
    assert ImageCase.objects.get(image=image).reporters == 1 == Report.objects.filter(image=image).count()
