"""Which story an article tells: one engine for a headline alone, a headline with its lead, or a full text.

Pure: no Django. Two articles are compared by a logistic model over a few measured signals: the cosine of
their multilingual embeddings, the words they share (weighted by how rare they are among recent
articles), names across scripts, numbers, and the conflicts that mark two different events told alike
(up against down, a death against congratulations, Thursday against Sunday, 2-1 against 3-0). The
model's weights are calibrated on real labelled news (bench/stories_calibrate.py), and the same weights
serve the crawler (akhbar.stories.store) and `akhbar stories cluster`.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import numpy as np

from akhbar.stories import signals

WINDOW = timedelta(days=3)  # a story older than this takes no new articles
TOP_CANDIDATES = 64  # at most this many nearest candidates are compared one by one
MIN_COSINE = 0.15  # below this no article pair was ever the same story in the real sets

FEATURES = ("bias", "cosine", "cosine_cross", "cosine_lead", "words", "words_lead", "names_across_scripts", "numbers",
            "conflict_score", "conflict_direction", "conflict_kind", "conflict_day", "same_outlet", "days_apart",
            "cross", "lead")


@dataclass(frozen=True)
class Rules:
    """The pair model's weights (logit) and the decisions made from it.

    Calibrated by bench/stories_calibrate.py on the calibration halves of ../shared/data/stories-real;
    the other halves report (bench/stories.py).
    """

    weights: tuple[float, ...] = (
        -3.62, 7.27, 1.79, 1.8, 5.54, 0.62, 1.3, 1.33, -10.0, -10.0, -10.0, -10.0, -0.5, -2.0, 0.22, -1.28,
    )
    threshold: float = 2.0  # logit over which two articles tell the same story
    merge_margin: float = 2.0  # two stories merge when an article matches both this far above threshold


@dataclass
class Features:
    """What the comparison needs of one article."""

    key: str
    language: str
    outlet: str
    published: datetime
    vector: np.ndarray  # unit length, float32
    has_lead: bool = False
    # what the words say, from the title and lead; direction, kind and day from the title alone (a lead
    # mentions other days and other figures than the event's own)
    stems: frozenset[str] = frozenset()
    skeletons: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    scores: frozenset[tuple[str, str]] = frozenset()
    directions: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    weekdays: frozenset[str] = frozenset()
    story: int | str | None = None


UNDATED = datetime(2000, 1, 1, tzinfo=timezone.utc)  # items with no date at all share one window


def moment(value) -> datetime:
    """An ISO 8601 date or time as an aware datetime (UTC when no zone is given); UNDATED for none."""
    if not value:
        return UNDATED
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def features(
    *, key: str, title: str, lead: str, language: str, outlet: str, published: datetime, vector: np.ndarray,
    story: int | str | None = None,
) -> Features:
    text = signals.headline(title, lead)
    title_only = signals.headline(title)
    return Features(
        key, language, outlet, published, vector, has_lead=bool(lead.strip()), stems=signals.stems(text),
        skeletons=signals.name_skeletons(text), numbers=signals.numbers(text), scores=signals.match_scores(text),
        directions=signals.directions(title_only), kinds=signals.kinds(title_only),
        weekdays=signals.weekdays(title_only),
        story=story,
    )


@dataclass
class WordWeights:
    """How rare each word is among the articles seen: a word every headline carries weighs nothing.

    The weights move little from one article to the next, so they are computed once per tenth of growth
    (an epoch), with each word set's total: comparing an article with its 64 candidates is then lookups.
    """

    counts: Counter = field(default_factory=Counter)
    documents: int = 0
    _weights: dict = field(default_factory=dict, repr=False)
    _totals: dict = field(default_factory=dict, repr=False)
    _unseen: float = 0.0
    _epoch: int = -1

    def observe(self, stems: frozenset[str]) -> None:
        self.counts.update(stems)
        self.documents += 1

    def forget(self, stems: frozenset[str]) -> None:
        self.counts.subtract(stems)
        self.documents -= 1

    def _current(self) -> dict:
        if self._epoch < 0 or abs(self.documents - self._epoch) > self._epoch // 10:
            scale = self.documents + 20
            self._weights = {stem: math.log(scale / (count + 1)) for stem, count in self.counts.items() if count > 0}
            self._unseen, self._epoch, self._totals = math.log(scale), self.documents, {}
        return self._weights

    def weight(self, stem: str) -> float:
        return self._current().get(stem, self._unseen)

    def total(self, stems: frozenset[str]) -> float:
        weights = self._current()
        found = self._totals.get(stems)
        if found is None:
            found = self._totals[stems] = sum(weights.get(s, self._unseen) for s in stems)
        return found

    def overlap(self, a: frozenset[str], b: frozenset[str]) -> float:
        """Weight of the shared words over the weight of the shorter side's words, 0..1."""
        if not a or not b:
            return 0.0
        weights = self._current()
        shared = sum(weights.get(s, self._unseen) for s in a & b)
        return shared / max(min(self.total(a), self.total(b)), 1e-9)


def _conflict(a: frozenset, b: frozenset) -> float:
    return 1.0 if a and b and not (a & b) else 0.0


def _direction_conflict(a: frozenset, b: frozenset) -> float:
    return 1.0 if len(a) == 1 and len(b) == 1 and a != b else 0.0


def pair_features(a: Features, b: Features, words: WordWeights, cosine: float | None = None) -> np.ndarray:
    """The signals of one pair, in the order of FEATURES."""
    if cosine is None:
        cosine = float(a.vector @ b.vector)
    cross = float(a.language != b.language)
    scripts = float((a.language == "ar") != (b.language == "ar"))  # Arabic letters against Latin ones
    lead = float(a.has_lead and b.has_lead)
    overlap = words.overlap(a.stems, b.stems)
    days = abs((a.published - b.published).total_seconds()) / 86400
    return np.array([
        1.0, cosine, cosine * cross, cosine * lead, overlap, overlap * lead,
        min(3, len(a.skeletons & b.skeletons)) * scripts, min(2, len(a.numbers & b.numbers)),
        _conflict(a.scores, b.scores), _direction_conflict(a.directions, b.directions),
        _direction_conflict(a.kinds, b.kinds), _conflict(a.weekdays, b.weekdays),
        float(bool(a.outlet) and a.outlet == b.outlet), min(days, 3.0), cross, lead,
    ])


def pair_logit(a: Features, b: Features, words: WordWeights, rules: Rules = Rules(), cosine=None) -> float:
    """How sure the model is that a and b tell one story, as a logit (0 is even odds)."""
    return float(np.dot(rules.weights, pair_features(a, b, words, cosine)))


class CandidateIndex:
    """Recent articles' features, searched by one matrix product; the crawler keeps one per process.

    Cosines and dates are checked on arrays for every candidate at once; only the nearest few are
    compared one by one with every signal.
    """

    def __init__(self, rules: Rules = Rules(), dimensions: int = 512) -> None:
        self.rules = rules
        self.items: list[Features] = []
        self.words = WordWeights()
        self._vectors = np.zeros((0, dimensions), dtype=np.float32)
        self._seconds = np.zeros(0)

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: Features, *, counted: bool = False) -> None:
        """Keep the item as a candidate; `counted` when its words were already observed."""
        size = len(self.items)
        if size == len(self._seconds):  # grow by doubling: adding stays cheap
            capacity = max(64, 2 * size)
            self._vectors = np.resize(self._vectors, (capacity, item.vector.shape[0]))
            self._seconds = np.resize(self._seconds, capacity)
        self._vectors[size] = item.vector
        self._seconds[size] = item.published.timestamp()
        self.items.append(item)
        if not counted:
            self.words.observe(item.stems)

    def forget(self, keep) -> None:
        """Keep only the items for which keep(item) is true (the crawler drops those out of every window)."""
        kept = [i for i, item in enumerate(self.items) if keep(item)]
        for index in sorted(set(range(len(self.items))) - set(kept)):
            self.words.forget(self.items[index].stems)
        self.items = [self.items[i] for i in kept]
        self._vectors, self._seconds = self._vectors[kept], self._seconds[kept]

    def matches(self, item: Features) -> list[tuple[float, object]]:
        """Stories the item belongs with, best first: (margin over the threshold, story) for each above it."""
        size = len(self.items)
        if not size:
            return []
        cosines = self._vectors[:size] @ item.vector
        in_window = np.abs(self._seconds[:size] - item.published.timestamp()) <= WINDOW.total_seconds()
        reachable = np.flatnonzero((cosines >= MIN_COSINE) & in_window)
        if len(reachable) > TOP_CANDIDATES:  # a story's articles are among the nearest: compare those alone
            reachable = reachable[np.argpartition(-cosines[reachable], TOP_CANDIDATES)[:TOP_CANDIDATES]]
        best: dict[object, float] = {}
        for index in reachable:
            other = self.items[index]
            if other.story is None:
                continue
            margin = pair_logit(item, other, self.words, self.rules, float(cosines[index])) - self.rules.threshold
            if margin >= 0 and margin > best.get(other.story, -math.inf):
                best[other.story] = margin
        return sorted(((margin, story) for story, margin in best.items()), key=lambda pair: -pair[0])


def stories_to_merge(matches: list[tuple[float, object]], rules: Rules = Rules(),
                     lone: frozenset = frozenset()) -> list[object]:
    """The other stories an item ties firmly to its best one: they have grown together.

    A `lone` story (one article) the item matches at all joins too: had that article arrived after the
    item, it would have joined the item's story, so the outcome no longer depends on arrival order.
    """
    return [story for margin, story in matches[1:] if margin >= rules.merge_margin or story in lone]


def cluster(items: list[Features], rules: Rules = Rules()) -> dict[str, str]:
    """Assign each item (in publication order) to a story, as the crawler does on arrival; {key: story}.

    Word rarity is counted over all the items first, as the crawler counts it over its recent window.
    """
    index = CandidateIndex(rules, dimensions=items[0].vector.shape[0] if items else 512)
    for item in items:
        index.words.observe(item.stems)
    parent: dict[object, object] = {}
    sizes: Counter = Counter()  # articles a story holds, kept by its root as stories merge

    def root(story: object) -> object:
        while parent.get(story, story) != story:
            story = parent[story]
        return story

    for item in sorted(items, key=lambda i: (i.published, i.key)):
        matches = [(margin, root(story)) for margin, story in index.matches(item)]
        if matches:
            item.story = matches[0][1]
            lone = frozenset(story for _, story in matches[1:] if sizes[story] == 1)
            for merged in stories_to_merge(matches, rules, lone):
                if merged != item.story and merged in sizes:
                    parent[merged] = item.story
                    sizes[item.story] += sizes.pop(merged)
        else:
            item.story = item.key
        sizes[item.story] += 1
        index.add(item, counted=True)
    return {item.key: str(root(item.story)) for item in index.items}
