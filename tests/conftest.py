"""Shared fixtures: Keras, and the built book served to a headless Chromium.

The book is built once per test session (every edition, strictly, into a temporary folder) and
served on 127.0.0.1; the browser tests of the pages and of the explorers share it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

import convbook
from browser_support import PageVisit
from tools.editions import build as build_editions

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def keras():
    """Keras on the TensorFlow backend, imported without TensorFlow's start-up log."""
    convbook.silence_tensorflow()
    import keras as keras_module

    return keras_module


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; outside CI a missing browser skips with the install command."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "the browser tests need Debian's Chromium: sudo apt-get install -y chromium"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def site(tmp_path_factory, chromium) -> str:
    """Build the book's editions strictly into a temporary folder and serve them; yields the
    base URL (the English edition; the Korean one is under ko/)."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in the repository root")
    output = tmp_path_factory.mktemp("book")
    # Every edition, strictly, as CI builds it: English at the root, Korean under ko/.
    build_editions(output / "html", strict=True, work=output / "editions")

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output readable
            pass

    handler = functools.partial(QuietHandler, directory=str(output / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def visit(browser):
    """Open a page once per module; the tests that look at the same page share the visit."""
    opened: dict[tuple[str, int], PageVisit] = {}

    def open_page(url: str, width: int = 1280) -> PageVisit:
        if (url, width) not in opened:
            opened[url, width] = PageVisit(browser, url, width=width)
        return opened[url, width]

    yield open_page
    for page_visit in opened.values():
        page_visit.page.close()


#: The notebooks that train models, slowest first. They start first, one per pytest-xdist worker
#: (see addopts in pyproject.toml), and the many short test modules fill the time around them;
#: started last, they would leave one worker training alone at the end.
SLOWEST_FIRST = ("05-max-pooling", "06-mnist-convnet", "07-what-the-convnet-sees")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        name = Path(str(item.fspath)).stem
        return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # a stable sort: every other item keeps its place
