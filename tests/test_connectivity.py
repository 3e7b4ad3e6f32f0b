"""The helpers of the chapter "Why convolutions work" (convbook.connectivity and
convbook.connectivity_keras): counts, the locally connected layer, the tied matrix, shifts, the
receptive field measured by gradients, the figures and the exercises' checks."""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from convbook import connectivity as cn  # noqa: E402
from convbook.convolution import KERNELS, response_map  # noqa: E402
from convbook.exercises import NOT_ANSWERED  # noqa: E402


@pytest.fixture(scope="module")
def ck(keras):
    from convbook import connectivity_keras

    return connectivity_keras


def _definition(x, kernel, bias):
    """y[r, c, f] = bias[r, c, f] + sum x[r + i, c + j, d] kernel[r, c, i, j, d, f], with every
    sum written out: the definition, independent of the helper's tensordot."""
    out_h, out_w, kh, kw, channels, filters = kernel.shape
    y = np.zeros((out_h, out_w, filters))
    for r, c, f in itertools.product(range(out_h), range(out_w), range(filters)):
        total = bias[r, c, f]
        for i, j, d in itertools.product(range(kh), range(kw), range(channels)):
            total += x[r + i, c + j, d] * kernel[r, c, i, j, d, f]
        y[r, c, f] = total
    return y


# -- counting and the locally connected layer --------------------------------------------------


def test_the_parameter_counts_of_the_three_steps(keras):
    assert cn.dense_parameters(784, 26 * 26 * 32) == 16_981_120
    assert cn.locally_connected_parameters(28, 28, 1, 32, 3) == 216_320
    assert cn.convolution_parameters(1, 32, 3) == 320
    assert cn.convolution_parameters(32, 64, 3) == 18_496
    assert cn.locally_connected_parameters(28, 28, 1, 32, 3, bias=False) == 676 * 288
    layer = keras.layers.Conv2D(16, 5)
    layer.build((None, 20, 20, 3))
    assert layer.count_params() == cn.convolution_parameters(3, 16, 5)
    with pytest.raises(ValueError, match="does not fit"):
        cn.locally_connected_parameters(2, 8, 1, 1, 3)


def test_the_reference_is_the_definition():
    rng = np.random.default_rng(0)
    for height, width, channels, filters, k in [(5, 6, 2, 3, 3), (4, 4, 1, 1, 2), (6, 5, 3, 2, 1)]:
        x = rng.normal(size=(height, width, channels))
        kernel = rng.normal(size=(height - k + 1, width - k + 1, k, k, channels, filters))
        bias = rng.normal(size=(height - k + 1, width - k + 1, filters))
        np.testing.assert_allclose(
            cn.locally_connected(x, kernel, bias), _definition(x, kernel, bias), atol=1e-12
        )
    with pytest.raises(ValueError, match="channels"):
        cn.locally_connected(x, rng.normal(size=(6, 5, 1, 1, 2, 2)))
    with pytest.raises(ValueError, match="positions"):
        cn.locally_connected(x, rng.normal(size=(5, 5, 1, 1, 3, 2)))


def test_the_keras_layer_computes_the_definition(ck):
    rng = np.random.default_rng(1)
    for height, width, channels, filters, k in [(9, 8, 3, 4, 3), (7, 7, 1, 2, 5), (6, 9, 2, 1, 1)]:
        x = rng.normal(size=(2, height, width, channels)).astype("float32")
        layer = ck.LocallyConnected2D(filters, k)
        y = np.asarray(layer(x))
        kernel, bias = layer.get_weights()
        assert kernel.shape == (height - k + 1, width - k + 1, k, k, channels, filters)
        assert not bias.any(), "the bias starts at zero"
        bias = rng.normal(size=bias.shape).astype("float32")
        layer.set_weights([kernel, bias])
        y = np.asarray(layer(x))
        assert y.shape == (2, height - k + 1, width - k + 1, filters)
        assert layer.compute_output_shape(x.shape) == y.shape
        for n in range(2):
            np.testing.assert_allclose(y[n], _definition(x[n], kernel, bias), atol=1e-4)
        assert layer.count_params() == cn.locally_connected_parameters(
            height, width, channels, filters, k
        )


def test_with_tied_weights_it_is_a_convolution(ck, keras):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 10, 12, 2)).astype("float32")
    conv = keras.layers.Conv2D(5, 3)
    conv.build(x.shape)
    conv_kernel = rng.normal(size=(3, 3, 2, 5)).astype("float32")
    conv_bias = rng.normal(size=5).astype("float32")
    conv.set_weights([conv_kernel, conv_bias])
    local = ck.LocallyConnected2D(5, 3)
    local.build(x.shape)
    local.set_weights([np.broadcast_to(conv_kernel, (8, 10, 3, 3, 2, 5)),
                       np.broadcast_to(conv_bias, (8, 10, 5))])
    np.testing.assert_allclose(local(x), conv(x), atol=1e-4)


def test_the_layer_without_bias_and_its_config(ck):
    layer = ck.LocallyConnected2D(4, 3, use_bias=False, name="local")
    layer.build((None, 8, 8, 2))
    assert layer.count_params() == 6 * 6 * 3 * 3 * 2 * 4
    assert layer.get_config()["filters"] == 4 and layer.get_config()["use_bias"] is False
    again = ck.LocallyConnected2D.from_config(layer.get_config())
    assert (again.filters, again.kernel_size, again.use_bias) == (4, 3, False)
    with pytest.raises(ValueError, match="at least 1"):
        ck.LocallyConnected2D(0, 3)
    with pytest.raises(ValueError, match="does not fit"):
        ck.LocallyConnected2D(1, 5).build((None, 4, 8, 1))


def test_unit_weights_show_what_each_unit_reads():
    rng = np.random.default_rng(3)
    dense_kernel = rng.normal(size=(36, 4 * 4 * 2))  # a 6x6 image to a 4x4x2 map
    picture = cn.unit_weights("dense", dense_kernel, 1, 2, 1, image_shape=(6, 6))
    np.testing.assert_array_equal(picture.ravel(), dense_kernel[:, (1 * 4 + 2) * 2 + 1])
    local_kernel = rng.normal(size=(4, 4, 3, 3, 1, 2))
    picture = cn.unit_weights("locally connected", local_kernel, 1, 2, 1, image_shape=(6, 6))
    np.testing.assert_array_equal(picture[1:4, 2:5], local_kernel[1, 2, :, :, 0, 1])
    assert np.count_nonzero(picture) == 9
    conv_kernel = rng.normal(size=(3, 3, 1, 2))
    for r, c in [(0, 0), (3, 1)]:
        picture = cn.unit_weights("convolution", conv_kernel, r, c, 0, image_shape=(6, 6))
        np.testing.assert_array_equal(picture[r : r + 3, c : c + 3], conv_kernel[:, :, 0, 0])
        assert np.count_nonzero(picture) == 9
    with pytest.raises(ValueError, match="kind"):
        cn.unit_weights("pooling", conv_kernel, 0, 0)


# -- the tied matrix ------------------------------------------------------------------------------


def test_the_matrix_computes_the_convolution():
    rng = np.random.default_rng(4)
    for height, width, kh, kw in [(28, 28, 3, 3), (7, 9, 2, 4), (5, 5, 5, 5), (6, 4, 1, 1)]:
        kernel = rng.normal(size=(kh, kw))
        matrix = cn.convolution_matrix(kernel, height, width)
        out_h, out_w = height - kh + 1, width - kw + 1
        assert matrix.shape == (out_h * out_w, height * width)
        images = rng.normal(size=(3, height, width))
        for image in images:
            np.testing.assert_allclose(
                matrix @ image.ravel(), response_map(image, kernel).ravel(), atol=1e-12
            )
        # Local and tied: every row holds the kernel's weights, in order, and nothing else.
        for row in matrix:
            np.testing.assert_array_equal(row[row != 0], kernel.ravel())
    with pytest.raises(ValueError, match="2-D kernel"):
        cn.convolution_matrix(np.ones((3, 3, 1)), 5, 5)


def test_the_matrix_against_keras_and_its_transpose_is_the_gradient(keras):
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    layer = keras.layers.Conv2D(1, 3, use_bias=False)
    x = tf.constant(np.random.default_rng(5).random((1, 12, 10, 1)), dtype="float32")
    y = np.asarray(layer(x))
    kernel = layer.get_weights()[0][:, :, 0, 0]
    matrix = cn.convolution_matrix(kernel, 12, 10)
    np.testing.assert_allclose(matrix @ np.ravel(x), y.ravel(), atol=1e-5)
    g = np.random.default_rng(6).normal(size=y.shape).astype("float32")
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(layer(x) * g)
    gradient = tape.gradient(loss, x).numpy().ravel()
    np.testing.assert_allclose(gradient, matrix.T @ g.ravel(), atol=1e-5)


# -- shifts and equivariance ----------------------------------------------------------------------


def test_shift_moves_and_fills():
    image = np.arange(1, 21, dtype=np.uint8).reshape(4, 5)
    moved = cn.shift(image, 1, -2)
    assert moved.dtype == np.uint8
    np.testing.assert_array_equal(moved[1:, :3], image[:3, 2:])
    assert not moved[0].any() and not moved[:, 3:].any()
    np.testing.assert_array_equal(cn.shift(image, 0, 0), image)
    marked = cn.shift(image, -1, 1, fill=np.nan)
    assert np.isnan(marked[3]).all() and np.isnan(marked[:, 0]).all()
    np.testing.assert_array_equal(marked[:3, 1:], image[1:, :4])
    assert not cn.shift(image, 4, 0).any() and not cn.shift(image, 0, -5).any()
    three = np.arange(2 * 3 * 2).reshape(2, 3, 2)
    np.testing.assert_array_equal(cn.shift(three, 0, 1)[:, 1:], three[:, :2])
    # Moving there and back keeps what never left the picture.
    back = cn.shift(cn.shift(image, 2, 1), -2, -1)
    np.testing.assert_array_equal(back[:2, :4], image[:2, :4])


def test_layer_map_is_what_keras_computes(keras):
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, size=(28, 28)).astype(float)
    kernel = rng.integers(-2, 3, size=(3, 3)).astype(float)
    x = image[None, :, :, None].astype("float32")
    conv = keras.layers.Conv2D(1, 3, use_bias=False)
    conv.build(x.shape)
    conv.set_weights([kernel[:, :, None, None]])
    strided = keras.layers.Conv2D(1, 3, strides=2, use_bias=False)
    strided.build(x.shape)
    strided.set_weights([kernel[:, :, None, None]])
    expected = {
        "convolution": conv(x),
        "stride-2 convolution": strided(x),
        "convolution + 2x2 max pooling": keras.layers.MaxPooling2D(2)(conv(x)),
    }
    for name, keras_map in expected.items():
        mine = cn.layer_map(image, kernel, name)
        np.testing.assert_allclose(mine, np.asarray(keras_map)[0, :, :, 0], rtol=1e-6)
    with pytest.raises(ValueError, match="There is no layer 'dense'"):
        cn.layer_map(image, kernel, "dense")


@pytest.mark.parametrize("layer", list(cn.LAYERS))
def test_equivariance_exactly_at_the_layers_own_step(layer):
    rng = np.random.default_rng(8)
    image = np.zeros((28, 28))
    image[4:24, 4:24] = rng.integers(0, 256, size=(20, 20))
    kernel = rng.integers(-3, 4, size=(3, 3)).astype(float)
    step = cn.LAYERS[layer]
    size = 26 if step == 1 else 13
    for dy, dx in [(0, 0), (0, 1), (1, 0), (2, 2), (-3, 4), (-2, -4), (5, -1), (0, 6)]:
        result = cn.compare_shift(image, kernel, layer, dy, dx)
        assert result.step == step and result.shift == (dy, dx)
        assert result.output_shift == (dy // step, dx // step)
        assert result.exact == (dy % step == 0 and dx % step == 0)
        assert result.response.shape == result.moved.shape == (size, size)
        ty, tx = result.output_shift
        assert result.compared == (size - abs(ty)) * (size - abs(tx))
        if result.exact:
            assert result.largest == 0.0  # whole-number maps: exactly equal
        else:
            assert result.largest > 0
        np.testing.assert_array_equal(result.shifted, cn.shift(image, dy, dx))


def test_shifts_that_leave_nothing():
    image = np.ones((28, 28))
    assert cn.shift_problem(27, -27, 28, 28) == ""
    assert cn.shift_problem(-28, 0, 28, 28) == (
        "A shift of -28 rows moves the whole 28-row image out of the picture: nothing is left to "
        "compare. Shift by at most 27 rows either way."
    )
    assert cn.shift_problem(0, 30, 28, 28).startswith("A shift of 30 columns moves the whole "
                                                     "28-column image")
    with pytest.raises(ValueError, match="at most 27 columns"):
        cn.compare_shift(image, KERNELS["sharpen"], "convolution", 0, 28)
    result = cn.compare_shift(image, KERNELS["sharpen"], "convolution", 26, 0)
    assert result.compared == 0 and result.largest == 0.0
    assert cn.describe_shift(result).endswith("No cell of the moved map is left to compare.")


def test_the_sentences():
    image = np.zeros((28, 28))
    image[8:20, 10:14] = 200
    edge = KERNELS["vertical edge"]
    exact = cn.describe_shift(cn.compare_shift(image, edge, "convolution", -3, 4))
    assert exact == (
        "A shift of (-3, 4) pixels is (-3, 4) cells of this map. On the 506 cells the moved map "
        "covers, the largest difference is 0: the map moved with the digit."
    )
    pooled = cn.describe_shift(
        cn.compare_shift(image, edge, "convolution + 2x2 max pooling", 2, -4)
    )
    assert pooled.startswith("A shift of (2, -4) pixels is (1, -2) cells of this map, whose cells "
                             "are 2 pixels apart. On the 132 cells")
    odd = cn.describe_shift(cn.compare_shift(image, edge, "stride-2 convolution", 0, 1))
    assert odd.startswith(
        "A shift of (0, 1) pixels is not a whole number of this map's cells, which are 2 pixels "
        "apart: the windows fall between their old places. Against the map moved by (0, 0) "
        "cells, on the 169 cells the moved map covers, the largest difference is "
    )
    assert odd.endswith(": the map did not just move.")


# -- the receptive field, measured ----------------------------------------------------------------


def test_the_gradient_fills_exactly_the_receptive_field(ck, keras):
    from convbook.models import build_convnet, convnet_variant, receptive_fields

    keras.utils.set_random_seed(1)
    linear = convnet_variant(build_convnet("strided"), activation=None)
    image = np.random.default_rng(9).random((28, 28))
    for view in receptive_fields(linear):
        for row, col in [(0, 0), (view.output_size - 1, view.output_size // 2)]:
            gradient = ck.input_sensitivity(linear, view.name, row, col, image)
            rows, cols = np.nonzero(gradient)
            top, left = row * view.jump, col * view.jump
            assert (rows.min(), cols.min()) == (top, left), view.name
            assert rows.max() - top + 1 == cols.max() - left + 1 == view.size, view.name


# -- figures --------------------------------------------------------------------------------------


def test_the_figures_draw():
    rng = np.random.default_rng(10)
    image = rng.integers(0, 256, size=(28, 28)).astype(np.uint8)
    edge = KERNELS["vertical edge"]
    figures = [
        cn.show_panels([("digit", image, "ink"), ("map", response_map(image, edge), "signed"),
                        ("gaps", np.full((4, 4), np.nan), "signed"),
                        ("kernel", edge, "activation")], columns=2, numbers=False),
        cn.show_panels([("kernel", edge, "signed")], numbers=True, colorbar=False, limit=1.0),
        cn.show_unit_weights(
            {"convolution": [cn.unit_weights("convolution", rng.normal(size=(3, 3, 1, 1)), r, c)
                             for r, c in [(1, 1), (10, 12)]]},
            [(1, 1), (10, 12)],
        ),
        cn.show_parameter_counts({"a": 10, "b": 1_000}),
        cn.show_convolution_matrix(cn.convolution_matrix(edge, 10, 10), edge, rows=10, cols=30),
        cn.show_shift_grid(image, edge, [(0, 1), (1, 1)]),
        cn.show_kernel_learning(
            {0: {"loss": [1.0, 0.1], "val_loss": [0.5, 0.05],
                 "kernels": [np.zeros((3, 3)), edge / 2, edge]}},
            edge,
        ),
        cn.show_pointwise(rng.random(8), rng.normal(size=(1, 1, 8, 4)), np.zeros(4),
                          rng.normal(size=4)),
        cn.show_sensitivity(image, {"conv1": rng.random((28, 28))}, {"conv1": (3, 4, 3)}),
    ]
    for figure in figures:
        assert figure.axes
        plt.close(figure)
    with pytest.raises(ValueError, match="kind"):
        cn.show_panels([("x", image, "rainbow")])
    with pytest.raises(ValueError, match="no panels"):
        cn.show_panels([])


# -- the exercises ---------------------------------------------------------------------------------


def _verdict(number, answer):
    verdict = cn.EXERCISES[number](answer)
    return verdict.status, verdict.text


def test_every_exercise_is_unanswered_until_answered_and_never_crashes():
    for number, check in cn.EXERCISES.items():
        assert check(NOT_ANSWERED).status == "unanswered"
        assert check.name == f"Exercise {number}"
        for odd in (None, "a string", object(), [[1, 2], [3]], float("nan")):
            verdict = check(odd)
            assert verdict.status == "wrong" and verdict.text.startswith(f"Exercise {number}:")


def test_exercise_1_the_locally_connected_count(ck):
    layer = ck.LocallyConnected2D(64, 5)
    layer.build((None, 28, 28, 1))
    assert _verdict(1, layer.count_params())[0] == "right"
    assert "Conv2D(64, 5)" in _verdict(1, 1_664)[1]
    assert "biases too" in _verdict(1, 921_600)[1]
    assert "not even its biases" in _verdict(1, 921_664)[1]
    assert "24 positions" in _verdict(1, 1_304_576)[1]
    assert _verdict(1, 1_000)[1].startswith("Exercise 1: not quite. Count the positions")


def test_exercise_2_the_shifts_of_a_stride_3_layer():
    assert _verdict(2, [0, 3, 6])[0] == "right"
    assert _verdict(2, (6, 3, 0))[0] == "right"
    assert _verdict(2, np.array([0, 3, 6]))[0] == "right"
    assert "holds for stride 1" in _verdict(2, list(range(7)))[1]
    assert "for stride 2" in _verdict(2, [0, 2, 4, 6])[1]
    assert "include it" in _verdict(2, [3, 6])[1]
    assert "windows of a stride-3 layer" in _verdict(2, [1, 4])[1]
    assert "list of whole numbers" in _verdict(2, 3)[1]
    assert "list of whole numbers" in _verdict(2, [0.0, 3.0])[1]


def test_exercise_3_the_turned_kernel():
    edge = KERNELS["vertical edge"]
    assert _verdict(3, -edge + 0.01)[0] == "right"
    assert _verdict(3, np.flip(edge)[:, :, None, None])[0] == "right"  # as Keras stores it
    assert "before the flip" in _verdict(3, edge)[1]
    assert "hardly moved" in _verdict(3, np.full((3, 3), 0.1))[1]
    assert "within 0.05" in _verdict(3, np.eye(3))[1]
    assert "9 weights" in _verdict(3, np.ones(4))[1]


def test_exercise_4_the_bottleneck(keras):
    squeezed = keras.Sequential([keras.Input((13, 13, 32)), keras.layers.Conv2D(8, 1),
                                 keras.layers.Conv2D(64, 3)])
    assert _verdict(4, squeezed.count_params())[0] == "right"
    assert "reads the 8 channels" in _verdict(4, 18_760)[1]
    assert "1x1 layer itself" in _verdict(4, 4_672)[1]
    assert "also has a bias" in _verdict(4, 4_864)[1]


def test_exercise_5_the_strided_field(keras):
    from convbook.models import build_convnet, receptive_fields

    assert _verdict(5, receptive_fields(build_convnet("strided"))[-1].size)[0] == "right"
    assert "pooled model" in _verdict(5, 18)[1]
    assert "three stride-1" in _verdict(5, 7)[1]
    assert "layers after it" in _verdict(5, 15)[1]
    assert _verdict(5, 12)[1].startswith("Exercise 5: not quite. Use the rule")
