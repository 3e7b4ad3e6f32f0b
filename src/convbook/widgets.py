"""The base of the interactive explorers: a widget layout, a message line, a stable text form.

Each chapter's explorer subclasses :class:`Explorer`: it builds its controls, lays them out in
:attr:`Explorer.view`, and redraws in :meth:`Explorer.update`. The base class gives every explorer
the same behaviour:

- Settings that cannot work (a kernel larger than the image, a stride of 0) raise ``ValueError``
  in ``update``; the explorer shows that message in red instead of a traceback and keeps the
  last good picture.
- In a notebook the explorer displays as its widgets, and its plain-text form is
  ``ClassName(setting=value, ...)``, the same on every run, so ``pytest --nbval`` can compare it
  (a widget's own text form lists every child widget and changes with unrelated defaults).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

__all__ = ["Explorer"]


class Explorer:
    """Base class of the explorers; see the module docstring."""

    def __init__(self, controls: list[widgets.Widget], picture: widgets.Widget) -> None:
        self.message = widgets.HTML(value="")
        self.view = widgets.VBox([*controls, self.message, picture])
        for control in controls:
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")

    # -- to implement -------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The current settings, shown in the explorer's text form."""
        raise NotImplementedError

    def update(self) -> None:
        """Redraw for the current settings; raise ``ValueError`` for impossible ones."""
        raise NotImplementedError

    # -- shared behaviour ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw now, showing any ``ValueError`` as the explorer's message."""
        try:
            self.update()
        except ValueError as problem:
            self.message.value = (
                f'<p role="alert" style="color:#b00020;margin:0.3em 0">'
                f"{html.escape(str(problem))}</p>"
            )
        else:
            self.message.value = ""

    @property
    def error(self) -> str:
        """The message shown for the current settings, or ``""`` when they are fine."""
        return html.unescape(self.message.value.split(">", 1)[-1].rsplit("<", 1)[0])

    def _on_change(self, _change: dict) -> None:
        self.refresh()

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.settings().items())
        return f"{type(self).__name__}({shown})"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.view._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle
