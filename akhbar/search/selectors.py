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
    sqlite = connection.vendor == "sqlite"
    match_sql, match_params, rank_sql = _sqlite(terms) if sqlite else _postgres(terms)
    where, params = _filters(filters)
    base = f"{match_sql} {where}"
    with connection.cursor() as cursor:
        if count:  # counting a common word's 200,000 matches would cost more than the page
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s) counted",
                           match_params + params + [MAX_COUNTED + 1])
            counted = cursor.fetchone()[0]
            results.total, results.more = min(counted, MAX_COUNTED), counted > MAX_COUNTED
        if not limit:
            return results
        if where:
            cursor.execute(f"SELECT a.id {base} ORDER BY {rank_sql}, a.id DESC LIMIT %s OFFSET %s",
                           match_params + params + [limit, offset])
        else:  # rank only the newest matches: ids grow with time, and age weighs on the rank anyway
            sql, newest_params = _newest(terms, sqlite)
            cursor.execute(sql, newest_params + [limit, offset])
        ids = [row[0] for row in cursor.fetchall()]
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


def _sqlite(terms: list[str]) -> tuple[str, list, str]:
    sql = "FROM search_article_fts f JOIN news_article a ON a.id = f.rowid WHERE search_article_fts MATCH %s"
    # bm25() is negative, lower is better: dividing by an age factor moves older articles towards zero.
    return sql, [_fts_match(terms)], f"bm25(search_article_fts, 4.0, 1.0) / {SQLITE_AGE}"


def _postgres(terms: list[str]) -> tuple[str, list, str]:
    query, params = _tsquery(terms)
    sql = (f"FROM search_article_vector v JOIN news_article a ON a.id = v.article_id "
           f"CROSS JOIN (SELECT {query} AS q) tsq WHERE v.vector @@ tsq.q")
    return sql, params, f"ts_rank_cd(v.vector, tsq.q) / {POSTGRES_AGE} DESC"


def _day_start(day: date):
    """Midnight at the start of a day on the site's clock, as the database stores moments."""
    moment = timezone.make_aware(datetime.combine(day, time.min))
    return connection.ops.adapt_datetimefield_value(moment)


def _newest(terms: list[str], sqlite: bool) -> tuple[str, list]:
    """The ranked query over the newest RANKED_CANDIDATES matches, taken from the full-text index alone."""
    if sqlite:
        newest = ("SELECT rowid AS id, bm25(search_article_fts, 4.0, 1.0) AS score FROM search_article_fts "
                  "WHERE search_article_fts MATCH %s ORDER BY rowid DESC LIMIT %s")
        order = f"n.score / {SQLITE_AGE}"  # bm25: negative, lower is better
        params = [_fts_match(terms), RANKED_CANDIDATES]
    else:
        query, query_params = _tsquery(terms)
        newest = (f"SELECT v.article_id AS id, ts_rank_cd(v.vector, tsq.q) AS score FROM search_article_vector v "
                  f"CROSS JOIN (SELECT {query} AS q) tsq WHERE v.vector @@ tsq.q "
                  f"ORDER BY v.article_id DESC LIMIT %s")
        order = f"n.score / {POSTGRES_AGE} DESC"
        params = [*query_params, RANKED_CANDIDATES]
    sql = f"SELECT a.id FROM ({newest}) n JOIN news_article a ON a.id = n.id ORDER BY {order}, a.id DESC LIMIT %s OFFSET %s"
    return sql, params


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
