"""Browser tests: the real product (`akhbar up --demo`) in a subprocess, read through Debian's Chromium.

Playwright drives the system `chromium` by `executable_path`; it never downloads a browser. Without
chromium the tests skip and say how to get it.
"""

import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
AKHBAR = Path(sys.executable).with_name("akhbar")
READY_TIMEOUT = 120.0
POLL_EVERY = 0.5
STOP_TIMEOUT = 30.0
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
TICKER_ITEM = re.compile(
    r'<li><a href="(?P<href>[^"]+)"[^>]*>(?P<title>[^<]*)</a>\s*<span class="ticker-outlet">(?P<outlet>[^<]*)</span>'
)


@dataclass
class TickerItem:
    href: str
    title: str
    outlet: str


def ticker_items(page_html: str) -> list[TickerItem]:
    """The home page's ticker entries, read from its HTML (for readiness; the tests read the DOM)."""
    return [
        TickerItem(m["href"], html.unescape(m["title"]), html.unescape(m["outlet"]))
        for m in TICKER_ITEM.finditer(page_html)
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def user_environment(data_dir: Path) -> dict[str, str]:
    """The environment a user's shell gives `akhbar up`: without the test run's own AKHBAR_* and Django settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_") and k != "DJANGO_SETTINGS_MODULE"}
    env["AKHBAR_DATA_DIR"] = str(data_dir)
    return env


@dataclass
class DemoSite:
    process: subprocess.Popen
    base_url: str
    log_path: Path

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def get(self, path: str = "/") -> str | None:
        """The page's HTML, or None while the server does not answer 200 yet."""
        try:
            with urllib.request.urlopen(self.url(path), timeout=5) as response:
                return response.read().decode() if response.status == 200 else None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def wait_until(self, ready, *, what: str, timeout: float = READY_TIMEOUT) -> str:
        """Poll the home page until ready(html) holds: a bounded number of attempts before a deadline."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / POLL_EVERY) + 1):
            if self.process.poll() is not None:
                pytest.fail(f"akhbar up exited with {self.process.returncode} before {what}:\n{self.log_tail()}")
            page = self.get("/")
            if page is not None and ready(page):
                return page
            if time.monotonic() > deadline:
                break
            time.sleep(POLL_EVERY)
        pytest.fail(f"akhbar up: no {what} after {timeout:.0f} s:\n{self.log_tail()}")

    def interrupt(self) -> int | None:
        """Ctrl-C, as a terminal sends it (SIGINT to the process group); the exit code, or None if it hangs."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture(autouse=True)
def empty_page_cache():
    """The page cache lives in the server's processes, not this one: nothing to clear here."""


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip(
            "browser tests need Debian's chromium: apt-get install chromium (make test installs it when it can)"
        )
    return path


@pytest.fixture(scope="module")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def start_demo(data_dir: Path, extra_env: dict[str, str] | None = None) -> DemoSite:
    """`akhbar up --demo` as a user starts it, on a free port in `data_dir`, with their environment plus `extra_env`."""
    port = free_port()
    log_path = data_dir / "akhbar-up.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(AKHBAR), "up", "--demo", "--port", str(port), "--workers", "2"],
            cwd=data_dir, env=user_environment(data_dir) | (extra_env or {}), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so SIGINT reaches it as a terminal's Ctrl-C would
        )
    return DemoSite(process=process, base_url=f"http://127.0.0.1:{port}", log_path=log_path)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> DemoSite:
    """`akhbar up --demo` as a user starts it, on a free port with its own data folder; killed if a test left it up."""
    site = start_demo(tmp_path_factory.mktemp("akhbar-demo"))
    try:
        yield site
    finally:
        site.kill()


@pytest.fixture(scope="module")
def demo_site_behind_proxy(tmp_path_factory) -> DemoSite:
    """The demo as deployed behind a proxy on this machine: readers are known by X-Forwarded-For.

    Its own server and data folder, so the reports and blocks of its tests never reach the other browser tests.
    """
    site = start_demo(tmp_path_factory.mktemp("akhbar-proxied"), {"AKHBAR_TRUSTED_PROXIES": "127.0.0.1/32"})
    try:
        yield site
    finally:
        site.kill()


def is_loopback(url: str) -> bool:
    return urlsplit(url).scheme in ("data", "about", "blob") or urlsplit(url).hostname in ("127.0.0.1", "localhost")


class Pages:
    """Opens fresh pages at a viewport size; every request off this machine is refused and recorded."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.contexts = []
        self.off_machine: list[str] = []

    def open(self, *, width: int, height: int, mobile: bool = False, **context_options):
        """A page in a new context (a new reader: no cookies, no cache); `context_options` go to new_context."""
        context = self.browser.new_context(
            viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile,
            device_scale_factor=2 if mobile else 1, locale="fr-MA", service_workers="block", **context_options,
        )
        self.contexts.append(context)
        context.route("**/*", self._guard)
        return context.new_page()

    def _guard(self, route) -> None:
        if is_loopback(route.request.url):
            route.continue_()
        else:
            self.off_machine.append(route.request.url)
            route.abort()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser):
    opener = Pages(browser)
    yield opener
    opener.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
