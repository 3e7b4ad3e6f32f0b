"""The pooling chapter's helpers: from-scratch pooling against Keras, the explorer's Python side
and its JavaScript (in Node; the live page is tested in test_pooling_explorer.py), training."""

from __future__ import annotations

import itertools
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from js_support import call_js

from convbook import pooling, style
from convbook.explorers import PoolingExplorer
from convbook.explorers.base import bundle, colour_table
from convbook.explorers.pooling import ignored_sentence
from convbook.models import build_convnet
from convbook.plotting import animation_html

KERAS_CASES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _keras_pool(keras, x, size, stride=None, mode="max"):
    layer_type = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    return keras.ops.convert_to_numpy(layer_type(size, strides=stride)(x))


# -- pooling from scratch against Keras ----------------------------------------------------------


@given(
    size=st.integers(1, 4),
    height=st.integers(4, 13),
    width=st.integers(4, 13),
    channels=st.integers(1, 3),
    batch=st.integers(1, 3),
    mode=st.sampled_from(["max", "average"]),
    seed=st.integers(0, 2**16),
)
@KERAS_CASES
def test_pool_by_reshape_matches_keras(keras, size, height, width, channels, batch, mode, seed):
    x = np.random.default_rng(seed).normal(size=(batch, height, width, channels))
    x = x.astype(np.float32)
    expected = _keras_pool(keras, x, size, mode=mode)
    got = pooling.pool_by_reshape(x, size, mode)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_pool_by_reshape_pools_a_single_map_and_drops_the_odd_border():
    fmap = np.arange(25.0).reshape(5, 5, 1)
    # Windows [[0, 1], [5, 6]], [[2, 3], [7, 8]], ...; row 4 and column 4 are dropped.
    assert pooling.pool_by_reshape(fmap, 2)[:, :, 0].tolist() == [[6, 8], [16, 18]]
    assert pooling.pool_by_reshape(fmap, 2, "average")[:, :, 0].tolist() == [[3, 5], [13, 15]]


@pytest.mark.parametrize(
    ("shape", "size", "mode", "message"),
    [
        ((4, 4), 2, "max", "Expected"),
        ((4, 4, 1), 0, "max", "The pool size must be at least 1, not 0"),
        ((3, 3, 1), 4, "max", r"A 4x4 pool does not fit in a 3x3 map\.$"),
        ((4, 4, 1), 2, "min", r"The mode must be 'max' or 'average', not 'min'\.$"),
    ],
)
def test_pool_by_reshape_refuses_impossible_input(shape, size, mode, message):
    with pytest.raises(ValueError, match=message):
        pooling.pool_by_reshape(np.zeros(shape), size, mode)


@given(
    size=st.integers(1, 5),
    stride=st.one_of(st.none(), st.integers(1, 4)),
    height=st.integers(5, 14),
    width=st.integers(5, 14),
    mode=st.sampled_from(["max", "average"]),
    seed=st.integers(0, 2**16),
)
@KERAS_CASES
def test_pool_map_matches_keras(keras, size, stride, height, width, mode, seed):
    values = np.random.default_rng(seed).normal(size=(height, width)).astype(np.float32)
    expected = _keras_pool(keras, values[np.newaxis, :, :, np.newaxis], size, stride, mode)
    result = pooling.pool_map(values, size, stride, mode)
    np.testing.assert_allclose(result.output, expected[0, :, :, 0], rtol=1e-5, atol=1e-6)
    step = size if stride is None else stride
    assert result.stride == step
    rows, cols = result.output.shape
    assert result.covered == ((rows - 1) * step + size, (cols - 1) * step + size)
    assert result.covered[0] <= height < result.covered[0] + step
    if mode == "average":
        assert result.kept is None
        return
    # Each kept pixel lies in its own window and holds that window's value.
    for (r, c), (kr, kc) in zip(result.corners(), result.kept.reshape(-1, 2)):
        assert r <= kr < r + size and c <= kc < c + size
    kept_values = values[result.kept[..., 0], result.kept[..., 1]]
    np.testing.assert_array_equal(kept_values, result.output)


def test_pool_map_keeps_the_first_maximum_of_a_tie():
    values = np.array([[1.0, 5.0], [5.0, 0.0]])
    assert pooling.pool_map(values, 2).kept[0, 0].tolist() == [0, 1]


@pytest.mark.parametrize(
    ("size", "stride", "message"),
    [
        (2, 0, "The stride must be at least 1: with a stride of 0 the window would never move "
               "to a new position."),
        (2, -1, "The stride must be at least 1: with a stride of -1 the window would move "
                "backwards, off the map."),
        (0, 1, "The pool size must be at least 1, not 0: a window holds at least one pixel."),
        (7, 1, "A 7x7 pool is larger than the 6x5 map, so no window fits and there is no "
               "output. Use a pool size of at most 5."),
    ],
)
def test_pool_map_explains_impossible_settings(size, stride, message):
    with pytest.raises(ValueError) as raised:
        pooling.pool_map(np.zeros((6, 5)), size, stride)
    assert str(raised.value) == message


def test_pool_map_wants_one_2d_map_and_a_known_mode():
    with pytest.raises(ValueError, match="2-D"):
        pooling.pool_map(np.zeros((4, 4, 1)))
    with pytest.raises(ValueError, match="^The mode must be 'max' or 'average', not 'median'.$"):
        pooling.pool_map(np.zeros((4, 4)), mode="median")


# -- real response maps --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course_model():
    import keras

    keras.utils.set_random_seed(3)
    return build_convnet("max")


@pytest.fixture(scope="module")
def maps(course_model):
    image = np.random.default_rng(0).uniform(size=(28, 28, 1)).astype(np.float32)
    return pooling.response_maps(course_model, image, ["conv1", "pool1", "conv2"])


def test_response_maps_are_the_layers_outputs(maps):
    assert {name: m.shape for name, m in maps.items()} == {
        "conv1": (26, 26, 32), "pool1": (13, 13, 32), "conv2": (11, 11, 64),
    }
    # The model's own pooling layer is what pool_by_reshape computes from conv1.
    np.testing.assert_array_equal(pooling.pool_by_reshape(maps["conv1"], 2), maps["pool1"])


def test_response_maps_of_one_layer(course_model):
    image = np.zeros((28, 28, 1), np.float32)
    only = pooling.response_maps(course_model, image, ["conv3"])
    assert list(only) == ["conv3"] and only["conv3"].shape == (3, 3, 128)
    with pytest.raises(ValueError, match="one image"):
        pooling.response_maps(course_model, np.zeros((1, 28, 28, 1)))


# -- the explorer: its Python side ---------------------------------------------------------------


@pytest.fixture
def explorer(maps):
    return PoolingExplorer({"conv1": maps["conv1"], "conv2": maps["conv2"]}, channel=5)


def test_explorer_settings_text_form_and_module(explorer):
    assert repr(explorer) == (
        "PoolingExplorer(layer='conv1', channel=5, pool_size=2, stride=2, mode='max')"
    )
    assert explorer._repr_mimebundle_()[0]["text/plain"] == repr(explorer)
    # The module travels whole, with common.js inlined, and colours as matplotlib's viridis.
    assert explorer._esm == bundle("pooling.js") and "import {" not in explorer._esm
    assert explorer.palette == {"viridis": colour_table("viridis")}
    # The outlines and dots in the book's visual language (convbook.style).
    assert explorer.colours == {
        "window": style.WINDOW_COLOUR, "output": style.OUTPUT_COLOUR,
        "unvisited": style.UNVISITED_COLOUR,
    }
    assert explorer.shapes == [[26, 26, 32], [11, 11, 64]]


def test_explorer_reference_is_pool_map(explorer, maps):
    shown = explorer.reference()
    expected = pooling.pool_map(maps["conv1"][:, :, 5], 2)
    assert shown["message"] == "" and explorer.error == ""
    np.testing.assert_array_equal(np.reshape(shown["output"], (13, 13)), expected.output)
    assert shown["kept"] == expected.kept.reshape(-1, 2).tolist()
    assert shown["shape"] == [13, 13] and shown["covered"] == [26, 26]
    assert shown["ignored"] == [0, 0]
    assert shown["summary"] == "26x26 → 13x13: 169 windows of 2x2, stride 2, max pooling."
    assert shown["captions"] == ["conv1 channel 5, 26x26", "output 13x13, the max of each window"]
    assert shown["legend"].endswith("; black dots: the pixel each window keeps")
    # 13 output cells of 20 px leave room for the values.
    assert shown["cells"] == [pooling.compact_number(v) for v in expected.output.ravel()]


def test_explorer_pools_the_float32_values_the_browser_decodes():
    fmap = np.full((4, 4, 1), 0.1)
    fmap[1, 2, 0] = 0.3
    explorer = PoolingExplorer({"tiny": fmap}, mode="average")
    assert explorer.reference()["output"][1] == pytest.approx((3 * 0.1 + 0.3) / 4, rel=1e-7)
    assert explorer.reference()["output"][0] == float(np.float32(0.1))
    assert explorer.reference()["kept"] is None


def test_explorer_shades_what_no_window_covers(explorer):
    explorer.pool_size, explorer.stride = 3, 3
    shown = explorer.reference()
    assert shown["ignored"] == [2, 2] and shown["covered"] == [24, 24]
    assert shown["summary"] == (
        "26x26 → 8x8: 64 windows of 3x3, stride 3, max pooling. The last 2 rows and the last "
        "2 columns fall in no window and are ignored (red)."
    )


@pytest.mark.parametrize(
    ("rows_left", "cols_left", "sentence"),
    [
        (0, 0, ""),
        (1, 0, "The last row falls in no window and is ignored (red)."),
        (0, 3, "The last 3 columns fall in no window and are ignored (red)."),
        (1, 1, "The last row and the last column fall in no window and are ignored (red)."),
    ],
)
def test_explorer_names_what_is_ignored(rows_left, cols_left, sentence):
    assert ignored_sentence(rows_left, cols_left) == sentence


def test_explorer_overlapping_windows_can_share_a_kept_pixel(explorer):
    explorer.stride = 1
    shown = explorer.reference()
    assert shown["shape"] == [25, 25]
    assert len({tuple(p) for p in shown["kept"]}) < len(shown["kept"]) == 625
    assert shown["cells"] == []  # 25 cells of 10 px: no room for the values


def test_explorer_average_mode_keeps_no_single_pixel(explorer, maps):
    explorer.mode = "average"
    shown = explorer.reference()
    assert shown["kept"] is None and "dots" not in shown["legend"]
    assert shown["captions"][1] == "output 13x13, the mean of each window"
    expected = pooling.pool_by_reshape(maps["conv1"], 2, "average")[:, :, 5]
    np.testing.assert_allclose(np.reshape(shown["output"], (13, 13)), expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stride": 0}, "The stride must be at least 1: with a stride of 0 the window would "
                        "never move to a new position."),
        ({"stride": -2}, "The stride must be at least 1: with a stride of -2 the window would "
                         "move backwards, off the map."),
        ({"pool_size": 0}, "The pool size must be at least 1, not 0: a window holds at least one "
                           "pixel."),
        ({"pool_size": 27}, "A 27x27 pool is larger than the 26x26 map, so no window fits and "
                            "there is no output. Use a pool size of at most 26."),
        ({"layer": "conv2", "pool_size": 12}, "A 12x12 pool is larger than the 11x11 map, so no "
                                              "window fits and there is no output. Use a pool "
                                              "size of at most 11."),
        ({"channel": 32}, "The conv1 map has channels 0 to 31: there is no channel 32."),
        ({"channel": -1}, "The conv1 map has channels 0 to 31: there is no channel -1."),
        ({"mode": "median"}, "The mode must be 'max' or 'average', not 'median'."),
        ({"layer": "conv9"}, "There is no layer 'conv9': choose one of conv1, conv2."),
    ],
)
def test_explorer_explains_impossible_settings_and_recovers(explorer, changes, message):
    for name, value in changes.items():
        setattr(explorer, name, value)
    assert explorer.check() == message
    assert explorer.reference() == {"message": message}
    explorer.layer, explorer.channel, explorer.pool_size = "conv1", 3, 2
    explorer.stride, explorer.mode = 2, "max"
    assert explorer.check() == ""


def test_explorer_one_channel_map_says_so():
    explorer = PoolingExplorer({"flat": np.zeros((5, 5, 1))}, channel=0)
    explorer.channel = 2
    assert explorer.check() == "The flat map has only channel 0: there is no channel 2."


def test_explorer_switching_layer_keeps_the_settings_in_its_ranges(maps):
    few = {"conv1": maps["conv1"], "small": maps["conv2"][:, :, :4]}
    explorer = PoolingExplorer(few, channel=20, pool_size=20, stride=15)
    explorer.layer = "small"
    assert explorer.settings() == {
        "layer": "small", "channel": 3, "pool_size": 11, "stride": 11, "mode": "max",
    }
    assert explorer.error == ""
    assert explorer.reference()["summary"].startswith("11x11 → 1x1: 1 window of 11x11")
    explorer.pool_size = 12
    assert "larger than the 11x11 map" in explorer.error


def test_explorer_never_raises_and_always_explains(explorer):
    for layer, size, stride, mode in itertools.product(
        ["conv1", "conv2"], [0, 1, 2, 3, 11, 12, 26, 27, 28], [-1, 0, 1, 2, 6],
        ["max", "average"],
    ):
        explorer.layer, explorer.pool_size, explorer.stride, explorer.mode = (
            layer, size, stride, mode
        )
        side = 26 if layer == "conv1" else 11
        possible = stride >= 1 and 1 <= size <= side
        message = explorer.check()
        assert (message == "") == possible, (layer, size, stride, mode)
        if possible:
            out = (side - size) // stride + 1
            assert explorer.reference()["summary"].startswith(f"{side}x{side} → {out}x{out}: ")
        else:
            assert message[0].isupper() and message.endswith("."), message


def test_explorer_needs_maps():
    with pytest.raises(ValueError, match="at least one"):
        PoolingExplorer({})
    with pytest.raises(ValueError, match="height, width, channels"):
        PoolingExplorer({"flat": np.zeros((4, 4))})
    with pytest.raises(ValueError, match="There is no map 'conv3'"):
        PoolingExplorer({"conv1": np.zeros((4, 4, 1))}, layer="conv3")


def test_explorer_saved_state_rebuilds_the_same_explorer(explorer):
    explorer.pool_size, explorer.stride, explorer.mode = 3, 2, "average"
    state = {name: getattr(explorer, name) for name in explorer.keys}
    again = PoolingExplorer.from_state(state)
    assert repr(again) == repr(explorer)
    assert again.reference() == explorer.reference()


# -- the explorer: its JavaScript, in Node -------------------------------------------------------


def _sampled_map(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """float32 values of three kinds: normal, small integers (many ties in a window, so the
    first maximum counts) and ReLU outputs (many zeros)."""
    kind = rng.integers(3)
    if kind == 0:
        values = rng.normal(size=shape)
    elif kind == 1:
        values = rng.integers(0, 4, size=shape)
    else:
        values = np.maximum(rng.normal(size=shape), 0)
    return values.astype(np.float32)


def test_pool_map_in_javascript_is_pool_map():
    rng = np.random.default_rng(7)
    calls = []
    for _ in range(400):
        height, width = (int(n) for n in rng.integers(1, 16, size=2))
        side = min(height, width)
        size = int(rng.integers(0, side + 3))
        stride = int(rng.integers(-1, side + 2))
        mode = str(rng.choice(["max", "average", "max", "average", "median"]))
        values = _sampled_map(rng, (height, width))
        calls.append([values.ravel().tolist(), height, width, size, stride, mode])
    impossible = 0
    for call, shown in zip(calls, call_js("pooling.js", "poolMap", calls)):
        values, height, width, size, stride, mode = call
        try:
            expected = pooling.pool_map(np.reshape(values, (height, width)), size, stride, mode)
        except ValueError as problem:
            assert shown == {"problem": str(problem)}, call[1:]
            impossible += 1
            continue
        assert [shown["rows"], shown["cols"]] == list(expected.output.shape), call[1:]
        np.testing.assert_allclose(shown["output"], expected.output.ravel(), rtol=0, atol=1e-6)
        assert shown["covered"] == list(expected.covered)
        kept = None if expected.kept is None else expected.kept.reshape(-1, 2).tolist()
        assert shown["kept"] == kept, call[1:]
    assert 80 <= impossible <= 320, "the sample should mix possible and impossible settings"


def test_compact_number_in_javascript_matches_python():
    rng = np.random.default_rng(8)
    values = [0.0, -0.0, 9.95, 9.949999, -9.95, 0.995, 0.99499, -0.995, 0.125, 0.375, 1.25,
              -1.25, 0.005, 0.015, 10.5, 11.5, 99.5, 1e-9, -1e-9, 1e21, math.nan, math.inf,
              -math.inf]
    values += rng.normal(scale=3, size=600).tolist()
    values += rng.normal(scale=0.3, size=600).astype(np.float32).astype(float).tolist()
    values += (rng.integers(-4000, 4000, size=400) / 8).tolist()  # exact binary ties
    values += (rng.integers(-2000, 2000, size=400) / 1000).tolist()
    shown = call_js("pooling.js", "compactNumber", [[v] for v in values])
    assert shown == [pooling.compact_number(v) for v in values]


def test_explore_in_javascript_shows_what_the_explorer_computes():
    rng = np.random.default_rng(9)
    calls, references = [], []
    for _ in range(150):
        maps = {
            f"layer{index}": _sampled_map(
                rng, (int(rng.integers(1, 30)), int(rng.integers(1, 30)), int(rng.integers(1, 4)))
            )
            for index in range(int(rng.integers(1, 4)))
        }
        explorer = PoolingExplorer(maps)
        layer = str(rng.choice([*maps, "missing"] if rng.random() < 0.05 else list(maps)))
        height, width, channels = maps.get(layer, maps["layer0"]).shape
        side = min(height, width)
        explorer.layer = layer  # first: choosing a layer brings the others into its ranges
        explorer.channel = int(rng.integers(-1, channels + 1))
        explorer.pool_size = int(rng.integers(0, side + 2))
        explorer.stride = int(rng.integers(0, side + 1))
        explorer.mode = str(rng.choice(["max", "average"]))
        layers = [
            {"name": name, "shape": list(fmap.shape), "values": fmap.ravel().tolist()}
            for name, fmap in maps.items()
        ]
        calls.append([layers, explorer.settings()])
        references.append(explorer.reference())
    for (_, chosen), shown, expected in zip(
        calls, call_js("pooling.js", "explore", calls), references
    ):
        if expected["message"]:
            assert shown == {"problem": expected["message"]}, chosen
            continue
        report = shown["report"]
        assert set(report) == set(expected) - {"message"}, chosen
        np.testing.assert_allclose(report.pop("output"), expected["output"], rtol=0, atol=1e-6)
        assert report == {k: v for k, v in expected.items() if k not in ("message", "output")}


# -- the static counterpart and the figures ------------------------------------------------------


def test_pooling_animation_fills_both_outputs_window_by_window():
    values = np.arange(64.0).reshape(8, 8) % 7
    animation = pooling.pooling_animation(values, 2)
    frames = list(animation.new_frame_seq())
    assert len(frames) == 16
    fig = animation._fig
    for frame in frames:
        animation._func(frame)
    shown_max = fig.axes[1].images[0].get_array()
    shown_mean = fig.axes[2].images[0].get_array()
    np.testing.assert_array_equal(shown_max, pooling.pool_map(values, 2).output)
    np.testing.assert_allclose(shown_mean, pooling.pool_map(values, 2, mode="average").output)
    player = animation_html(animation, alt="pooling, window by window").data
    assert player.count("data:image/png;base64,") == 16
    assert 'alt="pooling, window by window"' in player
    assert len(player) < 1_500_000  # small enough to store in a notebook
    assert not plt.fignum_exists(fig.number)


def test_field_square_of_the_centre_pixel():
    assert pooling.field_square(build_convnet("max"), 1, 1) == (4, 4, 18)
    assert pooling.field_square(build_convnet("none"), 11, 11) == (11, 11, 7)
    assert pooling.field_square(build_convnet("strided"), 0, 4) == (0, 16, 9)
    with pytest.raises(ValueError, match="3x3 output"):
        pooling.field_square(build_convnet("max"), 3, 0)


def test_field_square_refuses_padded_layers(keras):
    inputs = keras.Input(shape=(28, 28, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", name="padded")(inputs)
    with pytest.raises(ValueError, match="'padded' pads"):
        pooling.field_square(keras.Model(inputs, x), 0, 0)


def test_plot_map_shapes_labels_every_layer():
    fig = pooling.plot_map_shapes([build_convnet("max"), build_convnet("none")])
    labels = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    assert [label.split("\n")[1] for label in labels[0]] == [
        "28x28x1", "26x26x32", "13x13x32", "11x11x64", "5x5x64", "3x3x128", "1,152", "10",
    ]
    assert [label.split("\n")[1] for label in labels[1]] == [
        "28x28x1", "26x26x32", "24x24x64", "22x22x128", "61,952", "10",
    ]
    assert "712,202 parameters" in fig.axes[1].get_title(loc="left")
    plt.close(fig)


def test_plot_receptive_fields_draws_the_squares():
    image = np.zeros((28, 28, 1))
    fig = pooling.plot_receptive_fields(image, [build_convnet("max"), build_convnet("none")])
    squares = [ax.patches[0] for ax in fig.axes]
    assert [(p.get_width(), p.get_xy()) for p in squares] == [(18, (3.5, 3.5)), (7, (10.5, 10.5))]
    assert "conv3 sees 18x18" in fig.axes[0].get_title()
    plt.close(fig)


# -- the measured comparison ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_mnist():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=320).astype(np.uint8)
    images = rng.uniform(size=(320, 28, 28, 1)).astype(np.float32) * 0.2
    # A bright square whose row encodes the label: learnable, so accuracy can rise.
    for index, label in enumerate(labels):
        images[index, 2 * label + 2 : 2 * label + 6, 10:18, 0] = 1.0
    return (images[:256], labels[:256]), (images[256:], labels[256:])


def test_train_variant_returns_a_sane_record(tiny_mnist):
    train, validation = tiny_mnist
    result = pooling.train_variant("max", train, validation, epochs=2, batch_size=32, seed=1)
    assert (result.downsampling, result.params, result.flatten_size) == ("max", 104_202, 1_152)
    assert len(result.epoch_seconds) == 2 and all(s > 0 for s in result.epoch_seconds)
    assert result.seconds_per_epoch == result.epoch_seconds[1]  # the first epoch is left out
    assert set(result.history) == {"accuracy", "val_accuracy", "loss", "val_loss"}
    assert all(len(values) == 2 for values in result.history.values())
    assert 0 <= result.val_accuracy <= 1 and 0 <= result.train_accuracy <= 1
    assert result.gap == pytest.approx(result.train_accuracy - result.val_accuracy)
    assert result.history["loss"][1] < result.history["loss"][0]  # it did learn
    assert result.model.count_params() == result.params
    assert "model" not in repr(result)


def test_train_variant_is_reproducible_with_its_seed(tiny_mnist):
    train, validation = tiny_mnist
    first = pooling.train_variant("strided", train, validation, epochs=1, seed=5)
    again = pooling.train_variant("strided", train, validation, epochs=1, seed=5)
    assert first.params == 124_682 and first.flatten_size == 5 * 5 * 128
    assert first.history["loss"] == pytest.approx(again.history["loss"], rel=1e-4)
    assert len(first.epoch_seconds) == 1
    assert first.seconds_per_epoch == first.epoch_seconds[0]
    with pytest.raises(ValueError, match="at least one epoch"):
        pooling.train_variant("max", train, validation, epochs=0)


def _fake(name: str, params: int, seconds: tuple[float, ...], train: float, val: float,
          seed: int = 0, end_train: float | None = None):
    history = {"accuracy": [0.5, train], "val_accuracy": [0.5, val], "loss": [1, 0.5],
               "val_loss": [1, 0.6]}
    return pooling.VariantResult(name, params, 1_152, seconds, history, model=None, seed=seed,
                                 end_train_accuracy=end_train)


def test_results_table_and_plot():
    results = [
        _fake("max", 104_202, (9.0, 2.0, 4.0), 0.98, 0.97),
        _fake("none", 712_202, (40.0, 30.0, 32.0), 0.995, 0.97),
        _fake("max", 104_202, (9.0, 2.0, 2.0), 0.96, 0.95, seed=1, end_train=0.99),
        _fake("none", 712_202, (40.0, 20.0, 22.0), 0.99, 0.96, seed=1),
    ]
    rows = pooling.results_table(results).splitlines()
    assert rows[0].split() == ["downsampling", "seed", "params", "flatten", "s/epoch", "train",
                               "acc", "val", "acc", "gap"]
    assert rows[2].split() == ["max", "0", "104,202", "1,152", "3.0", "98.00%", "97.00%",
                               "+1.00%"]
    assert rows[3].split()[:5] == ["none", "0", "712,202", "1,152", "31.0"]
    assert re.search(r"\+2\.50%$", rows[3])
    # The accuracy measured after training, when there is one, is the training accuracy.
    assert rows[4].split()[-3:] == ["99.00%", "95.00%", "+4.00%"]
    spread = pooling.spread_table(results).splitlines()
    assert spread[2].split() == ["max", "2", "95.0-97.0%", "+1.0", "to", "+4.0", "2.5"]
    assert spread[3].split() == ["none", "2", "96.0-97.0%", "+2.5", "to", "+3.0", "26.0"]
    fig = pooling.plot_comparison(results)
    curves, finals, gaps, times = fig.axes
    # One training (dashed) and one validation (solid) curve per variant, in its colour.
    styles = [(line.get_linestyle(), line.get_color()) for line in curves.lines]
    assert styles == [("--", style.SERIES_COLOURS[0]), ("-", style.SERIES_COLOURS[0]),
                      ("--", style.SERIES_COLOURS[3]), ("-", style.SERIES_COLOURS[3])]
    # One dot per seed, and a line over the seeds' range, per variant.
    dots = [line for line in finals.lines if line.get_marker() == "o"]
    assert [list(line.get_xdata()) for line in dots] == [[97.0, 95.0], [97.0, 96.0]]
    gap_dots = [line for line in gaps.lines if line.get_marker() == "o"]
    assert [np.round(line.get_xdata(), 6).tolist() for line in gap_dots] == [[1.0, 4.0],
                                                                             [2.5, 3.0]]
    time_dots = [line for line in times.lines if line.get_marker() == "o"]
    assert [list(line.get_xdata()) for line in time_dots] == [[3.0, 2.0], [31.0, 21.0]]
    assert [t.get_text() for t in times.get_yticklabels()] == ["max", "none"]
    assert "2 seeds per variant (0, 1)" in fig._suptitle.get_text()
    plt.close(fig)


def test_train_variants_reuses_done_runs_and_goes_seed_by_seed(tiny_mnist):
    train, validation = tiny_mnist
    first = pooling.train_variant("max", train, validation, epochs=1, seed=3)
    assert 0 <= first.end_train_accuracy <= 1 and first.seed == 3
    runs = pooling.train_variants(["max", "average"], train, validation, seeds=[3, 4],
                                  epochs=1, done=[first])
    assert [(r.downsampling, r.seed) for r in runs] == [
        ("max", 3), ("average", 3), ("max", 4), ("average", 4)]
    assert runs[0] is first and runs[1].model is None
    assert list(pooling.by_variant(runs)) == ["max", "average"]
    with pytest.raises(ValueError, match="at least one seed"):
        pooling.train_variants(["max"], train, validation, seeds=[])


def test_every_variant_keeps_its_colour():
    assert [pooling.variant_colour(v) for v in pooling.VARIANTS] == list(style.SERIES_COLOURS[:4])


# -- the exercises' checks ---------------------------------------------------------------------


def _hint(check, answer) -> str:
    verdict = check(answer)
    assert verdict.status == "wrong", (answer, verdict)
    return verdict.text


def test_exercise_1_spike():
    check = pooling.EXERCISES[1]
    assert check("max")
    assert "quarter" in _hint(check, "average") and "never looks" in _hint(check, "every second")
    spike = np.zeros((4, 4, 1))
    spike[1, 1] = 8.0
    assert pooling.pool_by_reshape(spike, 2, "max")[0, 0, 0] == 8.0
    assert pooling.pool_by_reshape(spike, 2, "average")[0, 0, 0] == 2.0
    assert not spike[::2, ::2].any()


def test_exercise_2_overlapping_pooling(keras):
    check = pooling.EXERCISES[2]
    inputs = keras.Input((28, 28, 1))
    x = inputs
    for filters, pool in ((32, True), (64, True), (128, False)):
        x = keras.layers.Conv2D(filters, 3)(x)
        if pool:
            x = keras.layers.MaxPooling2D(2, strides=1)(x)
    size = int(np.prod(keras.layers.Flatten()(x).shape[1:]))
    assert check(size) and size == 51_200
    assert "strides=1" in _hint(check, 1_152) and "without any pooling" in _hint(check, 61_952)
    assert "26, 25, 23, 22, 20" in _hint(check, 21 * 21 * 128)


def test_no_pooling_check_judges_the_model_and_trains_it(tiny_mnist):
    train, validation = tiny_mnist
    check = pooling.no_pooling_check(train, validation, epochs=3, threshold=0.5)
    assert check(build_convnet("strided")), "the strided variant downsamples without pooling"
    assert "pooling layer" in _hint(check, build_convnet("max"))
    assert "pooling layer" in _hint(check, build_convnet("average"))
    assert "40,000 weights or more" in _hint(check, build_convnet("none"))
    assert "should be a Keras model" in _hint(check, "strided")
    assert check(...).status == "unanswered"


def test_no_pooling_check_never_raises_on_odd_models(keras, tiny_mnist):
    train, validation = tiny_mnist
    check = pooling.no_pooling_check(train, validation, epochs=1)
    wrong_input = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                                    keras.layers.Dense(10)])
    assert "must read (28, 28, 1) digits" in _hint(check, wrong_input)
    three_classes = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(3)])
    assert "end with 10 outputs" in _hint(check, three_classes)
    blind = keras.Sequential([  # cannot learn: its frozen classifier always says the same
        keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3, strides=4), keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax", kernel_initializer="zeros",
                           trainable=False)])
    assert "stayed below 90%" in _hint(check, blind)


def test_no_pooling_check_takes_sequential_models(keras, tiny_mnist):
    train, validation = tiny_mnist
    check = pooling.no_pooling_check(train, validation, epochs=3, threshold=0.5)
    strided = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, strides=2, activation="relu"),
        keras.layers.Conv2D(32, 3, strides=2, activation="relu"),
        keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    assert check(strided)
    pooled = keras.Sequential([
        keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 3), keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    assert "pooling layer" in _hint(check, pooled)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "0"), (0.234, ".23"), (-0.234, "-.23"), (0.999, "1.0"), (1.234, "1.2"),
     (12.34, "12"), (9.97, "10")],
)
def test_compact_numbers_fit_in_four_characters(value, text):
    assert pooling.compact_number(value) == text
