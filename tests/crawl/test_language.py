import pytest

from akhbar.crawl.language import detect_language

CASES = [
    ("Le Maroc sera l'invité d'honneur du Festival du livre de Paris, a annoncé le ministère de la Culture.", "ar", "fr"),
    ("أعلنت وزارة الثقافة أن المغرب سيكون ضيف شرف مهرجان باريس للكتاب في دورته المقبلة", "fr", "ar"),
    ("Hackers marroquíes publican 34 GB de datos robados a la administración argelina, según varios medios.", "fr", "es"),
    ("Morocco will be the guest of honour at the Paris Book Festival, the culture ministry announced.", "fr", "en"),
    # Too short to judge: the declared language stands.
    ("Akhbar", "ar", "ar"),
]


@pytest.mark.parametrize(("text", "declared", "expected"), CASES)
def test_text_language_overrules_a_wrong_declaration_only_when_sure(text, declared, expected):
    assert detect_language(text, declared=declared) == expected
