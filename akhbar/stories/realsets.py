"""Real news labelled by story (../shared/data/stories-real and tests/data/stories/crosslang), split in two.

Pure: no Django. Each set is read as items {id, title, lead, lang, published, story} and cut, by a stable
hash of whole groups (a ticker, an ECB+ topic, a story), into a calibration part, the only one the
engine's weights were fitted on, and a held-out part, the one figures are reported on.
"""

import csv
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("AKHBAR_SHARED_DATA", ROOT.parent / "shared" / "data")) / "stories-real"
CROSSLANG = ROOT / "tests" / "data" / "stories" / "crosslang"
PRODUCT_LANGUAGES = ("ar", "fr", "es", "en")
CALIBRATION, HELD_OUT = "calibration", "held-out"


@dataclass
class LabelledSet:
    """Items of one set and part; `pairs` holds the labelled pairs where the set is scored by pairs (SemEval)."""

    name: str
    items: list[dict]
    pairs: list[tuple[str, str, float]] | None = None  # (a, b, Overall 1..4)


def part_of(group: str) -> str:
    """A stable half for a group: its hash decides, so adding data never moves the old groups."""
    return CALIBRATION if hashlib.sha256(group.encode()).digest()[0] % 2 == 0 else HELD_OUT


def available() -> bool:
    return SHARED.is_dir()


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def tickers(part: str) -> LabelledSet:
    """Arabic headlines of 13 Moroccan tickers, split by ticker; titles only, dated by day."""
    items = [{"id": i["id"], "title": i["title"], "lead": "", "lang": i["lang"], "published": i["date"],
              "story": i["story"]} for i in _lines(SHARED / "maghress-arabic-tickers.jsonl")
             if part_of(i["snapshot"].split("#")[0]) == part]
    return LabelledSet(f"arabic-tickers/{part}", items)


def french_groups(part: str) -> LabelledSet:
    """French headlines grouped by Google News, split by group; titles only, undated."""
    items = [{"id": str(i["id"]), "title": i["title"], "lead": "", "lang": "fr", "published": None,
              "story": i["story"]} for i in _lines(SHARED / "french-google-news-groups.jsonl")
             if part_of(i["story"]) == part]
    return LabelledSet(f"french-groups/{part}", items)


def ecbplus(part: str, *, with_lead: bool) -> LabelledSet:
    """English ECB+ articles, split by topic (each topic holds two events of one kind: hard negatives)."""
    items = [{"id": i["id"], "title": i["title"], "lead": i["lead"] if with_lead else "", "lang": "en",
              "published": None, "story": i["story"]} for i in _lines(SHARED / "ecbplus-articles.jsonl")
             if part_of(f"topic-{i['topic']}") == part]
    return LabelledSet(f"ecbplus-{'lead' if with_lead else 'title'}/{part}", items)


def _semeval_articles() -> dict[str, dict]:
    return {str(a["id"]): a for a in _lines(SHARED / "semeval2022-task8-articles.jsonl")
            if a["lang"] in PRODUCT_LANGUAGES}


def _article_item(article: dict, story: str, with_lead: bool) -> dict:
    lead = (article.get("lead") or article.get("text") or "") if with_lead else ""
    return {"id": str(article["id"]), "title": article.get("title") or "", "lead": lead, "lang": article["lang"],
            "published": None, "story": story}


def semeval(part: str, *, with_lead: bool = True) -> LabelledSet:
    """SemEval-2022 Task 8 pairs in our four languages, split by pair; every article of the part is clustered."""
    articles = _semeval_articles()
    pairs = []
    with (SHARED / "semeval2022-task8-pairs.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            a, b = row["a"], row["b"]
            if a in articles and b in articles and part_of(row["pair_id"]) == part:
                pairs.append((a, b, float(row["Overall"])))
    ids = sorted({i for a, b, _ in pairs for i in (a, b)})
    items = [_article_item(articles[i], i, with_lead) for i in ids]
    return LabelledSet(f"semeval-{'lead' if with_lead else 'title'}/{part}", items, pairs)


def crosslang(part: str, *, with_lead: bool) -> LabelledSet:
    """Real articles of SemEval in ar/fr/es/en paired across languages by hand (tests/data/stories/crosslang)."""
    stories_file = CROSSLANG / "stories.tsv"
    if not stories_file.exists():
        return LabelledSet(f"crosslang/{part}", [])
    articles = _semeval_articles()
    with stories_file.open(encoding="utf-8") as rows:
        labelled = [row for row in csv.DictReader(rows, delimiter="\t") if row["id"] in articles]
    items = [_article_item(articles[row["id"]], row["story"], with_lead) for row in labelled
             if part_of(row["story"]) == part]
    return LabelledSet(f"crosslang-{'lead' if with_lead else 'title'}/{part}", items)


def all_sets(part: str) -> list[LabelledSet]:
    """Every real set's part, titles alone where a ticker gives only titles, with leads where they exist."""
    return [
        tickers(part), french_groups(part), ecbplus(part, with_lead=False), ecbplus(part, with_lead=True),
        semeval(part, with_lead=False), semeval(part, with_lead=True),
        crosslang(part, with_lead=False), crosslang(part, with_lead=True),
    ]
