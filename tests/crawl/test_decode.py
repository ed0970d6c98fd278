"""decode_html: BOM, HTTP charset, in-page declaration, detection; never raises."""

import codecs

import pytest

from akhbar.crawl.decode import decode_html

ARABIC = (
    "أعلنت وزارة الاقتصاد والمالية عن ارتفاع معدل النمو الاقتصادي خلال الربع الثالث من السنة الجارية، "
    "حسب ما أفاد به بلاغ رسمي صدر اليوم بالرباط. وأوضح البلاغ أن القطاع الفلاحي ساهم بشكل كبير في هذا الارتفاع."
)
FRENCH = (
    "Le ministère de l'Économie a annoncé une hausse de la croissance au troisième trimestre, selon un "
    "communiqué publié à Rabat. Les prévisions sont révisées à la hausse : l'été a été meilleur que prévu, "
    "grâce à la récolte céréalière et à la fréquentation touristique record à Marrakech et à Fès."
)


def page(text: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>Actualité</title></head><body><p>{text}</p></body></html>"


def test_windows_1256_declared_only_by_meta():
    body = page(ARABIC, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">').encode("cp1256")
    assert ARABIC in decode_html(body)


def test_windows_1256_declared_by_meta_charset():
    body = page(ARABIC, '<meta charset="windows-1256">').encode("cp1256")
    assert ARABIC in decode_html(body)


def test_undeclared_windows_1256_is_detected():
    assert ARABIC in decode_html(page(ARABIC).encode("cp1256"))


def test_undeclared_latin1_french_is_detected():
    assert FRENCH in decode_html(page(FRENCH).encode("latin-1"))


def test_utf8_with_bom():
    decoded = decode_html(codecs.BOM_UTF8 + page(FRENCH).encode("utf-8"))
    assert decoded.startswith("<!DOCTYPE") and FRENCH in decoded


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    decoded = decode_html(bom + page(ARABIC).encode(codec), http_charset="iso-8859-1")
    assert decoded.startswith("<!DOCTYPE") and ARABIC in decoded


def test_bom_wins_over_http_charset():
    assert FRENCH in decode_html(codecs.BOM_UTF8 + page(FRENCH).encode(), http_charset="windows-1256")


def test_http_charset_wins_over_meta():
    body = page(FRENCH, '<meta charset="utf-8">').encode("cp1252")
    assert FRENCH in decode_html(body, http_charset="windows-1252")


def test_http_charset_iso_8859_1_over_real_utf8_bytes_reads_utf8():
    # Browsers would show mojibake ("Ã©"); we read valid UTF-8 as UTF-8 (see the module docstring).
    decoded = decode_html(page(FRENCH).encode("utf-8"), http_charset="iso-8859-1")
    assert FRENCH in decoded and "Ã" not in decoded


def test_meta_latin1_over_real_utf8_bytes_reads_utf8():
    assert ARABIC in decode_html(page(ARABIC, '<meta charset="iso-8859-1">').encode("utf-8"))


def test_declared_latin1_is_read_as_windows_1252():
    # Browsers treat the iso-8859-1 label as windows-1252, whose 0x80-0x9F are € ’ “ ” and so on.
    text = "Un prix de 20 € et l’œuvre « Nedjma »"
    assert text in decode_html(page(text).encode("cp1252"), http_charset="ISO-8859-1")


def test_xml_declaration():
    body = ('<?xml version="1.0" encoding="windows-1256"?>' + page(ARABIC)).encode("cp1256")
    assert ARABIC in decode_html(body)


def test_unknown_charset_label_falls_back_to_detection():
    assert FRENCH in decode_html(page(FRENCH).encode("latin-1"), http_charset="x-no-such-charset")


def test_meta_declaring_utf16_means_utf8():
    assert FRENCH in decode_html(page(FRENCH, '<meta charset="utf-16">').encode("utf-8"))


def test_invalid_bytes_are_replaced_not_raised():
    decoded = decode_html(b"<p>caf\xc3\xa9 \xff\xfe\xfd ok</p>", http_charset="utf-8")
    assert decoded.startswith("<p>caf") and "\ufffd" in decoded and decoded.endswith(" ok</p>")


def test_truncated_utf8_body_is_still_utf8():
    body = page(FRENCH).encode("utf-8") + "é".encode()[:1]
    decoded = decode_html(body, http_charset="iso-8859-1")
    assert FRENCH in decoded


def test_control_characters_are_stripped_except_whitespace():
    decoded = decode_html(b"<p>a\x00b\x01c\x08d\x0be\x0cf\x1fg\th\ni\rj\x7f</p>")
    assert decoded == "<p>abcdefg\th\ni\rj\x7f</p>"


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00" * 10, bytes(range(256)) * 50, b"\xff\xfe\x00", b"\xef\xbb", b"<meta charset=", b"\x80" * 5000],
)
def test_never_raises(body: bytes):
    assert isinstance(decode_html(body), str)
    assert isinstance(decode_html(body, http_charset="utf-16"), str)


def test_utf7_declaration_is_refused():
    body = b'<meta charset="utf-7"><p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</p>'
    assert "<script>" not in decode_html(body) and "<script>" not in decode_html(body, http_charset="UTF-7")
