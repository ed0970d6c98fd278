"""Coverage-guided fuzzing of one stage with atheris (libFuzzer): `python atheris_stages.py STAGE [libFuzzer flags]`.

STAGE is feeds, extract or normalize. Any exception but the stage's own error type is a crash: libFuzzer
stops, prints the input and exits non-zero. tests/fuzz/test_atheris.py runs each stage for a bounded time.
"""

import sys

import atheris

with atheris.instrument_imports(include=["akhbar"]):
    from akhbar.crawl.extract import extract_article
    from akhbar.crawl.feeds import FeedError, parse_feed
    from akhbar.crawl.normalize import canonical_url, parse_date, split_title_tags, text_from_html
    from akhbar.crawl.sanitize import sanitize_html


def feeds(data: bytes) -> None:
    try:
        parse_feed(data, url="https://example.ma/feed")
    except FeedError:
        pass


def extract(data: bytes) -> None:
    found = extract_article(data, url="https://example.ma/article/1")
    if found is not None and "<script" in found.html.lower():
        raise AssertionError("extract: a <script> survived sanitising")


def normalize(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    canonical_url(text, canonical=text[::-1])
    split_title_tags(text)
    text_from_html(text)
    parse_date(text)
    if "<script" in sanitize_html(text, base_url="https://example.ma/").lower():
        raise AssertionError("sanitize: a <script> survived")


STAGES = {"feeds": feeds, "extract": extract, "normalize": normalize}

if __name__ == "__main__":
    stage = STAGES[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], stage)
    atheris.Fuzz()
