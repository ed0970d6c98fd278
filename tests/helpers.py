"""Small helpers shared by the tests."""


def crawl_all(**filters):
    """Poll every enabled feed now, as `akhbar crawl --once` does."""
    from akhbar.sources.crawling import run_crawl
    from akhbar.sources.services import feeds_claim_due

    return run_crawl(feeds_claim_due(limit=10_000, force=True, **filters))
