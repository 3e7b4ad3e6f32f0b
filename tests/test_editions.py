"""The English and Korean editions in one site: links between them, downloads, search, type.

Unit tests of book/_ext/editions.py first, then the built site (the ``site`` fixture builds both
editions strictly) in headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

import nbformat
import pytest
from browser_support import PageVisit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from editions import (  # noqa: E402
    PageCatalogue,
    _link_editions,
    edition_href,
    toc_captions,
    translate_notebook,
    translate_text,
)

HANGUL = "[\uac00-\ud7a3]"


# -- Unit tests ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "current", "target", "expected"),
    [
        ("book/03-padding", "en", "ko", "../ko/book/03-padding.html"),
        ("book/03-padding", "ko", "en", "../../book/03-padding.html"),
        ("book/03-padding", "ko", "ko", "../../ko/book/03-padding.html"),
        ("index", "en", "ko", "ko/index.html"),
        ("search", "ko", "en", "../search.html"),
    ],
)
def test_edition_href_is_relative_to_the_page(page, current, target, expected):
    assert edition_href(page, current, target) == expected


class _App:
    """What _link_editions reads of a Sphinx application."""

    def __init__(self, language: str, editions: list[str]) -> None:
        self.config = type("Config", (), {"language": language, "editions": editions})()


@pytest.mark.parametrize(
    ("language", "editions", "links"),
    [
        ("en", [], []),  # a plain `jupyter-book build .`: no other edition, no switcher
        ("en", ["en"], []),
        ("en", ["en", "ko"], [("en", True), ("ko", False)]),
        ("ko", ["en", "ko"], [("en", False), ("ko", True)]),
    ],
)
def test_the_switcher_shows_only_editions_that_are_built(language, editions, links):
    context: dict = {"metatags": ""}
    _link_editions(_App(language, editions), "book/03-padding", "page.html", context, None)
    assert [(link["lang"], link["current"]) for link in context["edition_links"]] == links
    assert context["metatags"].count('rel="alternate"') == len(links)


def test_translate_text_matches_wrapped_lines_longest_first_once():
    catalogue = PageCatalogue(
        sorted(
            [("a window slides over the input", "윈도우가 입력 위를 움직입니다"), ("window", "윈도우")],
            key=lambda pair: len(pair[0]),
            reverse=True,
        )
    )
    text, found = translate_text("- a window slides\n  over the input\n\n## window\n", catalogue)
    assert text == "- 윈도우가 입력 위를 움직입니다\n\n## 윈도우\n"
    assert found == {"a window slides over the input", "window"}


def test_translate_notebook_leaves_code_and_outputs_alone():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Padding\n", "Some text."]},
            {
                "cell_type": "code",
                "metadata": {"mystnb": {"image": {"alt": "A grid."}}},
                "source": ["padding = 1  # Padding\n"],
                "outputs": [{"output_type": "stream", "text": "Padding\n"}],
            },
        ]
    }
    catalogue = PageCatalogue([("Some text.", "글."), ("A grid.", "격자."), ("Padding", "패딩")])
    translated, found = translate_notebook(notebook, catalogue)
    assert translated["cells"][0]["source"] == ["# 패딩\n", "글."]
    assert translated["cells"][1]["metadata"]["mystnb"]["image"]["alt"] == "격자."
    assert translated["cells"][1]["source"] == notebook["cells"][1]["source"]
    assert translated["cells"][1]["outputs"] == notebook["cells"][1]["outputs"]
    assert notebook["cells"][0]["source"] == ["# Padding\n", "Some text."], "input changed"
    assert found == {"Some text.", "A grid.", "Padding"}


def test_toc_captions_are_the_parts_of_the_table_of_contents():
    assert toc_captions(ROOT / "_toc.yml") == {
        "Start here", "Convolutions", "A convnet for MNIST", "Reference"
    }


# -- The built site --------------------------------------------------------------------------


def _without_alts(outputs: list[dict]) -> list[dict]:
    """A copy of notebook outputs with every HTML alt attribute blanked."""
    blanked = json.loads(json.dumps(outputs))
    for output in blanked:
        page = output.get("data", {}).get("text/html")
        if page is not None:
            output["data"]["text/html"] = re.sub(r'alt="[^"]*"', 'alt=""', "".join(page))
    return blanked


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url) as response:
        return response.read()


@pytest.mark.parametrize(
    ("page", "other"),
    [("book/03-padding", "ko/book/03-padding"), ("ko/book/03-padding", "book/03-padding")],
)
def test_hreflang_alternates_point_at_both_editions(site, visit, page, other):
    opened = visit(f"{site}/{page}.html")
    alternates = opened.page.eval_on_selector_all(
        'link[rel="alternate"][hreflang]', "links => links.map(l => [l.hreflang, l.href])"
    )
    assert sorted(lang for lang, _ in alternates) == ["en", "ko"]
    for lang, href in alternates:
        expected = other if (lang == "ko") != page.startswith("ko/") else page
        assert urlparse(href).path == f"/{expected}.html"
        assert _fetch(href), href


def test_the_switcher_opens_the_same_section_in_the_other_language(site, browser):
    english = PageVisit(browser, f"{site}/book/03-padding.html")
    # The reader has scrolled the section's heading to the top and read on a little.
    english.page.evaluate("document.getElementById('zero-padding').scrollIntoView(true)")
    english.page.evaluate("window.scrollBy(0, 40)")
    # A reader clicks the switcher where it is (the header is sticky); Playwright's own click
    # would first scroll the page to centre the link.
    with english.page.expect_navigation(wait_until="networkidle"):
        english.page.locator("a[data-edition-link]").first.evaluate("link => link.click()")
    korean = urlparse(english.page.url)
    assert (korean.path, korean.fragment) == ("/ko/book/03-padding.html", "zero-padding")
    heading = english.page.locator("section#zero-padding h2")
    assert heading.is_visible() and heading.evaluate(f"h => /{HANGUL}/.test(h.textContent)")
    assert english.page.evaluate("document.documentElement.lang") == "ko"

    with english.page.expect_navigation(wait_until="networkidle"):
        english.page.locator("a[data-edition-link]").first.evaluate("link => link.click()")
    back = urlparse(english.page.url)
    assert (back.path, back.fragment) == ("/book/03-padding.html", "zero-padding")
    english.page.close()


def test_the_switcher_names_the_other_language_in_its_own(site, visit):
    assert visit(f"{site}/book/01-convolution.html").page.locator(
        "a[data-edition-link]"
    ).all_inner_texts() == ["한국어"]
    assert visit(f"{site}/ko/book/01-convolution.html").page.locator(
        "a[data-edition-link]"
    ).all_inner_texts() == ["English"]


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("패딩", "book/03-padding"),
        ("스트라이드를", "book/04-strides"),
        ("최대 풀링", "book/05-max-pooling"),
        ("수용 영역", "book/02-why-convolutions"),
        ("Conv2D의", "book/01-convolution"),
    ],
)
def test_korean_search_finds_words_with_or_without_particles(site, browser, query, page):
    opened = PageVisit(browser, f"{site}/ko/search.html?q={quote(query)}")
    results = opened.page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    found = [urlparse(href).path for href in results.evaluate_all("as => as.map(a => a.href)")]
    opened.page.close()
    assert f"/ko/{page}.html" in found, f"{query!r} found {found}"


def test_korean_index_holds_words_without_their_particles(site):
    index = _fetch(f"{site}/ko/searchindex.js").decode()
    terms = json.loads(index[index.index("(") + 1 : index.rindex(")")])["terms"]
    assert "커널" in terms and "커널의" not in terms
    assert "필터" in terms and "필터를" not in terms


def test_korean_breaks_lines_between_words_in_a_korean_font(site, visit):
    opened = visit(f"{site}/ko/book/01-convolution.html")
    style = opened.page.evaluate(
        "getComputedStyle(document.querySelector('article.bd-article p')).wordBreak"
    )
    assert style == "keep-all"
    english = visit(f"{site}/book/01-convolution.html").page.evaluate(
        "getComputedStyle(document.querySelector('article.bd-article p')).wordBreak"
    )
    assert english == "normal"
    fonts = subprocess.run(
        [shutil.which("fc-list") or "fc-list", ":lang=ko", "family"],
        capture_output=True, text=True,
    ).stdout
    assert fonts.strip(), "no font with Hangul for the browser: sudo apt-get install fonts-nanum"


def test_korean_notebook_pages_say_the_launch_buttons_open_english(site, visit):
    korean = visit(f"{site}/ko/book/03-padding.html").page.locator(".edition-launch-note")
    assert korean.count() == 1 and "영어" in korean.inner_text()
    assert visit(f"{site}/book/03-padding.html").page.locator(".edition-launch-note").count() == 0


def test_korean_download_of_a_markdown_page_is_korean(site):
    korean = _fetch(f"{site}/ko/_sources/book/glossary.md").decode()
    title, body = korean.split("\n", 1)
    assert title.startswith("# ") and re.search(HANGUL, title), title
    assert "The terms this course uses" not in body
    assert korean.count("{term}") == (ROOT / "book" / "glossary.md").read_text("utf-8").count("{term}")


@pytest.mark.parametrize("chapter", sorted(p.stem for p in (ROOT / "book").glob("*.ipynb")))
def test_korean_download_is_the_notebook_with_korean_prose(site, chapter):
    page = _fetch(f"{site}/ko/book/{chapter}.html").decode()
    link = re.search(r'href="([^"]*_sources/[^"]*\.ipynb)"', page).group(1)  # the download button
    korean = json.loads(_fetch(f"{site}/ko/book/{link}"))
    nbformat.validate(nbformat.from_dict(korean))  # Jupyter opens it
    english = json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text("utf-8"))
    assert len(korean["cells"]) == len(english["cells"])
    for ko_cell, en_cell in zip(korean["cells"], english["cells"]):
        assert ko_cell["cell_type"] == en_cell["cell_type"]
        if en_cell["cell_type"] == "code":
            assert ko_cell["source"] == en_cell["source"]
            # Outputs are the same but for an animation's alt text, which is prose.
            assert _without_alts(ko_cell["outputs"]) == _without_alts(en_cell["outputs"])
        else:
            assert any("\uac00" <= c <= "\ud7a3" for c in "".join(ko_cell["source"])), (
                f"a markdown cell kept its English: {''.join(en_cell['source'])[:80]!r}"
            )
    assert english["metadata"] == korean["metadata"]
