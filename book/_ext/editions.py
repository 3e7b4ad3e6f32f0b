"""The book's language editions in one site: English at the root, each translation under its code.

``python -m tools.editions build`` builds every edition listed in ``locales/`` and sets the config
value ``editions`` (``["en", "ko"]``) for each build; a plain ``jupyter-book build .`` leaves it
empty and builds the English book alone, with no links to editions that do not exist. With
more than one edition, every page of every edition gets

- ``<link rel="alternate" hreflang=...>`` to the same page in each edition, and
- a language switcher in the article header (``book/_templates/edition-switcher.html``) that
  opens the same page in the other language at the section the reader is looking at
  (``_static/editions/editions.js``; section ids are the English ones in every edition).

A translated edition also gets

- downloads in its language: the ``.ipynb`` and ``.md`` files offered by the download button are
  rewritten from the page's catalogue, so a Korean reader downloads a notebook with Korean prose
  (code, outputs and widget state unchanged); a message of the catalogue that matches no text
  of its page is reported as a warning, which fails the strict build;
- a note on notebook pages that the launch buttons (Binder, live code) open the English notebook,
  which is the one in the repository;
- typography for its script (``_static/editions/editions.css``: Korean breaks lines between
  words, not inside them).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from babel.messages.pofile import read_po
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
SOURCE_LANGUAGE = "en"
#: Each edition's name, written in its own language, as the switcher shows it.
EDITION_NAMES = {"en": "English", "ko": "한국어"}

logger = logging.getLogger(__name__)


def language_of(app: Sphinx) -> str:
    return app.config.language or SOURCE_LANGUAGE


def edition_href(pagename: str, current: str, target: str) -> str:
    """The relative address of ``pagename`` in edition ``target``, seen from edition ``current``."""
    up = "../" * pagename.count("/") + ("" if current == SOURCE_LANGUAGE else "../")
    prefix = "" if target == SOURCE_LANGUAGE else f"{target}/"
    return f"{up}{prefix}{pagename}.html"


def _link_editions(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    editions = list(app.config.editions)
    current = language_of(app)
    if len(editions) < 2 or current not in editions:
        context["edition_links"] = []
        return
    links = [
        {
            "lang": lang,
            "name": EDITION_NAMES.get(lang, lang),
            "href": edition_href(pagename, current, lang),
            "current": lang == current,
        }
        for lang in editions
    ]
    context["edition_links"] = links
    alternates = "".join(
        f'<link rel="alternate" hreflang="{link["lang"]}" href="{link["href"]}" />\n'
        for link in links
    )
    context["metatags"] = context.get("metatags", "") + alternates


def _note_english_launch(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """On a translated notebook page, say that the launch buttons open the English notebook."""
    notebook = context.get("page_source_suffix") == ".ipynb"
    if language_of(app) == SOURCE_LANGUAGE or not notebook or "body" not in context:
        return
    if not any(button.get("label") == "launch-buttons" for button in context.get("header_buttons", [])):
        return
    note = app.builder.templates.render("edition-launch-note.html", context)
    context["body"] = note + context["body"]


# -- Downloads in the edition's language ----------------------------------------------------


@dataclass(frozen=True)
class PageCatalogue:
    """One page's translations: (English, translation) pairs, longest English first."""

    pairs: list[tuple[str, str]]

    @classmethod
    def read(cls, path: Path, skip: frozenset[str] = frozenset()) -> PageCatalogue:
        """The usable translations of a ``.po`` file, leaving out the messages in ``skip``."""
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        pairs = [
            (str(entry.id), str(entry.string))
            for entry in catalogue
            if entry.id
            and entry.string
            and not entry.fuzzy
            and entry.string != entry.id
            and str(entry.id) not in skip
        ]
        return cls(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def _pattern(message: str) -> re.Pattern[str]:
    # A message is one block's text with its line breaks and indentation folded into single
    # spaces; the source may wrap the same words over lines (a list item, a definition).
    words = [re.escape(word) for word in message.split()]
    return re.compile(r"\s+".join(words))


def translate_text(text: str, catalogue: PageCatalogue) -> tuple[str, set[str]]:
    """Replace every message of ``catalogue`` found in ``text``; return the text and the messages
    found. Longer messages are replaced first, and a replaced text is never matched again."""
    found: set[str] = set()
    pieces: list[str] = []

    def hold(translation: str) -> str:
        pieces.append(translation)
        return f"\x00{len(pieces) - 1}\x00"

    for english, translation in catalogue.pairs:
        text, count = _pattern(english).subn(lambda _match, t=translation: hold(t), text)
        if count:
            found.add(english)
    return re.sub(r"\x00(\d+)\x00", lambda match: pieces[int(match.group(1))], text), found


_HTML_ALT = re.compile(r'alt="([^"]+)"')


def _translate_html_alts(text: str, catalogue: PageCatalogue, found: set[str]) -> str:
    """``text`` (HTML) with each ``alt`` attribute that the catalogue translates translated."""
    translations = dict(catalogue.pairs)

    def translated(match: re.Match[str]) -> str:
        english = html.unescape(match.group(1))
        if english not in translations:
            return match.group(0)
        found.add(english)
        return f'alt="{html.escape(translations[english])}"'

    return _HTML_ALT.sub(translated, text)


def translate_notebook(notebook: dict, catalogue: PageCatalogue) -> tuple[dict, set[str]]:
    """A copy of ``notebook`` with its markdown cells and the alt texts of its figures and
    animations translated; code and the rest of the outputs are left as they are."""
    found: set[str] = set()
    translated = json.loads(json.dumps(notebook))
    for cell in translated["cells"]:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html")
            if page is not None:
                text = _translate_html_alts("".join(page), catalogue, found)
                output["data"]["text/html"] = text.splitlines(keepends=True)
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            text, hits = translate_text(source, catalogue)
            cell["source"] = text.splitlines(keepends=True)
            found |= hits
        image = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
        if image.get("alt"):
            image["alt"], hits = translate_text(image["alt"], catalogue)
            found |= hits
    return translated, found


def toc_captions(toc_file: Path) -> frozenset[str]:
    """The part captions of a Jupyter Book table of contents: messages of the root page that
    its source does not contain."""
    def captions(node: Any) -> set[str]:
        if isinstance(node, dict):
            found = {node["caption"]} if isinstance(node.get("caption"), str) else set()
            return found.union(*(captions(value) for value in node.values()))
        if isinstance(node, list):
            return set().union(*(captions(item) for item in node))
        return set()

    return frozenset(captions(yaml.safe_load(toc_file.read_text("utf-8"))))


def _translate_downloads(app: Sphinx, exception: Exception | None) -> None:
    language = language_of(app)
    if exception is not None or language == SOURCE_LANGUAGE or app.builder.format != "html":
        return
    skip = toc_captions(Path(app.srcdir, app.config.external_toc_path))
    sources = Path(app.outdir, "_sources")
    directories = [Path(app.srcdir, d) for d in app.config.locale_dirs]
    for docname in sorted(app.env.found_docs):
        domain = docname_to_domain(docname, app.config.gettext_compact)
        po_files = [d / language / "LC_MESSAGES" / f"{domain}.po" for d in directories]
        po_file = next((p for p in po_files if p.is_file()), None)
        source = Path(app.env.doc2path(docname))
        download = sources / f"{docname}{source.suffix}"
        if po_file is None or not download.is_file():
            continue
        catalogue = PageCatalogue.read(po_file, skip)
        # From the English source, not the copy: an incremental build keeps last build's copy.
        if source.suffix == ".ipynb":
            notebook, found = translate_notebook(json.loads(source.read_text("utf-8")), catalogue)
            download.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", "utf-8")
        else:
            text, found = translate_text(source.read_text("utf-8"), catalogue)
            download.write_text(text, "utf-8")
        for english, _ in catalogue.pairs:
            if english not in found:
                logger.warning(
                    "%s: the translated download keeps this English text, which the page's "
                    "source does not contain as one block: %r",
                    po_file.name,
                    english[:80],
                    location=docname,
                )


def _add_static(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("editions/editions.css")
    app.add_js_file("editions/editions.js", loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("editions", [], "html", list)
    app.connect("builder-inited", _add_static)
    app.connect("html-page-context", _link_editions)
    app.connect("html-page-context", _note_english_launch, priority=600)
    app.connect("build-finished", _translate_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
