"""Scale proof: the site's pages and search, uncached, over an archive of a million articles.

    .venv/bin/python bench/scale.py [--articles 1000000] [--requests 200] [--seed 1] [--budget 60]
    .venv/bin/python bench/scale.py --postgres [--keep]
    .venv/bin/python bench/scale.py --data-dir DIR          SQLite kept in DIR; measure it again with --reuse
    .venv/bin/python bench/scale.py --postgres --reuse --keep   measure the database a --keep run left

1. Fill. A fresh database (SQLite in a temporary data folder, or with --postgres a throwaway PostgreSQL database
   akhbar_bench_scale on 127.0.0.1, dropped at the end unless --keep) is migrated and its static files collected,
   as `akhbar up` does. Then several hundred outlets, each with a feed, and N articles are written with raw bulk
   inserts (executemany in big transactions on SQLite, COPY on PostgreSQL): 55 % French, 35 % Arabic, 8 %
   Spanish, 2 % English, over three years, outlets of very unequal sizes. Titles and texts are drawn from word
   lists with Zipf frequencies (real words first, then a long tail of word forms and names: Arabic roots in
   patterns, French and Spanish conjugations, Moroccan-sounding names), Arabic now and then with tashkeel.
   The search index is then built as the product builds it: `index_articles(ids)`, 2,000 ids a call.
2. Measure, uncached: the Django WSGI handler is called in this process (the whole middleware stack, without
   the page cache in front of it), so each request renders its page and runs its queries. p50 and p95 of the
   home page, random article pages, pages near the end of the biggest outlet's pagination, and /recherche with
   two-word queries (rare+rare, common+rare, common+common; French and Arabic; some without accents or
   tashkeel), then of `search_articles(q)` alone for the same queries. For each page, one more request is
   traced: its queries, their time, and the plan of the slowest (EXPLAIN QUERY PLAN, or EXPLAIN ANALYZE).

A figure stops early only past --budget seconds (and 20 requests): a page of seconds has missed its target anyway.
Targets: pages p95 under 50 ms, search p95 under 100 ms; each figure says met or MISSED (the exit code stays 0).
Last line: articles=... fill_s=... index_s=... index_per_s=... home_p95_ms=... article_p95_ms=... outlet_p95_ms=...
search_page_p95_ms=... search_p95_ms=...
"""

import argparse
import atexit
import hashlib
import io
import os
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import numpy as np  # installed with ImageHash, a dependency of the product

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"
PG_DATABASE = "akhbar_bench_scale"
PAGE_TARGET_MS, SEARCH_TARGET_MS = 50.0, 100.0
OUTLETS = 400
YEARS = 3
BATCH = 20_000  # articles generated and written at a time
INDEX_CHUNK = 2_000  # as akhbar.search.index.reindex_all

from scale_corpus import (  # noqa: E402 - bench/scale_corpus.py, beside this script
    ARABIC_MARKED, Vocabulary, vocabularies, strip_marks, OutletPlan, plan_outlets, outlet_weights, article_text,
)

COLUMNS = ("outlet_id", "feed_id", "category_id", "url", "url_hash", "guid", "title", "summary", "content_html",
           "author", "language", "word_count", "published_at", "fetched_at")
AUTHORS = ["", "", "", "Rédaction", "La rédaction", "Karim Bennani", "Salma Tazi", "Youssef El Alami", "Nadia Berrada",
           "هيئة التحرير", "محمد الإدريسي", "فاطمة الزهراء بنعلي", "Redacción", "Staff writer"]


@dataclass
class Timing:
    seconds: float = 0.0
    count: int = 0

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else float("nan")


def setup_django(data_dir: Path, postgres: bool) -> None:
    """The product's settings, on this data folder and database; `migrate` and `collectstatic` as `akhbar up`."""
    for name in ("DATABASE_URL", "AKHBAR_REDIS_URL", "AKHBAR_DEBUG"):
        os.environ.pop(name, None)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "akhbar.settings", "AKHBAR_DATA_DIR": str(data_dir)})
    if postgres:
        os.environ["DATABASE_URL"] = PG_SERVER + PG_DATABASE
    import django

    django.setup()
    from akhbar.sources.bootstrap import prepare_data_folder

    prepare_data_folder()


def postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as admin:
        admin.execute(statement)


def create_outlets(plans: list[OutletPlan]) -> tuple[list[int], list[int], dict[str, int]]:
    """Outlets and one feed each, through the ORM (a few hundred rows); their ids, and the categories'."""
    from akhbar.sources.models import Feed, Outlet
    from akhbar.sources.services import categories_ensure

    categories = {slug: c.pk for slug, c in categories_ensure().items()}
    Outlet.objects.bulk_create([
        Outlet(name=p.name, slug=p.slug, homepage=f"https://{p.host}/", language=p.language,
               default_category_id=categories[p.category]) for p in plans
    ])
    outlet_ids = dict(Outlet.objects.values_list("slug", "pk"))
    Feed.objects.bulk_create([Feed(outlet_id=outlet_ids[p.slug], url=f"https://{p.host}/rss") for p in plans])
    feed_ids = dict(Feed.objects.values_list("outlet_id", "pk"))
    ids = [outlet_ids[p.slug] for p in plans]
    return ids, [feed_ids[i] for i in ids], categories


def other_columns() -> dict[str, object]:
    """Every news_article column the bench does not write itself, with its default (nullable ones NULL)."""
    from django.db import connection

    from akhbar.news.models import Article

    values = {}
    for model_field in Article._meta.concrete_fields:
        if model_field.primary_key or model_field.column in COLUMNS:
            continue
        default = model_field.get_default()  # "" for text without a default, None for nullable fields
        if default is None and not model_field.null:
            raise SystemExit(f"bench: news_article.{model_field.column} needs a value; add it to bench/scale.py")
        values[model_field.column] = model_field.get_db_prep_save(default, connection)
    return values


def article_rows(options: argparse.Namespace, vocab: dict[str, Vocabulary], defaults: tuple):
    """Batches of news_article rows (COLUMNS, then `defaults`), oldest first, as a crawler would have stored them."""
    from django.db import connection

    rng, nprng = random.Random(options.seed), np.random.default_rng(options.seed)
    plans = plan_outlets(rng, OUTLETS)
    outlet_ids, feed_ids, categories = create_outlets(plans)
    category_ids = list(categories.values())
    now = datetime.now(UTC).replace(microsecond=0)
    span = timedelta(days=365 * YEARS).total_seconds()
    offsets = np.sort(nprng.random(options.articles)) * span
    owners = nprng.choice(len(plans), size=options.articles, p=outlet_weights(plans))
    sqlite = connection.vendor == "sqlite"
    when = connection.ops.adapt_datetimefield_value if sqlite else (lambda moment: moment)
    start = now - timedelta(seconds=span)
    for first in range(0, options.articles, BATCH):
        rows = []
        for n in range(first, min(first + BATCH, options.articles)):
            plan, owner = plans[owners[n]], owners[n]
            text = article_text(vocab[plan.language], nprng, rng)
            published = start + timedelta(seconds=int(offsets[n]))
            draw = rng.random()
            category = categories[plan.category] if draw < 0.75 else (rng.choice(category_ids) if draw < 0.9 else None)
            url = f"https://{plan.host}/{published:%Y/%m}/{n}.html"
            rows.append((
                outlet_ids[owner], feed_ids[owner], category, url, hashlib.sha256(url.encode()).hexdigest(), url,
                text.title, text.summary, text.html, rng.choice(AUTHORS), plan.language, text.words,
                when(published), when(published + timedelta(minutes=rng.randint(2, 40))), *defaults,
            ))
        yield rows


def write_rows(rows: list[tuple], columns: list[str]) -> None:
    """One big transaction: executemany on SQLite, COPY on PostgreSQL."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO news_article ({', '.join(columns)}) VALUES ({marks})", rows)
            return
        with cursor.cursor.copy(f"COPY news_article ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def fill(options: argparse.Namespace, vocab: dict[str, Vocabulary]) -> tuple[Timing, Timing]:
    """Write the articles (time spent making the text counted apart from writing it)."""
    defaults = other_columns()
    columns = [*COLUMNS, *defaults]
    made, written = Timing(), Timing()
    batches = article_rows(options, vocab, tuple(defaults.values()))
    while True:
        started = time.perf_counter()
        rows = next(batches, None)
        made.seconds += time.perf_counter() - started
        if rows is None:
            return made, written
        started = time.perf_counter()
        write_rows(rows, columns)
        written.seconds += time.perf_counter() - started
        made.count = written.count = written.count + len(rows)
        if written.count % (BATCH * 10) == 0 or written.count == options.articles:
            print(f"  fill     {written.count:>9,} articles: making {made.rate:,.0f}/s, writing {written.rate:,.0f}/s"
                  f" (load {os.getloadavg()[0]:.1f})", flush=True)


def build_index(articles: int) -> Timing:
    """The product's own indexing, `index_articles`, over every article, 2,000 ids a call as `reindex_all`."""
    from akhbar.news.models import Article
    from akhbar.search.index import index_articles

    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    timing, report_every = Timing(), max(INDEX_CHUNK, (len(ids) // 10) // INDEX_CHUNK * INDEX_CHUNK)
    started = time.perf_counter()
    for first in range(0, len(ids), INDEX_CHUNK):
        index_articles(ids[first:first + INDEX_CHUNK])
        timing.count = min(first + INDEX_CHUNK, len(ids))
        timing.seconds = time.perf_counter() - started
        if timing.count % report_every == 0 or timing.count == len(ids):
            print(f"  index    {timing.count:>9,} articles: {timing.rate:,.0f}/s (load {os.getloadavg()[0]:.1f})",
                  flush=True)
    return timing


def settle_database() -> float:
    """What a running site has by now: PostgreSQL's autovacuum statistics; SQLite's WAL folded into the file."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def database_sizes() -> list[tuple[str, int]]:
    """(what, bytes): the whole database first, then its biggest tables and indexes."""
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            path = Path(settings.DATABASES["default"]["NAME"])
            sizes = [("database file", sum(p.stat().st_size for p in path.parent.glob(path.name + "*")))]
            try:
                cursor.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8")
                return sizes + list(cursor.fetchall())
            except Exception:  # noqa: BLE001 - dbstat is an optional SQLite extension
                return sizes
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes = [("database", cursor.fetchone()[0])]
        # Tables with their TOAST (long texts and vectors live there), indexes apart.
        cursor.execute("SELECT c.relname || CASE c.relkind WHEN 'r' THEN ' (table)' ELSE ' (index)' END, "
                       "CASE c.relkind WHEN 'r' THEN pg_table_size(c.oid) ELSE pg_relation_size(c.oid) END "
                       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') ORDER BY 2 DESC LIMIT 8")
        return sizes + list(cursor.fetchall())


# -- measuring ----------------------------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    target_ms: float
    samples: list[float] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)
    note: str = ""

    def percentile(self, p: float) -> float:
        return float(np.percentile(self.samples, p)) if self.samples else float("nan")

    @property
    def met(self) -> bool:
        return self.percentile(95) < self.target_ms

    def line(self) -> str:
        verdict = "met" if self.met else "MISSED"
        return (f"{self.name:<26} p50 {self.percentile(50):8.1f} ms   p95 {self.percentile(95):8.1f} ms   "
                f"target p95 < {self.target_ms:.0f} ms: {verdict:<6}  n={len(self.samples)}, "
                f"load {self.load[0]:.1f}-{self.load[1]:.1f}{self.note}")


class Site:
    """Django's WSGI handler called in this process: every middleware and view runs, the page cache does not."""

    def __init__(self) -> None:
        from akhbar.wsgi import django_application

        self.app = django_application

    def get(self, path: str) -> tuple[str, bytes]:
        from django.core.cache import cache

        cache.clear()  # no view caches today; if one ever does, this keeps the figures uncached
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_ACCEPT_ENCODING": "gzip, br", "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        status = []
        result = self.app(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            body = b"".join(result)
        finally:
            result.close()  # request_finished: Django closes or recycles its database connection here
        return status[0], body


def measure(name: str, target_ms: float, calls: list, run, budget: float, warmup: int = 3) -> Figure:
    """Time run(call) for each call, after a few untimed ones; stop early only past the time budget."""
    for call in calls[:warmup]:
        run(call)
    figure = Figure(name, target_ms)
    load_before, started = os.getloadavg()[0], time.perf_counter()
    for call in calls:
        began = time.perf_counter()
        run(call)
        figure.samples.append(1000 * (time.perf_counter() - began))
        if time.perf_counter() - started > budget and len(figure.samples) >= 20:
            figure.note = f" (stopped at the {budget:.0f} s budget)"
            break
    figure.load = (load_before, os.getloadavg()[0])
    print(figure.line(), flush=True)
    return figure


def page_runner(site: Site):
    def run(path: str) -> None:
        status, body = site.get(path)
        if not status.startswith("200"):
            raise SystemExit(f"bench: GET {path} answered {status}: {body[:300]!r}")

    return run


def trace(site: Site, path: str) -> tuple[float, list[tuple[float, str, tuple]]]:
    """One request with its queries recorded: its time, and (ms, SQL, params) of each query, slowest first."""
    from django.db import connection

    queries = []

    def record(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((1000 * (time.perf_counter() - began), sql, tuple(params or ())))

    with connection.execute_wrapper(record):
        began = time.perf_counter()
        page_runner(site)(path)
        total = 1000 * (time.perf_counter() - began)
    return total, sorted(queries, key=lambda q: q[0], reverse=True)


def explain(sql: str, params: tuple) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [f"{row[0]:>3} {row[1]:>3}  {row[3]}" for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def profile(site: Site, path: str, lines: int = 14) -> list[str]:
    """The functions this request spends its own time in (cProfile, tottime), for pages slow in Python."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(page_runner(site), path)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(lines)
    table = out.getvalue().split("   ncalls", 1)[-1].splitlines()[1:]
    return [line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "") for line in table if line.strip()]


def report_trace(site: Site, figure: Figure, path: str, explain_all: bool) -> None:
    missed = explain_all or not figure.met
    total, queries = trace(site, path)
    sql_ms = sum(q[0] for q in queries)
    print(f"  {figure.name}: {path[:90]}\n    {total:.1f} ms: {len(queries)} queries taking {sql_ms:.1f} ms, "
          f"{total - sql_ms:.1f} ms in Python (middleware, view, template)")
    for ms, sql, params in queries[:3]:
        print(f"    {ms:8.1f} ms  {sql[:240]}  {params[:6]}")
    if missed and queries and queries[0][0] > 5:
        print("    plan of the slowest query:")
        for line in explain(queries[0][1], queries[0][2]):
            print(f"      {line}")
    if missed and total - sql_ms > figure.target_ms / 2:
        print("    where the Python time goes (cProfile of one more request, own time):")
        for line in profile(site, path):
            print(f"      {line[:150]}")


# -- what to ask for ------------------------------------------------------------------------------------------------


def article_paths(rng: random.Random, count: int) -> list[str]:
    from akhbar.news.models import Article

    highest = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    ids = [rng.randint(1, highest) for _ in range(count * 2)]
    found = Article.objects.select_related("outlet").filter(pk__in=ids).only("pk", "language", "outlet__slug")
    pages = {article.pk: article.get_absolute_url() for article in found}  # in its language's edition
    return [pages[pk] for pk in ids if pk in pages][:count]


def deep_outlet_paths(rng: random.Random, count: int) -> tuple[list[str], str]:
    """Pages near the end of the biggest outlet's pagination (30 articles a page, as the site lists them)."""
    from django.db.models import Count

    from akhbar.news.models import Article
    from akhbar.web.views.listing import PAGE_SIZE

    biggest = Article.objects.values("outlet__slug").annotate(n=Count("id")).order_by("-n").first()
    last = -(-biggest["n"] // PAGE_SIZE)
    paths = [f"/fr/{biggest['outlet__slug']}/?page={max(1, last - rng.randint(0, 10))}" for _ in range(count)]
    return paths, f"{biggest['outlet__slug']}: {biggest['n']:,} articles, {last:,} pages"


def sample_texts(rng: random.Random, language: str, count: int) -> list[str]:
    from akhbar.news.models import Article

    highest = Article.objects.order_by("-pk").values_list("pk", flat=True).first()
    ids = [rng.randint(1, highest) for _ in range(count * 8)]
    return list(Article.objects.filter(pk__in=ids, language=language).values_list("content_html", flat=True)[:count])


def search_queries(vocab: dict[str, Vocabulary], rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(kind, query) pairs: rare+rare (two rare words of one article), common+rare, common+common; in French and
    Arabic; half of them typed without accents or tashkeel, some Arabic ones with them."""
    from django.utils.html import strip_tags

    kinds = ("rare+rare", "common+rare", "common+common")
    per_kind = -(-count // (2 * len(kinds)))
    queries = []
    for code in ("fr", "ar"):
        words = vocab[code]
        common = words.words[words.function:words.function + 20]  # each in about a sixth of the texts
        rare_rank = len(words.words) // 3
        rare_sets = [[w for w in re.findall(r"\w+", strip_tags(text)) if words.rank.get(w, -1) >= rare_rank]
                     for text in sample_texts(rng, code, per_kind * 3)]
        rare_sets = [list(dict.fromkeys(s)) for s in rare_sets if len(set(s)) >= 2]
        for kind in kinds:
            for n in range(per_kind):
                rare = rare_sets[(n + len(kind)) % len(rare_sets)]
                pair = {"rare+rare": rng.sample(rare, 2), "common+rare": [rng.choice(common), rng.choice(rare)],
                        "common+common": rng.sample(common, 2)}[kind]
                if code == "ar" and rng.random() < 0.3:
                    pair = [ARABIC_MARKED.get(w, w) for w in pair]
                query = " ".join(pair)
                queries.append((f"{code} {kind}", strip_marks(query) if rng.random() < 0.5 else query))
    rng.shuffle(queries)
    return queries


def breakdown(figure: Figure, kinds: list[str], totals: dict[str, int] | None = None,
              queries: list[str] | None = None) -> None:
    """p50 and p95 of each kind of query, and how many articles such queries match (median)."""
    for kind in sorted(set(kinds)):
        samples = [ms for ms, k in zip(figure.samples, kinds) if k == kind]
        if not samples:
            continue
        matches = ""
        if totals and queries:
            found = [totals[q] for q, k in zip(queries, kinds) if k == kind and q in totals]
            matches = f", median {np.median(found):,.0f} articles matched" if found else ""
        print(f"    {kind:<17} p50 {np.percentile(samples, 50):8.1f} ms   p95 {np.percentile(samples, 95):8.1f} ms"
              f"   n={len(samples)}{matches}")


def worst_cases(vocab: dict[str, Vocabulary]) -> None:
    """Not in the figures: a grammar word and the commonest content word, as in "le Maroc" or "في المغرب"."""
    from akhbar.search.selectors import search_articles

    for code, grammar_word in (("fr", "le"), ("ar", "في")):
        query = f"{grammar_word} {vocab[code].words[vocab[code].function]}"
        times, total = [], 0
        for _ in range(5):
            began = time.perf_counter()
            total = search_articles(query).total
            times.append(1000 * (time.perf_counter() - began))
        print(f"    worst case {query!r}: {total:,} articles matched, median {np.median(times):.1f} ms of 5 "
              f"(not in the figures)")


def measure_site(options: argparse.Namespace, vocab: dict[str, Vocabulary]) -> list[Figure]:
    from akhbar.search.selectors import search_articles

    rng, site, count = random.Random(options.seed + 1), Site(), options.requests
    run = page_runner(site)
    deep, biggest = deep_outlet_paths(rng, count)
    asked = search_queries(vocab, rng, count)
    kinds, queries = [k for k, _ in asked], [q for _, q in asked]
    searches = ["/fr/recherche?" + urlencode({"q": q}) for q in queries]
    print(f"biggest outlet {biggest}; {len(queries)} search queries, e.g. " + ", ".join(
        f"{k}: {q!r}" for k, q in sorted(dict(zip(kinds, queries)).items())))
    articles = article_paths(rng, count)
    figures = [
        measure("home /fr/", PAGE_TARGET_MS, ["/fr/"] * count, run, options.budget),
        measure("home /ar/", PAGE_TARGET_MS, ["/ar/"] * count, run, options.budget),
        measure("article /<lang>/<outlet>/<id>", PAGE_TARGET_MS, articles, run, options.budget),
        measure("outlet, last pages", PAGE_TARGET_MS, deep, run, options.budget),
        measure("search page /recherche", SEARCH_TARGET_MS, searches, run, options.budget),
    ]
    breakdown(figures[-1], kinds)
    totals: dict[str, int] = {}

    def select(query: str) -> None:
        totals[query] = search_articles(query).total

    figures.append(measure("search_articles(q) alone", SEARCH_TARGET_MS, queries, select, options.budget))
    breakdown(figures[-1], kinds, totals, queries)
    worst_cases(vocab)
    print("where the time goes (one traced request each; the plan of the slowest query when a target is missed):")
    slowest_search = searches[int(np.argmax(figures[4].samples))]
    for figure, path in zip(figures, ["/fr/", "/ar/", articles[0], deep[0], slowest_search]):
        report_trace(site, figure, path, options.explain)
    return figures


def machine() -> str:
    import platform

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def build(options: argparse.Namespace, vocab: dict[str, Vocabulary]) -> dict[str, float]:
    """Fill and index; print the figures; return them for the last line."""
    print(f"fill: {options.articles:,} articles, {OUTLETS} outlets, vocabularies " + ", ".join(
        f"{code} {len(v.words):,} words" for code, v in vocab.items()), flush=True)
    made, written = fill(options, vocab)
    print(f"fill       {made.seconds + written.seconds:.1f} s: making the text {made.seconds:.1f} s, writing "
          f"{written.seconds:.1f} s ({written.rate:,.0f} articles/s)", flush=True)
    indexed = build_index(options.articles)
    print(f"index      {indexed.seconds:.1f} s, {indexed.rate:,.0f} articles/s through index_articles", flush=True)
    settled = settle_database()
    print(f"settle     {settled:.1f} s ({'VACUUM ANALYZE' if options.postgres else 'WAL checkpoint'})")
    return {"fill_s": made.seconds + written.seconds, "index_s": indexed.seconds, "index_per_s": indexed.rate}


def text_shape() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT language, count(*), avg(length(content_html)), avg(length(summary)) "
                       "FROM news_article GROUP BY language ORDER BY 2 DESC")
        return "; ".join(f"{lang} {n:,} ({html:.0f} chars of HTML, summary {summary:.0f})"
                         for lang, n, html, summary in cursor.fetchall())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true", help=f"PostgreSQL at {PG_SERVER}, database {PG_DATABASE}")
    parser.add_argument("--keep", action="store_true", help="keep the database (and the SQLite data folder)")
    parser.add_argument("--requests", type=int, default=200, help="requests measured for each figure (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", help="data folder (kept); default: a new temporary one")
    parser.add_argument("--reuse", action="store_true", help="measure a database filled by an earlier --keep run")
    parser.add_argument("--budget", type=float, default=60,
                        help="seconds for one figure: past it, a figure stops at 20 or more requests (default 60)")
    parser.add_argument("--explain", action="store_true", help="print the plan of each page's slowest query")
    options = parser.parse_args()
    if options.reuse and not (options.postgres or options.data_dir):
        parser.error("--reuse needs --postgres or the --data-dir of the earlier run")
    return options


def main() -> int:
    options = parse_args()
    data_dir = Path(options.data_dir or tempfile.mkdtemp(prefix="akhbar-bench-scale-")).resolve()
    if not options.data_dir and (options.postgres or not options.keep):  # --keep keeps SQLite's folder
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    if options.postgres and not options.reuse:
        postgres_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        postgres_admin(f"CREATE DATABASE {PG_DATABASE}")
    print(f"machine    {machine()}, load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"product    {ROOT / 'akhbar'}")
    try:
        setup_django(data_dir, options.postgres)
        vocab = vocabularies(options.seed)
        built = {} if options.reuse else build(options, vocab)
        print(f"database   {'PostgreSQL ' + PG_DATABASE if options.postgres else 'SQLite in ' + str(data_dir)}")
        for what, size in database_sizes():
            print(f"  {what:<32} {size / 2**20:10,.0f} MiB")
        print(f"articles   {text_shape()}", flush=True)
        figures = measure_site(options, vocab)
    finally:
        if options.postgres and not options.keep:
            from django.db import connections

            connections.close_all()
            postgres_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    print("summary:")
    for figure in figures:
        print("  " + figure.line())
    names = ("home_fr", "home_ar", "article", "outlet", "search_page", "search")
    print(" ".join([f"articles={options.articles}"] + [f"{k}={v:.1f}" for k, v in built.items()]
                   + [f"{n}_p95_ms={f.percentile(95):.1f}" for n, f in zip(names, figures)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
