"""Language detection: accuracy on headlines alone, and the cost of one call on a headline and on an article.

    .venv/bin/python bench/language.py [--repeat 5]

1. Accuracy: `detect_language(headline, declared=None)` over tests/data/headlines/<lang>.txt (the tuned set) and
   heldout-<lang>.txt (written after tuning), per language.
2. Cost: microseconds a call, best of --repeat passes, one process, models loaded beforehand (the load is
   printed apart): on every headline of the tuned set, and on 1,500-character article texts made of the leads
   of tests/data/stories/labelled.jsonl, joined per language (the pipeline reads at most 1,500 characters).

The last line is machine-readable.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HEADLINES = ROOT / "tests" / "data" / "headlines"
LABELLED = ROOT / "tests" / "data" / "stories" / "labelled.jsonl"
LANGUAGES = ("fr", "ar", "es", "en")
ARTICLE_CHARS = 1500


def headlines(name: str) -> list[str]:
    lines = (HEADLINES / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def articles() -> list[tuple[str, str]]:
    """(language, text of 1,500 characters) made of consecutive leads in one language."""
    leads: dict[str, list[str]] = {lang: [] for lang in LANGUAGES}
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        leads[item["lang"]].append(f"{item['title']}\n{item.get('text') or ''}")
    made = []
    for lang, texts in leads.items():
        text = ""
        for lead in texts:
            text += lead + "\n"
            if len(text) >= ARTICLE_CHARS:
                made.append((lang, text[:ARTICLE_CHARS]))
                text = ""
    return made


def accuracy(detect, name: str, language: str) -> tuple[float, int, int]:
    texts = headlines(name)
    right = sum(detect(text, declared=None) == language for text in texts)
    return right / len(texts), right, len(texts)


def microseconds_a_call(detect, texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            detect(text, declared=None)
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    start = time.perf_counter()
    from akhbar.crawl.language import detect_language

    detect_language("Le Maroc se qualifie pour la finale", declared=None)  # loads both models
    print(f"models loaded in {time.perf_counter() - start:.2f} s")

    tuned = {}
    for lang in LANGUAGES:
        tuned[lang], right, total = accuracy(detect_language, f"{lang}.txt", lang)
        held, held_right, held_total = accuracy(detect_language, f"heldout-{lang}.txt", lang)
        print(f"{lang}: tuned {tuned[lang]:.4f} ({right}/{total}), held-out {held:.4f} ({held_right}/{held_total})")

    all_headlines = [text for lang in LANGUAGES for text in headlines(f"{lang}.txt")]
    made = articles()
    article_right = sum(detect_language(text, declared=None) == lang for lang, text in made)
    headline_us = microseconds_a_call(detect_language, all_headlines, options.repeat)
    article_us = microseconds_a_call(detect_language, [text for _, text in made], options.repeat)
    print(f"headlines: {headline_us:.1f} µs a call, {1e6 / headline_us:,.0f} headlines/s ({len(all_headlines)} headlines)")
    print(f"articles of {ARTICLE_CHARS} chars: {article_us:.1f} µs a call, {1e6 / article_us:,.0f} articles/s "
          f"({len(made)} texts, {article_right} in the right language)")
    print(f"headline_us={headline_us:.1f} article_us={article_us:.1f} "
          + " ".join(f"accuracy_{lang}={tuned[lang]:.4f}" for lang in LANGUAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
