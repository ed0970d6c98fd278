"""The engine run on a labelled set, as the crawler would run it, and scored: the figures the gates and benches print.

Pure: no Django.
"""

from dataclasses import dataclass
import numpy as np

from akhbar.stories.embedding import comparable_text, embed
from akhbar.stories.engine import Features, Rules, WordWeights, cluster, features, moment, pair_logit
from akhbar.stories.realsets import LabelledSet
from akhbar.stories.scoring import score

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


def prepare(labelled: LabelledSet, vectors: np.ndarray | None = None) -> list[Features]:
    """Features of every item; the vectors are made here unless given (benches reuse them across runs)."""
    if vectors is None:
        vectors = embed([comparable_text(i["title"], i["lead"]) for i in labelled.items])
    return [features(key=i["id"], title=i["title"], lead=i["lead"], language=i["lang"], outlet="",
                     published=moment(i["published"]), vector=v) for i, v in zip(labelled.items, vectors)]


def evaluate(labelled: LabelledSet, prepared: list[Features], rules: Rules | None = None) -> Figures:
    """Cluster the items in arrival order and score the result against the labels."""
    rules = rules or Rules()
    for item in prepared:
        item.story = None
    predicted = cluster(prepared, rules)
    return figures(labelled, predicted, _pair_logits(labelled, prepared, rules) if labelled.pairs else None)


def figures(labelled: LabelledSet, predicted: dict[str, str], logits: list[float] | None = None) -> Figures:
    """Any clustering of the set ({id: story}) scored against its labels: by story, or by SemEval's pairs."""
    if labelled.pairs is None:
        scores = score(predicted, {i["id"]: i["story"] for i in labelled.items},
                       {i["id"]: i["lang"] for i in labelled.items})
        return Figures(labelled.name, len(labelled.items), scores.pairs_gold, scores.pairwise_precision,
                       scores.pairwise_recall, scores.pairwise_f1,
                       scores.cross_f1 if scores.cross_pairs_gold else None, scores.cross_pairs_gold)
    hits = predicted_pairs = gold_pairs = 0
    for a, b, value in labelled.pairs:
        together = predicted[a] == predicted[b]
        if value <= SAME:
            gold_pairs += 1
            hits += together
        if together and (value <= SAME or value >= DIFFERENT):
            predicted_pairs += 1
    precision = hits / predicted_pairs if predicted_pairs else 1.0
    recall = hits / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    spearman = _spearman(np.array(logits), -np.array([v for _, _, v in labelled.pairs])) if logits else None
    return Figures(labelled.name, len(labelled.items), gold_pairs, precision, recall, f1, None, 0, spearman)


def _pair_logits(labelled: LabelledSet, prepared: list[Features], rules: Rules) -> list[float]:
    by_key = {item.key: item for item in prepared}
    words = WordWeights()
    for item in prepared:
        words.observe(item.stems)
    return [pair_logit(by_key[a], by_key[b], words, rules) for a, b, _ in labelled.pairs]


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
