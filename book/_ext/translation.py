"""What Sphinx's gettext translation leaves out of a Jupyter Book, filled in for the Korean edition.

Sphinx translates a page's paragraphs, headings, lists, tables and admonitions from the catalogue
``locales/<language>/LC_MESSAGES/<page>.po`` in its Locale transform. Three kinds of text a reader
sees are not there yet when that transform runs, so they are neither extracted nor translated:

- the captions of the table of contents' parts, which sphinx-external-toc inserts later (its
  transform has priority 100, Locale has 20);
- the alt texts of figures, which MyST-NB reads from cell metadata when it picks an output's
  image (a post-transform, priority 4), long after Locale has run, and those of animations,
  written into their HTML output (``convbook.plotting.animation_html``);
- and, the other way round, a ``text/latex`` output would become a 40-line "message" of LaTeX
  in the catalogue if the gettext builder picked it, so it never does.

Sphinx's gettext builder extracts the captions (from the toctrees' ``rawcaption``); this
extension makes it extract the alt texts too (it sees the images, not their text, and for an
animation's HTML it is given the alt text as a paragraph), and applies the translations with the
same catalogue and the same rules as Sphinx (no entry, an empty one or a fuzzy one leaves the
English). The theme's own strings are theme_strings.py's.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.i18n import docname_to_domain

# Output types the gettext builder picks: images and HTML (their alt texts are messages) before
# plain text, and never LaTeX. Lower numbers win; None removes the type.
GETTEXT_MIME_PRIORITY = [
    ("gettext", "image/png", 1),
    ("gettext", "image/svg+xml", 2),
    ("gettext", "image/jpeg", 3),
    ("gettext", "text/html", 4),
    ("gettext", "text/latex", None),
]


def _translator(transform: SphinxTransform) -> Any | None:
    """The page's catalogue, or None when the build is not a translated one."""
    config = transform.config
    if not config.language or config.language == "en" or transform.app.builder.name == "gettext":
        return None
    directories = [str(Path(transform.app.srcdir, d)) for d in config.locale_dirs]
    domain = docname_to_domain(transform.env.docname, config.gettext_compact)
    catalogue, found = init_locale(directories, config.language, domain)
    return catalogue if found else None


class TranslateTocCaptions(SphinxTransform):
    """Translate the part captions that sphinx-external-toc puts into the root page's toctrees."""

    default_priority = 101  # just after sphinx-external-toc's InsertToctrees (100)

    def apply(self, **kwargs: Any) -> None:
        catalogue = _translator(self)
        for toctree in self.document.findall(addnodes.toctree):
            caption = toctree.get("caption")
            if not caption:
                continue
            if catalogue is not None:
                toctree["caption"] = catalogue.gettext(caption)


_HTML_ALT = re.compile(r'alt="([^"]+)"')


def _html_outputs(document: nodes.document) -> list[nodes.raw]:
    return [raw for raw in document.findall(nodes.raw) if "html" in raw.get("format", "").split()]


class TranslateAltTexts(SphinxPostTransform):
    """Translate the alt text of every image and HTML output MyST-NB rendered from a notebook."""

    default_priority = 5  # after MyST-NB's SelectMimeType (4) has turned outputs into nodes

    def run(self, **kwargs: Any) -> None:
        if self.app.builder.name == "gettext":
            self._extract_html_alts()
            return
        catalogue = _translator(self)
        if catalogue is None:
            return
        for image in self.document.findall(nodes.image):
            if image.get("alt"):
                image["alt"] = catalogue.gettext(image["alt"])
        for raw in _html_outputs(self.document):
            def translated(match: re.Match[str]) -> str:
                english = html.unescape(match.group(1))
                return f'alt="{html.escape(catalogue.gettext(english))}"'

            text = _HTML_ALT.sub(translated, raw.astext())
            raw.replace_self(nodes.raw(text, text, format=raw["format"]))

    def _extract_html_alts(self) -> None:
        # The gettext builder takes a paragraph's text as a message; the paragraph is never shown.
        for raw in _html_outputs(self.document):
            for match in _HTML_ALT.finditer(raw.astext()):
                alt = html.unescape(match.group(1))
                holder = nodes.paragraph(alt, alt)
                holder.source, holder.line = raw.source or self.document["source"], raw.line
                holder.uid = ""  # the gettext builder skips nodes without one (as Sphinx's toctrees)
                self.document.append(holder)


def _configure(app: Sphinx, config: Config) -> None:
    config.nb_mime_priority_overrides = [
        *config.nb_mime_priority_overrides,
        *GETTEXT_MIME_PRIORITY,
    ]


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("config-inited", _configure)
    app.add_transform(TranslateTocCaptions)
    app.add_post_transform(TranslateAltTexts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
