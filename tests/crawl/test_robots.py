"""robots.txt: verdicts per answer, the per-origin cache, and the Fetcher obeying both."""

import anyio
import pytest

from akhbar.crawl.fetch import Fetcher, FetchError
from akhbar.crawl.robots import RobotsCache, RobotsRules, product_token, rules_from_answer, unreachable

UA = "Akhbar/0.1 (+https://akhbar.example/about)"
RULES = b"""# comments and blank lines are fine

User-agent: OtherBot
Disallow: /

User-agent: *
Disallow: /private
Allow: /
"""


def test_product_token():
    assert product_token(UA) == "Akhbar"
    assert product_token("Akhbar (+https://x)") == "Akhbar"


def test_the_group_for_everyone_applies_to_akhbar():
    rules = rules_from_answer(200, b"\xef\xbb\xbf" + RULES)  # a byte-order mark is tolerated
    assert rules.allows("Akhbar", "https://site.example/news/1")
    assert not rules.allows("Akhbar", "https://site.example/private/x")
    assert not rules.allows("OtherBot", "https://site.example/news/1")


def test_a_group_naming_akhbar_replaces_the_group_for_everyone():
    rules = rules_from_answer(200, b"User-agent: *\nDisallow: /\n\nUser-agent: akhbar\nDisallow: /no-akhbar\n")
    assert rules.allows("Akhbar", "https://site.example/news/1")
    assert not rules.allows("Akhbar", "https://site.example/no-akhbar")
    assert not rules.allows("OtherBot", "https://site.example/news/1")


@pytest.mark.parametrize(
    "status, verdict",
    [(200, "rules"), (404, "allow_all"), (410, "allow_all"), (401, "disallow_all"), (403, "disallow_all"),
     (429, "unreachable"), (500, "unreachable"), (503, "unreachable")],
)
def test_verdict_per_status(status, verdict):
    rules = rules_from_answer(status, b"")
    assert rules.verdict == verdict
    assert rules.allows("Akhbar", "https://site.example/") is (verdict in ("rules", "allow_all"))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.anyio
async def test_cache_expiry_retry_and_stale_copy():
    clock = Clock()
    cache = RobotsCache(ttl=3600, retry=600, clock=clock)
    answers = [rules_from_answer(200, RULES), unreachable("robots.txt answered 503"), unreachable("again")]
    downloads = []

    async def download() -> RobotsRules:
        downloads.append(clock.now)
        return answers[len(downloads) - 1]

    rules, expires_in = await cache.rules("https://site.example:443", download)
    assert rules.verdict == "rules" and expires_in == 3600
    await cache.rules("https://site.example:443", download)
    assert len(downloads) == 1

    clock.now += 3600  # expired: the next download fails, the copy read earlier is kept a while
    rules, expires_in = await cache.rules("https://site.example:443", download)
    assert rules.verdict == "rules" and expires_in == 600 and len(downloads) == 2


@pytest.mark.anyio
async def test_unreachable_without_earlier_copy_is_retried_later():
    clock = Clock()
    cache = RobotsCache(retry=600, clock=clock)

    async def download() -> RobotsRules:
        return unreachable("robots.txt answered 500")

    rules, expires_in = await cache.rules("http://site.example:80", download)
    assert rules.unreachable and expires_in == 600


# --- the Fetcher obeying robots.txt, against loopback servers ---------------------------------------


def fetcher(**options) -> Fetcher:
    return Fetcher(**({"user_agent": UA, "allow_networks": ["127.0.0.0/8"], "host_delay": 0, "timeout": 5} | options))


def ok(req):
    req.reply(200, b"page")


@pytest.fixture
def site(serve):
    return serve({"/robots.txt": lambda req: req.reply(200, RULES), "/news": ok, "/private/x": ok,
                  "/to-private": lambda req: req.reply(302, headers={"Location": "/private/x"})})


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/private/x", "/to-private"])
async def test_disallowed_page_is_never_requested(site, path):
    async with fetcher() as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch(site.url(path))
    assert caught.value.kind == "robots" and caught.value.url == site.url(path)
    assert "robots.txt" in str(caught.value) and str(caught.value).startswith("fetch: ")
    assert not site.requests("/private/x")


@pytest.mark.anyio
async def test_robots_txt_is_read_once_for_many_fetches(site):
    async with fetcher() as f, anyio.create_task_group() as tasks:
        for i in range(12):
            tasks.start_soon(f.fetch, site.url(f"/news?n={i}"))
    assert len(site.requests("/robots.txt")) == 1
    assert len(site.requests()) == 13
    assert site.requests("/robots.txt")[0].headers["user-agent"] == UA


@pytest.mark.anyio
async def test_robots_txt_itself_can_always_be_fetched(serve):
    server = serve({"/robots.txt": lambda req: req.reply(200, b"User-agent: *\nDisallow: /\n")})
    async with fetcher() as f:
        assert (await f.fetch(server.url("/robots.txt"))).body.startswith(b"User-agent")


@pytest.mark.anyio
@pytest.mark.parametrize("status, allowed", [(404, True), (403, False), (401, False)])
async def test_missing_or_forbidden_robots_txt(serve, status, allowed):
    server = serve({"/robots.txt": lambda req: req.reply(status), "/news": ok})
    async with fetcher() as f:
        if allowed:
            assert (await f.fetch(server.url("/news"))).body == b"page"
        else:
            with pytest.raises(FetchError, match="robots.txt") as caught:
                await f.fetch(server.url("/news"))
            assert caught.value.kind == "robots"
    assert bool(server.requests("/news")) is allowed


@pytest.mark.anyio
async def test_server_error_on_robots_txt_means_wait_and_retry(serve):
    server = serve({"/robots.txt": lambda req: req.reply(503), "/news": ok})
    async with fetcher() as f:
        for _ in range(2):
            with pytest.raises(FetchError) as caught:
                await f.fetch(server.url("/news"))
            error = caught.value
            assert error.kind == "robots" and 0 < error.retry_after <= 600
    assert not server.requests("/news")
    assert len(server.requests("/robots.txt")) == 1  # "unreachable" is cached too, until the retry time


@pytest.mark.anyio
async def test_obey_robots_false_skips_robots_txt(site):
    async with fetcher(obey_robots=False) as f:
        assert (await f.fetch(site.url("/private/x"))).body == b"page"
    assert not site.requests("/robots.txt")
