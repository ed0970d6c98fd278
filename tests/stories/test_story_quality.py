"""A regression test on the team's own invented set (tests/data/stories/labelled.jsonl): nothing is tuned on it.

Its figures say nothing about real news (test_real_sets.py gates that); they only catch a change that
breaks what worked. Measured with the engine fitted on real data: pairwise F1 0.853, cross-language F1
0.872, B-cubed F1 0.941; the floors are the older ones, kept.
"""

import json
import subprocess
import sys
from pathlib import Path

from akhbar.cli.stories import cluster_items, read_items
from akhbar.stories.scoring import format_scores, score

LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories" / "labelled.jsonl"
FLOORS = {"pairwise_f1": 0.80, "cross_f1": 0.84, "bcubed_f1": 0.91}


def test_clustering_quality_stays_above_its_floor():
    items = read_items(LABELLED)
    gold = {i["id"]: i["story"] for i in items}
    scores = score(cluster_items(items), gold, {i["id"]: i["lang"] for i in items})
    print(format_scores(scores))
    below = {name: round(getattr(scores, name), 4) for name, floor in FLOORS.items() if getattr(scores, name) < floor}
    assert not below, f"under the floor {FLOORS}: {below}\n{format_scores(scores)}"


def test_wire_copies_always_land_with_their_original():
    items = read_items(LABELLED)
    stories = cluster_items(items)
    copies = [(i["id"], i["copy_of"]) for i in items if i.get("copy_of")]
    assert copies and all(stories[copy] == stories[original] for copy, original in copies)


def test_the_command_prints_one_story_per_line_for_any_file(tmp_path):
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(LABELLED.read_text(encoding="utf-8").splitlines()[:40]), encoding="utf-8")
    output = subprocess.run([sys.executable, "-m", "akhbar", "stories", "cluster", str(sample)], check=True,
                            capture_output=True, text=True, env={"AKHBAR_DATA_DIR": str(tmp_path), "PATH": ""}).stdout
    lines = [line.split("\t") for line in output.splitlines()]
    assert len(lines) == 40 and all(len(parts) == 2 and parts[1].isdigit() for parts in lines)


def test_a_ticker_line_is_dated_by_its_day_when_it_has_no_publication_time(tmp_path):
    lines = [
        {"id": "mon", "title": "Bourse de Casablanca : la séance s'achève dans le vert", "lang": "fr", "date": "2025-08-04"},
        {"id": "fri", "title": "Bourse de Casablanca : la séance s'achève dans le vert", "lang": "fr", "date": "2025-08-08"},
        {"id": "fri-2", "title": "La Bourse de Casablanca termine la séance dans le vert", "lang": "fr",
         "published": "2025-08-08T17:05:00+01:00"},
    ]
    sample = tmp_path / "ticker.jsonl"
    sample.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    stories = cluster_items(read_items(sample))
    assert stories["fri"] == stories["fri-2"] != stories["mon"]
