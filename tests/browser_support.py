"""Helpers of the browser tests: open a page of the built book, find and drive its explorers.

An explorer's root element carries ``data-explorer`` (its name) and ``data-result`` (what it
showed after its last redraw, as JSON); each control carries ``data-setting`` (the setting it
changes). :class:`ExplorerOnPage` moves controls as a reader would (setting a value and firing
the ``input`` or ``change`` event the browser fires) and reads the result back.
:func:`saved_states` reads the same explorers' saved widget states from a notebook, from which
the tests rebuild each explorer in Python (``Explorer.from_state``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
EXPLORER = ".cb-explorer"


class PageVisit:
    """A page opened with everything that went wrong while it loaded.

    Any request that leaves 127.0.0.1 is aborted and listed in :attr:`external`.
    """

    def __init__(self, browser, url: str, width: int = 1280, height: int = 900) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
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
            self.page.wait_for_function(
                f"document.querySelectorAll('{EXPLORER}').length >= "
                f"document.querySelectorAll('{WIDGET_VIEW}').length",
                timeout=15_000,
            )

    def _only_localhost(self, route) -> None:
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def explorers(self, name: str) -> list[ExplorerOnPage]:
        """The explorers of this kind on the page, in page order."""
        count = self.page.locator(f'{EXPLORER}[data-explorer="{name}"]').count()
        return [ExplorerOnPage(self.page, name, index) for index in range(count)]


_SET = """([name, index, setting, value]) => {
  const root = document.querySelectorAll(`.cb-explorer[data-explorer="${name}"]`)[index];
  const control = root.querySelector(`[data-setting="${setting}"]`);
  if (!control) throw new Error(`no control for ${setting}`);
  if (control.type === "range") {
    // A range input clamps to its bounds: widen them as far as the value, like a test may.
    control.min = Math.min(Number(control.min), Number(value));
    control.max = Math.max(Number(control.max), Number(value));
  }
  control.value = String(value);
  control.dispatchEvent(new Event(control.type === "range" ? "input" : "change", {bubbles: true}));
  return control.value;
}"""


class ExplorerOnPage:
    """One explorer on an open page."""

    def __init__(self, page, name: str, index: int) -> None:
        self.page, self.name, self.index = page, name, index
        self.root = page.locator(f'{EXPLORER}[data-explorer="{name}"]').nth(index)

    def set(self, **settings: Any) -> dict[str, Any]:
        """Move each named control to the given value, in order; return the explorer's result."""
        for setting, value in settings.items():
            self.page.evaluate(_SET, [self.name, self.index, setting, value])
        return self.result()

    def result(self) -> dict[str, Any]:
        """What the explorer showed after its last redraw."""
        return json.loads(self.root.get_attribute("data-result"))

    def message(self) -> str:
        """The visible message line ("" when hidden)."""
        line = self.root.locator(".cb-message")
        return line.inner_text().strip() if line.is_visible() else ""

    def timings(self) -> list[float]:
        """Milliseconds of every redraw so far."""
        return self.root.evaluate("root => root.convbookTimings")


def saved_states(notebook: Path, anywidget_class: str | None = None) -> list[dict[str, Any]]:
    """The saved states of the explorers in a notebook, in the order its outputs show them.

    ``anywidget_class`` keeps one class, named as anywidget records it
    (``convbook.explorers.convolution.ConvolutionExplorer``); ``None`` keeps every explorer.
    """
    data = json.loads(notebook.read_text(encoding="utf-8"))
    states = data["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    shown = [
        output["data"][VIEW_MIME]["model_id"]
        for cell in data["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if VIEW_MIME in output.get("data", {})
    ]
    found = [states[model_id]["state"] for model_id in shown if model_id in states]
    return [
        state for state in found
        if "_anywidget_id" in state
        and (anywidget_class is None or state["_anywidget_id"] == anywidget_class)
    ]
