"""The explorers' shared machinery: bundling the JavaScript, moving arrays, colour tables, and
the page's language with each explorer's texts in English and Korean."""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_support import HANGUL, english_words, numbers_in
from js_support import call_js, run_js

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


ENTRIES = sorted(
    path.name for path in base.HERE.glob("*.js") if "export default" in path.read_text()
)
TEXTS = sorted(path.name for path in base.HERE.glob("*.text.js"))


@pytest.mark.parametrize("entry", ENTRIES)
def test_bundle_inlines_every_local_module_once_before_its_importers(entry):
    # Text tables (NAME.text.js) included: a module left out would break the page only.
    module = base.bundle(entry)
    assert not re.search(r"^import ", module, re.MULTILINE)
    included = re.findall(r"^// ---- ([\w.-]+\.js)$", module, re.MULTILINE)
    assert len(included) == len(set(included)) and included[-1] == entry
    for name in included:
        source = (base.HERE / name).read_text(encoding="utf-8")
        imported = re.findall(r'^import \{[^}]*\} from "\./([\w.-]+)";', source, re.MULTILINE)
        for dependency in imported:
            assert included.index(dependency) < included.index(name), (dependency, name)
    # Each explorer's texts travel with it.
    assert f"{entry.removesuffix('.js')}.text.js" in included


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


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_bundled_explorer_module_parses(entry, tmp_path):
    # Inlined files share one scope: a name declared in two of them only fails in the page.
    from js_support import node

    module = tmp_path / f"{entry}.mjs"
    module.write_text(base.bundle(entry), encoding="utf-8")
    checked = subprocess.run([node(), "--check", str(module)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr[-2000:]


# -- the page's language, and each explorer's texts in it ------------------------------------------

_PAGE_LANGUAGE = """
const { pageLanguage } = await import(new URL("common.js", EXPLORERS));
const asked = [];
const languages = DATA.map(([closest, documentLanguage]) => {
  globalThis.document = { documentElement: { lang: documentLanguage } };
  const holder = closest === null ? null : { getAttribute: (name) => name === "lang" && closest };
  return pageLanguage({ closest: (selector) => (asked.push(selector), holder) });
});
process.stdout.write(JSON.stringify({ languages, asked: [...new Set(asked)] }));
"""


def test_the_page_language_is_korean_for_korean_tags_only():
    korean = ["ko", "ko-KR", "KO-kr", "ko-Kore-KR"]
    others = ["en", "en-US", "", None, "kok", "de", "ja-KR", "korean", "x-ko"]
    picked = call_js("common.js", "languageOf", [[tag] for tag in korean + others])
    assert picked == ["ko"] * len(korean) + ["en"] * len(others)
    # The closest lang attribute around the widget decides; without one, the document's.
    cases = {
        (None, "ko"): "ko", (None, "ko-KR"): "ko", (None, "en"): "en", (None, ""): "en",
        ("ko", "en"): "ko", ("ko-KR", ""): "ko", ("en", "ko"): "en", ("en-GB", "ko-KR"): "en",
    }
    shown = run_js(_PAGE_LANGUAGE, [list(case) for case in cases])
    assert shown == {"languages": list(cases.values()), "asked": ["[lang]"]}


_TABLE = """
const module = await import(new URL(DATA.module, EXPLORERS));
const [table] = Object.values(module);
const parameters = (entry) => {
  const found = /^(?:\\(([^)]*)\\)|([\\w$]+))\\s*=>/.exec(entry.toString());
  return found && (found[1] ?? found[2]).split(",").map((name) => name.trim()).filter(Boolean);
};
const shape = (value) => {
  if (typeof value === "function") return { parameters: parameters(value) };
  if (typeof value === "string") return "text";
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, shape(entry)]));
};
const at = (language, path) => path.reduce((holder, key) => holder[key], table[language]);
const said = DATA.calls.map(([path, args]) =>
  ["en", "ko"].map((language) => {
    const entry = at(language, path);
    return typeof entry === "function" ? entry(...args) : entry;
  }),
);
process.stdout.write(JSON.stringify({
  exports: Object.keys(module).length, languages: Object.keys(table),
  en: shape(table.en), ko: shape(table.ko), said,
}));
"""

# What each parameter of a text function stands for, by its name; the sampled values.
_INTEGERS = {
    "index", "label", "digit", "last", "row", "col", "size", "count", "value", "side", "height",
    "width", "rows", "cols", "dy", "dx", "ty", "tx", "step", "compared", "k", "i", "n", "o",
    "padded", "before", "after", "window", "positions", "output", "low", "high", "missed", "top",
    "left", "leftover", "zeros", "channels", "channel", "stride", "mistake", "depth", "first",
    "most", "answer", "room", "amount", "down", "right", "run",
}
_MAYBE_INTEGERS = {"truth", "result"}  # or null
_FORMATTED = {"largest", "percent", "vmax", "peak", "total", "reach"}  # numbers as text
_PIECES = {  # names, typed text, values as Python writes them, texts of other entries
    "token", "kernel", "layer", "name", "shown", "what", "marks", "spelling", "conv", "show",
    "held", "network", "change", "target", "whose", "done",
}
_INTEGER_LISTS = {"starts", "unvisited", "others"}
_FLAGS = {"exact", "same", "agrees", "wrong", "correct", "isTruth"}
_CHOICES = {
    "axis": ["row", "column"], "part": ["input", "kernel"], "mode": ["max", "average"],
    "direction": ["down", "up", "right", "left"],
}
_SAMPLE_PIECES = [
    "conv1", "vertical edge", "convnet trained with shifts", "x", "1/0", "-0.5", "'full'",
    "(None, 5, 5, 1)", "Conv2D(1, 3, strides=2, padding='valid')", "test digits 0 to 15", "",
]


def _sampled(name: str, rng: random.Random) -> Any:
    if name in _INTEGERS:
        return rng.choice([0, 1, 2, rng.randint(-5, 30), rng.randint(3, 300)])
    if name in _MAYBE_INTEGERS:
        return None if rng.random() < 0.3 else rng.randint(0, 30)
    if name in _FORMATTED:
        return rng.choice([
            f"{rng.uniform(-20, 20):.2f}", f"{rng.random():.0%}", f"{rng.uniform(0, 5):.3f}",
            str(rng.randint(0, 900)),
        ])
    if name in _PIECES:
        return rng.choice(_SAMPLE_PIECES)
    if name in _INTEGER_LISTS:
        return [rng.randint(0, 40) for _ in range(rng.choice([0, 1, 2, 3, 4, 7]))]
    if name == "names":
        return rng.sample(_SAMPLE_PIECES[:5], rng.randint(1, 4))
    if name in _FLAGS:
        return rng.random() < 0.5
    if name in _CHOICES:
        return rng.choice(_CHOICES[name])
    raise AssertionError(f"no sampler for a text parameter named {name!r}: add it to this test")


def _entries(shape: dict, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """(path, "text" or {"parameters": [...]}) for every entry of a table, nested ones too."""
    found = []
    for key, entry in shape.items():
        if isinstance(entry, dict) and "parameters" not in entry:
            found += _entries(entry, (*path, key))
        else:
            found.append(((*path, key), entry))
    return found


@pytest.mark.parametrize("module", TEXTS)
def test_every_text_is_said_in_korean_with_the_same_numbers(module):
    """Each explorer's table of texts (NAME.text.js): the same entries in English and Korean;
    each Korean text has Hangul (or is code, like 'valid') and, for sampled numbers, every
    number of the English text, written the same way."""
    tables = run_js(_TABLE, {"module": module, "calls": []})
    assert tables["exports"] == 1 and tables["languages"] == ["en", "ko"]
    assert tables["ko"] == tables["en"], "the Korean table has other entries than the English"
    rng = random.Random(module)
    calls = []
    for path, entry in _entries(tables["en"]):
        if entry == "text":
            calls.append([list(path), []])
            continue
        names = entry["parameters"]
        assert names is not None and all(re.fullmatch(r"[A-Za-z]\w*", name) for name in names), (
            f"{path}: write text functions as (a, b) => ..., with plain parameters"
        )
        calls += [[list(path), [_sampled(name, rng) for name in names]] for _ in range(40)]
    said = run_js(_TABLE, {"module": module, "calls": calls})["said"]
    for (path, args), (english, korean) in zip(calls, said, strict=True):
        context = f"{'.'.join(path)}{tuple(args)}: {english!r} -> {korean!r}"
        assert isinstance(english, str) and isinstance(korean, str), context
        if not args:  # a fixed text: Korean, or code that both languages write alike
            assert HANGUL.search(korean) or not english_words(korean), context
        elif english == "":
            assert korean == "", context
        else:
            assert HANGUL.search(korean), context
            assert not numbers_in(english) - numbers_in(korean), context


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
