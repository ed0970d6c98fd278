"""Putting each new article in its story, on arrival: the database side of akhbar.stories.engine.

Each process keeps the recent articles' features in memory (a CandidateIndex), topped up from the
database before every assignment, so any number of crawl workers see each other's articles. On
PostgreSQL an advisory lock serialises assignments across workers (SQLite serialises all writers).
"""

import threading

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags

from akhbar.stories.copies import simhash
from akhbar.stories.embedding import comparable_text, embed, vector_from_bytes
from akhbar.stories.engine import WINDOW, CandidateIndex, Features, features, stories_to_merge
from akhbar.news.models import Article, Story, StoryDecision, StorySeparation

ADVISORY_LOCK = 0x616B6862  # "akhb": any constant, the same in every process
REFRESH_ID_OVERLAP = 1000  # ids: rows another worker committed late are still picked up
KEEP_FOR = 2 * WINDOW
COPY_CHARS = 4000  # a wire copy is the same text from its first paragraphs: fingerprint those

_index = CandidateIndex()
_known: set[str] = set()
_loaded = False  # the first refresh loads the whole window; later ones only what is new
_max_seen = 0
_decisions_seen = 0  # the last moderator's decision this process's candidates follow
_lock = threading.Lock()


def _features(article: Article, vector: np.ndarray) -> Features:
    return features(key=str(article.pk), title=article.title, lead=article.summary, language=article.language,
                    outlet=str(article.outlet_id), published=article.published_at, vector=vector,
                    story=article.story_id)


def _follow_decisions() -> None:
    """Candidates follow the splits and joins moderators made in other processes since the last refresh."""
    global _decisions_seen
    decisions = list(StoryDecision.objects.filter(pk__gt=_decisions_seen).order_by("pk"))
    for decision in decisions:
        moved = {str(pk) for pk in decision.article_ids}
        joined = set(decision.from_story_ids) if decision.action == StoryDecision.Action.JOIN else set()
        for item in _index.items:
            if item.key in moved or item.story in joined:
                item.story = decision.to_story_id
        _decisions_seen = decision.pk


def _refresh(arriving: frozenset[int] = frozenset()) -> None:
    """Top the index up with articles other processes stored, and drop those no window can reach.

    `arriving` are the articles being placed now: they have no story yet, so their rows are not read.
    """
    global _loaded, _max_seen, _decisions_seen
    now = timezone.now()
    if _loaded:
        _follow_decisions()
    else:  # the rows read now already carry every decision made so far
        _decisions_seen = StoryDecision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if not _loaded:
        recent = Article.objects.filter(published_at__gte=now - KEEP_FOR)
        _max_seen = Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    else:
        # By id alone, read from the primary key without touching the rows (each holds its text, and a
        # test on any other column reads it: 60 ms a batch at a million articles). A worker's rows
        # committed a little late still fall inside the overlap.
        recent = Article.objects.filter(pk__gt=_max_seen - REFRESH_ID_OVERLAP)
    fields = ("pk", "title", "summary", "language", "outlet_id", "published_at", "story_id", "embedding")
    # Ids first: most rows of the overlap are known already, and each carries a 1 KB embedding.
    # No ordering: the model's default one (by publication) would read every row of the overlap to sort it.
    ids = recent.order_by().values_list("pk", flat=True)
    unknown = [pk for pk in ids if str(pk) not in _known and pk not in arriving]
    for start in range(0, len(unknown), 1000):
        placed = Article.objects.filter(pk__in=unknown[start:start + 1000], story__isnull=False,
                                        embedding__isnull=False)
        for article in placed.only(*fields):
            _max_seen = max(_max_seen, article.pk)
            _known.add(str(article.pk))
            _index.add(_features(article, vector_from_bytes(article.embedding)))
    _loaded = True
    if len(_index) > 50_000:  # a long-lived process: forget what no new article can match
        _index.forget(lambda item: item.published >= now - KEEP_FOR)
        _known.intersection_update(item.key for item in _index.items)


def _live(story_ids: set) -> dict:
    """Each story's id after any merges another process made (one query a level); gone ones are left out."""
    resolved, pending = {}, {story: story for story in story_ids}
    for _ in range(5):  # merges chain rarely; five levels is plenty
        if not pending:
            break
        rows = dict(Story.objects.filter(pk__in=set(pending.values())).values_list("pk", "merged_into"))
        following = {}
        for asked, current in pending.items():
            if current not in rows:
                continue  # deleted by an operator
            if rows[current] is None:
                resolved[asked] = current
            else:
                following[asked] = rows[current]
        pending = following
    return resolved


def index_reset() -> None:
    """Forget the in-memory candidates (after a restore, or between tests that empty the database)."""
    global _index, _loaded, _max_seen, _decisions_seen
    with _lock:
        _index, _loaded, _max_seen, _decisions_seen = CandidateIndex(), False, 0, 0
        _known.clear()


def stories_assign(articles: list[Article], vectors: dict[int, bytes] | None = None) -> None:
    """Put each of these newly stored articles in a story, merging stories that have grown together.

    `vectors` holds embeddings the crawl made already (in its extraction processes); the others are made here.
    """
    if not articles:
        return
    articles = sorted(articles, key=lambda a: (a.published_at, a.pk))
    given = vectors or {}
    missing = [a for a in articles if not given.get(a.pk)]
    made = dict(zip((a.pk for a in missing), embed([comparable_text(a.title, a.summary) for a in missing])))
    vectors = [vector_from_bytes(given[a.pk]) if given.get(a.pk) else made[a.pk] for a in articles]
    with _lock:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        _refresh(frozenset(a.pk for a in articles))
        touched: set[int] = set()
        for article, vector in zip(articles, vectors):
            touched |= _assign_one(article, vector)
        _recount(touched)


def _assign_one(article: Article, vector: np.ndarray) -> set[int]:
    item = _features(article, vector)
    found = _index.matches(item)
    live = _live({story for _, story in found}) if found else {}
    matches = [(margin, live[story]) for margin, story in found if story in live]
    if matches:
        story_id = matches[0][1]
        others = {story for _, story in matches[1:]}
        lone = frozenset(Story.objects.filter(pk__in=others, articles_count=1).values_list("pk", flat=True)) \
            if others else frozenset()
        merged = _mergeable(story_id, [s for s in stories_to_merge(matches, _index.rules, lone) if s != story_id])
        for other in merged:
            Article.objects.filter(story_id=other).update(story_id=story_id)
            Story.objects.filter(pk=other).update(merged_into=story_id, articles_count=0, outlets_count=0)
        if merged:
            separations_inherit(story_id, merged)
        for cached in _index.items:
            if cached.story in merged:
                cached.story = story_id
    else:
        story_id = Story.objects.create(first_published_at=article.published_at,
                                        last_published_at=article.published_at).pk
        merged = set()
    item.story = story_id
    Article.objects.filter(pk=article.pk).update(
        story_id=story_id, embedding=vector.astype(np.float16).tobytes(),
        simhash=simhash(f"{article.title} {(strip_tags(article.content_html) or article.summary)[:COPY_CHARS]}"),
    )
    global _max_seen
    _max_seen = max(_max_seen, article.pk)
    _known.add(item.key)
    _index.add(item)
    return {story_id} | merged


def _mergeable(story_id: int, others: list[int]) -> set[int]:
    """Those of `others` that may merge into story_id: a moderator's separation (StorySeparation) always holds."""
    if not others:
        return set()
    group = {story_id, *others}
    apart = set(StorySeparation.objects.filter(low__in=group, high__in=group).values_list("low", "high"))
    kept = {story_id}
    for other in dict.fromkeys(others):  # best first: a story kept apart from one already taken in stays out
        if not any((min(other, s), max(other, s)) in apart for s in kept):
            kept.add(other)
    return kept - {story_id}


def separations_inherit(kept: int, others: set[int]) -> None:
    """Stories merged into `kept` hand it their separations: what was kept apart from them stays apart from it."""
    group = {kept} | set(others)
    involved = StorySeparation.objects.filter(Q(low_id__in=others) | Q(high_id__in=others))
    rows = list(involved.values_list("low_id", "high_id"))
    if not rows:  # the usual case: one read, no write
        return
    outside = {high if low in others else low for low, high in rows} - group
    involved.delete()
    StorySeparation.objects.filter(low_id__in=group, high_id__in=group).delete()
    StorySeparation.objects.bulk_create([separation(kept, other) for other in outside], ignore_conflicts=True)


def separation(a: int, b: int) -> StorySeparation:
    """The (unsaved) record that keeps stories a and b apart, the smaller id first."""
    return StorySeparation(low_id=min(a, b), high_id=max(a, b))


def stories_forget(article_ids: set[int], story_ids: set[int]) -> None:
    """After articles were deleted (taken down): drop them from this process's candidates, recount their stories."""
    keys = {str(pk) for pk in article_ids}
    with _lock:
        _index.forget(lambda item: item.key not in keys)
        _known.difference_update(keys)
        _recount(story_ids)


def _recount(story_ids: set[int]) -> None:
    """Counts, languages, dates and headline of these stories, from one read of their members and one write."""
    if not story_ids:
        return
    members: dict[int, list[tuple]] = {}
    for story_id, *row in (Article.objects.filter(story_id__in=story_ids).order_by("published_at", "pk")
                           .values_list("story_id", "pk", "language", "outlet_id", "published_at")):
        members.setdefault(story_id, []).append(row)
    cached: dict[object, list[Features]] = {}
    for item in _index.items:
        if item.story in members:
            cached.setdefault(item.story, []).append(item)
    # A story left without members (its articles taken down) shows nowhere: no outlets, no headline.
    Story.objects.filter(pk__in=set(story_ids) - set(members)).update(articles_count=0, outlets_count=0,
                                                                       languages=[], headline=None)
    stories = list(Story.objects.filter(pk__in=list(members)))
    for story in stories:
        rows = members[story.pk]  # earliest first
        story.articles_count, story.outlets_count = len(rows), len({outlet for _, _, outlet, _ in rows})
        story.first_published_at, story.last_published_at = rows[0][3], rows[-1][3]
        story.languages = sorted({language for _, language, _, _ in rows if language})
        story.headline_id = _headline(cached.get(story.pk, []), rows)
    Story.objects.bulk_update(stories, ["articles_count", "outlets_count", "first_published_at",
                                        "last_published_at", "languages", "headline"])


def _headline(items: list[Features], members: list[tuple]) -> int:
    """The member closest to the story's centre: its most representative headline (below three, French first)."""
    if len(items) < 3:
        return next((pk for pk, language, _, _ in members if language == "fr"), members[0][0])
    matrix = np.vstack([item.vector for item in items])
    return int(items[int(np.argmax(matrix @ matrix.mean(axis=0)))].key)
