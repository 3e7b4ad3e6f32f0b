"""The pooling chapter's helpers: from-scratch pooling against Keras, the explorer, training."""

from __future__ import annotations

import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convbook import pooling
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
        ((4, 4), 2, "max", "expected"),
        ((4, 4, 1), 0, "max", "at least 1"),
        ((3, 3, 1), 4, "max", "does not fit"),
        ((4, 4, 1), 2, "min", "mode must be"),
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
        (2, 0, "stride must be at least 1"),
        (2, -1, "stride must be at least 1"),
        (0, 1, "pool size must be at least 1"),
        (7, 1, "larger than the 6x5 map"),
    ],
)
def test_pool_map_explains_impossible_settings(size, stride, message):
    with pytest.raises(ValueError, match=message):
        pooling.pool_map(np.zeros((6, 5)), size, stride)


def test_pool_map_wants_one_2d_map_and_a_known_mode():
    with pytest.raises(ValueError, match="2-D"):
        pooling.pool_map(np.zeros((4, 4, 1)))
    with pytest.raises(ValueError, match="mode must be"):
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


# -- the explorer --------------------------------------------------------------------------------


@pytest.fixture
def explorer(maps):
    return pooling.PoolingExplorer({"conv1": maps["conv1"], "conv2": maps["conv2"]}, channel=5)


def _kept_cells(svg: str) -> int:
    return svg.count(f'fill="{pooling._KEPT}" fill-opacity="0.35"')


def _windows(svg: str) -> int:
    return svg.count(f'stroke="{pooling._WINDOW}"')


def test_explorer_shows_windows_kept_values_and_the_output_shape(explorer, maps):
    assert explorer.error == ""
    assert "26x26 &rarr; 13x13" in explorer.shape_line.value
    assert "169 windows of 2x2, stride 2, max pooling" in explorer.shape_line.value
    svg = explorer.picture.value
    assert _windows(svg) == 169
    # Non-overlapping windows: every window keeps its own pixel.
    assert _kept_cells(svg) == 169
    assert "ignored" not in explorer.shape_line.value
    expected = pooling.pool_map(maps["conv1"][:, :, 5], 2).output
    np.testing.assert_array_equal(explorer.pooled().output, expected)
    assert 'aria-label="the 13x13 max-pooled map"' in svg
    assert repr(explorer) == (
        "PoolingExplorer(layer='conv1', channel=5, pool_size=2, stride=2, mode='max')"
    )


def test_explorer_shades_what_no_window_covers(explorer):
    explorer.pool_size.value = 3
    explorer.stride.value = 3
    assert "26x26 &rarr; 8x8" in explorer.shape_line.value
    assert "last 2 row(s) and 2 column(s)" in explorer.shape_line.value
    assert explorer.picture.value.count("stroke-dasharray") == 2


def test_explorer_overlapping_windows_can_share_a_kept_pixel(explorer):
    explorer.stride.value = 1
    assert "26x26 &rarr; 25x25" in explorer.shape_line.value
    svg = explorer.picture.value
    assert _windows(svg) == 625
    assert _kept_cells(svg) == len({tuple(p) for p in explorer.pooled().kept.reshape(-1, 2)})
    assert _kept_cells(svg) < 625


def test_explorer_average_mode_keeps_no_single_pixel(explorer, maps):
    explorer.mode.value = "average"
    svg = explorer.picture.value
    assert _kept_cells(svg) == 0 and _windows(svg) == 169
    assert "average pooling" in explorer.shape_line.value
    expected = pooling.pool_by_reshape(maps["conv1"], 2, "average")[:, :, 5]
    np.testing.assert_allclose(explorer.pooled().output, expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("control", "value", "message"),
    [
        ("stride", 0, "the stride must be at least 1"),
        ("pool_size", 27, "a 27x27 pool is larger than the 26x26 map"),
    ],
)
def test_explorer_explains_impossible_settings_and_recovers(explorer, control, value, message):
    before = explorer.picture.value
    getattr(explorer, control).value = value
    assert explorer.error.startswith(message)
    assert explorer.picture.value == before  # the last good picture stays
    getattr(explorer, control).value = 2
    assert explorer.error == ""


def test_explorer_switching_layer_keeps_the_channel_valid(maps):
    few = {"conv1": maps["conv1"], "small": maps["conv2"][:, :, :4]}
    explorer = pooling.PoolingExplorer(few, channel=20)
    explorer.layer.value = "small"
    assert explorer.channel.max == 3 and explorer.channel.value == 3
    assert explorer.error == ""
    assert "11x11 &rarr; 5x5" in explorer.shape_line.value
    explorer.pool_size.value = 12
    assert "larger than the 11x11 map" in explorer.error


def test_explorer_never_raises_and_always_explains(explorer):
    for layer, size, stride, mode in itertools.product(
        ["conv1", "conv2"], [1, 2, 3, 11, 12, 26, 27, 28], [0, 1, 2, 6], ["max", "average"]
    ):
        explorer.layer.value = layer
        explorer.pool_size.value = size
        explorer.stride.value = stride
        explorer.mode.value = mode
        side = 26 if layer == "conv1" else 11
        possible = stride >= 1 and size <= side
        assert (explorer.error == "") == possible, (layer, size, stride, mode)
        if possible:
            out = (side - size) // stride + 1
            assert f"{side}x{side} &rarr; {out}x{out}" in explorer.shape_line.value


def test_explorer_needs_maps():
    with pytest.raises(ValueError, match="at least one"):
        pooling.PoolingExplorer({})
    with pytest.raises(ValueError, match="height, width, channels"):
        pooling.PoolingExplorer({"flat": np.zeros((4, 4))})


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


def _fake(name: str, params: int, seconds: tuple[float, ...], train: float, val: float):
    history = {"accuracy": [0.5, train], "val_accuracy": [0.5, val], "loss": [1, 0.5],
               "val_loss": [1, 0.6]}
    return pooling.VariantResult(name, params, 1_152, seconds, history, model=None)


def test_results_table_and_plot():
    results = [
        _fake("max", 104_202, (9.0, 2.0, 4.0), 0.98, 0.97),
        _fake("none", 712_202, (40.0, 30.0, 32.0), 0.995, 0.97),
    ]
    rows = pooling.results_table(results).splitlines()
    assert rows[0].split() == ["downsampling", "params", "flatten", "s/epoch", "train", "acc",
                               "val", "acc", "gap"]
    assert rows[2].split() == ["max", "104,202", "1,152", "3.0", "98.00%", "97.00%", "+1.00%"]
    assert rows[3].split()[:4] == ["none", "712,202", "1,152", "31.0"]
    assert re.search(r"\+2\.50%$", rows[3])
    fig = pooling.plot_comparison(results)
    curves, gaps, times = fig.axes
    assert [p.get_width() for p in times.patches] == [3.0, 31.0]
    assert [round(p.get_width(), 6) for p in gaps.patches] == [1.0, 2.5]
    assert [t.get_text() for t in times.get_yticklabels()] == ["max", "none"]
    assert len(curves.lines) == 4
    plt.close(fig)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "0"), (0.234, ".23"), (-0.234, "-.23"), (0.999, "1.0"), (1.234, "1.2"),
     (12.34, "12"), (9.97, "10")],
)
def test_explorer_numbers_fit_in_four_characters(value, text):
    assert pooling._compact(value) == text
