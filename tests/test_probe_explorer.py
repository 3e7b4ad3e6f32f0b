"""The probe explorer of "What the convnet sees": Python side, JavaScript twins, the live page.

Three layers of checks, each able to fail on its own:

1. Python: the settings, the messages for impossible settings, the image the model receives,
   and the reference picture (:meth:`ProbeExplorer.reference`) against Keras and TensorFlow's
   gradients.
2. Node: the functions of probe.js (messages, the changed image, receptive-field centres, the
   upsampling, and a whole probe: probabilities, Grad-CAM and score map in closed form)
   against their Python definitions, on many sampled inputs.
3. Browser: the explorer on the built chapter page, driven through its controls at many sampled
   settings (impossible ones included), shows what Keras computes from the saved state; on the
   Korean edition's page, it shows the same in Korean.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import pytest
from browser_support import (
    WIDGET_STATE,
    assert_shown_in_korean,
    move_to,
    open_both_editions,
    saved_states,
)
from js_support import call_js

from convbook import inspection
from convbook.data import MnistUnavailableError, load_mnist
from convbook.explorers import ProbeExplorer
from convbook.explorers.base import bundle, colour_table
from convbook.explorers.network import Network, network_for
from convbook.explorers.probe import _article, _moved_text, patch_problem, shift_problem
from convbook.models import build_convnet, build_gap_convnet, compile_for_mnist

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "07-what-the-convnet-sees.ipynb"
CLASS = "convbook.explorers.probe.ProbeExplorer"
#: What the browser's float64 pass may differ by from Keras' float32 one.
TOLERANCE = 1e-4
SETTINGS = ("network", "digit", "change", "down", "right", "patch", "top", "left", "target")


def _digits(count: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stand-ins for MNIST test digits: uint8 strokes with uneven blank borders, labels 0-9."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), dtype=np.uint8)
    for image in images:
        top, left = rng.integers(1, 8, size=2)
        for _ in range(4):
            r, c = top + rng.integers(0, 14), left + rng.integers(0, 14)
            image[r : r + rng.integers(2, 7), c : c + rng.integers(1, 6)] = rng.integers(90, 256)
    return images, np.arange(count) % 10


@pytest.fixture(scope="module")
def models(keras):
    keras.utils.set_random_seed(1)
    first = build_convnet()
    keras.utils.set_random_seed(2)
    second = build_convnet()
    # Random biases, so that a bias forgotten anywhere would show.
    for model, seed in ((first, 3), (second, 4)):
        kernel, bias = model.get_layer("classifier").get_weights()
        bias = np.random.default_rng(seed).normal(0, 0.5, size=10).astype("float32")
        model.get_layer("classifier").set_weights([kernel, bias])
    return {"first": first, "second": second}


@pytest.fixture(scope="module")
def explorer(models):
    images, labels = _digits()
    return ProbeExplorer(models, images, labels, [0, 1, 2, 5, 7, 11, 2])


def _reset(explorer: ProbeExplorer) -> None:
    explorer.network, explorer.digit, explorer.change, explorer.target = (
        "first",
        0,
        "shift",
        "answer",
    )
    explorer.down = explorer.right = 0
    explorer.patch, explorer.top, explorer.left = 6, 11, 11


# -- 1. the Python side ---------------------------------------------------------------------------


def test_settings_text_form_and_the_bundled_module(explorer):
    _reset(explorer)
    assert repr(explorer) == (
        "ProbeExplorer(network='first', digit=0, change='shift', down=0, right=0, target='answer')"
    )
    explorer.change = "occlude"
    assert repr(explorer) == (
        "ProbeExplorer(network='first', digit=0, change='occlude', patch=6, top=11, left=11, "
        "target='answer')"
    )
    assert explorer._repr_mimebundle_()[0]["text/plain"] == repr(explorer)
    assert "import {" not in explorer._esm and "export default" in explorer._esm
    assert explorer._esm == bundle("probe.js")
    assert explorer.palette["RdBu_r"] == colour_table("RdBu_r")
    assert explorer.indices == [0, 1, 2, 5, 7, 11]
    _reset(explorer)


def test_the_page_holds_the_digits_their_margins_and_one_network_per_model(explorer, models):
    images, labels = _digits()
    np.testing.assert_array_equal(explorer.pixels, images[explorer.indices])
    assert explorer.labels == labels[explorer.indices].tolist()
    assert explorer.margins == [list(inspection.ink_margins(images[k])) for k in explorer.indices]
    assert explorer.networks == [network_for(models["first"]), network_for(models["second"])]
    assert explorer.network_names == ["first", "second"]


def test_the_image_the_model_receives(explorer):
    _reset(explorer)
    images, _ = _digits()
    original = images[5].astype(np.float32) / np.float32(255)
    explorer.digit, explorer.down, explorer.right = 5, -1, 2
    np.testing.assert_array_equal(explorer.seen(), inspection.shift_images(original, -1, 2))
    explorer.change, explorer.patch, explorer.top, explorer.left = "occlude", 4, 3, 20
    patched = original.copy()
    patched[3:7, 20:24] = 0.5
    np.testing.assert_array_equal(explorer.seen(), patched)
    _reset(explorer)


def test_reference_is_keras_and_tensorflows_gradients(explorer, models):
    _reset(explorer)
    explorer.digit, explorer.network, explorer.right, explorer.target = 7, "second", 1, "truth"
    shown = explorer.reference()
    model = models["second"]
    image = explorer.seen()[None, :, :, None]
    probabilities = model.predict_on_batch(image)[0]
    np.testing.assert_allclose(shown["probabilities"], probabilities, atol=1e-6)
    assert shown["answer"] == int(probabilities.argmax()) and shown["target"] == shown["label"] == 7
    cams, _ = inspection.grad_cam(model, image, [7])
    np.testing.assert_allclose(shown["cam"], cams[0].ravel(), atol=1e-6)
    scores = inspection.score_map(model, image, [7])[0]
    np.testing.assert_allclose(shown["score"], scores.ravel(), atol=1e-6)
    _, _, centres = inspection.field_centres(model, "conv3")
    np.testing.assert_allclose(
        np.reshape(shown["laid"], (28, 28)), inspection.upsample_cam(cams[0], centres), atol=1e-6
    )
    assert shown["captions"][0] == "test digit 7, a 7: moved 1 pixel to the right"
    assert shown["captions"][1].startswith("second says ")
    assert shown["captions"][2].startswith("Grad-CAM of conv3 for 7 (the true digit): ")
    assert shown["captions"][3].startswith(f"score map for 7: {scores.sum():.2f} in all")
    # Any digit can be asked for; the snapshot leaves the settings as they were.
    snap = explorer.snapshot(target="3", change="occlude", patch=5, top=0, left=0)
    assert snap["target"] == 3 and explorer.target == "truth" and explorer.change == "shift"
    assert snap["captions"][0] == "test digit 7, a 7: a 5x5 grey patch at row 0, column 0"
    with pytest.raises(ValueError, match="unknown settings"):
        explorer.snapshot(colour="red")
    _reset(explorer)


def test_impossible_settings_explain_themselves(explorer):
    _reset(explorer)
    assert explorer.error == ""
    up, down, left, right = explorer.margins[0]
    explorer.down = down + 1
    assert explorer.error == shift_problem(0, explorer.margins[0], down + 1, 0)
    assert "would push ink off the image" in explorer.error
    assert explorer.reference() == {"message": explorer.error}
    explorer.down, explorer.right = 0, -(left + 2)
    assert f"{left} blank column" in explorer.error and "to the left" in explorer.error
    explorer.right, explorer.change = 0, "occlude"
    explorer.patch, explorer.top = 6, 23
    assert explorer.error == (
        "A 6x6 patch whose top-left corner is in row 23 would cover rows 23 to 28, past the edge "
        "of the 28-pixel image: the last row where it fits is 22."
    )
    explorer.top, explorer.patch = 0, 0
    assert explorer.error.startswith("A patch must be at least 1 pixel wide")
    explorer.patch = 29
    assert explorer.error == "A patch wider than 28 pixels cannot fit in the 28x28 image."
    explorer.patch, explorer.change = 6, "blur"
    assert explorer.error == "Choose 'shift' or 'occlude', not 'blur'."
    explorer.change, explorer.target = "shift", "11"
    assert explorer.error.startswith("Compute the map for 'answer', 'truth' or a digit")
    explorer.target, explorer.digit = "answer", 3
    assert explorer.error == (
        f"Test digit 3 is not in this page, which holds {explorer.cached}. To probe any other "
        "test digit, run the notebook and give ProbeExplorer its index."
    )
    explorer.digit, explorer.network = 0, "third"
    assert explorer.error == "There is no model 'third': choose one of first, second."
    _reset(explorer)


def test_shift_messages_count_in_words():
    assert shift_problem(4, (3, 1, 5, 0), 0, 1) == (
        "Test digit 4 has 0 blank columns to the right of its ink, so moving it 1 pixel to the "
        "right would push ink off the image: it cannot move to the right at all."
    )
    assert shift_problem(4, (3, 1, 5, 0), -4, 0) == (
        "Test digit 4 has 3 blank rows above its ink, so moving it 4 pixels up would push ink "
        "off the image: move it at most 3 pixels up."
    )
    assert "has 1 blank row below" in shift_problem(4, (3, 1, 5, 0), 2, 0)
    assert shift_problem(4, (3, 1, 5, 0), -3, -5) == "" == patch_problem(28, 0, 0)
    assert _moved_text(0, 0) == "as it is"
    assert _moved_text(-1, 3) == "moved 1 pixel up and 3 pixels to the right"


def test_construction_checks_its_inputs(models, keras):
    images, labels = _digits(4)
    with pytest.raises(ValueError, match="at least one model"):
        ProbeExplorer({}, images, labels, [0])
    with pytest.raises(ValueError, match="shape"):
        ProbeExplorer(models, images[0], labels, [0])
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        ProbeExplorer(models, images, labels[:3], [0])
    with pytest.raises(ValueError, match="between 0 and 3"):
        ProbeExplorer(models, images, labels, [4])
    with pytest.raises(ValueError, match="grey level"):
        ProbeExplorer(models, images, labels, [0], fill=2.0)
    # A GAP head cannot run in the page: the Network refuses its GlobalAveragePooling2D layer.
    with pytest.raises(ValueError, match="cannot run in the browser"):
        ProbeExplorer({"gap": build_gap_convnet()}, images, labels, [0])
    floats = ProbeExplorer(models, images[..., None] / 255, labels, [1, 2])
    np.testing.assert_array_equal(floats.pixels, images[[1, 2]])


def test_a_saved_state_rebuilds_the_same_explorer(explorer):
    _reset(explorer)
    explorer.digit, explorer.change, explorer.patch = 11, "occlude", 9
    state = json.loads(
        json.dumps(
            {
                name: value
                for name, value in explorer.get_state().items()
                if not name.startswith("_")
            }
        )
    )
    assert state["networks"] == [f"IPY_MODEL_{n.model_id}" for n in explorer.networks]
    networks = [Network.from_state(n.get_state()) for n in explorer.networks]
    again = ProbeExplorer.from_state(state, networks)
    assert repr(again) == repr(explorer)
    np.testing.assert_allclose(
        again.reference()["probabilities"], explorer.reference()["probabilities"], atol=1e-7
    )
    with pytest.raises(ValueError, match="pass the Networks"):
        ProbeExplorer.from_state(state)
    _reset(explorer)


# -- 2. the JavaScript, in Node --------------------------------------------------------------------


def _random_settings(rng: random.Random, explorer: ProbeExplorer) -> dict:
    """Settings a reader or a notebook could choose: mostly fine, some impossible."""
    return {
        "network": rng.choice(["first", "second", "second", "first", "third"]),
        "digit": rng.choice([*explorer.indices, *explorer.indices, 3, -1]),
        "change": rng.choice(["shift", "shift", "occlude", "occlude", "turn"]),
        "down": rng.randint(-9, 9),
        "right": rng.randint(-9, 9),
        "patch": rng.choice([0, 1, 4, 6, 8, 14, 28, 29, rng.randint(1, 12)]),
        "top": rng.randint(-1, 28),
        "left": rng.randint(-1, 28),
        "target": rng.choice(["answer", "truth", "answer", "3", "9", "10", "best"]),
    }


def test_messages_in_javascript_are_pythons(explorer):
    rng = random.Random(7)
    page = {
        "names": explorer.network_names,
        "indices": explorer.indices,
        "margins": explorer.margins,
        "cached": explorer.cached,
    }
    sampled = [_random_settings(rng, explorer) for _ in range(600)]
    expected = []
    for settings in sampled:
        for name in SETTINGS:
            setattr(explorer, name, settings[name])
        expected.append(explorer.check())
    shown = call_js("probe.js", "problemWith", [[settings, page] for settings in sampled])
    assert shown == expected
    assert 150 < sum(bool(message) for message in expected) < 550
    for message in set(expected) - {""}:
        assert message[0].isupper() and message.endswith("."), message
    _reset(explorer)


def test_the_changed_image_in_javascript_is_pythons(explorer):
    rng = random.Random(8)
    calls, expected = [], []
    for _ in range(120):
        settings = _random_settings(rng, explorer)
        settings.update(
            network="first",
            digit=rng.choice(explorer.indices),
            target="answer",
            change=rng.choice(["shift", "occlude"]),
        )
        for name in SETTINGS:
            setattr(explorer, name, settings[name])
        if explorer.check():
            continue
        spot = explorer.indices.index(explorer.digit)
        calls.append([explorer.pixels[spot].ravel().tolist(), settings, explorer.fill])
        expected.append(explorer.seen().ravel())
    assert len(calls) > 40
    for shown, image in zip(call_js("probe.js", "seenImage", calls), expected, strict=True):
        np.testing.assert_array_equal(np.array(shown, dtype=np.float32), image)
    _reset(explorer)


@pytest.mark.parametrize("downsampling", ["max", "average", "strided", "none"])
def test_field_centres_in_javascript_are_pythons(downsampling):
    model = build_convnet(downsampling)
    network = network_for(model)
    layers = [layer["name"] for layer in network.layers if "window" in layer]
    shown = call_js("probe.js", "fieldCentres", [[network.layers, name] for name in layers])
    for name, found in zip(layers, shown, strict=True):
        size, jump, centres = inspection.field_centres(model, name)
        assert (found["size"], found["jump"]) == (size, jump)
        assert found["centres"] == centres.tolist()


def test_upsampling_and_words_in_javascript_are_pythons():
    rng = np.random.default_rng(9)
    calls, expected = [], []
    for _ in range(60):
        units = int(rng.integers(1, 6))
        jump = float(rng.integers(1, 6))
        centres = rng.uniform(0, 6) + jump * np.arange(units)
        cam = rng.normal(size=(units, units))
        calls.append([cam.ravel().tolist(), units, units, centres.tolist(), 28])
        expected.append(inspection.upsample_cam(cam, centres).ravel())
    for shown, laid in zip(call_js("probe.js", "upsampleCam", calls), expected, strict=True):
        np.testing.assert_allclose(shown, laid, rtol=1e-12, atol=1e-12)
    moves = [[int(a), int(b)] for a, b in rng.integers(-3, 4, size=(40, 2))]
    assert call_js("probe.text.js", "probeText.en.moved", moves) == [
        _moved_text(*move) for move in moves
    ]
    patches = [[n, int(top), int(left)] for n, (top, left) in zip(
        range(0, 100), rng.integers(0, 28, size=(100, 2)), strict=True
    )]
    assert call_js("probe.text.js", "probeText.en.patched", patches) == [
        f"{_article(n)} {n}x{n} grey patch at row {top}, column {left}" for n, top, left in patches
    ]
    assert [_article(n) for n in (1, 8, 11, 12, 18, 80, 88)] == [
        "a",
        "an",
        "an",
        "a",
        "an",
        "an",
        "an",
    ]


def _compare_probes(model, images: np.ndarray, targets: list[str], labels: list[int]) -> None:
    """probeAll() in Node equals Keras and TensorFlow's gradients within TOLERANCE."""
    network = network_for(model)
    (shown,) = call_js(
        "probe.js",
        "probeAll",
        [[network.layers, images.reshape(len(images), -1).tolist(), targets, labels]],
    )
    probabilities = model.predict_on_batch(images[..., None])
    _, _, centres = inspection.field_centres(model, "conv3")
    for k, result in enumerate(shown):
        np.testing.assert_allclose(
            result["probabilities"], probabilities[k], rtol=0, atol=TOLERANCE
        )
        chosen = {"answer": int(probabilities[k].argmax()), "truth": labels[k]}.get(targets[k])
        chosen = int(targets[k]) if chosen is None else chosen
        assert result["chosen"] == chosen and result["camShape"] == [3, 3]
        cams, _ = inspection.grad_cam(model, images[k : k + 1], [chosen])
        scores = inspection.score_map(model, images[k : k + 1], [chosen])
        np.testing.assert_allclose(result["cam"], cams[0].ravel(), rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(result["score"], scores[0].ravel(), rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(
            result["laid"],
            inspection.upsample_cam(cams[0], centres).ravel(),
            rtol=0,
            atol=TOLERANCE,
        )
        np.testing.assert_allclose(
            result["scoreLaid"],
            inspection.upsample_cam(scores[0], centres).ravel(),
            rtol=0,
            atol=TOLERANCE,
        )


def test_a_probe_in_javascript_is_keras_on_random_inputs(models):
    images, labels = _digits(8)
    inputs = (images / 255).astype(np.float32)
    targets = ["answer", "truth", "0", "9", "answer", "5", "truth", "answer"]
    _compare_probes(models["first"], inputs, targets, labels.tolist())


def test_a_probe_in_javascript_is_keras_on_mnist_test_digits(keras):
    if not os.environ.get("MNIST_NPZ"):
        pytest.skip("set MNIST_NPZ to an MNIST copy to compare on real digits")
    try:
        (x_train, y_train), (x_test, y_test) = load_mnist()
    except MnistUnavailableError as problem:
        pytest.skip(str(problem))
    # Briefly trained: maps, Grad-CAM and score maps of the sizes and signs of the chapter's.
    keras.utils.set_random_seed(3)
    model = compile_for_mnist(build_convnet())
    model.fit(x_train[:3000, :, :, None] / 255, y_train[:3000], epochs=1, batch_size=64, verbose=0)
    picked = np.random.default_rng(4).choice(len(x_test), size=10, replace=False)
    images = (x_test[picked] / 255).astype(np.float32)
    images[3] = inspection.shift_images(images[3], 2, -2)
    images[4, 8:16, 8:16] = 0.5
    targets = ["answer", "truth"] * 5
    _compare_probes(model, images, targets, y_test[picked].astype(int).tolist())


# -- 3. the live page ------------------------------------------------------------------------------


def _saved_networks(references: list[str]) -> list[Network]:
    """The Networks that a saved explorer state refers to, from the chapter's widget states."""
    data = json.loads(CHAPTER.read_text(encoding="utf-8"))
    states = data["metadata"]["widgets"][WIDGET_STATE]["state"]
    return [
        Network.from_state(states[ref.removeprefix("IPY_MODEL_")]["state"]) for ref in references
    ]


@pytest.fixture(scope="module")
def chapter_explorer(site, visit):
    """The chapter's explorer on the built page, and the same explorer rebuilt in Python."""
    (state,) = saved_states(CHAPTER, CLASS)
    opened = visit(f"{site}/book/07-what-the-convnet-sees.html")
    (on_page,) = opened.explorers("probe")
    return on_page, ProbeExplorer.from_state(state, _saved_networks(state["networks"]))


def _assert_same_picture(shown: dict, expected: dict, context: str) -> None:
    assert shown["message"] == expected["message"], context
    if expected["message"]:
        assert set(shown) == {"message"}, context
        return
    for key in ("digit", "label", "answer", "target", "camShape", "captions"):
        assert shown[key] == expected[key], f"{key} differs at {context}"
    np.testing.assert_array_equal(
        np.array(shown["image"], dtype=np.float32),
        np.array(expected["image"], dtype=np.float32),
        err_msg=context,
    )
    for key in ("probabilities", "cam", "score", "laid", "scoreLaid"):
        np.testing.assert_allclose(
            shown[key], expected[key], rtol=0, atol=TOLERANCE, err_msg=f"{key} at {context}"
        )


def _page_settings(rng: random.Random, explorer: ProbeExplorer) -> dict:
    """Settings moved through the page's controls, in a random order; some impossible."""
    spot = rng.randrange(len(explorer.indices))
    up, down, left, right = explorer.margins[spot]
    patch = rng.choice([1, 4, 6, 8, 8, 12, 0, 29])
    choices = {
        "network": rng.choice(explorer.network_names),
        "digit": explorer.indices[spot],
        "change": rng.choice(["shift", "shift", "occlude"]),
        "down": rng.choice([rng.randint(-up, down), rng.randint(-up, down), down + 1, -up - 1]),
        "right": rng.choice([rng.randint(-left, right), rng.randint(-left, right), right + 1]),
        "patch": patch,
        "top": rng.choice([rng.randint(0, 22), 28 - max(patch, 1) + 1]),
        "left": rng.randint(0, 20),
        "target": rng.choice(["answer", "answer", "truth", str(rng.randrange(10))]),
    }
    names = list(choices)
    rng.shuffle(names)
    # The digit first, most of the time: the shift sliders' ranges follow it.
    if rng.random() < 0.7:
        names.remove("digit")
        names.insert(0, "digit")
    return {name: choices[name] for name in names[: rng.randint(2, len(names))]}


def test_the_page_computes_what_keras_computes_at_many_settings(chapter_explorer):
    on_page, explorer = chapter_explorer
    _assert_same_picture(on_page.result(), explorer.reference(), "the saved settings")
    rng = random.Random(9)
    impossible = 0
    for _ in range(110):
        settings = _page_settings(rng, explorer)
        (shown,) = move_to(settings, explorer, on_page)
        expected = explorer.reference()
        _assert_same_picture(shown, expected, str(settings))
        assert on_page.message() == explorer.check()
        impossible += bool(expected["message"])
    assert 15 <= impossible <= 80, "the sample should mix possible and impossible settings"


def test_the_shift_sliders_follow_the_digit(chapter_explorer):
    on_page, explorer = chapter_explorer
    for spot in (0, 3, len(explorer.indices) - 1):
        on_page.set(change="shift", digit=explorer.indices[spot], down=0, right=0)
        up, down, left, right = explorer.margins[spot]
        rows = on_page.root.locator('[data-setting="down"]')
        cols = on_page.root.locator('[data-setting="right"]')
        assert (rows.get_attribute("min"), rows.get_attribute("max")) == (
            str(-up - 1),
            str(down + 1),
        )
        assert (cols.get_attribute("min"), cols.get_attribute("max")) == (
            str(-left - 1),
            str(right + 1),
        )
        assert on_page.root.locator('[data-setting="patch"]').is_disabled()
    # (A value outside the range widens it, common.js' rule, so the patch starts in a corner.)
    on_page.set(change="occlude", top=0, left=0, patch=10)
    assert on_page.root.locator('[data-setting="top"]').get_attribute("max") == "19"
    assert on_page.root.locator('[data-setting="left"]').get_attribute("max") == "19"
    assert on_page.root.locator('[data-setting="down"]').is_disabled()


def test_keyboard_moves_the_digit_and_the_picture_hides_for_impossible_settings(chapter_explorer):
    on_page, explorer = chapter_explorer
    spot = 0
    up, down, left, right = explorer.margins[spot]
    on_page.set(digit=explorer.indices[spot], change="shift", down=0, right=right - 1)
    slider = on_page.root.locator('[data-setting="right"]')
    slider.focus()
    slider.press("ArrowRight")
    assert on_page.result()["captions"][0].endswith(f"{right} pixels to the right") or right == 1
    slider.press("ArrowRight")
    assert "would push ink off the image" in on_page.message()
    assert not on_page.root.locator("canvas").first.is_visible()
    slider.press("ArrowLeft")
    assert on_page.message() == "" and on_page.root.locator("canvas").first.is_visible()


def test_controls_are_labelled_and_redraws_are_quick(chapter_explorer):
    on_page, _ = chapter_explorer
    for control in on_page.root.locator("[data-setting]").all():
        label = control.evaluate("node => node.closest('label').innerText")
        assert label.strip(), "every control sits in a label with text"
    timings = on_page.timings()
    assert len(timings) > 100
    # 16 ms is one frame at 60 Hz; the machine may be busy, so the bound is on the median.
    assert np.median(timings) < 16, f"median redraw {np.median(timings):.1f} ms"


@pytest.mark.parametrize("edition", ["", "ko/"])  # the English edition, the Korean one
def test_nothing_overflows_a_phone_screen(site, visit, edition):
    opened = visit(f"{site}/{edition}book/07-what-the-convnet-sees.html", width=390)
    (on_page,) = opened.explorers("probe")
    on_page.set(change="occlude", patch=8)
    overflow = on_page.root.evaluate("root => root.scrollWidth - root.clientWidth")
    assert overflow <= 0
    box = on_page.root.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_the_korean_page_shows_the_same_in_korean(site, visit):
    page = "book/07-what-the-convnet-sees.html"
    english, korean = open_both_editions(visit, site, page, "probe")
    (state,) = saved_states(CHAPTER, CLASS)
    explorer = ProbeExplorer.from_state(state, _saved_networks(state["networks"]))
    assert_shown_in_korean(korean, english.result(), explorer.check(), "the saved settings")
    rng = random.Random(40)
    impossible = 0
    for _ in range(25):
        settings = _page_settings(rng, explorer)
        expected, _ = move_to(settings, explorer, english, korean)
        assert_shown_in_korean(korean, expected, explorer.check(), str(settings))
        impossible += bool(expected["message"])
    assert 2 <= impossible <= 20, "the sample should mix possible and impossible settings"
