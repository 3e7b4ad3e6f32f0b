"""The built book in a real browser: every page renders offline, accessibly, with its widgets.

The book is built from the stored notebooks into a temporary folder, served on localhost, and
opened page by page, in every edition (English at the root, Korean under ko/), in Debian's
Chromium driven by Playwright. Any request that leaves localhost
is blocked and reported, so a page that needs the network fails here. Screenshots of the landing
page and of a widget page are saved under ``artifacts/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from browser_support import VIEW_MIME, WIDGET_VIEW
from conftest import AXE

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages.extend(chapter["file"] for chapter in part["chapters"])
    return [str(Path(page).with_suffix("")) for page in pages]


PAGES = _toc_pages()


def _notebook_text(page: str) -> str:
    notebook = ROOT / f"{page}.ipynb"
    return notebook.read_text("utf-8") if notebook.is_file() else ""


#: The site's folder of each edition.
EDITIONS = ["", "ko/"]
#: Every page of every edition, as its address under the site.
EDITION_PAGES = [f"{edition}{page}" for edition in EDITIONS for page in PAGES]
#: The pages whose notebook saved a widget view: the ones with explorers.
EXPLORER_PAGES = [
    page for page in EDITION_PAGES
    if VIEW_MIME in _notebook_text(page.removeprefix("ko/"))
]


@pytest.mark.parametrize("page", EDITION_PAGES)
def test_page_renders_offline_without_errors(site, visit, page):
    opened = visit(f"{site}/{page}.html")
    assert not opened.external, f"the page asked the network for: {opened.external}"
    assert not opened.failed, f"failed requests: {opened.failed}"
    assert not opened.errors, f"console errors: {opened.errors}"
    assert opened.page.locator("article.bd-article h1").first.is_visible()


@pytest.mark.parametrize("page", EDITION_PAGES)
def test_every_image_has_alt_text(site, visit, page):
    opened = visit(f"{site}/{page}.html")
    missing = opened.page.eval_on_selector_all(
        "img", "images => images.filter(i => !(i.getAttribute('alt') || '').trim())"
        ".map(i => i.src.slice(0, 100))"
    )
    assert not missing, f"images without alt text: {missing}"


@pytest.mark.parametrize("page", EDITION_PAGES)
def test_widgets_and_animations_are_shown(site, visit, page):
    opened = visit(f"{site}/{page}.html")
    views = opened.page.locator(WIDGET_VIEW).count()
    rendered = opened.page.locator(".cb-explorer")
    assert rendered.count() == views, f"{views} widget views saved, {rendered.count()} rendered"
    for index in range(views):
        assert rendered.nth(index).is_visible(), f"explorer {index} is not visible"
    animations = opened.page.locator(".animation img")
    for index in range(animations.count()):
        frame = animations.nth(index)
        assert frame.is_visible(), f"animation {index} is not visible"
        assert frame.get_attribute("src", timeout=5_000).startswith("data:image/png")


@pytest.mark.parametrize("page", EDITION_PAGES)
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


@pytest.mark.parametrize("page", EXPLORER_PAGES)
def test_explorers_fit_a_phone_screen(site, visit, page):
    opened = visit(f"{site}/{page}.html")
    # The page as a phone shows it: the same page, narrowed (explorers lay out with CSS only).
    opened.page.set_viewport_size({"width": 390, "height": 844})
    try:
        explorers = opened.page.locator(".cb-explorer")
        for index in range(explorers.count()):
            explorer = explorers.nth(index)
            explorer.scroll_into_view_if_needed()
            assert explorer.is_visible(), f"explorer {index} is not visible on a phone screen"
            overflow = explorer.evaluate("root => root.scrollWidth - root.clientWidth")
            assert overflow <= 2, f"explorer {index} is {overflow} px wider than a phone screen"
            controls = explorer.locator("[data-setting]")
            for number in range(controls.count()):
                control = controls.nth(number)
                if control.is_visible():
                    box = control.bounding_box()
                    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, (
                        f"control {control.get_attribute('data-setting')} of explorer {index} "
                        "is off the screen"
                    )
    finally:
        opened.page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("edition", EDITIONS)
def test_next_links_walk_the_whole_book_in_order(site, visit, edition):
    walked = [PAGES[0]]
    while True:
        opened = visit(f"{site}/{edition}{walked[-1]}.html")
        following = opened.page.locator("a.right-next")
        if not following.count():
            break
        address = following.first.evaluate("link => link.href")
        walked.append(urlparse(address).path.removeprefix(f"/{edition}").removesuffix(".html"))
        assert len(walked) <= len(PAGES), f"the next-links do not end: {walked}"
    assert walked == PAGES


def test_screenshots_for_readers(site, visit):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    landing = visit(f"{site}/")
    landing.page.screenshot(path=str(SCREENSHOTS / "landing.png"))
    widget_pages = [p for p in PAGES if visit(f"{site}/{p}.html").page.locator(WIDGET_VIEW).count()]
    assert widget_pages, "no page shows a widget"
    opened = visit(f"{site}/{widget_pages[0]}.html")
    opened.page.locator(".cb-explorer").first.scroll_into_view_if_needed()
    opened.page.screenshot(path=str(SCREENSHOTS / "widget-page.png"))
    assert (SCREENSHOTS / "landing.png").stat().st_size > 10_000
