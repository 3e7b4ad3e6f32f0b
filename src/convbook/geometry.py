"""Where the windows of a convolution or pooling layer go: padding, strides, output sizes.

The chapters on padding and strides use these helpers to count, draw and check window
positions. Along one axis, a window of ``k`` pixels that moves ``s`` pixels at a time over an input
of ``i`` pixels with ``p_before`` and ``p_after`` zeros added has its first pixel at
``0, s, 2s, ...`` (in the padded input) as long as it still fits, which gives

    o = floor((i + p_before + p_after - k) / s) + 1

positions: ``floor((i + 2p - k) / s) + 1`` with ``p`` zeros on each side.

- :func:`axis_geometry` works out the padding, the window starts, the output size and the input
  pixels no window ever visits, with a clear message for settings that give no output;
  :func:`formula_text` writes the formula out with the numbers filled in.
- :func:`keras_output_size` and :func:`check_against_keras` ask real Keras layers (``Conv2D``,
  ``MaxPooling2D``, ``ZeroPadding2D``) for the same numbers; :func:`keras_window_reads` and
  :func:`keras_same_padding` find where Keras puts its ``"same"`` zeros by running a layer.
- :func:`draw_geometry`, :func:`small_multiples` and :func:`window_animation` draw the padded
  grid, the windows and the pixels they miss with matplotlib: the static pictures of the
  chapters, for print and for readers without JavaScript.
- :data:`PADDING_EXERCISES` and :data:`STRIDE_EXERCISES` check the two chapters' exercises.

The chapters' interactive explorer, :class:`convbook.explorers.GeometryExplorer`, computes and
draws the same in the browser, in the same colours: those of the book's visual language
(:mod:`convbook.style`) for the padding, the window, the output pixel and the pixels no window
visits, and the few of its own defined here. Its tests compare it with :func:`axis_geometry` and
:func:`formula_text`.

The NumPy operations themselves (``output_size``, ``same_padding``, ``conv2d``, ...) live in
:mod:`convbook.ops`; this module builds on them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from convbook import ops, silence_tensorflow
from convbook.exercises import Check, number_check, numbers_check
from convbook.style import (
    NOT_YET_COLOUR,
    OUTPUT_COLOUR,
    PADDING_COLOUR,
    UNVISITED_COLOUR,
    WINDOW_COLOUR,
)

__all__ = [
    "AxisGeometry",
    "axis_geometry",
    "padding_label",
    "formula_text",
    "coverage",
    "keras_layers",
    "keras_spelling",
    "keras_output_size",
    "FormulaCheck",
    "check_against_keras",
    "format_checks",
    "keras_window_reads",
    "keras_same_padding",
    "draw_geometry",
    "legend_handles",
    "small_multiples",
    "window_animation",
    "PADDING_EXERCISES",
    "STRIDE_EXERCISES",
]

LayerKind = Literal["conv", "pool"]

#: Colours of these pictures beyond the book's visual language (:mod:`convbook.style`, which
#: gives the padding, the window, the output pixel and the pixels no window visits), shared by
#: the matplotlib figures and the browser explorer.
INPUT_COLOUR = "#ffffff"
CENTRE_COLOUR = "#2f5d8a"  # a dot on each window's centre: one per output pixel
OUTLINE_COLOUR = "#222222"  # the input's edge
ZERO_COLOUR = "#5a7fa8"  # the "0" written in each padded pixel


# -- counting ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AxisGeometry:
    """The windows along one axis of a square input (the other axis is the same).

    Attributes:
        input_size: ``i``, input pixels along the axis.
        kernel_size: ``k``, the window's width.
        stride: ``s``, the step between two windows.
        before, after: zeros added before (top/left) and after (bottom/right) the input.
        padding: the padding as it was asked for (``"valid"``, ``"same"``, ``"full"``, a number of
            zeros per side, or ``(before, after)``).
    """

    input_size: int
    kernel_size: int
    stride: int
    before: int
    after: int
    padding: ops.Padding = "valid"

    @property
    def padded_size(self) -> int:
        """``i + p_before + p_after``: the length the window slides along."""
        return self.input_size + self.before + self.after

    @property
    def output_size(self) -> int:
        """``o = floor((i + p_before + p_after - k) / s) + 1``, the number of window positions."""
        return (self.padded_size - self.kernel_size) // self.stride + 1

    @property
    def starts(self) -> tuple[int, ...]:
        """First pixel of every window, in padded coordinates: ``0, s, 2s, ...``."""
        return tuple(range(0, self.padded_size - self.kernel_size + 1, self.stride))

    @property
    def leftover(self) -> int:
        """Padded pixels after the end of the last window: too few for one more step."""
        return self.padded_size - (self.starts[-1] + self.kernel_size)

    @property
    def visited(self) -> np.ndarray:
        """Boolean mask over the ``i`` input pixels: inside at least one window."""
        seen = np.zeros(self.padded_size, dtype=bool)
        for start in self.starts:
            seen[start : start + self.kernel_size] = True
        return seen[self.before : self.before + self.input_size]

    @property
    def unvisited(self) -> tuple[int, ...]:
        """Input pixels (0-based, unpadded coordinates) that no window ever covers."""
        return tuple(int(index) for index in np.flatnonzero(~self.visited))

    @property
    def symmetric(self) -> bool:
        """True when both sides get the same number of zeros (the ``p`` of the formula)."""
        return self.before == self.after


def padding_label(padding: ops.Padding) -> str:
    """A short name for a padding: ``'valid'``, ``'same'``, ``'full'``, ``p=2`` or ``p=(0, 1)``."""
    if isinstance(padding, str):
        return repr(padding.lower())
    if isinstance(padding, (int, np.integer)):
        return f"p={int(padding)}"
    return f"p={tuple(int(v) for v in padding)}"


def axis_geometry(
    input_size: int, kernel_size: int, stride: int = 1, padding: ops.Padding = "valid"
) -> AxisGeometry:
    """Work out the windows along one axis, or explain why there are none.

    Args:
        input_size: ``i``.
        kernel_size: ``k`` (the pool size for a pooling layer).
        stride: ``s``.
        padding: ``"valid"`` (no zeros), ``"same"`` (Keras' rule, see
            :func:`convbook.ops.same_padding`), ``"full"`` (``k - 1`` zeros each side), a number
            of zeros on each side, or ``(before, after)``.

    Raises:
        ValueError: with a sentence a learner can act on, for sizes below 1, a stride below 1,
            negative padding, or a window larger than the padded input (no output).
    """
    for name, value in (("input", input_size), ("kernel", kernel_size)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"The {name} needs at least 1 pixel per side, not {value!r}.")
    if isinstance(stride, (int, np.integer)) and stride == 0:
        raise ValueError(
            "A stride of 0 never moves the window forward: it would stay on the same spot "
            "forever. The stride must be at least 1."
        )
    if not isinstance(stride, (int, np.integer)) or stride < 0:
        raise ValueError(
            f"The window moves forward a whole number of pixels at each step, so a stride of "
            f"{stride!r} does not work. The stride must be at least 1."
        )
    try:
        before, after = ops.resolve_padding(padding, input_size, kernel_size, stride)
    except (ValueError, TypeError):  # an unknown name, a negative number, not a number
        raise ValueError(
            "The padding must be 'valid', 'same', 'full' or a number of zeros (0 or more) on "
            f"each side, not {padding!r}."
        ) from None
    padded = input_size + before + after
    if kernel_size > padded:
        how = "no padding" if before == after == 0 else f"{before} + {after} zeros"
        raise ValueError(
            f"A {kernel_size}x{kernel_size} kernel does not fit in the {input_size}x{input_size} "
            f"input padded to {padded}x{padded} ({how}): no window position fits, so there is "
            "no output. Use a smaller kernel or more padding."
        )
    geometry = AxisGeometry(
        int(input_size), int(kernel_size), int(stride), int(before), int(after), padding
    )
    if geometry.symmetric:  # the reference count of convbook.ops must agree
        assert geometry.output_size == ops.output_size(input_size, kernel_size, stride, before)
    return geometry


def formula_text(geometry: AxisGeometry, symbols: bool = True) -> str:
    """The output-size formula with the numbers filled in, one line.

    Symmetric padding uses ``2p``; Keras' uneven ``"same"`` padding shows both sides, for example
    ``o = floor((i + p_before + p_after - k) / s) + 1 = floor((6 + 0 + 1 - 3) / 2) + 1 = ...``.
    With ``symbols=False`` the line starts at the numbers: ``o = floor((6 + 0 + 1 - 3) / 2) + 1
    = floor(4 / 2) + 1 = 2 + 1 = 3``.
    """
    g = geometry
    if g.symmetric:
        formula = "(i + 2p - k) / s"
        numbers = f"({g.input_size} + 2*{g.before} - {g.kernel_size}) / {g.stride}"
    else:
        formula = "(i + p_before + p_after - k) / s"
        numbers = f"({g.input_size} + {g.before} + {g.after} - {g.kernel_size}) / {g.stride}"
    span = g.padded_size - g.kernel_size
    steps = (
        f"floor({numbers}) + 1 = floor({span} / {g.stride}) + 1 "
        f"= {span // g.stride} + 1 = {g.output_size}"
    )
    return f"o = floor({formula}) + 1 = {steps}" if symbols else f"o = {steps}"


def coverage(geometry: AxisGeometry) -> np.ndarray:
    """How many windows cover each input pixel, as an ``(i, i)`` integer array.

    Along one axis a pixel is covered by the windows that start at most ``k - 1`` pixels before
    it; in 2-D the count is the product of the two axes' counts.
    """
    counts = np.zeros(geometry.padded_size, dtype=int)
    for start in geometry.starts:
        counts[start : start + geometry.kernel_size] += 1
    along = counts[geometry.before : geometry.before + geometry.input_size]
    return np.outer(along, along)


# -- asking Keras -----------------------------------------------------------------------------
def _keras() -> Any:
    silence_tensorflow()
    import keras

    return keras


def _padding_key(padding: ops.Padding) -> str | tuple[int, int]:
    if isinstance(padding, str):
        return padding.lower()
    if isinstance(padding, (int, np.integer)):
        return (int(padding), int(padding))
    before, after = padding
    return (int(before), int(after))


@functools.lru_cache(maxsize=512)
def _cached_layers(
    kind: LayerKind, kernel_size: int, stride: int, padding: str | tuple[int, int]
) -> tuple[Any, ...]:
    keras = _keras()
    explicit = padding not in ("valid", "same")
    if padding == "full":
        padding = (kernel_size - 1, kernel_size - 1)
    mode = "valid" if explicit else padding
    if kind == "conv":
        main = keras.layers.Conv2D(1, kernel_size, strides=stride, padding=mode, use_bias=False)
    elif kind == "pool":
        main = keras.layers.MaxPooling2D(kernel_size, strides=stride, padding=mode)
    else:
        raise ValueError(f"kind must be 'conv' or 'pool', got {kind!r}")
    if explicit:
        # ZeroPadding2D((a, b)) would mean a rows and b columns: give both axes (before, after)
        return (keras.layers.ZeroPadding2D((tuple(padding), tuple(padding))), main)
    return (main,)


def keras_layers(
    kind: LayerKind, kernel_size: int, stride: int = 1, padding: ops.Padding = "valid"
) -> tuple[Any, ...]:
    """The Keras layers that compute this window geometry (cached: the same settings reuse them).

    ``Conv2D`` (``kind="conv"``) and ``MaxPooling2D`` (``kind="pool"``) know only ``"valid"`` and
    ``"same"``; any other padding becomes a ``ZeroPadding2D`` layer followed by the ``"valid"``
    layer. (For pooling that pair has the right output *shape*, which is what this module
    checks; its values differ from padded pooling, whose padded pixels never win a maximum.)
    """
    return _cached_layers(kind, int(kernel_size), int(stride), _padding_key(padding))


def keras_spelling(
    kind: LayerKind, kernel_size: int, stride: int = 1, padding: ops.Padding = "valid"
) -> str:
    """How to write these settings in Keras, e.g. ``Conv2D(1, 3, strides=2, padding='same')``."""
    key = _padding_key(padding)
    name = "Conv2D(1, " if kind == "conv" else "MaxPooling2D("
    if key in ("valid", "same"):
        return f"{name}{kernel_size}, strides={stride}, padding={key!r})"
    if key == "full":
        key = (kernel_size - 1, kernel_size - 1)
    zeros = key[0] if key[0] == key[1] else (key, key)
    return f"ZeroPadding2D({zeros}) then {name}{kernel_size}, strides={stride}, padding='valid')"


def keras_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: ops.Padding = "valid",
    kind: LayerKind = "conv",
    run: bool = False,
) -> int | None:
    """The output height Keras gives a square ``(input_size, input_size, 1)`` input.

    By default the layers infer the shape (``compute_output_shape``), which costs microseconds;
    with ``run=True`` they also compute an output from an array of zeros and the size is read
    from it. Returns ``None`` when Keras refuses the settings (it finds no output, or divides
    by a zero stride).
    """
    stack = keras_layers(kind, kernel_size, stride, padding)
    shape: tuple = (None, input_size, input_size, 1)
    try:
        for layer in stack:
            shape = layer.compute_output_shape(shape)
    except (ValueError, ZeroDivisionError):
        return None
    if shape[1] is None or shape[1] < 1:
        return None
    if run:
        x = np.zeros((1, input_size, input_size, 1), dtype="float32")
        for layer in stack:
            x = layer(x)
        return int(x.shape[1])
    return int(shape[1])


@dataclass(frozen=True)
class FormulaCheck:
    """One row of the formula-versus-Keras table (``None`` means "no output")."""

    input_size: int
    kernel_size: int
    stride: int
    padding: str
    formula: int | None
    conv2d: int | None
    maxpooling2d: int | None

    @property
    def agrees(self) -> bool:
        """The formula and both layers give the same size (or all give no output)."""
        return self.formula == self.conv2d == self.maxpooling2d


def check_against_keras(
    input_sizes: Iterable[int],
    kernel_sizes: Iterable[int],
    strides: Iterable[int],
    paddings: Iterable[str] = ("valid", "same"),
    run: bool = True,
) -> list[FormulaCheck]:
    """Compare the formula with real ``Conv2D`` and ``MaxPooling2D`` layers over a grid.

    For every ``(i, k, s, padding)`` the formula's ``o`` (via :func:`axis_geometry`, ``None`` when
    it finds no output) is set beside the output height of a ``Conv2D(1, k, strides=s,
    padding=...)`` and a ``MaxPooling2D(k, strides=s, padding=...)`` layer. With ``run=True``
    (the default) the layers compute an output; with ``run=False`` they only infer its shape, fast
    enough for thousands of cases.
    """
    rows = []
    for i, k, s, padding in itertools.product(input_sizes, kernel_sizes, strides, paddings):
        try:
            formula: int | None = axis_geometry(i, k, s, padding).output_size
        except ValueError:
            formula = None
        conv = keras_output_size(i, k, s, padding, "conv", run=run)
        pool = keras_output_size(i, k, s, padding, "pool", run=run)
        rows.append(FormulaCheck(i, k, s, padding, formula, conv, pool))
    return rows


def format_checks(rows: Sequence[FormulaCheck]) -> str:
    """The rows of :func:`check_against_keras` as a plain-text table (``-`` for no output)."""

    def show(value: int | None) -> str:
        return "-" if value is None else str(value)

    lines = [
        f"{'i':>3} {'k':>2} {'s':>2} {'padding':>8} | {'formula':>7} {'Conv2D':>7} "
        f"{'MaxPool':>7} | agree",
        "-" * 52,
    ]
    for row in rows:
        lines.append(
            f"{row.input_size:>3} {row.kernel_size:>2} {row.stride:>2} {row.padding:>8} | "
            f"{show(row.formula):>7} {show(row.conv2d):>7} {show(row.maxpooling2d):>7} | "
            f"{'yes' if row.agrees else 'NO'}"
        )
    return "\n".join(lines)


def keras_window_reads(
    input_size: int, kernel_size: int, stride: int = 1, padding: str = "same", tap: int = 0
) -> np.ndarray:
    """Which input pixel each window's ``tap``-th pixel lands on, read from a real ``Conv2D``.

    The layer runs on one row holding ``1, 2, ..., i`` with a ``(1, k)`` kernel that is 1 at
    ``tap`` and 0 elsewhere, so each output is the (1-based) number of the pixel that position of
    the window covers, or 0 where it covers a padded zero.
    """
    if not 0 <= tap < kernel_size:
        raise ValueError(f"tap must be between 0 and {kernel_size - 1}, got {tap}")
    keras = _keras()
    row = np.arange(1, input_size + 1, dtype="float32").reshape(1, 1, input_size, 1)
    layer = keras.layers.Conv2D(
        1, (1, kernel_size), strides=(1, stride), padding=padding, use_bias=False
    )
    layer.build(row.shape)
    kernel = np.zeros((1, kernel_size, 1, 1), dtype="float32")
    kernel[0, tap] = 1.0
    layer.set_weights([kernel])
    return np.rint(np.asarray(layer(row))).astype(int).ravel()


def keras_same_padding(input_size: int, kernel_size: int, stride: int = 1) -> tuple[int, int]:
    """Zeros Keras' ``padding="same"`` puts before and after an axis, measured by running it.

    Window ``r``'s pixel ``t`` sits at padded index ``r * s + t``, so where it reads input pixel
    number ``n`` (1-based), ``before = r * s + t + 1 - n``. The zeros after the input are how far
    the last of Keras' windows reaches past the input's end. Both are read from
    :func:`keras_window_reads` (a real layer), not computed from the rule.
    """
    for tap in range(kernel_size):
        reads = keras_window_reads(input_size, kernel_size, stride, "same", tap=tap)
        on_input = np.flatnonzero(reads)
        if on_input.size:
            r = int(on_input[0])
            before = r * stride + tap + 1 - int(reads[r])
            break
    else:  # pragma: no cover - "same" windows always cover some input pixel
        raise RuntimeError("no window of the Keras layer reads the input")
    last_end = (len(reads) - 1) * stride + kernel_size - 1  # padded index of the last pixel read
    return before, max(last_end - (before + input_size - 1), 0)


# -- matplotlib pictures ----------------------------------------------------------------------
def _rgb(colour: str) -> np.ndarray:
    """``"#rrggbb"`` as three floats from 0 to 1."""
    return np.array([int(colour[j : j + 2], 16) for j in (1, 3, 5)]) / 255


def _background(geometry: AxisGeometry, image: np.ndarray | None) -> np.ndarray:
    n, b, i = geometry.padded_size, geometry.before, geometry.input_size
    rgb = np.empty((n, n, 3))
    rgb[:] = _rgb(PADDING_COLOUR)
    if image is None:
        rgb[b : b + i, b : b + i] = 1.0
    else:
        pixels = np.asarray(image, dtype=float)
        if pixels.shape != (i, i):
            raise ValueError(f"the image must be {i}x{i}, got shape {pixels.shape}")
        span = pixels.max() - pixels.min() or 1.0
        grey = 1.0 - 0.85 * (pixels - pixels.min()) / span
        rgb[b : b + i, b : b + i] = grey[..., None]
    visited = geometry.visited
    missed = ~np.outer(visited, visited)
    red = _rgb(UNVISITED_COLOUR)
    inner = rgb[b : b + i, b : b + i]
    inner[missed] = 0.45 * inner[missed] + 0.55 * red
    return rgb


def draw_geometry(
    ax: Axes,
    geometry: AxisGeometry,
    *,
    image: np.ndarray | None = None,
    window: int | None = 0,
    centres: bool = True,
    title: bool = True,
) -> None:
    """Draw the padded input, the window centres, one window and the pixels no window visits.

    Args:
        ax: where to draw.
        geometry: from :func:`axis_geometry`.
        image: optional ``(i, i)`` pixels shown in grey inside the zero border.
        window: index (row-major) of the window outlined in orange, or ``None`` for none.
        centres: mark every window's centre with a dot: one dot per output pixel.
        title: write ``i, k, p, s -> o`` above the picture.
    """
    g = geometry
    n, o = g.padded_size, g.output_size
    ax.imshow(_background(g, image), extent=(-0.5, n - 0.5, n - 0.5, -0.5))
    if n <= 16:
        for line in np.arange(-0.5, n):
            ax.axhline(line, color="#b0b0b0", lw=0.5)
            ax.axvline(line, color="#b0b0b0", lw=0.5)
    if n <= 12 and (g.before or g.after):
        span = range(g.before, g.before + g.input_size)
        for r, c in itertools.product(range(n), repeat=2):
            if r not in span or c not in span:
                ax.text(c, r, "0", ha="center", va="center", fontsize=7, color=ZERO_COLOUR)
    ax.add_patch(
        Rectangle(
            (g.before - 0.5, g.before - 0.5), g.input_size, g.input_size,
            fill=False, lw=1.8, ec=OUTLINE_COLOUR,
        )
    )
    if centres:
        middle = np.array(g.starts) + (g.kernel_size - 1) / 2
        rows, cols = np.meshgrid(middle, middle, indexing="ij")
        dot = max(2.0, 60.0 / n) ** 2 / 4
        ax.scatter(cols.ravel(), rows.ravel(), s=dot, color=CENTRE_COLOUR, zorder=3)
    if window is not None:
        r0, c0 = g.starts[window // o], g.starts[window % o]
        ax.add_patch(
            Rectangle(
                (c0 - 0.5, r0 - 0.5), g.kernel_size, g.kernel_size,
                fill=True, fc=WINDOW_COLOUR, alpha=0.25, ec="none", zorder=2,
            )
        )
        ax.add_patch(
            Rectangle(
                (c0 - 0.5, r0 - 0.5), g.kernel_size, g.kernel_size,
                fill=False, ec=WINDOW_COLOUR, lw=2.2, zorder=4,
            )
        )
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(n - 0.4, -0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(
            f"i={g.input_size}, k={g.kernel_size}, {padding_label(g.padding)}, s={g.stride}"
            f"\n→ o={o}",
            fontsize=9,
        )


def legend_handles() -> list[Patch]:
    """Legend entries for :func:`draw_geometry` pictures."""
    return [
        Patch(fc=PADDING_COLOUR, ec="#888888", label="zero padding"),
        Patch(fc=UNVISITED_COLOUR, alpha=0.7, label="never in a window"),
        Patch(fc=WINDOW_COLOUR, alpha=0.5, ec=WINDOW_COLOUR, label="one window"),
        Patch(fc=CENTRE_COLOUR, label="window centres (one per output pixel)"),
    ]


def small_multiples(
    cases: Sequence[tuple[int, int, ops.Padding, int]],
    *,
    columns: int = 4,
    size: float = 1.65,
    image: np.ndarray | None = None,
) -> Figure:
    """One :func:`draw_geometry` panel per ``(i, k, padding, s)`` case, with a shared legend."""
    if not cases:
        raise ValueError("give at least one (i, k, padding, s) case")
    columns = min(columns, len(cases))
    rows = -(-len(cases) // columns)
    height = rows * (size + 0.4) + 0.5  # each panel, its two-line title, the legend
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * size, height), squeeze=False, layout="constrained"
    )
    for ax in axes.flat[len(cases):]:
        ax.set_axis_off()
    for ax, (i, k, padding, s) in zip(axes.flat, cases):
        draw_geometry(ax, axis_geometry(i, k, s, padding), image=image)
    fig.legend(
        handles=legend_handles(), loc="outside lower center", ncol=2, fontsize=8,
        frameon=False,
    )
    fig.get_layout_engine().set(w_pad=0.02, h_pad=0.04, wspace=0.02, hspace=0.02)
    return fig


def window_animation(geometry: AxisGeometry, *, max_frames: int = 30) -> FuncAnimation:
    """The window visiting every position in turn, beside the output pixel it fills.

    One frame per output pixel (at most ``max_frames``). Show it with
    :func:`convbook.plotting.animation_html`.
    """
    g = geometry
    o = g.output_size
    if o * o > max_frames:
        raise ValueError(
            f"{o * o} window positions make too long an animation (at most {max_frames})"
        )
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(5.6, 2.9), gridspec_kw={"width_ratios": [g.padded_size, max(o, 3)]}
    )

    def frame(index: int) -> None:
        left.clear()
        right.clear()
        draw_geometry(left, g, window=index, centres=True, title=False)
        left.set_title(
            f"input {g.input_size}x{g.input_size}, {padding_label(g.padding)}, "
            f"k={g.kernel_size}, s={g.stride}",
            fontsize=9,
        )
        # Computed output pixels in a light tint of the window's colour, the rest not yet.
        done = np.zeros((o * o, 3))
        done[:] = _rgb(NOT_YET_COLOUR)
        done[: index + 1] = 0.7 + 0.3 * _rgb(WINDOW_COLOUR)
        right.imshow(done.reshape(o, o, 3), extent=(-0.5, o - 0.5, o - 0.5, -0.5))
        for line in np.arange(-0.5, o):
            right.axhline(line, color="#ffffff", lw=0.8)
            right.axvline(line, color="#ffffff", lw=0.8)
        r, c = divmod(index, o)
        right.add_patch(
            Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec=OUTPUT_COLOUR, lw=2.2)
        )
        right.set_xlim(-0.6, max(o, 3) - 0.4)
        right.set_ylim(max(o, 3) - 0.4, -0.6)
        right.set_xticks([])
        right.set_yticks([])
        right.set_title(f"output {o}x{o}: pixel ({r}, {c})", fontsize=9)

    frame(0)
    fig.tight_layout()
    return FuncAnimation(fig, frame, frames=o * o, interval=700)


# -- exercises ---------------------------------------------------------------------------------


def _is_shape(answer: Any) -> bool:
    return answer is None or (
        not isinstance(answer, (str, bytes))
        and len(answer) == 3
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in answer)
    )


def _shape_is(expected: tuple[int, ...] | None) -> Any:
    def test(answer: Any) -> bool:
        if answer is None or expected is None:
            return answer is None and expected is None
        return tuple(int(v) for v in answer) == expected
    return test


#: The checks of the padding chapter's exercises, by number.
PADDING_EXERCISES: dict[int, Check] = {
    1: number_check(
        "Exercise 1",
        13,
        hint="Each 3x3 'valid' layer takes one pixel off every side: 28, 26, 24, ... A layer "
        "can only be built while its input still holds one whole window.",
        explanation="After n layers the map is 28 - 2n pixels wide. After 13 it is 2x2, too "
        "small for a 14th 3x3 window: Keras refuses that layer.",
        mistakes=[
            (14, "After 13 layers the map is 2x2. A 14th layer would need a 3x3 window to fit "
             "in it: there is no position for it, and Keras refuses the layer."),
            (26, "A 3x3 'valid' layer removes a pixel on each side: 2 per layer, not 1."),
            (27, "A 3x3 'valid' layer removes a pixel on each side: 2 per layer, not 1."),
            (9, "Count again: 28 - 2 x 9 = 10 pixels are still left after 9 layers."),
        ],
    ),
    2: number_check(
        "Exercise 2",
        7 * 7 * 128,
        hint="With 'same' padding each convolution keeps its input's size; the pooling layers "
        "still halve (rounding down). Follow the size through all five layers.",
        explanation="28 -> conv1 28 -> pool1 14 -> conv2 14 -> pool2 7 -> conv3 7: Flatten "
        "passes 7 x 7 x 128 = 6,272 values to the classifier, five times the 1,152 of "
        "'valid', so the classifier has (6,272 + 1) x 10 = 62,730 weights.",
        mistakes=[
            (1_152, "That is the course's model with 'valid' padding. With 'same' every "
             "convolution keeps its input's size."),
            (28 * 28 * 128, "The pooling layers still halve the maps: 'same' only changes the "
             "convolutions."),
            (14 * 14 * 128, "There are two pooling layers, each halving."),
            (155_402, "That is the parameter count of the whole model. The question asks how "
             "many values Flatten passes on."),
        ],
    ),
    3: numbers_check(
        "Exercise 3",
        (0, 1),
        hint="'same' with k = 2 needs k - 1 = 1 zero. Run a real layer (keras_same_padding, or "
        "the one-hot kernel trick above) to see which side gets it.",
        explanation="One zero, and Keras puts the odd zero after the input: (0, 1), at the "
        "bottom and on the right.",
        mistakes=[
            ((1, 0), "Right count, wrong side: Keras (like TensorFlow) puts the odd zero after "
             "the input."),
            ((1, 1), "Two zeros would give 28 + 2 - 2 + 1 = 29 outputs: one zero is enough."),
            ((0, 0), "Without padding a 2x2 kernel gives 27 outputs, not 28."),
        ],
        example="(2, 2)",
    ),
    4: numbers_check(
        "Exercise 4",
        (4 / 9, 6 / 9, 1.0),
        tolerance=0.01,
        hint="With 'same' padding a window centred on a corner holds 4 page pixels and 5 "
        "padded zeros. The blur kernel averages the nine.",
        explanation="The blur averages nine pixels, and the padded zeros count: 4/9 at a "
        "corner, 6/9 along an edge, 9/9 = 1 inside. 'same' keeps the size, but the border of "
        "the output is darker than the input there: zero padding has its own border effect.",
        mistakes=[
            ((1.0, 1.0, 1.0), "The padded zeros are part of the windows at the border: they "
             "pull the average down."),
            ((4.0, 6.0, 9.0), "Those are the counts of page pixels in a window; the blur "
             "divides their sum by 9."),
            ((4 / 9, 4 / 9, 1.0), "An edge pixel's window (away from the corners) holds 6 page "
             "pixels: two rows or columns of 3."),
        ],
        example="(0.5, 0.5, 0.5)",
    ),
}


#: The checks of the strides chapter's exercises, by number.
STRIDE_EXERCISES: dict[int, Check] = {
    1: numbers_check(
        "Exercise 1",
        (13, 14),
        hint="'valid': o = floor((i - k) / s) + 1. Keras' 'same': o = ceil(i / s).",
        explanation="'valid': floor((28 - 3) / 2) + 1 = 12 + 1 = 13 (pixel 27 is never "
        "visited); 'same': ceil(28 / 2) = 14, with one zero after the input.",
        mistakes=[
            ((14, 14), "'valid' adds no zeros: floor((28 - 3) / 2) + 1 = 13. Only 'same' "
             "reaches 14."),
            ((13, 13), "Keras' 'same' gives ceil(i / s) = ceil(28 / 2) = 14 with a stride."),
            ((12, 14), "Count the first window too: the floor gives 12 steps after it, so 13 "
             "windows."),
            ((26, 28), "Those are the sizes for stride 1. A stride of 2 skips every other "
             "position."),
        ],
        example="(10, 10)",
    ),
    2: Check(
        name="Exercise 2",
        is_right=_shape_is(None),
        kind=_is_shape,
        kind_text="a shape of three whole numbers such as (3, 3, 128), or None if the model "
        "cannot be built",
        hint="Follow the size through every layer: conv1 with stride 2, then pool1, conv2, "
        "pool2 as before, and check that conv3's 3x3 window still fits.",
        explanation="conv1 now gives floor((28 - 3) / 2) + 1 = 13, pool1 6, conv2 4, pool2 2: "
        "a 2x2 map has no room for a 3x3 window, so Keras refuses to build conv3. Downsampling "
        "three times shrinks a 28-pixel digit too fast for this stack.",
        hints=(
            (_shape_is((3, 3, 128)), "That is the course's model. The stride changes conv1's "
             "output, and every size after it."),
            (_shape_is((0, 0, 128)), "A map with 0 rows is no map: where no window fits, Keras "
             "does not build the layer at all."),
            (_shape_is((1, 1, 128)), "Check the size pool2 leaves: conv1 13, pool1 6, conv2 4, "
             "pool2 2. Does a 3x3 window fit in 2x2?"),
            (_shape_is((2, 2, 128)), "2x2 is what pool2 leaves; conv3's 3x3 window does not "
             "fit in it."),
        ),
    ),
    3: number_check(
        "Exercise 3",
        4,
        hint="Two things can leave a pixel unvisited: gaps between windows (when k < s) and "
        "leftover pixels after the last window ((i - k) mod s of them).",
        explanation="k = 4: windows start at 0, 3, ..., 24 and touch or overlap (k >= s), and "
        "the last one covers pixels 24 to 27, with (28 - 4) mod 3 = 0 left over.",
        mistakes=[
            (3, "No gaps with k = s = 3, but the last window starts at 24 and ends at 26: "
             "(28 - 3) mod 3 = 1 pixel, pixel 27, is left over."),
            (2, "With a window smaller than the stride, every step leaves a gap of s - k "
             "pixels."),
            (1, "With a window smaller than the stride, every step leaves a gap of s - k "
             "pixels."),
            (5, "The last window starts at 21 and ends at 25: (28 - 5) mod 3 = 2 pixels, 26 "
             "and 27, are left over."),
            (6, "The last window starts at 21 and ends at 26: (28 - 6) mod 3 = 1 pixel, pixel "
             "27, is left over."),
            (7, "That works, but a smaller kernel does too."),
        ],
    ),
    4: number_check(
        "Exercise 4",
        5 * 5 * 128,
        hint="Without padding, a stride-2 layer gives floor((i - 3) / 2) + 1 outputs. Follow "
        "the size from conv1 to conv3.",
        explanation="conv1 26, conv2 floor((26 - 3) / 2) + 1 = 12, conv3 floor((12 - 3) / 2) "
        "+ 1 = 5: Flatten passes 5 x 5 x 128 = 3,200 values, so the classifier has "
        "(3,200 + 1) x 10 = 32,010 weights.",
        mistakes=[
            (1_152, "That is the course's model with max pooling. The strided layers shrink "
             "the maps differently: floor((i - 3) / 2) + 1."),
            (6 * 6 * 128, "A stride-2 convolution without padding gives floor((i - k) / s) + "
             "1 outputs, not i / 2: conv2 gives 12, not 13."),
            (61_952, "That is the model without any downsampling: here conv2 and conv3 move "
             "with stride 2."),
            (4 * 4 * 128, "Check conv3: floor((12 - 3) / 2) + 1 = 5."),
        ],
    ),
}
