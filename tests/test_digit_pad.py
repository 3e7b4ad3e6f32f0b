"""The digit pad: its Python side, its JavaScript twins, and the live pad on the chapter page.

Three layers of checks, each able to fail on its own:

1. Python: the drawing trait, the messages, :meth:`DigitPad.reference` and :meth:`classify`
   against :func:`convbook.digits.preprocess_digit` and Keras.
2. Node: the preparation in ``preprocess.js`` against :func:`preprocess_digit` on many sampled
   pictures (random strokes, text art, MNIST digits, blank, tiny, symmetric and edge cases), and
   the pad's own functions (messages, brush, byte encoding) against their Python definitions.
3. Browser: the pad on the built chapter 6 page, drawn on with the mouse, the keyboard, its
   buttons, a picture file and (for the bulk of the sampled drawings) its test hook, shows what
   Python computes from the page's own drawing with the network the page holds; it fits a
   phone, passes axe, and redraws within a frame. On the Korean edition's page, it shows the
   same in Korean.
"""

from __future__ import annotations

import io
import itertools
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from browser_support import (
    WIDGET_STATE,
    assert_shown_in_korean,
    open_both_editions,
    saved_states,
)
from conftest import AXE
from js_support import EXPLORERS, call_js, node

from convbook.data import load_mnist
from convbook.digits import DEFAULT_DRAWING, preprocess_digit
from convbook.explorers import DigitPad
from convbook.explorers.base import bundle, decode_array, encode_array
from convbook.explorers.digit_pad import (
    CHANNELS,
    EMPTY,
    FLAT,
    NO_INK,
    PAD_SIZE,
    SAMPLES,
    channel_problem,
    text_art_ink,
)
from convbook.explorers.network import Network

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "06-mnist-convnet.ipynb"
PAGE = "book/06-mnist-convnet.html"
CLASS = "convbook.explorers.digit_pad.DigitPad"
SIZE = PAD_SIZE


# -- sampled drawings -----------------------------------------------------------------------------


def _brush(size: int, path: np.ndarray, full: float = 2.0, edge: float = 3.0) -> np.ndarray:
    """Ink (floats in [0, 1]) of a round brush along a polyline of (row, column) cell points."""
    rows, cols = np.mgrid[0:size, 0:size] + 0.5
    ink = np.zeros((size, size))
    for (r0, c0), (r1, c1) in itertools.pairwise(path):
        dr, dc = r1 - r0, c1 - c0
        length2 = dr * dr + dc * dc
        t = np.clip(((rows - r0) * dr + (cols - c0) * dc) / length2, 0, 1) if length2 else 0.0
        distance = np.hypot(rows - r0 - t * dr, cols - c0 - t * dc)
        ink = np.maximum(ink, np.clip((edge - distance) / (edge - full), 0, 1))
    return ink


def _strokes(rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """A pad drawing of one to three random strokes, some in a lighter pencil."""
    ink = np.zeros((size, size))
    for _ in range(rng.integers(1, 4)):
        path = rng.uniform(1, size - 1, size=(rng.integers(2, 6), 2))
        ink = np.maximum(ink, _brush(size, path) * rng.choice([1.0, 1.0, 0.6, 0.3]))
    return np.round(ink * 255).astype(np.uint8)


def _text_art(rng: np.random.Generator) -> str:
    """Random text art of 1 to 20 rows and columns, with at least one '#'."""
    height, width = rng.integers(1, 21, size=2)
    cells = rng.choice(list("#+..."), size=(height, width))
    cells[rng.integers(height), rng.integers(width)] = "#"
    return "\n".join("".join(row) for row in cells)


def _edge_cases(size: int = SIZE) -> list[np.ndarray]:
    """Drawings that test the corners of the preparation: blank, flat, tiny, thin, at the edge,
    symmetric (a centre of mass exactly on a half), framed, nearly full, noisy, faint."""
    cases = [np.zeros((size, size), np.uint8), np.full((size, size), 255, np.uint8),
             np.full((size, size), 77, np.uint8)]

    def drawn(*boxes: tuple[int, int, int, int], value: int = 255) -> np.ndarray:
        ink = np.zeros((size, size), np.uint8)
        for top, left, height, width in boxes:
            ink[top : top + height, left : left + width] = value
        return ink

    cases += [
        drawn((20, 20, 1, 1)), drawn((0, 0, 1, 1)), drawn((size - 1, size - 1, 1, 1)),
        drawn((10, 5, 1, 40)), drawn((5, 30, 45, 1)), drawn((0, 0, size, 3)),
        drawn((10, 10, 20, 20)), drawn((10, 10, 21, 20)), drawn((3, 4, 30, 10)),
        drawn((10, 10, 36, 36)), drawn((10, 10, 5, 36)), drawn((10, 10, 25, 2)),
        drawn((0, 0, size, size), value=255) - drawn((1, 1, size - 2, size - 2), value=255),
        255 - drawn((20, 20, 3, 3)), drawn((5, 5, 40, 8), (5, 40, 40, 8)),
        drawn((10, 12, 30, 6), value=1), drawn((0, 0, 28, size)),
        drawn((4, 4, 8, 8), (44, 44, 8, 8)), drawn((12, 12, 32, 32)) - drawn((20, 20, 16, 16)),
    ]
    checker = (np.add.outer(np.arange(size), np.arange(size)) % 2 * 255).astype(np.uint8)
    noise = np.random.default_rng(7).integers(0, 256, (size, size)).astype(np.uint8)
    return [*cases, checker, noise]


@pytest.fixture(scope="module")
def mnist_ink() -> np.ndarray:
    """A few MNIST test digits, doubled to the pad's 56x56 (their ink is bright, as the pad's)."""
    (_, _), (images, _) = load_mnist()
    return np.stack([np.kron(image, np.ones((2, 2), np.uint8)) for image in images[:24]])


def _drawings(rng: np.random.Generator, mnist_ink: np.ndarray, count: int) -> list[np.ndarray]:
    """Edge cases, MNIST digits and samples first, then random strokes and text art."""
    drawings = _edge_cases() + list(mnist_ink[:12]) + [text_art_ink(t) for t in SAMPLES.values()]
    while len(drawings) < count:
        if rng.random() < 0.6:
            drawings.append(_strokes(rng))
        else:
            drawings.append(text_art_ink(_text_art(rng)))
    return drawings[:count]


# -- 1. the Python side ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def untrained(keras):
    keras.utils.set_random_seed(0)
    from convbook.models import build_convnet

    return build_convnet()


@pytest.fixture
def pad(untrained) -> DigitPad:
    return DigitPad(untrained)


def test_text_art_becomes_pad_ink():
    ink = text_art_ink(DEFAULT_DRAWING)
    assert ink.shape == (SIZE, SIZE) and ink.dtype == np.uint8
    # 14x14 characters, 4x4 cells each: line 2 is "....#####.....", line 3 "...##+++##....".
    assert (ink[4:8, 16:36] == 255).all() and (ink[4:8, 12:16] == 0).all()
    assert (ink[8:12, 20:32] == 128).all()
    small = text_art_ink("#")
    assert small.sum() == 255 * SIZE * SIZE  # one character fills the pad
    np.testing.assert_array_equal(text_art_ink("#.\n.#")[:28, :28], 255)
    with pytest.raises(ValueError, match="holds at most 56x56"):
        text_art_ink("#" * 57)
    with pytest.raises(ValueError, match="no ink"):
        text_art_ink("...")


def test_the_pad_holds_its_drawing_as_bytes(pad):
    assert repr(pad) == "DigitPad(inked_cells=752, channels='0-7')"
    np.testing.assert_array_equal(pad.ink, text_art_ink(DEFAULT_DRAWING))
    assert decode_array(pad.grid, "uint8", (SIZE, SIZE)).tolist() == pad.ink.tolist()
    assert [label for label, _ in pad.samples] == list(SAMPLES)
    pad.draw(SAMPLES["7"])
    np.testing.assert_array_equal(pad.ink, text_art_ink(SAMPLES["7"]))
    floats = np.zeros((SIZE, SIZE))
    floats[10:40, 20:24] = 0.5
    pad.draw(floats)
    assert set(np.unique(pad.ink)) == {0, 128}
    np.testing.assert_array_equal(pad.picture(), 255 - pad.ink)
    wrong_drawings = [(np.zeros((28, 28)), "56x56 cells"), (np.full((SIZE, SIZE), 2.0), "ink")]
    for wrong, message in wrong_drawings:
        with pytest.raises(ValueError, match=message):
            pad.draw(wrong)
    # The module travels whole: common.js, convnet.js and preprocess.js are inlined.
    assert pad._esm == bundle("digit_pad.js") and "import {" not in pad._esm
    assert ".cb-pad-frame" in pad._css and ".cb-explorer" in pad._css


def test_the_bundled_module_parses(tmp_path):
    # The bundle puts every file's top-level names in one scope: a name declared twice would
    # stop the page's module from loading, which only a browser would otherwise notice.
    module = tmp_path / "digit_pad.mjs"
    module.write_text(bundle("digit_pad.js"), encoding="utf-8")
    completed = subprocess.run(
        [node(), "--check", str(module)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_the_chapter_holds_the_current_pad():
    """The book serves the module and styles saved with the notebook: after a change to the
    pad's files, re-execute the chapter (``python -m convbook.execute``)."""
    (state,) = saved_states(CHAPTER, CLASS)
    assert state["_esm"] == bundle("digit_pad.js"), "re-execute book/06-mnist-convnet.ipynb"
    assert state["_css"] == DigitPad._css.default_value, "re-execute book/06-mnist-convnet.ipynb"
    assert state["samples"] == [
        [label, encode_array(text_art_ink(text), "uint8")] for label, text in SAMPLES.items()]


def test_messages_are_full_sentences(pad):
    assert pad.check() == ""
    pad.draw(np.zeros((SIZE, SIZE)))
    assert pad.check() == EMPTY and pad.reference() == {"message": EMPTY}
    pad.draw(np.full((SIZE, SIZE), 200, np.uint8))
    assert pad.check() == FLAT
    with pytest.raises(ValueError, match="one shade"):
        pad.classify()
    pad.draw(DEFAULT_DRAWING)
    pad.first_channel = 25
    assert pad.check() == channel_problem(25, 32) == (
        "The first channel shown must be from 0 to 24: the smallest layer has 32 channels, and "
        "the pad shows 8 of each."
    )
    for message in (EMPTY, FLAT, NO_INK, pad.check()):
        assert message[0].isupper() and message.endswith("."), message


def test_reference_is_preprocess_digit_then_keras(pad, untrained):
    pad.first_channel = 8
    shown = pad.reference()
    prepared = preprocess_digit(255 - text_art_ink(DEFAULT_DRAWING))
    np.testing.assert_array_equal(np.reshape(shown["digit"], (28, 28)), prepared.digit)
    expected = untrained.predict_on_batch(prepared.digit[None, :, :, None])[0]
    np.testing.assert_allclose(shown["probabilities"], expected, atol=1e-6)
    assert shown["answer"] == int(expected.argmax())
    assert shown["inverted"] and shown["crop"] == [48, 40] and shown["scaled"] == [20, 17]
    assert shown["captions"][:3] == [
        "cropped: 48×40", "scaled: 20×17", "centred: 28×28, what the model sees"]
    assert [layer["name"] for layer in shown["layers"]] == [
        "conv1", "pool1", "conv2", "pool2", "conv3"]
    conv1 = shown["layers"][0]
    assert conv1["shape"] == [26, 26, 32] and (conv1["first"], conv1["last"]) == (8, 15)
    assert len(conv1["peaks"]) == CHANNELS and max(conv1["peaks"]) <= conv1["vmax"]
    drawn, probabilities = pad.classify()
    np.testing.assert_array_equal(drawn.digit, prepared.digit)
    np.testing.assert_allclose(probabilities, expected, atol=1e-6)


def test_a_saved_state_rebuilds_the_same_pad(pad):
    pad.draw(SAMPLES["0"])
    state = {name: getattr(pad, name) for name in pad.keys if name != "network"}
    state["network"] = f"IPY_MODEL_{pad.network.model_id}"
    network = Network.from_state({key: getattr(pad.network, key) for key in pad.network.keys})
    with pytest.raises(ValueError, match="pass the Network"):
        DigitPad.from_state(state)
    again = DigitPad.from_state(state, network)
    assert repr(again) == repr(pad)
    np.testing.assert_array_equal(again.ink, pad.ink)
    np.testing.assert_allclose(again.reference()["probabilities"],
                               pad.reference()["probabilities"], atol=1e-6)


# -- 2. the JavaScript twins, in Node -------------------------------------------------------------


def _pictures(rng: np.random.Generator, count: int) -> list[np.ndarray]:
    """Pictures of any size and number range, as preprocess_digit takes them."""
    pictures = [np.zeros((5, 5)), np.ones((1, 1)), np.array([[0.0, 1.0]]),
                np.array([[3.0], [9.0]]), np.eye(7), 1 - np.eye(4), np.full((3, 8), 0.5)]
    while len(pictures) < count:
        height, width = (int(n) for n in rng.integers(1, 71, size=2))
        kind = rng.integers(5)
        if kind == 0:  # anything at all
            picture = rng.random((height, width)) * rng.choice([1.0, 255.0, 1000.0])
        elif kind == 1:  # dark strokes on light paper, with a little noise
            side = max(height, width)
            ink = _brush(side, rng.uniform(0, side, size=(3, 2)))[:height, :width]
            picture = np.clip(0.9 - 0.8 * ink + rng.normal(0, 0.02, ink.shape), 0, 1)
        elif kind == 2:  # bright symmetric boxes on black: centres of mass on exact halves
            picture = np.zeros((height, width))
            top, left = rng.integers(0, height), rng.integers(0, width)
            picture[top : top + rng.integers(1, 30), left : left + rng.integers(1, 30)] = 255
        elif kind == 3:  # uint8 levels on a grey background
            picture = np.full((height, width), float(rng.integers(0, 256)))
            picture[rng.random((height, width)) < 0.1] = rng.integers(0, 256)
        else:  # text art, as the old pad read it
            picture = 1.0 - text_art_ink(_text_art(rng), size=max(20, height)) / 255
        pictures.append(picture)
    return pictures


def _same_preparation(shown: dict, picture: np.ndarray, context: str) -> None:
    try:
        expected = preprocess_digit(picture)
    except ValueError as problem:
        assert shown == {"problem": str(problem)}, context
        return
    assert "problem" not in shown, f"{context}: {shown}"
    assert shown["inverted"] == expected.inverted, context
    crop, scaled = shown["crop"], shown["scaled"]
    assert [crop["height"], crop["width"]] == list(expected.cropped.shape), context
    assert [scaled["height"], scaled["width"]] == list(expected.resized.shape), context
    np.testing.assert_array_equal(np.reshape(shown["ink"], picture.shape), expected.ink)
    np.testing.assert_allclose(shown["resized"], expected.resized.ravel(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        np.reshape(shown["digit"], (28, 28)), expected.digit, rtol=0, atol=1e-6, err_msg=context
    )


def test_preprocess_in_javascript_is_preprocess_digit():
    pictures = _pictures(np.random.default_rng(11), 400)
    calls = [[picture.ravel().tolist(), *picture.shape] for picture in pictures]
    for index, (shown, picture) in enumerate(
        zip(call_js("preprocess.js", "preprocessDigit", calls), pictures)
    ):
        _same_preparation(shown, picture, f"picture {index}, {picture.shape}")


def test_the_pad_prepares_its_drawings_like_python(pad, mnist_ink):
    drawings = _drawings(np.random.default_rng(12), mnist_ink, 240)
    calls = [[drawing.ravel().tolist(), SIZE] for drawing in drawings]
    messages = set()
    for index, (shown, drawing) in enumerate(
        zip(call_js("digit_pad.js", "prepareDrawing", calls), drawings)
    ):
        pad.draw(drawing)
        if pad.check():
            assert shown == {"problem": pad.check()}, f"drawing {index}"
            messages.add(pad.check())
        else:
            _same_preparation(shown, pad.picture(), f"drawing {index}")
    assert messages == {EMPTY, FLAT}


def test_rounding_halves_like_python():
    values = [0.5, 1.5, 2.5, -0.5, -1.5, 3.4999999999, 4.5000000001, 2.5 + 1e-12, 2.5 - 1e-12,
              5.49999, 0.0, -2.0, 7.25, 12.5 - 4e-10, 12.5 + 2e-9]
    assert call_js("preprocess.js", "pythonRound", [[v] for v in values]) == [
        round(v) for v in values]
    from convbook.digits import _nearest_whole

    assert call_js("preprocess.js", "nearestWhole", [[v] for v in values]) == [
        _nearest_whole(v) for v in values]
    assert _nearest_whole(2.5 + 1e-12) == 2 and _nearest_whole(3.5 - 1e-12) == 4


def test_channel_messages_in_javascript_match_python():
    cases = [(first, depth, count) for first in (-1, 0, 3, 24, 25, 100) for depth in (8, 32, 64)
             for count in (CHANNELS, 4)]
    shown = call_js("digit_pad.js", "channelProblem", [list(case) for case in cases])
    assert shown == [channel_problem(*case) for case in cases]


_STROKES = """
import { stampSegment } from "%s";
const [size, strokes] = JSON.parse(process.argv[1]);
const result = strokes.map((path) => {
  const ink = new Uint8Array(size * size);
  const changed = path.slice(1).map((point, i) => stampSegment(ink, size, path[i], point));
  return { changed, ink: Array.from(ink) };
});
process.stdout.write(JSON.stringify(result));
"""


def test_the_brush_inks_like_its_definition():
    size = 24
    strokes = [
        [[10.0, 3.0], [10.0, 17.0]],  # a horizontal line
        [[2.2, 2.7], [2.2, 2.7]],  # a dot
        [[-5.0, 4.0], [30.0, 9.0], [12.0, 20.5]],  # leaving the pad and coming back
        [[5.0, 5.0], [5.2, 5.1], [5.0, 5.0]],  # going over the same cells again
    ]
    script = _STROKES % (EXPLORERS / "digit_pad.js").as_uri()
    completed = subprocess.run(
        [node(), "--input-type=module", "-e", script, json.dumps([size, strokes])],
        capture_output=True, text=True, timeout=60, check=True,
    )
    for path, shown in zip(strokes, json.loads(completed.stdout)):
        expected = np.round(_brush(size, np.array(path)) * 255)
        assert np.abs(np.reshape(shown["ink"], (size, size)) - expected).max() <= 1, path
    assert [shown["changed"] for shown in json.loads(completed.stdout)] == [
        [True], [True], [True, True], [True, False]]
    line = np.reshape(json.loads(completed.stdout)[0]["ink"], (size, size))[:, 10]
    # Across a stroke: full ink 2 cells either side of the path, half ink 1 cell further.
    assert line[8:12].tolist() == [255] * 4 and line[7] == line[12] == 128
    assert line[:7].sum() == line[13:].sum() == 0


def test_bytes_are_encoded_as_python_encodes_them():
    values = list(range(256)) * 20  # longer than one chunk of encodeBytes
    assert call_js("digit_pad.js", "encodeBytes", [[values]]) == [encode_array(values, "uint8")]


# -- 3. the live page -----------------------------------------------------------------------------

#: Redraw target (p95): one frame at 60 Hz.
FRAME_MS = 16.0

def _saved_pad() -> DigitPad:
    """The chapter's pad rebuilt from its saved state, with the network the page holds."""
    (state,) = saved_states(CHAPTER, CLASS)
    data = json.loads(CHAPTER.read_text(encoding="utf-8"))
    states = data["metadata"]["widgets"][WIDGET_STATE]["state"]
    network = Network.from_state(states[state["network"].removeprefix("IPY_MODEL_")]["state"])
    return DigitPad.from_state(state, network)


@pytest.fixture(scope="module")
def chapter_pad(site, visit):
    """The pad on the built chapter page, and the same pad rebuilt in Python."""
    opened = visit(f"{site}/{PAGE}")
    (on_page,) = opened.explorers("digit-pad")
    on_page.root.scroll_into_view_if_needed()
    return opened, on_page, _saved_pad()


def _page_drawing(on_page) -> str:
    return on_page.root.evaluate("root => root.convbookDrawing")


def _set_drawing(on_page, ink: np.ndarray) -> dict:
    """Draw ``ink`` through the test hook, as a finished stroke would; return the result."""
    on_page.root.evaluate("(root, text) => { root.convbookDrawing = text; }",
                          encode_array(ink, "uint8"))
    return on_page.result()


def _assert_shows_the_reference(on_page, pad: DigitPad, context: str) -> dict:
    """The page's result equals what Python computes from the page's own drawing."""
    pad.grid = _page_drawing(on_page)
    shown, expected = on_page.result(), pad.reference()
    assert shown["message"] == expected["message"], context
    assert on_page.message() == pad.check(), context
    if expected["message"]:
        assert set(shown) == {"message"}, context
        return shown
    for key in ("inverted", "crop", "scaled"):
        assert shown[key] == expected[key], f"{key} differs at {context}"
    np.testing.assert_allclose(np.reshape(shown["digit"], (28, 28)),
                               np.reshape(expected["digit"], (28, 28)), rtol=0, atol=1e-6,
                               err_msg=context)
    np.testing.assert_allclose(shown["probabilities"], expected["probabilities"], rtol=0,
                               atol=1e-4, err_msg=context)
    ranked = np.sort(expected["probabilities"])
    if ranked[-1] - ranked[-2] > 1e-4:  # a near tie may go either way in float32 and float64
        assert shown["answer"] == expected["answer"], context
    answer = shown["answer"]
    assert shown["captions"][:3] == expected["captions"][:3], context
    says = f"the model says {answer} ({shown['probabilities'][answer]:.0%})"
    assert shown["captions"][3] == says, context
    assert len(shown["layers"]) == len(expected["layers"]), context
    for page_layer, layer in zip(shown["layers"], expected["layers"]):
        for key in ("name", "shape", "first", "last"):
            assert page_layer[key] == layer[key], f"{layer['name']} {key} at {context}"
        scale = max(1.0, layer["vmax"])
        assert page_layer["vmax"] == pytest.approx(layer["vmax"], rel=1e-4, abs=1e-4 * scale)
        np.testing.assert_allclose(page_layer["peaks"], layer["peaks"], rtol=1e-4,
                                   atol=1e-4 * scale, err_msg=f"{layer['name']} at {context}")
    return shown


def test_the_saved_pad_shows_a_three(chapter_pad):
    _, on_page, pad = chapter_pad
    assert on_page.result()["answer"] == 3
    _assert_shows_the_reference(on_page, pad, "the saved drawing")
    np.testing.assert_array_equal(pad.ink, text_art_ink(DEFAULT_DRAWING))


def test_many_drawings_show_what_python_computes(chapter_pad, mnist_ink):
    _, on_page, pad = chapter_pad
    messages = 0
    for index, drawing in enumerate(_drawings(np.random.default_rng(21), mnist_ink, 110)):
        _set_drawing(on_page, drawing)
        assert _page_drawing(on_page) == encode_array(drawing, "uint8")
        messages += bool(_assert_shows_the_reference(on_page, pad, f"drawing {index}")["message"])
    assert messages == 3  # the blank pad and the two flat ones


_REPLAY = """async (root, grids) => {
  root.convbookTimings.length = 0;
  for (const grid of grids) {
    await new Promise(requestAnimationFrame);
    root.convbookDrawing = grid;
  }
  return [...root.convbookTimings];
}"""


def test_redraws_fit_a_frame(chapter_pad, mnist_ink):
    """Drawings replayed one per animation frame, as a stroke sends them: each redraw (prepare,
    run the network, draw everything) takes less than a frame.

    The replay runs three times and each drawing keeps its fastest redraw, so that the test
    measures the pad rather than the other processes sharing the machine's cores.
    """
    _, on_page, _ = chapter_pad
    drawings = _drawings(np.random.default_rng(22), mnist_ink, 163)[3:]  # all with a digit
    grids = [encode_array(drawing, "uint8") for drawing in drawings]
    runs = np.array([on_page.root.evaluate(_REPLAY, grids) for _ in range(3)])
    assert runs.shape == (3, len(drawings))
    fastest = runs.min(axis=0)
    assert np.percentile(fastest, 95) < FRAME_MS, fastest.tolist()


def _stroke(opened, on_page, path: np.ndarray) -> None:
    """Drag the mouse along ``path`` (fractions of the pad's width and height)."""
    box = on_page.root.locator("canvas.cb-pad").bounding_box()
    points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for y, x in path]
    mouse = opened.page.mouse
    mouse.move(*points[0])
    mouse.down()
    for point in points[1:]:
        mouse.move(*point, steps=6)
    mouse.up()


def _assert_inked_along(ink: np.ndarray, path: np.ndarray) -> None:
    """Full ink under every point of the path, and none further than the brush reaches."""
    cells = path * SIZE
    for row, col in cells:
        assert ink[int(row), int(col)] == 255, (row, col)
    reach = _brush(SIZE, cells, full=3.0 + 1.0, edge=3.0 + 1.5)  # the brush, and a cell spare
    assert not ink[reach == 0].any()


@pytest.mark.parametrize("width", [1280, 390, 300])
def test_pointer_strokes_draw_where_the_pointer_goes(site, visit, width):
    opened = visit(f"{site}/{PAGE}", width=width)
    (on_page,) = opened.explorers("digit-pad")
    pad = _saved_pad()
    canvas = on_page.root.locator("canvas.cb-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= width
    assert box["width"] == pytest.approx(box["height"], abs=1)
    rng = np.random.default_rng(width)
    for number in range(4 if width == 1280 else 3):
        on_page.root.locator('[data-setting="clear"]').click()
        assert on_page.result() == {"message": EMPTY}
        path = rng.uniform(0.08, 0.92, size=(rng.integers(2, 5), 2))
        _stroke(opened, on_page, path)
        pad.grid = _page_drawing(on_page)
        _assert_inked_along(pad.ink, path)
        _assert_shows_the_reference(on_page, pad, f"stroke {number} at {width} px")
    # A second stroke adds to the first.
    before = pad.ink
    _stroke(opened, on_page, np.array([[0.5, 0.1], [0.5, 0.9]]))
    pad.grid = _page_drawing(on_page)
    assert (pad.ink >= before).all() and (pad.ink > before).any()
    _assert_shows_the_reference(on_page, pad, f"two strokes at {width} px")


def test_the_keyboard_draws_too(chapter_pad):
    opened, on_page, pad = chapter_pad
    on_page.root.locator('[data-setting="clear"]').click()
    canvas = on_page.root.locator("canvas.cb-pad")
    assert canvas.get_attribute("tabindex") == "0"
    assert on_page.root.locator("#" + canvas.get_attribute("aria-describedby")).inner_text()
    canvas.focus()
    scrolled = opened.page.evaluate("window.scrollY")
    keys = opened.page.keyboard
    for key in ["ArrowUp", "ArrowUp", "ArrowUp", "Space"]:  # block (3, 6)
        keys.press(key)
    assert on_page.root.locator(".cb-pad-cursor").is_visible()  # keyboard focus shows it
    for _ in range(6):
        keys.press("Shift+ArrowDown")  # blocks (4, 6) to (9, 6)
    keys.press("ArrowRight")
    keys.press("Enter")  # block (9, 7)
    keys.press("ArrowRight")
    keys.press("Space")  # block (9, 8)
    keys.press("Delete")
    expected = np.zeros((SIZE, SIZE), np.uint8)
    expected[12:40, 24:28] = 255
    expected[36:40, 28:32] = 255
    pad.grid = _page_drawing(on_page)
    np.testing.assert_array_equal(pad.ink, expected)
    _assert_shows_the_reference(on_page, pad, "drawn with the keyboard")
    assert opened.page.evaluate("window.scrollY") == scrolled  # the keys did not scroll the page


def test_buttons_clear_and_draw_the_samples(chapter_pad):
    _, on_page, pad = chapter_pad
    on_page.root.locator('[data-setting="clear"]').click()
    assert on_page.message() == EMPTY
    assert not on_page.root.locator(".cb-steps").is_visible()
    assert on_page.root.locator("canvas.cb-pad").is_visible()  # the pad stays to draw on
    for label, grid in pad.samples:
        button = on_page.root.get_by_role("button", name=f"sample {label}")
        button.click()
        assert _page_drawing(on_page) == grid
        pad.grid = grid
        shown = _assert_shows_the_reference(on_page, pad, f"sample {label}")
        assert shown["answer"] == int(label), f"the model reads sample {label} as {shown}"


def test_the_channel_menu_pages_through_the_feature_maps(chapter_pad):
    _, on_page, pad = chapter_pad
    on_page.root.get_by_role("button", name="sample 7").click()
    for first in (16, 8, 24, 0):
        shown = on_page.set(first_channel=first)
        pad.first_channel = first
        assert {(layer["first"], layer["last"]) for layer in shown["layers"]} == {
            (first, first + CHANNELS - 1)}
        _assert_shows_the_reference(on_page, pad, f"channels from {first}")
    captions = on_page.root.locator(".cb-maps figcaption").all_inner_texts()
    assert captions[:CHANNELS] == [f"ch {c}" for c in range(CHANNELS)]


def _png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_picture_file_is_read_in_the_browser(chapter_pad):
    opened, on_page, pad = chapter_pad
    # A dark 7 on light grey paper, taller than wide.
    seven = _brush(90, np.array([[15, 8], [15, 50], [80, 22]]), full=4, edge=6)[:, :60]
    photo = np.round(230 - 200 * seven).astype(np.uint8)
    before = _page_drawing(on_page)
    file_input = on_page.root.locator('[data-setting="file"]')
    file_input.set_input_files(files=[{"name": "seven.png", "mimeType": "image/png",
                                       "buffer": _png(photo)}])
    opened.page.wait_for_function(
        "([root, before]) => root.convbookDrawing !== before",
        arg=[on_page.root.element_handle(), before],
    )
    pad.grid = _page_drawing(on_page)
    assert 15 <= pad.ink[0, 0] <= 35 and pad.ink[:, :8].max() <= 35  # the paper, in its margins
    assert pad.ink.max() > 150
    _assert_shows_the_reference(on_page, pad, "a picture file")
    file_input.set_input_files(files=[{"name": "notes.png", "mimeType": "image/png",
                                       "buffer": b"not a picture"}])
    note = on_page.root.locator(".cb-pad-tools [role=status]")
    note.filter(has_text="could not be read").wait_for()
    assert note.inner_text() == (
        "That file could not be read as a picture: choose a PNG or JPEG image.")
    assert _page_drawing(on_page) == pad.grid  # the drawing stays


def test_the_pad_fits_a_phone_and_passes_axe(site, visit):
    for width in (1280, 390):
        opened = visit(f"{site}/{PAGE}", width=width)
        (on_page,) = opened.explorers("digit-pad")
        overflow = on_page.root.evaluate("root => root.scrollWidth - root.clientWidth")
        assert overflow <= 1, f"the pad is {overflow} px too wide at {width} px"
        for control in on_page.root.locator("button, select, input, canvas.cb-pad").all():
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1
        opened.page.add_script_tag(path=str(AXE))
        found = on_page.root.evaluate("root => axe.run(root, {resultTypes: ['violations']})")
        assert not found["violations"], [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
            for v in found["violations"]
        ]
        names = on_page.root.evaluate(
            "root => [...root.querySelectorAll('button, select, input, canvas.cb-pad')]"
            ".map(e => e.labels?.[0]?.innerText || e.getAttribute('aria-label') || e.innerText)"
        )
        assert all(name.strip() for name in names), names


def test_the_korean_page_shows_the_same_in_korean(site, visit, mnist_ink):
    english, korean = open_both_editions(visit, site, PAGE, "digit-pad")
    pad = _saved_pad()
    assert_shown_in_korean(korean, english.result(), pad.check(), "the saved drawing")
    rng = np.random.default_rng(40)
    messages = 0
    # Every other drawing of the sample: edge cases with messages, MNIST digits, strokes.
    for index, drawing in enumerate(_drawings(rng, mnist_ink, 44)[::2]):
        first = int(rng.choice([0, 8, 16, 24]))
        english.set(first_channel=first)
        korean.set(first_channel=first)
        expected = _set_drawing(english, drawing)
        _set_drawing(korean, drawing)
        pad.grid, pad.first_channel = encode_array(drawing, "uint8"), first
        assert_shown_in_korean(korean, expected, pad.check(), f"drawing {index}")
        messages += bool(expected["message"])
    assert 2 <= messages <= 18, "the sample should mix drawings with and without a message"
