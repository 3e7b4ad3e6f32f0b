"""The convolution chapter's helpers: hand-made kernels, a kernel parser, pictures, an explorer.

- :data:`KERNEL_TEXT` and :data:`KERNELS` hold five hand-made 3x3 kernels (edges, blur, sharpen,
  a diagonal line), written in the notation :func:`parse_kernel` reads: ``"a b c; d e f; g h i"``.
- :func:`partial_response` blanks the response pixels a sliding window has not reached yet.
- :func:`show_patch_arithmetic` draws one window's arithmetic: patch, kernel, products, sum.
- :func:`sliding_animation` animates a window sliding over a digit: the static counterpart of
  :class:`convbook.explorers.ConvolutionExplorer`, for print and for readers without JavaScript.
- :func:`small_convnet` and :func:`train_small_convnet` build and train a one-layer convnet in
  seconds, and :data:`EXERCISES` holds the checks of the chapter's exercises.

The convolution itself is :func:`convbook.ops.conv2d` (cross-correlation, as in Keras). Every
picture follows the book's visual language (:mod:`convbook.style`): signed values in
:data:`~convbook.style.SIGNED_CMAP` centred on zero (red positive, blue negative), digits in
:data:`~convbook.style.INK_CMAP`, the window in :data:`~convbook.style.WINDOW_COLOUR`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convbook import ops
from convbook.exercises import Check, number_check
from convbook.plotting import show_maps
from convbook.style import (
    INK_CMAP,
    NOT_YET_COLOUR,
    OUTPUT_COLOUR,
    SIGNED_CMAP,
    WINDOW_COLOUR,
    signed_limits,
)

__all__ = [
    "KERNEL_TEXT",
    "KERNELS",
    "OWN_KERNEL",
    "parse_kernel",
    "format_number",
    "response_map",
    "partial_response",
    "window_positions",
    "show_patch_arithmetic",
    "show_kernels",
    "show_signed_maps",
    "sliding_animation",
    "small_convnet",
    "train_small_convnet",
    "LINES",
    "strongest_responses",
    "EXERCISES",
]

#: The hand-made kernels as text, in the notation of :func:`parse_kernel`.
KERNEL_TEXT: dict[str, str] = {
    # Ink increasing from left to right (the left side of a stroke) gives a positive response.
    "vertical edge": "-1 0 1; -1 0 1; -1 0 1",
    # Ink increasing from top to bottom (the top side of a stroke) gives a positive response.
    "horizontal edge": "-1 -1 -1; 0 0 0; 1 1 1",
    "blur": "1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9",
    "sharpen": "0 -1 0; -1 5 -1; 0 -1 0",
    # A line from top-left to bottom-right ("\") on a background: positive on the line.
    "diagonal \\": "2 -1 -1; -1 2 -1; -1 -1 2",
}

#: The name the explorer's kernel menu gives to a kernel typed by the reader.
OWN_KERNEL = "your own (type below)"

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_EXAMPLE = "for example '1 0 -1; 1 0 -1; 1 0 -1'"


def _parse_number(token: str, row: int) -> float:
    """One kernel entry: a decimal number or a fraction ``p/q``."""
    parts = token.split("/")
    if len(parts) > 2 or not all(_NUMBER.match(part) for part in parts):
        raise ValueError(
            f"Row {row} has '{token}', which is not a number: write numbers like 2, -0.5, "
            "1e-2 or 1/9."
        )
    value = float(parts[0])
    if len(parts) == 2:
        divisor = float(parts[1])
        if divisor == 0:
            raise ValueError(f"Row {row} has '{token}', which divides by zero.")
        value /= divisor
    if not math.isfinite(value):
        raise ValueError(f"Row {row} has '{token}', which is too large to be a kernel weight.")
    return value


def parse_kernel(text: str, size: int = 3) -> np.ndarray:
    """Read a ``size`` x ``size`` kernel typed as rows separated by ``;``.

    Numbers in a row are separated by spaces or commas and may be decimals (``-0.5``, ``1e-2``)
    or fractions (``1/9``)::

        >>> parse_kernel("1 0 -1; 1 0 -1; 1 0 -1")[0]
        array([ 1.,  0., -1.])

    Raises:
        ValueError: with a sentence saying what is wrong (empty text, a wrong number of rows or
            of numbers in a row, something that is not a number).
    """
    rows_text = [row.strip() for row in re.split(r"[;\n]", text.strip())]
    if rows_text and rows_text[-1] == "" and len(rows_text) > 1:
        rows_text.pop()  # a trailing ';' is harmless
    if not any(rows_text):
        raise ValueError(
            f"Type the {size * size} weights of the {size}x{size} kernel as {size} rows "
            f"separated by ';', {_EXAMPLE}."
        )
    if len(rows_text) != size:
        raise ValueError(
            f"The kernel needs {size} rows separated by ';' but has {len(rows_text)}, "
            f"{_EXAMPLE}."
        )
    rows = []
    for number, row_text in enumerate(rows_text, start=1):
        tokens = [token for token in re.split(r"[\s,]+", row_text) if token]
        if len(tokens) != size:
            numbers = "1 number" if len(tokens) == 1 else f"{len(tokens)} numbers"
            raise ValueError(f"Row {number} of the kernel has {numbers}; each row needs {size}.")
        rows.append([_parse_number(token, number) for token in tokens])
    return np.array(rows, dtype=float)


#: The hand-made kernels as ``(3, 3)`` arrays.
KERNELS: dict[str, np.ndarray] = {name: parse_kernel(text) for name, text in KERNEL_TEXT.items()}


def format_number(value: float) -> str:
    """A short, readable form of a number: integers without decimals, others to 3 digits."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value))}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _as_2d_kernel(kernel: np.ndarray) -> np.ndarray:
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 2:
        raise ValueError(f"expected a 2-D kernel (height, width), got shape {kernel.shape}")
    return kernel


def response_map(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The ``valid`` response of a 2-D image to a 2-D kernel, through :func:`ops.conv2d`."""
    image = np.asarray(image, dtype=float)
    kernel = _as_2d_kernel(kernel)
    if image.ndim != 2:
        raise ValueError(f"expected a 2-D image (height, width), got shape {image.shape}")
    return ops.conv2d(image[..., None], kernel[..., None, None])[..., 0]


def partial_response(response: np.ndarray, row: int, col: int) -> np.ndarray:
    """``response`` with every pixel after ``(row, col)`` in reading order set to ``nan``.

    That is the response map as the sliding window leaves it: computed left to right along each
    row, rows top to bottom, up to and including the window's current position.
    """
    response = np.asarray(response, dtype=float)
    height, width = response.shape
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"position ({row}, {col}) is outside a {height}x{width} response map")
    order = np.arange(height * width).reshape(height, width)
    return np.where(order <= row * width + col, response, np.nan)


def window_positions(
    rows: Sequence[int], width: int, step: int = 2
) -> list[tuple[int, int]]:
    """Window positions along the given rows: every ``step``-th column, plus the last one."""
    if step < 1 or width < 1:
        raise ValueError("the step and the width must be at least 1")
    columns = list(range(0, width, step))
    if columns[-1] != width - 1:
        columns.append(width - 1)
    return [(row, col) for row in rows for col in columns]


def _signed_limit(values: np.ndarray) -> float:
    return signed_limits(values)[1]


def _annotate_grid(
    ax: plt.Axes, values: np.ndarray, cmap: str, vmin: float, vmax: float, title: str
) -> None:
    ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    colours = matplotlib.colormaps[cmap]((values - vmin) / (vmax - vmin))
    for (r, c), value in np.ndenumerate(values):
        luminance = colours[r, c, :3] @ np.array([0.299, 0.587, 0.114])
        ax.text(c, r, format_number(value), ha="center", va="center", fontsize=11,
                color="white" if luminance < 0.5 else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=11)


def show_patch_arithmetic(patch: np.ndarray, kernel: np.ndarray, size: float = 2.3) -> Figure:
    """One window's arithmetic: the patch, the kernel, their element-wise products and the sum.

    Each grid prints its numbers; the products' title gives their sum, the output pixel.
    """
    patch = np.asarray(patch, dtype=float)
    kernel = _as_2d_kernel(kernel)
    if patch.shape != kernel.shape:
        raise ValueError(f"the patch {patch.shape} and the kernel {kernel.shape} differ in shape")
    products = patch * kernel
    fig, axes = plt.subplots(1, 3, figsize=(3 * size, size * 1.05))
    top = max(float(np.abs(patch).max()), 1.0)
    _annotate_grid(axes[0], patch, INK_CMAP, -0.15 * top, 1.6 * top, "patch")
    k_lim = 1.8 * _signed_limit(kernel)
    _annotate_grid(axes[1], kernel, SIGNED_CMAP, -k_lim, k_lim, "kernel")
    p_lim = 1.8 * _signed_limit(products)
    _annotate_grid(
        axes[2], products, SIGNED_CMAP, -p_lim, p_lim,
        f"products: sum = {format_number(products.sum())}",
    )
    fig.tight_layout()
    return fig


def show_kernels(
    kernels: Mapping[str, np.ndarray], *, columns: int | None = None, size: float = 1.9
) -> Figure:
    """Small kernels as grids with their weights printed, titled with their names.

    Red cells are positive weights, blue ones negative, white zero (each kernel on its own
    scale).
    """
    if not kernels:
        raise ValueError("there are no kernels to show")
    columns = columns or len(kernels)
    rows = -(-len(kernels) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * size, rows * size * 1.1), squeeze=False
    )
    for ax in axes.flat[len(kernels):]:
        ax.set_axis_off()
    for ax, (name, kernel) in zip(axes.flat, kernels.items()):
        kernel = _as_2d_kernel(kernel)
        limit = 1.8 * _signed_limit(kernel)
        _annotate_grid(ax, kernel, SIGNED_CMAP, -limit, limit, name)
    fig.tight_layout()
    return fig


def show_signed_maps(
    maps: Sequence[np.ndarray], titles: Sequence[str], **kwargs: Any
) -> Figure:
    """:func:`convbook.plotting.show_maps` for signed maps: white is zero, red +, blue -.

    Each map's colour scale runs from ``-m`` to ``+m``, with ``m`` its largest absolute value,
    so that zero is white in every panel and the colour bars show the sign. Keyword arguments go
    to ``show_maps``.
    """
    return show_maps(maps, titles, signed=True, **kwargs)


def sliding_animation(
    image: np.ndarray,
    kernel: np.ndarray,
    positions: Sequence[tuple[int, int]],
    *,
    title: str = "",
    dpi: int = 72,
) -> FuncAnimation:
    """Animate a window sliding over ``image`` and the response map filling in behind it.

    Each frame shows the image with the window, the window's element-wise products and their sum,
    and the response map computed up to that position (grey: not computed yet). Show it with
    :func:`convbook.plotting.animation_html`.
    """
    image = np.asarray(image, dtype=float)
    kernel = _as_2d_kernel(kernel)
    response = response_map(image, kernel)
    if not positions:
        raise ValueError("the animation needs at least one window position")
    for row, col in positions:
        partial_response(response, row, col)  # raises for a position outside the map
    kh, kw = kernel.shape
    r_lim = _signed_limit(response)
    signed = matplotlib.colormaps[SIGNED_CMAP].with_extremes(bad=NOT_YET_COLOUR)

    fig, (ax_in, ax_prod, ax_out) = plt.subplots(
        1, 3, figsize=(8.4, 3.1), dpi=dpi, gridspec_kw={"width_ratios": [1, 0.8, 1]}
    )
    ax_in.imshow(image, cmap=INK_CMAP)
    window = Rectangle((-0.5, -0.5), kw, kh, fill=True, facecolor=WINDOW_COLOUR + "40",
                       edgecolor=WINDOW_COLOUR, linewidth=2)
    ax_in.add_patch(window)
    ax_in.set_title("input and window", fontsize=10)
    row0, col0 = positions[0]
    products = image[row0:row0 + kh, col0:col0 + kw] * kernel
    p_lim = 1.8 * _signed_limit(image.max() * np.abs(kernel))
    ax_prod.imshow(products, cmap=SIGNED_CMAP, vmin=-p_lim, vmax=p_lim)
    texts = [
        [ax_prod.text(c, r, "", ha="center", va="center", fontsize=9) for c in range(kw)]
        for r in range(kh)
    ]
    out_image = ax_out.imshow(
        partial_response(response, row0, col0), cmap=signed, vmin=-r_lim, vmax=r_lim
    )
    pixel = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=OUTPUT_COLOUR, linewidth=1.5)
    ax_out.add_patch(pixel)
    fig.colorbar(out_image, ax=ax_out, fraction=0.046, pad=0.04)
    for ax in (ax_in, ax_prod, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()

    def draw(frame: int) -> list:
        row, col = positions[frame]
        window.set_xy((col - 0.5, row - 0.5))
        products = image[row:row + kh, col:col + kw] * kernel
        ax_prod.images[0].set_data(products)
        for (r, c), value in np.ndenumerate(products):
            texts[r][c].set_text(format_number(value))
        ax_prod.set_title(f"products, sum = {format_number(products.sum())}", fontsize=10)
        out_image.set_data(partial_response(response, row, col))
        pixel.set_xy((col - 0.5, row - 0.5))
        ax_out.set_title(f"response map, pixel ({row}, {col})", fontsize=10)
        return [window, out_image, pixel]

    draw(0)
    return FuncAnimation(fig, draw, frames=len(positions), interval=400, blit=False)


# -- a one-layer convnet, for the exercise that changes the number of filters -------------------


def small_convnet(filters: int) -> Any:
    """``Conv2D(filters, 3, relu)`` -> 2x2 max pooling -> Flatten -> ``Dense(10, softmax)``.

    A one-layer version of the course's model, for ``(28, 28, 1)`` digits, small enough to train
    in seconds. (Keras is imported here, not with the module, which needs no TensorFlow.)
    """
    from convbook import silence_tensorflow

    silence_tensorflow()
    import keras

    if filters < 1:
        raise ValueError(f"a convolution needs at least one filter, not {filters}")
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1), name="digit"),
            keras.layers.Conv2D(filters, 3, activation="relu", name="conv"),
            keras.layers.MaxPooling2D(2, name="pool"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(10, activation="softmax", name="classifier"),
        ],
        name=f"convnet_{filters}_filters",
    )


def train_small_convnet(
    filters: int,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int = 2,
    seed: int = 0,
) -> float:
    """Train :func:`small_convnet` (RMSprop, batches of 64) and return its accuracy on ``test``."""
    import keras

    keras.utils.set_random_seed(seed)
    model = small_convnet(filters)
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(*train, epochs=epochs, batch_size=64, verbose=0)
    return float(model.evaluate(*test, batch_size=256, verbose=0)[1])


# -- exercises ---------------------------------------------------------------------------------


def _as_kernel(answer: Any) -> np.ndarray:
    """A 3x3 kernel from an answer: an array-like of 9 numbers or text such as ``"0 1 0; ..."``."""
    if isinstance(answer, str):
        return parse_kernel(answer)
    values = np.asarray(answer, dtype=float)
    if values.size != 9 or not np.all(np.isfinite(values)):
        raise ValueError("not nine finite numbers")
    return values.reshape(3, 3)


def _is_kernel(answer: Any) -> bool:
    _as_kernel(answer)  # raises for anything that is not a 3x3 kernel
    return True


#: A fixed 8x8 picture with no two pixels alike, to test what a kernel does to an image.
_TEST_IMAGE = np.random.default_rng(7).permutation(64).reshape(8, 8).astype(float)


def _copies(answer: Any) -> bool:
    return np.allclose(response_map(_TEST_IMAGE, _as_kernel(answer)), _TEST_IMAGE[1:-1, 1:-1])


def _single_one_elsewhere(answer: Any) -> bool:
    kernel = _as_kernel(answer)
    return np.count_nonzero(kernel) == 1 and kernel.max() == 1 and kernel[1, 1] != 1


def _centre_only(answer: Any) -> bool:
    kernel = _as_kernel(answer)
    return np.count_nonzero(kernel) == 1 and kernel[1, 1] not in (0, 1)


def _all_equal(answer: Any) -> bool:
    kernel = _as_kernel(answer)
    return bool(np.all(kernel == kernel[0, 0])) and kernel[0, 0] != 0


#: Test lines for the diagonal-stroke exercise: 7x7 pictures of one line on blank paper.
LINES: dict[str, np.ndarray] = {
    "/": np.fliplr(np.eye(7)),
    "\\": np.eye(7),
    "|": np.pad(np.ones((7, 1)), ((0, 0), (3, 3))),
    "-": np.pad(np.ones((1, 7)), ((3, 3), (0, 0))),
}


def strongest_responses(kernel: Any) -> dict[str, float]:
    """The largest value of ``kernel``'s response map on each test line of :data:`LINES`."""
    kernel = _as_kernel(kernel)
    return {name: float(response_map(line, kernel).max()) for name, line in LINES.items()}


def _finds_slash(answer: Any) -> bool:
    best = strongest_responses(answer)
    return best["/"] > max(best["\\"], best["|"], best["-"])


def _prefers(line: str) -> Callable[[Any], bool]:
    def test(answer: Any) -> bool:
        best = strongest_responses(answer)
        return best[line] > best["/"]
    return test


def _ties_with_slash(answer: Any) -> bool:
    best = strongest_responses(answer)
    return best["/"] == max(best["\\"], best["|"], best["-"])


#: The answer the retraining exercise expects, for each of its three choices.
FILTER_CHOICES = ("chance", "lower", "same")

#: The checks of the chapter's exercises, by number.
EXERCISES: dict[int, Check] = {
    1: number_check(
        "Exercise 1",
        (5 * 5 * 3 + 1) * 16,
        hint="A filter has one weight per pixel of its window and per input channel, and one "
        "bias; the layer has 16 filters.",
        explanation="Each of the 16 filters has 5 x 5 x 3 = 75 weights and a bias: "
        "(75 + 1) x 16 = 1,216. The image size does not enter: the same weights slide over "
        "every position.",
        mistakes=[
            (5 * 5 * 3 * 16, "Each filter also has a bias."),
            ((5 * 5 + 1) * 16, "A filter spans all 3 input channels: 5 x 5 x 3 weights, not "
             "5 x 5."),
            (5 * 5 * 16, "A filter spans all 3 input channels, and each filter has a bias."),
            (5 * 5 * 3 + 1, "That is one filter; the layer has 16."),
            (28 * 28 * 16, "That is the number of output values (28 x 28 x 16), not of "
             "parameters: the same weights are used at every position."),
        ],
    ),
    2: Check(
        name="Exercise 2",
        is_right=_copies,
        kind=_is_kernel,
        kind_text="a 3x3 kernel: nine numbers (an array, a list of lists, or text such as "
        "'0 0 0; 0 1 0; 0 0 0')",
        hint="Think of one output pixel: its window is centred on input pixel (r + 1, c + 1). "
        "Which weights make the sum equal to that one pixel?",
        explanation="A single 1 in the centre: each window's sum is then its centre pixel, and "
        "the windows' centres are exactly the inner 26x26 pixels. Turned by 180 degrees the "
        "kernel is the same, so convolution and cross-correlation give the same copy.",
        hints=(
            (_all_equal, "Equal weights add up (or average) all nine pixels of a window: that "
             "is a blur, not a copy. A copy reads one pixel only."),
            (_single_one_elsewhere, "Right idea, wrong place: a 1 at row i, column j of the "
             "kernel copies the image shifted by (i - 1, j - 1) pixels. The inner pixels are "
             "the windows' centres."),
            (_centre_only, "Right place, but the copy comes out multiplied by your centre "
             "weight: it must be 1."),
        ),
    ),
    3: Check(
        name="Exercise 3",
        is_right=_finds_slash,
        kind=_is_kernel,
        kind_text="a 3x3 kernel: nine numbers (an array, a list of lists, or text such as "
        "'0 0 1; 0 1 0; 1 0 0')",
        hint="Give the three pixels of a / through the window (bottom-left, centre, top-right) "
        "positive weights and the other six negative ones, so that other strokes lose points.",
        explanation="The check ran your kernel over a /, a \\, a | and a - line: its strongest "
        "response is on the /. The diagonal \\ kernel mirrored left to right, "
        "'-1 -1 2; -1 2 -1; 2 -1 -1', is one such kernel.",
        hints=(
            (_prefers("\\"), "Your kernel responds more strongly to a \\ line than to a /: "
             "mirror it left to right (np.fliplr)."),
            (lambda answer: _prefers("|")(answer) or _prefers("-")(answer),
             "Your kernel responds more strongly to a straight | or - line than to a /: "
             "weigh the diagonal from bottom-left to top-right, and make the rest negative."),
            (_ties_with_slash, "Your kernel responds as strongly to another line as to the /: "
             "it counts ink, not direction. Give the pixels off the / diagonal negative "
             "weights."),
        ),
    ),
    4: Check(
        name="Exercise 4",
        is_right=lambda answer: answer.strip().lower() == "lower",
        kind=lambda answer: isinstance(answer, str) and answer.strip().lower() in FILTER_CHOICES,
        kind_text="one of the words 'chance', 'lower' or 'same'",
        hint="Run the cell and compare the two accuracies.",
        explanation="One filter still lets the classifier read the digit through one "
        "response map, so it does far better than chance; but one pattern detector sees much "
        "less than 32, and the accuracy stays clearly lower.",
        hints=(
            (lambda answer: answer.strip().lower() == "chance",
             "One filter still passes a whole (filtered) picture of the digit to the "
             "classifier: it can do much better than guessing."),
            (lambda answer: answer.strip().lower() == "same",
             "32 filters find 32 patterns; one filter gives the classifier a single response "
             "map to read. Run the cell and compare."),
        ),
    ),
}
