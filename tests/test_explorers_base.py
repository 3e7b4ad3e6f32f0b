"""The explorers' shared machinery: bundling the JavaScript, moving arrays, colour tables."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from js_support import call_js

from convbook.explorers import base

ROOT = Path(__file__).resolve().parents[1]


def test_bundle_inlines_local_imports_once_and_keeps_the_entry_exports():
    module = base.bundle("convolution.js")
    assert "import {" not in module
    assert module.count("// ---- common.js") == 1
    assert module.index("// ---- common.js") < module.index("// ---- convolution.js")
    common = module.split("// ---- convolution.js")[0]
    assert not re.search(r"^export ", common, re.MULTILINE)  # inlined code exports nothing
    assert "export default { render }" in module


def test_bundle_names_a_missing_module():
    with pytest.raises(FileNotFoundError, match="no-such-explorer.js"):
        base.bundle("no-such-explorer.js")


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_arrays_survive_the_trip_to_the_browser_and_back(dtype):
    rng = np.random.default_rng(0)
    values = rng.integers(0, 256, size=(3, 4, 5)) if dtype == "uint8" else rng.normal(size=(7, 3))
    text = base.encode_array(values, dtype)
    back = base.decode_array(text, dtype, values.shape)
    np.testing.assert_array_equal(back, values.astype(dtype))
    (decoded,) = call_js("common.js", "decodeArray", [[text, dtype]])
    # Node decodes the same numbers (float32 values are exact in a float64 JSON number).
    np.testing.assert_array_equal(np.asarray(decoded, dtype=dtype), values.astype(dtype).ravel())


def test_colour_tables_are_matplotlibs_and_the_page_picks_the_same_bin():
    table = base.colour_table("viridis")
    assert len(table) == 256 * 6 and table[:6] == "440154" and table[-6:] == "fde725"
    samples = [[v / 100] for v in range(-20, 121)]
    picked = call_js("common.js", "colourOf", [[list(_hexes(table)), v, 0.0, 1.0] for [v] in samples])
    import matplotlib

    expected = [matplotlib.colors.to_hex(matplotlib.colormaps["viridis"](min(max(v, 0.0), 1.0)))
                for [v] in samples]
    assert picked == expected


def _hexes(table: str) -> list[str]:
    return [f"#{table[i:i + 6]}" for i in range(0, len(table), 6)]


def test_python_and_javascript_format_percentages_and_thousands_alike():
    values = [0.0, 0.005, 0.015, 0.125, 0.5, 0.9951, 0.99999, 1.0, 0.3333, 0.675]
    assert call_js("common.js", "formatPercent", [[v] for v in values]) == [f"{v:.0%}" for v in values]
    numbers = [0, 7, 999, 1000, 12345, -1234567, 104202]
    assert call_js("common.js", "formatThousands", [[n] for n in numbers]) == [f"{n:,}" for n in numbers]


ENTRIES = sorted(
    path.name for path in base.HERE.glob("*.js") if "export default" in path.read_text()
)


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_bundled_explorer_module_parses(entry, tmp_path):
    # Inlined files share one scope: a name declared in two of them only fails in the page.
    from js_support import node

    module = tmp_path / f"{entry}.mjs"
    module.write_text(base.bundle(entry), encoding="utf-8")
    checked = subprocess.run([node(), "--check", str(module)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr[-2000:]


def _class_default(cls, name: str) -> str:
    value = getattr(cls, name)
    return value.default_value if hasattr(value, "default_value") else str(value)


@pytest.mark.parametrize("notebook", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_carry_the_current_explorer_code(notebook):
    """The book serves the JavaScript and CSS saved in each notebook: they must be today's."""
    import importlib

    from browser_support import saved_states

    for state in saved_states(notebook):
        module, _, name = state["_anywidget_id"].rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        assert state["_esm"] == _class_default(cls, "_esm"), (
            f"{notebook.name}: {name}'s saved JavaScript is stale; re-execute the notebook"
        )
        assert state["_css"] == _class_default(cls, "_css"), (
            f"{notebook.name}: {name}'s saved CSS is stale; re-execute the notebook"
        )
