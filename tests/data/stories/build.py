"""Build the labelled story set from the hand-written stories in source/.

    .venv/bin/python tests/data/stories/build.py

Writes labelled.jsonl (articles in publication order, ids numbered in that order so that they say
nothing about the stories), confusable.json (the hard-negative groups) and README.md (its counts are
computed here). The source files hold blocks like these:

    +++ group-label: story-a story-b | why the two stories are easy to confuse
    === story-label
    --- LANG OUTLET YYYY-MM-DD HH:MM [copy=N]
    Title
    Lead: one to three sentences, on one line

Times are written in Moroccan wall-clock time; on output each outlet's own zone is applied (Spanish
outlets in Madrid time, two English ones in UTC), as their feeds would show them. `copy=N` marks a
near-verbatim copy of the story's Nth article (a wire dispatch republished).
"""

import json
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
LANGUAGES = ("fr", "ar", "es", "en")
MOROCCO = ZoneInfo("Africa/Casablanca")
SPANISH_OUTLETS = ("efe", "europa-press", "marca", "mundo-deportivo", "atalayar", "el-faro-de-ceuta",
                   "el-pueblo-de-ceuta", "el-faro-de-melilla")
OUTLET_ZONES = {outlet: ZoneInfo("Europe/Madrid") for outlet in SPANISH_OUTLETS} | {
    "morocco-world-news": ZoneInfo("UTC"), "north-africa-post": ZoneInfo("UTC")}
MAX_SPREAD = timedelta(days=3)


class SourceError(Exception):
    pass


def parse(source_dir: Path) -> tuple[list[dict], dict[str, dict]]:
    """Articles (in source order) and hard-negative groups from the source files."""
    articles: list[dict] = []
    groups: dict[str, dict] = {}
    seen_stories: set[str] = set()
    for path in sorted(source_dir.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        story, position, i = None, 0, 0
        while i < len(lines):
            line, where = lines[i].strip(), f"{path.name}:{i + 1}"
            i += 1
            if not line or line.startswith("#"):
                continue
            if line.startswith("+++ "):
                head, _, note = line[4:].partition("|")
                name, _, members = head.partition(":")
                groups[name.strip()] = {"stories": members.split(), "note": note.strip(), "where": where}
            elif line.startswith("=== "):
                story, position = line[4:].strip(), 0
                if story in seen_stories:
                    raise SourceError(f"{where}: story {story!r} appears twice")
                seen_stories.add(story)
            elif line.startswith("--- "):
                lang, outlet, day, clock, *options = line[4:].split()
                if story is None or lang not in LANGUAGES or i + 1 >= len(lines):
                    raise SourceError(f"{where}: an article needs a story above it, a language in {LANGUAGES}")
                title, lead = lines[i].strip(), lines[i + 1].strip()
                if not title or not lead or lead.startswith(("---", "===")):
                    raise SourceError(f"{where}: an article is a header line, a title line and a lead line")
                i += 2
                position += 1
                local = datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=MOROCCO)
                copy = next((int(o[5:]) for o in options if o.startswith("copy=")), None)
                articles.append({"story": story, "position": position, "lang": lang, "outlet": outlet,
                                 "local": local, "title": title, "text": lead, "copy": copy, "where": where})
            else:
                raise SourceError(f"{where}: unexpected line {line[:40]!r}")
    return articles, groups


def check(articles: list[dict], groups: dict[str, dict]) -> None:
    """Fail on what would make the set lie: repeated outlets in a story, copies of nothing, long stories."""
    by_story: dict[str, list[dict]] = {}
    for article in articles:
        by_story.setdefault(article["story"], []).append(article)
    outlet_languages: dict[str, str] = {}
    for story, members in by_story.items():
        outlets = [a["outlet"] for a in members]
        if len(set(outlets)) != len(outlets):
            raise SourceError(f"{members[0]['where']}: story {story!r} has one outlet twice")
        if len(members) > 7:
            raise SourceError(f"{members[0]['where']}: story {story!r} has more than seven articles")
        times = [a["local"] for a in members]
        if max(times) - min(times) > MAX_SPREAD:
            raise SourceError(f"{members[0]['where']}: story {story!r} spreads over more than {MAX_SPREAD}")
        for article in members:
            if article["copy"] is not None:
                original = members[article["copy"] - 1] if 0 < article["copy"] <= len(members) else None
                if original is None or original is article or original["lang"] != article["lang"]:
                    raise SourceError(f"{article['where']}: copy={article['copy']} names no other article")
                if original["local"] >= article["local"]:
                    raise SourceError(f"{article['where']}: a copy must come after its original")
    for article in articles:
        known = outlet_languages.setdefault(article["outlet"], article["lang"])
        if known != article["lang"]:
            raise SourceError(f"{article['where']}: outlet {article['outlet']!r} writes in {known}")
    for name, group in groups.items():
        unknown = [s for s in group["stories"] if s not in by_story]
        if unknown or len(group["stories"]) < 2:
            raise SourceError(f"{group['where']}: group {name!r} needs two known stories (unknown: {unknown})")


def assign_ids(articles: list[dict]) -> list[dict]:
    """The labelled items, in publication order, with ids numbered in that order."""
    ordered = sorted(articles, key=lambda a: (a["local"], a["story"], a["outlet"]))
    ids = {id(a): f"s{n:03d}-{a['lang']}-{a['outlet']}" for n, a in enumerate(ordered, start=1)}
    by_position = {(a["story"], a["position"]): a for a in articles}
    items = []
    for article in ordered:
        zone = OUTLET_ZONES.get(article["outlet"], MOROCCO)
        item = {"id": ids[id(article)], "title": article["title"], "text": article["text"],
                "lang": article["lang"], "outlet": article["outlet"],
                "published": article["local"].astimezone(zone).isoformat(), "story": article["story"]}
        if article["copy"] is not None:
            item["copy_of"] = ids[id(by_position[(article["story"], article["copy"])])]
        items.append(item)
    return items


def build(source_dir: Path = HERE / "source") -> tuple[list[dict], dict[str, dict]]:
    """The labelled items and the hard-negative groups, checked."""
    articles, groups = parse(source_dir)
    check(articles, groups)
    return assign_ids(articles), {name: {"stories": g["stories"], "note": g["note"]} for name, g in groups.items()}


def counts(items: list[dict], groups: dict[str, dict]) -> dict:
    """The figures the README gives."""
    stories: dict[str, list[dict]] = {}
    for item in items:
        stories.setdefault(item["story"], []).append(item)
    multi = {s: m for s, m in stories.items() if len(m) > 1}
    cross = {s: m for s, m in multi.items() if len({i["lang"] for i in m}) > 1}
    languages = Counter(i["lang"] for i in items)
    pairs = sum(len(m) * (len(m) - 1) // 2 for m in multi.values())
    same_language = sum(n * (n - 1) // 2 for m in multi.values() for n in Counter(i["lang"] for i in m).values())
    story_pairs = {frozenset((a, b)) for g in groups.values() for a in g["stories"] for b in g["stories"] if a != b}
    confusable_pairs = sum(len(stories[a]) * len(stories[b]) for a, b in story_pairs)
    return {
        "items": len(items),
        "languages": {lang: languages[lang] for lang in LANGUAGES},
        "stories": len(stories),
        "multi": len(multi),
        "singletons": len(stories) - len(multi),
        "in_multi": sum(len(m) for m in multi.values()),
        "sizes": dict(sorted(Counter(len(m) for m in multi.values()).items())),
        "cross": len(cross),
        "combinations": Counter("+".join(sorted({i["lang"] for i in m}, key=LANGUAGES.index)) for m in cross.values()),
        "pairs": pairs,
        "cross_pairs": pairs - same_language,
        "groups": len(groups),
        "grouped_stories": len({s for g in groups.values() for s in g["stories"]}),
        "confusable_pairs": confusable_pairs,
        "copies": sum(1 for i in items if "copy_of" in i),
        "copied_stories": len({i["story"] for i in items if "copy_of" in i}),
        "outlets": len({i["outlet"] for i in items}),
        "tagged_titles": sum(1 for i in items if any(t in i["title"] for t in TAG_MARKS)),
        "first": min(i["published"][:10] for i in items),
        "last": max(i["published"][:10] for i in items),
    }


# The outlet labels written into titles: "[VIDÉO]", "(VIDÉO)", "Vidéo.", "DIRECT -", "عاجل:", "بالفيديو..."
TAG_MARKS = ("[", "(VIDÉO)", "Vidéo.", "DIRECT", "عاجل", "بالفيديو")


def render_readme(figures: dict) -> str:
    tables = {
        "language_rows": "\n".join(
            f"| {lang} | {n} | {100 * n / figures['items']:.0f}% |" for lang, n in figures["languages"].items()),
        "size_list": ", ".join(f"{n} of {size} articles" for size, n in figures["sizes"].items()),
        "combination_list": ", ".join(f"{c} {n}" for c, n in figures["combinations"].most_common()),
    }
    return (HERE / "README.template.md").read_text(encoding="utf-8").format(**figures, **tables)


def main() -> None:
    try:
        items, groups = build()
    except SourceError as error:
        sys.exit(f"build: {error}")
    lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    (HERE / "labelled.jsonl").write_text(lines, encoding="utf-8")
    (HERE / "confusable.json").write_text(json.dumps(groups, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    figures = counts(items, groups)
    (HERE / "README.md").write_text(render_readme(figures), encoding="utf-8")
    print(json.dumps(figures, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
