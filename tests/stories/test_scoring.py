"""The story scorer on hand-checked cases, and the labelled set's own checks."""

import importlib.util
import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from akhbar.stories.scoring import Scores, format_scores, load_labelled, main, score

STORIES = Path(__file__).resolve().parents[1] / "data" / "stories"
LABELLED = STORIES / "labelled.jsonl"

# Story X: a, b, c; story Y: d, e; f alone. Languages chosen so some pairs cross and some do not.
GOLD = {"a": "X", "b": "X", "c": "X", "d": "Y", "e": "Y", "f": "Z"}
LANGUAGES = {"a": "fr", "b": "ar", "c": "fr", "d": "fr", "e": "es", "f": "fr"}


def figures(scores: Scores) -> dict[str, float]:
    return {name: getattr(scores, name) for name in Scores.__dataclass_fields__}


def test_a_perfect_clustering_scores_one_everywhere():
    predicted = {item: f"cluster-{story}" for item, story in GOLD.items()}
    scores = score(predicted, GOLD, LANGUAGES)
    assert figures(scores) == {
        "pairwise_precision": 1.0, "pairwise_recall": 1.0, "pairwise_f1": 1.0,
        "cross_precision": 1.0, "cross_recall": 1.0, "cross_f1": 1.0,
        "bcubed_precision": 1.0, "bcubed_recall": 1.0, "bcubed_f1": 1.0,
        "pairs_gold": 4, "pairs_predicted": 4, "cross_pairs_gold": 3,
    }


def test_all_singletons_claim_no_pair_so_precision_is_one_and_recall_zero():
    scores = score({item: item for item in GOLD}, GOLD, LANGUAGES)
    assert (scores.pairwise_precision, scores.pairwise_recall, scores.pairwise_f1) == (1.0, 0.0, 0.0)
    assert (scores.cross_precision, scores.cross_recall, scores.cross_f1) == (1.0, 0.0, 0.0)
    # B-cubed recall: a, b, c find 1/3 of their story, d and e 1/2, f all of it: (1 + 1 + 1) / 6.
    assert scores.bcubed_precision == 1.0
    assert scores.bcubed_recall == pytest.approx(0.5)
    assert scores.pairs_predicted == 0


def test_one_cluster_for_everything_finds_every_pair_among_many_wrong_ones():
    scores = score({item: "all" for item in GOLD}, GOLD, LANGUAGES)
    assert scores.pairs_predicted == 15
    assert scores.pairwise_precision == pytest.approx(4 / 15)
    assert scores.pairwise_recall == 1.0
    # 15 pairs, minus the 6 among the four French items: 9 cross pairs, 3 of them right.
    assert scores.cross_precision == pytest.approx(3 / 9)
    assert scores.cross_recall == 1.0
    # Each item's cluster holds its whole story: precision |story| / 6, averaged: (3*3 + 2*2 + 1) / 36.
    assert scores.bcubed_precision == pytest.approx(7 / 18)
    assert scores.bcubed_recall == 1.0


def test_a_small_clustering_gives_the_figures_computed_by_hand():
    # Predicted {a, b} {c, d} {e, f}: only a-b of the three pairs is right; gold has a-b, a-c, b-c, d-e.
    predicted = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P3", "f": "P3"}
    scores = score(predicted, GOLD, LANGUAGES)
    assert (scores.pairs_gold, scores.pairs_predicted, scores.cross_pairs_gold) == (4, 3, 3)
    assert scores.pairwise_precision == pytest.approx(1 / 3)
    assert scores.pairwise_recall == pytest.approx(1 / 4)
    assert scores.pairwise_f1 == pytest.approx(2 / 7)
    # Cross pairs: gold a-b (fr-ar), b-c (ar-fr), d-e (fr-es); predicted a-b and e-f (es-fr); c-d is fr-fr.
    assert scores.cross_precision == pytest.approx(1 / 2)
    assert scores.cross_recall == pytest.approx(1 / 3)
    assert scores.cross_f1 == pytest.approx(2 / 5)
    # Per item (precision, recall): a, b (1, 2/3); c (1/2, 1/3); d, e (1/2, 1/2); f (1/2, 1).
    assert scores.bcubed_precision == pytest.approx(2 / 3)
    assert scores.bcubed_recall == pytest.approx(11 / 18)
    assert scores.bcubed_f1 == pytest.approx(44 / 69)


def test_an_item_the_clustering_left_out_stands_alone():
    predicted = {item: story for item, story in GOLD.items() if item != "c"}
    predicted["unknown"] = "X"  # not in the gold set: ignored
    scores = score(predicted, GOLD, LANGUAGES)
    assert scores.pairs_predicted == 2
    assert scores.pairwise_precision == 1.0
    assert scores.pairwise_recall == pytest.approx(2 / 4)


def test_a_gold_item_without_a_language_is_refused():
    with pytest.raises(ValueError, match="^scoring: no language"):
        score(GOLD, GOLD, {"a": "fr"})


def test_the_command_prints_the_scores(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": i, "story": s, "lang": LANGUAGES[i]}) + "\n" for i, s in GOLD.items()))
    predicted = tmp_path / "predicted.tsv"
    predicted.write_text("# id\tstory\n" + "".join(f"{i}\tP-{s}\n" for i, s in GOLD.items()))
    main([str(gold), str(predicted)])
    printed = capsys.readouterr().out
    assert printed == format_scores(score(GOLD, GOLD, LANGUAGES)) + "\n"
    assert "pairwise" in printed and "cross-language" in printed and "B-cubed" in printed


# The labelled set.

FIELDS = {"id", "title", "text", "lang", "outlet", "published", "story"}


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    return load_labelled(LABELLED)


def test_the_labelled_set_is_well_formed(labelled):
    assert len(labelled) >= 330
    assert len({item["id"] for item in labelled}) == len(labelled)
    by_id = {item["id"]: item for item in labelled}
    for item in labelled:
        assert FIELDS <= item.keys() <= FIELDS | {"copy_of"}, item["id"]
        assert item["lang"] in {"fr", "ar", "es", "en"}, item["id"]
        assert item["title"].strip() and item["text"].strip(), item["id"]
        assert datetime.fromisoformat(item["published"]).tzinfo is not None, item["id"]
        if "copy_of" in item:
            original = by_id[item["copy_of"]]
            assert original["story"] == item["story"] and original["published"] < item["published"], item["id"]


def test_the_labelled_set_has_enough_stories_and_each_comes_from_several_outlets(labelled):
    stories = defaultdict(list)
    for item in labelled:
        stories[item["story"]].append(item)
    multi = {story: items for story, items in stories.items() if len(items) > 1}
    cross = [story for story, items in multi.items() if len({i["lang"] for i in items}) > 1]
    assert len(multi) >= 60
    assert len(cross) >= 20
    for story, items in multi.items():
        assert len({i["outlet"] for i in items}) >= 2, story
        assert len(items) <= 7, story


def test_the_hard_negative_groups_name_known_stories(labelled):
    groups = json.loads((STORIES / "confusable.json").read_text(encoding="utf-8"))
    stories = {item["story"] for item in labelled}
    assert len(groups) >= 25
    for name, group in groups.items():
        assert len(group["stories"]) >= 2 and set(group["stories"]) <= stories, name


def test_the_labelled_set_is_what_its_sources_build(labelled):
    spec = importlib.util.spec_from_file_location("stories_build", STORIES / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    items, groups = build.build()
    assert items == labelled, "labelled.jsonl is stale: run .venv/bin/python tests/data/stories/build.py"
    assert groups == json.loads((STORIES / "confusable.json").read_text(encoding="utf-8"))
    readme = build.render_readme(build.counts(items, groups))
    assert readme == (STORIES / "README.md").read_text(encoding="utf-8"), "README.md is stale: run build.py"
