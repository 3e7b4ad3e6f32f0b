"""The pooling explorer on the built chapter page: it shows what Python computes, at any setting.

The explorer of chapter 5 is rebuilt in Python from the widget state the notebook stores (the
state the page renders), then the page's controls are moved to many seeded random settings,
impossible ones included, and after each the page's report must equal
:meth:`PoolingExplorer.reference` and its visible message :meth:`PoolingExplorer.check`. The
Python side and the JavaScript functions on their own are tested in ``test_pooling.py``. On the
Korean edition's page, the explorer shows the same in Korean.
"""

from __future__ import annotations

import json
import random
import statistics
from pathlib import Path

import numpy as np
import pytest
from browser_support import assert_shown_in_korean, move_to, open_both_editions, saved_states

from convbook.explorers import PoolingExplorer
from convbook.pooling import compact_number

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "05-max-pooling.ipynb"
PAGE = "book/05-max-pooling.html"
CLASS = "convbook.explorers.pooling.PoolingExplorer"
SETTINGS = ("layer", "channel", "pool_size", "stride", "mode")


@pytest.fixture(scope="module")
def chapter_explorer(site, visit):
    """The chapter's explorer on the built page, and the same explorer rebuilt in Python."""
    (state,) = saved_states(CHAPTER, CLASS)
    opened = visit(f"{site}/{PAGE}")
    (on_page,) = opened.explorers("pooling")
    return on_page, PoolingExplorer.from_state(state)


def _sampled_settings(explorer: PoolingExplorer, count: int, seed: int) -> list[dict]:
    """Random settings in (and a little past) the ranges of each layer's sliders."""
    rng = random.Random(seed)
    chosen = []
    for _ in range(count):
        layer = rng.choice(explorer.layer_names)
        height, width, channels = explorer.shapes[explorer.layer_names.index(layer)]
        side = min(height, width)
        chosen.append({
            "layer": layer,
            "channel": rng.choice([rng.randrange(channels)] * 9 + [-1, channels]),
            "pool_size": rng.randint(0, side + 2),
            "stride": rng.randint(-1, 4) if rng.random() < 0.7 else rng.randint(0, side + 1),
            "mode": rng.choice(["max", "average"]),
        })
    return chosen


def _assert_same_picture(shown: dict, expected: dict, context: str) -> None:
    assert shown["message"] == expected["message"], context
    if expected["message"]:
        assert set(shown) == {"message"}, context
        return
    assert set(shown) == set(expected), context
    for key in ("shape", "kept", "covered", "ignored", "summary", "captions", "legend"):
        assert shown[key] == expected[key], f"{key} differs at {context}"
    np.testing.assert_allclose(shown["output"], expected["output"], rtol=0, atol=1e-6)
    # The printed values are the JavaScript's own numbers written as Python writes them; a max
    # is exact, so then they are Python's numbers too.
    printed = [compact_number(v) for v in shown["output"]] if expected["cells"] else []
    assert shown["cells"] == printed, context
    if shown["kept"] is not None:
        assert shown["cells"] == expected["cells"], context


def test_the_saved_explorer_is_the_chapter_one(chapter_explorer):
    on_page, explorer = chapter_explorer
    assert repr(explorer) == (
        "PoolingExplorer(layer='conv1', channel=7, pool_size=2, stride=2, mode='max')"
    )
    assert on_page.result() == json.loads(json.dumps(on_page.result()))
    _assert_same_picture(on_page.result(), explorer.reference(), "the saved settings")


def test_the_page_computes_what_python_computes_at_many_settings(chapter_explorer):
    on_page, explorer = chapter_explorer
    impossible = 0
    for choice in _sampled_settings(explorer, 160, seed=11):
        (shown,) = move_to(choice, explorer, on_page)
        expected = explorer.reference()
        _assert_same_picture(shown, expected, str(choice))
        assert on_page.message() == explorer.check(), choice
        impossible += bool(expected["message"])
    assert 25 <= impossible <= 120, "the sample should mix possible and impossible settings"


def test_the_sliders_follow_the_layer(chapter_explorer):
    on_page, explorer = chapter_explorer
    for layer, (height, width, channels) in zip(explorer.layer_names, explorer.shapes):
        move_to({"layer": layer, "channel": 0, "pool_size": 2, "stride": 2}, explorer, on_page)
        side = min(height, width)
        expected = {"channel": (0, channels - 1), "pool_size": (1, side + 1), "stride": (0, side)}
        for setting, (low, high) in expected.items():
            control = on_page.root.locator(f'[data-setting="{setting}"]')
            assert (control.get_attribute("min"), control.get_attribute("max")) == (
                str(low), str(high)
            ), (layer, setting)


def test_choosing_a_smaller_layer_keeps_the_settings_possible(chapter_explorer):
    on_page, explorer = chapter_explorer
    move_to({"layer": "conv2", "channel": 50, "mode": "max"}, explorer, on_page)
    move_to({"layer": "conv1", "pool_size": 20, "stride": 20}, explorer, on_page)
    (shown,) = move_to({"layer": "conv2"}, explorer, on_page)
    assert explorer.settings() == {
        "layer": "conv2", "channel": 31, "pool_size": 11, "stride": 11, "mode": "max",
    }
    _assert_same_picture(shown, explorer.reference(), "conv2 after conv1")
    for setting in ("channel", "pool_size", "stride"):
        control = on_page.root.locator(f'[data-setting="{setting}"]')
        assert control.input_value() == str(getattr(explorer, setting))
    assert shown["captions"][0] == "conv2 channel 31, 11x11"


def test_an_impossible_setting_hides_the_picture_and_explains(chapter_explorer):
    on_page, explorer = chapter_explorer
    move_to({"layer": "conv2", "channel": 3, "pool_size": 2, "stride": 2}, explorer, on_page)
    figures = on_page.root.locator("figure")
    assert figures.first.is_visible() and on_page.message() == ""
    # The pool-size slider's last step, one past the largest pool that fits.
    (shown,) = move_to({"pool_size": 12}, explorer, on_page)
    assert shown == {"message": explorer.check()}
    assert on_page.message() == (
        "A 12x12 pool is larger than the 11x11 map, so no window fits and there is no output. "
        "Use a pool size of at most 11."
    )
    assert not figures.first.is_visible() and not figures.last.is_visible()
    assert not on_page.root.locator(".cb-note").first.is_visible()  # no stale shape line
    move_to({"pool_size": 11}, explorer, on_page)
    assert figures.first.is_visible() and on_page.message() == ""


def test_the_keyboard_moves_the_sliders(chapter_explorer):
    on_page, explorer = chapter_explorer
    move_to({"layer": "conv1", "channel": 7, "pool_size": 2, "stride": 2}, explorer, on_page)
    control = on_page.root.locator('[data-setting="pool_size"]')
    control.focus()
    control.press("ArrowRight")
    assert on_page.result()["summary"].startswith("26x26 → 12x12: 144 windows of 3x3, stride 2")


def test_controls_and_pictures_are_labelled(chapter_explorer):
    on_page, _ = chapter_explorer
    for setting in SETTINGS:
        control = on_page.root.locator(f'[data-setting="{setting}"]')
        label = control.evaluate("node => node.closest('label').textContent")
        assert label.strip(), setting
    canvases = on_page.root.locator("canvas")
    assert canvases.count() == 2
    for index in range(2):
        assert canvases.nth(index).get_attribute("aria-label")


def test_a_redraw_takes_well_under_a_frame(chapter_explorer):
    on_page, explorer = chapter_explorer
    for choice in _sampled_settings(explorer, 40, seed=12):
        move_to(choice, explorer, on_page)
    timings = on_page.timings()
    assert len(timings) >= 40
    assert statistics.median(timings) < 8, statistics.median(timings)
    assert sorted(timings)[int(0.95 * len(timings))] < 16


@pytest.mark.parametrize(
    "choice",
    [
        {"layer": "conv1", "channel": 7, "pool_size": 2, "stride": 1, "mode": "max"},
        {"layer": "conv2", "channel": 0, "pool_size": 2, "stride": 2, "mode": "average"},
        {"layer": "conv1", "channel": 7, "pool_size": 27, "stride": 2, "mode": "max"},
    ],
)
def test_it_fits_a_phone_screen(site, visit, choice):
    opened = visit(f"{site}/{PAGE}", width=390)
    (on_page,) = opened.explorers("pooling")
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
    english, korean = open_both_editions(visit, site, PAGE, "pooling")
    (state,) = saved_states(CHAPTER, CLASS)
    explorer = PoolingExplorer.from_state(state)
    assert_shown_in_korean(korean, english.result(), explorer.check(), "the saved settings")
    impossible = 0
    for choice in _sampled_settings(explorer, 25, seed=40):
        expected, _ = move_to(choice, explorer, english, korean)
        assert_shown_in_korean(korean, expected, explorer.check(), str(choice))
        impossible += bool(expected["message"])
    assert 2 <= impossible <= 20, "the sample should mix possible and impossible settings"
