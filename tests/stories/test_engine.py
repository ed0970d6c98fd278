"""The story engine's rules: languages, window, conflicts, names across scripts, merges, copy fingerprints."""

from datetime import datetime, timedelta, timezone

import numpy as np

from akhbar.stories.copies import simhash, simhash_distance, text_overlap
from akhbar.stories.embedding import comparable_text, embed
from akhbar.stories.engine import Features, Rules, cluster, features, stories_to_merge
from akhbar.stories.signals import name_skeletons, skeleton, stems

NOW = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)


def item(key: str, title: str, *, lang: str = "fr", outlet: str = "", hours: float = 0, lead: str = "") -> Features:
    [vector] = embed([comparable_text(title, lead)])
    return features(key=key, title=title, lead=lead, language=lang, outlet=outlet or key,
                    published=NOW + timedelta(hours=hours), vector=vector)


def groups(items: list[Features]) -> set[frozenset[str]]:
    stories: dict[str, set[str]] = {}
    for key, story in cluster(items).items():
        stories.setdefault(story, set()).add(key)
    return {frozenset(keys) for keys in stories.values()}


def test_the_same_event_in_three_languages_is_one_story():
    found = groups([
        item("fr", "Un avion de tourisme s'écrase près de Fès, deux morts"),
        item("ar", "تحطم طائرة سياحية قرب فاس ومصرع شخصين", lang="ar", hours=1),
        item("es", "Se estrella una avioneta cerca de Fez: dos muertos", lang="es", hours=2),
    ])
    assert frozenset({"fr", "ar", "es"}) in found


def test_two_headlines_of_one_event_meet_without_a_lead():
    found = groups([
        item("a", "هشام العلوي يرفع دعوى قضائية ضد يوتيوبر", lang="ar"),
        item("b", "\"مولاي هشام\" يرفع دعوى قضائية", lang="ar", hours=1),
        item("c", "توقعات أحوال الطقس ليوم غد الخميس", lang="ar", hours=2),
    ])
    assert frozenset({"a", "b"}) in found and frozenset({"c"}) in found


def test_two_matches_of_the_same_clubs_with_different_scores_are_two_stories():
    found = groups([
        item("a", "Botola : le Wydad bat le Raja 2-1 au complexe Mohammed V"),
        item("b", "Botola : le Raja s'impose face au Wydad 3-0 au retour", hours=30),
    ])
    assert found == {frozenset({"a"}), frozenset({"b"})}


def test_a_market_that_closes_up_and_one_that_closes_down_are_two_stories():
    found = groups([
        item("up", "بورصة الدار البيضاء تغلق على ارتفاع", lang="ar"),
        item("down", "الانخفاض ينهي تداولات بورصة الدار البيضاء", lang="ar", hours=20),
    ])
    assert found == {frozenset({"up"}), frozenset({"down"})}


def test_condolences_are_never_told_with_congratulations():
    found = groups([
        item("death", "Le Roi adresse un message de condoléances à la famille de l'artiste Naïma Lmcharki"),
        item("congrats", "Le Roi adresse un message de félicitations à l'artiste Naïma Lmcharki", hours=3),
    ])
    assert found == {frozenset({"death"}), frozenset({"congrats"})}


def test_forecasts_for_two_different_days_are_two_stories():
    found = groups([
        item("thu", "توقعات أحوال الطقس ليوم غد الخميس", lang="ar"),
        item("sun", "توقعات أحوال الطقس ليوم غد الأحد", lang="ar", hours=3),
    ])
    assert found == {frozenset({"thu"}), frozenset({"sun"})}


def test_a_story_takes_no_article_after_its_window():
    title = "Le Maroc invité d'honneur du Festival du livre de Paris"
    found = groups([item("old", title), item("new", title, outlet="other", hours=24 * 10)])
    assert found == {frozenset({"old"}), frozenset({"new"})}


def test_names_meet_across_scripts():
    pairs = [("Akhannouch", "أخنوش"), ("Lmcharki", "المشرقي"), ("Regragui", "الركراكي"), ("Bourita", "بوريطة"),
             ("Marrakech", "مراكش"), ("Benkirane", "بنكيران")]
    assert all(skeleton(latin) == skeleton(arabic) for latin, arabic in pairs)
    assert skeleton("Akhannouch") != skeleton("Benkirane")
    assert name_skeletons("Aziz Akhannouch reçoit Nasser Bourita") & name_skeletons("أخنوش يستقبل بوريطة") == {
        skeleton("Akhannouch"), skeleton("Bourita")}


def test_words_are_compared_on_their_stems_whatever_their_prefixes():
    assert "مغرب" in stems("المغرب") and "مغرب" in stems("والمغرب")
    assert "فوز" in stems("فوز") and "maroc" in stems("Les Marocains") and "de" not in stems("le roi de")


def test_outlet_tags_do_not_count():
    assert comparable_text("[VIDÉO] Incendie au marché de Fès") == comparable_text("Incendie au marché de Fès")


def test_an_article_tying_two_stories_firmly_merges_them():
    rules = Rules(merge_margin=0.05)
    assert stories_to_merge([(0.3, "a"), (0.2, "b"), (0.01, "c")], rules) == ["b"]


def test_wire_copies_are_a_few_bits_apart_and_other_texts_are_not():
    wire = ("Rabat, 27 nov. (MAP) - Le Conseil de gouvernement a adopté jeudi le projet de loi de finances "
            "pour l'année 2026, qui prévoit une hausse de l'investissement public à 340 milliards de dirhams. "
            "Le texte mise sur la poursuite des chantiers de l'eau, avec de nouvelles stations de dessalement "
            "à Casablanca et à Dakhla, et sur la généralisation de la protection sociale. Le ministre délégué "
            "chargé du Budget a souligné que le déficit devrait être ramené à 3,5 % du PIB, contre 4 % cette "
            "année, grâce à la hausse des recettes fiscales et à la maîtrise des dépenses de fonctionnement. "
            "Le projet sera présenté devant les deux Chambres du Parlement dans les prochains jours.")
    edited = wire.replace("jeudi", "ce jeudi").replace("(MAP) - ", "")
    other = "Le Wydad de Casablanca a battu le Raja deux buts à un dimanche soir au complexe Mohammed V."
    assert simhash_distance(simhash(wire), simhash(edited)) <= 6 < simhash_distance(simhash(wire), simhash(other))
    assert -(2**63) <= simhash(wire) < 2**63


def test_vectors_are_unit_length_for_every_language():
    vectors = embed(["Le Maroc", "المغرب", "Marruecos", "Morocco"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_text_overlap_tells_a_copy_from_a_rewrite():
    original = "<p>Le Conseil de gouvernement a adopté jeudi le projet de loi de finances pour 2026.</p>" * 3
    assert text_overlap(original, original.replace("jeudi", "ce jeudi")) > 0.6
    assert text_overlap(original, "<p>Le gouvernement a validé son budget 2026 lors du conseil de jeudi.</p>") < 0.2
