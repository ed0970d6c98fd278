from akhbar.crawl.schedule import backoff_delay, next_poll_interval


def test_busy_feeds_are_polled_faster_and_quiet_ones_slower_within_bounds():
    assert next_poll_interval(current=600, new_articles=10, minimum=120, maximum=3600) == 300
    assert next_poll_interval(current=600, new_articles=0, minimum=120, maximum=3600) == 750
    assert next_poll_interval(current=600, new_articles=2, minimum=120, maximum=3600) == 600
    assert next_poll_interval(current=130, new_articles=10, minimum=120, maximum=3600) == 120
    assert next_poll_interval(current=3500, new_articles=0, minimum=120, maximum=3600) == 3600


def test_backoff_grows_is_capped_and_honours_retry_after():
    delays = [backoff_delay(failures=n, base=600, cap=21600) for n in (1, 2, 3, 4, 10)]
    assert 540 <= delays[0] <= 660
    assert delays[0] < delays[1] < delays[2] < delays[3]
    assert 0.9 * 21600 <= delays[4] <= 21600
    assert backoff_delay(failures=1, base=600, cap=21600, retry_after=3000) == 3000
    assert backoff_delay(failures=1, base=600, cap=21600, retry_after=10**9) == 21600
