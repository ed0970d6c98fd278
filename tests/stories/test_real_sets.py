"""The quality gate on real news: the engine on the held-out halves of the real labelled sets.

Each floor sits just under the figure measured on that held-out part (bench/stories.py prints them); the
engine's weights were fitted on the other halves only (bench/stories_calibrate.py). The invented set of
tests/data/stories is a regression test only (test_story_quality.py).
"""

import pytest

from akhbar.stories import realsets
from akhbar.stories.evaluate import evaluate, prepare

pytestmark = pytest.mark.skipif(not realsets.available(),
                                reason=f"real labelled sets not found at {realsets.SHARED} "
                                       "(set AKHBAR_SHARED_DATA to the shared data folder)")

# set -> (pairwise F1 floor, cross-language F1 floor or None)
FLOORS = {
    "arabic-tickers/held-out": (0.30, None),
    "french-groups/held-out": (0.70, None),
    "ecbplus-title/held-out": (0.61, None),
    "ecbplus-lead/held-out": (0.70, None),
    "semeval-title/held-out": (0.59, None),
    "semeval-lead/held-out": (0.70, None),
    "crosslang-title/held-out": (0.71, 0.67),
    "crosslang-lead/held-out": (0.71, 0.68),
}


@pytest.fixture(scope="module")
def held_out() -> dict:
    return {labelled.name: evaluate(labelled, prepare(labelled))
            for labelled in realsets.all_sets(realsets.HELD_OUT) if labelled.items}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_clustering_on_held_out_real_news_stays_above_its_floor(held_out, name):
    if name not in held_out:
        pytest.skip(f"{name}: no items (its source file is missing)")
    figures = held_out[name]
    f1_floor, cross_floor = FLOORS[name]
    print(figures.line())
    assert figures.f1 >= f1_floor, figures.line()
    if cross_floor is not None:
        assert figures.cross_f1 is not None and figures.cross_f1 >= cross_floor, figures.line()


def test_the_parts_never_share_a_group():
    """A ticker, a topic or a story is wholly in one part; SemEval, split by pair, is the exception."""
    for calibration, held in zip(realsets.all_sets(realsets.CALIBRATION), realsets.all_sets(realsets.HELD_OUT)):
        if held.pairs is None and held.items:
            groups = {i["story"] for i in calibration.items} & {i["story"] for i in held.items}
            assert calibration.items and not groups, f"{held.name} shares stories {sorted(groups)[:3]}"
