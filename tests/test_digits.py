"""Preparing a digit like MNIST (convbook.digits): preprocessing and text art."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from convbook import digits, results, style  # noqa: E402
from convbook.digits import parse_text_art, plot_preprocessing, preprocess_digit  # noqa: E402

# A 7x5 "7" and a 9x7 "0", drawn as ink (1) on paper (0).
SEVEN = np.array(
    [
        [1, 1, 1, 1, 1],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 1, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0],
    ],
    dtype=float,
)


def _ring(size: int = 9) -> np.ndarray:
    rows, cols = np.mgrid[:size, : size - 2]
    centre_r, centre_c = (size - 1) / 2, (size - 3) / 2
    distance = ((rows - centre_r) / (size / 2)) ** 2 + ((cols - centre_c) / ((size - 2) / 2)) ** 2
    return ((distance > 0.45) & (distance < 1.0)).astype(float)


def _on_canvas(ink: np.ndarray, shape=(40, 50), at=(5, 7)) -> np.ndarray:
    canvas = np.zeros(shape)
    canvas[at[0] : at[0] + ink.shape[0], at[1] : at[1] + ink.shape[1]] = ink
    return canvas


def _centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    total = pixels.sum()
    return (
        float((pixels.sum(axis=1) * np.arange(pixels.shape[0])).sum() / total),
        float((pixels.sum(axis=0) * np.arange(pixels.shape[1])).sum() / total),
    )


def _ink_box(pixels: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(pixels.any(axis=1))
    cols = np.flatnonzero(pixels.any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- preprocessing like MNIST -------------------------------------------------------------------
def test_the_digit_is_scaled_to_a_20_pixel_box_and_centred_by_mass():
    result = preprocess_digit(_on_canvas(SEVEN))
    digit = result.digit
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0.0 and digit.max() <= 1.0
    assert _ink_box(digit) == (20, 14)  # 7x5 scaled by 20/7: 20 x round(14.3)
    row, col = _centre_of_mass(digit)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    assert not result.inverted
    assert result.cropped.shape == SEVEN.shape


@pytest.mark.parametrize("ink", [SEVEN, _ring(9), np.ones((3, 12))], ids=["seven", "zero", "bar"])
def test_position_does_not_matter(ink):
    here = preprocess_digit(_on_canvas(ink, at=(2, 3))).digit
    there = preprocess_digit(_on_canvas(ink, shape=(60, 45), at=(30, 20))).digit
    np.testing.assert_array_equal(here, there)


def test_dark_ink_on_light_paper_is_inverted():
    bright_ink = preprocess_digit(_on_canvas(_ring()))
    dark_ink = preprocess_digit(1.0 - _on_canvas(_ring()))
    assert dark_ink.inverted and not bright_ink.inverted
    np.testing.assert_allclose(dark_ink.digit, bright_ink.digit, atol=1e-6)


def test_number_range_and_colour_channels_do_not_matter():
    ink = _on_canvas(_ring())
    reference = preprocess_digit(ink).digit
    as_bytes = (255 - ink * 200).astype(np.uint8)  # grey ink on white paper
    rgb = np.repeat(as_bytes[..., None], 3, axis=-1)
    rgba = np.dstack([np.zeros_like(as_bytes)] * 3 + [(ink * 255).astype(np.uint8)])
    for picture in (ink * 1000.0, as_bytes, rgb, rgba, ink.astype(bool)):
        np.testing.assert_allclose(preprocess_digit(picture).digit, reference, atol=1e-6)


def test_scale_does_not_matter_much():
    small = preprocess_digit(_on_canvas(_ring(9))).digit
    large = preprocess_digit(np.kron(_on_canvas(_ring(9)), np.ones((4, 4)))).digit
    np.testing.assert_allclose(small, large, atol=1e-6)  # 9x7 and 36x28 both become 20x16 boxes


def test_noise_fainter_than_the_threshold_is_removed():
    rng = np.random.default_rng(0)
    paper = 0.9 - 0.7 * _on_canvas(SEVEN, shape=(30, 30), at=(10, 12))
    noisy = np.clip(paper + rng.normal(0, 0.02, paper.shape), 0, 1)
    clean = preprocess_digit(paper).digit
    assert _ink_box(preprocess_digit(noisy).digit) == _ink_box(clean) == (20, 14)


def test_an_mnist_like_digit_comes_back_almost_unchanged():
    digit = preprocess_digit(_on_canvas(_ring(9))).digit
    again = preprocess_digit(digit).digit
    assert np.abs(again - digit).max() < 0.2 and np.abs(again - digit).mean() < 0.01


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        (np.zeros((10, 10)), "blank"),
        (np.full((5, 5, 3), 7), "blank"),
        (np.zeros((2, 3, 4, 5)), "expected a grey"),
        (np.array([["a"]]), "holds numbers"),
        (np.array([[np.nan, 1.0]]), "not finite"),
    ],
)
def test_pictures_that_cannot_be_digits_are_refused(picture, message):
    with pytest.raises(ValueError, match=message):
        preprocess_digit(picture)


def test_preprocessing_figure_has_every_step():
    result = preprocess_digit(1.0 - _on_canvas(SEVEN, shape=(33, 43)))
    assert [title for title, _ in result.steps()] == [
        "your picture\n33×43", "ink made bright\n(inverted)", "cropped\n7×5", "scaled\n20×14",
        "centred\n28×28",
    ]
    fig = plot_preprocessing(result, np.full(10, 0.1))
    assert len(fig.axes) == 6
    assert {ax.images[0].get_cmap().name for ax in fig.axes[:5]} == {style.INK_CMAP}
    probabilities = np.eye(10)[7] * 0.9 + 0.01

    def answer_colour(label):
        bars = plot_preprocessing(result, probabilities, label=label).axes[-1].patches
        return matplotlib.colors.to_hex(bars[7].get_facecolor())

    assert answer_colour(7) == answer_colour(None) == results.RIGHT_COLOUR
    assert answer_colour(1) == results.WRONG_COLOUR


# -- text art and the digit pad -----------------------------------------------------------------
def test_text_art_becomes_ink():
    pixels = parse_text_art("\n\n.#+\n#\n  \n")
    np.testing.assert_array_equal(pixels, [[0, 1, 0.5], [1, 0, 0]])


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("...\n. .", "no ink"), ("..#\n.x.", "line 2, column 2 holds 'x'")],
)
def test_text_art_mistakes_are_explained(text, message):
    with pytest.raises(ValueError, match=message):
        parse_text_art(text)


# -- drawing with a pen, resizing --------------------------------------------------------------
def test_strokes_are_ink_along_the_lines_with_soft_edges():
    ink = digits.draw_strokes([[(2, 2), (2, 10)], [(6, 5)]], (9, 14), width=2)
    assert ink.shape == (9, 14) and ink.min() == 0.0 and ink.max() == 1.0
    np.testing.assert_array_equal(ink[2, 2:11], 1.0)  # on the line
    assert ink[1, 6] == ink[3, 6] == 0.5  # one pixel away: the edge
    assert ink[0, 6] == 0.0 and ink[2, 12] == 0.0  # beyond the pen and past the end
    assert ink[6, 5] == 1.0 and ink[6, 6] == 0.5  # a dot
    # A longer line is the same ink as two lines meeting in the middle.
    np.testing.assert_array_equal(
        digits.draw_strokes([[(4, 1), (4, 7), (4, 12)]], (9, 14)),
        digits.draw_strokes([[(4, 1), (4, 12)]], (9, 14)),
    )
    wider = digits.draw_strokes([[(4, 1), (4, 12)]], (9, 14), width=5)
    assert wider.sum() > digits.draw_strokes([[(4, 1), (4, 12)]], (9, 14), width=2).sum()


@pytest.mark.parametrize(
    ("strokes", "shape", "width", "message"),
    [([[(1, 1)]], (5, 5), 0, "width must be positive"), ([[(1, 1)]], (0, 5), 2, "one pixel"),
     ([[]], (5, 5), 2, "stroke 1 has no points"), ([], (5, 5), 2, "no strokes")],
)
def test_impossible_drawings_are_refused(strokes, shape, width, message):
    with pytest.raises(ValueError, match=message):
        digits.draw_strokes(strokes, shape, width=width)


def test_a_drawn_digit_on_paper_is_prepared_like_mnist():
    ink = digits.draw_strokes([[(22, 104), (52, 96), (52, 130)], [(30, 120), (72, 118)]],
                              (120, 160), width=5)
    photo = (215 * (1 - 0.65 * ink)).astype(np.uint8)  # grey pencil on light-grey paper
    result = preprocess_digit(photo)
    assert result.inverted and _ink_box(result.digit)[0] == 20
    row, col = _centre_of_mass(result.digit)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5


def test_resize_averages_areas():
    pixels = np.arange(16.0).reshape(4, 4)
    np.testing.assert_allclose(digits.resize(pixels, 2, 2), [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_allclose(digits.resize(pixels, 1, 4), [pixels.mean(axis=0)])
    np.testing.assert_allclose(digits.resize(pixels, 8, 8)[::2, ::2], pixels)
    assert digits.resize(np.ones((120, 160)), 28, 28) == pytest.approx(np.ones((28, 28)))
    with pytest.raises(ValueError, match="grey"):
        digits.resize(np.ones((4, 4, 3)), 2, 2)
    with pytest.raises(ValueError, match="at least 1x1"):
        digits.resize(pixels, 0, 2)


# -- the exercise on a moved digit -------------------------------------------------------------
def test_a_moved_digit_prepares_to_the_same_pixels_and_the_check_says_so():
    picture = _on_canvas(_ring(9), shape=(28, 28), at=(9, 8))
    moved = np.roll(picture, 10, axis=1)
    assert moved.sum() == picture.sum()
    differ = int(np.sum(preprocess_digit(moved).digit != preprocess_digit(picture).digit))
    check = digits.EXERCISES[5]
    assert differ == 0 and check(differ) and check(0.0)
    assert "7 columns of 28 pixels" in check(196).text
    assert "cropping to the ink" in check(7).text
    assert "after which step" in check(12).text
    assert check(...).status == "unanswered"
    assert "should be a number" in check("none").text
