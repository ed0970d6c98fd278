"""Full-text search over articles: SQLite FTS5 by default, PostgreSQL's full-text search when configured."""
