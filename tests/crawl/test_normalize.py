"""normalize.py, table-driven: each row is (input, expected); adding a case is adding a row."""

from __future__ import annotations

import pytest

from akhbar.crawl.normalize import canonical_url, clean_text_line, parse_date, split_title_tags, text_from_html

CANONICAL_URLS = [
    # (url, rel=canonical or None, expected)
    ("HTTP://WWW.Example.MA:80/a/b?utm_source=rss&b=2&a=1&fbclid=x#comments", None, "http://www.example.ma/a/b?a=1&b=2"),
    ("https://www.example.ma:443", None, "https://www.example.ma/"),
    ("https://www.example.ma:8443/x", None, "https://www.example.ma:8443/x"),
    ("https://le360.example.ma/x?utm_medium=social&utm_campaign=a&gclid=1&mc_cid=2&mc_eid=3", None,
     "https://le360.example.ma/x"),
    ("https://le360.example.ma/x?at_medium=rss&at_campaign=feed&xtor=RSS-1&ref=tw&ref_src=twsrc&igshid=abc", None,
     "https://le360.example.ma/x"),
    ("https://www.example.ma/article?id=42&page=2&UTM_Source=x", None, "https://www.example.ma/article?id=42&page=2"),
    ("https://www.example.ma/search?q=a+b&q=%c3%a9", None, "https://www.example.ma/search?q=%C3%A9&q=a+b"),
    ("https://www.hespress.example.com/مقال-تجريبي-1234.html", None,
     "https://www.hespress.example.com/%D9%85%D9%82%D8%A7%D9%84-%D8%AA%D8%AC%D8%B1%D9%8A%D8%A8%D9%8A-1234.html"),
    ("https://www.hespress.example.com/%d9%85%d9%82%d8%a7%d9%84-1234.html", None,
     "https://www.hespress.example.com/%D9%85%D9%82%D8%A7%D9%84-1234.html"),
    ("  https://user:secret@www.example.ma/a b  ", None, "https://www.example.ma/a%20b"),
    ("https://www.example.ma/a?", None, "https://www.example.ma/a"),
    # rel=canonical: accepted on the same registrable domain, relative ones resolved.
    ("https://m.hespress.example.com/x.html?ref=fb", "https://www.hespress.example.com/x.html",
     "https://www.hespress.example.com/x.html"),
    ("https://fr.le360.example.ma/a?page=1", "/canonical-a", "https://fr.le360.example.ma/canonical-a"),
    ("https://www.example.ma/a", "HTTPS://Example.MA/a#x", "https://example.ma/a"),
    # Hostile or unusable canonicals are ignored.
    ("https://www.example.ma/a", "https://evil.example.com/a", "https://www.example.ma/a"),
    ("https://www.example.ma/a", "https://example.ma.evil.com/a", "https://www.example.ma/a"),
    ("https://www.example.ma/a", "javascript:alert(1)", "https://www.example.ma/a"),
    ("https://www.example.ma/a", "ftp://www.example.ma/a", "https://www.example.ma/a"),
    ("https://www.example.ma/a", "", "https://www.example.ma/a"),
    ("https://albayane.press.ma/a", "https://bayanealyaoume.press.ma/a", "https://albayane.press.ma/a"),
    ("https://news.bbc.co.uk/a", "https://www.bbc.co.uk/a", "https://www.bbc.co.uk/a"),
    ("https://a.co.uk/x", "https://b.co.uk/x", "https://a.co.uk/x"),
    # Not http(s), or not a URL: returned stripped, untouched.
    ("mailto:redaction@example.ma", None, "mailto:redaction@example.ma"),
    ("http://[::1", None, "http://[::1"),
    ("https://www.example.ma/a", "http://[::1", "https://www.example.ma/a"),
    ("https://[2001:DB8::1]:443/a", None, "https://[2001:db8::1]/a"),
    ("https://www.example.ma:99999/a", None, "https://www.example.ma/a"),
]

TITLE_TAGS = [
    ("عاجل.. زلزال بقوة 5 درجات يضرب الحسيمة", ("زلزال بقوة 5 درجات يضرب الحسيمة", ("عاجل",))),
    ("بالفيديو.. الأسود يستعدون لمواجهة الغابون", ("الأسود يستعدون لمواجهة الغابون", ("بالفيديو",))),
    ("[INTEGRAL] Le discours royal devant le Parlement", ("Le discours royal devant le Parlement", ("INTEGRAL",))),
    ("Le discours royal [Intégral]", ("Le discours royal", ("INTÉGRAL",))),
    ("[VIDEO] [PHOTOS] Incendie à Fès", ("Incendie à Fès", ("VIDEO", "PHOTOS"))),
    ("Maroc-Espagne : le match nul (Vidéo)", ("Maroc-Espagne : le match nul", ("VIDÉO",))),
    ("Exclusif : Akhannouch répond", ("Akhannouch répond", ("EXCLUSIF",))),
    ("VIDEO. Les images du séisme", ("Les images du séisme", ("VIDEO",))),
    ("Direct – Suivez la séance", ("Suivez la séance", ("DIRECT",))),
    ("فيديو: حريق في سوق فاس", ("حريق في سوق فاس", ("فيديو",))),
    ("[فيديو] حريق في سوق فاس", ("حريق في سوق فاس", ("فيديو",))),
    ("Le PJD (opposition) critique le budget", ("Le PJD (opposition) critique le budget", ())),
    ("Série [1/3] : le Maroc des oasis", ("Série [1/3] : le Maroc des oasis", ())),
    ("Directive européenne : ce qui change", ("Directive européenne : ce qui change", ())),
    ("[VIDEO]", ("[VIDEO]", ("VIDEO",))),
    ("[VIDEO] Titre [VIDEO]", ("Titre", ("VIDEO",))),
    ("", ("", ())),
]

TEXT_LINES = [
    ("  Le   Maroc\n\tet\r\nl'Espagne  ", "Le Maroc et l'Espagne"),
    ("a\u202eb\u202cc", "abc"),
    ("\u2066عنوان\u2069 \u202bمقال\u202c", "عنوان مقال"),
    ("non\u00a0sécable", "non sécable"),
    ("e\u0301te\u0301", "été"),
    ("\ufeffBOM\u200b et zéro-largeur", "BOM et zéro-largeur"),
    ("nul\x00 et contrôle\x07\x85", "nul et contrôle"),
    ("", ""),
]

HTML_SNIPPETS = [
    ("<p>Le <b>Maroc</b> &amp; l&#8217;Europe</p>", "Le Maroc & l’Europe"),
    ("Ligne 1<br>Ligne 2<br/>Ligne 3", "Ligne 1 Ligne 2 Ligne 3"),
    ("<p>Un</p><p>Deux</p>", "Un Deux"),
    ("l&#8217;Office &lt;em&gt;réformé&lt;/em&gt;", "l’Office réformé"),
    ("Inflation < 2 % et > 1 %", "Inflation < 2 % et > 1 %"),
    ("<a href='x'>lien <img src=\"a.jpg\"> texte", "lien texte"),
    ("<a" * 5 + " texte", "<a<a<a<a<a texte"),
    ("&nbsp;&eacute;t&eacute;&nbsp;", "été"),
    ("", ""),
]

DATES = [
    ("Fri, 04 Oct 2024 10:30:00 +0100", "2024-10-04T10:30:00+01:00"),
    ("Fri, 04 Oct 2024 10:30:00 GMT", "2024-10-04T10:30:00+00:00"),
    ("Fri, 04 Oct 2024 10:30:00 -0000", "2024-10-04T10:30:00+00:00"),
    ("Fri, 04 Oct 2024 10:30:00", "2024-10-04T10:30:00+01:00"),
    ("Ven, 04 Oct 2024 10:30:00 +0100", "2024-10-04T10:30:00+01:00"),
    ("Mer, 25 Déc 2024 18:00:00 GMT", "2024-12-25T18:00:00+00:00"),
    ("2024-10-04T10:30:00Z", "2024-10-04T10:30:00+00:00"),
    ("2024-10-04T10:30:00+01:00", "2024-10-04T10:30:00+01:00"),
    ("2024-10-04T10:30:00.123456+00:00", "2024-10-04T10:30:00.123456+00:00"),
    ("2024-10-04T10:30:00", "2024-10-04T10:30:00+01:00"),
    ("2024-10-04", "2024-10-04T00:00:00+01:00"),
    ("2024-10-04 10:30:00 +0100", "2024-10-04T10:30:00+01:00"),
    ("4 octobre 2024 à 10h30", "2024-10-04T10:30:00+01:00"),
    ("Vendredi 4 octobre 2024 - 10:30", "2024-10-04T10:30:00+01:00"),
    ("1er janvier 2025", "2025-01-01T00:00:00+01:00"),
    ("12 févr. 2024 08h05", "2024-02-12T08:05:00+01:00"),
    ("15 août 2024", "2024-08-15T00:00:00+01:00"),
    ("04/10/2024", "2024-10-04T00:00:00+01:00"),
    ("04/10/2024 10:30", "2024-10-04T10:30:00+01:00"),
    ("04.10.2024 - 10h30", "2024-10-04T10:30:00+01:00"),
    ("October 4, 2024 10:30 GMT", "2024-10-04T10:30:00+00:00"),
    ("الجمعة 4 أكتوبر 2024 - 10:30", "2024-10-04T10:30:00+01:00"),
    ("٤ أكتوبر ٢٠٢٤", "2024-10-04T00:00:00+01:00"),
    ("12 غشت 2024", "2024-08-12T00:00:00+01:00"),
    ("3 دجنبر 2024 14:00", "2024-12-03T14:00:00+01:00"),
    ("Publié le 4 octobre 2024 à 10h30 +0000", "2024-10-04T10:30:00+00:00"),
    ("Mon, 31 Feb 2024 10:00:00 +0000", None),
    ("Fri, 04 Oct 2024 10:30:00 +7000", None),
    ("2024-10-04T10:30:00+70:00", None),
    ("31/02/2024", None),
    ("hier soir", None),
    ("", None),
    ("Thu, 01 Jan 2999 00:00:00 +0000", None),
]


@pytest.mark.parametrize(("url", "canonical", "expected"), CANONICAL_URLS)
def test_canonical_url(url: str, canonical: str | None, expected: str) -> None:
    assert canonical_url(url, canonical=canonical) == expected


@pytest.mark.parametrize(("title", "expected"), TITLE_TAGS)
def test_split_title_tags(title: str, expected: tuple[str, tuple[str, ...]]) -> None:
    assert split_title_tags(title) == expected


@pytest.mark.parametrize(("raw", "expected"), TEXT_LINES)
def test_clean_text_line(raw: str, expected: str) -> None:
    assert clean_text_line(raw) == expected


@pytest.mark.parametrize(("value", "expected"), DATES)
def test_parse_date(value: str, expected: str | None) -> None:
    parsed = parse_date(value)
    assert (parsed.isoformat() if parsed else None) == expected
    assert parsed is None or parsed.tzinfo is not None


@pytest.mark.parametrize(("fragment", "expected"), HTML_SNIPPETS)
def test_text_from_html(fragment: str, expected: str) -> None:
    assert text_from_html(fragment) == expected
