"""Max pooling, and why a convnet downsamples: the helpers of the pooling chapter.

- :func:`pool_by_reshape` and :func:`pool_map` pool from scratch (the first with the reshape
  trick, the second window by window, remembering which pixel each maximum came from); the tests
  check both against Keras' ``MaxPooling2D`` and ``AveragePooling2D``.
  Their messages for impossible settings are the ones the chapter's explorer,
  :class:`convbook.explorers.PoolingExplorer`, shows.
- :func:`response_maps` computes a model's feature maps for one image, once, for the figures and
  for the explorer; :func:`pooling_animation` is the explorer's static counterpart, for print
  and for readers without JavaScript, and :func:`compact_number` writes the values both print.
- :func:`plot_map_shapes` and :func:`plot_receptive_fields` draw how the feature maps shrink
  through a model and how much of the digit its last convolution sees.
- :func:`train_variant` trains one of :func:`convbook.models.build_convnet`'s variants on a fixed
  subset of MNIST and returns a :class:`VariantResult`; :func:`results_table` and
  :func:`plot_comparison` show several of them side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.lib.stride_tricks import sliding_window_view

from convbook import silence_tensorflow
from convbook.models import (
    EpochTimer,
    build_convnet,
    compile_for_mnist,
    receptive_fields,
)

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

__all__ = [
    "PoolMode",
    "pool_by_reshape",
    "Pooled",
    "pool_map",
    "response_maps",
    "compact_number",
    "pooling_animation",
    "plot_map_shapes",
    "field_square",
    "plot_receptive_fields",
    "VariantResult",
    "train_variant",
    "results_table",
    "plot_comparison",
]

#: The two ways to summarise a window: its largest value or the mean of its values.
PoolMode = Literal["max", "average"]

_REDUCERS = {"max": np.max, "average": np.mean}


def _reducer(mode: str):
    if mode not in _REDUCERS:
        raise ValueError(f"The mode must be 'max' or 'average', not '{mode}'.")
    return _REDUCERS[mode]


def _check_pool_size(pool_size: int) -> None:
    if pool_size < 1:
        raise ValueError(
            f"The pool size must be at least 1, not {pool_size}: a window holds at least one "
            "pixel."
        )


# -- pooling from scratch ----------------------------------------------------------------------


def pool_by_reshape(x: np.ndarray, size: int = 2, mode: PoolMode = "max") -> np.ndarray:
    """Pool ``(..., H, W, C)`` over non-overlapping ``size x size`` windows with the reshape trick.

    The rows and columns that do not fill a whole window (the last ``H % size`` and ``W % size``)
    are dropped, as ``MaxPooling2D(size)`` does with its default ``padding="valid"``. Splitting
    each spatial axis in two, ``H -> (H // size, size)``, puts the pixels of one window on their
    own axes, and the pooling is then one ``max`` (or ``mean``) over those two axes.
    """
    reduce = _reducer(mode)
    x = np.asarray(x)
    if x.ndim < 3:
        raise ValueError(f"Expected (..., height, width, channels), got shape {x.shape}.")
    _check_pool_size(size)
    height, width, channels = x.shape[-3:]
    rows, cols = height // size, width // size
    if rows == 0 or cols == 0:
        raise ValueError(f"A {size}x{size} pool does not fit in a {height}x{width} map.")
    cropped = x[..., : rows * size, : cols * size, :]
    split = cropped.reshape(*x.shape[:-3], rows, size, cols, size, channels)
    return reduce(split, axis=(-4, -2))


@dataclass(frozen=True)
class Pooled:
    """One 2-D map pooled window by window.

    Attributes:
        output: the pooled map, ``(out_rows, out_cols)``.
        pool_size: the side of the square window.
        stride: the step between two windows.
        kept: for max pooling, ``(out_rows, out_cols, 2)`` the (row, column) in the input of the
            value each window kept (the first maximum in reading order, as ``argmax`` finds
            it); ``None`` for average pooling, where every pixel of a window counts.
        covered: ``(rows, cols)`` of the input that some window covers; the rest is ignored.
    """

    output: np.ndarray
    pool_size: int
    stride: int
    kept: np.ndarray | None
    covered: tuple[int, int]

    def corners(self) -> list[tuple[int, int]]:
        """Top-left corner of every window in the input, in reading order."""
        rows, cols = self.output.shape
        return [(r * self.stride, c * self.stride) for r in range(rows) for c in range(cols)]


def pool_map(
    values: np.ndarray, pool_size: int = 2, stride: int | None = None, mode: PoolMode = "max"
) -> Pooled:
    """Pool one 2-D map with square windows (``padding="valid"``), remembering what was kept.

    ``stride=None`` means a stride equal to the pool size, Keras' default.

    Raises:
        ValueError: with full sentences a learner can act on, checked in this order: an unknown
            mode, a pool size below 1, a stride below 1, a pool larger than the map. The
            explorer's JavaScript (``poolProblem`` in ``explorers/pooling.js``) writes the same.
    """
    _reducer(mode)
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"pool_map pools one 2-D map, not an array of shape {values.shape}.")
    stride = pool_size if stride is None else stride
    _check_pool_size(pool_size)
    if stride < 1:
        where = "never move to a new position" if stride == 0 else "move backwards, off the map"
        raise ValueError(
            f"The stride must be at least 1: with a stride of {stride} the window would {where}."
        )
    height, width = values.shape
    if pool_size > min(height, width):
        raise ValueError(
            f"A {pool_size}x{pool_size} pool is larger than the {height}x{width} map, so no "
            "window fits and there is no output. Use a pool size of at most "
            f"{min(height, width)}."
        )
    windows = sliding_window_view(values, (pool_size, pool_size))[::stride, ::stride]
    out_rows, out_cols = windows.shape[:2]
    flat = windows.reshape(out_rows, out_cols, pool_size * pool_size)
    covered = ((out_rows - 1) * stride + pool_size, (out_cols - 1) * stride + pool_size)
    if mode == "average":
        return Pooled(flat.mean(axis=-1), pool_size, stride, None, covered)
    best = flat.argmax(axis=-1)
    row_starts = np.arange(out_rows)[:, None] * stride
    col_starts = np.arange(out_cols)[None, :] * stride
    kept = np.stack([row_starts + best // pool_size, col_starts + best % pool_size], axis=-1)
    return Pooled(flat.max(axis=-1), pool_size, stride, kept, covered)


# -- real feature maps -------------------------------------------------------------------------


def response_maps(
    model: keras.Model, image: np.ndarray, layer_names: Sequence[str] = ("conv1", "conv2")
) -> dict[str, np.ndarray]:
    """The feature maps that the named layers of ``model`` compute for one image.

    Args:
        model: a model built with :func:`convbook.models.build_convnet` (or any model with
            layers of those names).
        image: one input, ``(28, 28, 1)`` floats as :func:`convbook.data.as_model_input` gives.
        layer_names: which layers' outputs to return.

    Returns:
        ``{name: (height, width, channels) array}``, in the order of ``layer_names``.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise ValueError(f"expected one image (height, width, channels), got {image.shape}")
    outputs = [model.get_layer(name).output for name in layer_names]
    probe = keras.Model(model.inputs, outputs)
    maps = probe.predict(image[np.newaxis], verbose=0)
    if len(layer_names) == 1:
        maps = [maps]
    return {name: np.asarray(m[0]) for name, m in zip(layer_names, maps)}


# -- numbers in a small cell ------------------------------------------------------------------


def compact_number(value: float) -> str:
    """A value in at most four characters (``0``, ``.23``, ``1.2``, ``12``), to fit a cell.

    The animation prints the map's values with it, and the pooling explorer (``compactNumber``
    in ``explorers/pooling.js``, its JavaScript twin) the pooled values.
    """
    if value == 0:
        return "0"
    if abs(value) >= 9.95:
        return f"{value:.0f}"
    if abs(value) >= 0.995:
        return f"{value:.1f}"
    return f"{value:.2f}".replace("0.", ".", 1)


# -- its static counterpart --------------------------------------------------------------------


def pooling_animation(values: np.ndarray, size: int = 2, *, dpi: int = 72) -> FuncAnimation:
    """Animate ``size x size`` pooling with stride ``size`` on a small 2-D map, window by window.

    Three panels: the map with the current window (its maximum circled), and the max-pooled and
    average-pooled outputs filling in one pixel per frame. One frame per window, so keep the map
    small (an 8x8 crop gives 16 frames). Show it with
    :func:`convbook.plotting.animation_html`.
    """
    values = np.asarray(values, dtype=float)
    maxed = pool_map(values, size, mode="max")
    meaned = pool_map(values, size, mode="average")
    out_rows, out_cols = maxed.output.shape
    low, high = float(values.min()), float(values.max())
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.0), dpi=dpi,
                             gridspec_kw={"width_ratios": [2, 1, 1]})
    panels = [
        (axes[0], values, f"feature map {values.shape[0]}x{values.shape[1]}"),
        (axes[1], np.full((out_rows, out_cols), np.nan), "max pooling"),
        (axes[2], np.full((out_rows, out_cols), np.nan), "average pooling"),
    ]
    images, texts = [], []
    for ax, grid, title in panels:
        image = ax.imshow(grid, cmap="viridis", vmin=low, vmax=high)
        ax.set_facecolor("#f4f4f4")  # output pixels not computed yet
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        images.append(image)
    for r in range(values.shape[0]):
        for c in range(values.shape[1]):
            ink = "black" if values[r, c] > (low + high) / 2 else "white"
            axes[0].text(c, r, compact_number(values[r, c]), ha="center", va="center",
                         fontsize=8, color=ink)
    for ax, result in ((axes[1], maxed), (axes[2], meaned)):
        grid_texts = {}
        for r in range(out_rows):
            for c in range(out_cols):
                value = result.output[r, c]
                ink = "black" if value > (low + high) / 2 else "white"
                grid_texts[r, c] = ax.text(c, r, compact_number(value), ha="center",
                                           va="center", fontsize=9, color=ink, visible=False)
        texts.append(grid_texts)
    window = Rectangle((-0.5, -0.5), size, size, fill=False, edgecolor="#ff7f0e", linewidth=3)
    axes[0].add_patch(window)
    (winner,) = axes[0].plot([], [], "o", markersize=16, markerfacecolor="none",
                             markeredgecolor="#e4003a", markeredgewidth=2)
    markers = [Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor="#ff7f0e", linewidth=3)
               for _ in range(2)]
    axes[1].add_patch(markers[0])
    axes[2].add_patch(markers[1])
    fig.tight_layout()

    def draw(frame: int):
        r, c = divmod(frame, out_cols)
        window.set_xy((c * size - 0.5, r * size - 0.5))
        kept_row, kept_col = maxed.kept[r, c]
        winner.set_data([kept_col], [kept_row])
        for image, result, grid_texts, marker in zip(images[1:], (maxed, meaned), texts, markers):
            shown = np.full((out_rows, out_cols), np.nan)
            shown.flat[: frame + 1] = result.output.flat[: frame + 1]
            image.set_data(shown)
            for (tr, tc), text in grid_texts.items():
                text.set_visible(tr * out_cols + tc <= frame)
            marker.set_xy((c - 0.5, r - 0.5))
        return [window, winner, *images, *markers]

    return FuncAnimation(fig, draw, frames=out_rows * out_cols, interval=700, blit=False)


# -- figures: shapes and receptive fields ------------------------------------------------------


def _stages(model: keras.Model) -> list[tuple[str, tuple[int, ...]]]:
    """(name, output shape without the batch axis) of the input and every layer but the last."""
    stages = [(model.layers[0].name, tuple(int(d) for d in model.input.shape[1:]))]
    for layer in model.layers[1:]:
        stages.append((layer.name, tuple(int(d) for d in layer.output.shape[1:])))
    return stages


def plot_map_shapes(models: Sequence[keras.Model], *, scale: float = 0.055) -> Figure:
    """Draw every layer's output of each model: how the feature maps shrink.

    One row per model. A feature map ``(h, w, c)`` is a square of side ``h`` (to scale, the same
    for all rows) with one shadow square behind it for each doubling of the depth beyond 16,
    labelled ``h x w x c``. A flat vector is an orange bar, *not* to scale (its height grows with
    the logarithm of its length), labelled with its length.
    """
    fig, axes = plt.subplots(len(models), 1, figsize=(8, 2.1 * len(models)), squeeze=False)
    for ax, model in zip(axes[:, 0], models):
        x = 0.0
        for name, shape in _stages(model):
            if len(shape) == 3:
                side = shape[0] * scale
                depth = max(0, int(np.log2(shape[2])) - 4)
                for k in range(depth, -1, -1):
                    ax.add_patch(Rectangle((x + 0.06 * k, 0.06 * k - side / 2), side, side,
                                           facecolor="#4c72b0" if k == 0 else "#c5d3ea",
                                           edgecolor="white", linewidth=0.8))
                label, width = f"{shape[0]}x{shape[1]}x{shape[2]}", side + 0.06 * depth
            else:
                width, height = 0.18, 0.28 * np.log10(max(shape[0], 1))
                ax.add_patch(Rectangle((x, -height / 2), width, height, facecolor="#dd8452"))
                label = f"{shape[0]:,}"
            ax.text(x + width / 2, -0.95, f"{name}\n{label}", ha="center", va="top", fontsize=9.5)
            x += max(width, 1.05) + 0.35
        ax.set_xlim(-0.2, 11.5)
        ax.set_ylim(-1.9, 1.0)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(f"{model.name}: {model.count_params():,} parameters", fontsize=11, loc="left")
    fig.tight_layout()
    return fig


def field_square(model: keras.Model, row: int, col: int) -> tuple[int, int, int]:
    """``(top, left, size)`` of the input square that output pixel ``(row, col)`` of the last
    convolution or pooling layer sees, for layers without padding.

    With ``padding="valid"`` the window of output pixel ``i`` starts at input pixel
    ``i * jump``, where the jump is the product of the strides so far.
    """
    for layer in model.layers:
        padding = getattr(layer, "padding", "valid")
        if padding != "valid":
            raise ValueError(f"layer {layer.name!r} pads ({padding!r}); only 'valid' is handled")
    last = receptive_fields(model)[-1]
    if not (0 <= row < last.output_size and 0 <= col < last.output_size):
        raise ValueError(
            f"{last.name} has a {last.output_size}x{last.output_size} output; "
            f"({row}, {col}) is outside it"
        )
    return row * last.jump, col * last.jump, last.size


def plot_receptive_fields(image: np.ndarray, models: Sequence[keras.Model]) -> Figure:
    """Draw, on a digit, the square of input pixels the centre pixel of each model's last
    convolution sees (its receptive field)."""
    image = np.asarray(image).reshape(28, 28)
    fig, axes = plt.subplots(1, len(models), figsize=(3.3 * len(models), 3.6), squeeze=False)
    for ax, model in zip(axes[0], models):
        last = receptive_fields(model)[-1]
        middle = last.output_size // 2
        top, left, size = field_square(model, middle, middle)
        ax.imshow(image, cmap="gray_r")
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=True,
                               facecolor="#e4003a", alpha=0.18, edgecolor="#e4003a",
                               linewidth=2.5))
        ax.set_title(f"{model.name}\n{last.name} sees {size}x{size} of 28x28", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


# -- the measured comparison -------------------------------------------------------------------


@dataclass(frozen=True)
class VariantResult:
    """What one training run of a convnet variant gives.

    Attributes:
        downsampling: ``"max"``, ``"average"``, ``"strided"`` or ``"none"``.
        params: trainable parameters.
        flatten_size: values the ``Flatten`` layer passes to the classifier.
        epoch_seconds: wall-clock seconds of each epoch, validation included.
        history: Keras' history: ``accuracy``, ``val_accuracy``, ``loss``, ``val_loss`` per
            epoch (the training figures are averaged over each epoch while the weights change,
            the validation ones measured at its end).
        model: the trained model.
    """

    downsampling: str
    params: int
    flatten_size: int
    epoch_seconds: tuple[float, ...]
    history: dict[str, list[float]]
    model: keras.Model = field(repr=False, compare=False)

    @property
    def seconds_per_epoch(self) -> float:
        """Mean epoch time, leaving out the first epoch (which also builds the graph)."""
        steady = self.epoch_seconds[1:] or self.epoch_seconds
        return float(np.mean(steady))

    @property
    def train_accuracy(self) -> float:
        return float(self.history["accuracy"][-1])

    @property
    def val_accuracy(self) -> float:
        return float(self.history["val_accuracy"][-1])

    @property
    def gap(self) -> float:
        """Training minus validation accuracy after the last epoch: how much it overfits."""
        return self.train_accuracy - self.val_accuracy


def train_variant(
    downsampling: str,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int = 3,
    batch_size: int = 64,
    seed: int = 0,
) -> VariantResult:
    """Build, compile and train one :func:`~convbook.models.build_convnet` variant, quietly.

    Args:
        downsampling: the variant, as :func:`~convbook.models.build_convnet` takes it.
        train, validation: ``(images, labels)`` with images ``(n, 28, 28, 1)`` floats.
        epochs, batch_size: as for ``model.fit``.
        seed: passed to ``keras.utils.set_random_seed`` before the model is built, so the
            initial weights and the shuffling are the same on every run.
    """
    if epochs < 1:
        raise ValueError(f"train for at least one epoch, got {epochs}")
    keras.utils.set_random_seed(seed)
    model = compile_for_mnist(build_convnet(downsampling))
    timer = EpochTimer()
    history = model.fit(
        *train, validation_data=validation, epochs=epochs, batch_size=batch_size,
        callbacks=[timer], verbose=0,
    )
    return VariantResult(
        downsampling=downsampling,
        params=int(model.count_params()),
        flatten_size=int(model.get_layer("flatten").output.shape[1]),
        epoch_seconds=tuple(timer.seconds),
        history={key: [float(v) for v in values] for key, values in history.history.items()},
        model=model,
    )


def results_table(results: Sequence[VariantResult]) -> str:
    """The results as a fixed-width text table, one row per variant."""
    header = (f"{'downsampling':<13}{'params':>9}{'flatten':>9}{'s/epoch':>9}"
              f"{'train acc':>11}{'val acc':>9}{'gap':>8}")
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.downsampling:<13}{r.params:>9,}{r.flatten_size:>9,}{r.seconds_per_epoch:>9.1f}"
            f"{r.train_accuracy:>11.2%}{r.val_accuracy:>9.2%}{r.gap:>+8.2%}"
        )
    return "\n".join(lines)


_COLOURS = {"max": "#4c72b0", "average": "#55a868", "strided": "#8172b2", "none": "#c44e52"}


def plot_comparison(results: Sequence[VariantResult]) -> Figure:
    """Three panels: accuracy per epoch (training dashed, validation solid), the final
    training-validation gap, and seconds per epoch."""
    fig, (curves, gaps, times) = plt.subplots(
        1, 3, figsize=(9, 3.4), gridspec_kw={"width_ratios": [1.4, 1, 1]}
    )
    names = [r.downsampling for r in results]
    colours = [_COLOURS.get(name, "#777777") for name in names]
    for r, colour in zip(results, colours):
        epochs = np.arange(1, len(r.history["accuracy"]) + 1)
        curves.plot(epochs, r.history["accuracy"], "--", color=colour, alpha=0.8)
        curves.plot(epochs, r.history["val_accuracy"], "-o", color=colour, label=r.downsampling)
    curves.set_xticks(epochs)
    curves.set_xlabel("epoch")
    curves.set_ylabel("accuracy")
    curves.set_title("training (dashed), validation (solid)", fontsize=10)
    curves.legend(fontsize=8, title="downsampling", title_fontsize=8)
    positions = np.arange(len(names))
    gaps.barh(positions, [100 * r.gap for r in results], color=colours)
    gaps.axvline(0, color="black", linewidth=0.8)
    gaps.set_xlabel("percentage points")
    gaps.set_title("training minus validation", fontsize=10)
    times.barh(positions, [r.seconds_per_epoch for r in results], color=colours)
    times.set_xlabel("seconds")
    times.set_title("time per epoch", fontsize=10)
    for ax in (gaps, times):
        ax.set_yticks(positions, names)
        ax.invert_yaxis()  # the first variant on top, as in the table
    fig.tight_layout()
    return fig
