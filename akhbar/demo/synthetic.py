"""Synthetic outlets for the benchmarks (slug bench-N): deterministic French-looking articles built from a word list."""

import random
import re
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache

from .content import DATA_DIR, Article, Outlet

DEFAULT_ARTICLES = 20
NAV = ("Politique", "Economie", "Société", "Sport", "Culture", "Régions")
AUTHORS = ("Rédaction", "Karim Alaoui", "Sanaa Bennani", "Omar Kettani", "Houda Tazi", "MAP")
BYLINE = "Publié le {day}/{month}/{year} à {hour}:{minute}"


@cache
def _words() -> tuple[str, ...]:
    lines = (DATA_DIR / "words-fr.txt").read_text(encoding="utf-8").splitlines()
    return tuple(word for line in lines if not line.startswith("#") for word in line.split())


@cache
def _images() -> tuple[str, ...]:
    return tuple(sorted(path.name for path in (DATA_DIR / "images").glob("*.jpg")))


def bench_outlets(count: int, articles_per_outlet: int | None, now: datetime) -> list[Outlet]:
    """`count` synthetic outlets whose articles carry titles and summaries but no body yet (see `with_body`)."""
    per_outlet = DEFAULT_ARTICLES if articles_per_outlet is None else articles_per_outlet
    return [_outlet(number, per_outlet, now) for number in range(1, count + 1)]


def with_body(article: Article) -> Article:
    """The article with its paragraphs, generated from its id so every run gives the same text."""
    rng = random.Random(f"body/{article.id}")
    paragraphs = tuple(_paragraph(rng) for _ in range(rng.randint(3, 7)))
    return replace(article, paragraphs=paragraphs)


def _outlet(number: int, per_outlet: int, now: datetime) -> Outlet:
    slug = f"bench-{number}"
    rng = random.Random(slug)
    comments = tuple({"author": rng.choice(AUTHORS[1:]), "text": _sentence(rng, 10, 25)} for _ in range(4))
    return Outlet(
        name=f"Bench {number}",
        slug=slug,
        lang="fr",
        category="actualite",
        tagline="Site synthétique pour les bancs d'essai",
        feed_path=f"/{slug}/feed.rss",
        feed_format="rss",
        byline=BYLINE,
        nav=NAV,
        comments=comments,
        articles=tuple(_stub(slug, index, now) for index in range(1, per_outlet + 1)),
        feed_options={"enclosure": True},
    )


def _stub(slug: str, index: int, now: datetime) -> Article:
    rng = random.Random(f"{slug}/{index}")
    title = _sentence(rng, 6, 10, end="")
    return Article(
        id=f"{slug}-{index}",
        path=f"/{slug}/articles/{index}-{_slugify(title)}.html",
        title=title,
        section=NAV[index % len(NAV)],
        tags=tuple(rng.sample(_words()[-120:], 3)),
        author=AUTHORS[index % len(AUTHORS)],
        image=_images()[index % len(_images())],
        caption=_sentence(rng, 8, 14),
        summary=_sentence(rng, 18, 30),
        paragraphs=(),
        published=now - timedelta(minutes=37 * index),
    )


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, 8, 18) for _ in range(rng.randint(3, 4)))


def _sentence(rng: random.Random, shortest: int, longest: int, end: str = ".") -> str:
    words = [rng.choice(_words()) for _ in range(rng.randint(shortest, longest))]
    for position in range(3, len(words) - 2, 7):
        words[position] += ","
    text = " ".join(words)
    return text[0].upper() + text[1:] + end


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text)[:8])
