"""Search on the real database (SQLite here, PostgreSQL again in make test): spelling must not matter."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from akhbar.crawl.store import url_hash
from akhbar.news.models import Article
from akhbar.search.index import index_articles
from akhbar.search.selectors import Filters, search_articles
from akhbar.sources.services import outlet_upsert

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")
ARTICLES = [
    # (outlet, language, days ago, title, body)
    ("lopinion", "fr", 1, "La société civile mobilisée à Fès", "Les associations de la société civile se réunissent."),
    ("lopinion", "fr", 400, "Élections législatives : le calendrier", "Le calendrier des élections est fixé."),
    ("le360", "fr", 2, "Sécheresse : les barrages à 30 %", "Les barrages du Nord restent bas."),
    ("hespress-ar", "ar", 1, "الْعَرَبِيَّةُ لُغَةٌ رَسْمِيَّةٌ", "قرار جديد حول اللغة العربية في المدرسة."),
    ("hespress-ar", "ar", 3, "إصلاح المستشفى الإقليمي", "أعلنت الوزارة عن إصلاح مستشفى آسفي."),
    ("hespress-ar", "ar", 5, "العـــاصمة تستعد للمونديال", "الرباط تستعد لاستقبال المشجعين."),
    ("marruecos-hoy", "es", 2, "España y Marruecos firman un acuerdo", "El acuerdo de pesca fue firmado en Rabat."),
    ("moroccoworld", "en", 4, "Morocco wins the derby", "The national team won the match in Casablanca."),
]


@pytest.fixture
def articles():
    now = datetime.now(CASABLANCA)
    stored = []
    for n, (slug, language, days, title, body) in enumerate(ARTICLES):
        outlet = outlet_upsert(name=slug, slug=slug, language=language)
        url = f"https://{slug}.example/{n}"
        stored.append(Article.objects.create(
            outlet=outlet, url=url, url_hash=url_hash(url), title=title, summary=body, content_html=f"<p>{body}</p>",
            language=language, published_at=now - timedelta(days=days),
        ))
    index_articles([a.pk for a in stored])
    return stored


def titles(query: str, **filters) -> list[str]:
    return [a.title for a in search_articles(query, filters=Filters(**filters)).articles]


@pytest.mark.parametrize("query", ["société", "societe", "SOCIETE", "Société civile"])
def test_french_accents_and_case_do_not_matter(articles, query):
    assert titles(query) == ["La société civile mobilisée à Fès"]


def test_a_word_finds_its_plural_and_longer_forms(articles):
    assert titles("élection") == ["Élections législatives : le calendrier"]
    assert titles("barrage") == ["Sécheresse : les barrages à 30 %"]


@pytest.mark.parametrize("query", [
    "العربية",  # no tashkeel
    "الْعَرَبِيَّة",  # with tashkeel
    "العربيه",  # ta marbuta written as ha
])
def test_arabic_with_or_without_tashkeel_and_ta_marbuta(articles, query):
    assert "الْعَرَبِيَّةُ لُغَةٌ رَسْمِيَّةٌ" in titles(query)


@pytest.mark.parametrize("query", ["اصلاح", "إصلاح", "أصلاح", "آصلاح"])
def test_arabic_alef_forms_match_each_other(articles, query):
    assert titles(query) == ["إصلاح المستشفى الإقليمي"]


def test_arabic_alef_maqsura_and_tatweel(articles):
    assert titles("المستشفي") == ["إصلاح المستشفى الإقليمي"]
    assert titles("العاصمة") == ["العـــاصمة تستعد للمونديال"]
    assert titles("العـاصمـة") == ["العـــاصمة تستعد للمونديال"]


def test_spanish_and_english(articles):
    assert titles("espana acuerdo") == ["España y Marruecos firman un acuerdo"]
    assert titles("derby") == ["Morocco wins the derby"]


def test_every_word_is_required(articles):
    assert titles("barrages Fès") == []
    assert titles("calendrier élections") == ["Élections législatives : le calendrier"]


def test_filters_by_outlet_language_and_date(articles):
    assert titles("les", outlet_slug="le360") == ["Sécheresse : les barrages à 30 %"]
    assert set(titles("calendrier")) == set(titles("calendrier", language="fr"))
    assert titles("calendrier", language="ar") == []
    recent = date.today() - timedelta(days=30)
    assert titles("calendrier", since=recent) == []
    assert titles("calendrier", until=recent) == ["Élections législatives : le calendrier"]


def test_recent_articles_rank_first_at_equal_relevance(articles):
    outlet, now = articles[0].outlet, datetime.now(CASABLANCA)
    for days, title in ((300, "Tourisme : record à Marrakech (2025)"), (1, "Tourisme : record à Marrakech")):
        url = f"https://x.example/{days}"
        article = Article.objects.create(outlet=outlet, url=url, url_hash=url_hash(url), title=title, language="fr",
                                         summary="Les nuitées progressent.", published_at=now - timedelta(days=days))
        index_articles([article.pk])
    assert titles("tourisme marrakech") == ["Tourisme : record à Marrakech", "Tourisme : record à Marrakech (2025)"]


def test_a_match_in_the_title_outranks_one_in_the_text(articles):
    assert titles("calendrier")[0] == "Élections législatives : le calendrier"
    assert titles("barrages") == ["Sécheresse : les barrages à 30 %"]


def test_pagination_and_total(articles):
    everything = search_articles("les")
    assert everything.total == len(everything.articles) >= 2
    page_two = search_articles("les", offset=1, limit=1)
    assert page_two.total == everything.total and page_two.articles == everything.articles[1:2]


@pytest.mark.parametrize("query", ["", "   ", "!!!", '" OR 1=1 --', "NEAR(a b)", "a* AND", "'; DROP TABLE x"])
def test_odd_queries_never_fail(articles, query):
    search_articles(query)


def test_articles_stored_by_the_crawler_are_searchable(demo_outlets):
    from tests.helpers import crawl_all

    crawl_all()
    assert "Salon du livre de Paris : le Maroc invité d'honneur" in titles("salon livre invite")


def test_counts_stop_at_a_thousand_and_say_so(articles, monkeypatch):
    from akhbar.search import selectors

    monkeypatch.setattr(selectors, "MAX_COUNTED", 1)
    found = search_articles("les")
    assert (found.total, found.more) == (1, True) and len(found.articles) >= 2
    assert search_articles("calendrier").more is False


def test_only_the_newest_matches_are_ranked_filtered_or_not(articles, monkeypatch):
    from akhbar.search import selectors

    everything = search_articles("les", filters=Filters(language="fr")).articles
    assert len(everything) >= 2
    monkeypatch.setattr(selectors, "RANKED_CANDIDATES", 1)
    assert search_articles("les").articles[0].pk == max(a.pk for a in everything)  # the newest match
    assert search_articles("les", filters=Filters(language="fr")).articles[0].pk == max(a.pk for a in everything)


def test_matches_beyond_the_ranked_ones_follow_newest_first(articles, monkeypatch):
    from akhbar.search import selectors

    monkeypatch.setattr(selectors, "RANKED_CANDIDATES", 1)
    found = search_articles("les", filters=Filters(language="fr"))
    newest_first = sorted((a.pk for a in found.articles), reverse=True)
    assert [a.pk for a in found.articles] == newest_first and found.total == len(newest_first) >= 2
    assert [a.pk for a in search_articles("les", filters=Filters(language="fr"), offset=1, limit=1).articles] == \
        newest_first[1:2]


def test_a_deleted_article_is_no_longer_found_or_counted(articles):
    before = search_articles("calendrier")
    assert before.total == 1
    Article.objects.filter(title__startswith="Élections").delete()
    after = search_articles("calendrier")
    assert (after.total, after.articles) == (0, [])


@pytest.mark.parametrize("query", ["les", "calendrier", "barrages Fès"])
def test_windows_of_the_newest_ids_find_what_the_whole_index_finds(articles, monkeypatch, query):
    """PostgreSQL looks in the newest ids first, widening the window as needed (SQLite has no windows)."""
    from akhbar.search import selectors

    def found():
        result = search_articles(query)
        return result.total, result.more, [a.pk for a in result.articles]

    monkeypatch.setattr(selectors, "MAX_COUNTED", 1)  # "les": more than one match, so the newest two are asked
    whole = found()
    monkeypatch.setattr(selectors, "WINDOW_MARGIN", 1e-9)  # the first window holds one id, then 10, 100...
    monkeypatch.setattr(selectors, "SMALLEST_WINDOW", 1)
    assert found() == whole
