"""The convolution chapter's helpers: kernels, the kernel parser, pictures and the explorer."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convbook import ops  # noqa: E402
from convbook.convolution import (  # noqa: E402
    KERNEL_TEXT,
    KERNELS,
    format_number,
    parse_kernel,
    partial_response,
    response_map,
    show_patch_arithmetic,
    show_signed_maps,
    sliding_animation,
    window_positions,
)
from convbook.plotting import animation_html  # noqa: E402


def _digits(count: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stand-ins for MNIST digits: 28x28 uint8 images with a few random strokes."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), dtype=np.uint8)
    for image in images:
        for _ in range(3):
            r, c = rng.integers(2, 24, size=2)
            image[r:r + 4, c:c + rng.integers(1, 6)] = rng.integers(100, 256)
    return images, np.arange(count) % 10


# -- the kernel parser --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 0 -1; 1 0 -1; 1 0 -1", [[1, 0, -1]] * 3),
        ("  1,0,-1 ;1, 0 ,-1;\t1 0 -1;  ", [[1, 0, -1]] * 3),
        ("1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9", np.full((3, 3), 1 / 9)),
        ("0.5 -.25 +2; 1e-2 1E1 0; 0 0 -3/4", [[0.5, -0.25, 2], [0.01, 10, 0], [0, 0, -0.75]]),
        ("1 2 3\n4 5 6\n7 8 9", np.arange(1, 10).reshape(3, 3)),
    ],
)
def test_parse_kernel_reads_rows_of_numbers(text, expected):
    kernel = parse_kernel(text)
    assert kernel.shape == (3, 3) and kernel.dtype == float
    np.testing.assert_allclose(kernel, expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type the 9 weights of the 3x3 kernel as 3 rows"),
        ("   ;  ", "Type the 9 weights"),
        ("1 2 3; 4 5 6", "The kernel needs 3 rows separated by ';' but has 2"),
        ("1 2 3; 4 5 6; 7 8 9; 1 1 1", "but has 4"),
        ("1 2 3; 4 5; 7 8 9", "Row 2 of the kernel has 2 numbers; each row needs 3."),
        ("1 2 3; 4 5 6; 7 8 9 10", "Row 3 of the kernel has 4 numbers"),
        ("1 2 3; 4 x 6; 7 8 9", "Row 2 has 'x', which is not a number: write numbers like"),
        ("1 2 3; 4 5 6; 7 8 nan", "Row 3 has 'nan', which is not a number"),
        ("inf 2 3; 4 5 6; 7 8 9", "Row 1 has 'inf', which is not a number"),
        ("1 2 3; 4 1/0 6; 7 8 9", "Row 2 has '1/0', which divides by zero."),
        ("1 2 3; 4 1/2/3 6; 7 8 9", "Row 2 has '1/2/3', which is not a number"),
        ("1e999 2 3; 4 5 6; 7 8 9", "Row 1 has '1e999', which is too large to be a kernel weight."),
        ("1 2 3; 4 5 6; 7 8", "Row 3 of the kernel has 2 numbers; each row needs 3."),
        ("1 2 3; 4 5 6; 7", "Row 3 of the kernel has 1 number; each row needs 3."),
        ("1 2 3;; 4 5 6", "Row 2 of the kernel has 0 numbers"),
    ],
)
def test_parse_kernel_explains_bad_text(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_kernel(text)


def test_parse_kernel_other_sizes():
    assert parse_kernel("1 2; 3 4", size=2).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match="needs 2 rows"):
        parse_kernel("1 2 3; 4 5 6; 7 8 9", size=2)


@pytest.mark.parametrize(
    ("value", "text"),
    [(8, "8"), (-255.0, "-255"), (1 / 9, "0.11"), (255 / 9, "28.3"), (-1274.6, "-1275"),
     (0.0, "0"), (-0.004, "-0.00"), (float("nan"), "nan")],
)
def test_format_number(value, text):
    assert format_number(value) == text


# -- the hand-made kernels ----------------------------------------------------------------------


def test_kernels_match_their_text_and_shape():
    assert list(KERNELS) == list(KERNEL_TEXT)
    assert {"vertical edge", "horizontal edge", "blur", "sharpen"} <= set(KERNELS)
    assert any(name.startswith("diagonal") for name in KERNELS)
    for name, kernel in KERNELS.items():
        assert kernel.shape == (3, 3), name
        np.testing.assert_allclose(kernel, parse_kernel(KERNEL_TEXT[name]))


def test_kernels_find_what_their_names_say():
    vertical_stroke = np.zeros((9, 9))
    vertical_stroke[:, 4] = 1.0
    horizontal_stroke = vertical_stroke.T
    backslash, slash = np.eye(9), np.fliplr(np.eye(9))
    flat = np.full((9, 9), 0.7)

    def strongest(kernel, image):
        return np.abs(response_map(image, KERNELS[kernel])).max()

    assert strongest("vertical edge", vertical_stroke) > 0
    assert strongest("vertical edge", horizontal_stroke) == 0
    assert strongest("horizontal edge", horizontal_stroke) > 0
    assert strongest("horizontal edge", vertical_stroke) == 0
    assert response_map(backslash, KERNELS["diagonal \\"]).max() > response_map(
        slash, KERNELS["diagonal \\"]
    ).max()
    # Edge and line detectors ignore flat areas; blur and sharpen keep their brightness.
    for name in ("vertical edge", "horizontal edge", "diagonal \\"):
        np.testing.assert_allclose(response_map(flat, KERNELS[name]), 0, atol=1e-12)
    for name in ("blur", "sharpen"):
        np.testing.assert_allclose(response_map(flat, KERNELS[name]), 0.7)


def test_response_map_is_ops_conv2d_on_one_channel():
    image = np.random.default_rng(3).normal(size=(7, 9))
    kernel = np.random.default_rng(4).normal(size=(3, 2))
    expected = ops.conv2d(image[..., None], kernel[..., None, None])[..., 0]
    np.testing.assert_allclose(response_map(image, kernel), expected)
    with pytest.raises(ValueError, match="2-D image"):
        response_map(image[..., None], kernel)
    with pytest.raises(ValueError, match="2-D kernel"):
        response_map(image, kernel[..., None])


# -- true convolution = cross-correlation with the flipped kernel -------------------------------


def _true_convolution_loop(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Textbook convolution, (x * w)[n] = sum_m x[m] w[n - m], kept where the kernel is inside.

    It sums over *input* pixels and indexes the kernel backwards, with no flip and no window:
    a formulation independent of the sliding-window code it checks.
    """
    kh, kw = kernel.shape
    full = np.zeros((image.shape[0] + kh - 1, image.shape[1] + kw - 1))
    for n0 in range(full.shape[0]):
        for n1 in range(full.shape[1]):
            for m0 in range(image.shape[0]):
                for m1 in range(image.shape[1]):
                    if 0 <= n0 - m0 < kh and 0 <= n1 - m1 < kw:
                        full[n0, n1] += image[m0, m1] * kernel[n0 - m0, n1 - m1]
    return full[kh - 1:image.shape[0], kw - 1:image.shape[1]]  # the "valid" part


@given(
    height=st.integers(1, 7),
    width=st.integers(1, 7),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=40, deadline=None)
def test_conv2d_with_flipped_kernel_is_true_convolution(height, width, kh, kw, seed):
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(height + kh - 1, width + kw - 1))
    kernel = rng.normal(size=(kh, kw))
    expected = _true_convolution_loop(image, kernel)
    flipped = np.flip(kernel, axis=(0, 1))
    got = ops.conv2d(image[..., None], flipped[..., None, None])[..., 0]
    assert got.shape == expected.shape == (height, width)
    np.testing.assert_allclose(got, expected, atol=1e-10)
    # ... and without the flip it differs, unless the kernel is symmetric under rotation.
    if not np.allclose(kernel, flipped):
        unflipped = ops.conv2d(image[..., None], kernel[..., None, None])[..., 0]
        assert not np.allclose(unflipped, expected)


def test_impulse_response():
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1.0
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    np.testing.assert_array_equal(response_map(impulse, kernel), np.flip(kernel))
    np.testing.assert_array_equal(_true_convolution_loop(impulse, kernel), kernel)


# -- the response map as the window leaves it ---------------------------------------------------


def test_partial_response_fills_in_reading_order():
    response = np.arange(12.0).reshape(3, 4)
    partial = partial_response(response, 1, 2)
    assert np.isfinite(partial).sum() == 1 * 4 + 2 + 1
    np.testing.assert_array_equal(partial[0], response[0])
    np.testing.assert_array_equal(partial[1, :3], response[1, :3])
    assert np.isnan(partial[1, 3]) and np.isnan(partial[2]).all()
    np.testing.assert_array_equal(partial_response(response, 2, 3), response)
    for row, col in ((3, 0), (0, 4), (-1, 0)):
        with pytest.raises(ValueError, match="outside a 3x4 response map"):
            partial_response(response, row, col)


def test_window_positions():
    positions = window_positions([8, 16], 26, step=2)
    assert len(positions) == 28 <= 30
    assert positions[:3] == [(8, 0), (8, 2), (8, 4)] and positions[13] == (8, 25)
    assert positions[-1] == (16, 25)
    assert window_positions([0], 5, step=2) == [(0, 0), (0, 2), (0, 4)]
    with pytest.raises(ValueError):
        window_positions([0], 5, step=0)


# -- figures and the animation ------------------------------------------------------------------


def test_show_patch_arithmetic_titles_the_sum():
    patch = np.array([[1, 3, 3], [0, 1, 3], [0, 1, 3]])
    fig = show_patch_arithmetic(patch, KERNELS["vertical edge"])
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["patch", "kernel", "products: sum = 8"]
    printed = [text.get_text() for text in fig.axes[2].texts]
    assert printed == ["-1", "0", "3", "0", "0", "3", "0", "0", "3"]
    plt.close(fig)
    with pytest.raises(ValueError, match="differ in shape"):
        show_patch_arithmetic(patch[:2], KERNELS["blur"])


def test_show_signed_maps_centres_zero():
    maps = [np.array([[-1.0, 3.0]]), np.array([[0.5, 0.25]])]
    fig = show_signed_maps(maps, ["a", "b"])
    limits = [ax.images[0].get_clim() for ax in fig.axes if ax.images]
    assert limits == [(-3.0, 3.0), (-0.5, 0.5)]
    plt.close(fig)


def test_sliding_animation_frames_and_alt_text():
    image = _digits(1)[0][0]
    positions = [(5, 0), (5, 7), (20, 25)]
    animation = sliding_animation(image, KERNELS["sharpen"], positions, dpi=30)
    player = animation_html(animation, alt="a window sliding over a digit").data
    assert "new Array(3)" in player  # one frame per position
    assert 'alt="a window sliding over a digit"' in player
    with pytest.raises(ValueError, match="outside a 26x26 response map"):
        sliding_animation(image, KERNELS["blur"], [(26, 0)])
    with pytest.raises(ValueError, match="at least one"):
        sliding_animation(image, KERNELS["blur"], [])


def test_sliding_animation_draws_the_partial_map():
    image = _digits(1)[0][0].astype(float)
    kernel = KERNELS["vertical edge"]
    animation = sliding_animation(image, kernel, [(3, 4), (10, 2)], dpi=30)
    fig = animation._fig  # noqa: SLF001 - the figure the frames are drawn on
    animation._func(1)  # noqa: SLF001 - draw the second frame
    response_axes = fig.axes[2]
    shown = np.ma.filled(response_axes.images[0].get_array(), np.nan)
    np.testing.assert_array_equal(
        np.isnan(shown), np.isnan(partial_response(response_map(image, kernel), 10, 2))
    )
    assert response_axes.get_title() == "response map, pixel (10, 2)"
    total = (image[10:13, 2:5] * kernel).sum()
    assert fig.axes[1].get_title() == f"products, sum = {format_number(total)}"
    animation._draw_was_started = True  # noqa: SLF001 - drawn by hand: no warning on deletion
    plt.close(fig)


# -- the book's visual language ----------------------------------------------------------------


def test_signed_pictures_draw_positive_red_and_negative_blue():
    from convbook import style

    fig = show_signed_maps([np.array([[-2.0, 0.0, 2.0]])], ["signs"])
    image = fig.axes[0].images[0]
    assert image.get_cmap().name == style.SIGNED_CMAP == "RdBu_r"
    negative, zero, positive = image.to_rgba(np.array([-2.0, 0.0, 2.0]))[:, :3]
    assert positive[0] > positive[2] and negative[2] > negative[0]  # red +, blue -
    assert np.allclose(zero, 1.0, atol=0.04)  # white 0
    plt.close(fig)
    fig = show_patch_arithmetic(np.ones((3, 3)), KERNELS["vertical edge"])
    assert fig.axes[1].images[0].get_cmap().name == "RdBu_r"
    plt.close(fig)


# -- the exercises' checks ---------------------------------------------------------------------

from convbook.convolution import EXERCISES, strongest_responses  # noqa: E402


def _hint(check, answer) -> str:
    verdict = check(answer)
    assert verdict.status == "wrong", (answer, verdict)
    return verdict.text


def test_exercise_1_parameters():
    check = EXERCISES[1]
    assert check(1216) and check(1216.0)
    assert "bias" in _hint(check, 1200)
    assert "all 3 input channels" in _hint(check, 416)
    assert "16" in _hint(check, 76)
    assert "output values" in _hint(check, 12_544)
    assert check(...).status == "unanswered"
    assert "should be a number" in _hint(check, "1216")


def test_exercise_2_copy_kernel_is_judged_by_what_it_does():
    check = EXERCISES[2]
    assert check("0 0 0; 0 1 0; 0 0 0") and check(np.eye(3)[1:2].T @ np.eye(3)[1:2])
    assert check([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert "blur" in _hint(check, np.ones((3, 3)))
    assert "blur" in _hint(check, np.full((3, 3), 1 / 9))
    assert "wrong place" in _hint(check, "1 0 0; 0 0 0; 0 0 0")
    assert "multiplied by your centre weight" in _hint(check, "0 0 0; 0 2 0; 0 0 0")
    assert "Think of one output pixel" in _hint(check, np.zeros((3, 3)))
    for answer in ("1 2 3", [1, 2], "a b c; d e f; g h i", None, 5):
        assert "should be a 3x3 kernel" in _hint(check, answer)


def test_exercise_3_slash_kernel_is_run_on_four_lines():
    check = EXERCISES[3]
    slash = "-1 -1 2; -1 2 -1; 2 -1 -1"
    assert check(slash) and check(np.fliplr(np.eye(3)))
    best = strongest_responses(slash)
    assert best["/"] == 6 and best["/"] > max(best["\\"], best["|"], best["-"])
    assert "mirror it" in _hint(check, "2 -1 -1; -1 2 -1; -1 -1 2")  # the \ kernel
    assert "mirror it" in _hint(check, np.eye(3))
    assert "straight | or -" in _hint(check, "-1 2 -1; -1 2 -1; -1 2 -1")
    assert "counts ink" in _hint(check, np.ones((3, 3)))
    assert "should be a 3x3 kernel" in _hint(check, "1 1; 1 1")


def test_exercise_4_prediction():
    check = EXERCISES[4]
    assert check("lower") and check(" Lower ")
    assert "much better than guessing" in _hint(check, "chance")
    assert "single response map" in _hint(check, "same")
    assert "one of the words 'chance', 'lower' or 'same'" in _hint(check, "worse")


def test_a_digit_among_signed_maps_is_drawn_as_ink():
    from convbook import style

    digit = np.zeros((4, 4))
    digit[1:3, 1:3] = 1.0
    fig = show_signed_maps([digit, np.array([[-1.0, 1.0]])], ["digit", "map"], ink_panels=[0])
    panels = [ax for ax in fig.axes if ax.images]
    assert panels[0].images[0].get_cmap().name == style.INK_CMAP
    assert panels[0].images[0].get_clim() == (0.0, 1.0)
    assert panels[1].images[0].get_cmap().name == style.SIGNED_CMAP
    plt.close(fig)
