"""Fit the story engine's pair model on the calibration halves of the real labelled sets, and print its Rules.

    .venv/bin/python bench/stories_calibrate.py [--cache /tmp/akhbar-story-vectors]

1. Every calibration part of akhbar.stories.realsets (Arabic tickers, French Google News groups, ECB+,
   SemEval-2022 Task 8, the hand-made cross-language set; titles alone and with leads) is embedded.
2. The pairs the engine would compare (each item's nearest candidates in its window, and SemEval's labelled
   pairs) get their signals; a logistic regression (L2, each set weighing the same) fits the weights.
3. The threshold is the one that gives the best mean clustering F1 over the calibration parts.
The held-out parts are never read here: bench/stories.py reports on them.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# Set by hand, not fitted: each is rare in the labelled sets (a few pairs at most; two Arabic-Latin pairs of the
# same story), so the fit cannot weigh it;
# bench/stories.py --ablate measures each one's gain on the held-out parts.
FIXED = ("names_across_scripts", "conflict_score", "conflict_direction", "conflict_kind", "conflict_day", "same_outlet", "days_apart")


# Where another encoder's vectors are read from (bench/encoders.py's layout, --vectors): set name -> (file, source)
EXTERNAL = {"arabic-tickers": ("titles", "maghress-arabic-tickers.jsonl"),
            "french-groups": ("titles", "french-google-news-groups.jsonl"),
            "ecbplus-title": ("titles", "ecbplus-articles.jsonl"),
            "semeval-lead": ("semeval", None), "crosslang-lead": ("semeval", None)}


def external_vectors(labelled, directory: Path):
    """This set's vectors as another encoder made them (title, or title + 300 characters of lead), or None."""
    import json

    kind = EXTERNAL.get(labelled.name.split("/")[0])
    if kind is None:
        return None
    matrix = np.load(directory / f"{kind[0]}.npy")
    index = json.loads((directory / f"{kind[0]}_index.json").read_text())
    rows = {(entry[0], str(entry[1])) if kind[1] else (None, str(entry)): row for row, entry in enumerate(index)}
    return matrix[[rows[(kind[1], i["id"])] for i in labelled.items]]


def vectors_for(labelled, cache: Path | None, external: Path | None = None):
    from akhbar.stories.embedding import comparable_text, embed

    if external:
        return external_vectors(labelled, external)

    path = cache / (labelled.name.replace("/", "_") + ".npy") if cache else None
    if path and path.exists():
        return np.load(path)
    vectors = embed([comparable_text(i["title"], i["lead"]) for i in labelled.items])
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors


def candidate_pairs(labelled, prepared):
    """(features, label) of the pairs the engine would look at."""
    from akhbar.stories.engine import MIN_COSINE, TOP_CANDIDATES, WINDOW, WordWeights, pair_features

    words = WordWeights()
    for item in prepared:
        words.observe(item.stems)
    rows, labels = [], []
    if labelled.pairs is not None:
        by_key = {item.key: item for item in prepared}
        for a, b, value in labelled.pairs:
            if value <= 1.5 or value >= 3:
                rows.append(pair_features(by_key[a], by_key[b], words))
                labels.append(float(value <= 1.5))
        return rows, labels
    story = {i["id"]: i["story"] for i in labelled.items}
    matrix = np.vstack([item.vector for item in prepared])
    seconds = np.array([item.published.timestamp() for item in prepared])
    for index, item in enumerate(prepared):
        cosines = matrix[:index] @ item.vector  # earlier items only: each pair once, as on arrival
        near = np.flatnonzero((cosines >= MIN_COSINE) & (np.abs(seconds[:index] - seconds[index])
                                                          <= WINDOW.total_seconds()))
        near = near[np.argsort(-cosines[near])][:TOP_CANDIDATES]
        for other in near:
            rows.append(pair_features(item, prepared[other], words, float(cosines[other])))
            labels.append(float(story[item.key] == story[prepared[other].key]))
    return rows, labels


def fit(blocks, fixed: dict[int, float], ridge: float = 1e-3, steps: int = 30) -> np.ndarray:
    """Logistic regression by Newton steps; each block (a set) weighs the same, its two classes alike.

    `fixed` weights (signals too rare in the sets to be fitted: conflicts, outlet, days apart) are kept
    as they are and enter as an offset.
    """
    x = np.vstack([np.array(rows) for rows, _ in blocks])
    offset = sum(x[:, column] * value for column, value in fixed.items()) if fixed else np.zeros(len(x))
    y = np.concatenate([np.array(labels) for _, labels in blocks])
    weights = []
    for rows, labels in blocks:
        labels = np.array(labels)
        positives, negatives = max(labels.sum(), 1), max(len(labels) - labels.sum(), 1)
        weights.append(np.where(labels == 1, 0.5 / positives, 0.5 / negatives))
    sample = np.concatenate(weights) / len(blocks)
    used = np.abs(x).max(axis=0) > 0  # a signal no pair shows gets no weight
    used[list(fixed)] = False
    xs = x[:, used]
    w = np.zeros(xs.shape[1])
    penalty = ridge * np.eye(len(w))
    penalty[0, 0] = 0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(xs @ w + offset)))
        gradient = xs.T @ (sample * (p - y)) + penalty @ w
        hessian = (xs * (sample * p * (1 - p))[:, None]).T @ xs + penalty
        w -= np.linalg.solve(hessian, gradient)
    full = np.zeros(x.shape[1])
    full[used] = w
    for column, value in fixed.items():
        full[column] = value
    return full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="keep the embeddings here between runs")
    parser.add_argument("--vectors", type=Path, help="another encoder's vectors (bench/encoders.py --save DIR): "
                                                     "fit and choose on calibration, then print the held-out figures")
    args = parser.parse_args()
    from akhbar.stories import realsets
    from akhbar.stories.engine import FEATURES, Rules
    from akhbar.stories.evaluate import evaluate, prepare

    if not realsets.available():
        raise SystemExit(f"stories_calibrate: no real sets at {realsets.SHARED}")
    sets = [s for s in realsets.all_sets(realsets.CALIBRATION) if s.items]
    vectors = {s.name: vectors_for(s, args.cache, args.vectors) for s in sets}
    sets = [s for s in sets if vectors[s.name] is not None]
    prepared = {s.name: prepare(s, vectors[s.name]) for s in sets}
    blocks = [candidate_pairs(s, prepared[s.name]) for s in sets]
    for s, (rows, labels) in zip(sets, blocks):
        print(f"{s.name:28} {len(s.items):5} items {len(rows):6} candidate pairs, {int(sum(labels)):5} same story")
    defaults = Rules().weights
    fixed = {FEATURES.index(name): defaults[FEATURES.index(name)] for name in FIXED}
    weights = fit(blocks, fixed)
    print("weights:", ", ".join(f"{name}={value:.2f}" for name, value in zip(FEATURES, weights)))
    best = None
    for threshold in np.arange(-2.0, 4.01, 0.25):
        rules = Rules(weights=tuple(round(float(w), 2) for w in weights), threshold=float(threshold))
        figures = [evaluate(s, prepared[s.name], rules) for s in sets]
        mean = float(np.mean([f.f1 for f in figures]))
        print(f"threshold {threshold:5.2f}: mean F1 {mean:.3f}  " + " ".join(f"{f.f1:.2f}" for f in figures))
        if best is None or mean > best[0]:
            best = (mean, rules)
    print(f"\nRules(weights={best[1].weights}, threshold={best[1].threshold})  # mean calibration F1 {best[0]:.3f}")
    if args.vectors:  # an encoder's comparison: these rules, fitted for it, on the held-out halves
        for held in realsets.all_sets(realsets.HELD_OUT):
            matrix = external_vectors(held, args.vectors) if held.items else None
            if matrix is not None:
                print("held-out " + evaluate(held, prepare(held, matrix), best[1]).line())


if __name__ == "__main__":
    main()
