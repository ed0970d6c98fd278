"""Bodies too big or too absurd to keep as files: each maker returns the bytes a route sends.

A case names its maker and arguments in its route ("make": "items", "args": {"count": 10000}); the
maker also receives the case's placeholders (`values`), so that links point at the case's own site.
"""

import html
import struct
import zlib
from datetime import datetime, timedelta, timezone
from functools import cache

ARTICLE_TEXT = (
    "<p>Le conseil régional de Casablanca-Settat a adopté mardi son budget pour l'année, en hausse de "
    "douze pour cent, avec une enveloppe inédite pour le transport urbain et l'eau potable.</p>"
    "<p>Les élus de l'opposition ont dénoncé un calendrier trop serré pour les chantiers du tramway, "
    "tandis que la majorité met en avant les nouvelles stations de dessalement prévues sur la côte.</p>"
    "<p>Le texte doit encore être visé par le ministère de l'Intérieur avant la fin du mois.</p>"
)


def article_page(path: str) -> bytes:
    """A plain news page; its text names `path`, so a stored article shows which page it came from."""
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Article {html.escape(path)}</title>'
        f'</head><body><nav><a href="/">Accueil</a></nav><article><h1>Article {html.escape(path)}</h1>'
        f"<p>Reportage {html.escape(path)}.</p>{ARTICLE_TEXT}</article><footer>Tous droits réservés</footer>"
        f"</body></html>"
    ).encode()


def rss(items: str, *, title: str = "Le Quotidien", declaration: str = '<?xml version="1.0" encoding="utf-8"?>',
        before_items: str = "") -> bytes:
    return (f'{declaration}\n<rss version="2.0"><channel><title>{title}</title><link>http://127.0.0.1/</link>'
            f"<description>Actualité</description>{before_items}{items}</channel></rss>").encode()


def item(link: str, title: str, *, when: datetime | None = None, description: str = "") -> str:
    date = f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>" if when else ""
    return (f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"{date}<description>{description or 'Résumé : ' + title}</description></item>")


def items(*, values: dict[str, str], count: int, path: str = "/articles/depeche-") -> bytes:
    """`count` items, "Dépêche N" at path + N, one minute apart, the highest N the newest."""
    start = datetime(2025, 3, 1, tzinfo=timezone.utc)
    return rss("".join(item(f"{values['site']}{path}{n}", f"Dépêche {n}", when=start + timedelta(minutes=n))
                       for n in range(count)))


def big_feed(*, values: dict[str, str], megabytes: int) -> bytes:
    """A feed of `megabytes` MB: a few items whose descriptions are padded with filler."""
    filler = "Lorem ipsum dolor sit amet. " * 36_000  # about 1 MB
    return rss("".join(item(f"{values['site']}/articles/gros-{n}", f"Gros {n}", description=filler)
                       for n in range(megabytes)))


def huge_title(*, values: dict[str, str]) -> bytes:
    """One item whose title is a megabyte long, beside an ordinary one."""
    long_title = "Très long titre " * 65_536
    site = values["site"]
    return rss(item(f"{site}/articles/titre-enorme", long_title)
               + item(f"{site}/articles/titre-normal", "Titre normal"))


def deep_nesting(*, values: dict[str, str], depth: int) -> bytes:
    """An ordinary item, then `depth` nested elements inside the channel."""
    return rss(item(f"{values['site']}/articles/avant-le-gouffre", "Avant le gouffre")
               + "<x>" * depth + "profond" + "</x>" * depth)


def nested_page(*, values: dict[str, str], depth: int) -> bytes:
    """An article page whose text sits under `depth` nested elements."""
    return (b'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Gouffre</title></head><body>'
            + b"<div>" * depth + b"<p>Au fond du gouffre.</p>" + b"</div>" * depth + b"</body></html>")


@cache
def gzip_bomb(*, values: dict[str, str] | None = None, megabytes: int = 1024) -> bytes:
    """`megabytes` MB of zeros once decompressed; about a thousandth of that on the wire."""
    del values  # the same bytes for every case
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    return b"".join(squeeze.compress(zeros) for _ in range(megabytes)) + squeeze.flush()


def png_declaring(*, values: dict[str, str], width: int, height: int) -> bytes:
    """A PNG whose header declares width × height pixels, with no pixel data to speak of."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat_data = zlib.compress(b"\x00" * 64)
    idat = struct.pack(">I", len(idat_data)) + b"IDAT" + idat_data + struct.pack(">I", zlib.crc32(b"IDAT" + idat_data))
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat + iend


MAKERS = {
    "items": items, "big_feed": big_feed, "huge_title": huge_title, "deep_nesting": deep_nesting,
    "nested_page": nested_page, "gzip_bomb": lambda *, values, megabytes: gzip_bomb(megabytes=megabytes),
    "png_declaring": png_declaring,
}
