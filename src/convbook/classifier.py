"""The MNIST classifier chapter: train and time, read the results, look inside, classify your digit.

What the chapter ``05-mnist-convnet`` needs beyond the shared helpers:

- **Training**: :class:`ShuffledBatches` feeds ``fit`` from NumPy arrays without copying them
  into TensorFlow; :class:`EpochTimer`, a Keras callback, measures each epoch; and
  :func:`epoch_table` prints a compact training log, and :class:`RunSummary` /
  :func:`summary_table` compare two trained models side by side.
- **Results**: :func:`confusion_matrix` and :func:`most_confused` (which digits are mistaken for
  which), and the figures :func:`plot_learning_curves`, :func:`plot_confusion_matrix` and
  :func:`show_mistakes`.
- **Inside the model**: :func:`feature_layer_names`, :func:`layer_activations`,
  :func:`plot_kernels` and :func:`plot_feature_maps`; :class:`ActivationCache` computes, once,
  everything the :class:`ModelExplorer` widget shows, and :func:`plot_explorer_overview` is the
  widget's static counterpart for the HTML book.
- **Your own digit**: :func:`preprocess_digit` does to any picture of a digit what was done to the
  MNIST scans (crop to the ink, scale the longer side to 20 pixels, centre by mass in 28x28, ink
  bright on a black background, values in [0, 1]); :func:`parse_text_art` turns a digit drawn with
  ``#`` characters into pixels, and the :class:`DigitPad` widget classifies what you draw.
- **Variants**: :func:`convnet_variant` rebuilds a model with other ``Conv2D`` settings (for
  example ``padding="same"``), so exercises can count a variant's parameters without a second
  copy of the architecture.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convbook import silence_tensorflow
from convbook.models import EpochTimer  # re-exported: the chapter calls classifier.EpochTimer
from convbook.svg import grid_svg, side_by_side
from convbook.widgets import Explorer

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

__all__ = [
    "EpochTimer",
    "ShuffledBatches",
    "RunSummary",
    "epoch_table",
    "summary_table",
    "confusion_matrix",
    "most_confused",
    "plot_learning_curves",
    "plot_confusion_matrix",
    "show_mistakes",
    "feature_layer_names",
    "layer_activations",
    "plot_kernels",
    "plot_feature_maps",
    "ActivationCache",
    "DigitView",
    "probability_bars_svg",
    "feature_maps_svg",
    "ModelExplorer",
    "plot_explorer_overview",
    "MNIST_BOX",
    "MNIST_CENTRE",
    "PreprocessedDigit",
    "preprocess_digit",
    "plot_preprocessing",
    "parse_text_art",
    "DigitPad",
    "convnet_variant",
]

#: Colours of the two models in every figure of the chapter.
MODEL_COLOURS = ("#1f5fa8", "#e07b00", "#2a9d5c", "#8e44ad")


# -- training records ---------------------------------------------------------------------------
class ShuffledBatches(keras.utils.PyDataset):
    """Training batches cut from NumPy arrays on demand, in a new shuffled order every epoch.

    ``model.fit(x, y, batch_size=64)`` first copies all of ``x`` into TensorFlow (160 MB for
    50,000 MNIST digits as float32) and keeps the copy while it trains. Handing ``fit`` this
    object instead gives it one batch at a time from the arrays you already have, which keeps
    the notebook comfortably inside the 2 GB of a Binder machine. The order is shuffled with
    ``numpy.random.default_rng(seed)``, so two runs see the same batches.

    Args:
        x, y: inputs and labels, same length.
        batch_size: examples per batch (the last batch may be smaller).
        seed: seed of the shuffling.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int = 64, seed: int = 0) -> None:
        super().__init__()
        if len(x) != len(y):
            raise ValueError(f"{len(x)} inputs but {len(y)} labels")
        if len(x) == 0:
            raise ValueError("there is nothing to train on")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.x, self.y, self.batch_size = x, y, int(batch_size)
        self._rng = np.random.default_rng(seed)
        self.order = self._rng.permutation(len(x))

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} does not exist; there are {len(self)}")
        chosen = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return self.x[chosen], self.y[chosen]

    def on_epoch_end(self) -> None:
        self.order = self._rng.permutation(len(self.x))


@dataclass(frozen=True)
class RunSummary:
    """One model's line in the comparison table."""

    name: str
    parameters: int
    seconds_per_epoch: float
    test_accuracy: float
    errors: int


def summary_table(runs: Sequence[RunSummary]) -> str:
    """An HTML table comparing trained models: parameters, time per epoch, accuracy, errors."""
    if not runs:
        raise ValueError("there are no runs to compare")
    head = "".join(
        f'<th style="text-align:{align}">{title}</th>'
        for title, align in (
            ("model", "left"),
            ("parameters", "right"),
            ("seconds per epoch", "right"),
            ("test accuracy", "right"),
            ("test errors (of 10,000)", "right"),
        )
    )
    rows = "".join(
        "<tr>"
        f'<td style="text-align:left">{html.escape(run.name)}</td>'
        f'<td style="text-align:right">{run.parameters:,}</td>'
        f'<td style="text-align:right">{run.seconds_per_epoch:.1f}</td>'
        f'<td style="text-align:right">{run.test_accuracy:.2%}</td>'
        f'<td style="text-align:right">{run.errors:,}</td>'
        "</tr>"
        for run in runs
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def epoch_table(
    history: Mapping[str, Sequence[float]], seconds: Sequence[float] | None = None
) -> str:
    """A compact training log: one line per epoch with loss and accuracy, and seconds if given.

    Args:
        history: ``History.history`` of a ``fit`` with validation data.
        seconds: the seconds of each epoch, from an :class:`EpochTimer`.
    """
    columns = ["loss", "accuracy", "val_loss", "val_accuracy"]
    missing = [name for name in columns if name not in history]
    if missing:
        raise ValueError(f"the history has no {missing}: fit with validation_data")
    epochs = len(history["loss"])
    if seconds is not None and len(seconds) != epochs:
        raise ValueError(f"{len(seconds)} timings for {epochs} epochs")
    head = f"{'epoch':>5}" + "".join(f"{name:>13}" for name in columns)
    head += f"{'seconds':>9}" if seconds is not None else ""
    lines = [head]
    for epoch in range(epochs):
        line = f"{epoch + 1:>5}" + "".join(f"{history[name][epoch]:>13.4f}" for name in columns)
        line += f"{seconds[epoch]:>9.1f}" if seconds is not None else ""
        lines.append(line)
    return "\n".join(lines)


# -- results ------------------------------------------------------------------------------------
def confusion_matrix(
    labels: Sequence[int] | np.ndarray, predictions: Sequence[int] | np.ndarray, classes: int = 10
) -> np.ndarray:
    """Count how often each true class (row) was predicted as each class (column).

    Returns an ``int64`` array of shape ``(classes, classes)``: the diagonal holds the correct
    answers, every other cell a kind of mistake.
    """
    labels = np.asarray(labels).astype(np.int64).ravel()
    predictions = np.asarray(predictions).astype(np.int64).ravel()
    if labels.shape != predictions.shape:
        raise ValueError(f"{labels.size} labels but {predictions.size} predictions")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.size and (values.min() < 0 or values.max() >= classes):
            raise ValueError(f"{name} must lie between 0 and {classes - 1}")
    counts = np.bincount(labels * classes + predictions, minlength=classes * classes)
    return counts.reshape(classes, classes)


def most_confused(
    matrix: np.ndarray, top: int = 3, *, unordered: bool = False
) -> list[tuple[int, int, int]]:
    """The most frequent mistakes in a confusion matrix, as ``(true, predicted, count)``.

    With ``unordered=True`` the two directions of a pair are added up (4 read as 9 and 9 read as
    4) and each pair is reported once as ``(smaller digit, larger digit, count)``. Ties are broken
    by the digits, so the answer is deterministic; pairs never confused are left out.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {matrix.shape}")
    size = matrix.shape[0]
    if unordered:
        cells = [
            (int(matrix[a, b] + matrix[b, a]), a, b)
            for a in range(size)
            for b in range(a + 1, size)
        ]
    else:
        cells = [(int(matrix[a, b]), a, b) for a in range(size) for b in range(size) if a != b]
    cells.sort(key=lambda cell: (-cell[0], cell[1], cell[2]))
    return [(a, b, count) for count, a, b in cells[:top] if count > 0]


def plot_learning_curves(histories: Mapping[str, Mapping[str, Sequence[float]]]) -> Figure:
    """Loss and accuracy per epoch, training (solid) against validation (dashed), per model.

    Args:
        histories: model name -> ``History.history`` of a ``fit`` with validation data (keys
            ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``).
    """
    if not histories:
        raise ValueError("there are no training histories to plot")
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.3))
    for (name, history), colour in zip(histories.items(), MODEL_COLOURS):
        for ax, metric in zip(axes, ("loss", "accuracy")):
            missing = {metric, f"val_{metric}"} - set(history)
            if missing:
                raise ValueError(f"the history of {name!r} has no {sorted(missing)}")
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], "o-", color=colour, label=f"{name}, training")
            ax.plot(
                epochs, history[f"val_{metric}"], "s--", color=colour,
                label=f"{name}, validation",
            )
    for ax, metric in zip(axes, ("loss", "accuracy")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
    axes[0].set_title("loss (lower is better)")
    axes[1].set_title("accuracy (higher is better)")
    axes[1].legend(fontsize=7.5, loc="lower right")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(matrix: np.ndarray, title: str = "confusion matrix") -> Figure:
    """Draw a confusion matrix: the mistakes coloured, the correct answers on a grey diagonal.

    The diagonal (about a thousand a digit) would swamp the colour scale of the mistakes (a few
    each), so it is drawn grey and only the off-diagonal cells are coloured.
    """
    matrix = np.asarray(matrix)
    size = matrix.shape[0]
    errors = matrix.astype(float).copy()
    np.fill_diagonal(errors, np.nan)
    fig, ax = plt.subplots(figsize=(6.2, 5.2))
    cmap = plt.get_cmap("Reds").with_extremes(bad="#e8e8e8")
    high = max(float(np.nanmax(errors)), 1.0)
    shown = ax.imshow(errors, cmap=cmap, vmin=0, vmax=high)
    for row in range(size):
        for col in range(size):
            value = int(matrix[row, col])
            if row != col and value == 0:
                continue
            dark = row != col and value > 0.6 * high
            ax.text(
                col, row, str(value), ha="center", va="center", fontsize=7 if row == col else 8,
                color="white" if dark else ("#555555" if row == col else "black"),
            )
    ax.set_xticks(range(size))
    ax.set_yticks(range(size))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(title)
    fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04, label="test digits (mistakes only)")
    fig.tight_layout()
    return fig


def show_mistakes(
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    probabilities: np.ndarray,
    *,
    columns: int = 8,
    indices: Sequence[int] | np.ndarray | None = None,
) -> Figure:
    """A gallery of digits titled "true → answer" and the model's confidence in its answer.

    Args:
        images: ``(n, 28, 28)`` or ``(n, 28, 28, 1)`` pixels of the digits to show.
        labels: their true digits.
        probabilities: ``(n, 10)`` predicted probabilities; the answer is the most probable digit
            and the confidence its probability.
        columns: digits per row.
        indices: optional test-set indices, printed under each digit so a reader can find it.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    probabilities = np.asarray(probabilities)
    count = len(images)
    if count == 0:
        raise ValueError("there are no digits to show")
    if len(labels) != count or len(probabilities) != count:
        raise ValueError("images, labels and probabilities must have the same length")
    rows = -(-count // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * 0.85, rows * 1.3), squeeze=False
    )
    for position, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if position >= count:
            ax.set_axis_off()
            continue
        for spine in ax.spines.values():
            spine.set_visible(False)
        predicted = int(np.argmax(probabilities[position]))
        confidence = float(probabilities[position][predicted])
        ax.imshow(images[position], cmap="gray_r")
        wrong = predicted != int(labels[position])
        ax.set_title(
            f"{int(labels[position])} → {predicted}\n{confidence:.0%}",
            fontsize=8.5,
            color="#c0392b" if wrong else "black",
        )
        if indices is not None:
            ax.set_xlabel(f"#{int(indices[position])}", fontsize=7, color="#666666")
    fig.tight_layout()
    return fig


# -- inside the model ---------------------------------------------------------------------------
_FEATURE_LAYER_TYPES = (
    keras.layers.Conv2D,
    keras.layers.MaxPooling2D,
    keras.layers.AveragePooling2D,
)


def feature_layer_names(model: keras.Model) -> list[str]:
    """Names of the layers that output feature maps (convolutions and pooling), in order."""
    return [layer.name for layer in model.layers if isinstance(layer, _FEATURE_LAYER_TYPES)]


def _check_layers(model: keras.Model, names: Sequence[str]) -> None:
    known = feature_layer_names(model)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"{unknown} are not feature-map layers of {model.name!r}; choose from {known}"
        )


def layer_activations(
    model: keras.Model,
    images: np.ndarray,
    layer_names: Sequence[str] | None = None,
    *,
    batch_size: int = 256,
) -> dict[str, np.ndarray]:
    """Run ``images`` through ``model`` once and keep what the chosen layers output.

    Returns a dict of layer name -> ``(n, height, width, channels)`` float32 array, with an extra
    entry ``"probabilities"``: the model's ``(n, classes)`` output, from the same pass.
    """
    names = list(layer_names) if layer_names is not None else feature_layer_names(model)
    _check_layers(model, names)
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    probe = keras.Model(
        model.inputs, [model.get_layer(name).output for name in names] + [model.output]
    )
    outputs: list[list[np.ndarray]] = [[] for _ in range(len(names) + 1)]
    for start in range(0, len(images), batch_size):
        batch = probe.predict_on_batch(images[start : start + batch_size])
        for store, values in zip(outputs, batch):
            store.append(np.asarray(values))
    result = {name: np.concatenate(store) for name, store in zip(names, outputs)}
    result["probabilities"] = np.concatenate(outputs[-1])
    return result


def plot_kernels(kernels: np.ndarray, *, columns: int = 8, title: str | None = None) -> Figure:
    """Draw the 3x3 kernels of a first convolution layer, one small square each.

    ``kernels`` is a ``Conv2D`` kernel of shape ``(kh, kw, 1, filters)``. All kernels share one
    colour scale centred on zero: red weights reward ink, blue weights penalise it.
    """
    kernels = np.asarray(kernels)
    if kernels.ndim != 4 or kernels.shape[2] != 1:
        raise ValueError(
            f"expected a first-layer kernel of shape (kh, kw, 1, filters), got {kernels.shape}"
        )
    count = kernels.shape[-1]
    rows = -(-count // columns)
    limit = float(np.abs(kernels).max()) or 1.0
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.95, rows * 1.05), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= count:
            ax.set_axis_off()
            continue
        shown = ax.imshow(kernels[:, :, 0, index], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"{index}", fontsize=8)
    fig.colorbar(shown, ax=axes, fraction=0.02, pad=0.02, label="weight")
    if title:
        fig.suptitle(title)
    return fig


def plot_feature_maps(
    image: np.ndarray,
    maps: Mapping[str, np.ndarray],
    *,
    channels: int = 8,
    title: str | None = None,
) -> Figure:
    """One digit and its feature maps, a row per layer, the first ``channels`` of each layer.

    Args:
        image: the ``(28, 28)`` or ``(28, 28, 1)`` input.
        maps: layer name -> ``(height, width, depth)`` output for that one image, in layer order.
        channels: how many channels to show per layer.
        title: the figure's title.

    Each row shares one colour scale (0 to the row's largest value, over all its channels), so a
    channel that stays dark is one this digit hardly excites.
    """
    image = np.asarray(image)
    if image.ndim == 3:
        image = image[..., 0]
    rows = 1 + len(maps)
    fig, axes = plt.subplots(
        rows, channels + 1, figsize=(0.78 * (channels + 1) + 0.5, 0.85 * rows), squeeze=False,
        gridspec_kw={"width_ratios": [1.4] + [1] * channels},
    )
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    labels = [f"input\n{image.shape[0]}×{image.shape[1]}×1"]
    labels += [
        f"{name}\n{'×'.join(str(s) for s in values.shape)}" for name, values in maps.items()
    ]
    for row, label in enumerate(labels):
        axes[row, 0].set_axis_off()
        axes[row, 0].text(0.0, 0.5, label, va="center", ha="left", fontsize=9)
    axes[0, 1].imshow(image, cmap="gray_r")
    for ax in axes[0, 2:]:
        ax.set_axis_off()
    for row, values in enumerate(maps.values(), start=1):
        values = np.asarray(values, dtype=np.float32)
        high = float(values.max()) or 1.0
        for column in range(channels):
            ax = axes[row, column + 1]
            if column >= values.shape[-1]:
                ax.set_axis_off()
                continue
            ax.imshow(values[:, :, column], cmap="viridis", vmin=0, vmax=high)
            if row == 1:
                ax.set_title(f"ch {column}", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


@dataclass(frozen=True)
class DigitView:
    """What the explorer shows for one test digit.

    Attributes:
        test_index: the digit's index in the test set.
        image: its ``(28, 28)`` pixels in [0, 1].
        label: its true digit.
        probabilities: the model's ``(classes,)`` output.
        maps: layer name -> ``(height, width, depth)`` feature maps, in layer order.
    """

    test_index: int
    image: np.ndarray
    label: int
    probabilities: np.ndarray
    maps: dict[str, np.ndarray]


class _OnDemand:
    """Computes, and remembers, the views of test digits that were not precomputed."""

    def __init__(
        self, model: keras.Model, images: np.ndarray, labels: np.ndarray, names: list[str],
        limit: int,
    ) -> None:
        self.probe = keras.Model(
            model.inputs, [model.get_layer(name).output for name in names] + [model.output]
        )
        self.images, self.labels, self.names, self.limit = images, labels, names, limit
        self.views: OrderedDict[int, DigitView] = OrderedDict()

    def view(self, test_index: int) -> DigitView:
        if test_index in self.views:
            self.views.move_to_end(test_index)
            return self.views[test_index]
        image = np.asarray(self.images[test_index], dtype=np.float32).reshape(28, 28)
        outputs = self.probe.predict_on_batch(image[np.newaxis, :, :, np.newaxis])
        view = DigitView(
            test_index=test_index,
            image=image,
            label=int(self.labels[test_index]),
            probabilities=np.asarray(outputs[-1])[0].astype(np.float32),
            maps={
                name: np.asarray(values)[0].astype(np.float16)
                for name, values in zip(self.names, outputs)
            },
        )
        self.views[test_index] = view
        if len(self.views) > self.limit:
            self.views.popitem(last=False)
        return view


@dataclass(frozen=True)
class ActivationCache:
    """Everything the explorer shows about the test digits, computed ahead.

    Build it with :meth:`compute`: the chosen digits go through the model in one pass, and their
    feature maps are stored as ``float16`` (half the memory; they are only drawn), the
    probabilities as ``float32``. Any other test digit is computed the first time it is asked
    for (one forward pass, a few milliseconds) and remembered, unless the cache was built with
    ``on_demand=0``.

    Attributes:
        indices: the test-set index of each precomputed digit, sorted.
        images: their ``(n, 28, 28)`` pixels in [0, 1].
        labels: their true digits.
        probabilities: the model's ``(n, classes)`` output.
        maps: layer name -> ``(n, height, width, depth)`` feature maps, in layer order.
        size: how many digits the test set has.
    """

    indices: np.ndarray
    images: np.ndarray
    labels: np.ndarray
    probabilities: np.ndarray
    maps: dict[str, np.ndarray]
    size: int
    _on_demand: _OnDemand | None = field(default=None, repr=False, compare=False)

    @classmethod
    def compute(
        cls,
        model: keras.Model,
        images: np.ndarray,
        labels: Sequence[int] | np.ndarray,
        indices: Sequence[int] | np.ndarray,
        *,
        on_demand: int = 256,
    ) -> ActivationCache:
        """Run the digits ``images[indices]`` through ``model`` once and keep every layer's maps.

        Args:
            model: a trained (or untrained) convnet.
            images: the whole test set, ``(n, 28, 28)`` or ``(n, 28, 28, 1)`` in [0, 1].
            labels: the whole test set's labels.
            indices: which test digits to precompute (repeats are dropped, the order is
                sorted). The model's mistakes among them are what the explorer steps through.
            on_demand: how many other digits to remember once computed; 0 refuses them.
        """
        chosen = np.unique(np.asarray(indices, dtype=np.int64))
        if chosen.size == 0:
            raise ValueError("choose at least one digit to cache")
        if chosen[0] < 0 or chosen[-1] >= len(images):
            raise ValueError(f"indices must lie between 0 and {len(images) - 1}")
        if len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        pixels = np.asarray(images[chosen], dtype=np.float32)
        if pixels.ndim == 4:
            pixels = pixels[..., 0]
        names = feature_layer_names(model)
        outputs = layer_activations(model, pixels, names)
        probabilities = outputs.pop("probabilities").astype(np.float32)
        labels = np.asarray(labels)
        return cls(
            indices=chosen,
            images=pixels,
            labels=labels[chosen].astype(np.int64),
            probabilities=probabilities,
            maps={name: values.astype(np.float16) for name, values in outputs.items()},
            size=len(images),
            _on_demand=(
                _OnDemand(model, images, labels, names, on_demand) if on_demand > 0 else None
            ),
        )

    @property
    def predictions(self) -> np.ndarray:
        """The most probable digit for each precomputed digit."""
        return self.probabilities.argmax(axis=1)

    @property
    def mistakes(self) -> np.ndarray:
        """Test-set indices of the precomputed digits the model gets wrong, in order."""
        return self.indices[self.predictions != self.labels]

    @property
    def nbytes(self) -> int:
        """Memory held by the precomputed arrays, in bytes."""
        arrays = [self.indices, self.images, self.labels, self.probabilities, *self.maps.values()]
        return int(sum(array.nbytes for array in arrays))

    def position(self, test_index: int) -> int | None:
        """Where test digit ``test_index`` sits among the precomputed ones, or ``None``."""
        spot = int(np.searchsorted(self.indices, test_index))
        if spot < len(self.indices) and self.indices[spot] == test_index:
            return spot
        return None

    def view(self, test_index: int) -> DigitView:
        """The image, label, probabilities and feature maps of test digit ``test_index``.

        Raises:
            ValueError: there is no such test digit, or it was not precomputed and the cache
                computes no others.
        """
        test_index = int(test_index)
        if not 0 <= test_index < self.size:
            raise ValueError(
                f"there is no test digit {test_index}: the test set has {self.size:,} digits, "
                f"numbered 0 to {self.size - 1}"
            )
        spot = self.position(test_index)
        if spot is not None:
            return DigitView(
                test_index=test_index,
                image=self.images[spot],
                label=int(self.labels[spot]),
                probabilities=self.probabilities[spot],
                maps={name: values[spot] for name, values in self.maps.items()},
            )
        if self._on_demand is None:
            raise ValueError(
                f"test digit {test_index} is not in the explorer's cache, which holds "
                f"{self.describe()}; choose one of those"
            )
        return self._on_demand.view(test_index)

    def describe(self) -> str:
        """Which test digits were precomputed, in a few words."""
        indices = self.indices
        run = 0
        while run < len(indices) and indices[run] == run:
            run += 1
        if run == len(indices):
            return f"test digits 0 to {run - 1}" if run > 1 else "test digit 0"
        others = indices[run:]
        if run > 1 and np.isin(others, self.mistakes).all():
            return (
                f"test digits 0 to {run - 1} and the {len(others)} digits after them that the "
                "model gets wrong"
            )
        listed = ", ".join(str(i) for i in others[:5]) + (", ..." if len(others) > 5 else "")
        start = f"test digits 0 to {run - 1} and " if run > 1 else ""
        return f"{start}{len(others)} other digits ({listed})"


def probability_bars_svg(
    probabilities: Sequence[float] | np.ndarray,
    *,
    true_label: int | None = None,
    label: str = "predicted probability of each digit",
) -> str:
    """The predicted probabilities as an SVG bar chart, one bar per digit.

    The model's answer is dark blue when right (or when the truth is unknown) and red when wrong;
    the true digit is underlined and bold.
    """
    probabilities = np.asarray(probabilities, dtype=float).ravel()
    if probabilities.size == 0 or not np.all(np.isfinite(probabilities)):
        raise ValueError("probabilities must be a non-empty list of finite numbers")
    predicted = int(probabilities.argmax())
    step, bar, top, height = 22, 16, 16, 80
    width = 8 + step * probabilities.size
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(label)}" '
        f'width="{width}" height="{top + height + 18}">',
        f"<title>{html.escape(label)}</title>",
        f'<line x1="2" y1="{top + height}" x2="{width - 2}" y2="{top + height}" '
        'stroke="#888888" stroke-width="1"/>',
    ]
    for digit, probability in enumerate(probabilities):
        x = 6 + digit * step
        size = max(0.0, min(1.0, float(probability))) * height
        if digit == predicted:
            colour = "#1f5fa8" if true_label in (None, predicted) else "#c0392b"
        else:
            colour = "#a9bcd6"
        parts.append(
            f'<rect x="{x}" y="{top + height - size:.1f}" width="{bar}" height="{size:.1f}" '
            f'fill="{colour}"/>'
        )
        if digit == predicted:
            parts.append(
                f'<text x="{x + bar / 2}" y="{top - 4}" font-size="10" text-anchor="middle" '
                f'font-family="sans-serif">{probability:.0%}</text>'
            )
        style = ' font-weight="bold" text-decoration="underline"' if digit == true_label else ""
        parts.append(
            f'<text x="{x + bar / 2}" y="{top + height + 13}" font-size="11" '
            f'text-anchor="middle" font-family="sans-serif"{style}>{digit}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def feature_maps_svg(
    maps: np.ndarray,
    *,
    label: str,
    channels: Sequence[int] | None = None,
    cell: int = 3,
    vmax: float | None = None,
    cmap: str = "viridis",
    columns: int = 8,
    levels: int = 64,
) -> str:
    """Draw several feature maps of one layer as a single compact SVG, one small grid per channel.

    :func:`convbook.svg.grid_svg` writes one ``<rect>`` per pixel, about 4 ms and 40 kB for a
    26x26 map: too slow and too heavy for sixteen maps at once. Here the values are rounded to
    ``levels`` colours, neighbouring pixels of one colour in a row are merged, and each colour
    becomes one ``<path>``; the darkest colour is each map's background rectangle. Sixteen 26x26
    maps then take a few milliseconds and tens of kilobytes.

    Args:
        maps: ``(height, width, k)`` maps to draw, side by side in rows of ``columns``.
        label: what the picture shows, for screen readers.
        channels: the channel number printed under each map (default ``0 .. k-1``).
        cell: pixels per map cell.
        vmax: the value drawn in the brightest colour (default: the largest value); 0 and
            anything below is the darkest.
        cmap: matplotlib colour map name.
        columns: maps per row.
        levels: how many colours the values are rounded to.
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3 or 0 in maps.shape:
        raise ValueError(f"expected maps of shape (height, width, k), got {maps.shape}")
    height, width, count = maps.shape
    numbers = list(range(count)) if channels is None else [int(c) for c in channels]
    if len(numbers) != count:
        raise ValueError(f"{count} maps but {len(numbers)} channel numbers")
    if not np.all(np.isfinite(maps)):
        raise ValueError("feature maps must hold finite numbers")
    high = float(maps.max()) if vmax is None else float(vmax)
    high = high if high > 0 else 1.0
    colours = _colour_table(cmap, levels)
    quantised = np.clip(np.rint(maps / high * (levels - 1)), 0, levels - 1).astype(np.int64)
    quantised = np.moveaxis(quantised, -1, 0)  # (k, height, width)
    gap, caption = 8, 13
    per_row = max(1, min(columns, count))
    rows = -(-count // per_row)
    box_w, box_h = width * cell + gap, height * cell + caption + gap
    map_x = (np.arange(count) % per_row) * box_w
    map_y = (np.arange(count) // per_row) * box_h
    # horizontal runs of one colour: where a row starts or its level changes
    starts = np.ones(quantised.shape, dtype=bool)
    starts[..., 1:] = quantised[..., 1:] != quantised[..., :-1]
    which, row, col = np.nonzero(starts)
    line = which * height + row
    following = np.append(col[1:], width)
    same_line = np.append(line[1:] == line[:-1], False)
    length = np.where(same_line, following, width) - col
    level = quantised[which, row, col]
    lit = level > 0
    which, row, col, length, level = which[lit], row[lit], col[lit], length[lit], level[lit]
    xs = map_x[which] + col * cell
    ys = map_y[which] + row * cell
    order = np.argsort(level, kind="stable")
    xs, ys, length, level = xs[order], ys[order], length[order] * cell, level[order]
    total_w = per_row * box_w - gap
    total_h = rows * box_h - gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(label)}" '
        f'width="{total_w}" height="{total_h}" viewBox="0 0 {total_w} {total_h}" '
        'style="max-width:100%;height:auto">',
        f"<title>{html.escape(label)}</title>",
    ]
    parts += [
        f'<rect x="{x}" y="{y}" width="{width * cell}" height="{height * cell}" '
        f'fill="{colours[0]}"/>'
        for x, y in zip(map_x.tolist(), map_y.tolist())
    ]
    bounds = np.flatnonzero(np.diff(level)) + 1
    for group in np.split(np.arange(len(level)), bounds):
        if group.size == 0:
            continue
        path = "".join(
            f"M{x} {y}h{w}v{cell}h-{w}z"
            for x, y, w in zip(xs[group].tolist(), ys[group].tolist(), length[group].tolist())
        )
        parts.append(f'<path d="{path}" fill="{colours[int(level[group[0]])]}"/>')
    parts += [
        f'<text x="{x + width * cell / 2:.1f}" y="{y + height * cell + caption - 2}" '
        f'font-size="10" text-anchor="middle" font-family="sans-serif">ch {number}</text>'
        for x, y, number in zip(map_x.tolist(), map_y.tolist(), numbers)
    ]
    parts.append("</svg>")
    return "".join(parts)


_COLOUR_TABLES: dict[tuple[str, int], list[str]] = {}


def _colour_table(cmap: str, levels: int) -> list[str]:
    """``levels`` hex colours evenly spread over a matplotlib colour map (computed once)."""
    key = (cmap, levels)
    if key not in _COLOUR_TABLES:
        import matplotlib

        rgb = np.round(matplotlib.colormaps[cmap](np.linspace(0, 1, levels))[:, :3] * 255)
        _COLOUR_TABLES[key] = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.astype(int)]
    return _COLOUR_TABLES[key]


#: Pixels across one feature map in the explorer, whatever the layer's map size.
_MAP_PIXELS = 60


class ModelExplorer(Explorer):
    """Pick a test digit (or step through the mistakes), a layer and channels; see the maps.

    Everything shown comes from an :class:`ActivationCache`, so a change of setting only draws
    SVG. The one exception is a test digit the cache did not precompute: the first time it is
    chosen, the cache runs it through the model once (a few milliseconds) and remembers it.

    Args:
        cache: the precomputed digits, maps and probabilities.
        layer: the layer shown first.
        channels: the first and last channel shown first (inclusive).
        max_channels: the most channels drawn at once (more would make a heavy picture).
    """

    def __init__(
        self,
        cache: ActivationCache,
        *,
        layer: str | None = None,
        channels: tuple[int, int] = (0, 7),
        max_channels: int = 16,
    ) -> None:
        self.cache = cache
        self.max_channels = max_channels
        layers = list(cache.maps)
        if not layers:
            raise ValueError("the cache holds no feature maps")
        deepest = max(values.shape[-1] for values in cache.maps.values())
        self.show = widgets.ToggleButtons(
            options=[("test digit", "digit"), ("mistakes", "mistakes")],
            value="digit",
            description="show",
            style={"button_width": "90px"},
        )
        self.index = widgets.BoundedIntText(
            value=int(cache.indices[0]), min=0, max=cache.size - 1,
            description="test digit", layout=widgets.Layout(width="190px"),
        )
        self.mistake = widgets.IntSlider(
            value=0, min=0, max=max(len(cache.mistakes) - 1, 0), description="mistake no.",
        )
        self.layer = widgets.Dropdown(
            options=layers, value=layer or layers[0], description="layer",
            layout=widgets.Layout(width="190px"),
        )
        self.channels = widgets.IntRangeSlider(
            value=channels, min=0, max=deepest - 1, description="channels",
            layout=widgets.Layout(width="420px"),
        )
        self.picture = widgets.HTML()
        leaves = [self.show, self.index, self.mistake, self.layer, self.channels]
        rows = [
            self.show,
            widgets.HBox([self.index, self.mistake]),
            widgets.HBox([self.layer, self.channels]),
        ]
        super().__init__(rows, self.picture)
        for leaf in leaves[1:]:  # the base class observes only the top-level controls
            leaf.observe(self._on_change, names="value")
        self.refresh()

    def settings(self) -> dict[str, Any]:
        chosen = (
            {"digit": self.index.value}
            if self.show.value == "digit"
            else {"mistake": self.mistake.value}
        )
        return {**chosen, "layer": self.layer.value, "channels": tuple(self.channels.value)}

    def current_digit(self) -> int:
        """The test-set index of the digit the settings point at."""
        if self.show.value == "mistakes":
            mistakes = self.cache.mistakes
            if len(mistakes) == 0:
                raise ValueError(
                    "the model gets every cached digit right, so there are no mistakes to step "
                    "through: choose 'test digit'"
                )
            if not 0 <= self.mistake.value < len(mistakes):
                raise ValueError(
                    f"there are {len(mistakes)} mistakes, numbered 0 to {len(mistakes) - 1}"
                )
            return int(mistakes[self.mistake.value])
        return int(self.index.value)

    def update(self) -> None:
        self.index.disabled = self.show.value != "digit"
        self.mistake.disabled = self.show.value != "mistakes"
        test_index = self.current_digit()
        digit = self.cache.view(test_index)
        layer = self.layer.value
        maps = digit.maps[layer]
        height, width, depth = maps.shape
        first, last = self.channels.value
        if last >= depth:
            raise ValueError(
                f"{layer} has {depth} channels, numbered 0 to {depth - 1}: "
                f"choose channels up to {depth - 1}"
            )
        if last - first + 1 > self.max_channels:
            raise ValueError(
                f"that is {last - first + 1} channels; the explorer draws at most "
                f"{self.max_channels} at a time, so narrow the range"
            )
        label = digit.label
        probabilities = digit.probabilities
        predicted = int(probabilities.argmax())
        verdict = "right" if predicted == label else "wrong"
        digit_svg = grid_svg(
            digit.image, label=f"test digit {test_index}, a {label}", cell=4,
            vmin=0.0, vmax=1.0, gridlines=False,
        )
        bars = probability_bars_svg(
            probabilities, true_label=label,
            label=f"predicted probabilities; the model says {predicted}",
        )
        high = float(np.max(maps)) or 1.0
        cell = max(2, round(_MAP_PIXELS / max(height, width)))
        maps_svg = feature_maps_svg(
            maps[:, :, first : last + 1],
            label=f"{layer} channels {first} to {last} of test digit {test_index}",
            channels=range(first, last + 1), cell=cell, vmax=high,
        )
        caption = (
            f'<p style="margin:0.3em 0;font-size:0.9em"><b>{html.escape(layer)}</b> outputs '
            f"{height}×{width}×{depth} feature maps; channels {first} to {last} of this digit, "
            f"one colour scale from 0 (dark) to {high:.2f} (yellow) for the whole layer.</p>"
        )
        self.picture.value = (
            side_by_side(
                [
                    (f"test digit {test_index}: a {label}", digit_svg),
                    (f"the model says {predicted} ({probabilities[predicted]:.0%}): {verdict}",
                     bars),
                ]
            )
            + caption
            + maps_svg
        )


def plot_explorer_overview(
    cache: ActivationCache, test_indices: Sequence[int], *, title: str | None = None
) -> Figure:
    """The explorer's static counterpart: a row per digit, a column per layer, then the answer.

    Each layer's column shows the channel with the strongest single response to this digit (the
    largest value anywhere in its map), so the row reads as the digit's journey from pixels to
    probabilities.
    """
    if len(test_indices) == 0:
        raise ValueError("choose at least one digit")
    layers = list(cache.maps)
    columns = len(layers) + 2
    fig, axes = plt.subplots(
        len(test_indices), columns, figsize=(0.95 * columns + 1.0, 1.25 * len(test_indices)),
        squeeze=False, gridspec_kw={"width_ratios": [1] * (columns - 1) + [2]},
    )
    headers = ["input"] + [
        f"{layer}\n{cache.maps[layer].shape[1]}×{cache.maps[layer].shape[2]}" for layer in layers
    ]
    for column, header in enumerate(headers):
        axes[0, column].set_title(header, fontsize=8)
    for row, test_index in enumerate(test_indices):
        digit = cache.view(int(test_index))
        label = digit.label
        axes[row, 0].imshow(digit.image, cmap="gray_r")
        axes[row, 0].set_xlabel(f"#{int(test_index)}: a {label}", fontsize=8)
        for column, layer in enumerate(layers, start=1):
            maps = digit.maps[layer].astype(np.float32)
            channel = int(maps.max(axis=(0, 1)).argmax())
            axes[row, column].imshow(maps[:, :, channel], cmap="viridis", vmin=0)
            axes[row, column].set_xlabel(f"ch {channel}", fontsize=7.5)
        probabilities = digit.probabilities
        predicted = int(probabilities.argmax())
        colours = ["#a9bcd6"] * len(probabilities)
        colours[predicted] = "#1f5fa8" if predicted == label else "#c0392b"
        bars = axes[row, -1]
        bars.bar(range(len(probabilities)), probabilities, color=colours)
        bars.set_ylim(0, 1)
        bars.set_xticks(range(len(probabilities)))
        bars.tick_params(labelsize=7, length=2)
        bars.set_yticks([])
        bars.set_xlabel(f"says {predicted} ({probabilities[predicted]:.0%})", fontsize=8)
        for ax in axes[row, :-1]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, -1].set_title("probabilities", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# -- your own digit ----------------------------------------------------------------------------
#: MNIST's digits fit a 20x20 box (the longer side is 20 pixels) ...
MNIST_BOX = 20
#: ... and are shifted so that their centre of mass is at row 14, column 14 of the 28x28 image.
MNIST_CENTRE = (14.0, 14.0)
_MNIST_SIZE = 28


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
        raise ValueError("the picture is blank (every pixel has the same value): there is no digit")
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
    return _area_weights(pixels.shape[0], rows) @ pixels @ _area_weights(pixels.shape[1], columns).T


def _centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    total = pixels.sum()
    rows = (pixels.sum(axis=1) * np.arange(pixels.shape[0])).sum() / total
    columns = (pixels.sum(axis=0) * np.arange(pixels.shape[1])).sum() / total
    return float(rows), float(columns)


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
    top = int(round(MNIST_CENTRE[0] - centre_row))
    left = int(round(MNIST_CENTRE[1] - centre_col))
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
    result: PreprocessedDigit, probabilities: np.ndarray | None = None
) -> Figure:
    """Draw the preprocessing steps side by side, and the model's answer if given."""
    steps = result.steps()
    columns = len(steps) + (probabilities is not None)
    fig, axes = plt.subplots(1, columns, figsize=(1.15 * columns, 1.75), squeeze=False)
    for ax, (title, pixels) in zip(axes[0], steps):
        ax.imshow(pixels, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    if probabilities is not None:
        probabilities = np.asarray(probabilities).ravel()
        predicted = int(probabilities.argmax())
        colours = ["#a9bcd6"] * len(probabilities)
        colours[predicted] = "#1f5fa8"
        ax = axes[0, -1]
        ax.bar(range(len(probabilities)), probabilities, color=colours)
        ax.set_ylim(0, 1)
        ax.set_xticks(range(len(probabilities)))
        ax.tick_params(labelsize=6, length=2)
        ax.set_yticks([])
        ax.set_title(f"says {predicted}\n({probabilities[predicted]:.0%})", fontsize=8)
    fig.tight_layout()
    return fig


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


#: Uploaded pictures are shrunk to at most this many pixels on their longer side.
UPLOAD_SIZE = 512
#: The pad draws your digit at most this many cells across.
_PAD_CELLS = 48


def _read_image_file(content: bytes) -> np.ndarray:
    """Decode an uploaded image file (PNG, JPEG, ...) into an RGBA array of at most 512 px."""
    from PIL import Image, UnidentifiedImageError  # Pillow comes with matplotlib.

    try:
        with Image.open(io.BytesIO(content)) as picture:
            rgba = picture.convert("RGBA")
            rgba.thumbnail((UPLOAD_SIZE, UPLOAD_SIZE))  # keeps the proportions
            return np.asarray(rgba)
    except (UnidentifiedImageError, OSError, ValueError) as problem:
        raise ValueError(f"that file could not be read as an image ({problem})") from None


def _predict(model: keras.Model, digit: np.ndarray) -> np.ndarray:
    batch = np.asarray(digit, dtype=np.float32)[np.newaxis, :, :, np.newaxis]
    return np.asarray(model.predict_on_batch(batch))[0]


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


class DigitPad(Explorer):
    """Draw a digit with characters (or upload a picture) and see how the model classifies it.

    The drawing goes through :func:`preprocess_digit` and then the model; the pad shows the
    drawing, what the model receives, and its probabilities.

    Args:
        model: a trained MNIST classifier taking ``(n, 28, 28, 1)`` images.
        drawing: the text-art digit shown first.
    """

    def __init__(self, model: keras.Model, drawing: str = DEFAULT_DRAWING) -> None:
        self.model = model
        self.source = widgets.ToggleButtons(
            options=[("drawing", "drawing"), ("image file", "file")],
            value="drawing",
            description="classify",
            style={"button_width": "90px"},
        )
        self.drawing = widgets.Textarea(
            value=drawing,
            rows=16,
            continuous_update=False,
            description="drawing",
            layout=widgets.Layout(width="260px"),
        )
        self.drawing.add_class("convbook-digit-pad")
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="image")
        self.picture = widgets.HTML()
        style = widgets.HTML(
            "<style>.convbook-digit-pad textarea{font-family:monospace;line-height:1.15}</style>"
        )
        hint = widgets.HTML(
            '<p style="font-size:0.9em;margin:0.2em 0">Draw with <code>#</code> (ink), '
            "<code>+</code> (light ink) and <code>.</code> (paper), then click outside the box; "
            "or upload a picture of one digit.</p>"
        )
        super().__init__(
            [self.source, hint, widgets.HBox([self.drawing, self.upload]), style], self.picture
        )
        for leaf in (self.drawing, self.upload):
            leaf.observe(self._on_change, names="value")
        self.upload.observe(self._use_the_upload, names="value")
        self.refresh()

    def _use_the_upload(self, change: dict) -> None:
        if change["new"]:
            self.source.value = "file"

    def settings(self) -> dict[str, Any]:
        if self.source.value == "file":
            files = self.upload.value
            return {"source": "file", "file": files[0]["name"] if files else None}
        lines = [line for line in self.drawing.value.splitlines() if line.strip()]
        width = max((len(line) for line in lines), default=0)
        return {"source": "drawing", "size": f"{len(lines)}x{width}"}

    def current_picture(self) -> np.ndarray:
        """The picture the settings point at: the parsed drawing or the uploaded image."""
        if self.source.value == "file":
            if not self.upload.value:
                raise ValueError("upload a picture of a digit first (PNG or JPEG)")
            return _read_image_file(bytes(self.upload.value[0]["content"]))
        return 1.0 - parse_text_art(self.drawing.value)  # dark ink on white paper

    def classify(self) -> tuple[PreprocessedDigit, np.ndarray]:
        """Preprocess the current picture and return it with the model's probabilities."""
        result = preprocess_digit(self.current_picture())
        return result, _predict(self.model, result.digit)

    def update(self) -> None:
        result, probabilities = self.classify()
        predicted = int(probabilities.argmax())
        shown = 1.0 - result.grey  # drawn as it looks: dark where the picture is dark
        longer = max(shown.shape)
        if longer > _PAD_CELLS:  # a photo: draw it smaller, not one cell per pixel
            rows = max(1, round(shown.shape[0] * _PAD_CELLS / longer))
            cols = max(1, round(shown.shape[1] * _PAD_CELLS / longer))
            shown = _resize(shown, rows, cols)
        raw_cell = max(3, min(12, round(160 / max(shown.shape))))
        bars_label = f"predicted probabilities; the model says {predicted}"
        self.picture.value = side_by_side(
            [
                (
                    "your digit",
                    grid_svg(shown, label="your digit as drawn", cell=raw_cell, vmin=0.0,
                             vmax=1.0, gridlines=raw_cell >= 6),
                ),
                (
                    "what the model sees (28×28)",
                    grid_svg(result.digit, label="your digit preprocessed like MNIST", cell=5,
                             vmin=0.0, vmax=1.0, gridlines=False),
                ),
                (
                    f"the model says {predicted} ({probabilities[predicted]:.0%})",
                    probability_bars_svg(probabilities, label=bars_label),
                ),
            ]
        )


# -- variants -----------------------------------------------------------------------------------
def convnet_variant(
    model: keras.Model, name: str | None = None, **conv_settings: Any
) -> keras.Model:
    """A fresh, untrained copy of ``model`` with other settings for every ``Conv2D`` layer.

    For example ``convnet_variant(build_convnet(), padding="same")`` or ``kernel_size=5``. Layer
    names are kept; the new model's shapes and parameter counts follow from the new settings.

    Raises:
        ValueError: a setting ``Conv2D`` does not have, or settings that make a layer impossible
            (such as a kernel larger than its input).
    """
    if not conv_settings:
        raise ValueError("give at least one Conv2D setting to change, such as padding='same'")
    known = set(keras.layers.Conv2D(1, 1).get_config())
    unknown = sorted(set(conv_settings) - known)
    if unknown:
        raise ValueError(f"Conv2D has no setting(s) {unknown}")

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if isinstance(layer, keras.layers.Conv2D):
            config = {**config, **conv_settings}
        return type(layer).from_config(config)

    try:
        variant = keras.models.clone_model(model, clone_function=clone)
    except ValueError as problem:
        raise ValueError(f"these settings do not fit the model: {problem}") from None
    return keras.Model(variant.inputs, variant.outputs, name=name or f"{model.name}_variant")
