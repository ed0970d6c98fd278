"""The hostile publishers' XSS cases, crawled for real, then read in Chromium: no dialog opens, no script runs.

The cases come from tests/hostile/cases/xss-*.json (vectors in titles, summaries and article bodies). A
throwaway data folder crawls them with `akhbar crawl --once`, then `akhbar up --no-crawl` serves them. Every
stored article's page, the home pages, the outlets' pages, a search for each title and the feeds are opened
in Chromium with a listener on dialogs and on Content-Security-Policy violations: a violation would mean
markup that tried to run reached the page, even if the CSP stopped it.
"""

import subprocess
from urllib.parse import quote

import pytest

from tests.browser.conftest import AKHBAR, DemoSite, free_port, user_environment
from tests.helpers import akhbar_ok, sqlite_rows
from tests.hostile.cases import load_cases
from tests.hostile.server import Web, expand, install

DESKTOP = {"width": 1280, "height": 800}
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    cases = [case for case in load_cases() if case.name.startswith("xss-")]
    assert len(cases) >= 3
    web = Web().start()
    data_dir = tmp_path_factory.mktemp("akhbar-xss")
    process = None
    try:
        akhbar_ok(data_dir, "manage", "migrate", "--verbosity", "0")
        for case in cases:
            values = web.placeholders(case.name)
            install(web.site(case.name), case.routes, values)
            akhbar_ok(data_dir, "sources", "add", "--name", case.name, "--slug", case.name,
                      "--feed", expand(case.feed, values))
        akhbar_ok(data_dir, "crawl", "--once")
        port = free_port()
        log_path = data_dir / "akhbar-up.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(AKHBAR), "up", "--no-crawl", "--port", str(port), "--workers", "1"], cwd=data_dir,
                env=user_environment(data_dir), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        site = DemoSite(process=process, base_url=f"http://127.0.0.1:{port}", log_path=log_path)
        site.wait_until(lambda page: "ticker" in page, what="the site serving the crawled cases")
        yield site, data_dir
    finally:
        if process is not None:
            DemoSite(process=process, base_url="", log_path=data_dir / "akhbar-up.log").kill()
        web.stop()


def stored_articles(data_dir) -> list[tuple[int, str, str, str]]:
    return sqlite_rows(data_dir / "akhbar.sqlite3", "SELECT a.id, a.language, o.slug, a.title FROM news_article a "
                                                      "JOIN sources_outlet o ON o.id = a.outlet_id ORDER BY a.id")


def test_no_stored_xss_vector_runs_in_chromium(hostile_site, pages, artifacts):
    site, data_dir = hostile_site
    articles = stored_articles(data_dir)
    assert len(articles) >= 15, articles  # the cases' items were stored (harmless), not dropped
    outlets = sorted({slug for _, _, slug, _ in articles})
    addresses = (["/fr/", "/fr/rss.xml"] + [f"/fr/{slug}/" for slug in outlets]
                 + [f"/{language if language in ('fr', 'ar', 'es', 'en') else 'fr'}/{slug}/{pk}"
                    for pk, language, slug, _ in articles]
                 + [f"/fr/recherche?q={quote(' '.join(title.split()[:2]))}" for _, _, _, title in articles if title])
    page = pages.open(**DESKTOP)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    page.add_init_script(WATCH)
    opened = []
    for address in addresses:
        response = page.goto(site.url(address), wait_until="load")
        assert response is not None and response.status == 200, (address, response and response.status)
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__violations")
        # Markup in stored articles: whatever survived, it must hold nothing that runs.
        executable = page.evaluate("""() => [...document.querySelectorAll('main *')].flatMap(el =>
            [...el.attributes].filter(a => /^on/i.test(a.name) || /^\\s*(javascript|vbscript|data):/i.test(a.value))
              .map(a => el.tagName + ' ' + a.name + '=' + a.value)
            ).concat([...document.querySelectorAll('main script, main iframe, main object, main embed, main form:not(.search-form)')]
              .map(el => el.tagName))""")
        assert violations == [] and executable == [], (address, violations, executable)
        opened.append(address)
    assert dialogs == [], dialogs
    assert len(opened) == len(addresses) and pages.off_machine == []
    page.goto(site.url(addresses[2 + len(outlets)]))  # the first article
    page.screenshot(path=artifacts / "hostile-xss-article.png", full_page=True)
