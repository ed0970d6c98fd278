"""The search index: an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_article_fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 0')",
]
POSTGRES = [
    "CREATE TABLE search_article_vector (article_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
    "CREATE INDEX search_article_vector_gin ON search_article_vector USING gin (vector)",
]


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(f"search: no full-text index for the {schema_editor.connection.vendor} database")
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    table = "search_article_fts" if schema_editor.connection.vendor == "sqlite" else "search_article_vector"
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


def index_existing(apps, schema_editor):
    from akhbar.search.index import reindex_all

    reindex_all(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("news", "0002_image_article_image")]
    operations = [
        migrations.RunPython(create, drop),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]
