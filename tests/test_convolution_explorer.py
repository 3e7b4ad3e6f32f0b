"""The convolution explorer: its Python side, its JavaScript twin functions, and the live page.

Three layers of checks, each able to fail on its own:

1. Python: the settings, the messages for impossible settings, and the reference picture
   (:meth:`ConvolutionExplorer.reference`) against :func:`convbook.ops.conv2d`.
2. Node: the JavaScript functions that compute (kernel parsing, number formatting, the response
   map) against their Python definitions on many sampled inputs.
3. Browser: the explorer on the built chapter page, driven through its controls at many sampled
   settings (impossible ones included), shows what Python computes from the saved state; on the
   Korean edition's page, it shows the same in Korean.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
from browser_support import assert_shown_in_korean, move_to, open_both_editions, saved_states
from js_support import call_js

from convbook import style
from convbook.convolution import KERNEL_TEXT, OWN_KERNEL, format_number, parse_kernel, response_map
from convbook.explorers import ConvolutionExplorer
from convbook.explorers.base import bundle, colour_table

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "01-convolution.ipynb"
CLASS = "convbook.explorers.convolution.ConvolutionExplorer"


def _digits(count: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stand-ins for MNIST digits: 28x28 uint8 images with a few random strokes."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), dtype=np.uint8)
    for image in images:
        for _ in range(3):
            r, c = rng.integers(2, 24, size=2)
            image[r : r + 4, c : c + rng.integers(1, 6)] = rng.integers(100, 256)
    return images, np.arange(count) % 10


def _kernel_texts(rng: random.Random, count: int) -> list[str]:
    """Typed kernels as a reader might write them: presets, integers, decimals, fractions, and
    mistakes (missing rows, words, a zero divisor, huge numbers)."""
    texts = list(KERNEL_TEXT.values())
    pieces = ["0", "1", "-1", "2", "-2", "0.5", "-.25", "1/9", "3/4", "1e-2", "+2", "5"]
    wrong = ["x", "1/0", "1e999", "nan", "1/2/3", "--1", ""]
    while len(texts) < count:
        rows = rng.choice([3, 3, 3, 3, 2, 4])
        numbers = [[rng.choice(pieces) for _ in range(rng.choice([3, 3, 3, 3, 2]))]
                   for _ in range(rows)]
        if rng.random() < 0.15:
            numbers[rng.randrange(rows)][0] = rng.choice(wrong)
        separator = rng.choice(["; ", ";", " ;\n", "\n"])
        texts.append(separator.join(rng.choice([" ", ", "]).join(row) for row in numbers))
    return texts


# -- 1. the Python side ---------------------------------------------------------------------------


def test_settings_text_form_and_the_bundled_module():
    images, labels = _digits()
    explorer = ConvolutionExplorer(images, labels, kernel="blur", row=12, col=10)
    assert repr(explorer) == "ConvolutionExplorer(digit=0, kernel='blur', row=12, col=10)"
    assert explorer._repr_mimebundle_()[0]["text/plain"] == repr(explorer)
    # The module travels whole: common.js is inlined, nothing is imported at run time.
    assert "import {" not in explorer._esm and "export default" in explorer._esm
    assert explorer._esm == bundle("convolution.js")
    # The book's visual language: red positive, blue negative (convbook.style).
    assert set(explorer.palette) == {style.INK_CMAP, style.SIGNED_CMAP} == {"gray_r", "RdBu_r"}
    assert explorer.palette["RdBu_r"] == colour_table("RdBu_r") and len(colour_table("RdBu_r")) == 1536
    assert (explorer.window_colour, explorer.output_colour, explorer.not_yet_colour) == (
        style.WINDOW_COLOUR, style.OUTPUT_COLOUR, style.NOT_YET_COLOUR
    )


def test_the_kernel_menu_and_the_typed_weights_stay_in_step():
    explorer = ConvolutionExplorer(*_digits(), row=5, col=6)
    explorer.kernel = "blur"
    assert explorer.weights == KERNEL_TEXT["blur"]
    explorer.weights = "0 0 0; 0 2 0; 0 0 0"
    assert explorer.kernel == OWN_KERNEL
    assert explorer.settings()["weights"] == "0 0 0; 0 2 0; 0 0 0"
    explorer.kernel = "horizontal edge"
    assert explorer.weights == KERNEL_TEXT["horizontal edge"]
    assert "weights" not in explorer.settings()


def test_reference_is_the_numpy_convolution():
    images, labels = _digits()
    explorer = ConvolutionExplorer(images, labels, kernel="sharpen", index=2, row=9, col=13)
    shown = explorer.reference()
    expected = response_map(images[2], parse_kernel(KERNEL_TEXT["sharpen"]))
    assert shown["message"] == ""
    np.testing.assert_array_equal(np.reshape(shown["response"], (26, 26)), expected)
    assert shown["sum"] == pytest.approx(expected[9, 13])
    assert shown["patch"] == images[2, 9:12, 13:16].astype(float).ravel().tolist()
    assert shown["cells"][1] == ["0", "-1", "0", "-1", "5", "-1", "0", "-1", "0"]
    assert shown["captions"][0] == "input 28x28, window at (9, 13)"


def test_impossible_settings_explain_themselves():
    explorer = ConvolutionExplorer(*_digits(), row=25, col=25)
    assert explorer.error == ""
    explorer.row = 26
    assert explorer.error == (
        "A 3x3 window whose top-left corner is in row 26 would cover rows 26 to 28, past the "
        "edge of the 28-row image. The last row where it fits is 25, which is why the "
        "response map has 26 rows."
    )
    assert explorer.reference() == {"message": explorer.error}
    explorer.row, explorer.col = 3, -1
    assert "in column -1 would cover columns -1 to 1" in explorer.error
    explorer.col = 4
    explorer.weights = "1 2 3; 4 five 6; 7 8 9"
    assert explorer.error.startswith("Row 2 has 'five', which is not a number")
    explorer.digit = 9
    assert explorer.error == "There is no digit #9: choose one of #0 to #3."
    # Every message is a full sentence.
    for text in ("1 2", "", "1 2 3; 4 1/0 6; 7 8 9"):
        explorer.digit, explorer.weights = 0, text
        assert explorer.error[0].isupper() and explorer.error.endswith("."), explorer.error


def test_construction_checks_its_inputs():
    images, labels = _digits()
    with pytest.raises(ValueError, match="shape"):
        ConvolutionExplorer(images[0])
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        ConvolutionExplorer(images, labels[:3])
    with pytest.raises(ValueError, match="unknown kernel"):
        ConvolutionExplorer(images, labels, kernel="emboss")


def test_a_saved_state_rebuilds_the_same_explorer():
    images, labels = _digits()
    explorer = ConvolutionExplorer(images, labels, kernel="blur", index=1, row=4, col=7)
    state = {name: getattr(explorer, name) for name in explorer.keys}
    again = ConvolutionExplorer.from_state(state)
    assert repr(again) == repr(explorer)
    assert again.reference() == explorer.reference()


# -- 2. the JavaScript twins, in Node ---------------------------------------------------------------


def test_parse_kernel_in_javascript_reads_and_refuses_like_python():
    texts = _kernel_texts(random.Random(1), 400)
    for text, shown in zip(texts, call_js("convolution.js", "parseKernel", [[t] for t in texts])):
        try:
            expected = parse_kernel(text).ravel().tolist()
        except ValueError as problem:
            assert shown == {"problem": str(problem)}, text
        else:
            assert shown == expected, text


def test_number_formatting_in_javascript_matches_python():
    rng = random.Random(2)
    values = [0.125, 0.375, -0.125, 2.5, 0.5, 1.5, -2.5, 0.005, 99.95, 9.995, -0.0, 0.0, 1e21,
              math.nan, math.inf, -math.inf, 1 / 9, 255 / 9, -1274.6]
    values += [rng.uniform(-300, 300) for _ in range(500)]
    values += [rng.randint(-4000, 4000) / 8 for _ in range(300)]  # exact binary ties
    values += [rng.randint(-2000, 2000) / 1000 for _ in range(300)]
    shown = call_js("convolution.js", "formatNumber", [[v] for v in values])
    assert shown == [format_number(v) for v in values]
    digits = [rng.randint(0, 3) for _ in values]
    fixed = call_js("common.js", "formatFixed", [[v, d] for v, d in zip(values, digits)])
    assert fixed == [f"{v:.{d}f}" for v, d in zip(values, digits)]


def test_response_map_in_javascript_is_the_numpy_convolution():
    rng = np.random.default_rng(3)
    calls, expected = [], []
    for _ in range(40):
        height, width = rng.integers(3, 30, size=2)
        image = rng.integers(0, 256, size=(height, width)).astype(float)
        kernel = rng.normal(size=(3, 3)).round(3)
        calls.append([image.ravel().tolist(), int(height), int(width), kernel.ravel().tolist()])
        expected.append(response_map(image, kernel))
    for shown, reference in zip(call_js("convmath.js", "responseMap", calls), expected):
        assert [shown["rows"], shown["cols"]] == list(reference.shape)
        np.testing.assert_allclose(shown["values"], reference.ravel(), rtol=1e-12, atol=1e-9)


# -- 3. the live page -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chapter_explorer(site, visit):
    """The chapter's explorer on the built page, and the same explorer rebuilt in Python."""
    (state,) = saved_states(CHAPTER, CLASS)
    opened = visit(f"{site}/book/01-convolution.html")
    (on_page,) = opened.explorers("convolution")
    return on_page, ConvolutionExplorer.from_state(state)


def _sampled_settings(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    # A one-line text box drops line breaks as the reader types, so none are typed here.
    texts = [text.replace("\n", " ") for text in _kernel_texts(rng, 60)]
    presets = [*KERNEL_TEXT, OWN_KERNEL]
    settings = []
    for _ in range(count):
        choice: dict = {"digit": rng.randrange(12), "row": rng.randint(0, 26),
                        "col": rng.randint(0, 26)}
        if rng.random() < 0.5:
            choice["kernel"] = rng.choice(presets)
        else:
            choice["weights"] = rng.choice(texts)
        settings.append(choice)
    return settings


def _assert_same_picture(shown: dict, expected: dict, context: str) -> None:
    assert shown["message"] == expected["message"], context
    if expected["message"]:
        assert set(shown) == {"message"}, context
        return
    for key in ("kernel", "patch", "products", "captions", "cells", "shape"):
        assert shown[key] == expected[key], f"{key} differs at {context}"
    np.testing.assert_allclose(shown["response"], expected["response"], rtol=1e-12, atol=1e-9)
    assert shown["sum"] == pytest.approx(expected["sum"], rel=1e-12, abs=1e-9), context
    # The printed sum is the JavaScript's own number written as Python writes it.
    assert shown["sumText"] == format_number(shown["sum"]), context


def test_the_page_computes_what_python_computes_at_many_settings(chapter_explorer):
    on_page, explorer = chapter_explorer
    assert on_page.result() == json.loads(json.dumps(on_page.result()))
    _assert_same_picture(on_page.result(), explorer.reference(), "the saved settings")
    impossible = 0
    for settings in _sampled_settings(150, seed=4):
        (shown,) = move_to(settings, explorer, on_page)
        expected = explorer.reference()
        _assert_same_picture(shown, expected, str(settings))
        assert on_page.message() == explorer.check()
        impossible += bool(expected["message"])
    assert 20 <= impossible <= 130, "the sample should mix possible and impossible settings"


def test_a_position_past_the_edge_hides_the_picture_and_explains(chapter_explorer):
    on_page, explorer = chapter_explorer
    on_page.set(kernel="blur", row=3, col=3)
    assert on_page.root.locator("canvas").first.is_visible()
    shown = on_page.set(row=26)
    explorer.kernel, explorer.row, explorer.col = "blur", 26, 3
    assert shown == {"message": explorer.check()}
    assert "The last row where it fits is 25" in on_page.message()
    assert not on_page.root.locator("canvas").first.is_visible()
    on_page.set(row=25)
    assert on_page.root.locator("canvas").first.is_visible() and on_page.message() == ""


def test_the_sliders_reach_one_step_past_the_last_position(chapter_explorer):
    on_page, _ = chapter_explorer
    for setting in ("row", "col"):
        slider = on_page.root.locator(f'[data-setting="{setting}"]')
        assert slider.get_attribute("max") == "26" and slider.get_attribute("min") == "0"


def test_keyboard_moves_the_window(chapter_explorer):
    on_page, _ = chapter_explorer
    on_page.set(kernel="vertical edge", row=10, col=10)
    slider = on_page.root.locator('[data-setting="col"]')
    slider.focus()
    slider.press("ArrowRight")
    slider.press("ArrowRight")
    assert on_page.result()["captions"][0] == "input 28x28, window at (10, 12)"


def test_the_korean_page_shows_the_same_in_korean(site, visit):
    english, korean = open_both_editions(visit, site, "book/01-convolution.html", "convolution")
    (state,) = saved_states(CHAPTER, CLASS)
    explorer = ConvolutionExplorer.from_state(state)
    assert_shown_in_korean(korean, english.result(), explorer.check(), "the saved settings")
    impossible = 0
    for settings in _sampled_settings(25, seed=40):
        expected, _ = move_to(settings, explorer, english, korean)
        assert_shown_in_korean(korean, expected, explorer.check(), str(settings))
        impossible += bool(expected["message"])
    assert 3 <= impossible <= 22, "the sample should mix possible and impossible settings"
