"""The engine run on a labelled set, as the crawler would run it, and scored: the figures the gates and benches print.

Pure: no Django.
"""

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from akhbar.stories.embedding import comparable_text, embed
from akhbar.stories.engine import Features, Rules, WordWeights, cluster, features, pair_logit
from akhbar.stories.realsets import LabelledSet
from akhbar.stories.scoring import score

UNDATED = datetime(2000, 1, 1, tzinfo=timezone.utc)
SAME, DIFFERENT = 1.5, 3.0  # SemEval's Overall: at most SAME must share a story, at least DIFFERENT must not


@dataclass(frozen=True)
class Figures:
    name: str
    items: int
    gold_pairs: int
    precision: float
    recall: float
    f1: float
    cross_f1: float | None  # None where the set has no pair across languages
    cross_pairs: int
    spearman: float | None = None  # SemEval: the pair logit against -Overall

    def line(self) -> str:
        cross = f"cross F1 {self.cross_f1:.3f} ({self.cross_pairs} pairs)" if self.cross_f1 is not None else ""
        rank = f"Spearman {self.spearman:.3f}" if self.spearman is not None else ""
        return (f"{self.name:28} {self.items:5} items {self.gold_pairs:5} pairs  P {self.precision:.3f} "
                f"R {self.recall:.3f} F1 {self.f1:.3f}  {cross} {rank}").rstrip()


def _moment(value) -> datetime:
    if not value:
        return UNDATED
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def prepare(labelled: LabelledSet, vectors: np.ndarray | None = None) -> list[Features]:
    """Features of every item; the vectors are made here unless given (benches reuse them across runs)."""
    if vectors is None:
        vectors = embed([comparable_text(i["title"], i["lead"]) for i in labelled.items])
    return [features(key=i["id"], title=i["title"], lead=i["lead"], language=i["lang"], outlet="",
                     published=_moment(i["published"]), vector=v) for i, v in zip(labelled.items, vectors)]


def evaluate(labelled: LabelledSet, prepared: list[Features], rules: Rules | None = None) -> Figures:
    """Cluster the items in arrival order and score the result against the labels."""
    rules = rules or Rules()
    for item in prepared:
        item.story = None
    predicted = cluster(prepared, rules)
    if labelled.pairs is not None:
        return _pair_figures(labelled, prepared, predicted, rules)
    gold = {i["id"]: i["story"] for i in labelled.items}
    languages = {i["id"]: i["lang"] for i in labelled.items}
    scores = score(predicted, gold, languages)
    return Figures(labelled.name, len(prepared), scores.pairs_gold, scores.pairwise_precision,
                   scores.pairwise_recall, scores.pairwise_f1,
                   scores.cross_f1 if scores.cross_pairs_gold else None, scores.cross_pairs_gold)


def _pair_figures(labelled, prepared, predicted, rules) -> Figures:
    by_key = {item.key: item for item in prepared}
    words = WordWeights()
    for item in prepared:
        words.observe(item.stems)
    hits = predicted_pairs = gold_pairs = 0
    logits, overall = [], []
    for a, b, value in labelled.pairs:
        logits.append(pair_logit(by_key[a], by_key[b], words, rules))
        overall.append(-value)
        together = predicted[a] == predicted[b]
        if value <= SAME:
            gold_pairs += 1
            hits += together
        if together and (value <= SAME or value >= DIFFERENT):
            predicted_pairs += 1
    precision = hits / predicted_pairs if predicted_pairs else 1.0
    recall = hits / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Figures(labelled.name, len(prepared), gold_pairs, precision, recall, f1, None, 0,
                   _spearman(np.array(logits), np.array(overall)))


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    def ranks(values):
        order = values.argsort(kind="stable")
        result = np.empty(len(values))
        result[order] = np.arange(len(values))
        for value in np.unique(values):  # ties share their mean rank
            tied = values == value
            result[tied] = result[tied].mean()
        return result

    return float(np.corrcoef(ranks(x), ranks(y))[0, 1]) if len(x) > 2 else 0.0
