import pytest


@pytest.fixture(autouse=True)
def empty_page_cache():
    """The publisher tests use no Django, so they also run with `-p no:django`; nothing to clear here."""
