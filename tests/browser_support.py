"""Helpers of the browser tests: open a page of the built book, find and drive its explorers.

An explorer's root element carries ``data-explorer`` (its name) and ``data-result`` (what it
showed after its last redraw, as JSON); each control carries ``data-setting`` (the setting it
changes). :class:`ExplorerOnPage` moves controls as a reader would (setting a value and firing
the ``input`` or ``change`` event the browser fires) and reads the result back.
:func:`saved_states` reads the same explorers' saved widget states from a notebook, from which
the tests rebuild each explorer in Python (``Explorer.from_state``).

The explorers speak the page's language: on the Korean edition (``/ko/`` under the site, pages
served with ``<html lang="ko">``) every text they show is Korean, with the numbers of the
English text. :func:`assert_said_in_korean` and :func:`english_words` check that.
"""

from __future__ import annotations

import json
import re
from collections import Counter
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
        self.wait_for_explorers()

    def _only_localhost(self, route) -> None:
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def wait_for_explorers(self) -> None:
        """Wait until every saved widget on the page has drawn its explorer."""
        if self.page.locator(WIDGET_VIEW).count():
            self.page.wait_for_function(
                f"document.querySelectorAll('{EXPLORER}').length >= "
                f"document.querySelectorAll('{WIDGET_VIEW}').length",
                timeout=15_000,
            )

    def reload(self) -> None:
        """Load the page again: its explorers start over from their saved settings."""
        self.page.reload(wait_until="networkidle")
        self.wait_for_explorers()

    def language(self) -> str:
        """The page's language, as its ``<html lang>`` gives it."""
        return self.page.evaluate("document.documentElement.lang")

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

    def texts(self) -> list[str]:
        """Every text a reader reads or hears in the explorer: what it shows (hidden parts
        left out), every menu option, and every aria-label."""
        return self.root.evaluate(_TEXTS)


_TEXTS = """root => [
  root.innerText,
  ...[...root.querySelectorAll("option")].map((option) => option.textContent),
  ...[...root.querySelectorAll("[aria-label]")].map((node) => node.getAttribute("aria-label")),
]"""


# -- the Korean edition ---------------------------------------------------------------------------

#: Where the Korean edition lives under the site.
KOREAN = "ko"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: Numbers as a text writes them: "-3", "0.25", "87%" (and "3" and "3" in "3x3").
NUMBER = re.compile(r"-?\d+(?:\.\d+)?%?")
#: Words that are code or names in either language: Keras' padding names, Python's None, the
#: names of keys and file formats, Grad-CAM.
CODE_WORDS = frozenset({
    "Keras", "NumPy", "MNIST", "ReLU", "None", "valid", "same", "full", "Grad", "CAM",
    "Tab", "Space", "Enter", "Delete", "Shift", "PNG", "JPEG",
})
# Code in a text: a quoted value, a call's name (Conv2D(, floor(), a keyword argument
# (strides=), a name with digits, underscores or capitals inside (conv1, p_before, ModelExplorer).
_CODE = re.compile(r"'[^']*'|[A-Za-z_]\w*(?=\()|\w+=|\b\w*(?:\d|_|[a-z][A-Z])\w*")
_WORD = re.compile(r"[A-Za-z]{2,}")


def numbers_in(text: str) -> Counter:
    """The numbers a text writes, with how often it writes each."""
    return Counter(NUMBER.findall(text))


def english_words(text: str) -> set[str]:
    """The English words in ``text``: words of two or more Latin letters that are not code."""
    return set(_WORD.findall(_CODE.sub(" ", text))) - CODE_WORDS


def assert_said_in_korean(korean: Any, english: Any, context: str) -> None:
    """``korean`` (what an explorer reports on a Korean page) says what ``english`` says.

    Both have the same shape; numbers, booleans and texts without English words (formatted
    numbers, code) are equal; every other text is said in Korean (it has Hangul) with every
    number of the English text, written the same way; an empty text stays empty.
    """
    if isinstance(english, dict):
        assert isinstance(korean, dict) and set(korean) == set(english), context
        for key, value in english.items():
            assert_said_in_korean(korean[key], value, f"{key} at {context}")
    elif isinstance(english, list):
        assert isinstance(korean, list) and len(korean) == len(english), context
        for index, (ours, theirs) in enumerate(zip(korean, english, strict=True)):
            assert_said_in_korean(ours, theirs, f"[{index}] {context}")
    elif isinstance(english, str) and english_words(english):
        assert isinstance(korean, str), context
        assert HANGUL.search(korean), f"not in Korean: {korean!r} ({context})"
        missing = numbers_in(english) - numbers_in(korean)
        assert not missing, f"{korean!r} lacks {sorted(missing)} of {english!r} ({context})"
    else:
        assert korean == english, context


def korean_site(site: str) -> str:
    """The Korean edition's address under the site."""
    return f"{site}/{KOREAN}"


def move_to(settings: dict, explorer, *pages: ExplorerOnPage) -> list[dict]:
    """Move each page's explorer to ``settings`` through its controls, as a reader would, and set
    the Python ``explorer`` alike, in the same order; the pages' results, in order."""
    shown = [page.set(**settings) for page in pages]
    for name, value in settings.items():
        setattr(explorer, name, value)
    return shown


def open_both_editions(visit, site: str, page: str, name: str) -> tuple[ExplorerOnPage, ...]:
    """The explorer ``name`` of ``page`` (its path under the site) in the English and in the
    Korean edition, both at the saved settings: the English page, which the module's other tests
    may have moved, is loaded again; the Korean one is opened here (one test a page uses it)."""
    english = visit(f"{site}/{page}")
    english.reload()
    korean = visit(f"{korean_site(site)}/{page}")
    assert korean.language() == KOREAN, f"{page} of the Korean edition is not in Korean"
    (shown,) = english.explorers(name)
    (said,) = korean.explorers(name)
    return shown, said


def assert_shown_in_korean(
    korean: ExplorerOnPage, english: dict, message: str, context: str
) -> None:
    """What the explorer on a Korean page shows now is what the English page showed for the same
    settings (``english``, its result), in Korean: a message exactly when Python's check() has
    one (``message``), the same numbers, every text said in Korean (:func:`assert_said_in_korean`)
    and no English word left in what a reader reads or hears."""
    shown = korean.result()
    assert bool(shown["message"]) == bool(message), context
    assert korean.message() == shown["message"], context
    assert_said_in_korean(shown, english, context)
    left = english_words("\n".join(korean.texts()))
    assert not left, f"English on the Korean page: {sorted(left)} at {context}"


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
