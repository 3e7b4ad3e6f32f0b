"""Your own digit, prepared the way MNIST's digits were, so the trained convnet can read it.

:func:`preprocess_digit` does to any picture of a digit what was done to the MNIST scans: crop to
the ink, scale the longer side to 20 pixels, centre by mass in 28x28, ink bright on a black
background, values in [0, 1]; :class:`PreprocessedDigit` keeps every step and
:func:`plot_preprocessing` draws them; :func:`resize` is its scaling step on its own.
:func:`parse_text_art` turns a digit drawn with ``#`` characters into pixels, and
:func:`draw_strokes` draws one with a round pen along lines. The digit pad explorer
(:class:`convbook.explorers.DigitPad`) does the same preparation in the browser; its tests
compare the two. :data:`EXERCISES` holds the check of the chapter's exercise on preparing a
moved digit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convbook.exercises import Check, number_check
from convbook.results import RIGHT_COLOUR, WRONG_COLOUR
from convbook.style import INK_CMAP

__all__ = [
    "DEFAULT_DRAWING",
    "EXERCISES",
    "MNIST_BOX",
    "MNIST_CENTRE",
    "TEXT_ART_INK",
    "TIE_TOLERANCE",
    "PreprocessedDigit",
    "draw_strokes",
    "parse_text_art",
    "plot_preprocessing",
    "preprocess_digit",
    "resize",
]

#: MNIST's digits fit a 20x20 box (the longer side is 20 pixels) ...
MNIST_BOX = 20


#: ... and are shifted so that their centre of mass is at row 14, column 14 of the 28x28 image.
MNIST_CENTRE = (14.0, 14.0)


_MNIST_SIZE = 28

#: A centre of mass this close to a half counts as exactly the half (see :func:`_nearest_whole`).
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class PreprocessedDigit:
    """A picture of a digit and each step that turned it into an MNIST-style image.

    Attributes:
        grey: the picture as grey levels in [0, 1] (0 black, 1 white), as it came.
        inverted: whether the picture was dark ink on light paper and had to be inverted.
        ink: ink bright on a black background, scaled so the strongest ink is 1, faint noise 0.
        cropped: the bounding box of the ink.
        resized: the crop scaled so that its longer side is 20 pixels.
        digit: the final ``(28, 28)`` float32 image, centred by mass, values in [0, 1].
    """

    grey: np.ndarray
    inverted: bool
    ink: np.ndarray
    cropped: np.ndarray
    resized: np.ndarray
    digit: np.ndarray

    def steps(self) -> list[tuple[str, np.ndarray]]:
        """The pictures of each step with a title, in order, all drawn as ink on paper."""
        inked = "inverted" if self.inverted else "not inverted"
        return [
            (f"your picture\n{self.grey.shape[0]}×{self.grey.shape[1]}", 1.0 - self.grey),
            (f"ink made bright\n({inked})", self.ink),
            (f"cropped\n{self.cropped.shape[0]}×{self.cropped.shape[1]}", self.cropped),
            (f"scaled\n{self.resized.shape[0]}×{self.resized.shape[1]}", self.resized),
            ("centred\n28×28", self.digit),
        ]


def _as_grey(image: np.ndarray) -> np.ndarray:
    """Grey levels in [0, 1] (1 = white) of a grey, RGB or RGBA picture of any number range."""
    pixels = np.asarray(image)
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    if pixels.dtype == bool:
        pixels = pixels.astype(np.float64)
    if pixels.dtype.kind not in "uif":
        raise ValueError(f"a picture holds numbers, not {pixels.dtype}")
    white = float(np.iinfo(pixels.dtype).max) if pixels.dtype.kind in "ui" else 1.0
    pixels = pixels.astype(np.float64)
    if pixels.ndim == 3 and pixels.shape[-1] in (3, 4):
        grey = pixels[..., :3].mean(axis=-1)
        if pixels.shape[-1] == 4:  # lay the picture on white paper where it is transparent
            alpha = np.clip(pixels[..., 3] / white, 0.0, 1.0)
            grey = grey * alpha + white * (1.0 - alpha)
        pixels = grey
    if pixels.ndim != 2:
        raise ValueError(
            f"expected a grey (height, width) picture or an RGB(A) (height, width, 3 or 4) one, "
            f"got shape {np.asarray(image).shape}"
        )
    if not np.all(np.isfinite(pixels)):
        raise ValueError("the picture holds values that are not finite numbers (nan or inf)")
    low, high = float(pixels.min()), float(pixels.max())
    if high - low < 1e-9:
        raise ValueError(
            "the picture is blank (every pixel has the same value): there is no digit"
        )
    return (pixels - low) / (high - low)


def _area_weights(size_in: int, size_out: int) -> np.ndarray:
    """``(size_out, size_in)`` matrix averaging the input pixels each output pixel covers."""
    scale = size_in / size_out
    starts = np.arange(size_out)[:, None] * scale
    ends = starts + scale
    pixel = np.arange(size_in)[None, :]
    overlap = np.clip(np.minimum(ends, pixel + 1) - np.maximum(starts, pixel), 0.0, None)
    return overlap / scale


def _resize(pixels: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """Resize by area averaging: each new pixel is the mean of the old area it covers."""
    row_weights = _area_weights(pixels.shape[0], rows)
    return row_weights @ pixels @ _area_weights(pixels.shape[1], columns).T


def resize(pixels: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """A grey picture resized to ``rows`` x ``columns`` by area averaging, as step 4 of
    :func:`preprocess_digit` scales a digit: each new pixel is the mean of the old area it
    covers. The aspect ratio is not kept; nothing else is done to the picture."""
    pixels = np.asarray(pixels, dtype=np.float64)
    if pixels.ndim != 2:
        raise ValueError(f"expected a grey (height, width) picture, got shape {pixels.shape}")
    if rows < 1 or columns < 1:
        raise ValueError(f"the new size must be at least 1x1, got {rows}x{columns}")
    return _resize(pixels, rows, columns)


def _centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    total = pixels.sum()
    rows = (pixels.sum(axis=1) * np.arange(pixels.shape[0])).sum() / total
    columns = (pixels.sum(axis=0) * np.arange(pixels.shape[1])).sum() / total
    return float(rows), float(columns)


def _nearest_whole(value: float) -> int:
    """``round(value)`` (halves to even), with values within :data:`TIE_TOLERANCE` of a half
    taken as that half.

    A centre of mass is a sum of many products whose last bits depend on the order of the sums
    (a matrix product adds in an order of its own, the browser's twin in another), and a
    symmetric drawing has its centre exactly on a half, where those bits would decide the shift.
    """
    floor = math.floor(value)
    return round(floor + 0.5) if abs(value - floor - 0.5) <= TIE_TOLERANCE else round(value)


def preprocess_digit(image: np.ndarray, *, ink_threshold: float = 0.15) -> PreprocessedDigit:
    """Turn any picture of one digit into a 28x28 image prepared the way MNIST's digits were.

    1. Grey levels, stretched to [0, 1] (any number range, grey, RGB or RGBA).
    2. Ink made bright: the background is read from the picture's border; if it is light (dark
       ink on paper), the picture is inverted. The background level is then subtracted, the
       strongest ink scaled to 1, and anything fainter than ``ink_threshold`` set to 0 (noise).
    3. Cropped to the bounding box of the ink.
    4. Scaled (by area averaging, keeping the aspect ratio) so that the longer side is 20 pixels.
    5. Placed in a black 28x28 image so that its centre of mass lands on pixel (14, 14).

    Raises:
        ValueError: the picture is blank, holds no ink above the threshold, or is not an image.
    """
    if not 0.0 <= ink_threshold < 1.0:
        raise ValueError(f"ink_threshold must lie in [0, 1), got {ink_threshold}")
    grey = _as_grey(image)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    inverted = bool(np.median(border) > 0.5)
    ink = 1.0 - grey if inverted else grey.copy()
    background = float(np.median(1.0 - border if inverted else border))
    ink = np.clip(ink - background, 0.0, None)
    strongest = float(ink.max())
    if strongest <= 0.0:
        raise ValueError("the picture has no ink that stands out from its background")
    ink /= strongest
    ink[ink < ink_threshold] = 0.0
    rows = np.flatnonzero(ink.any(axis=1))
    columns = np.flatnonzero(ink.any(axis=0))
    cropped = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    height, width = cropped.shape
    scale = MNIST_BOX / max(height, width)
    new_height = max(1, min(MNIST_BOX, round(height * scale)))
    new_width = max(1, min(MNIST_BOX, round(width * scale)))
    resized = np.clip(_resize(cropped, new_height, new_width), 0.0, 1.0)
    centre_row, centre_col = _centre_of_mass(resized)
    top = _nearest_whole(MNIST_CENTRE[0] - centre_row)
    left = _nearest_whole(MNIST_CENTRE[1] - centre_col)
    digit = np.zeros((_MNIST_SIZE, _MNIST_SIZE))
    row_from, col_from = max(top, 0), max(left, 0)
    row_to = min(top + new_height, _MNIST_SIZE)
    col_to = min(left + new_width, _MNIST_SIZE)
    digit[row_from:row_to, col_from:col_to] = resized[
        row_from - top : row_to - top, col_from - left : col_to - left
    ]
    return PreprocessedDigit(
        grey=grey,
        inverted=inverted,
        ink=ink,
        cropped=cropped,
        resized=resized,
        digit=digit.astype(np.float32),
    )


def plot_preprocessing(
    result: PreprocessedDigit,
    probabilities: np.ndarray | None = None,
    *,
    label: int | None = None,
) -> Figure:
    """Draw the preprocessing steps side by side, and the model's answer if given.

    With the digit's true ``label``, the answer's bar is the book's colour for a right answer
    or for a wrong one; without it, the colour for a right answer.
    """
    steps = result.steps()
    columns = len(steps) + (probabilities is not None)
    fig, axes = plt.subplots(1, columns, figsize=(1.15 * columns, 1.75), squeeze=False)
    for ax, (title, pixels) in zip(axes[0], steps):
        ax.imshow(pixels, cmap=INK_CMAP, vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    if probabilities is not None:
        probabilities = np.asarray(probabilities).ravel()
        predicted = int(probabilities.argmax())
        colours = ["#a9bcd6"] * len(probabilities)
        wrong = label is not None and predicted != int(label)
        colours[predicted] = WRONG_COLOUR if wrong else RIGHT_COLOUR
        ax = axes[0, -1]
        ax.bar(range(len(probabilities)), probabilities, color=colours)
        ax.set_ylim(0, 1)
        ax.set_xticks(range(len(probabilities)))
        ax.tick_params(labelsize=6, length=2)
        ax.set_yticks([])
        ax.set_title(f"says {predicted}\n({probabilities[predicted]:.0%})", fontsize=8)
    fig.tight_layout()
    return fig


def draw_strokes(
    strokes: Sequence[Sequence[tuple[float, float]]],
    shape: tuple[int, int],
    *,
    width: float = 3.0,
) -> np.ndarray:
    """Ink of a round pen drawn along lines: a synthetic handwritten digit.

    Args:
        strokes: each stroke a sequence of ``(row, column)`` points, joined by straight lines
            (a single point is a dot); pixel ``(r, c)`` has its centre at ``(r, c)``.
        shape: ``(height, width)`` of the picture.
        width: the pen's diameter in pixels.

    Returns a float array of ``shape`` in [0, 1]: 1 where the pen passed, 0 on paper, and the
    edges anti-aliased (the ink falls from 1 to 0 over one pixel at distance ``width / 2``).
    """
    if width <= 0:
        raise ValueError(f"the pen's width must be positive, got {width}")
    height, breadth = shape
    if height < 1 or breadth < 1:
        raise ValueError(f"the picture needs at least one pixel, got shape {shape}")
    rows, columns = np.mgrid[0:height, 0:breadth].astype(np.float64)
    distance = np.full(shape, np.inf)
    for number, stroke in enumerate(strokes, start=1):
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        if len(points) == 0:
            raise ValueError(f"stroke {number} has no points")
        segments = zip(points, points[1:]) if len(points) > 1 else [(points[0], points[0])]
        for (r0, c0), (r1, c1) in segments:
            dr, dc = r1 - r0, c1 - c0
            length2 = dr * dr + dc * dc
            t = 0.0
            if length2 > 0:
                t = np.clip(((rows - r0) * dr + (columns - c0) * dc) / length2, 0.0, 1.0)
            gap = np.hypot(rows - r0 - t * dr, columns - c0 - t * dc)
            distance = np.minimum(distance, gap)
    if not np.isfinite(distance).any():
        raise ValueError("there are no strokes to draw")
    return np.clip(width / 2 + 0.5 - distance, 0.0, 1.0)


#: Characters of a text-art digit and the ink each stands for.
TEXT_ART_INK = {"#": 1.0, "+": 0.5, ".": 0.0, " ": 0.0}


def parse_text_art(text: str) -> np.ndarray:
    """Turn a digit drawn with characters into pixels: ``#`` ink, ``+`` light ink, ``.`` paper.

    Spaces count as paper too. Lines may differ in length (short ones are padded with paper);
    empty lines before and after the drawing are dropped. Returns ink as a float array in [0, 1].

    Raises:
        ValueError: a character other than those, or no ink at all.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ValueError("the drawing is empty: draw a digit with '#' characters")
    for number, line in enumerate(lines, start=1):
        for column, character in enumerate(line, start=1):
            if character not in TEXT_ART_INK:
                raise ValueError(
                    f"line {number}, column {column} holds {character!r}: draw with '#' (ink), "
                    f"'+' (light ink) and '.' (paper)"
                )
    width = max(len(line) for line in lines)
    pixels = np.array(
        [[TEXT_ART_INK[c] for c in line.ljust(width, ".")] for line in lines], dtype=np.float64
    )
    if not pixels.any():
        raise ValueError("the drawing has no ink: draw the digit with '#' characters")
    return pixels


#: The digit the pad starts with: a 3 drawn on a 14x14 grid.
DEFAULT_DRAWING = """\
..............
....#####.....
...##+++##....
..........##..
..........##..
.........##...
.....####+....
.......++##...
..........##..
..........##..
..##.....##...
...#######....
....+###+.....
.............."""


#: The check of the chapter's exercise on preparing a moved digit, by number.
EXERCISES: dict[int, Check] = {
    5: number_check(
        "Exercise 5",
        0,
        hint="Follow the moved digit through the five steps of preprocess_digit: after which "
        "step is there no trace left of where the digit was?",
        explanation="Not one: step 3 crops the picture to its ink, which throws away where "
        "the digit was, and every later step depends on the ink alone. The moved digit and "
        "the original come out as the same 28x28 image, to the last bit.",
        mistakes=[
            (7 * 28, "That is the 7 columns of 28 pixels the move blanked. But the preparation "
             "does not compare the two pictures pixel by pixel: what does cropping to the ink "
             "leave of the move?"),
            (7, "The digit moved by 7 pixels, but what is left of the move after step 3, "
             "cropping to the ink?"),
        ],
    ),
}
