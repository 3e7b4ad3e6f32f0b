"""The padding and stride explorer: its Python side, its JavaScript twin functions, the live pages.

Three layers of checks, each able to fail on its own:

1. Python: the settings, the messages for impossible settings, the reference picture
   (:meth:`GeometryExplorer.reference`) against :func:`convbook.geometry.axis_geometry`, and the
   table of Keras' answers against real Keras layers.
2. Node: the JavaScript functions that compute (the geometry, the formula line, the Keras
   spelling, everything the explorer shows) against their Python definitions on many sampled
   settings, impossible ones included.
3. Browser: the explorer on the built pages of chapters 3 and 4, driven through its controls at
   many sampled settings, shows what Python computes from the saved state; on the Korean
   edition's pages, it shows the same in Korean.
"""

from __future__ import annotations

import functools
import itertools
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_support import assert_shown_in_korean, open_both_editions, saved_states
from js_support import call_js

from convbook import geometry, ops, style
from convbook.explorers import GeometryExplorer
from convbook.explorers.base import bundle, colour_table
from convbook.explorers.geometry import LIMITS, PADDINGS, keras_table, window_problem

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("03-padding", "04-strides")
CLASS = "convbook.explorers.geometry.GeometryExplorer"
SETTINGS = ("input_size", "kernel_size", "padding", "zeros", "stride", "window")


def _state(explorer: GeometryExplorer) -> dict[str, Any]:
    return {name: getattr(explorer, name) for name in explorer.keys}


@functools.cache
def _default_state() -> dict[str, Any]:
    return _state(GeometryExplorer())


def _explorer_with(**settings: Any) -> GeometryExplorer:
    """An explorer with exactly these settings, even impossible ones (as a page may hold)."""
    return GeometryExplorer.from_state({**_default_state(), **settings})


def _axis_cases(count: int, seed: int) -> list[tuple[Any, Any, Any, Any]]:
    """(i, k, s, padding) as a test might try them: mostly sensible, some impossible."""
    rng = random.Random(seed)
    paddings: list[Any] = ["valid", "same", "full", "SAME", "half", -1, 0, 1, 2, 3, 5]
    return [
        (rng.randint(-1, 16), rng.randint(-1, 10), rng.randint(-1, 7), rng.choice(paddings))
        for _ in range(count)
    ]


def _random_settings(rng: random.Random, wide: bool = False) -> dict[str, Any]:
    """One setting of every control, within the controls' ranges (or a step past, if wide)."""
    past = 1 if wide else 0
    return {
        "input_size": rng.randint(1 - past, 13 + past),
        "kernel_size": rng.randint(1, 8 + past),
        "padding": rng.choice(PADDINGS),
        "zeros": rng.randint(0, 4 + past),
        "stride": rng.randint(0, 5),
        "window": rng.choice([0, 0, rng.randint(1, 9), rng.randint(-1, 500)]),
    }


# -- 1. the Python side -----------------------------------------------------------------------


def test_settings_text_form_and_the_bundled_module():
    explorer = GeometryExplorer(input_size=6, kernel_size=3, padding="same")
    assert repr(explorer) == (
        "GeometryExplorer(input_size=6, kernel_size=3, padding='same', stride=1, window=0)"
    )
    assert repr(GeometryExplorer(padding=2, stride=3, window=4)) == (
        "GeometryExplorer(input_size=7, kernel_size=3, padding=2, stride=3, window=4)"
    )
    assert explorer._repr_mimebundle_()[0]["text/plain"] == repr(explorer)
    # The module travels whole: common.js is inlined, nothing is imported at run time.
    assert "import {" not in explorer._esm and "export default" in explorer._esm
    assert explorer._esm == bundle("geometry.js")
    assert explorer.palette["Oranges"] == colour_table("Oranges")
    # The browser draws in the colours of the chapters' matplotlib figures: the book's visual
    # language (convbook.style) and the few the geometry pictures add.
    assert explorer.colours == {
        "padding": style.PADDING_COLOUR, "input": geometry.INPUT_COLOUR,
        "unvisited": style.UNVISITED_COLOUR, "window": style.WINDOW_COLOUR,
        "output": style.OUTPUT_COLOUR, "centre": geometry.CENTRE_COLOUR,
        "outline": geometry.OUTLINE_COLOUR, "zero": geometry.ZERO_COLOUR,
    }
    assert explorer.limits == [list(limit) for limit in LIMITS]


def test_construction_refuses_settings_the_controls_cannot_show():
    with pytest.raises(ValueError, match="input size i goes from 1 to 13, so 28 is out of range"):
        GeometryExplorer(input_size=28)
    with pytest.raises(ValueError, match="explicit zeros p goes from 0 to 4, so 5 is out"):
        GeometryExplorer(padding=5)
    with pytest.raises(ValueError, match="The padding is 'valid', 'same', 'full' or 'explicit'"):
        GeometryExplorer(padding="half")


def test_reference_is_axis_geometry_at_every_setting_of_the_controls():
    """Every possible setting the sliders reach (window 0 and the last window)."""
    explorer = GeometryExplorer()
    for i, k, padding, s in itertools.product(
        range(1, 14), range(1, 9), ["valid", "same", "full", 0, 2, 4], range(1, 6)
    ):
        explorer.window = 0
        explorer.input_size, explorer.kernel_size, explorer.stride = i, k, s
        explorer.padding, explorer.zeros = (
            ("explicit", padding) if isinstance(padding, int) else (padding, 1)
        )
        try:
            g = geometry.axis_geometry(i, k, s, padding)
        except ValueError as problem:
            assert explorer.reference() == {"message": str(problem)}
            continue
        o = g.output_size
        for window in (0, o * o):
            explorer.window = window
            shown = explorer.reference()
            assert shown["message"] == "" and shown["output"] == o
            assert (shown["before"], shown["after"], shown["padded"]) == (
                g.before, g.after, g.padded_size
            )
            assert shown["starts"] == list(g.starts) and shown["leftover"] == g.leftover
            assert shown["unvisited"] == list(g.unvisited)
            assert shown["coverage"] == geometry.coverage(g).ravel().tolist()
            assert shown["lines"][1] == geometry.formula_text(g)
            assert shown["keras"] == o and shown["agrees"], (i, k, s, padding)
            assert shown["dots"] == (0 if window else o * o)
            assert shown["outlined"] == [g.starts[-1] if window else 0] * 2


def test_the_book_settings_in_words():
    shown = GeometryExplorer(input_size=8, kernel_size=3, stride=2).reference()
    assert shown["lines"] == [
        "padding: no padding",
        (
            "o = floor((i + 2p - k) / s) + 1 = floor((8 + 2*0 - 3) / 2) + 1 = floor(5 / 2) + 1 "
            "= 2 + 1 = 3"
        ),
        "window starts: 0, 2, 4 (padded coordinates); 1 pixel left over after the last window",
        "rows and columns never in a window: 7",
        (
            "Keras: Conv2D(1, 3, strides=2, padding='valid') maps (None, 8, 8, 1) to "
            "(None, 3, 3, 1): agrees with the formula"
        ),
    ]
    assert shown["captions"] == ["input 8x8, padded 8x8", "output 3x3"]
    assert shown["labels"][0] == (
        "A 8 by 8 input padded to 8 by 8 with zeros; 15 pixels never in a window; 9 window "
        "positions, each marked by a dot at its centre, the first one outlined."
    )
    shown = GeometryExplorer(input_size=6, kernel_size=2, padding="same", stride=1,
                             window=8).reference()
    assert shown["lines"][0] == (
        "padding: 0 zeros before the input (top and left), 1 after it (bottom and right)"
    )
    assert shown["captions"][1] == "output 6x6, window 8 fills pixel (1, 1)"
    assert shown["marked"] == [1, 1] and shown["outlined"] == [1, 1]
    assert shown["lines"][4].startswith("Keras: Conv2D(1, 2, strides=1, padding='same')")
    explicit = GeometryExplorer(input_size=6, kernel_size=5, padding=2).reference()
    assert explicit["lines"][4] == (
        "Keras: ZeroPadding2D(2) then Conv2D(1, 5, strides=1, padding='valid') maps "
        "(None, 6, 6, 1) to (None, 6, 6, 1): agrees with the formula"
    )


def test_impossible_settings_explain_themselves_in_full_sentences():
    explorer = GeometryExplorer(input_size=5, kernel_size=3)
    assert explorer.error == ""
    explorer.stride = 0
    with pytest.raises(ValueError) as raised:
        geometry.axis_geometry(5, 3, 0)
    assert explorer.error == str(raised.value)
    assert explorer.error.startswith("A stride of 0 never moves the window forward")
    assert explorer.reference() == {"message": explorer.error}
    explorer.stride, explorer.kernel_size = 1, 7
    assert explorer.error.startswith("A 7x7 kernel does not fit in the 5x5 input")
    explorer.padding = "same"  # Keras' 'same' pads a 7x7 kernel enough to fit
    assert explorer.error == ""
    explorer.padding, explorer.zeros = "explicit", 0
    assert "no output" in explorer.error
    explorer.zeros, explorer.window = 1, 2
    assert explorer.error == (
        "There is only 1 window position (a 1x1 output), so there is no window 2: choose 0 or 1."
    )
    explorer.kernel_size, explorer.window = 3, 26
    assert explorer.error == (
        "There are 25 window positions (a 5x5 output), so there is no window 26: choose 0 to "
        "see them all, or 1 to 25."
    )
    explorer.window, explorer.input_size = 0, 14
    assert explorer.error == (
        "This explorer's input size i goes from 1 to 13, so 14 is out of range."
    )
    explorer.input_size, explorer.padding = 5, "half"
    assert explorer.error == "The padding is 'valid', 'same', 'full' or 'explicit', not 'half'."
    rng = random.Random(0)
    for _ in range(300):
        message = _explorer_with(**_random_settings(rng, wide=True)).error
        assert message == "" or (message[0].isupper() and message.endswith(".")), message


def test_the_window_moves_to_the_last_one_when_it_no_longer_exists():
    explorer = GeometryExplorer(input_size=7, kernel_size=3, window=25)
    explorer.stride = 2  # a 3x3 output: window 25 becomes window 9
    assert explorer.window == 9 and explorer.error == ""
    explorer.stride = 0  # no output at all: the window stays where it is
    assert explorer.window == 9
    explorer.stride = 1
    assert explorer.window == 9
    # A saved state is taken as it is, message included.
    saved = _explorer_with(input_size=7, kernel_size=3, window=40)
    assert saved.window == 40 and "no window 40" in saved.error


def test_keras_table_holds_what_keras_layers_say():
    table = keras_table()
    explorer = GeometryExplorer()
    assert table.shape == (8, 13, 8, 5) and explorer.keras_paddings == [
        "valid", "same", "full", "0", "1", "2", "3", "4"
    ]
    np.testing.assert_array_equal(explorer.table, table)  # as the browser decodes it
    rng = random.Random(1)
    for _ in range(300):
        i, k, s = rng.randint(1, 13), rng.randint(1, 8), rng.randint(1, 5)
        key = rng.choice(explorer.keras_paddings)
        padding: ops.Padding = int(key) if key.isdigit() else key
        explorer.input_size, explorer.kernel_size, explorer.stride = i, k, s
        explorer.padding, explorer.zeros = ("explicit", padding) if key.isdigit() else (key, 1)
        assert explorer.keras_size() == geometry.keras_output_size(i, k, s, padding, "conv")
    # Keras finds no output exactly where the formula does.
    for (p, key), i, k, s in itertools.product(
        enumerate(explorer.keras_paddings), range(1, 14), range(1, 9), range(1, 6)
    ):
        padding = int(key) if key.isdigit() else key
        try:
            expected = geometry.axis_geometry(i, k, s, padding).output_size
        except ValueError:
            expected = 0
        assert table[p, i - 1, k - 1, s - 1] == expected, (i, k, s, key)


def test_a_saved_state_rebuilds_the_same_explorer():
    explorer = GeometryExplorer(input_size=9, kernel_size=4, padding=3, stride=2, window=5)
    again = GeometryExplorer.from_state(_state(explorer))
    assert repr(again) == repr(explorer)
    assert again.reference() == explorer.reference()


# -- 2. the JavaScript twins, in Node ---------------------------------------------------------


def test_axis_geometry_in_javascript_counts_and_refuses_like_python():
    cases = _axis_cases(1500, seed=2)
    for case, shown in zip(cases, call_js("geometry.js", "axisGeometry", cases)):
        try:
            g = geometry.axis_geometry(*case)
        except ValueError as problem:
            assert shown == {"problem": str(problem)}, case
            continue
        assert "problem" not in shown, (case, shown)
        assert (shown["before"], shown["after"], shown["padded"], shown["output"]) == (
            g.before, g.after, g.padded_size, g.output_size
        ), case
        assert shown["starts"] == list(g.starts) and shown["leftover"] == g.leftover, case
        assert shown["unvisited"] == list(g.unvisited), case
        along = np.array(shown["counts"])
        np.testing.assert_array_equal(np.outer(along, along), geometry.coverage(g))


def test_same_padding_formula_and_keras_spelling_in_javascript():
    triples = list(itertools.product(range(1, 20), range(1, 9), range(1, 7)))
    assert call_js("geometry.js", "samePadding", triples) == [
        list(ops.same_padding(*triple)) for triple in triples
    ]
    geometries = []
    for i, k, s, padding in _axis_cases(600, seed=3):
        try:
            geometries.append(geometry.axis_geometry(i, k, s, padding))
        except ValueError:
            continue
    calls = [
        [{"input": g.input_size, "kernel": g.kernel_size, "stride": g.stride, "before": g.before,
          "after": g.after, "padded": g.padded_size, "output": g.output_size}]
        for g in geometries
    ]
    assert call_js("geometry.js", "formulaText", calls) == [
        geometry.formula_text(g) for g in geometries
    ]
    spellings = list(itertools.product(range(1, 9), range(1, 6), ["valid", "same", "full", 0, 3]))
    assert call_js("geometry.js", "kerasSpelling", spellings) == [
        geometry.keras_spelling("conv", *case) for case in spellings
    ]


def test_window_messages_in_javascript():
    cases = [[w, o] for w in (-1, 0, 1, 2, 4, 5, 9, 10, 26) for o in (1, 2, 3, 5)]
    assert call_js("geometry.js", "windowProblem", cases) == [window_problem(*c) for c in cases]


def test_everything_the_explorer_shows_in_javascript_is_the_reference():
    """describe() is the page's whole computation: compare it at many settings, impossible
    ones (a stride of 0, a kernel too large, a window past the last, out of range) included."""
    explorer = GeometryExplorer()
    keras = {"sizes": explorer.table.ravel().tolist(), "shape": explorer.keras_shape,
             "paddings": explorer.keras_paddings}
    rng = random.Random(4)
    settings = [_random_settings(rng, wide=True) for _ in range(1000)]
    calls = [[choice, explorer.limits, keras] for choice in settings]
    impossible = 0
    for choice, shown in zip(settings, call_js("geometry.js", "describe", calls)):
        expected = _explorer_with(**choice).reference()
        if expected["message"]:
            impossible += 1
            assert shown == {"problem": expected["message"]}, choice
        else:
            assert shown == expected, choice
    assert 200 <= impossible <= 800, "the sample should mix possible and impossible settings"


# -- 3. the live pages ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=CHAPTERS)
def chapter_explorer(request, site, visit):
    """A chapter's explorer on the built page, and its saved state."""
    (state,) = saved_states(ROOT / "book" / f"{request.param}.ipynb", CLASS)
    opened = visit(f"{site}/book/{request.param}.html")
    (on_page,) = opened.explorers("geometry")
    return on_page, state


def _start(chapter_explorer) -> tuple[Any, GeometryExplorer]:
    """The page's explorer put back to the saved settings, and its Python twin."""
    on_page, state = chapter_explorer
    on_page.set(padding="explicit", zeros=state["zeros"])
    on_page.set(**{name: state[name] for name in SETTINGS if name != "zeros"})
    return on_page, GeometryExplorer.from_state(state)


def _controls(on_page) -> dict[str, Any]:
    """What the controls show, as settings."""
    shown = on_page.root.evaluate(
        "root => Object.fromEntries([...root.querySelectorAll('[data-setting]')]"
        ".map((control) => [control.dataset.setting, control.value]))"
    )
    return {name: value if name == "padding" else int(value) for name, value in shown.items()}


def _moves(rng: random.Random, explorer: GeometryExplorer) -> dict[str, Any]:
    """A few controls moved in a random order, applied to ``explorer`` as they are drawn (the
    window is drawn for the geometry the earlier moves give, sometimes one step past it)."""
    moves: dict[str, Any] = {}
    for name in rng.sample(SETTINGS, rng.randint(1, 4)):
        if name == "zeros" and explorer.padding != "explicit":
            continue  # the slider is disabled
        if name == "window":
            try:
                last = explorer._geometry().output_size ** 2
            except ValueError:
                last = 25
            value = rng.choice([0, rng.randint(1, last), last, last + 1])
        elif name == "padding":
            value = rng.choice(PADDINGS)
        else:
            (low, high) = next((low, high) for setting, _, low, high in LIMITS if setting == name)
            value = rng.randint(low, high)
        moves[name] = value
        setattr(explorer, name, value)
    return moves


def test_the_page_computes_what_python_computes_at_many_settings(chapter_explorer):
    on_page, state = chapter_explorer
    assert on_page.result() == GeometryExplorer.from_state(state).reference()
    on_page, explorer = _start(chapter_explorer)
    rng = random.Random(5)
    impossible = 0
    for _ in range(150):
        moves = _moves(rng, explorer)
        shown = on_page.set(**moves)
        expected = explorer.reference()
        assert shown == expected, moves
        assert on_page.message() == explorer.check()
        controls = _controls(on_page)
        assert controls == {name: getattr(explorer, name) for name in SETTINGS}, moves
        impossible += bool(expected["message"])
    assert 15 <= impossible <= 120, "the sample should mix possible and impossible settings"
    # Each redraw is well within a frame (16 ms) on this machine.
    assert np.median(on_page.timings()) < 16


def test_an_impossible_setting_hides_the_picture_and_explains(chapter_explorer):
    on_page, explorer = _start(chapter_explorer)
    canvas = on_page.root.locator("canvas").first
    assert canvas.is_visible() and on_page.message() == ""
    on_page.set(stride=0)
    explorer.stride = 0
    assert on_page.message() == explorer.check() != ""
    assert not canvas.is_visible()
    assert not on_page.root.locator(".cb-lines").is_visible()  # no caption left behind
    on_page.set(stride=1)
    assert canvas.is_visible() and on_page.message() == ""


def test_the_window_slider_reaches_one_past_the_last_window(chapter_explorer):
    on_page, _ = _start(chapter_explorer)
    slider = on_page.root.locator('[data-setting="window"]')
    on_page.set(padding="valid", input_size=7, kernel_size=3, stride=1, window=0)
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("0", "26")
    on_page.set(stride=2)
    assert slider.get_attribute("max") == "10"
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    assert on_page.message().startswith("There are 9 window positions (a 3x3 output)")
    slider.press("ArrowLeft")
    assert on_page.message() == "" and on_page.result()["marked"] == [2, 2]


def test_the_zeros_slider_works_only_with_explicit_padding(chapter_explorer):
    on_page, _ = _start(chapter_explorer)
    zeros = on_page.root.locator('[data-setting="zeros"]')
    on_page.set(padding="same")
    assert zeros.is_disabled()
    on_page.set(padding="explicit", zeros=3, input_size=5, kernel_size=3, stride=1)
    assert zeros.is_enabled() and on_page.result()["before"] == 3


def test_controls_are_labelled_and_pictures_described(chapter_explorer):
    on_page, _ = _start(chapter_explorer)
    controls = on_page.root.locator("[data-setting]")
    for index in range(controls.count()):
        label = controls.nth(index).evaluate("control => control.closest('label').innerText")
        assert label.strip(), "every control sits in a label with text"
    shown = on_page.result()
    canvases = on_page.root.locator("canvas")
    assert [canvases.nth(n).get_attribute("aria-label") for n in range(2)] == shown["labels"]
    assert [canvases.nth(n).get_attribute("role") for n in range(2)] == ["img", "img"]


@pytest.mark.parametrize("edition", ["", "ko/"])  # the English edition, the Korean one
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_largest_picture_fits_a_phone_screen(site, visit, chapter, edition):
    opened = visit(f"{site}/{edition}book/{chapter}.html", width=390)
    (on_page,) = opened.explorers("geometry")
    shown = on_page.set(padding="full", input_size=13, kernel_size=8, stride=1, window=0)
    assert shown["padded"] == 27
    width = opened.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width} px"
    box = on_page.root.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    for index in range(2):
        canvas = on_page.root.locator("canvas").nth(index).bounding_box()
        assert canvas["x"] + canvas["width"] <= box["x"] + box["width"] + 0.5


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_korean_page_shows_the_same_in_korean(site, visit, chapter):
    english, korean = open_both_editions(visit, site, f"book/{chapter}.html", "geometry")
    (state,) = saved_states(ROOT / "book" / f"{chapter}.ipynb", CLASS)
    explorer = GeometryExplorer.from_state(state)
    assert_shown_in_korean(korean, english.result(), explorer.check(), "the saved settings")
    rng = random.Random(f"korean {chapter}")
    impossible = 0
    for _ in range(15):
        moves = _moves(rng, explorer)
        expected = english.set(**moves)
        korean.set(**moves)
        assert_shown_in_korean(korean, expected, explorer.check(), str(moves))
        impossible += bool(expected["message"])
    assert impossible <= 12, "the sample should mix possible and impossible settings"
