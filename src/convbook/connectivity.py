"""Why convolutions work: local connectivity, weight sharing and translation equivariance, in NumPy.

The chapter "Why convolutions work" checks each idea in code; this module holds what it needs
beyond a few lines, with no TensorFlow (the Keras layer of the chapter is in
:mod:`convbook.connectivity_keras`):

- **Counting.** :func:`dense_parameters`, :func:`locally_connected_parameters` and
  :func:`convolution_parameters` count the parameters of the three ways to map an image to a
  feature map; :func:`locally_connected` is the definition of a locally connected layer (a
  convolution whose weights are not shared), and :func:`unit_weights` the weights one output unit
  of each kind gives to every input pixel.
- **The tied matrix.** :func:`convolution_matrix` writes a convolution as the matrix a dense
  layer would use: sparse, with the same few weights on every row.
- **Equivariance.** :func:`shift` moves an image, :func:`layer_map` computes the map of a
  convolution, a stride-2 convolution or a convolution followed by 2x2 max pooling, and
  :func:`compare_shift` compares the map of a shifted digit with the shifted map (what
  :class:`convbook.explorers.EquivarianceExplorer` shows).
- **Pictures** in the book's visual language (:mod:`convbook.style`): :func:`show_panels`,
  :func:`show_unit_weights`, :func:`show_parameter_counts`, :func:`show_convolution_matrix`,
  :func:`show_shift_grid`, :func:`show_kernel_learning`, :func:`show_pointwise` and
  :func:`show_sensitivity`.
- **Exercises**: the checks of the chapter's exercises (:data:`EXERCISES`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convbook import ops
from convbook.exercises import Check, number_check
from convbook.style import (
    ACTIVATION_CMAP,
    INK_CMAP,
    NOT_YET_COLOUR,
    SIGNED_CMAP,
    WINDOW_COLOUR,
    curve_style,
    signed_limits,
)

__all__ = [
    "dense_parameters",
    "locally_connected_parameters",
    "convolution_parameters",
    "locally_connected",
    "unit_weights",
    "convolution_matrix",
    "shift",
    "LAYERS",
    "layer_map",
    "ShiftComparison",
    "compare_shift",
    "shift_problem",
    "describe_shift",
    "show_panels",
    "show_unit_weights",
    "show_parameter_counts",
    "show_convolution_matrix",
    "show_shift_grid",
    "show_kernel_learning",
    "show_pointwise",
    "show_sensitivity",
    "EXERCISES",
]


# -- counting ------------------------------------------------------------------------------------


def dense_parameters(inputs: int, units: int, bias: bool = True) -> int:
    """Parameters of ``Dense(units)`` on ``inputs`` numbers: a weight per input and unit, and a
    bias per unit."""
    return inputs * units + (units if bias else 0)


def _out(size: int, kernel_size: int) -> int:
    out = size - kernel_size + 1
    if out < 1:
        raise ValueError(f"a {kernel_size}-pixel window does not fit in {size} pixels")
    return out


def locally_connected_parameters(
    height: int, width: int, channels: int, filters: int, kernel_size: int, bias: bool = True
) -> int:
    """Parameters of a locally connected layer ("valid", stride 1) on a ``height x width x
    channels`` input: every output position has its own ``kernel_size x kernel_size x channels``
    weights for each filter, and its own bias for each filter."""
    positions = _out(height, kernel_size) * _out(width, kernel_size)
    per_position = kernel_size * kernel_size * channels * filters + (filters if bias else 0)
    return positions * per_position


def convolution_parameters(
    channels: int, filters: int, kernel_size: int, bias: bool = True
) -> int:
    """Parameters of ``Conv2D(filters, kernel_size)`` on ``channels`` input channels: one kernel
    per filter, shared by every position, and one bias per filter."""
    return (kernel_size * kernel_size * channels + (1 if bias else 0)) * filters


def locally_connected(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None = None
) -> np.ndarray:
    """The definition of a locally connected layer ("valid", stride 1), one position at a time.

    ``y[r, c, f] = bias[r, c, f] + sum over i, j, d of x[r + i, c + j, d] *
    kernel[r, c, i, j, d, f]``: a convolution in which the window at every position ``(r, c)``
    has weights of its own.

    Args:
        x: ``(..., height, width, channels)``.
        kernel: ``(out_h, out_w, kh, kw, channels, filters)``.
        bias: ``(out_h, out_w, filters)`` or ``None``.

    Returns:
        ``(..., out_h, out_w, filters)``.
    """
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 6:
        raise ValueError(
            f"kernel must be (out_h, out_w, kh, kw, channels, filters), got {kernel.shape}"
        )
    out_h, out_w, kh, kw, channels, filters = kernel.shape
    if x.shape[-1] != channels:
        raise ValueError(f"the kernel expects {channels} channels, the input has {x.shape[-1]}")
    if (x.shape[-3] - kh + 1, x.shape[-2] - kw + 1) != (out_h, out_w):
        raise ValueError(
            f"a {kh}x{kw} window on a {x.shape[-3]}x{x.shape[-2]} input gives "
            f"{x.shape[-3] - kh + 1}x{x.shape[-2] - kw + 1} positions, the kernel has "
            f"{out_h}x{out_w}"
        )
    out = np.zeros((*x.shape[:-3], out_h, out_w, filters))
    for r in range(out_h):
        for c in range(out_w):
            patch = x[..., r : r + kh, c : c + kw, :]  # (..., kh, kw, channels)
            out[..., r, c, :] = np.tensordot(patch, kernel[r, c], axes=3)
    if bias is not None:
        out = out + np.asarray(bias, dtype=float)
    return out


Kind = Literal["dense", "locally connected", "convolution"]


def unit_weights(
    kind: Kind,
    kernel: np.ndarray,
    row: int,
    col: int,
    filter_index: int = 0,
    image_shape: tuple[int, int] = (28, 28),
) -> np.ndarray:
    """The weight output unit ``(row, col, filter_index)`` gives to every pixel of a
    one-channel input, as an image (0 for pixels it is not connected to).

    Args:
        kind: which layer the kernel belongs to.
        kernel: its weights, as the layer stores them: ``(height * width, out_h * out_w *
            filters)`` for a ``Dense`` layer whose outputs are reshaped to ``(out_h, out_w,
            filters)``; ``(out_h, out_w, kh, kw, 1, filters)`` for a locally connected layer;
            ``(kh, kw, 1, filters)`` for ``Conv2D``.
    """
    height, width = image_shape
    kernel = np.asarray(kernel)
    picture = np.zeros(image_shape, dtype=float)
    if kind == "dense":
        filters = kernel.shape[1] // ((height - 2) * (width - 2))
        out_w = width - 2
        index = (row * out_w + col) * filters + filter_index
        return kernel[:, index].reshape(image_shape).astype(float)
    if kind == "locally connected":
        weights = kernel[row, col, :, :, 0, filter_index]
    elif kind == "convolution":
        weights = kernel[:, :, 0, filter_index]
    else:
        raise ValueError(
            f"kind must be 'dense', 'locally connected' or 'convolution', got {kind!r}"
        )
    kh, kw = weights.shape
    picture[row : row + kh, col : col + kw] = weights
    return picture


# -- the tied matrix -------------------------------------------------------------------------------


def convolution_matrix(kernel: np.ndarray, height: int, width: int) -> np.ndarray:
    """The matrix ``M`` with ``M @ image.ravel() == response_map(image, kernel).ravel()``.

    Row ``r * out_w + c`` computes output pixel ``(r, c)``: it holds ``kernel[i, j]`` in column
    ``(r + i) * width + (c + j)`` for every ``i, j`` and zeros elsewhere. So every row has the
    same ``kh * kw`` weights (weight sharing), each row a little further along (local
    connectivity). ``M.T`` is what the backward pass multiplies the output gradient by.

    Args:
        kernel: ``(kh, kw)`` weights.
        height, width: the input image's size.

    Returns:
        ``(out_h * out_w, height * width)`` with ``out_h = height - kh + 1``.
    """
    kernel = np.asarray(kernel, dtype=float)
    if kernel.ndim != 2:
        raise ValueError(f"expected a 2-D kernel (height, width), got shape {kernel.shape}")
    kh, kw = kernel.shape
    out_h, out_w = _out(height, kh), _out(width, kw)
    matrix = np.zeros((out_h * out_w, height * width))
    for r in range(out_h):
        for c in range(out_w):
            for i in range(kh):
                for j in range(kw):
                    matrix[r * out_w + c, (r + i) * width + (c + j)] = kernel[i, j]
    return matrix


# -- equivariance ---------------------------------------------------------------------------------


def shift(image: np.ndarray, dy: int, dx: int, fill: float = 0.0) -> np.ndarray:
    """``image`` moved ``dy`` pixels down and ``dx`` to the right (negative: up, left).

    Pixels that leave the picture are lost; the ones that come in are ``fill``. Only the first
    two axes move, so ``(height, width, channels)`` works too:
    ``shift(x, dy, dx)[r, c] == x[r - dy, c - dx]`` where that exists.
    """
    image = np.asarray(image)
    # A zero fill keeps the image's type (uint8 digits stay uint8); others may need floats.
    dtype = image.dtype if fill == 0 else np.result_type(image.dtype, np.asarray(fill).dtype)
    moved = np.full(image.shape, fill, dtype=dtype)
    height, width = image.shape[:2]
    if abs(dy) >= height or abs(dx) >= width:
        return moved
    rows_to = slice(max(dy, 0), height + min(dy, 0))
    rows_from = slice(max(-dy, 0), height + min(-dy, 0))
    cols_to = slice(max(dx, 0), width + min(dx, 0))
    cols_from = slice(max(-dx, 0), width + min(-dx, 0))
    moved[rows_to, cols_to] = image[rows_from, cols_from]
    return moved


#: The layers whose maps the equivariance explorer compares, and the step (in input pixels)
#: between two neighbouring cells of their output.
LAYERS: dict[str, int] = {
    "convolution": 1,
    "stride-2 convolution": 2,
    "convolution + 2x2 max pooling": 2,
}


def layer_map(image: np.ndarray, kernel: np.ndarray, layer: str) -> np.ndarray:
    """The 2-D map of a one-channel image through one of :data:`LAYERS` ("valid", no bias).

    Computed with :func:`convbook.ops.conv2d` and :func:`convbook.ops.pool2d`.
    """
    if layer not in LAYERS:
        raise ValueError(f"There is no layer '{layer}': choose one of {', '.join(LAYERS)}.")
    x = np.asarray(image, dtype=float)[..., None]
    k = np.asarray(kernel, dtype=float)[..., None, None]
    if layer == "stride-2 convolution":
        return ops.conv2d(x, k, stride=2)[..., 0]
    response = ops.conv2d(x, k)
    if layer == "convolution + 2x2 max pooling":
        return ops.pool2d(response, 2)[..., 0]
    return response[..., 0]


@dataclass(frozen=True)
class ShiftComparison:
    """The map of a shifted image beside the shifted map of the image.

    Attributes:
        shifted: the input, moved by ``shift`` (zeros come in).
        response: the layer's map of the shifted input.
        moved: the layer's map of the original input, moved by ``output_shift`` cells; ``nan``
            where the moved map has no value (those cells come from outside the original map).
        shift: ``(dy, dx)`` in input pixels.
        output_shift: ``(dy // step, dx // step)``: how far the map would move.
        step: input pixels between two neighbouring output cells.
    """

    shifted: np.ndarray
    response: np.ndarray
    moved: np.ndarray
    shift: tuple[int, int]
    output_shift: tuple[int, int]
    step: int

    @property
    def exact(self) -> bool:
        """Whether the shift is a whole number of output steps along both axes."""
        return self.shift[0] % self.step == 0 and self.shift[1] % self.step == 0

    @property
    def difference(self) -> np.ndarray:
        """``response - moved`` (``nan`` where there is nothing to compare)."""
        return self.response - self.moved

    @property
    def compared(self) -> int:
        """How many cells have a value in both maps."""
        return int(np.isfinite(self.moved).sum())

    @property
    def largest(self) -> float:
        """The largest absolute difference over the compared cells (0 when there are none)."""
        difference = np.abs(self.difference)
        return float(np.nanmax(difference)) if self.compared else 0.0


def shift_problem(dy: int, dx: int, height: int, width: int) -> str:
    """The message for a shift that moves the whole image out of the picture, or ``""``."""
    for value, size, noun in ((dy, height, "rows"), (dx, width, "columns")):
        if abs(value) >= size:
            return (
                f"A shift of {value} {noun} moves the whole {size}-{noun[:-1]} image out of the "
                f"picture: nothing is left to compare. Shift by at most {size - 1} {noun} "
                "either way."
            )
    return ""


def compare_shift(
    image: np.ndarray, kernel: np.ndarray, layer: str, dy: int, dx: int
) -> ShiftComparison:
    """Shift ``image`` by ``(dy, dx)`` and compare its map with the original map, moved.

    Raises:
        ValueError: with the explorer's message, for an unknown layer or a shift that moves the
            whole image out of the picture.
    """
    image = np.asarray(image, dtype=float)
    if layer not in LAYERS:
        raise ValueError(f"There is no layer '{layer}': choose one of {', '.join(LAYERS)}.")
    problem = shift_problem(dy, dx, *image.shape)
    if problem:
        raise ValueError(problem)
    step = LAYERS[layer]
    moved_input = shift(image, dy, dx)
    output_shift = (dy // step, dx // step)
    return ShiftComparison(
        shifted=moved_input,
        response=layer_map(moved_input, kernel, layer),
        moved=shift(layer_map(image, kernel, layer), *output_shift, fill=np.nan),
        shift=(dy, dx),
        output_shift=output_shift,
        step=step,
    )


def describe_shift(comparison: ShiftComparison) -> str:
    """The explorer's sentence about a comparison (the same text as ``describeShift`` in
    ``equivariance.js``)."""
    (dy, dx), (ty, tx), step = comparison.shift, comparison.output_shift, comparison.step
    pixels = f"A shift of ({dy}, {dx}) pixels"
    if not comparison.exact:
        opening = (
            f"{pixels} is not a whole number of this map's cells, which are {step} pixels "
            "apart: the windows fall between their old places."
        )
        against = f"Against the map moved by ({ty}, {tx}) cells, on the"
    else:
        apart = "" if step == 1 else f", whose cells are {step} pixels apart"
        opening = f"{pixels} is ({ty}, {tx}) cells of this map{apart}."
        against = "On the"
    if comparison.compared == 0:
        return f"{opening} No cell of the moved map is left to compare."
    largest = comparison.largest
    verdict = "the map moved with the digit." if largest == 0 else "the map did not just move."
    return (
        f"{opening} {against} {comparison.compared} cells the moved map covers, the largest "
        f"difference is {largest:.0f}: {verdict}"
    )


# -- pictures -------------------------------------------------------------------------------------


def _style_axes(ax: plt.Axes, title: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


def show_panels(
    panels: Sequence[tuple[str, np.ndarray, str]],
    *,
    columns: int | None = None,
    size: float = 2.3,
    limit: float | None = None,
    colorbar: bool = True,
    numbers: bool = False,
) -> Figure:
    """Grids side by side in the book's colours, ``nan`` cells grey ("no value").

    Args:
        panels: ``(title, values, kind)`` with ``kind`` ``"ink"`` (a digit, dark ink on white),
            ``"signed"`` (red positive, blue negative, white zero) or ``"activation"``
            (non-negative, dark for 0).
        limit: the signed panels' scale, ``-limit`` to ``+limit``; ``None`` gives all of them
            one scale, that of the largest absolute value among them.
        numbers: print each cell's value (to 2 decimals) in it, for small grids such as kernels.
    """
    if not panels:
        raise ValueError("there are no panels to show")
    columns = columns or len(panels)
    rows = -(-len(panels) // columns)
    signed = [values for _, values, kind in panels if kind == "signed"]
    if limit is None and signed:
        limit = signed_limits(np.concatenate([np.ravel(v) for v in signed]))[1]
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * size * (1.2 if colorbar else 1.0), rows * size * 1.12),
        squeeze=False,
    )
    for ax in axes.flat[len(panels):]:
        ax.set_axis_off()
    for ax, (title, values, kind) in zip(axes.flat, panels):
        values = np.asarray(values, dtype=float)
        if kind == "ink":
            shown = ax.imshow(values, cmap=INK_CMAP, vmin=0)
        elif kind == "signed":
            cmap = matplotlib.colormaps[SIGNED_CMAP].with_extremes(bad=NOT_YET_COLOUR)
            shown = ax.imshow(values, cmap=cmap, vmin=-limit, vmax=limit)
        elif kind == "activation":
            cmap = matplotlib.colormaps[ACTIVATION_CMAP].with_extremes(bad=NOT_YET_COLOUR)
            shown = ax.imshow(values, cmap=cmap, vmin=0)
        else:
            raise ValueError(f"kind must be 'ink', 'signed' or 'activation', got {kind!r}")
        _style_axes(ax, title)
        if numbers:
            colours = shown.cmap(shown.norm(values))
            for (r, c), value in np.ndenumerate(values):
                light = colours[r, c, :3] @ np.array([0.299, 0.587, 0.114]) >= 0.5
                text = f"{value:.2f}".replace("-0.00", "0.00")
                ax.text(c, r, text, ha="center", va="center", fontsize=8,
                        color="black" if light else "white")
        if colorbar and kind != "ink":
            fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig


def show_unit_weights(
    weights: Mapping[str, Sequence[np.ndarray]], units: Sequence[tuple[int, int]]
) -> Figure:
    """The weight each of two output units gives to every input pixel, one column per layer.

    Each unit's 3x3 window is outlined, and its nine weights are shown enlarged in a corner.

    Args:
        weights: ``{layer name: [picture of unit 1, picture of unit 2]}`` from
            :func:`unit_weights`.
        units: the ``(row, col)`` of each unit, for the titles; their windows are outlined.
    """
    names = list(weights)
    fig, axes = plt.subplots(
        len(units), len(names), figsize=(2.75 * len(names), 2.75 * len(units)), squeeze=False
    )
    for column, name in enumerate(names):
        for row, ((r, c), picture) in enumerate(zip(units, weights[name])):
            ax = axes[row, column]
            low, high = signed_limits(picture)
            ax.imshow(picture, cmap=SIGNED_CMAP, vmin=low, vmax=high)
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 3, 3, fill=False,
                                   edgecolor=WINDOW_COLOUR, linewidth=1.8))
            # The window's nine weights, enlarged in the bottom-right corner.
            zoom = ax.inset_axes((0.6, 0.03, 0.37, 0.37))
            zoom.imshow(picture[r : r + 3, c : c + 3], cmap=SIGNED_CMAP, vmin=low, vmax=high)
            zoom.set_xticks([])
            zoom.set_yticks([])
            for spine in zoom.spines.values():
                spine.set_edgecolor(WINDOW_COLOUR)
                spine.set_linewidth(1.8)
            connected = int(np.count_nonzero(picture))
            _style_axes(ax, f"{name}\nunit ({r}, {c}): {connected} weights")
    fig.tight_layout()
    return fig


def show_parameter_counts(counts: Mapping[str, int]) -> Figure:
    """Horizontal bars of parameter counts on a logarithmic axis, each labelled with its number."""
    names = list(counts)
    values = [counts[name] for name in names]
    fig, ax = plt.subplots(figsize=(7.2, 0.75 * len(names) + 0.9))
    positions = np.arange(len(names))[::-1]
    ax.barh(positions, values, color="#1f5fa8", height=0.6)
    for y, value in zip(positions, values):
        ax.text(value * 1.25, y, f"{value:,}", va="center", fontsize=10)
    ax.set_yticks(positions, names)
    ax.set_xscale("log")
    ax.set_xlim(1, max(values) * 40)
    ax.set_xlabel("parameters (logarithmic axis: each tick is 10 times the last)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def show_convolution_matrix(
    matrix: np.ndarray, kernel: np.ndarray, rows: int = 30, cols: int = 90
) -> Figure:
    """A convolution as a matrix: the kernel, the top-left ``rows x cols`` corner of the matrix
    with its weights in colour, and the whole matrix with a dot per non-zero weight."""
    kernel = np.asarray(kernel, dtype=float)
    low, high = signed_limits(kernel)
    fig = plt.figure(figsize=(10, 3.6))
    grid = fig.add_gridspec(1, 3, width_ratios=[0.8, 2.4, 1.35])
    ax_k, ax_corner, ax_all = (fig.add_subplot(grid[0, i]) for i in range(3))
    shown = ax_k.imshow(kernel, cmap=SIGNED_CMAP, vmin=low, vmax=high)
    colours = shown.cmap(shown.norm(kernel))
    for (r, c), value in np.ndenumerate(kernel):
        light = colours[r, c, :3] @ np.array([0.299, 0.587, 0.114]) >= 0.5
        ax_k.text(c, r, f"{value:.2f}", ha="center", va="center", fontsize=8,
                  color="black" if light else "white")
    _style_axes(ax_k, "kernel")
    corner = matrix[:rows, :cols]
    ax_corner.imshow(corner, cmap=SIGNED_CMAP, vmin=low, vmax=high, aspect="auto",
                     interpolation="nearest")
    ax_corner.set_title(f"rows 0-{rows - 1}, columns 0-{cols - 1}", fontsize=10)
    ax_corner.set_xlabel("input pixel (column of the matrix)")
    ax_corner.set_ylabel("output pixel (row)")
    ax_all.spy(matrix, markersize=0.3, color="#1a1a1a", aspect="auto")
    ax_all.add_patch(Rectangle((-0.5, -0.5), cols, rows, fill=False, edgecolor=WINDOW_COLOUR,
                               linewidth=1.5))
    ax_all.set_title(f"all {matrix.shape[0]} x {matrix.shape[1]}", fontsize=10)
    ax_all.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def show_shift_grid(
    image: np.ndarray,
    kernel: np.ndarray,
    shifts: Sequence[tuple[int, int]],
    layers: Sequence[str] = tuple(LAYERS),
) -> Figure:
    """For each layer (rows) and shift (columns): the map of the shifted digit minus the moved
    map. White is equal; grey cells have no value in the moved map."""
    comparisons = [[compare_shift(image, kernel, layer, *s) for s in shifts] for layer in layers]
    limit = signed_limits(np.concatenate([layer_map(image, kernel, layer).ravel()
                                          for layer in layers]))[1]
    cmap = matplotlib.colormaps[SIGNED_CMAP].with_extremes(bad=NOT_YET_COLOUR)
    fig, axes = plt.subplots(
        len(layers), len(shifts), figsize=(2.5 * len(shifts) + 0.6, 2.55 * len(layers)),
        squeeze=False,
    )
    for row, (layer, line) in enumerate(zip(layers, comparisons)):
        for column, comparison in enumerate(line):
            ax = axes[row, column]
            shown = ax.imshow(comparison.difference, cmap=cmap, vmin=-limit, vmax=limit)
            dy, dx = comparison.shift
            _style_axes(ax, f"shift ({dy}, {dx}): largest {comparison.largest:.0f}")
            if column == 0:
                ax.set_ylabel(layer.replace(" + ", "\n+ "), fontsize=10)
    fig.colorbar(shown, ax=axes, fraction=0.025, pad=0.02, label="difference")
    return fig


def show_kernel_learning(
    runs: Mapping[int, Mapping[str, Any]], target: np.ndarray
) -> Figure:
    """Learning a kernel: the loss of every run (training dashed, validation solid, logarithmic
    axis), and the nine weights of every run, epoch by epoch, approaching the target's values.

    Args:
        runs: ``{seed: {"loss": [...], "val_loss": [...], "kernels": [(3, 3) per epoch, the
            initial kernel first]}}``.
        target: the kernel the data were made with.
    """
    fig, (ax_loss, ax_weights) = plt.subplots(1, 2, figsize=(10, 3.8))
    for series, (seed, run) in enumerate(runs.items()):
        epochs = np.arange(1, len(run["loss"]) + 1)
        ax_loss.plot(epochs, run["loss"], label=f"seed {seed}, training",
                     **curve_style(series, "training"))
        ax_loss.plot(epochs, run["val_loss"], label=f"seed {seed}, validation",
                     **curve_style(series, "validation"))
        kernels = np.asarray(run["kernels"]).reshape(len(run["kernels"]), -1)
        steps = np.arange(len(kernels))
        colour = curve_style(series, "validation")["color"]
        for weight in range(kernels.shape[1]):
            ax_weights.plot(steps, kernels[:, weight], color=colour, linewidth=1.2,
                            alpha=0.85, label=f"seed {seed}" if weight == 0 else None)
    for value in np.unique(np.asarray(target)):
        ax_weights.axhline(value, color="#1a1a1a", linestyle=":", linewidth=1)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean squared error")
    ax_loss.set_title("loss", fontsize=10)
    ax_loss.legend(fontsize=7, ncol=1)
    ax_weights.set_xlabel("epoch (0: the random start)")
    ax_weights.set_ylabel("weight")
    ax_weights.set_title("the nine weights (dotted: the target's values)", fontsize=10)
    ax_weights.legend(fontsize=8, loc="center right")
    for ax in (ax_loss, ax_weights):
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def show_pointwise(
    pixel: np.ndarray, kernel: np.ndarray, bias: np.ndarray, output: np.ndarray
) -> Figure:
    """A 1x1 convolution at one pixel: the pixel's input channels (a row), the kernel as a
    ``channels x filters`` matrix, and the pixel's output channels."""
    pixel = np.asarray(pixel, dtype=float).reshape(1, -1)
    kernel = np.asarray(kernel, dtype=float).reshape(pixel.shape[1], -1)
    output = np.asarray(output, dtype=float).reshape(1, -1)
    fig = plt.figure(figsize=(9.6, 3.4))
    grid = fig.add_gridspec(2, 3, width_ratios=[3.2, 1.6, 1.6], height_ratios=[1, 1.1])
    ax_in = fig.add_subplot(grid[0, 0])
    ax_kernel = fig.add_subplot(grid[:, 1])
    ax_out = fig.add_subplot(grid[0, 2])
    ax_text = fig.add_subplot(grid[1, 0])
    ax_in.imshow(pixel, cmap=ACTIVATION_CMAP, vmin=0, aspect="auto")
    ax_in.set_title(f"one pixel's {pixel.shape[1]} input channels", fontsize=10)
    low, high = signed_limits(kernel)
    ax_kernel.imshow(kernel, cmap=SIGNED_CMAP, vmin=low, vmax=high, aspect="auto")
    ax_kernel.set_title(f"kernel, {kernel.shape[0]} x {kernel.shape[1]}", fontsize=10)
    ax_kernel.set_ylabel("input channel")
    ax_kernel.set_xlabel("filter")
    low, high = signed_limits(output)
    ax_out.imshow(output, cmap=SIGNED_CMAP, vmin=low, vmax=high, aspect="auto")
    ax_out.set_title(f"its {output.shape[1]} outputs", fontsize=10)
    for ax in (ax_in, ax_out):
        ax.set_yticks([])
        ax.set_xlabel("channel")
    ax_text.set_axis_off()
    ax_text.text(0.0, 0.5, "outputs = input channels @ kernel + bias\n"
                 "the same matrix at every one of the pixels", fontsize=10, va="center")
    del bias  # shown in the formula; its values are small and zero at initialisation
    fig.tight_layout()
    return fig


def show_sensitivity(
    image: np.ndarray,
    sensitivities: Mapping[str, np.ndarray],
    squares: Mapping[str, tuple[int, int, int]],
) -> Figure:
    """Which input pixels one unit of each layer depends on.

    The first panel is the digit with every layer's square; then, per layer, the size of the
    gradient of one unit with respect to every input pixel (dark: 0, it does not depend on that
    pixel), with the square the receptive-field formula predicts outlined in the same colour.

    Args:
        sensitivities: ``{layer name: (28, 28) absolute gradient}``.
        squares: ``{layer name: (top, left, size)}`` predicted by the formula.
    """
    panels = len(sensitivities) + 1
    fig, axes = plt.subplots(1, panels, figsize=(2.35 * panels, 2.75), squeeze=False)
    axes = axes[0]
    axes[0].imshow(np.asarray(image).reshape(28, 28), cmap=INK_CMAP)
    _style_axes(axes[0], "the digit and the fields")
    # One colour per layer, the same on the digit and around the layer's gradient.
    colours = [WINDOW_COLOUR, "#2a9d5c", "#8e44ad", "#1f5fa8", "#c0392b"]
    for index, (name, values) in enumerate(sensitivities.items()):
        colour = colours[index % len(colours)]
        top, left, size = squares[name]
        axes[0].add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False,
                                    edgecolor=colour, linewidth=1.8))
        ax = axes[index + 1]
        ax.imshow(values, cmap=ACTIVATION_CMAP, vmin=0)
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False,
                               edgecolor=colour, linewidth=1.6, linestyle="--"))
        _style_axes(ax, f"{name}: {size}x{size}")
    fig.tight_layout()
    return fig


# -- exercises ------------------------------------------------------------------------------------


def _is_whole_numbers(answer: Any) -> bool:
    values = list(answer)
    return all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values
    )


def _as_set(answer: Any) -> set[int]:
    return {int(v) for v in answer}


def _is_kernel(answer: Any) -> bool:
    values = np.asarray(answer, dtype=float)
    return values.size == 9 and bool(np.all(np.isfinite(values)))


def _near(target: np.ndarray, tolerance: float):
    def test(answer: Any) -> bool:
        kernel = np.asarray(answer, dtype=float).reshape(3, 3)
        return float(np.abs(kernel - target).max()) < tolerance
    return test


_EDGE = np.array([[-1.0, 0.0, 1.0]] * 3)

#: The checks of the chapter's exercises, by number.
EXERCISES: dict[int, Check] = {
    1: number_check(
        "Exercise 1",
        locally_connected_parameters(28, 28, 1, 64, 5),
        hint="Count the positions of a 5x5 window on 28x28 pixels, then the weights and biases "
        "each position has of its own, and multiply.",
        explanation="24 x 24 = 576 positions, each with 5 x 5 x 1 x 64 = 1,600 weights and 64 "
        "biases: 576 x 1,664 = 958,464, against 1,664 for Conv2D(64, 5).",
        mistakes=[
            (convolution_parameters(1, 64, 5),
             ("That is the count of Conv2D(64, 5), whose positions share one set of weights. "
              "Here every position has its own.")),
            (576 * 25 * 64,
             "Count the biases too: this layer has one per position and filter."),
            (576 * 25 * 64 + 64,
             "This layer shares nothing, not even its biases: one per position and filter."),
            (28 * 28 * 1_664,
             "A 5x5 window fits in 28 - 5 + 1 = 24 positions along each axis, not 28."),
        ],
    ),
    2: Check(
        name="Exercise 2",
        is_right=lambda answer: _as_set(answer) == {0, 3, 6},
        kind=_is_whole_numbers,
        kind_text="a list of whole numbers such as [0, 1]",
        hint="Shift a digit by each amount and compare the two outputs with Keras: the windows "
        "of a stride-3 layer start every 3 pixels.",
        explanation="The windows start at columns 0, 3, 6, ...: only a shift by a multiple of 3 "
        "puts the digit under the windows the same way, one or two cells further on.",
        hints=(
            (lambda answer: _as_set(answer) == set(range(7)),
             ("That holds for stride 1. With stride 3 a shift of 1 or 2 pixels puts the digit "
              "between the windows' old places.")),
            (lambda answer: _as_set(answer) == {0, 2, 4, 6},
             ("Those are the shifts that work for stride 2. Here the windows are 3 pixels "
              "apart.")),
            (lambda answer: _as_set(answer) == {3, 6},
             "A shift of 0 moves nothing, and the output trivially stays the same: include it."),
        ),
    ),
    3: Check(
        name="Exercise 3",
        is_right=_near(np.flip(_EDGE), 0.05),
        kind=_is_kernel,
        kind_text="the 9 weights of a 3x3 kernel (an array)",
        hint="Train until the loss stops falling and pass the layer's kernel; it should be "
        "within 0.05 of the kernel that makes the data with Conv2D's cross-correlation.",
        explanation="True convolution turns the kernel by 180 degrees before sliding it, so a "
        "Conv2D layer, which does not, learns the turned kernel: here, the vertical-edge kernel "
        "with its sign changed.",
        hints=(
            (_near(_EDGE, 0.05),
             ("That is the kernel before the flip. The targets were made by true convolution, "
              "which turns the kernel by 180 degrees; Conv2D does not turn it.")),
            (_near(np.zeros((3, 3)), 0.3),
             ("The weights have hardly moved from their small random start: train for more "
              "epochs, or check that the layer is the one you trained.")),
        ),
    ),
    4: number_check(
        "Exercise 4",
        convolution_parameters(32, 8, 1) + convolution_parameters(8, 64, 3),
        hint="Count the two layers one after the other: the 1x1 layer on 32 channels, then the "
        "3x3 layer on what the 1x1 layer gives it.",
        explanation="(1 x 1 x 32 + 1) x 8 = 264 and (3 x 3 x 8 + 1) x 64 = 4,672: 4,936 in "
        "all, about a quarter of conv2's 18,496.",
        mistakes=[
            (convolution_parameters(32, 8, 1) + convolution_parameters(32, 64, 3),
             "The 3x3 layer now reads the 8 channels of the 1x1 layer, not 32."),
            (convolution_parameters(8, 64, 3),
             "Add the parameters of the 1x1 layer itself."),
            (32 * 8 + 9 * 8 * 64,
             "Each filter of both layers also has a bias."),
        ],
    ),
    5: number_check(
        "Exercise 5",
        9,
        hint="Use the rule: each layer adds (window - 1) x jump, and a stride multiplies the "
        "jump for the layers after it.",
        explanation="conv1 sees 3; conv2 (stride 2) adds 2 x 1: 5, and the jump becomes 2; conv3 "
        "(stride 2) adds 2 x 2: 9.",
        mistakes=[
            (18,
             ("That is the pooled model. Here there are no pooling windows to add their "
              "(2 - 1) x jump.")),
            (7,
             ("That is three stride-1 convolutions. A stride multiplies the jump, so conv3's "
              "window spans more input pixels.")),
            (15,
             ("A layer's stride changes the jump of the layers after it, not of the layer "
              "itself: conv2 adds (3 - 1) x 1.")),
        ],
    ),
}
