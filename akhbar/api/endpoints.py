"""The read-only JSON API at /api/: headlines, articles, stories, outlets and search. Views stay thin:
the reads are in akhbar.api.selectors (and the site's selectors), the shapes in akhbar.api.present."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError

from akhbar.api import errors, present
from akhbar.api.cursor import MAX_ID, Cursor, CursorError
from akhbar.api.schemas import (
    MAX_SEARCH_PAGE, SEARCH_PAGE_SIZE, ArticleDetail, ArticlePage, ArticleQuery, Edition, Error, HeadlineList, Index,
    OutletOut, SearchPage, SearchQuery, StoryDetail, StoryList,
)
from akhbar.api.selectors import (
    ArticleFilters, article_detail, article_list, articles_by_ids, category_id_by_slug, outlet_enabled,
    outlet_id_by_slug, outlet_list, story_current,
)
from akhbar.api.throttle import NetworkThrottle
from akhbar.news.selectors import story_articles_by_language, ticker_lines, top_stories
from akhbar.search.selectors import Filters, search_articles

api = NinjaAPI(
    title="Akhbar",
    version="1",
    description=("L'actualité de la presse marocaine, en lecture seule. Les réponses respectent ce que chaque "
                 "média autorise (texte intégral, extrait ou titre seul). Chaque réseau client a un nombre limité "
                 "de requêtes par minute (120 par défaut) : au-delà, 429 et l'en-tête Retry-After."),
    urls_namespace="api",
    # Swagger UI would load its scripts from a CDN, which the site's CSP forbids: the schema alone is served.
    docs_url=None,
    throttle=[NetworkThrottle()],
)
errors.install(api)

LIMITED = {422: Error, 429: Error}
FINDABLE = {404: Error, 422: Error, 429: Error}


class EditionQuery(Schema):
    lang: Edition = Field(settings.LANGUAGE_CODE, description="L'édition : fr, ar, es ou en.")


def _absolute(request: HttpRequest, name: str, params: dict) -> str:
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return request.build_absolute_uri(reverse(name) + (f"?{urlencode(kept)}" if kept else ""))


@api.get("", response={200: Index, 429: Error}, url_name="index", summary="Index de l'API")
def index(request: HttpRequest):
    """Les adresses de l'API et de son schéma OpenAPI."""
    names = ("headlines", "articles", "stories", "outlets", "search")
    return {"openapi": _absolute(request, "api:openapi-json", {}),
            "endpoints": {name: _absolute(request, f"api:{name}", {}) for name in names}}


@api.get("/headlines", response={200: HeadlineList, **LIMITED}, url_name="headlines", summary="Les titres à la une")
def headlines(request: HttpRequest, query: Query[EditionQuery]):
    """Le fil de l'édition : les derniers sujets dans sa langue, une ligne chacun (le titre le plus
    représentatif du sujet), du plus récent au plus ancien, avec le nombre d'autres médias qui le racontent."""
    lines = ticker_lines(language=query.lang)
    articles = {article.pk: article for article in articles_by_ids([line.article.pk for line in lines])}
    return {"language": query.lang, "items": [present.headline(request, line, articles[line.article.pk])
                                              for line in lines if line.article.pk in articles]}


def _outlet_id(slug: str | None) -> int | None:
    """The outlet's id, None without a slug; a 404 for a slug no outlet has."""
    if slug and (outlet_id := outlet_id_by_slug(slug)) is None:
        raise HttpError(404, gettext("Aucun média ne porte le nom « %(slug)s ».") % {"slug": slug})
    return outlet_id if slug else None


def _category_id(slug: str | None) -> int | None:
    if slug and (category_id := category_id_by_slug(slug)) is None:
        raise HttpError(404, gettext("Aucune catégorie ne porte le nom « %(slug)s ».") % {"slug": slug})
    return category_id if slug else None


@api.get("/articles", response={200: ArticlePage, **FINDABLE}, url_name="articles", summary="Les articles")
def articles(request: HttpRequest, query: Query[ArticleQuery]):
    """Les articles du plus récent au plus ancien, filtrés par langue, média, catégorie et jours. La page
    suivante est à l'adresse `next` (un curseur : aussi rapide au fond des archives qu'à la première page)."""
    filters = ArticleFilters(language=query.lang or "", outlet_id=_outlet_id(query.outlet),
                             category_id=_category_id(query.category), since=query.since, until=query.until)
    try:
        after = Cursor.decode(query.cursor) if query.cursor else None
    except CursorError:
        raise HttpError(422, gettext("Curseur invalide : reprenez la liste depuis sa première page.")) from None
    found = article_list(filters, after=after, limit=query.limit + 1)
    page = found[:query.limit]
    next_cursor = Cursor(page[-1].published_at, page[-1].pk).encode() if len(found) > query.limit else None
    params = query.model_dump() | {"cursor": next_cursor}
    return {"items": present.article_summaries(request, page), "next_cursor": next_cursor,
            "next": _absolute(request, "api:articles", params) if next_cursor else None}


@api.get("/articles/{article_id}", response={200: ArticleDetail, **FINDABLE}, url_name="article",
         summary="Un article")
def article(request: HttpRequest, article_id: int = Path(..., ge=1, le=MAX_ID)):
    """Un article : son texte en HTML seulement si le média autorise le texte intégral, un extrait s'il
    autorise un extrait, ni l'un ni l'autre (ni image) s'il n'autorise que le titre."""
    item = article_detail(article_id)
    if item is None:
        raise HttpError(404, gettext("Aucun article ne porte le numéro %(id)s.") % {"id": article_id})
    return present.article_detail(request, item)


@api.get("/stories", response={200: StoryList, **LIMITED}, url_name="stories", summary="Les sujets à la une")
def stories(request: HttpRequest, query: Query[EditionQuery]):
    """Les sujets des deux derniers jours racontés par plusieurs médias, dont au moins un dans la langue de
    l'édition, classés par nombre de médias et fraîcheur ; chacun avec le titre montré dans cette édition."""
    ranked = top_stories(language=query.lang)
    shown = present.summaries_by_id(request, articles_by_ids([headline.pk for _, headline in ranked]))
    return {"language": query.lang, "items": [present.story_summary(request, story, shown[headline.pk], query.lang)
                                              for story, headline in ranked if headline.pk in shown]}


@api.get("/stories/{story_id}", response={200: StoryDetail, **FINDABLE}, url_name="story", summary="Un sujet")
def story(request: HttpRequest, story_id: int = Path(..., ge=1, le=MAX_ID)):
    """Un sujet et tous ses articles, par langue. Un sujet fondu dans un autre répond par celui-ci."""
    item = story_current(story_id)
    groups = story_articles_by_language(item) if item else []
    if not groups:
        raise HttpError(404, gettext("Aucun sujet ne porte le numéro %(id)s.") % {"id": story_id})
    shown = present.summaries_by_id(request, articles_by_ids([a.pk for _, members in groups for a in members]))
    headline = shown.get(item.headline_id) or shown[groups[0][1][0].pk]
    return present.story_summary(request, item, headline, headline["language"]) | {"groups": [
        {"language": code, "articles": [shown[a.pk] for a in members if a.pk in shown]} for code, members in groups]}


@api.get("/outlets", response={200: list[OutletOut], **LIMITED}, url_name="outlets", summary="Les médias")
def outlets(request: HttpRequest):
    """Les médias suivis, par nom, avec leur langue, ce qu'ils autorisent à montrer et leurs flux actifs."""
    return [present.outlet(request, item) for item in outlet_list()]


@api.get("/outlets/{slug}", response={200: OutletOut, **FINDABLE}, url_name="outlet", summary="Un média")
def outlet(request: HttpRequest, slug: str = Path(..., max_length=50)):
    """Un média suivi, par son slug."""
    item = outlet_enabled(slug)
    if item is None:
        raise HttpError(404, gettext("Aucun média ne porte le nom « %(slug)s ».") % {"slug": slug})
    return present.outlet(request, item)


@api.get("/search", response={200: SearchPage, **FINDABLE}, url_name="search", summary="Recherche")
def search(request: HttpRequest, query: Query[SearchQuery]):
    """Les articles qui contiennent tous les mots, sous toutes leurs formes (« barrage » trouve « barrages »),
    les plus pertinents d'abord, à pertinence égale les plus récents."""
    _outlet_id(query.outlet)  # an unknown outlet is a 404 here too, not an empty page
    filters = Filters(outlet_slug=query.outlet or "", language=query.lang or "", since=query.since, until=query.until)
    found = search_articles(query.q, filters=filters, offset=(query.page - 1) * SEARCH_PAGE_SIZE,
                            limit=SEARCH_PAGE_SIZE, load=articles_by_ids)
    shown = present.article_summaries(request, found.articles)
    last_page = query.page * SEARCH_PAGE_SIZE >= found.total or query.page >= MAX_SEARCH_PAGE
    return {"query": query.q, "terms": found.terms, "total": found.total, "more": found.more, "page": query.page,
            "items": shown, "next": None if last_page else _absolute(request, "api:search",
                                                                     query.model_dump() | {"page": query.page + 1})}
