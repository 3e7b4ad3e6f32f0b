"""Small corrections to the HTML that Sphinx and its extensions write, each found by the browser
tests (tests/test_book_browser.py) and fixed here at the point where the page is assembled.

- sphinx-thebe 0.3.1 registers its inline configuration script (``const THEBE_JS_URL = ...``)
  once per read phase, so a page can carry it twice and the browser reports "Identifier
  'THEBE_JS_URL' has already been declared". Each page keeps one copy of every script.
- docutils marks each bibliography entry ``role="doc-biblioentry"`` inside a ``role="list"``
  container; a list may only hold list items (axe: aria-required-children, critical), so the
  entries become ``role="listitem"``.
- MyST-NB labels the toggle of a hidden cell "Toggle hidden content" while it shows "Show the
  solution"; a name that leaves out the visible text breaks WCAG 2.5.3 (axe:
  label-content-name-mismatch, serious), so the toggle is named by its visible text.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _script_key(script: Any) -> tuple:
    # The same script registered twice (filename None or "", any priority) is one script.
    attributes = getattr(script, "attributes", {})
    return script.filename or "", tuple(sorted((k, str(v)) for k, v in attributes.items()))


def _fix_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if scripts:
        seen: set[tuple] = set()
        unique = []
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique  # in place: later handlers append to this same list
    if "body" in context:
        context["body"] = (
            context["body"]
            .replace('role="doc-biblioentry"', 'role="listitem"')
            .replace('<summary aria-label="Toggle hidden content">', "<summary>")
        )


def setup(app: Sphinx) -> dict[str, bool]:
    # Early: Sphinx stops calling html-page-context handlers at the first that returns a value.
    app.connect("html-page-context", _fix_page, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
