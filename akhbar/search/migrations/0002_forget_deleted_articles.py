"""PostgreSQL: an article deleted from the database leaves the index with it (triggers), so searching no longer
joins every match to the articles' table to drop those. Not a foreign key: it would forbid TRUNCATE of the
articles (Django's flush), which a TRUNCATE trigger follows instead. SQLite's FTS5 search keeps the join."""

from django.db import migrations

FORWARD = [
    "DELETE FROM search_article_vector v WHERE NOT EXISTS (SELECT 1 FROM news_article a WHERE a.id = v.article_id)",
    """CREATE FUNCTION search_forget_article() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM search_article_vector WHERE article_id = OLD.id;
         RETURN NULL;
       END $$""",
    """CREATE FUNCTION search_forget_articles() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         TRUNCATE search_article_vector;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER search_forget_article AFTER DELETE ON news_article "
    "FOR EACH ROW EXECUTE FUNCTION search_forget_article()",
    "CREATE TRIGGER search_forget_articles AFTER TRUNCATE ON news_article "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_forget_articles()",
]
BACKWARD = [
    "DROP TRIGGER search_forget_articles ON news_article",
    "DROP TRIGGER search_forget_article ON news_article",
    "DROP FUNCTION search_forget_articles()",
    "DROP FUNCTION search_forget_article()",
]


def on_postgres(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(on_postgres(FORWARD), on_postgres(BACKWARD))]
