"""The theme's words in the book's language: what the theme's own catalogues leave in English.

sphinx-book-theme and pydata-sphinx-theme ship Korean catalogues that miss strings this book
shows ("Skip to main content", "Launch interactive content", ...), write a few words into their
templates with no translation at all (``aria-label="Main"``, the sidebar toggles' titles), and
sphinx-copybutton's script has no Korean messages; matplotlib's animation player, stored in the
notebooks' outputs, labels its buttons in English. Our catalogues for them are in
``locales/theme/<language>/LC_MESSAGES/`` (``sphinx.po`` for the templates' domain,
``booktheme.po`` for sphinx-book-theme's). This extension compiles them, loads them after the
theme's own (so they only fill gaps), and in a translated build's written pages replaces the
untranslatable words listed in :data:`PAGE_STRINGS` and adds the language to copybutton.js.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import get_translation

ROOT = Path(__file__).resolve().parents[2]
THEME_LOCALES = ROOT / "locales" / "theme"
DOMAINS = ("sphinx", "booktheme")
#: Words written in English whatever the language, by the theme's templates and by matplotlib's
#: animation player (stored in the notebooks' outputs): (attributes, text).
PAGE_STRINGS = [
    (("aria-label",), "Main"),
    (("aria-label",), "Page"),
    (("title",), "Toggle primary sidebar"),
    (("title",), "Toggle secondary sidebar"),
    (("alt",), "Binder logo"),
    (("aria-label",), "Frame"),
    *(
        (("title", "aria-label"), control)
        for control in (
            "First frame", "Previous frame", "Play backwards", "Pause", "Play", "Next frame",
            "Last frame", "Decrease speed", "Increase speed", "Repetition mode",
        )
    ),
]
#: sphinx-copybutton's message keys and their English.
COPYBUTTON_MESSAGES = {
    "copy": "Copy",
    "copy_to_clipboard": "Copy to clipboard",
    "copy_success": "Copied!",
    "copy_failure": "Failed to copy",
}


def _translated(config: Config) -> bool:
    return bool(config.language) and config.language != "en"


def _compile(language: str) -> None:
    for po_file in (THEME_LOCALES / language / "LC_MESSAGES").glob("*.po"):
        mo_file = po_file.with_suffix(".mo")
        if not mo_file.exists() or mo_file.stat().st_mtime < po_file.stat().st_mtime:
            with po_file.open("rb") as source, mo_file.open("wb") as target:
                write_mo(target, read_po(source))


def _load_catalogues(app: Sphinx, config: Config) -> None:
    if not _translated(config) or not (THEME_LOCALES / config.language).is_dir():
        return
    _compile(config.language)
    for domain in DOMAINS:
        app.add_message_catalog(domain, str(THEME_LOCALES))


def _translate_written_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or not _translated(app.config):
        return
    translate = get_translation("sphinx")
    replacements = {
        f'{attribute}="{text}"': f'{attribute}="{translate(text)}"'
        for attributes, text in PAGE_STRINGS
        for attribute in attributes
    }
    for page in Path(app.outdir).rglob("*.html"):
        html = page.read_text("utf-8")
        changed = html
        for english, translated in replacements.items():
            changed = changed.replace(english, translated)
        if changed != html:
            page.write_text(changed, "utf-8")
    copybutton = Path(app.outdir, "_static", "copybutton.js")
    if copybutton.is_file():
        messages = {key: translate(text) for key, text in COPYBUTTON_MESSAGES.items()}
        script = copybutton.read_text("utf-8")
        marker = "const messages = {"
        entry = f"\n  {json.dumps(app.config.language)}: {json.dumps(messages, ensure_ascii=False)},"
        if marker in script and entry not in script:
            copybutton.write_text(script.replace(marker, marker + entry, 1), "utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _load_catalogues)
    app.connect("build-finished", _translate_written_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
