"""The built book in a real browser: every page renders offline, accessibly, with its widgets.

The book is built from the stored notebooks into a temporary folder, served on localhost, and
opened page by page in Debian's Chromium driven by Playwright. Any request that leaves localhost
is blocked and reported, so a page that needs the network fails here. Screenshots of the landing
page and of a widget page are saved under ``artifacts/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages.extend(chapter["file"] for chapter in part["chapters"])
    return [str(Path(page).with_suffix("")) for page in pages]


PAGES = _toc_pages()


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's Chromium; outside CI a missing browser skips with the install command."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "the browser tests need Debian's Chromium: sudo apt-get install -y chromium"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium) -> str:
    """Build the book strictly into a temporary folder and serve it; yields the base URL."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in the repository root")
    output = tmp_path_factory.mktemp("book")
    build = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", ".", "--path-output",
         str(output), "-n", "-W", "--keep-going"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output readable
            pass

    handler = functools.partial(QuietHandler, directory=str(output / "_build" / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(chromium):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class PageVisit:
    """A page opened with everything that went wrong while it loaded."""

    def __init__(self, browser, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} ({r.status})")
        )
        self.page.route("**/*", self._only_localhost)
        self.page.goto(url, wait_until="networkidle")
        if self.page.locator(WIDGET_VIEW).count():
            self.page.wait_for_selector(".jupyter-widgets", timeout=15_000)

    def _only_localhost(self, route) -> None:
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()


@pytest.fixture(scope="module")
def visit(browser):
    """Open a page once per module; the tests that look at the same page share the visit."""
    opened: dict[str, PageVisit] = {}

    def open_page(url: str) -> PageVisit:
        if url not in opened:
            opened[url] = PageVisit(browser, url)
        return opened[url]

    yield open_page
    for page_visit in opened.values():
        page_visit.page.close()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_offline_without_errors(site, visit, page):
    opened = visit(f"{site}/{page}.html")
    assert not opened.external, f"the page asked the network for: {opened.external}"
    assert not opened.failed, f"failed requests: {opened.failed}"
    assert not opened.errors, f"console errors: {opened.errors}"
    assert opened.page.locator("article.bd-article h1").first.is_visible()


@pytest.mark.parametrize("page", PAGES)
def test_every_image_has_alt_text(site, visit, page):
    opened = visit(f"{site}/{page}.html")
    missing = opened.page.eval_on_selector_all(
        "img", "images => images.filter(i => !(i.getAttribute('alt') || '').trim())"
        ".map(i => i.src.slice(0, 100))"
    )
    assert not missing, f"images without alt text: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_widgets_and_animations_are_shown(site, visit, page):
    opened = visit(f"{site}/{page}.html")
    views = opened.page.locator(WIDGET_VIEW).count()
    rendered = opened.page.locator(".jupyter-widgets.widget-vbox, .jupyter-widgets.widget-box")
    assert rendered.count() >= views, f"{views} widget views saved, {rendered.count()} rendered"
    for index in range(views):
        assert rendered.nth(index).is_visible(), f"widget {index} is not visible"
    animations = opened.page.locator(".animation img")
    for index in range(animations.count()):
        frame = animations.nth(index)
        assert frame.is_visible(), f"animation {index} is not visible"
        assert frame.get_attribute("src", timeout=5_000).startswith("data:image/png")


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violations(site, visit, page):
    opened = visit(f"{site}/{page}.html")
    opened.page.add_script_tag(path=str(AXE))
    results = opened.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)


def test_next_links_walk_the_whole_book_in_order(site, browser):
    opened = PageVisit(browser, f"{site}/{PAGES[0]}.html")
    walked = [PAGES[0]]
    while opened.page.locator("a.right-next").count():
        opened.page.locator("a.right-next").first.click()
        opened.page.wait_for_load_state("networkidle")
        walked.append(urlparse(opened.page.url).path.removeprefix("/").removesuffix(".html"))
    opened.page.close()
    assert walked == PAGES


def test_screenshots_for_readers(site, visit):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    landing = visit(f"{site}/")
    landing.page.screenshot(path=str(SCREENSHOTS / "landing.png"))
    widget_pages = [p for p in PAGES if visit(f"{site}/{p}.html").page.locator(WIDGET_VIEW).count()]
    assert widget_pages, "no page shows a widget"
    opened = visit(f"{site}/{widget_pages[0]}.html")
    opened.page.locator(".jupyter-widgets").first.scroll_into_view_if_needed()
    opened.page.screenshot(path=str(SCREENSHOTS / "widget-page.png"))
    assert (SCREENSHOTS / "landing.png").stat().st_size > 10_000
