"""`akhbar stories cluster FILE.jsonl`: group headlines into stories with the crawler's own rules."""

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path


def register(commands) -> None:
    parser = commands.add_parser("stories", help="stories: one story, every outlet, every language")
    actions = parser.add_subparsers(dest="action", required=True)
    cluster = actions.add_parser("cluster", help="read JSON lines {id, title, lead? or text?, lang?, outlet?, published? or date?}; "
                                                 "print id<TAB>story lines")
    cluster.add_argument("file", type=Path)
    cluster.set_defaults(handler=handle_cluster)


def read_items(path: Path) -> list[dict]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                item = json.loads(line)
                item["id"], item["title"] = str(item["id"]), str(item["title"])
            except (ValueError, KeyError, TypeError) as error:
                raise SystemExit(f"stories: {path}:{number} is not a JSON object with an id and a title ({error})")
            items.append(item)
    return items


def _published(item: dict) -> datetime:
    """The item's time: `published`, else the day a ticker gives as `date`; undated items share one window."""
    from akhbar.stories.engine import moment

    value = item.get("published") or item.get("date")
    try:
        return moment(value)
    except ValueError:
        raise SystemExit(f"stories: item {item['id']} has a date that is not ISO 8601: {value!r}") from None


def _lead(item: dict) -> str:
    return str(item.get("lead") or item.get("text") or "")


def cluster_items(items: list[dict]) -> dict[str, str]:
    from akhbar.crawl.language import detect_language
    from akhbar.stories.embedding import comparable_text, embed
    from akhbar.stories.engine import cluster, features

    vectors = embed([comparable_text(i["title"], _lead(i)) for i in items])
    prepared = [
        features(key=i["id"], title=i["title"], lead=_lead(i), outlet=str(i.get("outlet") or ""),
                 language=i.get("lang") or detect_language(i["title"], declared=None) or "",
                 published=_published(i), vector=vector)
        for i, vector in zip(items, vectors)
    ]
    return cluster(prepared)


def handle_cluster(options: argparse.Namespace) -> int:
    items = read_items(options.file)
    stories = cluster_items(items)
    numbering: dict[str, int] = {}
    for item in items:
        story = numbering.setdefault(stories[item["id"]], len(numbering) + 1)
        sys.stdout.write(f"{item['id']}\t{story}\n")
    return 0
