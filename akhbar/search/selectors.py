"""Searching articles: folded words, all required, each also finding its other forms; relevance weighed by recency."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from akhbar.news.models import Article
from akhbar.search.fold import words
from akhbar.search.index import PG_CONFIGS

MAX_TERMS = 12
MIN_PREFIX = 3  # shorter words must match whole: "la*" would match half the French language
RECENCY_DAYS = 30.0  # an article this old weighs half as much as one of today, at equal relevance
MAX_COUNTED = 1000  # the pages go no further (50 of 20)
RANKED_CANDIDATES = 300  # only the newest matches are ranked by relevance; older ones follow, newest first


@dataclass(frozen=True)
class Filters:
    outlet_slug: str = ""
    language: str = ""
    since: date | None = None
    until: date | None = None


@dataclass
class SearchResults:
    terms: list[str]
    total: int = 0  # at most MAX_COUNTED
    more: bool = False  # more than MAX_COUNTED match
    articles: list[Article] = field(default_factory=list)


def _cards(ids: list[int]) -> list[Article]:
    """The found articles as lists show them: with their outlet, without their text."""
    found = Article.objects.select_related("outlet").defer("content_html").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def search_articles(
    query: str, *, filters: Filters = Filters(), offset: int = 0, limit: int = 20, count: bool = True,
    load: Callable[[list[int]], list[Article]] = _cards,
) -> SearchResults:
    """The articles matching every word of the query, best first, and how many match in all (if `count`).
    `load` reads the page's articles from their ids, in order (the API reads more of each than the site)."""
    terms = list(dict.fromkeys(words(query)))[:MAX_TERMS]
    results = SearchResults(terms=terms)
    if not terms:
        return results
    where, params = _filters(filters)
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        candidates = (_candidates_sqlite if sqlite else _candidates_postgres)(cursor, terms, where, params)
        if count:
            results.total, results.more = min(len(candidates), MAX_COUNTED), len(candidates) > MAX_COUNTED
        if not limit or offset >= len(candidates):
            return results
        # The newest RANKED_CANDIDATES matches are ranked by relevance and age (ranking reads each one's whole
        # text, about 50 microseconds); older matches follow them, newest first.
        ranked = candidates[:RANKED_CANDIDATES]
        if offset < len(ranked):
            ranked = (_ranked_sqlite if sqlite else _ranked_postgres)(cursor, terms, where, params, ranked)
        ids = (ranked + candidates[len(ranked):])[offset:offset + limit]
    results.articles = load(ids)
    return results


# Relevance is divided by this: 1 today, 2 after RECENCY_DAYS.
SQLITE_AGE = f"(1.0 + (julianday('now') - julianday(a.published_at)) / {RECENCY_DAYS})"
POSTGRES_AGE = f"(1.0 + extract(epoch from (now() - a.published_at)) / 86400.0 / {RECENCY_DAYS})"


def _fts_match(terms: list[str]) -> str:
    """The FTS5 expression requiring every term (a prefix, from MIN_PREFIX letters)."""
    return " AND ".join(f'"{term}"' + ("*" if len(term) >= MIN_PREFIX else "") for term in terms)


def _tsquery(terms: list[str]) -> tuple[str, list]:
    """The tsquery requiring every term, parsed with each configuration articles are indexed with.

    On PostgreSQL words match whole: French, Spanish and English ones by their stem, which finds plurals and
    other forms ("barrage", "barrages"); Arabic ones as folded. No prefixes, unlike FTS5 (which has no stemmer):
    a prefix ("maroc:*", "الوطنيه:*") makes the GIN index gather the matches of every word it begins, 100-200 ms
    at a million articles, where a word's own list is read in a few milliseconds.
    """
    expression = " & ".join(terms)
    configs = ["simple", *sorted(set(PG_CONFIGS.values()))]
    return (" || ".join("to_tsquery(%s::regconfig, %s)" for _ in configs),
            [value for config in configs for value in (config, expression)])


def _candidates_sqlite(cursor, terms: list[str], where: str, params: list) -> list[int]:
    """The ids of the newest matches (and filters), newest first, one more than MAX_COUNTED to tell there are
    more: FTS5 walks its matches newest first, and stops there."""
    # Joined to the articles even without filters: an article deleted by other means than a takedown (the
    # admin's delete) leaves its row in the index, and must not be counted.
    cursor.execute("SELECT f.rowid FROM search_article_fts f JOIN news_article a ON a.id = f.rowid "
                   f"WHERE search_article_fts MATCH %s{where} ORDER BY f.rowid DESC LIMIT %s",
                   [_fts_match(terms), *params, MAX_COUNTED + 1])
    return [row[0] for row in cursor.fetchall()]


def _ranked_sqlite(cursor, terms: list[str], where: str, params: list, newest: list[int]) -> list[int]:
    """These newest matches, best first: the matches from the oldest of them on (FTS5 narrows a rowid range)."""
    cursor.execute("SELECT f.rowid FROM search_article_fts f JOIN news_article a ON a.id = f.rowid "
                   f"WHERE search_article_fts MATCH %s AND f.rowid >= %s{where} "
                   f"ORDER BY bm25(search_article_fts, 4.0, 1.0) / {SQLITE_AGE}, a.id DESC",  # bm25: lower is better
                   [_fts_match(terms), min(newest), *params])
    return [row[0] for row in cursor.fetchall()]


def _ranked_postgres(cursor, terms: list[str], where: str, params: list, newest: list[int]) -> list[int]:
    """These newest matches, best first."""
    query, query_params = _tsquery(terms)
    cursor.execute(f"SELECT v.article_id FROM search_article_vector v JOIN news_article a ON a.id = v.article_id "
                   f"CROSS JOIN (SELECT {query} AS q) tsq WHERE v.article_id = ANY(%s) "
                   f"ORDER BY ts_rank_cd(v.vector, tsq.q) / {POSTGRES_AGE} DESC, a.id DESC",
                   [*query_params, newest])
    return [row[0] for row in cursor.fetchall()]


def _day_start(day: date):
    """Midnight at the start of a day on the site's clock, as the database stores moments."""
    moment = timezone.make_aware(datetime.combine(day, time.min))
    return connection.ops.adapt_datetimefield_value(moment)


# PostgreSQL looks for the newest matches in a window of the newest ids. The GIN index finds which rows match
# and the primary key's range bounds them, so only the matches in the window are read from the table, about
# 13 microseconds each (a common word has 200,000 matches in all). Each window costs a pass over the GIN index
# (20-30 ms for two common words at a million articles), so the first one is sized from the planner's estimate
# of the matches (its statistics of every word's frequency) to hold about twice as many as needed; a window short
# of matches is widened by what it found, to hold 1.3 times as many, at most tenfold each time.
# A query matching a fifth of the articles or more is cheaper found by walking the newest rows and testing each
# one's vector (7 microseconds a row, about 5,000 rows) than by its GIN pass (40 ms for "maroc" alone).
WALK_DENSITY = 0.2
WINDOW_MARGIN = 2.0
WIDEN_MARGIN = 1.3
WIDEN_AT_MOST = 10
SMALLEST_WINDOW = 5_000


def _estimated_matches(cursor, query: str, query_params: list) -> int:
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_article_vector v "
                   f"CROSS JOIN (SELECT {query} AS q) tsq WHERE v.vector @@ tsq.q", query_params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return max(1, int(plan[0]["Plan"]["Plan Rows"]))


def _candidates_postgres(cursor, terms: list[str], where: str, params: list) -> list[int]:
    """The ids of the newest matches (and filters), newest first: one more than MAX_COUNTED, to tell there are
    more; found in the smallest window of newest ids that holds them."""
    query, query_params = _tsquery(terms)
    cursor.execute("SELECT max(article_id) FROM search_article_vector")
    highest = cursor.fetchone()[0] or 0
    # An article deleted from the database leaves the index with it (triggers, migration 0002): the articles'
    # table is read only for filters.
    articles = " JOIN news_article a ON a.id = v.article_id" if where else ""
    estimated = _estimated_matches(cursor, query, query_params)
    window = max(SMALLEST_WINDOW, int(highest * WINDOW_MARGIN * (MAX_COUNTED + 1) / estimated))
    # Left to itself, the planner may walk the primary key backwards testing each row's vector for a query that
    # matches less than it expects, reading the whole window (160 ms); only a dense query walks.
    bitmap_only = not where and estimated < WALK_DENSITY * highest
    enclosed = connection.in_atomic_block
    with transaction.atomic(using=connection.alias):
        if bitmap_only:
            # Until this transaction (or savepoint, which a failure rolls back with it) ends.
            cursor.execute("SET LOCAL enable_indexscan = off")
        while True:
            whole = window >= highest
            bound = "" if whole else " AND v.article_id > %s"
            cursor.execute(f"SELECT v.article_id FROM search_article_vector v{articles} "
                           f"CROSS JOIN (SELECT {query} AS q) tsq WHERE v.vector @@ tsq.q{where}{bound} "
                           f"ORDER BY v.article_id DESC LIMIT %s",
                           [*query_params, *params, *([] if whole else [highest - window]), MAX_COUNTED + 1])
            candidates = [row[0] for row in cursor.fetchall()]
            if len(candidates) > MAX_COUNTED or whole:
                break
            window = int(window * min(WIDEN_AT_MOST, WIDEN_MARGIN * (MAX_COUNTED + 1) / max(len(candidates), 1)))
        if bitmap_only and enclosed:
            cursor.execute("SET LOCAL enable_indexscan = on")  # for the rest of the enclosing transaction
    return candidates


def _filters(filters: Filters) -> tuple[str, list]:
    clauses, params = [], []
    if filters.outlet_slug:
        clauses.append("a.outlet_id = (SELECT id FROM sources_outlet WHERE slug = %s)")
        params.append(filters.outlet_slug)
    if filters.language:
        clauses.append("a.language = %s")
        params.append(filters.language)
    if filters.since:
        clauses.append("a.published_at >= %s")
        params.append(_day_start(filters.since))
    if filters.until:
        clauses.append("a.published_at < %s")
        params.append(_day_start(filters.until + timedelta(days=1)))
    return "".join(f" AND {clause}" for clause in clauses), params
