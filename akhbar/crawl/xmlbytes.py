"""XML bytes made safe before any parser sees them: wide encodings, root sniffing, DTD defusing.

feedparser's fallback "loose" parser expands every short literal entity of a DTD, so 100 KB repeating
one 50 KB entity grows to gigabytes: defuse_doctype drops the DOCTYPE and re-declares only short
literal entities (<= 64 chars, no references), bounding expansion to about 20x. feedparser's
declared-encoding regex is quadratic on a long first line and it raises on odd declarations:
prepare_bytes shortens and cleans that line first.
"""

from __future__ import annotations

import re

SAFE_ENTITY_LIMIT = 32


_WIDE_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
    (b"\x00<", "utf-16-be"), (b"<\x00", "utf-16-le"),
)
DECLARED_ENCODING = re.compile(rb"""^<\?.*encoding=['"](.*?)['"].*\?>""")
_ENCODING_NAME = re.compile(rb"[A-Za-z0-9._:-]*")
_NOT_ENCODING_NAME = re.compile(rb"[^A-Za-z0-9._:-]")
_XML_DECL_ENCODING = re.compile(r"""^(<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
_HTML_DOCTYPE = re.compile(rb"<!DOCTYPE\s+html\b", re.I)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_DTD_TOKEN = re.compile(rb"[\"'\[\]>]")
_SAFE_ENTITY = re.compile(
    rb"""<!ENTITY\s+([A-Za-z_][\w.-]{0,31})\s+(["'])([^"'&%<>]{0,64}|&#x?[0-9A-Fa-f]{1,6};)\2\s*>"""
)


def prepare_bytes(body: bytes) -> tuple[bytes, bool]:
    """(body, re-encoded?): UTF-16/32 turned into UTF-8 so byte-level checks see ASCII
    markup, and the XML declaration made safe for feedparser."""
    wide = next((codec for mark, codec in _WIDE_ENCODINGS if body.startswith(mark)), None)
    if wide:
        text = body.decode(wide, "replace").lstrip("\ufeff")
        body = _XML_DECL_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    body = _short_declaration_line(body)
    # feedparser 6.0 crashes (UnicodeDecodeError, ValueError) on a declared encoding name
    # with non-ASCII or NUL bytes; DECLARED_ENCODING is its own pattern.
    declared = DECLARED_ENCODING.match(body)
    if declared and not _ENCODING_NAME.fullmatch(declared.group(1)):
        name = _NOT_ENCODING_NAME.sub(b"", declared.group(1))
        body = body[:declared.start(1)] + name + body[declared.end(1):]
    return body, wide is not None


def _short_declaration_line(body: bytes) -> bytes:
    """End the first line after the XML declaration: feedparser's DECLARED_ENCODING
    backtracks quadratically over a long first line (240 KB of quotes: 18 s)."""
    if not body.startswith(b"<?"):
        return body
    end = body.find(b"?>", 0, 1024)
    if end < 0:  # no declaration end in sight: make the pattern miss at once
        return b"\n" + body
    end += 2
    return body if body[end:end + 1] in (b"\n", b"\r") else body[:end] + b"\n" + body[end:]


def root_name(head: bytes) -> str | None:
    """Local name of the first element ("rss", "feed", "html"...), "{" for JSON, None if unsure."""
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "{"
    if _HTML_DOCTYPE.match(head):
        return "html"
    root = _ROOT.match(head, _prolog_end(head))
    return root.group(1).rsplit(b":", 1)[-1].decode().lower() if root else None


def _prolog_end(data: bytes) -> int:
    """Offset of the first element start outside comments and processing instructions."""
    position = 0
    while (lt := data.find(b"<", position)) >= 0:
        for opener, closer in ((b"<!--", b"-->"), (b"<?", b"?>")):
            if data.startswith(opener, lt):
                close = data.find(closer, lt + len(opener))
                position = len(data) if close < 0 else close + len(closer)
                break
        else:
            if data[lt + 1:lt + 2].isalpha() or data[lt + 1:lt + 2] == b"_":
                return lt
            position = lt + 1
    return len(data)


def defuse_doctype(data: bytes) -> bytes:
    """Blank out the DTD and comments before the root element; re-declare short literal entities.

    Comments too: feedparser's fallback parser reads <!ENTITY lines even inside them.
    """
    end = _prolog_end(data)
    if not _DECLARATION.search(data, 0, end):
        return data
    parts: list[bytes] = []
    safe: list[tuple[bytes, bytes, bytes]] = []
    position = 0
    while (start := data.find(b"<!", position, end)) >= 0:
        parts.append(data[position:start])
        if data.startswith(b"<!--", start):
            close = data.find(b"-->", start + 4, end)
            position = end if close < 0 else close + 3
        elif _DECLARATION.match(data, start):
            position = _declaration_end(data, start, end)
            safe += _SAFE_ENTITY.findall(data, start, position)
        else:
            parts.append(b"<!")
            position = start + 2
            continue
        parts.append(b" ")  # a blank, not nothing, so no "<!DOCTYPE" re-forms across the cut
    parts.append(data[position:end])
    prolog = _DECLARATION.sub(b" ", b"".join(parts))
    if safe:
        declarations = b"".join(b'<!ENTITY %s "%s">\n' % (name, value) for name, _, value in safe[:SAFE_ENTITY_LIMIT])
        prolog += b"<!DOCTYPE feed [\n" + declarations + b"]>\n"
    return prolog + data[end:]


def _declaration_end(data: bytes, start: int, end: int) -> int:
    """Offset just past the ">" closing the declaration at start, internal subset included."""
    depth, quote = 0, b""
    for token in _DTD_TOKEN.finditer(data, start, end):
        char = token.group()
        if quote:
            quote = b"" if char == quote else quote
        elif char in (b'"', b"'"):
            quote = char
        elif char in (b"[", b"]"):
            depth = depth + 1 if char == b"[" else max(depth - 1, 0)
        elif depth == 0:
            return token.end()
    return end
