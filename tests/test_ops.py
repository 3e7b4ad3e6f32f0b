"""The NumPy reference operations agree with the Keras layers they explain."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convbook import ops

KERAS_CASES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def conv_cases(draw):
    kernel = draw(st.integers(1, 5))
    height = draw(st.integers(kernel, 12))
    width = draw(st.integers(kernel, 12))
    return {
        "batch": draw(st.integers(1, 3)),
        "height": height,
        "width": width,
        "in_channels": draw(st.integers(1, 4)),
        "filters": draw(st.integers(1, 5)),
        "kernel": (kernel, draw(st.integers(1, min(5, width)))),
        # Equal strides only: TensorFlow 2.21's oneDNN kernels return wrong values for some
        # unequal ones, e.g. a (2, 3, 1) input, a (1, 2) kernel and strides (1, 2) (correct
        # with TF_ENABLE_ONEDNN_OPTS=0). Unequal strides are checked against a plain loop below.
        "stride": (stride := draw(st.integers(1, 3)), stride),
        "padding": draw(st.sampled_from(["valid", "same"])),
        "seed": draw(st.integers(0, 2**16)),
    }


@given(case=conv_cases())
@KERAS_CASES
def test_conv2d_matches_keras_conv2d(keras, case):
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=(case["batch"], case["height"], case["width"], case["in_channels"]))
    x = x.astype(np.float32)
    layer = keras.layers.Conv2D(
        case["filters"], case["kernel"], strides=case["stride"], padding=case["padding"]
    )
    layer.build(x.shape)
    kernel, bias = layer.get_weights()
    bias = rng.normal(size=bias.shape).astype(np.float32)
    layer.set_weights([kernel, bias])
    expected = np.asarray(layer(x))
    got = ops.conv2d(x, kernel, bias, stride=case["stride"], padding=case["padding"])
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def _conv2d_by_loops(x, kernel, bias, stride, rows, cols):
    """The definition, one output value at a time, on an explicitly padded input."""
    padded = np.pad(x, [rows, cols, (0, 0)])
    kh, kw, _, filters = kernel.shape
    out_h = (padded.shape[0] - kh) // stride[0] + 1
    out_w = (padded.shape[1] - kw) // stride[1] + 1
    out = np.zeros((out_h, out_w, filters))
    for r in range(out_h):
        for c in range(out_w):
            top, left = r * stride[0], c * stride[1]
            patch = padded[top : top + kh, left : left + kw, :]
            for f in range(filters):
                out[r, c, f] = np.sum(patch * kernel[..., f]) + bias[f]
    return out


@given(
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    rows=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    seed=st.integers(0, 2**16),
)
def test_conv2d_matches_the_definition_for_any_strides(kernel, stride, rows, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(7, 6, 2))
    weights = rng.normal(size=(*kernel, 2, 3))
    bias = rng.normal(size=3)
    expected = _conv2d_by_loops(x, weights, bias, stride, rows, rows)
    got = ops.conv2d(x, weights, bias, stride=stride, padding=rows)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@given(
    size=st.integers(1, 4),
    stride=st.one_of(st.none(), st.integers(1, 4)),
    padding=st.sampled_from(["valid", "same"]),
    mode=st.sampled_from(["max", "average"]),
    height=st.integers(4, 13),
    width=st.integers(4, 13),
    seed=st.integers(0, 2**16),
)
@KERAS_CASES
def test_pool2d_matches_keras_pooling(keras, size, stride, padding, mode, height, width, seed):
    x = np.random.default_rng(seed).normal(size=(2, height, width, 3)).astype(np.float32)
    layer_type = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    expected = np.asarray(layer_type(size, strides=stride, padding=padding)(x))
    got = ops.pool2d(x, size, stride, padding=padding, mode=mode)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_conv2d_is_cross_correlation_not_flipped():
    image = np.zeros((3, 3, 1))
    image[0, 0, 0] = 1.0
    kernel = np.arange(9.0).reshape(3, 3, 1, 1)
    # A single pixel in the top-left corner picks out the kernel's top-left weight, unflipped.
    assert ops.conv2d(image, kernel)[0, 0, 0] == kernel[0, 0, 0, 0]


@given(
    i=st.integers(1, 40), k=st.integers(1, 9), s=st.integers(1, 5), p=st.integers(0, 4)
)
def test_output_size_counts_window_positions(i, k, s, p):
    fits = [start for start in range(i + 2 * p) if start + k <= i + 2 * p]
    positions = fits[::s]
    if not positions:
        with pytest.raises(ValueError, match="no output"):
            ops.output_size(i, k, s, p)
    else:
        assert ops.output_size(i, k, s, p) == len(positions)


@given(i=st.integers(1, 40), k=st.integers(1, 9), s=st.integers(1, 5))
def test_same_padding_gives_ceil_and_puts_the_extra_zero_after(i, k, s):
    before, after = ops.same_padding(i, k, s)
    assert after - before in (0, 1)
    assert (i + before + after - k) // s + 1 == math.ceil(i / s)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((0, 3, 1, 0), "input size must be at least 1"),
        ((5, 3, 0, 0), "stride must be at least 1"),
        ((5, 3, 1, -1), "padding must be at least 0"),
        ((2, 5, 1, 1), "does not fit"),
    ],
)
def test_output_size_explains_impossible_settings(arguments, message):
    with pytest.raises(ValueError, match=message):
        ops.output_size(*arguments)


def test_conv2d_rejects_a_kernel_with_the_wrong_depth():
    with pytest.raises(ValueError, match="expects 3 input channels but the input has 1"):
        ops.conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 3, 8)))


def test_pool2d_stride_defaults_to_the_pool_size():
    x = np.arange(36.0).reshape(6, 6, 1)
    assert ops.pool2d(x, 2).shape == (3, 3, 1)
    assert ops.pool2d(x, 2, stride=1).shape == (5, 5, 1)


def test_full_padding_sees_every_partial_overlap():
    assert ops.resolve_padding("full", 5, 3) == (2, 2)
    assert ops.conv2d(np.ones((5, 5, 1)), np.ones((3, 3, 1, 1)), padding="full").shape == (
        7,
        7,
        1,
    )
