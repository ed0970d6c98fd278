"""OPML import and export of outlets and their feeds."""

from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException
from django.utils.text import slugify

from akhbar.sources.models import Outlet


class OpmlError(Exception):
    """The OPML file cannot be read; the message says why."""


def parse_opml(data: bytes | str) -> list[dict]:
    """Rows for services.outlets_load, one per outline that has an xmlUrl (outlets group their feeds)."""
    try:
        root = safe_xml.fromstring(data)
    except (safe_xml.ParseError, DefusedXmlException, ValueError) as error:
        raise OpmlError(f"opml: this file is not valid OPML ({error})") from error
    rows: dict[str, dict] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            continue
        name = (outline.get("akhbarOutlet") or outline.get("title") or outline.get("text") or url).strip()
        slug = outline.get("akhbarSlug") or slugify(name) or slugify(url)
        row = rows.setdefault(slug, {
            "name": name, "slug": slug, "homepage": outline.get("htmlUrl") or "",
            "lang": outline.get("language") or outline.get("akhbarLang") or "fr",
            "category": outline.get("akhbarCategory") or None, "feeds": [],
        })
        row["feeds"].append(url)
    if not rows:
        raise OpmlError("opml: no feed found (no <outline> has an xmlUrl attribute)")
    return list(rows.values())


def export_opml(outlets: list[Outlet]) -> str:
    """An OPML 2.0 document listing every feed, with Akhbar's outlet details as extra attributes."""
    opml = Element("opml", version="2.0")
    head = SubElement(opml, "head")
    SubElement(head, "title").text = "Akhbar — médias marocains"
    body = SubElement(opml, "body")
    for outlet in outlets:
        for feed in outlet.feeds.all():
            SubElement(body, "outline", {
                "type": "rss", "text": outlet.name, "title": outlet.name, "xmlUrl": feed.url,
                "htmlUrl": outlet.homepage, "language": outlet.language, "akhbarSlug": outlet.slug,
                "akhbarOutlet": outlet.name,
                "akhbarCategory": outlet.default_category.slug if outlet.default_category else "",
            })
    return '<?xml version="1.0" encoding="utf-8"?>\n' + tostring(opml, encoding="unicode")
