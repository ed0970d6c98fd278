"""The sample outlets and their articles, read from data/outlets/*.json; no rendering, no HTTP."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
# Moroccan outlets print local time; the kingdom stays on UTC+1 most of the year.
MOROCCO = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class Article:
    id: str
    path: str
    title: str
    section: str
    tags: tuple[str, ...]
    author: str
    image: str
    caption: str
    summary: str
    paragraphs: tuple[str, ...]
    published: datetime
    story: str | None = None


@dataclass(frozen=True)
class Outlet:
    name: str
    slug: str
    lang: str
    category: str
    tagline: str
    feed_path: str
    feed_format: str
    byline: str
    nav: tuple[str, ...]
    comments: tuple[dict, ...]
    articles: tuple[Article, ...]
    encoding: str = "utf-8"
    feed_options: dict = field(default_factory=dict)

    def public(self, base_url: str) -> dict:
        """The outlet as SamplePublisher.outlets lists it."""
        return {
            "name": self.name,
            "slug": self.slug,
            "lang": self.lang,
            "category": self.category,
            "homepage": f"{base_url}/{self.slug}/",
            "feed_url": base_url + self.feed_path,
            "feed_format": self.feed_format,
        }


def load_outlets(now: datetime) -> list[Outlet]:
    """Every hand-written outlet, with relative dates counted back from `now`."""
    files = sorted((DATA_DIR / "outlets").glob("*.json"))
    return [_outlet(json.loads(path.read_text(encoding="utf-8")), now) for path in files]


@cache
def strings(lang: str) -> dict:
    """Interface words (menus, months, labels) in one language."""
    return json.loads((DATA_DIR / "strings.json").read_text(encoding="utf-8"))[lang]


def byline_date(outlet: Outlet, when: datetime) -> str:
    """The date line the outlet prints under its titles, in Moroccan local time."""
    local = when.astimezone(MOROCCO)
    return outlet.byline.format(
        day=f"{local.day:02d}",
        day_num=local.day,
        month=f"{local.month:02d}",
        month_name=strings(outlet.lang)["months"][local.month - 1],
        year=local.year,
        hour=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
    )


def long_date(lang: str, when: datetime) -> str:
    """A date spelt out in the language, as in page headers: 27 novembre 2026."""
    local = when.astimezone(MOROCCO)
    return f"{local.day} {strings(lang)['months'][local.month - 1]} {local.year}"


def _outlet(raw: dict, now: datetime) -> Outlet:
    # Newest first, as feeds list them, whatever order the file was written in.
    articles = sorted((_article(item, now) for item in raw.pop("articles")), key=lambda a: a.published, reverse=True)
    raw["nav"] = tuple(raw["nav"])
    raw["comments"] = tuple(raw["comments"])
    return Outlet(articles=tuple(articles), **raw)


def _article(raw: dict, now: datetime) -> Article:
    # Fixed dates stay fixed (the model page of 2024-10-04); the others follow the clock so the demo looks fresh.
    if "published" in raw:
        published = datetime.fromisoformat(raw.pop("published"))
    else:
        published = now - timedelta(hours=raw.pop("hours_ago"))
    raw["tags"] = tuple(raw["tags"])
    raw["paragraphs"] = tuple(raw["paragraphs"])
    return Article(published=published.astimezone(UTC), **raw)
