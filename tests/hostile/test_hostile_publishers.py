"""Hostile publishers: every case of cases/ on its own loopback site, crawled together by the real pipeline.

The module crawls once (a second and third poll only for the cases that list several), as
`akhbar crawl --once` does, then checks each case's expectation against what the crawl left behind,
and the promises that hold for all of them: bounded time, no traceback, nothing reaching the canaries
on refused addresses, at most two requests in flight to a host, robots.txt read before anything else.

Extraction runs in worker processes, as in production (AKHBAR_EXTRACT_PROCESSES), in a pool of the
module's own whose standard error goes to a file: a traceback printed by a worker is seen there, and
every log record of this process by a handler on the root logger.

Set AKHBAR_HOSTILE_OBSERVED to a file name to have the outcomes written there (tests/hostile/table.py).
"""

import json
import logging
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings

if not django_settings.configured:  # tests/crawl may run with `-p no:django`; this crawls into the database
    pytest.skip("crawls into the database: needs Django", allow_module_level=True)

from django.core.management import call_command  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from akhbar.crawl.extract_pool import ExtractionPool  # noqa: E402
from akhbar.news.models import Article  # noqa: E402
from akhbar.sources import crawling  # noqa: E402
from akhbar.sources.models import Feed  # noqa: E402
from akhbar.sources.services import feed_add, outlet_upsert  # noqa: E402
from tests.helpers import crawl_all  # noqa: E402
from tests.hostile.cases import Case, Observed, describe_observed, load_cases, problems  # noqa: E402
from tests.hostile.server import Web, expand, install  # noqa: E402

# Marked so that pytest-django creates the test database; the crawl itself runs in the module's fixture,
# outside any test's transaction, and empties the database when it is done.
pytestmark = pytest.mark.django_db(transaction=True)

CASES = load_cases()
POLLS = [(case, poll) for case in CASES for poll in range(len(case.polls))]
CRAWL_BUDGET_SECONDS = 120
# Slow and silent servers each cost this long, all at once. Under tests/settings.py's 3 s, a machine
# whose two cores are busy with other work can push an ordinary page past its deadline.
FETCH_TIMEOUT = 5


@dataclass
class Crawl:
    """What the module's crawl left behind: per case, one Observed per poll."""

    web: Web
    seconds: float
    observed: dict[str, list[Observed]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    log_records: list[logging.LogRecord] = field(default_factory=list)
    worker_stderr: str = ""

    def problems(self, case: Case, poll: int) -> list[str]:
        in_a_row = 0
        for earlier in range(poll + 1):
            in_a_row = in_a_row + 1 if "error" in case.polls[earlier] else 0
        return problems(case, poll, self.observed[case.name][poll], self.values[case.name], in_a_row)


class Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker, tmp_path_factory):
    web = Web().start()
    result = Crawl(web=web, seconds=0.0)
    collect = Collect(result.log_records)
    logging.getLogger().addHandler(collect)
    media, stderr = tmp_path_factory.mktemp("media"), tmp_path_factory.mktemp("workers") / "stderr.txt"
    try:
        with (django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, FETCH_TIMEOUT=FETCH_TIMEOUT),
              pytest.MonkeyPatch.context() as mp, _stderr_to(stderr)):
            pool = ExtractionPool(django_settings.EXTRACT_PROCESSES)
            mp.setattr(crawling, "extraction_pool", lambda: pool)
            feeds = {case.name: _publish(web, case, result) for case in CASES}
            try:
                started = time.monotonic()
                for poll in range(max(len(case.polls) for case in CASES)):
                    _poll(web, [c for c in CASES if len(c.polls) > poll], poll, feeds, result)
                result.seconds = time.monotonic() - started
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
                call_command("flush", verbosity=0, interactive=False)
    finally:
        logging.getLogger().removeHandler(collect)
        web.stop()
    result.worker_stderr = stderr.read_text(errors="replace")
    if os.environ.get("AKHBAR_HOSTILE_OBSERVED"):
        _write_observed(result, os.environ["AKHBAR_HOSTILE_OBSERVED"])
    return result


@contextmanager
def _stderr_to(path: Path):
    """Send file descriptor 2 to `path` while the worker processes are spawned and run: they inherit it."""
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("wb") as file:
        os.dup2(file.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _publish(web: Web, case: Case, result: Crawl) -> int:
    """Start the case's site (and its peer), install its routes, register its outlet and feed."""
    site = web.site(case.name)
    if case.peer:
        web.site(f"{case.name}+peer")
    values = result.values[case.name] = web.placeholders(case.name)
    install(site, case.routes, values)
    if case.peer:
        install(web.sites[f"{case.name}+peer"], case.peer, values)
    outlet = outlet_upsert(name=case.name, slug=case.name, language=case.language)
    return feed_add(outlet=outlet, url=expand(case.feed, values)).pk


def _poll(web: Web, cases: list[Case], poll: int, feeds: dict[str, int], result: Crawl) -> None:
    """One poll of these cases' feeds, all together the first time, then one by one."""
    log_start = len(web.recorder.log)
    started = timezone.now()
    if poll == 0:
        outcomes = crawl_all()
    else:
        outcomes = [outcome for case in cases for outcome in crawl_all(outlet_slug=case.name)]
    finished = timezone.now()
    by_feed = {outcome.feed_id: outcome for outcome in outcomes}
    for case in cases:
        outcome = by_feed[feeds[case.name]]
        feed = Feed.objects.get(pk=feeds[case.name])
        sites = [web.sites[key] for key in (case.name, f"{case.name}+peer") if key in web.sites]
        result.observed.setdefault(case.name, []).append(Observed(
            started=started, finished=finished, error=outcome.error, warning=outcome.warning,
            not_modified=outcome.not_modified, article_errors=list(outcome.article_errors),
            feed={"last_error": feed.last_error, "last_warning": feed.last_warning,
                  "consecutive_failures": feed.consecutive_failures, "next_attempt_at": feed.next_attempt_at},
            articles=[_article(a) for a in Article.objects.filter(feed=feed).select_related("image")],
            requests=[(r.path, r.headers) for site in sites for r in web.requests(site, since=log_start)],
            all_paths={r.path for site in sites for r in web.requests(site)},
            high_water=max(web.recorder.high_water[site.host_key] for site in sites),
        ))


def _article(article: Article) -> dict:
    return {"title": article.title, "url": article.url, "summary": article.summary,
            "content_html": article.content_html, "published_at": article.published_at,
            "image": article.image is not None, "image_url": article.image_url,
            "extraction_note": article.extraction_note}


def _write_observed(result: Crawl, path: str) -> None:
    report = {"seconds": round(result.seconds, 1), "cases": {
        case.name: [{"observed": describe_observed(result.observed[case.name][poll]),
                     "problems": result.problems(case, poll)} for poll in range(len(case.polls))]
        for case in CASES}}
    with open(path, "w", encoding="utf-8") as file:
        json.dump(report, file, ensure_ascii=False, indent=1, default=str)


# --- each case ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "poll"), POLLS,
                         ids=[case.name + (f"/poll-{poll + 1}" if len(case.polls) > 1 else "") for case, poll in POLLS])
def test_case(crawl: Crawl, case: Case, poll: int) -> None:
    assert crawl.problems(case, poll) == []


# --- what holds for all of them -----------------------------------------------------------------------


def test_the_suite_has_every_kind_of_case() -> None:
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


def test_the_whole_crawl_ends_in_bounded_time(crawl: Crawl) -> None:
    assert crawl.seconds < CRAWL_BUDGET_SECONDS


def test_no_traceback_and_no_error_in_the_logs(crawl: Crawl) -> None:
    escaped = [f"{r.name}: {r.getMessage()}" for r in crawl.log_records if r.exc_info or r.levelno >= logging.ERROR]
    assert escaped == []
    assert "Traceback" not in crawl.worker_stderr, crawl.worker_stderr[-3000:]


def test_the_canaries_on_refused_addresses_received_nothing(crawl: Crawl) -> None:
    for canary in crawl.web.canaries:
        assert (canary.host, canary.connections, canary.requests()) == (canary.host, 0, [])


def test_never_more_than_two_requests_in_flight_to_one_host(crawl: Crawl) -> None:
    crowded = {host: count for host, count in crawl.web.recorder.high_water.items() if count > 2}
    assert crowded == {}


def test_the_hostile_server_itself_never_failed(crawl: Crawl) -> None:
    assert {name: site.failures for name, site in crawl.web.sites.items() if site.failures} == {}


def test_robots_txt_is_read_before_anything_else_on_every_host(crawl: Crawl) -> None:
    first = {}
    for request in crawl.web.recorder.log:
        first.setdefault(request.host, request.path)
    assert {host: path for host, path in first.items() if path != "/robots.txt"} == {}
