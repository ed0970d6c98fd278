import pytest

from akhbar.crawl.language import detect_language

CASES = [
    ("Le Maroc sera l'invité d'honneur du Festival du livre de Paris, a annoncé le ministère de la Culture.", "ar", "fr"),
    ("أعلنت وزارة الثقافة أن المغرب سيكون ضيف شرف مهرجان باريس للكتاب في دورته المقبلة", "fr", "ar"),
    ("Hackers marroquíes publican 34 GB de datos robados a la administración argelina, según varios medios.", "fr", "es"),
    ("Morocco will be the guest of honour at the Paris Book Festival, the culture ministry announced.", "fr", "en"),
    # Too short to judge: the declared language stands.
    ("Akhbar", "ar", "ar"),
    # A headline is not enough to overrule: each detector alone is sure this one is French.
    ("Saham Bank sells stake to Société Générale", "en", "en"),
    # Arabic script is decisive, whatever was declared.
    ("الحكومة تصادق على مشروع قانون المالية", "fr", "ar"),
    # A language we do not serve counts as no declaration.
    ("Le Maroc sera l'invité d'honneur du Festival du livre de Paris, a annoncé le ministère de la Culture.", "de", "fr"),
    ("Le Maroc gagne", "pt", "fr"),
    # Nothing to read: the declaration, or nothing.
    ("2-0", "fr", "fr"),
    ("2-0", None, ""),
]


@pytest.mark.parametrize(("text", "declared", "expected"), CASES)
def test_text_language_overrules_a_wrong_declaration_only_when_sure(text, declared, expected):
    assert detect_language(text, declared=declared) == expected
