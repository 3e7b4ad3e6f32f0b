"""What every explorer shares: a widget whose picture is computed and drawn in the browser.

An explorer is an `anywidget <https://anywidget.dev>`_ widget. Its JavaScript module (a ``.js``
file beside its Python) builds the controls, computes what they ask for and draws it; its Python
class holds the data and the settings as synced traits. So the same widget works in three places:

- in JupyterLab and on Binder, where Python can read and set every setting;
- in the HTML book, with no kernel: the saved widget state carries the JavaScript and the data,
  and the page redraws by itself;
- in tests, where :meth:`Explorer.check` and :meth:`Explorer.reference` compute, with the NumPy
  reference operations, what the page must show, and the browser tests compare the two.

The JavaScript of one explorer may import from other ``.js`` files of this folder
(``import { a, b } from "./common.js";``), among them its texts: ``NAME.text.js`` holds every text
the explorer shows, in English and in Korean, and the explorer picks the page's language when it
renders (``pageLanguage`` in common.js), so that the same saved widget speaks English in JupyterLab
and on the English pages, Korean on the Korean edition's. :func:`bundle` inlines those files, so
that the widget state holds one self-contained module and the book needs no extra file to serve.
The Python side (:meth:`Explorer.check`, :meth:`Explorer.reference`) stays in English: it is the
definition the tests compare the English texts with.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path
from typing import Any

import anywidget
import matplotlib
import numpy as np
import traitlets

__all__ = ["HERE", "Explorer", "bundle", "colour_table", "decode_array", "encode_array"]

HERE = Path(__file__).resolve().parent

#: ``import { a, b } from "./file.js";`` on a line of its own: the only import form bundled.
_IMPORT = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"\./([\w.-]+\.js)";[ \t]*\n?', re.MULTILINE)
_EXPORT = re.compile(r"^export\s+(?=(?:async\s+)?(?:function|const|let|class)\b)", re.MULTILINE)


@cache
def bundle(entry: str) -> str:
    """The ES module ``entry`` (a file name in this folder) with its local imports inlined.

    Each imported file is included once, before the files that import it, with its ``export``
    keywords removed; the entry keeps its own exports (``export default { render }``).
    """
    included: list[Path] = []
    parts: list[str] = []

    def include(path: Path, is_entry: bool) -> None:
        if not path.is_file():
            raise FileNotFoundError(f"explorer module {path.name} is missing from {HERE}")
        text = path.read_text(encoding="utf-8")
        for dependency in _IMPORT.findall(text):
            dependency_path = HERE / dependency
            if dependency_path not in included:
                included.append(dependency_path)
                include(dependency_path, is_entry=False)
        body = _IMPORT.sub("", text)
        if not is_entry:
            body = _EXPORT.sub("", body)
        parts.append(f"// ---- {path.name}\n{body.strip()}\n")

    include(HERE / entry, is_entry=True)
    return "\n".join(parts)


@cache
def colour_table(cmap: str) -> str:
    """A matplotlib colour map as 256 colours, ``rrggbb`` each, in one string.

    The explorers colour their pictures from these tables, so a picture in the browser uses the
    same colours as the matplotlib figures of the chapters.
    """
    rgb = matplotlib.colormaps[cmap](np.linspace(0.0, 1.0, 256))[:, :3]
    return "".join(f"{r:02x}{g:02x}{b:02x}" for r, g, b in np.round(rgb * 255).astype(int))


def encode_array(values: np.ndarray, dtype: str) -> str:
    """Little-endian bytes of ``values`` as ``dtype`` (``"uint8"``, ``"float32"``), base64-encoded.

    The JavaScript side decodes it with ``decodeArray`` (common.js) into a typed array.
    """
    data = np.ascontiguousarray(np.asarray(values), dtype=np.dtype(dtype).newbyteorder("<"))
    return base64.b64encode(data.tobytes()).decode("ascii")


def decode_array(text: str, dtype: str, shape: tuple[int, ...] | list[int]) -> np.ndarray:
    """The inverse of :func:`encode_array`: the array exactly as the browser decodes it."""
    data = np.frombuffer(base64.b64decode(text), dtype=np.dtype(dtype).newbyteorder("<"))
    return data.reshape(tuple(shape)).astype(dtype)


class Explorer(anywidget.AnyWidget):
    """Base class of the explorers.

    A subclass sets ``_esm = bundle("its-module.js")``, declares its settings as traits tagged
    ``sync=True``, and implements:

    - :meth:`settings`: the current settings, shown in the explorer's text form;
    - :meth:`check`: the message the explorer shows for impossible settings (``""`` when they
      are fine), the same sentence the JavaScript writes;
    - :meth:`reference`: what the picture shows for the current settings, computed with the
      NumPy reference operations, in the form the page reports it (see ``report`` in common.js).

    Its text form is ``ClassName(setting=value, ...)``, the same on every run, so that
    ``pytest --nbval`` can compare it.
    """

    _css = traitlets.Unicode((HERE / "explorers.css").read_text(encoding="utf-8")).tag(sync=True)
    #: Colour tables by name (see :func:`colour_table`); a subclass lists the maps it draws with.
    colour_maps: tuple[str, ...] = ("gray_r",)
    palette = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.palette = {name: colour_table(name) for name in self.colour_maps}
        self._restore()

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Explorer:
        """The explorer that a saved widget state describes (the state a book page holds).

        The tests rebuild each explorer of a chapter this way, from the notebook's
        ``metadata.widgets``, and compute in Python what the page must show.
        """
        names = {
            name for name in cls.class_trait_names(sync=True)
            if not name.startswith("_") and name not in ("layout", "tabbable", "tooltip", "palette")
        }
        explorer = cls.__new__(cls)
        Explorer.__init__(explorer, **{key: value for key, value in state.items() if key in names})
        return explorer

    def _restore(self) -> None:
        """Derive what Python computes with from the synced traits (decoded arrays, say)."""

    # -- to implement -------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The current settings, shown in the explorer's text form."""
        raise NotImplementedError

    def check(self) -> str:
        """The message for the current settings, or ``""`` when they give a picture."""
        raise NotImplementedError

    def reference(self) -> dict[str, Any]:
        """What the page shows for the current settings, computed in Python."""
        raise NotImplementedError

    # -- shared behaviour ---------------------------------------------------------------------
    @property
    def error(self) -> str:
        """The message shown for the current settings, or ``""`` when they are fine."""
        return self.check()

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.settings().items())
        return f"{type(self).__name__}({shown})"
