import pytest


@pytest.fixture(scope="session")
def sample_publisher():
    """The bundled sample publisher on a free loopback port, for the whole session."""
    from akhbar.demo.publisher import SamplePublisher

    publisher = SamplePublisher().start()
    yield publisher
    publisher.stop()


@pytest.fixture
def demo_outlets(sample_publisher, transactional_db):
    """The sample publisher's outlets loaded as on `akhbar up --demo`'s first run."""
    from akhbar.sources.bootstrap import load_outlets_first_run

    load_outlets_first_run(demo_outlets=sample_publisher.outlets)
    return sample_publisher.outlets



@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no cached page (the cache lives in this process's memory)."""
    from django.conf import settings

    if not settings.configured:  # the pure stages' tests may run without Django (-p no:django)
        return
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def no_remembered_stories():
    """Each test starts with no story candidates in memory (the database they came from is gone)."""
    from django.conf import settings

    if not settings.configured:
        return
    from akhbar.stories.store import index_reset

    index_reset()
