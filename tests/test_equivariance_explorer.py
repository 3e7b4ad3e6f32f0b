"""The equivariance explorer: its Python side, its JavaScript twin functions, and the live page.

Three layers of checks, each able to fail on its own:

1. Python: the settings, the messages for impossible settings, and the reference picture
   (:meth:`EquivarianceExplorer.reference`) against :func:`convbook.connectivity.compare_shift`.
2. Node: the JavaScript functions that compute (the shift, the three layers' maps, the
   comparison, its sentence) against their Python definitions on many sampled inputs.
3. Browser: the explorer on the built chapter page, driven through its controls (and by dragging
   the digit) at many sampled settings, impossible ones included, shows what Python computes
   from the saved state; on the Korean edition's page, it shows the same in Korean.
"""

from __future__ import annotations

import json
import random
import statistics
from pathlib import Path

import numpy as np
import pytest
from browser_support import assert_shown_in_korean, open_both_editions, saved_states
from js_support import call_js

from convbook.connectivity import LAYERS, compare_shift, layer_map, shift, shift_problem
from convbook.explorers import EquivarianceExplorer
from convbook.explorers.base import bundle, colour_table
from convbook.explorers.equivariance import SHIFT_KERNELS, report
from convbook.style import SIGNED_CMAP

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "02-why-convolutions.ipynb"
PAGE = "book/02-why-convolutions.html"
CLASS = "convbook.explorers.equivariance.EquivarianceExplorer"
SETTINGS = ("digit", "kernel", "layer", "dy", "dx")


def _digits(count: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stand-ins for MNIST digits: 28x28 uint8 images with a few strokes, blank margins."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), dtype=np.uint8)
    for image in images:
        for _ in range(3):
            r, c = rng.integers(3, 20, size=2)
            image[r : r + rng.integers(2, 8), c : c + rng.integers(1, 6)] = rng.integers(80, 256)
    return images, np.arange(count) % 10


def _none_for_nan(values: list) -> list:
    return [None if value in ("nan", None) else value for value in values]


# -- 1. the Python side ---------------------------------------------------------------------------


def test_settings_text_form_and_the_bundled_module():
    images, labels = _digits()
    explorer = EquivarianceExplorer(images, labels, layer="stride-2 convolution", dy=1, dx=-2)
    assert repr(explorer) == (
        "EquivarianceExplorer(digit=0, kernel='vertical edge', layer='stride-2 convolution', "
        "dy=1, dx=-2)"
    )
    assert explorer._repr_mimebundle_()[0]["text/plain"] == repr(explorer)
    assert "import {" not in explorer._esm and "export default" in explorer._esm
    assert explorer._esm == bundle("equivariance.js")
    assert explorer._esm.count("function responseMap(") == 1  # from convmath.js, once
    assert explorer.palette[SIGNED_CMAP] == colour_table(SIGNED_CMAP)
    assert explorer.kernel_names == list(SHIFT_KERNELS) and "blur" not in SHIFT_KERNELS


def test_reference_is_the_numpy_comparison():
    images, labels = _digits()
    explorer = EquivarianceExplorer(images, labels, kernel="sharpen", index=2, dy=-3, dx=4)
    shown = explorer.reference()
    expected = compare_shift(images[2].astype(float), SHIFT_KERNELS["sharpen"], "convolution",
                             -3, 4)
    assert shown["message"] == ""
    np.testing.assert_array_equal(np.reshape(shown["response"], (26, 26)), expected.response)
    moved = np.array([np.nan if v is None else v for v in shown["moved"]]).reshape(26, 26)
    np.testing.assert_array_equal(moved, expected.moved)
    assert shown["compared"] == 23 * 22 and shown["largest"] == 0.0 and shown["exact"]
    assert shown["captions"][2] == "the digit's map moved by (-3, 4); grey: no value"
    assert shown["sentence"].endswith("the largest difference is 0: the map moved with the digit.")
    explorer.layer = "convolution + 2x2 max pooling"
    explorer.dx = 3
    shown = explorer.reference()
    assert shown["shape"] == [13, 13] and shown["outputShift"] == [-2, 1]
    assert not shown["exact"] and shown["largest"] > 0
    np.testing.assert_array_equal(
        np.reshape(shown["response"], (13, 13)),
        layer_map(shift(images[2], -3, 3).astype(float), SHIFT_KERNELS["sharpen"], explorer.layer),
    )


def test_impossible_settings_explain_themselves():
    explorer = EquivarianceExplorer(*_digits(), dy=27, dx=-27)
    assert explorer.error == ""
    explorer.dy = 28
    assert explorer.error == shift_problem(28, -27, 28, 28) == (
        "A shift of 28 rows moves the whole 28-row image out of the picture: nothing is left to "
        "compare. Shift by at most 27 rows either way."
    )
    assert explorer.reference() == {"message": explorer.error}
    explorer.dy, explorer.dx = 0, -29
    assert explorer.error.startswith("A shift of -29 columns moves the whole 28-column image")
    explorer.layer = "dense"
    assert explorer.error == (
        "There is no layer 'dense': choose one of convolution, stride-2 convolution, "
        "convolution + 2x2 max pooling."
    )
    explorer.kernel = "blur"
    assert explorer.error.startswith("There is no kernel 'blur': choose one of vertical edge")
    explorer.digit = 4
    assert explorer.error == "There is no digit #4: choose one of #0 to #3."
    for message in (explorer.error, shift_problem(40, 0, 28, 28)):
        assert message[0].isupper() and message.endswith(".")


def test_construction_checks_its_inputs():
    images, labels = _digits()
    with pytest.raises(ValueError, match="shape"):
        EquivarianceExplorer(images[0])
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        EquivarianceExplorer(images, labels[:3])
    with pytest.raises(ValueError, match="unknown kernel"):
        EquivarianceExplorer(images, labels, kernel="blur")
    with pytest.raises(ValueError, match="unknown layer"):
        EquivarianceExplorer(images, labels, layer="pool")
    with pytest.raises(ValueError, match="uint8"):
        EquivarianceExplorer(images / 255, labels)


def test_a_saved_state_rebuilds_the_same_explorer():
    images, labels = _digits()
    explorer = EquivarianceExplorer(images, labels, kernel="diagonal \\", index=1, dy=2, dx=5,
                                    layer="stride-2 convolution")
    state = {name: getattr(explorer, name) for name in explorer.keys}
    again = EquivarianceExplorer.from_state(state)
    assert repr(again) == repr(explorer)
    assert again.reference() == explorer.reference()


# -- 2. the JavaScript twins, in Node ----------------------------------------------------------


def _sampled_cases(count: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    cases = []
    for index in range(count):
        height, width = (28, 28) if index % 3 else tuple(int(v) for v in rng.integers(6, 20, 2))
        image = rng.integers(0, 256, size=(height, width)).astype(float)
        image[rng.random((height, width)) < 0.5] = 0
        kernel = rng.integers(-3, 4, size=(3, 3)).astype(float)
        layer = list(LAYERS)[index % 3]
        reach = height + 1 if rng.random() < 0.15 else 6
        dy, dx = (int(v) for v in rng.integers(-reach, reach + 1, size=2))
        cases.append((image, kernel, layer, dy, dx))
    return cases


def test_the_shift_in_javascript_is_pythons():
    rng = np.random.default_rng(1)
    calls, expected = [], []
    for _ in range(100):
        height, width = (int(v) for v in rng.integers(1, 12, size=2))
        image = rng.normal(size=(height, width))
        dy, dx = (int(v) for v in rng.integers(-13, 14, size=2))
        fill = float(rng.choice([0.0, -1.5]))
        calls.append([image.ravel().tolist(), height, width, dy, dx, fill])
        expected.append(shift(image, dy, dx, fill=fill).ravel().tolist())
    assert call_js("equivariance.js", "shiftImage", calls) == expected


def test_the_layer_maps_in_javascript_are_pythons():
    calls, expected = [], []
    for image, kernel, layer, _, _ in _sampled_cases(60, seed=2):
        height, width = image.shape
        calls.append([image.ravel().tolist(), height, width, kernel.ravel().tolist(), layer])
        expected.append(layer_map(image, kernel, layer))
    for shown, reference in zip(call_js("equivariance.js", "layerMap", calls), expected):
        assert [shown["rows"], shown["cols"]] == list(reference.shape)
        assert shown["values"] == reference.ravel().tolist()  # whole numbers: exactly equal
    (problem,) = call_js("equivariance.js", "layerMap", [[[0] * 36, 6, 6, [0] * 9, "dense"]])
    assert problem == {"problem": "There is no layer 'dense': choose one of convolution, "
                       "stride-2 convolution, convolution + 2x2 max pooling."}


def test_the_report_in_javascript_is_pythons():
    cases = _sampled_cases(240, seed=3)
    calls = [[image.ravel().tolist(), *image.shape, kernel.ravel().tolist(), layer, dy, dx]
             for image, kernel, layer, dy, dx in cases]
    impossible = 0
    for case, shown in zip(cases, call_js("equivariance.js", "shiftReport", calls)):
        image, kernel, layer, dy, dx = case
        try:
            expected = report(compare_shift(image, kernel, layer, dy, dx))
        except ValueError as problem:
            assert shown == {"problem": str(problem)}, case[2:]
            impossible += 1
            continue
        shown["moved"] = _none_for_nan(shown["moved"])
        assert shown == expected, case[2:]
    assert 10 <= impossible <= 120


# -- 3. the live page ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chapter_explorer(site, visit):
    """The chapter's explorer on the built page, and the same explorer rebuilt in Python."""
    (state,) = saved_states(CHAPTER, CLASS)
    opened = visit(f"{site}/{PAGE}")
    (on_page,) = opened.explorers("equivariance")
    return on_page, EquivarianceExplorer.from_state(state)


def _sampled_settings(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    settings = []
    for _ in range(count):
        reach = rng.choice([6, 6, 27, 30, 30])
        choice: dict = {"dy": rng.randint(-reach, reach), "dx": rng.randint(-reach, reach)}
        if rng.random() < 0.4:
            choice["digit"] = rng.randrange(12)
        if rng.random() < 0.4:
            choice["kernel"] = rng.choice(list(SHIFT_KERNELS))
        if rng.random() < 0.5:
            choice["layer"] = rng.choice(list(LAYERS))
        settings.append(dict(sorted(choice.items(), key=lambda item: SETTINGS.index(item[0]))))
    return settings


def _apply(on_page, explorer: EquivarianceExplorer, choice: dict) -> dict:
    shown = on_page.set(**{key: str(value) if key == "digit" else value
                           for key, value in choice.items()})
    for name, value in choice.items():
        setattr(explorer, name, value)
    return shown


def _assert_same_picture(shown: dict, expected: dict, context: str) -> None:
    assert shown["message"] == expected["message"], context
    if expected["message"]:
        assert set(shown) == {"message"}, context
        return
    assert shown == expected, context


def test_the_saved_explorer_is_the_chapter_one(chapter_explorer):
    on_page, explorer = chapter_explorer
    assert explorer.settings() == {"digit": 0, "kernel": "vertical edge", "layer": "convolution",
                                   "dy": -3, "dx": 4}
    assert on_page.result() == json.loads(json.dumps(on_page.result()))
    _assert_same_picture(on_page.result(), explorer.reference(), "the saved settings")


def test_the_page_computes_what_python_computes_at_many_settings(chapter_explorer):
    on_page, explorer = chapter_explorer
    impossible = 0
    for choice in _sampled_settings(150, seed=4):
        shown = _apply(on_page, explorer, choice)
        expected = explorer.reference()
        _assert_same_picture(shown, expected, str(explorer.settings()))
        assert on_page.message() == explorer.check()
        impossible += bool(expected["message"])
    assert 4 <= impossible <= 60, "the sample should mix possible and impossible settings"


def test_dragging_the_digit_shifts_it(chapter_explorer):
    on_page, explorer = chapter_explorer
    _apply(on_page, explorer, {"digit": 0, "layer": "convolution", "dy": 0, "dx": 0})
    canvas = on_page.root.locator("canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    pixel = box["width"] / (28 * 5 + 2) * 5
    page = on_page.page
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 3 * pixel,
                    box["y"] + box["height"] / 2 - 2 * pixel, steps=6)
    page.mouse.up()
    shown = on_page.result()
    assert shown["captions"][0] == "the digit shifted by (-2, 3); drag it"
    explorer.dy, explorer.dx = -2, 3
    _assert_same_picture(shown, explorer.reference(), "after dragging")
    for setting, value in (("dy", "-2"), ("dx", "3")):
        assert on_page.root.locator(f'[data-setting="{setting}"]').input_value() == value


def test_a_shift_out_of_the_picture_hides_it_and_explains(chapter_explorer):
    on_page, explorer = chapter_explorer
    _apply(on_page, explorer, {"dy": 2, "dx": 2})
    assert on_page.root.locator("canvas").first.is_visible()
    shown = _apply(on_page, explorer, {"dx": 28})
    assert shown == {"message": explorer.check()}
    assert "Shift by at most 27 columns" in on_page.message()
    assert not on_page.root.locator("canvas").first.is_visible()
    _apply(on_page, explorer, {"dx": 27})
    assert on_page.root.locator("canvas").first.is_visible() and on_page.message() == ""


def test_the_sliders_reach_one_step_past_the_largest_shift(chapter_explorer):
    on_page, explorer = chapter_explorer
    _apply(on_page, explorer, {"dy": 30, "dx": -31})
    assert on_page.root.locator('[data-setting="dx"]').get_attribute("min") == "-31"
    _apply(on_page, explorer, {"dy": 0, "dx": 0})
    for setting in ("dy", "dx"):
        slider = on_page.root.locator(f'[data-setting="{setting}"]')
        assert slider.get_attribute("min") == "-28" and slider.get_attribute("max") == "28"


def test_the_keyboard_moves_the_digit(chapter_explorer):
    on_page, explorer = chapter_explorer
    _apply(on_page, explorer, {"layer": "stride-2 convolution", "dy": 0, "dx": 0})
    slider = on_page.root.locator('[data-setting="dx"]')
    slider.focus()
    slider.press("ArrowRight")
    shown = on_page.result()
    assert shown["outputShift"] == [0, 0] and not shown["exact"]
    slider.press("ArrowRight")
    shown = on_page.result()
    assert shown["outputShift"] == [0, 1] and shown["exact"] and shown["largest"] == 0


def test_controls_and_pictures_are_labelled(chapter_explorer):
    on_page, _ = chapter_explorer
    _apply(on_page, chapter_explorer[1], {"dy": 1, "dx": 1})
    for setting in SETTINGS:
        control = on_page.root.locator(f'[data-setting="{setting}"]')
        label = control.evaluate("node => node.closest('label').textContent")
        assert label.strip(), setting
    canvases = on_page.root.locator("canvas")
    assert canvases.count() == 4
    for index in range(4):
        assert canvases.nth(index).get_attribute("aria-label")


def test_a_redraw_takes_well_under_a_frame(chapter_explorer):
    on_page, explorer = chapter_explorer
    for choice in _sampled_settings(40, seed=12):
        _apply(on_page, explorer, choice)
    timings = on_page.timings()
    assert len(timings) >= 40
    assert statistics.median(timings) < 8, statistics.median(timings)
    assert sorted(timings)[int(0.95 * len(timings))] < 16


@pytest.mark.parametrize(
    "choice",
    [
        {"layer": "convolution", "dy": -3, "dx": 4},
        {"layer": "convolution + 2x2 max pooling", "dy": 1, "dx": -5},
        {"layer": "stride-2 convolution", "dy": 0, "dx": 28},
    ],
)
def test_it_fits_a_phone_screen(site, visit, choice):
    opened = visit(f"{site}/{PAGE}", width=390)
    (on_page,) = opened.explorers("equivariance")
    on_page.set(**choice)
    on_page.root.scroll_into_view_if_needed()
    overflow = on_page.root.evaluate("root => root.scrollWidth - root.clientWidth")
    assert overflow <= 1, f"the explorer is {overflow} px wider than the screen"
    for part in on_page.root.locator("canvas, [data-setting], .cb-message").all():
        if part.is_visible():
            box = part.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, part.evaluate(
                "node => node.outerHTML.slice(0, 80)"
            )


def test_the_korean_page_shows_the_same_in_korean(site, visit):
    english, korean = open_both_editions(visit, site, PAGE, "equivariance")
    (state,) = saved_states(CHAPTER, CLASS)
    explorer = EquivarianceExplorer.from_state(state)
    assert_shown_in_korean(korean, english.result(), explorer.check(), "the saved settings")
    impossible = 0
    for choice in _sampled_settings(25, seed=47):
        expected = _apply(english, explorer, choice)
        _apply(korean, explorer, choice)
        assert_shown_in_korean(korean, expected, explorer.check(), str(choice))
        impossible += bool(expected["message"])
    assert 2 <= impossible <= 20, "the sample should mix possible and impossible settings"
