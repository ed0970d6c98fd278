"""decode_html turns the bytes of a web page into text, finding the encoding the way a browser does.

Order: byte-order mark, HTTP charset, then the page's own declaration (XML declaration, <meta charset>,
<meta http-equiv>) in its first 4 KB, then detection with charset_normalizer. Arabic outlets still serve
windows-1256, often declared only by <meta>, sometimes not at all.

One deliberate difference from browsers: a body that is valid UTF-8 and holds non-ASCII bytes is read as
UTF-8 even when the server or the page declares a legacy single-byte encoding. Servers and CMS templates
often announce iso-8859-1 by default in front of UTF-8 content, and text really written in a legacy
encoding is practically never valid UTF-8 by accident: a French "é" in latin-1 (0xE9) would have to be
followed by two bytes from 0x80-0xBF, which are control codes and rare symbols in latin-1, and Arabic in
windows-1256 is a run of lead bytes (0xC1-0xFE) that UTF-8 rejects. Browsers keep the declaration and
show mojibake; an aggregator that republishes text should not.

Feeds are read by feedparser, which decodes them itself; feeds.py asks this module what to tell it when
a feed declares nothing useful (`guess_encoding`, `repair_utf8`), and to undo text encoded twice
(`undo_double_utf8`).
"""

import codecs
import re

from charset_normalizer import from_bytes

PRESCAN_BYTES = 4096
# Detection reads both ends of a long page: the middle adds time, not accuracy.
DETECTION_SAMPLE_BYTES = 16384
FALLBACK_ENCODING = "cp1252"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Covers <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_TAGS = re.compile(rb"<[^>]*>")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Labels that browsers map to a superset (WHATWG Encoding Standard): pages written in the superset's
# extra characters are common, and decoding them with the narrower codec would lose them.
_WHATWG_SUPERSETS = {
    "iso8859_1": "cp1252",
    "latin_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
    "iso8859_11": "cp874",
    "tis_620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}
_UTF16_32 = ("utf_16", "utf_32")
# Browsers refuse these: they let markup hide in plain ASCII ("+ADw-script+AD4-" is <script> in UTF-7).
_REFUSED = {"utf_7", "hz", "iso2022_kr", "iso2022_jp_2"}
_PREFERRED = ("utf_8", "cp1252", "cp1256", "iso8859_15", "iso8859_6")


def decode_html(body: bytes, *, http_charset: str | None = None) -> str:
    """Text of a page; bad bytes become U+FFFD, C0 controls other than tab and newlines are dropped."""
    bom_encoding, bom_length = _bom(body)
    if bom_encoding:
        text = body[bom_length:].decode(bom_encoding, errors="replace")
    else:
        text = body.decode(_encoding(body, http_charset), errors="replace")
    return _CONTROL_CHARS.sub("", text)


def _bom(body: bytes) -> tuple[str | None, int]:
    for mark, encoding in _BOMS:
        if body.startswith(mark):
            return encoding, len(mark)
    return None, 0


def _encoding(body: bytes, http_charset: str | None) -> str:
    from_http = _codec(http_charset)
    if from_http and from_http.startswith(_UTF16_32):
        # Not ASCII-compatible, so the UTF-8 check below means nothing for it.
        return from_http
    if _is_utf8(body):
        return "utf-8"
    declared = from_http or _declared_in_page(body[:PRESCAN_BYTES])
    return declared or _detected(body) or FALLBACK_ENCODING


def _declared_in_page(head: bytes) -> str | None:
    match = _XML_DECLARATION.match(head) or _META_CHARSET.search(head)
    declared = _codec(match.group(1).decode("ascii")) if match else None
    # A page that declares UTF-16 in ASCII bytes is not UTF-16: browsers read it as UTF-8.
    return "utf-8" if declared and declared.startswith(_UTF16_32) else declared


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, widened to the superset browsers use; None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name.replace("-", "_")
    except LookupError:
        return None
    if name in _REFUSED:
        return None
    if name in ("utf_16", "utf_32"):
        name += "_le"  # WHATWG: the bare label means little-endian
    return _WHATWG_SUPERSETS.get(name, name)


def _is_utf8(body: bytes) -> bool:
    """True when the body is valid UTF-8 with some non-ASCII byte (pure ASCII fits every declaration)."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        # A body cut short by a size limit may end in the middle of a character.
        return error.reason == "unexpected end of data" and error.start >= len(body) - 3
    return True


def _detected(body: bytes) -> str | None:
    sample = body
    if len(body) > 2 * DETECTION_SAMPLE_BYTES:
        sample = body[:DETECTION_SAMPLE_BYTES] + b"\n" + body[-DETECTION_SAMPLE_BYTES:]
    # Markup is ASCII and would drown the few bytes that tell encodings apart.
    text_only = _TAGS.sub(b" ", sample)
    matches = list(from_bytes(text_only if not text_only.isascii() else sample))
    if not matches:
        return None
    # French in latin-1 scores exactly like Central European cp1250 or Baltic cp1257: break the tie
    # in favour of the encodings our outlets actually use.
    best = matches[0]
    ties = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    chosen = min(ties, key=lambda m: _PREFERRED.index(m.encoding) if m.encoding in _PREFERRED else len(_PREFERRED))
    return _codec(chosen.encoding)


# A body with at least this many good UTF-8 sequences per bad byte is UTF-8 with stray bytes (a CMS that
# cut a description in the middle of a character), not text in a legacy encoding.
UTF8_GOOD_PER_BAD = 8


def repair_utf8(body: bytes) -> bytes | None:
    """The body with its few invalid bytes made U+FFFD, if it is UTF-8 with stray bytes; None if it is not."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - body.decode("utf-8", errors="ignore").count("\ufffd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    if bad == 0 or good < UTF8_GOOD_PER_BAD * bad:
        return None
    return text.encode("utf-8")


def guess_encoding(body: bytes) -> str:
    """The likeliest encoding of a body that declares none, by detection; windows-1252 if nothing fits."""
    return _detected(body) or FALLBACK_ENCODING


# A UTF-8 lead byte read as windows-1252 (Â to ô), followed by a continuation byte read the same way.
_DOUBLE_UTF8 = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                          "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039"
                          "\u203a\u20ac\u2122]")
# windows-1252 as browsers and PHP apply it: its five undefined bytes stand for themselves.
_WINDOWS_1252_BYTE = {ord(bytes([b]).decode("cp1252", errors="ignore") or chr(b)): b for b in range(256)}


def undo_double_utf8(text: str) -> str:
    """Text that was UTF-8, read as windows-1252 and encoded to UTF-8 again ("Ã©tÃ©" for "été", "Ø§Ù„"
    for "ال"), as it was first written; any other text unchanged."""
    if not _DOUBLE_UTF8.search(text):
        return text
    try:
        return bytes(_WINDOWS_1252_BYTE[ord(char)] for char in text).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return text  # not entirely double-encoded: genuine text with an odd character


# An opening tag, a closing-free start such as <!DOCTYPE or <?xml: what no picture, PDF or plain text begins with.
_MARKUP = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*[\s/>]|!|\?)")


def looks_like_html(text: str) -> bool:
    """Whether decoded text is markup at all, for saved files that come with no Content-Type to trust."""
    return bool(_MARKUP.search(text[:65536]))
