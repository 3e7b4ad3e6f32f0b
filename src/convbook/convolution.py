"""The convolution chapter's helpers: hand-made kernels, a kernel parser, pictures, an explorer.

- :data:`KERNEL_TEXT` and :data:`KERNELS` hold five hand-made 3x3 kernels (edges, blur, sharpen,
  a diagonal line), written in the notation :func:`parse_kernel` reads: ``"a b c; d e f; g h i"``.
- :func:`partial_response` blanks the response pixels a sliding window has not reached yet.
- :func:`show_patch_arithmetic` draws one window's arithmetic: patch, kernel, products, sum.
- :func:`sliding_animation` animates a window sliding over a digit: the static counterpart of
  :class:`convbook.explorers.ConvolutionExplorer`, for print and for readers without JavaScript.

The convolution itself is :func:`convbook.ops.conv2d` (cross-correlation, as in Keras).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convbook import ops
from convbook.plotting import show_maps

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
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) if finite.size else 0.0
    return top if top > 0 else 1.0


#: Signed values (kernels, products, responses): blue positive, red negative, white zero.
SIGNED_CMAP = "RdBu"
#: Response pixels the window has not reached yet.
NOT_YET_COLOUR = "#b0b0b0"


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
    _annotate_grid(axes[0], patch, "Greys", -0.15 * top, 1.6 * top, "patch")
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

    Blue cells are positive weights, red ones negative, white zero (each kernel on its own
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
    """:func:`convbook.plotting.show_maps` for signed maps: white is zero, blue +, red -.

    Each map's colour scale runs from ``-m`` to ``+m``, with ``m`` its largest absolute value,
    so that zero is white in every panel and the colour bars show the sign. Keyword arguments go
    to ``show_maps``.
    """
    fig = show_maps(maps, titles, cmap=SIGNED_CMAP, **kwargs)
    panels = [ax for ax in fig.axes if ax.images]
    for ax, values in zip(panels, maps):
        limit = _signed_limit(values)
        ax.images[0].set_clim(-limit, limit)
    return fig


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
    ax_in.imshow(image, cmap="gray_r")
    window = Rectangle((-0.5, -0.5), kw, kh, fill=True, facecolor="#d6272833",
                       edgecolor="#d62728", linewidth=2)
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
    pixel = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.5)
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
