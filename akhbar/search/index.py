"""Keeping the search index up to date: articles are indexed, folded, when they are stored."""

from django.db import connections
from django.utils.html import strip_tags

from akhbar.search.fold import fold

# PostgreSQL text-search configurations by article language; Arabic has no stemming that suits news
# text, so it uses 'simple' over the folded text.
PG_CONFIGS = {"fr": "french", "es": "spanish", "en": "english"}
MAX_BODY_CHARS = 100_000


def _rows(article_ids: list[int], using: str) -> list[tuple[int, str, str, str]]:
    from akhbar.news.models import Article

    articles = Article.objects.using(using).filter(pk__in=article_ids)
    return [
        (pk, fold(title), fold(strip_tags(content_html or summary)[:MAX_BODY_CHARS]), language)
        for pk, title, summary, content_html, language in articles.values_list(
            "pk", "title", "summary", "content_html", "language")
    ]


def index_articles(article_ids: list[int], *, using: str = "default") -> None:
    """Index (or index again) these articles."""
    if not article_ids:
        return
    rows = _rows(article_ids, using)
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany("DELETE FROM search_article_fts WHERE rowid = %s", [(row[0],) for row in rows])
            cursor.executemany("INSERT INTO search_article_fts (rowid, title, body) VALUES (%s, %s, %s)",
                               [row[:3] for row in rows])
        else:
            cursor.executemany(
                "INSERT INTO search_article_vector (article_id, vector) VALUES (%s, "
                "setweight(to_tsvector(%s::regconfig, %s), 'A') || setweight(to_tsvector(%s::regconfig, %s), 'B')) "
                "ON CONFLICT (article_id) DO UPDATE SET vector = EXCLUDED.vector",
                [(pk, _config(lang), title, _config(lang), body) for pk, title, body, lang in rows],
            )


def _config(language: str) -> str:
    return PG_CONFIGS.get(language, "simple")


def reindex_all(*, using: str = "default", chunk: int = 2000) -> int:
    """Index every stored article again (after an upgrade, or a restore); return how many."""
    from akhbar.news.models import Article

    ids = list(Article.objects.using(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        index_articles(ids[start:start + chunk], using=using)
    return len(ids)


def unindex_articles(article_ids: list[int], *, using: str = "default") -> None:
    """Remove these articles from the search index (they were taken down)."""
    if not article_ids:
        return
    connection = connections[using]
    table, key = (("search_article_fts", "rowid") if connection.vendor == "sqlite"
                  else ("search_article_vector", "article_id"))
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {table} WHERE {key} = %s", [(pk,) for pk in article_ids])
