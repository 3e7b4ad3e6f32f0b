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
  subset of MNIST and returns a :class:`VariantResult`; :func:`train_variants` trains several
  variants with several seeds, and :func:`results_table`, :func:`spread_table` and
  :func:`plot_comparison` show the runs side by side, with the spread over the seeds.
- :data:`EXERCISES` and :func:`no_pooling_check` check the chapter's exercises.

The figures follow the book's visual language (:mod:`convbook.style`).
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
from convbook.exercises import Check, choice_check, number_check
from convbook.style import (
    ACTIVATION_CMAP,
    INK_CMAP,
    NOT_YET_COLOUR,
    OUTPUT_COLOUR,
    SERIES_COLOURS,
    WINDOW_COLOUR,
    curve_style,
)
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
    "VARIANTS",
    "variant_colour",
    "VariantResult",
    "train_variant",
    "train_variants",
    "by_variant",
    "results_table",
    "spread_table",
    "plot_comparison",
    "EXERCISES",
    "no_pooling_check",
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
        image = ax.imshow(grid, cmap=ACTIVATION_CMAP, vmin=low, vmax=high)
        ax.set_facecolor(NOT_YET_COLOUR)  # output pixels not computed yet
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
    window = Rectangle((-0.5, -0.5), size, size, fill=False, edgecolor=WINDOW_COLOUR,
                       linewidth=3)
    axes[0].add_patch(window)
    # The kept value, circled in the output's colour (ringed in white to show on dark pixels).
    (halo,) = axes[0].plot([], [], "o", markersize=17, markerfacecolor="none",
                           markeredgecolor="white", markeredgewidth=4)
    (winner,) = axes[0].plot([], [], "o", markersize=17, markerfacecolor="none",
                             markeredgecolor=OUTPUT_COLOUR, markeredgewidth=2)
    markers = [Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=OUTPUT_COLOUR, linewidth=3)
               for _ in range(2)]
    axes[1].add_patch(markers[0])
    axes[2].add_patch(markers[1])
    fig.tight_layout()

    def draw(frame: int):
        r, c = divmod(frame, out_cols)
        window.set_xy((c * size - 0.5, r * size - 0.5))
        kept_row, kept_col = maxed.kept[r, c]
        winner.set_data([kept_col], [kept_row])
        halo.set_data([kept_col], [kept_row])
        for image, result, grid_texts, marker in zip(images[1:], (maxed, meaned), texts, markers):
            shown = np.full((out_rows, out_cols), np.nan)
            shown.flat[: frame + 1] = result.output.flat[: frame + 1]
            image.set_data(shown)
            for (tr, tc), text in grid_texts.items():
                text.set_visible(tr * out_cols + tc <= frame)
            marker.set_xy((c - 0.5, r - 0.5))
        return [window, halo, winner, *images, *markers]

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
                                           facecolor=SERIES_COLOURS[0] if k == 0 else "#c5d3ea",
                                           edgecolor="white", linewidth=0.8))
                label, width = f"{shape[0]}x{shape[1]}x{shape[2]}", side + 0.06 * depth
            else:
                width, height = 0.18, 0.28 * np.log10(max(shape[0], 1))
                ax.add_patch(Rectangle((x, -height / 2), width, height,
                                       facecolor=SERIES_COLOURS[1]))
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
        ax.imshow(image, cmap=INK_CMAP)
        # The field is the window of input pixels the output pixel reads: the window's colour.
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=True,
                               facecolor=WINDOW_COLOUR + "30", edgecolor=WINDOW_COLOUR,
                               linewidth=2.5))
        ax.set_title(f"{model.name}\n{last.name} sees {size}x{size} of 28x28", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


# -- the measured comparison -------------------------------------------------------------------


#: The variants the chapter compares, in the order of its tables and figures (each keeps its
#: colour, :data:`convbook.style.SERIES_COLOURS` in this order, in every figure).
VARIANTS = ("max", "average", "strided", "none")


def variant_colour(downsampling: str) -> str:
    """The colour of a variant in every figure of the chapter."""
    index = VARIANTS.index(downsampling) if downsampling in VARIANTS else len(VARIANTS)
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]


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
        seed: the seed the run started from (initial weights and shuffling).
        end_train_accuracy: the accuracy on the training images measured after the last epoch,
            with the final weights, as the validation accuracy is; ``None`` if not measured.
    """

    downsampling: str
    params: int
    flatten_size: int
    epoch_seconds: tuple[float, ...]
    history: dict[str, list[float]]
    model: keras.Model = field(repr=False, compare=False)
    seed: int = 0
    end_train_accuracy: float | None = None

    @property
    def seconds_per_epoch(self) -> float:
        """Mean epoch time, leaving out the first epoch (which also builds the graph)."""
        steady = self.epoch_seconds[1:] or self.epoch_seconds
        return float(np.mean(steady))

    @property
    def train_accuracy(self) -> float:
        """Accuracy on the training images after the last epoch: measured with the final
        weights when known, otherwise Keras' average over the last epoch."""
        if self.end_train_accuracy is not None:
            return float(self.end_train_accuracy)
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

    After training, the accuracy on the training images is measured once more with the final
    weights, so that training and validation accuracy (and their gap) compare like with like.

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
    _, end_train_accuracy = model.evaluate(*train, batch_size=256, verbose=0)
    return VariantResult(
        downsampling=downsampling,
        params=int(model.count_params()),
        flatten_size=int(model.get_layer("flatten").output.shape[1]),
        epoch_seconds=tuple(timer.seconds),
        history={key: [float(v) for v in values] for key, values in history.history.items()},
        model=model,
        seed=seed,
        end_train_accuracy=float(end_train_accuracy),
    )


def train_variants(
    variants: Sequence[str],
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    seeds: Sequence[int],
    epochs: int = 3,
    batch_size: int = 64,
    done: Sequence[VariantResult] = (),
) -> list[VariantResult]:
    """:func:`train_variant` for every variant and seed, seed by seed; runs already in ``done``
    (same variant and seed) are reused, not trained again.

    The trained models are dropped from the results (``model=None``) to keep memory low; only
    the runs in ``done`` keep theirs.
    """
    if not seeds:
        raise ValueError("give at least one seed")
    known = {(r.downsampling, r.seed): r for r in done}
    results = []
    for seed in seeds:
        for variant in variants:
            if (variant, seed) in known:
                results.append(known[variant, seed])
                continue
            result = train_variant(
                variant, train, validation, epochs=epochs, batch_size=batch_size, seed=seed
            )
            results.append(_without_model(result))
            keras.backend.clear_session()
    return results


def _without_model(result: VariantResult) -> VariantResult:
    return VariantResult(
        result.downsampling, result.params, result.flatten_size, result.epoch_seconds,
        result.history, model=None, seed=result.seed,
        end_train_accuracy=result.end_train_accuracy,
    )


def by_variant(results: Sequence[VariantResult]) -> dict[str, list[VariantResult]]:
    """The runs of each variant, variants in the order of :data:`VARIANTS` (others after)."""
    grouped: dict[str, list[VariantResult]] = {}
    for r in results:
        grouped.setdefault(r.downsampling, []).append(r)
    order = [v for v in VARIANTS if v in grouped] + [v for v in grouped if v not in VARIANTS]
    return {v: grouped[v] for v in order}


def results_table(results: Sequence[VariantResult]) -> str:
    """The results as a fixed-width text table, one row per run (variant and seed)."""
    header = (f"{'downsampling':<13}{'seed':>5}{'params':>9}{'flatten':>9}{'s/epoch':>9}"
              f"{'train acc':>11}{'val acc':>9}{'gap':>8}")
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.downsampling:<13}{r.seed:>5}{r.params:>9,}{r.flatten_size:>9,}"
            f"{r.seconds_per_epoch:>9.1f}{r.train_accuracy:>11.2%}{r.val_accuracy:>9.2%}"
            f"{r.gap:>+8.2%}"
        )
    return "\n".join(lines)


def spread_table(results: Sequence[VariantResult]) -> str:
    """One row per variant: its runs' lowest and highest validation accuracy and gap (points),
    and the median seconds per epoch, over all the seeds it was trained with."""
    header = (f"{'downsampling':<13}{'seeds':>6}{'val acc, low-high':>20}"
              f"{'gap, low-high':>18}{'s/epoch':>9}")
    lines = [header, "-" * len(header)]
    for variant, runs in by_variant(results).items():
        val = [100 * r.val_accuracy for r in runs]
        gap = [100 * r.gap for r in runs]
        seconds = float(np.median([r.seconds_per_epoch for r in runs]))
        lines.append(
            f"{variant:<13}{len(runs):>6}{f'{min(val):.1f}-{max(val):.1f}%':>20}"
            f"{f'{min(gap):+.1f} to {max(gap):+.1f}':>18}{seconds:>9.1f}"
        )
    return "\n".join(lines)


def _spread(ax, rows: Sequence[tuple[str, list[float]]], title: str, label: str) -> None:
    """One row per variant: a dot per seed and a line from the lowest to the highest."""
    for position, (variant, values) in enumerate(rows):
        colour = variant_colour(variant)
        ax.plot([min(values), max(values)], [position, position], "-", color=colour,
                linewidth=2.5, alpha=0.5)
        ax.plot(values, [position] * len(values), "o", color=colour, markersize=6)
    ax.set_yticks(range(len(rows)), [variant for variant, _ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the first variant on top, as in the tables
    ax.set_xlabel(label)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


def plot_comparison(results: Sequence[VariantResult]) -> Figure:
    """Four panels over every run of every variant, each variant in its colour.

    Accuracy per epoch (the mean over the seeds: training dashed, validation solid, with the
    seeds' lowest-to-highest validation accuracy shaded), then one dot per seed for the final
    validation accuracy, the training-validation gap and the seconds per epoch (the range of
    the seeds drawn as a line behind the dots).
    """
    grouped = by_variant(results)
    seeds = sorted({r.seed for r in results})
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.4))
    curves, finals, gaps, times = axes.flat
    for variant, runs in grouped.items():
        index = VARIANTS.index(variant) if variant in VARIANTS else len(VARIANTS)
        train = np.array([r.history["accuracy"] for r in runs])
        val = np.array([r.history["val_accuracy"] for r in runs])
        epochs = np.arange(1, train.shape[1] + 1)
        curves.plot(epochs, train.mean(axis=0), **curve_style(index, "training"))
        curves.plot(epochs, val.mean(axis=0), label=variant, **curve_style(index, "validation"))
        curves.fill_between(epochs, val.min(axis=0), val.max(axis=0),
                            color=variant_colour(variant), alpha=0.15, linewidth=0)
    curves.set_xticks(epochs)
    curves.set_xlabel("epoch")
    curves.set_ylabel("accuracy")
    curves.set_title("training (dashed), validation (solid)", fontsize=10)
    curves.legend(fontsize=8, title="downsampling", title_fontsize=8)
    _spread(finals, [(v, [100 * r.val_accuracy for r in runs]) for v, runs in grouped.items()],
            "validation accuracy after the last epoch", "%")
    _spread(gaps, [(v, [100 * r.gap for r in runs]) for v, runs in grouped.items()],
            "training minus validation accuracy", "percentage points")
    gaps.axvline(0, color="black", linewidth=0.8)
    _spread(times, [(v, [r.seconds_per_epoch for r in runs]) for v, runs in grouped.items()],
            "time per epoch (this run's machine)", "seconds")
    times.set_xscale("log")
    times.set_xlim(0.5 * min(r.seconds_per_epoch for r in results),
                   2 * max(r.seconds_per_epoch for r in results))
    fig.suptitle(f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''} per variant "
                 f"({', '.join(map(str, seeds))}): one dot per seed", fontsize=10)
    fig.tight_layout()
    return fig


# -- exercises ---------------------------------------------------------------------------------

#: The checks of the chapter's exercises that need no data, by number.
EXERCISES: dict[int, Check] = {
    1: choice_check(
        "Exercise 1",
        ("max", "average", "every second"),
        "max",
        hint="Pool the 4x4 map three ways (pool_by_reshape, and fmap[::2, ::2]) and look at "
        "the top-left output pixel.",
        explanation="Max pooling keeps the response at full strength, 8, wherever it falls in "
        "its 2x2 window; average pooling keeps a quarter of it, 2; taking every second pixel "
        "misses it entirely, because (1, 1) is not on an even row and column.",
        mistakes={
            "average": "Average pooling keeps a trace of it, but diluted by the three zeros of "
            "its window: 8 / 4 = 2, a quarter of its strength.",
            "every second": "fmap[::2, ::2] keeps rows and columns 0 and 2 only; the response "
            "sits at (1, 1), which it never looks at.",
        },
    ),
    2: number_check(
        "Exercise 2",
        20 * 20 * 128,
        hint="MaxPooling2D(2, strides=1) has windows one pixel apart: it takes one row and "
        "one column off a map instead of halving it. Follow the size through all five layers.",
        explanation="28 -> conv1 26 -> pool1 25 -> conv2 23 -> pool2 22 -> conv3 20: Flatten "
        "passes 20 x 20 x 128 = 51,200 values, and the classifier needs (51,200 + 1) x 10 = "
        "512,010 weights, 44 times the 11,530 of the course's model.",
        mistakes=[
            (1_152, "That is the course's model, whose pooling moves by 2. With strides=1 the "
             "windows overlap and hardly downsample."),
            (22 * 22 * 128, "That is the model without any pooling: each pooling layer with "
             "stride 1 still takes one row and one column off."),
            (21 * 21 * 128, "Each convolution takes two rows off, each stride-1 pooling one: "
             "26, 25, 23, 22, 20."),
            (6 * 6 * 128, "That would be a 3x3 pool moving by 3 or a similar halving: here the "
             "2x2 windows move by one pixel."),
        ],
    ),
}


def _pooling_layers(model: keras.Model) -> list[str]:
    return [layer.name for layer in model.layers if "Pooling" in type(layer).__name__]


def _reads_digits_and_names_ten(model: keras.Model) -> bool:
    """Whether the model takes a batch of ``(28, 28, 1)`` digits and gives 10 numbers each
    (found by calling it, which works for functional and ``Sequential`` models alike)."""
    try:
        out = model(np.zeros((2, 28, 28, 1), dtype="float32"))
        return tuple(out.shape) == (2, 10)
    except Exception:  # noqa: BLE001 - any model at all must get a sentence
        return False


def _classifier_weights(model: keras.Model) -> int:
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    return int(dense[-1].count_params()) if dense else 0


def no_pooling_check(
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int = 2,
    threshold: float = 0.9,
    classifier_limit: int = 40_000,
    seed: int = 0,
    name: str = "Exercise 3",
) -> Check:
    """The check of the exercise that asks for a convnet which downsamples without pooling.

    The answer is a Keras model. It is right when it has no pooling layer, reads
    ``(28, 28, 1)`` digits and ends with 10 outputs, its classifier (the last ``Dense`` layer)
    has fewer than ``classifier_limit`` parameters, and, trained by the check itself
    (RMSprop, ``epochs`` epochs on ``train``, seed ``seed``) it reaches ``threshold``
    validation accuracy. The structural tests come first, so a model that fails them is
    never trained.
    """
    trained: dict[int, float] = {}

    def accuracy(model: keras.Model) -> float:
        if id(model) not in trained:
            try:
                keras.utils.set_random_seed(seed)
                compile_for_mnist(model)
                model.fit(*train, epochs=epochs, batch_size=64, verbose=0)
                trained[id(model)] = float(
                    model.evaluate(*validation, batch_size=256, verbose=0)[1]
                )
            except Exception:  # noqa: BLE001 - any model at all must get a sentence
                trained[id(model)] = float("nan")
        return trained[id(model)]

    def structure_ok(model: keras.Model) -> bool:
        return (not _pooling_layers(model) and _reads_digits_and_names_ten(model)
                and _classifier_weights(model) < classifier_limit)

    def is_right(model: keras.Model) -> bool:
        return structure_ok(model) and accuracy(model) >= threshold

    count = len(train[1])
    return Check(
        name=name,
        is_right=is_right,
        kind=lambda answer: isinstance(answer, keras.Model),
        kind_text="a Keras model (keras.Model or keras.Sequential)",
        hint=f"Your model fits the rules, but after {epochs} epochs on the {count:,} training "
        f"digits it stayed below {threshold:.0%} validation accuracy. Give its convolutions "
        "relu activations and end it with Dense(10, activation='softmax').",
        explanation=f"No pooling layer, a classifier of fewer than {classifier_limit:,} "
        f"weights, and at least {threshold:.0%} validation accuracy after {epochs} epochs: "
        "strided convolutions downsample too.",
        hints=(
            (lambda model: bool(_pooling_layers(model)),
             "Your model has a pooling layer. Downsample without one: give some Conv2D "
             "layers strides=2."),
            (lambda model: not _reads_digits_and_names_ten(model),
             "The model must read (28, 28, 1) digits and end with 10 outputs, one per digit: "
             "start from keras.Input(shape=(28, 28, 1)) and end with Dense(10, "
             "activation='softmax')."),
            (lambda model: _classifier_weights(model) >= classifier_limit,
             f"Its classifier has {classifier_limit:,} weights or more: the maps reaching "
             "Flatten are still too large. Downsample more, with strides=2 in more "
             "convolutions."),
            (lambda model: np.isnan(accuracy(model)),
             "Keras could not train this model on the digits: build it from keras.Input("
             "shape=(28, 28, 1)) and check that it runs on a batch first."),
        ),
    )
