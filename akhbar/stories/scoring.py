"""Scores a story clustering against a labelled set: pairwise, cross-language pairwise and B-cubed.

Pure Python, no Django. The gold set is tests/data/stories/labelled.jsonl; a clustering is a mapping
article id -> story label. Run `python -m akhbar.stories.scoring GOLD.jsonl PREDICTED.tsv`.
"""

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Scores:
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    cross_precision: float
    cross_recall: float
    cross_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairs_gold: int
    pairs_predicted: int
    cross_pairs_gold: int


def score(predicted: dict[str, str], gold: dict[str, str], languages: dict[str, str]) -> Scores:
    """Compare a clustering with the gold stories over the gold set's items.

    An item the clustering left out counts as a story of its own; items it has beyond the gold set
    are ignored. A ratio with nothing to count is 1.0: no predicted pair means no wrong pair
    (precision 1.0), no gold pair means nothing to find (recall 1.0).
    """
    if not gold:
        raise ValueError("scoring: the gold set is empty")
    missing = sorted(item for item in gold if item not in languages)
    if missing:
        raise ValueError(f"scoring: no language for {len(missing)} item(s), first {missing[0]!r}; give every gold item one")
    # A left-out item gets a label no real story can have, so it stays alone.
    clusters = {item: ("predicted", predicted[item]) if item in predicted else ("alone", item) for item in gold}
    gold_sizes = Counter(gold.values())
    predicted_sizes = Counter(clusters.values())
    cells = Counter((gold[item], clusters[item]) for item in gold)

    pairs_gold, pairs_predicted, pairs_both = (_pairs(c.values()) for c in (gold_sizes, predicted_sizes, cells))
    cross_gold = _cross_pairs(gold, languages)
    cross_predicted = _cross_pairs(clusters, languages)
    cross_both = _cross_pairs({item: (gold[item], clusters[item]) for item in gold}, languages)

    precision = _ratio(pairs_both, pairs_predicted)
    recall = _ratio(pairs_both, pairs_gold)
    cross_precision = _ratio(cross_both, cross_predicted)
    cross_recall = _ratio(cross_both, cross_gold)
    # B-cubed: an item in cell (g, p) of size n shares n items with both its gold and its predicted story.
    bcubed_precision = sum(n * n / predicted_sizes[p] for (_, p), n in cells.items()) / len(gold)
    bcubed_recall = sum(n * n / gold_sizes[g] for (g, _), n in cells.items()) / len(gold)
    return Scores(
        pairwise_precision=precision,
        pairwise_recall=recall,
        pairwise_f1=_f1(precision, recall),
        cross_precision=cross_precision,
        cross_recall=cross_recall,
        cross_f1=_f1(cross_precision, cross_recall),
        bcubed_precision=bcubed_precision,
        bcubed_recall=bcubed_recall,
        bcubed_f1=_f1(bcubed_precision, bcubed_recall),
        pairs_gold=pairs_gold,
        pairs_predicted=pairs_predicted,
        cross_pairs_gold=cross_gold,
    )


def _pairs(sizes) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def _cross_pairs(groups: dict, languages: dict[str, str]) -> int:
    """Pairs inside a group whose two items differ in language: all pairs minus the same-language ones."""
    by_group = Counter(groups.values())
    by_group_language = Counter((group, languages[item]) for item, group in groups.items())
    return _pairs(by_group.values()) - _pairs(by_group_language.values())


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def load_labelled(path) -> list[dict]:
    """The labelled set's items, one JSON object a line; blank lines are skipped."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"scoring: line {number} of {path} is not JSON ({error.msg}); fix or remove it") from None
    return items


def load_predicted(path) -> dict[str, str]:
    """A clustering as written by a clusterer: `id<TAB>story` a line; blank and # lines are skipped."""
    predicted = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            item, tab, story = line.partition("\t")
            if not tab:
                raise ValueError(f"scoring: line {number} of {path} has no tab; write `id<TAB>story`")
            predicted[item.strip()] = story.strip()
    return predicted


def format_scores(scores: Scores) -> str:
    """A readable summary, one measure a line."""
    rows = [
        ("pairwise", scores.pairwise_precision, scores.pairwise_recall, scores.pairwise_f1,
         f"{scores.pairs_gold} gold pairs, {scores.pairs_predicted} predicted"),
        ("cross-language", scores.cross_precision, scores.cross_recall, scores.cross_f1,
         f"{scores.cross_pairs_gold} gold pairs across languages"),
        ("B-cubed", scores.bcubed_precision, scores.bcubed_recall, scores.bcubed_f1, "averaged over items"),
    ]
    lines = [f"{'':16}{'precision':>9}{'recall':>8}{'F1':>7}"]
    lines += [f"{name:16}{p:9.3f}{r:8.3f}{f:7.3f}   ({note})" for name, p, r, f, note in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m akhbar.stories.scoring", description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="labelled set, JSON lines with id, lang and story")
    parser.add_argument("predicted", help="clustering, `id<TAB>story` lines")
    args = parser.parse_args(argv)
    items = load_labelled(args.gold)
    gold = {item["id"]: item["story"] for item in items}
    languages = {item["id"]: item["lang"] for item in items}
    print(format_scores(score(load_predicted(args.predicted), gold, languages)))


if __name__ == "__main__":
    main()
