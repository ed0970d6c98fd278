"""The hostile publisher cases: one JSON file each in cases/, its expectation written beside what it serves.

A case file holds:

* "group" and "about": where it sits in the table, and what its server does, in words;
* "routes": path -> answer, on the case's own site (see server.py): "status", "type" (Content-Type),
  "headers" ({{now+N}} is an HTTP date N seconds ahead), a body ("file" of cases/, inline "body" or a
  generated "make" with "args"), "encoding" (to re-encode a UTF-8 file), "coding" (gzip, raw-deflate),
  "conditional" (304 for matching validators), "answers" (one answer per request), or "behave" (a
  misbehaviour); a path ending in "*" covers every path it starts; /articles/... answers an article page;
* "peer": routes of a second site, {{peer}}, for cross-host cases;
* "feed": the feed's address when it is not {{site}}/feed.xml; "language": the outlet's (default fr);
* "expect" (one poll), or "polls" (a list, one expectation per poll).

{{site}}, {{peer}}, {{canary2}}, {{canary3}} and the odd spellings {{canary2_decimal}}, {{canary2_hex}},
{{canary2_short}}, {{canary2_mapped}} and {{canary3_hex}} stand for addresses known once the servers run.
Adding a case is adding a JSON file here (and its body file, if it serves one).

Expectation keys, all optional:

* "stored": the titles of the feed's stored articles, exactly (as a multiset); "stored_count": how many;
  "absent": titles that must not be stored;
* "error": substrings of the poll's error; without it the poll must succeed. A failing poll must also
  leave a plain-words error on the feed and its next poll at least ten minutes away (back-off);
* "retry_after" / "retry_at_most": bounds in seconds for the next poll after a failing one;
* "warning", "article_errors": substrings of the feed's warning, of some error of one of its articles;
* "not_modified": the poll got a 304; "request_headers": {path: {header: value}} sent on this poll;
* "never_requested": paths of the site never requested; "high_water": most requests at once on the site;
* "articles": checks of single articles, found by "title" (or "title_prefix"): "url", "published"
  (ISO 8601), "published_now", "content_has", "content_lacks", "summary_has", "note_has", "image",
  "title_length";
* "must_not_contain": substrings found in no title, summary or content of the case's articles.

Whatever a case says, every stored article must hold only harmless HTML and plain-text titles.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree, html as lxml_html

CASES_DIR = Path(__file__).parent / "cases"
GROUPS = ("HTTP", "Protocol", "Redirects", "XML", "Size and time", "Encodings", "Content", "Images",
          "Politeness", "SSRF")
STAGES = ("fetch: ", "feeds: ", "crawl: ")
# The first back-off is a poll interval (600 s), less 10 % of jitter and the time to the crawl's end.
BACKOFF_MIN = timedelta(minutes=8)
_CLASS_NAME = re.compile(r"\((?:\w+\.)*\w*(?:Error|Exception|Timeout)\)")
SAFE_TAGS = {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "strong", "em", "b", "i", "a",
             "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td", "div"}


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    about: str
    routes: dict
    peer: dict
    feed: str
    language: str
    polls: list[dict]


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["group"] in GROUPS, f"{path.name}: unknown group {data['group']!r}"
        polls = data.get("polls") or [data["expect"]]
        cases.append(Case(name=path.stem, group=data["group"], about=data["about"], routes=data.get("routes", {}),
                          peer=data.get("peer", {}), feed=data.get("feed", "{{site}}/feed.xml"),
                          language=data.get("language", "fr"), polls=polls))
    return sorted(cases, key=lambda case: (GROUPS.index(case.group), case.name))


@dataclass
class Observed:
    """What one poll of one case's feed left behind, read from the outcome, the database and the server."""

    started: datetime
    finished: datetime
    error: str | None
    warning: str | None
    not_modified: bool
    article_errors: list[str]
    feed: dict  # last_error, last_warning, consecutive_failures, next_attempt_at
    articles: list[dict]  # title, url, summary, content_html, published_at, image, extraction_note
    requests: list[tuple[str, dict]]  # (path, headers) the case's site received during the poll
    all_paths: set[str] = field(default_factory=set)  # every path the site received so far
    high_water: int = 0


# --- checking -----------------------------------------------------------------------------------------


def problems(case: Case, poll: int, seen: Observed, values: dict[str, str], failures_in_a_row: int) -> list[str]:
    """Everything that differs from the case's expectation for this poll, in words; [] when all is as expected."""
    expect = {key: _expand(value, values) for key, value in case.polls[poll].items()}
    found = _outcome_problems(expect, seen, failures_in_a_row)
    found += _stored_problems(expect, seen)
    for check in expect.get("articles", []):
        found += _article_problems(check, seen)
    for article in seen.articles:
        found += [f"{article['title'][:60]!r}: {problem}" for problem in harmful(article)]
        found += _intact_problems(case, article, values)
    for text in expect.get("must_not_contain", []):
        if any(text in " ".join((a["title"], a["summary"], a["content_html"])) for a in seen.articles):
            found.append(f"{text!r} found in a stored article")
    return found


def _outcome_problems(expect: dict, seen: Observed, failures_in_a_row: int) -> list[str]:
    found = []
    if "error" in expect:
        if not seen.error:
            return [f"expected an error containing {expect['error']}, the poll succeeded"]
        found += [f"error lacks {part!r}: {seen.error}" for part in expect["error"] if part not in seen.error]
        found += [f"error not in plain words: {problem}" for problem in plain_words(seen.error)]
        if seen.feed["last_error"] != seen.error[:2000]:
            found.append("the feed does not show the poll's error")
        if seen.feed["consecutive_failures"] != failures_in_a_row:
            found.append(f"{seen.feed['consecutive_failures']} failures counted, {failures_in_a_row} expected")
        wait = seen.feed["next_attempt_at"] - seen.finished
        if wait < max(BACKOFF_MIN, timedelta(seconds=expect.get("retry_after", 0))):
            found.append(f"no back-off: next poll in {wait}")
        if "retry_at_most" in expect and wait > timedelta(seconds=expect["retry_at_most"]):
            found.append(f"next poll in {wait}, more than {expect['retry_at_most']} s")
    elif seen.error:
        found.append(f"unexpected error: {seen.error}")
    elif seen.feed["consecutive_failures"] != 0 or seen.feed["next_attempt_at"] <= seen.finished:
        found.append("a successful poll left the feed failing or due at once")
    for part in expect.get("warning", []):
        if part not in (seen.feed["last_warning"] or ""):
            found.append(f"warning lacks {part!r}: {seen.feed['last_warning']!r}")
    for part in expect.get("article_errors", []):
        if not any(part in error for error in seen.article_errors):
            found.append(f"no article error contains {part!r}: {seen.article_errors}")
    if "not_modified" in expect and seen.not_modified != expect["not_modified"]:
        found.append(f"not_modified is {seen.not_modified}")
    for path, headers in expect.get("request_headers", {}).items():
        sent = [h for p, h in seen.requests if p == path]
        if not sent or any(sent[-1].get(name.lower()) != value for name, value in headers.items()):
            found.append(f"{path} was not requested with {headers} (sent: {sent[-1:] or 'nothing'})")
    found += [f"{path} was requested" for path in expect.get("never_requested", []) if path in seen.all_paths]
    if "high_water" in expect and seen.high_water != expect["high_water"]:
        found.append(f"{seen.high_water} requests in flight at most, {expect['high_water']} expected")
    return found


def _stored_problems(expect: dict, seen: Observed) -> list[str]:
    titles = sorted(a["title"] for a in seen.articles)
    found = []
    if "stored" in expect and titles != sorted(expect["stored"]):
        found.append(f"stored {titles}, expected {sorted(expect['stored'])}")
    if "stored_count" in expect and len(titles) != expect["stored_count"]:
        found.append(f"stored {len(titles)} articles, expected {expect['stored_count']}")
    found += [f"{title!r} was stored" for title in expect.get("absent", []) if title in titles]
    if "error" in expect and "stored" not in expect and "stored_count" not in expect and titles:
        found.append(f"a failing feed stored {titles}")
    return found


def _article_problems(check: dict, seen: Observed) -> list[str]:
    matches = [a for a in seen.articles if a["title"] == check.get("title")
               or ("title_prefix" in check and a["title"].startswith(check["title_prefix"]))]
    label = check.get("title") or check["title_prefix"]
    if len(matches) != 1:
        return [f"{label!r}: {len(matches)} stored articles match, expected one"]
    article, found = matches[0], []
    if "url" in check and article["url"] != check["url"]:
        found.append(f"url is {article['url']}")
    if "published" in check and article["published_at"] != datetime.fromisoformat(check["published"]):
        found.append(f"published {article['published_at'].isoformat()}")
    if check.get("published_now") and not (
            seen.started - timedelta(minutes=1) <= article["published_at"] <= seen.finished + timedelta(minutes=5)):
        found.append(f"published {article['published_at'].isoformat()}, not at crawl time")
    found += [f"content lacks {text!r}" for text in check.get("content_has", []) if text not in article["content_html"]]
    found += [f"content has {text!r}" for text in check.get("content_lacks", []) if text in article["content_html"]]
    found += [f"summary lacks {text!r}" for text in check.get("summary_has", []) if text not in article["summary"]]
    found += [f"note lacks {text!r}" for text in check.get("note_has", []) if text not in article["extraction_note"]]
    if "image" in check and article["image"] != check["image"]:
        found.append(f"image stored: {article['image']}")
    if "title_length" in check and len(article["title"]) != check["title_length"]:
        found.append(f"title is {len(article['title'])} characters long")
    return [f"{label[:60]!r}: {problem}" for problem in found]


def _intact_problems(case: Case, article: dict, values: dict[str, str]) -> list[str]:
    """An article read from one of the site's ordinary pages carries that page's whole text."""
    url = urlsplit(article["url"])
    page_served = url.path.startswith("/articles/") and not any(
        path.endswith("*") and url.path.startswith(path[:-1]) or path == url.path for path in case.routes)
    if not (article["url"].startswith(values["site"] + "/") and page_served and not article["extraction_note"]):
        return []
    wanted = (f"Reportage {url.path}.", "stations de dessalement prévues sur la côte")
    return [f"{article['title'][:60]!r}: the page's text {text!r} is missing" for text in wanted
            if text not in article["content_html"]]


def plain_words(error: str) -> list[str]:
    """Why an error message is not one an operator can read, if it is not."""
    found = []
    if not error.startswith(STAGES):
        found.append("does not start with its stage")
    if "\n" in error or "Traceback" in error or " object at 0x" in error:
        found.append("holds a traceback or a Python repr")
    if _CLASS_NAME.search(error):
        found.append(f"names a Python exception instead of saying what happened: {_CLASS_NAME.search(error)[0]}")
    if len(error) > 1000:
        found.append(f"{len(error)} characters long")
    return found


def harmful(article: dict) -> list[str]:
    """Anything executable in the stored HTML, or markup in a field that is plain text."""
    found = []
    for name in ("title", "summary"):
        if _elements(article[name]):
            found.append(f"{name} holds markup: {article[name][:120]!r}")
    for element in _elements(article["content_html"]):
        if not isinstance(element.tag, str) or element.tag not in SAFE_TAGS:
            found.append(f"<{element.tag}> in the content")
        for attribute, value in element.attrib.items():
            if attribute not in ("href", "rel") or (element.tag != "a"):
                found.append(f"<{element.tag} {attribute}=...> in the content")
            elif attribute == "href" and not _http(value):
                found.append(f"link to {value!r} in the content")
    return found


def _elements(text: str) -> list:
    """The elements an HTML parser finds in `text` (comments aside)."""
    if not text or "<" not in text:
        return []
    wrapper = lxml_html.fragment_fromstring(text, create_parent="div")
    return [e for e in wrapper.iterdescendants() if e.tag is not etree.Comment]


def _http(url: str) -> bool:
    cleaned = "".join(ch for ch in url if ord(ch) > 32).lower()
    return cleaned.startswith(("http://", "https://"))


def _expand(value, values: dict[str, str]):
    if isinstance(value, str):
        for name, replacement in values.items():
            value = value.replace("{{" + name + "}}", replacement)
        return value
    if isinstance(value, list):
        return [_expand(v, values) for v in value]
    if isinstance(value, dict):
        return {_expand(k, values): _expand(v, values) for k, v in value.items()}
    return value


# --- describing, for the table ----------------------------------------------------------------------


def describe_expected(expect: dict) -> str:
    parts = []
    if "error" in expect:
        parts.append("fails: " + " … ".join(f"«{e}»" for e in expect["error"]) + "; backs off")
    if "retry_after" in expect:
        parts.append(f"next poll ≥ {expect['retry_after']} s away")
    if "retry_at_most" in expect:
        parts.append(f"and ≤ {expect['retry_at_most']} s")
    if "stored" in expect:
        titles = expect["stored"]
        shown = ", ".join(f"«{t}»" for t in titles[:4]) + (f" and {len(titles) - 4} more" if len(titles) > 4 else "")
        parts.append(f"stores {len(titles)}: {shown}" if titles else "stores nothing")
    if "stored_count" in expect:
        parts.append(f"stores {expect['stored_count']}")
    if expect.get("not_modified"):
        parts.append("304 honoured")
    for key, words in (("article_errors", "article error"), ("warning", "warning")):
        if key in expect:
            parts.append(f"{words} «{expect[key][0]}»")
    if "never_requested" in expect:
        parts.append("never requests " + ", ".join(expect["never_requested"]))
    if "high_water" in expect:
        parts.append(f"{expect['high_water']} in flight at most")
    parts += [_describe_article(check) for check in expect.get("articles", [])]
    if "must_not_contain" in expect:
        parts.append("no " + ", ".join(f"«{t}»" for t in expect["must_not_contain"]))
    return "; ".join(parts) or "stores what it holds"


def _describe_article(check: dict) -> str:
    said = {"url": lambda v: f"at {v}", "published": lambda v: f"dated {v}",
            "published_now": lambda v: "dated at crawl time", "content_has": lambda v: f"text has «{_short(v[0])}»",
            "content_lacks": lambda v: f"text lacks «{_short(v[0])}»", "summary_has": lambda v: f"summary has «{v[0]}»",
            "note_has": lambda v: f"note says «{v[0]}»", "image": lambda v: "an image" if v else "no image",
            "title_length": lambda v: f"a {v}-character title"}
    label = check.get("title") or check["title_prefix"] + "…"
    return f"«{_short(label)}»: " + ", ".join(said[key](value) for key, value in check.items() if key in said)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def describe_observed(seen: Observed) -> str:
    if seen.error:
        wait = seen.feed["next_attempt_at"] - seen.finished
        return f"{seen.error} — next poll in {round(wait.total_seconds() / 60)} min"
    titles = sorted(a["title"] for a in seen.articles)
    shown = ", ".join(f"«{_short(t)}»" for t in titles[:4])
    shown += f" and {len(titles) - 4} more" if len(titles) > 4 else ""
    parts = ["304, nothing new" if seen.not_modified else f"{len(titles)} stored: {shown}" if titles else "none stored"]
    if seen.article_errors:
        parts.append(f"{len(seen.article_errors)} article error(s), e.g. {seen.article_errors[0]}")
    if seen.warning:
        parts.append(f"warning: {seen.warning}")
    return "; ".join(parts)
