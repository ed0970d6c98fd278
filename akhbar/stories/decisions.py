"""A moderator's corrections to the story engine: split a wrong merge, join a missed pair.

Each decision is logged (StoryDecision), and a split is remembered (StorySeparation) so that the engine
never merges the two stories again (akhbar.stories.store._assign_one checks it). Both take the same locks
as the crawl's assignment, so a worker cannot interleave, and fix this process's in-memory candidates.
Other processes' candidates follow at their next assignment (akhbar.stories.store reads new decisions).
"""

from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from akhbar.news.models import Article, Story, StoryDecision, StorySeparation
from akhbar.stories import store


class StoryDecisionError(Exception):
    """A split or join that cannot be made; the message says why, for the moderator."""


@contextmanager
def _serialised():
    # The assignment's own locks, in its order: this process's lock, then the workers' advisory lock.
    with store._lock, transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [store.ADVISORY_LOCK])
        yield


def story_split(*, article_ids: list[int], by: str, reason: str = "") -> Story:
    """Move these articles of one story into a new story that the engine will never merge back."""
    ids = sorted(set(article_ids))
    with _serialised():
        rows = list(Article.objects.filter(pk__in=ids).values_list("story_id", "published_at"))
        if not rows:
            raise StoryDecisionError(_("Aucun article à séparer."))
        stories = {story for story, published in rows}
        if None in stories or len(stories) > 1:
            raise StoryDecisionError(_("Les articles à séparer doivent appartenir à un même sujet."))
        old_id = stories.pop()
        if not Article.objects.filter(story_id=old_id).exclude(pk__in=ids).exists():
            raise StoryDecisionError(
                _("Le sujet n° %(story)d n'aurait plus d'article : choisissez-en une partie seulement.")
                % {"story": old_id})
        dates = sorted(published for story, published in rows)
        new = Story.objects.create(first_published_at=dates[0], last_published_at=dates[-1])
        Article.objects.filter(pk__in=ids).update(story=new)
        # The new story was part of the old one: whatever that one was kept apart from, so is this one.
        linked = StorySeparation.objects.filter(Q(low_id=old_id) | Q(high_id=old_id)).values_list("low_id", "high_id")
        apart = {old_id} | {high if low == old_id else low for low, high in linked}
        StorySeparation.objects.bulk_create([store.separation(new.pk, other) for other in apart])
        StoryDecision.objects.create(action=StoryDecision.Action.SPLIT, from_story_ids=[old_id],
                                     to_story_id=new.pk, article_ids=ids, by=by, reason=reason)
        keys = {str(pk) for pk in ids}
        for item in store._index.items:  # this process's candidates follow their articles
            if item.key in keys:
                item.story = new.pk
        store._recount({old_id, new.pk})
    return Story.objects.get(pk=new.pk)


def story_join(*, story_ids: list[int], by: str, reason: str = "") -> Story:
    """Merge these stories into the oldest one, as the engine merges stories that have grown together."""
    with _serialised():
        stories = list(Story.objects.filter(pk__in=set(story_ids)).order_by("first_published_at", "pk"))
        if len(stories) < 2:
            raise StoryDecisionError(_("Choisissez au moins deux sujets à fusionner."))
        gone = [story.pk for story in stories if story.merged_into_id]
        if gone:
            raise StoryDecisionError(_("Déjà fusionnés dans un autre sujet : %(stories)s.")
                                     % {"stories": ", ".join(f"n° {pk}" for pk in gone)})
        kept, others = stories[0].pk, {story.pk for story in stories[1:]}
        moved = sorted(Article.objects.filter(story_id__in=others).values_list("pk", flat=True))
        Article.objects.filter(story_id__in=others).update(story_id=kept)
        Story.objects.filter(pk__in=others).update(merged_into=kept, articles_count=0, outlets_count=0)
        store.separations_inherit(kept, others)
        StoryDecision.objects.create(action=StoryDecision.Action.JOIN, from_story_ids=sorted(others),
                                     to_story_id=kept, article_ids=moved, by=by, reason=reason)
        for item in store._index.items:
            if item.story in others:
                item.story = kept
        store._recount({kept} | others)
    return Story.objects.get(pk=kept)
