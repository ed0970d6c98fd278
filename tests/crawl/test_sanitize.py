"""sanitize_html against classic XSS vectors (OWASP filter-evasion style), and plain_text."""

import html as html_lib
import re

import pytest
from lxml import etree

from akhbar.crawl.sanitize import plain_text, sanitize_html

BASE = "https://www.akhbar.example/politique/article-1.html"

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;1&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29>",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="jav&#x0A;ascript:alert(1)">newline</a>',
    '<a href=" &#14;  javascript:alert(1)">leading junk</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">named colon</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>XSS</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLICKME</math>',
    "<details open ontoggle=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="https://evil.example/x.swf">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="width: expression(alert(1));">css expression</div>',
    '<p style="background-image: url(javascript:alert(1))">style attr</p>',
    "<body onload=alert(1)>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<input onfocus=alert(1) autofocus>",
    '<video><source onerror="alert(1)"></video>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<a href="#" onmouseover="alert(1)">hover</a>',
    "<p/onclick=alert(1)>slash separator</p>",
    '<img """><script>alert(1)</script>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    '<a href="java\0script:alert(1)">nul</a>',
]

FORBIDDEN_TAG = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|svg|style|math|form|input|base|meta|link|template)\b", re.IGNORECASE
)
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _executable_things(output: str) -> list[str]:
    found = [m.group(0) for m in FORBIDDEN_TAG.finditer(output)]
    found += re.findall(r"<[^>]*\son\w+\s*=", output, flags=re.IGNORECASE)
    root = etree.fromstring(f"<html><body>{output}</body></html>", etree.HTMLParser())
    for element in root.iter() if root is not None else []:
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() in ("style", "srcdoc", "formaction"):
                found.append(f"{element.tag}[{name}]")
            # Browsers drop tab/newline and trim controls before reading the scheme.
            cleaned = re.sub(r"[\x00-\x20]", "", html_lib.unescape(value)).lower()
            scheme = SCHEME.match(cleaned)
            if scheme and scheme.group(1) not in ("http", "https"):
                found.append(f"{element.tag}[{name}]={value}")
    return found


@pytest.mark.parametrize("vector", XSS_VECTORS)
@pytest.mark.parametrize("base_url", [None, BASE])
def test_xss_vector_leaves_nothing_executable(vector: str, base_url: str | None):
    output = sanitize_html(f"<p>avant</p>{vector}<p>après</p>", base_url=base_url)
    assert _executable_things(output) == [], output
    assert "javascript:" not in re.sub(r"\s", "", html_lib.unescape(" ".join(re.findall(r"<[^>]+>", output)))).lower()


def test_allowed_structure_is_kept():
    source = (
        "<h2>Titre</h2><h3>Sous-titre</h3><h4>Intertitre</h4><p>Un <strong>gras</strong>, un <em>italique</em>, "
        "<b>b</b> et <i>i</i>.<br>Ligne.</p><ul><li>un</li></ul><ol><li>deux</li></ol><blockquote>Citation</blockquote>"
        "<figure><figcaption>Légende</figcaption></figure>"
    )
    assert sanitize_html(source) == source


def test_body_images_are_removed_so_readers_never_load_a_publishers_image():
    output = sanitize_html('<figure><img src="https://cdn.example/a.jpg" alt="Photo"><figcaption>L</figcaption></figure>')
    assert output == "<figure><figcaption>L</figcaption></figure>"


def test_links_get_rel_and_only_http_schemes():
    output = sanitize_html('<a href="https://a.ma/x">x</a><a href="ftp://a.ma/y">y</a><a href="mailto:a@b.ma">m</a>')
    assert output == (
        '<a href="https://a.ma/x" rel="nofollow noopener ugc">x</a>'
        '<a rel="nofollow noopener ugc">y</a><a rel="nofollow noopener ugc">m</a>'
    )


def test_relative_urls_are_resolved_against_base_url():
    output = sanitize_html(
        '<a href="../economie/b.html">b</a><a href="//cdn.ma/d">d</a>', base_url=BASE
    )
    assert 'href="https://www.akhbar.example/economie/b.html"' in output
    assert 'href="https://cdn.ma/d"' in output


def test_relative_urls_without_usable_base_are_dropped():
    for base in (None, "not a url", "ftp://files.example/", "http://bad host/"):
        assert sanitize_html('<a href="/x">x</a>', base_url=base) == '<a rel="nofollow noopener ugc">x</a>'


def test_unknown_attributes_and_tags_are_removed_keeping_text():
    output = sanitize_html('<div class="x" id="y"><span style="color:red">texte</span> <font>vieux</font></div>')
    assert output == "texte vieux"


def test_dangerous_containers_lose_their_content():
    output = sanitize_html("<p>a</p><style>p{}</style><form><label>Nom</label></form><svg><text>s</text></svg><p>b</p>")
    assert output == "<p>a</p><p>b</p>"


def test_heading_levels_are_folded_into_h2_h4():
    assert sanitize_html("<h1>Un</h1><h5>Cinq</h5><H6>Six</H6>") == "<h2>Un</h2><h4>Cinq</h4><h4>Six</h4>"


def test_comments_are_removed():
    assert sanitize_html("<p>a<!-- secret --></p>") == "<p>a</p>"


def test_empty_input():
    assert sanitize_html("") == ""


def test_plain_text_paragraphs_and_entities():
    source = (
        "<h2>Titre</h2><p>Un\n   deux &amp; trois<br>quatre</p><ul><li>a</li><li>b</li></ul><div>c<span>d</span></div>"
    )
    assert plain_text(source) == "Titre\n\nUn deux & trois\n\nquatre\n\na\n\nb\n\ncd"


def test_plain_text_drops_scripts_and_styles():
    assert plain_text("<p>a</p><script>var x = 1;</script><style>p{}</style><p>b</p>") == "a\n\nb"


@pytest.mark.parametrize("source", ["", "   ", "<!-- rien -->", "<p></p>", "<br><br>"])
def test_plain_text_of_nothing_is_empty(source: str):
    assert plain_text(source) == ""


def test_plain_text_of_bare_text():
    assert plain_text("juste du texte") == "juste du texte"


def test_plain_text_survives_deep_nesting():
    assert plain_text("<div>" * 100_000 + "fond" + "</div>" * 100_000) in ("", "fond")


def test_lone_surrogate_does_not_raise():
    assert sanitize_html("<p>a\ud800b</p>") == "<p>a?b</p>"
