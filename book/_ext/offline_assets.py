"""Serve the book's browser scripts from the book itself, so that pages render with no network.

By default MyST-NB loads RequireJS and the ipywidgets HTML manager from CDNs, and Sphinx loads
MathJax from one. This extension points both at copies under ``_static/offline/`` and copies them
there from ``node_modules/``, which ``npm ci`` fills from the versions pinned in
``package-lock.json``; nothing is pasted into the repository.

The explorers are anywidget widgets: the widget manager asks RequireJS for the module
``anywidget``, which would otherwise come from a CDN. Its front-end module is copied from the
installed Python package (``anywidget/nbextension/index.js``), so the JavaScript always has the
Python package's version, and widgets-setup.js maps the module name to that copy.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NODE_MODULES = ROOT / "node_modules"
VENDOR = "offline"
#: The widget bundle and its icon fonts; widgets-setup.js points RequireJS at this folder.
WIDGETS = "jupyter-widgets"
FONT_SUFFIXES = {".woff2", ".woff", ".ttf", ".eot", ".svg"}

#: (source under node_modules/ or this folder, destination under _static/offline/)
FILES = [
    ("requirejs/require.js", "require.js"),
    ("@jupyter-widgets/html-manager/dist/embed-amd.js", f"{WIDGETS}/embed-amd.js"),
    ("mathjax/es5/tex-mml-chtml.js", "mathjax/tex-mml-chtml.js"),
]
#: anywidget's front-end module, from the installed Python package: (package, file, destination).
PACKAGED = [("anywidget", "nbextension/index.js", "anywidget/index.js")]
FOLDERS = [
    ("@jupyter-widgets/html-manager/dist", WIDGETS, FONT_SUFFIXES),
    ("mathjax/es5/output/chtml/fonts/woff-v2", "mathjax/output/chtml/fonts/woff-v2", {".woff"}),
]


def _use_local_copies(app: Sphinx, config: Config) -> None:
    config.mathjax_path = f"{VENDOR}/mathjax/tex-mml-chtml.js"
    # Loaded in this order on pages that show widgets.
    config.nb_ipywidgets_js = {
        f"{VENDOR}/require.js": {},
        f"{VENDOR}/widgets-setup.js": {},
        f"{VENDOR}/{WIDGETS}/embed-amd.js": {"data-jupyter-widgets-cdn": ""},
    }


def _copy_assets(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    missing = [source for source, _ in FILES if not (NODE_MODULES / source).is_file()]
    if missing:
        raise ExtensionError(
            f"the book's browser assets are missing from {NODE_MODULES} ({', '.join(missing)}): "
            "run `npm ci` in the repository root first"
        )
    target = Path(app.outdir) / "_static" / VENDOR
    for source, destination in FILES:
        (target / destination).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / source, target / destination)
    for package, source, destination in PACKAGED:
        (target / destination).parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(resources.files(package) / source) as path:
            shutil.copyfile(path, target / destination)
    shutil.copyfile(HERE / "widgets-setup.js", target / "widgets-setup.js")
    for source, destination, suffixes in FOLDERS:
        (target / destination).mkdir(parents=True, exist_ok=True)
        for file in (NODE_MODULES / source).iterdir():
            if file.suffix in suffixes:
                shutil.copyfile(file, target / destination / file.name)


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("config-inited", _use_local_copies, priority=100)
    app.connect("builder-inited", _copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
