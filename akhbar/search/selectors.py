"""Searching articles: folded words, all required, each also matching as a prefix; relevance weighed by recency."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from akhbar.news.models import Article
from akhbar.search.fold import words
from akhbar.search.index import PG_CONFIGS

MAX_TERMS = 12
MIN_PREFIX = 3  # shorter words must match whole: "la*" would match half the French language
RECENCY_DAYS = 30.0  # an article this old weighs half as much as one of today, at equal relevance
MAX_COUNTED = 1000  # the pages go no further (50 of 20)
RANKED_CANDIDATES = 2000  # without filters, only the newest matches are ranked


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


def search_articles(
    query: str, *, filters: Filters = Filters(), offset: int = 0, limit: int = 20, count: bool = True
) -> SearchResults:
    """The articles matching every word of the query, best first, and how many match in all (if `count`)."""
    terms = list(dict.fromkeys(words(query)))[:MAX_TERMS]
    results = SearchResults(terms=terms)
    if not terms:
        return results
    where, params = _filters(filters)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            ids = _search_sqlite(cursor, results, terms, where, params, offset=offset, limit=limit, count=count)
        else:
            ids = _search_postgres(cursor, results, terms, where, params, offset=offset, limit=limit, count=count)
    found = Article.objects.select_related("outlet").in_bulk(ids)
    results.articles = [found[pk] for pk in ids if pk in found]
    return results


def _pattern(term: str, prefix_mark: str, quote: str = "") -> str:
    return f"{quote}{term}{quote}{prefix_mark if len(term) >= MIN_PREFIX else ''}"


# Relevance is divided by this: 1 today, 2 after RECENCY_DAYS.
SQLITE_AGE = f"(1.0 + (julianday('now') - julianday(a.published_at)) / {RECENCY_DAYS})"
POSTGRES_AGE = f"(1.0 + extract(epoch from (now() - a.published_at)) / 86400.0 / {RECENCY_DAYS})"


def _fts_match(terms: list[str]) -> str:
    """The FTS5 expression requiring every term (a prefix, from MIN_PREFIX letters)."""
    return " AND ".join(_pattern(term, "*", quote='"') for term in terms)


def _tsquery(terms: list[str]) -> tuple[str, list]:
    """The tsquery requiring every term, parsed with each configuration articles are indexed with."""
    expression = " & ".join(_pattern(term, ":*") for term in terms)
    configs = ["simple", *sorted(set(PG_CONFIGS.values()))]
    return (" || ".join("to_tsquery(%s::regconfig, %s)" for _ in configs),
            [value for config in configs for value in (config, expression)])


def _count(results: SearchResults, counted: int) -> None:
    results.total, results.more = min(counted, MAX_COUNTED), counted > MAX_COUNTED


def _search_sqlite(cursor, results: SearchResults, terms: list[str], where: str, params: list, *,
                   offset: int, limit: int, count: bool) -> list[int]:
    if count:  # counting a common word's 200,000 matches would cost more than the page
        cursor.execute("SELECT count(*) FROM (SELECT 1 FROM search_article_fts f JOIN news_article a ON a.id = f.rowid "
                       f"WHERE search_article_fts MATCH %s {where} LIMIT %s) counted",
                       [_fts_match(terms), *params, MAX_COUNTED + 1])
        _count(results, cursor.fetchone()[0])
    if not limit:
        return []
    # Rank only the newest matches: ids grow with time, and age weighs on the rank anyway.
    sql, newest_params = _newest(terms, where, params)
    cursor.execute(sql, newest_params + [limit, offset])
    return [row[0] for row in cursor.fetchall()]


def _search_postgres(cursor, results: SearchResults, terms: list[str], where: str, params: list, *,
                     offset: int, limit: int, count: bool) -> list[int]:
    query, query_params = _tsquery(terms)
    candidates = _candidates_postgres(cursor, query, query_params, where, params)
    if count:  # RANKED_CANDIDATES is above MAX_COUNTED: the candidates tell how many match, up to it
        _count(results, len(candidates))
    if not limit or not candidates:
        return []
    # Only the candidates are ranked: ts_rank_cd reads each one's whole vector.
    cursor.execute(f"SELECT a.id FROM search_article_vector v JOIN news_article a ON a.id = v.article_id "
                   f"CROSS JOIN (SELECT {query} AS q) tsq WHERE v.article_id = ANY(%s) "
                   f"ORDER BY ts_rank_cd(v.vector, tsq.q) / {POSTGRES_AGE} DESC, a.id DESC LIMIT %s OFFSET %s",
                   [*query_params, candidates, limit, offset])
    return [row[0] for row in cursor.fetchall()]


def _day_start(day: date):
    """Midnight at the start of a day on the site's clock, as the database stores moments."""
    moment = timezone.make_aware(datetime.combine(day, time.min))
    return connection.ops.adapt_datetimefield_value(moment)


def _newest(terms: list[str], where: str, params: list) -> tuple[str, list]:
    """The ranked query over the newest RANKED_CANDIDATES matches (and filters): FTS5 walks them newest first."""
    filtered = " JOIN news_article a ON a.id = f.rowid" if where else ""
    newest = (f"SELECT f.rowid AS id, bm25(search_article_fts, 4.0, 1.0) AS score FROM search_article_fts f{filtered} "
              f"WHERE search_article_fts MATCH %s{where} ORDER BY f.rowid DESC LIMIT %s")
    order = f"n.score / {SQLITE_AGE}"  # bm25: negative, lower is better
    sql = f"SELECT a.id FROM ({newest}) n JOIN news_article a ON a.id = n.id ORDER BY {order}, a.id DESC LIMIT %s OFFSET %s"
    return sql, [_fts_match(terms), *params, RANKED_CANDIDATES]


# The newest ids searched first on PostgreSQL: a common word matches 200,000 articles, and reading every one of
# their rows to keep the newest 2,000 took over a second. Within the newest 50,000 ids, the GIN index's matches
# are ANDed with the primary key's range, so only those rows are read; a rarer query widens the window.
ID_WINDOWS = (50_000, 400_000, None)


def _candidates_postgres(cursor, query: str, query_params: list, where: str, params: list) -> list[int]:
    """The newest RANKED_CANDIDATES matches (and filters), found in the newest window holding them all."""
    cursor.execute("SELECT max(article_id) FROM search_article_vector")
    highest = cursor.fetchone()[0] or 0
    candidates: list[int] = []
    for window in ID_WINDOWS:
        if window is not None and window >= highest:
            window = None  # this window holds every article: no need to widen it afterwards
        bound = "" if window is None else " AND v.article_id > %s"
        # Joined to the articles even without filters: an article deleted by other means than a takedown
        # (the admin's delete) leaves its row in the index, and must not be counted.
        cursor.execute(f"SELECT v.article_id FROM search_article_vector v JOIN news_article a ON a.id = v.article_id "
                       f"CROSS JOIN (SELECT {query} AS q) tsq WHERE v.vector @@ tsq.q{where}{bound} "
                       f"ORDER BY v.article_id DESC LIMIT %s",
                       [*query_params, *params, *([highest - window] if window else []), RANKED_CANDIDATES])
        candidates = [row[0] for row in cursor.fetchall()]
        if len(candidates) >= RANKED_CANDIDATES or window is None:
            break
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
