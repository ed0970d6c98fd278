"""What the API answers and accepts, as typed schemas: Django Ninja validates with them and writes the OpenAPI
from them. Their descriptions are the API's documentation, in French like the site; the schema is built once, at
start, so they are plain strings rather than translations."""

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator

from akhbar.news.editions import EDITIONS
from akhbar.search.selectors import MAX_COUNTED

Edition = Literal[EDITIONS]  # fr, ar, es, en: the editions the site serves
SLUG = r"^[-a-zA-Z0-9_]+$"
SEARCH_PAGE_SIZE = 20
MAX_SEARCH_PAGE = MAX_COUNTED // SEARCH_PAGE_SIZE  # deeper, a client refines the query, as on the site
DAY_HELP = "Jour (AAAA-MM-JJ), à l'heure du Maroc."


def _iso_day(value: object) -> object:
    """Only AAAA-MM-JJ: Pydantic would also read "0" or "1700000000" as seconds since 1970."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


def _open_ended(day: date | None) -> date | None:
    """The calendar's first and last days bound nothing: as moments on the site's clock, the day after the
    last one (an "until" ends there) or the first one converted to UTC would fall outside what Python counts."""
    if day is not None and not date.min + timedelta(days=1) < day < date.max - timedelta(days=1):
        return None
    return day


Day = Annotated[date | None, BeforeValidator(_iso_day), AfterValidator(_open_ended)]


class Error(Schema):
    detail: str = Field(description="Ce qui ne va pas, en clair.")
    errors: list[dict] | None = Field(None, description="Pour une requête invalide : chaque paramètre en cause.")


class OutletRef(Schema):
    slug: str
    name: str


class CategoryRef(Schema):
    slug: str
    name: str


class ImageOut(Schema):
    url: str = Field(description="L'image servie par Akhbar (WebP, 1280 pixels de large au plus).")
    width: int
    height: int
    caption: str = Field(description="La légende donnée par le média ; vide sans légende.")


class ArticleSummary(Schema):
    id: int
    title: str
    language: str
    outlet: OutletRef
    category: CategoryRef | None
    published_at: datetime
    url: str = Field(description="L'article chez son éditeur.")
    page: str = Field(description="La page de l'article sur Akhbar.")
    api: str = Field(description="L'article dans cette API.")
    excerpt: str | None = Field(description="Quelques lignes de texte brut ; null si le média n'autorise que le titre.")
    image: ImageOut | None = Field(description="null sans image, si le média n'autorise que le titre, ou si "
                                               "l'image a été retirée après des signalements.")
    story_id: int | None


class ArticleDetail(ArticleSummary):
    display: Literal["full", "excerpt", "headline"] = Field(
        description="Ce que le média autorise : texte intégral, extrait et lien, ou titre seul.")
    author: str
    content_html: str | None = Field(description="Le texte en HTML assaini ; seulement si le média autorise le "
                                                 "texte intégral, null sinon.")


class ArticlePage(Schema):
    items: list[ArticleSummary]
    next: str | None = Field(description="L'adresse de la page suivante ; null à la dernière.")
    next_cursor: str | None


class ArticleQuery(Schema):
    lang: Edition | None = Field(None, description="Seulement les articles dans cette langue.")
    outlet: str | None = Field(None, max_length=50, pattern=SLUG, description="Seulement ce média (son slug).")
    category: str | None = Field(None, max_length=50, pattern=SLUG, description="Seulement cette catégorie (son slug).")
    since: Day = Field(None, description="À partir de ce jour. " + DAY_HELP)
    until: Day = Field(None, description="Jusqu'à ce jour inclus. " + DAY_HELP)
    cursor: str | None = Field(None, max_length=100, pattern=r"^[A-Za-z0-9_-]+$",
                               description="Le next_cursor de la page précédente (opaque).")
    limit: int = Field(20, ge=1, le=100, description="Articles par page.")


class Headline(Schema):
    title: str
    page: str = Field(description="La page de l'article sur Akhbar.")
    url: str = Field(description="L'article chez son éditeur.")
    outlet: OutletRef
    language: str
    published_at: datetime
    article_id: int
    other_outlets: int = Field(description="Combien d'autres médias racontent le même sujet.")
    story_id: int | None
    story_page: str | None = Field(description="La page du sujet sur Akhbar, quand d'autres médias le racontent.")


class HeadlineList(Schema):
    language: str
    items: list[Headline]


class StorySummary(Schema):
    id: int
    headline: ArticleSummary = Field(description="Le titre montré pour ce sujet, dans la langue demandée si possible.")
    outlets_count: int
    articles_count: int
    languages: list[str]
    first_published_at: datetime
    last_published_at: datetime
    page: str = Field(description="La page du sujet sur Akhbar.")
    api: str


class StoryList(Schema):
    language: str
    items: list[StorySummary]


class LanguageGroup(Schema):
    language: str
    articles: list[ArticleSummary]


class StoryDetail(StorySummary):
    groups: list[LanguageGroup] = Field(description="Les articles du sujet par langue (fr, ar, es, en), "
                                                    "du plus ancien au plus récent.")


class OutletOut(Schema):
    slug: str
    name: str
    homepage: str
    language: str
    display: Literal["full", "excerpt", "headline"]
    feeds_count: int = Field(description="Ses flux actifs.")
    page: str = Field(description="La page du média sur Akhbar.")
    articles: str = Field(description="Ses articles dans cette API.")


class SearchQuery(Schema):
    q: str = Field(min_length=1, max_length=200, description="Les mots cherchés, tous requis ; accents facultatifs.")
    lang: Edition | None = Field(None, description="Seulement les articles dans cette langue.")
    outlet: str | None = Field(None, max_length=50, pattern=SLUG, description="Seulement ce média (son slug).")
    since: Day = Field(None, description="À partir de ce jour. " + DAY_HELP)
    until: Day = Field(None, description="Jusqu'à ce jour inclus. " + DAY_HELP)
    page: int = Field(1, ge=1, le=MAX_SEARCH_PAGE,
                      description=f"Page de résultats ({SEARCH_PAGE_SIZE} par page ; "
                                  f"ils s'arrêtent au {MAX_COUNTED}e).")


class SearchPage(Schema):
    query: str
    terms: list[str] = Field(description="Les mots cherchés, tels que l'index les compare.")
    total: int = Field(description=f"Combien d'articles correspondent, {MAX_COUNTED} au plus.")
    more: bool = Field(description=f"Vrai si plus de {MAX_COUNTED} articles correspondent.")
    page: int
    items: list[ArticleSummary]
    next: str | None


class Index(Schema):
    openapi: str
    endpoints: dict[str, str]
