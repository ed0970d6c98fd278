"""Normalise what outlets send: article URLs, title tags, text lines, HTML snippets and dates.

Pure functions over strings; no network, no Django. Outlet quirks live in the
tables at the top, so supporting a new tracking parameter or a new month
spelling is a one-line change.
"""

from __future__ import annotations

import email.utils
import html
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

CASABLANCA = ZoneInfo("Africa/Casablanca")
DATE_MAX = 200

# Query parameters that only track the reader; matched on the lower-cased name.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "igshid", "mc_cid", "mc_eid", "xtor", "xtref", "ref", "ref_src",
    "ref_url", "_ga", "_gl", "mkt_tok", "li_fat_id", "ocid", "cmpid", "ncid",
    "s_cid", "sr_share", "spm", "__twitter_impression", "oly_anon_id", "oly_enc_id",
    "vero_id", "wickedid", "amp_referrer",
})
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_")

# Second-level labels under which registrations happen (co.uk, press.ma, com.tn...).
SECOND_LEVEL_LABELS = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "press", "info"})

# Words that outlets put in front of or after a title as a label, not as content.
TITLE_TAG_WORDS = frozenset({
    "video", "vidéo", "photos", "photo", "diaporama", "audio", "podcast", "live",
    "direct", "en direct", "exclusif", "exclusive", "intégral", "integral",
    "infographie", "interview", "entretien", "tribune", "urgent", "breaking",
    "màj", "maj", "update", "sponsorisé", "publi-reportage", "communiqué",
    "فيديو", "صور", "عاجل", "حصري", "مباشر", "بالفيديو", "بالصور", "مقال رأي",
})

MONTHS = {
    # French, with the abbreviations feeds use.
    "janvier": 1, "janv": 1, "jan": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2,
    "fév": 2, "fev": 2, "mars": 3, "mar": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6,
    "juillet": 7, "juil": 7, "août": 8, "aout": 8, "aoû": 8, "septembre": 9, "sept": 9,
    "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "décembre": 12,
    "decembre": 12, "déc": 12, "dec": 12,
    # English.
    "january": 1, "february": 2, "feb": 2, "march": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "october": 10, "november": 11, "december": 12,
    # Arabic: Moroccan (Maghreb) names, then Egyptian/Gulf spellings.
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "ماي": 5,
    "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليوز": 7, "يوليو": 7, "يوليه": 7, "غشت": 8,
    "أغسطس": 8, "اغسطس": 8, "شتنبر": 9, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10,
    "نونبر": 11, "نوفمبر": 11, "دجنبر": 12, "ديسمبر": 12,
}
ZONE_OFFSETS = {"z": 0, "ut": 0, "utc": 0, "gmt": 0, "wet": 0, "west": 60, "cet": 60, "cest": 120}

_BIDI_AND_CONTROL = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]"
)
_WHITESPACE = re.compile(r"\s+")
# [^<>] rather than [^>]: a scan stops at the next "<", so unclosed tags cost linear time.
_BLOCK_TAG = re.compile(r"<(?:br|/p|/div|/li|/h\d)\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[a-zA-Z/!?][^<>]*>")
_HIDDEN_TAG = re.compile(r"<(/?)(?:script|style)\b[^<>]*>", re.IGNORECASE)
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
_UNSAFE_URL_CHARS = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
_BRACKET_TAG = re.compile(r"\[\s*([^\[\]]{1,40}?)\s*\]|【\s*([^【】]{1,40}?)\s*】")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_TIME = r"(?:\D{0,8}?(?P<hour>\d{1,2})\s*[h:]\s*(?P<minute>\d{2})(?:\s*:\s*(?P<second>\d{2}))?)?"
_ZONE = r"\s*(?P<zone>[+-]\d{2}:?\d{2}|[A-Za-z]{1,4}\b)?"
_DAY_MONTH_YEAR = re.compile(
    r"(?P<day>\d{1,2})(?:er|st|nd|rd|th)?[\s.-]+(?P<month>[^\W\d_]{3,}|[^\W\d_]+\.)[\s.,-]+"
    r"(?P<year>\d{4})" + _TIME + _ZONE
)
_MONTH_DAY_YEAR = re.compile(
    r"(?P<month>[^\W\d_]{3,})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME + _ZONE
)
_NUMERIC_DATE = re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})" + _TIME + _ZONE)
_YEAR_FIRST_DATE = re.compile(r"(?P<year>\d{4})[/.-](?P<month>\d{1,2})[/.-](?P<day>\d{1,2})" + _TIME + _ZONE)


def clean_text_line(s: str) -> str:
    """Return s as one clean line: NFC, no control or bidi-override characters, single spaces."""
    text = _BIDI_AND_CONTROL.sub("", unicodedata.normalize("NFC", s))
    return _WHITESPACE.sub(" ", text).strip()


def text_from_html(fragment: str) -> str:
    """Return the text of an HTML fragment as one clean line, entities decoded."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", _without_hidden(fragment)))
    # A second pass removes markup that the source escaped twice ("&lt;b&gt;").
    return clean_text_line(_ANY_TAG.sub("", _without_hidden(html.unescape(text))))


def _without_hidden(fragment: str) -> str:
    """The fragment without its <script> and <style> elements, content included: a browser never shows it.

    One linear scan of the tags, not a pattern spanning from opening to closing tag, which would cost a
    scan of the rest of the text for each of a hostile title's thousands of unclosed "<script>".
    """
    if "<" not in fragment:
        return fragment
    kept, depth, position = [], 0, 0
    for tag in _HIDDEN_TAG.finditer(fragment):
        if depth == 0:
            kept.append(fragment[position:tag.start()])
        depth = max(0, depth - 1) if tag[1] else depth + 1
        position = tag.end()
    if depth == 0:  # an element left open hides the rest, as in a browser
        kept.append(fragment[position:])
    return "".join(kept)


def canonical_url(url: str, *, canonical: str | None = None) -> str:
    """Return the canonical form of an article URL, preferring a same-site rel=canonical."""
    url = url.strip()
    try:
        if canonical and _same_site(urljoin(url, canonical.strip()), url):
            url = urljoin(url, canonical.strip())
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a URL we can normalise
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".")
    host = f"[{host}]" if ":" in host else host
    port = parts.port if _valid_port(parts) else None
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    path = _uri_escape(parts.path) or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), ""))


def split_title_tags(title: str) -> tuple[str, tuple[str, ...]]:
    """Split outlet labels such as "[INTEGRAL]" or "Vidéo :" off a title; return (rest, TAGS)."""
    tags: list[str] = []

    def keep(match: re.Match[str]) -> str:
        label = clean_text_line(next((g for g in match.groups() if g), ""))
        if not any(ch.isalpha() for ch in label):
            return match.group(0)
        tags.append(label.upper())
        return " "

    rest = _PAREN_TAG.sub(keep, _BRACKET_TAG.sub(keep, title))
    while (lead := _LEADING_TAG.match(rest)) is not None:
        tags.append(clean_text_line(lead.group(1)).upper())
        rest = rest[lead.end():]
    rest = clean_text_line(rest).strip(" -–—|:")
    return rest or clean_text_line(title), tuple(dict.fromkeys(tags))


def parse_date(value: str) -> datetime | None:
    """Parse an RFC 822, ISO 8601, French or Arabic date; naive times are Casablanca time."""
    # Dates are short; the cap keeps the word patterns' backtracking small on junk input.
    text = clean_text_line(value[:DATE_MAX]).translate(_ARABIC_DIGITS)
    if not text:
        return None
    for parser in (_parse_iso, _parse_rfc822, _parse_words, _parse_numeric):
        parsed = parser(text)
        if parsed is not None:
            return parsed if 1970 <= parsed.year <= 2100 else None
    return None


_TAG_WORDS_PATTERN = "|".join(sorted((re.escape(w) for w in TITLE_TAG_WORDS), key=len, reverse=True))
_PAREN_TAG = re.compile(r"\(\s*(" + _TAG_WORDS_PATTERN + r")\s*\)", re.IGNORECASE)
_LEADING_TAG = re.compile(r"\s*(" + _TAG_WORDS_PATTERN + r")\s*(?:[:|–—-]|\.{1,3}|…)\s*", re.IGNORECASE)


def _valid_port(parts) -> bool:
    try:
        return parts.port is not None
    except ValueError:
        return False


def _uri_escape(text: str) -> str:
    """Percent-encode raw non-ASCII and spaces, and upper-case existing escapes."""
    text = _UNSAFE_URL_CHARS.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), text)
    return _PERCENT_ESCAPE.sub(lambda m: m.group(0).upper(), text)


def _clean_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote(pair.split("=", 1)[0]).strip().lower()
        if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            continue
        kept.append(_uri_escape(pair))
    return "&".join(sorted(kept))


def _registrable_domain(host: str) -> str:
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL_LABELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _same_site(candidate: str, url: str) -> bool:
    cand, orig = urlsplit(candidate), urlsplit(url)
    if cand.scheme.lower() not in ("http", "https") or not cand.hostname or not orig.hostname:
        return False
    return _registrable_domain(cand.hostname) == _registrable_domain(orig.hostname)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=CASABLANCA) if moment.tzinfo is None else moment


def _parse_iso(text: str) -> datetime | None:
    candidate = text.replace("Z", "+00:00").replace("z", "+00:00")
    if not re.match(r"\d{4}-\d{2}-\d{2}", candidate):
        return None
    try:
        return _aware(datetime.fromisoformat(candidate))
    except ValueError:
        return None


def _parse_rfc822(text: str) -> datetime | None:
    # Drop a leading day name in any language ("Ven,", "Fri,", "الجمعة،").
    candidate = re.sub(r"^[^\W\d_]+\.?[,،]?\s+(?=\d)", "", text)
    try:
        parsed = email.utils.parsedate_to_datetime(candidate)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    # email.utils reads "-0000" (UTC, local zone unknown) and a missing zone alike as naive.
    if parsed.tzinfo is None and candidate.rstrip().endswith("-0000"):
        return parsed.replace(tzinfo=timezone.utc)
    return _aware(parsed)


def _parse_words(text: str) -> datetime | None:
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            month = MONTHS.get(match["month"].lower().rstrip("."))
            if month is not None:
                return _build(match, month)
    return None


def _parse_numeric(text: str) -> datetime | None:
    # Day first, as written in French; year-first covers ISO with a space before the zone.
    match = _NUMERIC_DATE.search(text) or _YEAR_FIRST_DATE.search(text)
    return _build(match, int(match["month"])) if match else None


def _build(match: re.Match[str], month: int) -> datetime | None:
    try:
        moment = datetime(
            int(match["year"]), month, int(match["day"]),
            int(match["hour"] or 0), int(match["minute"] or 0), int(match["second"] or 0),
        )
    except ValueError:
        return None
    return _with_zone(moment, match["zone"])


def _with_zone(moment: datetime, zone: str | None) -> datetime | None:
    if not zone:
        return moment.replace(tzinfo=CASABLANCA)
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if offset >= timedelta(hours=24):  # "+7000" is a typo, not a place
            return None
        return moment.replace(tzinfo=timezone(offset if zone[0] == "+" else -offset))
    minutes = ZONE_OFFSETS.get(zone.lower())
    if minutes is None:
        return moment.replace(tzinfo=CASABLANCA)
    return moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
