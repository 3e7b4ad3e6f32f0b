"""Training the course's MNIST models: batches from NumPy arrays, a compact log, a comparison table.

- :class:`ShuffledBatches` feeds ``fit`` from NumPy arrays one batch at a time, in a new shuffled
  order every epoch, without copying the whole training set into TensorFlow;
- :func:`epoch_table` prints a training log, one line per epoch (with the seconds that
  :class:`convbook.models.EpochTimer` measured);
- :class:`RunSummary` and :func:`summary_table` compare trained models side by side;
- :func:`quick_fit` trains a fresh copy of a model on a small subset in seconds, for the
  exercises that change a model (or the data: :func:`scramble_pixels`) and retrain it, and
  :func:`plot_quick_runs` compares such runs; :data:`EXERCISES` holds the checks of those
  exercises.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convbook import silence_tensorflow
from convbook.exercises import Check, choice_check
from convbook.style import SERIES_COLOURS

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

from convbook.models import compile_for_mnist  # noqa: E402

__all__ = [
    "ShuffledBatches",
    "RunSummary",
    "summary_table",
    "epoch_table",
    "QuickRun",
    "quick_fit",
    "scramble_pixels",
    "plot_quick_runs",
    "EXERCISES",
]


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


# -- retraining on a small subset, for the exercises -------------------------------------------


@dataclass(frozen=True)
class QuickRun:
    """What :func:`quick_fit` measured: validation accuracy, parameters, seconds of training."""

    accuracy: float
    parameters: int
    seconds: float


def quick_fit(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    *,
    epochs: int = 2,
    seed: int = 0,
) -> QuickRun:
    """Train a fresh copy of ``model`` as the course trains, and measure it on ``validation``.

    The copy (``keras.models.clone_model``) has the same layers and new random weights drawn
    with ``seed``, so the result depends on the architecture alone, not on any training the
    model had before; the model itself is left as it was. RMSprop and cross-entropy
    (:func:`convbook.models.compile_for_mnist`), batches of 64 in a shuffled order seeded
    with ``seed``. On a few thousand digits this takes seconds.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    keras.utils.set_random_seed(seed)
    fresh = compile_for_mnist(keras.models.clone_model(model))
    started = time.perf_counter()
    fresh.fit(ShuffledBatches(*train, 64, seed=seed), epochs=epochs, verbose=0)
    seconds = time.perf_counter() - started
    _, accuracy = fresh.evaluate(*validation, batch_size=500, verbose=0)
    return QuickRun(float(accuracy), int(fresh.count_params()), seconds)


def scramble_pixels(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """The images with their pixels in another order: one fixed random order for every image.

    ``images`` is ``(n, height, width)`` or ``(n, height, width, 1)``; the result has the same
    shape, and the same pixel values in each image, moved about. The order is
    ``numpy.random.default_rng(seed).permutation``, so it is the same for the training and the
    validation images.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 1):
        raise ValueError(f"expected (n, height, width) or (n, height, width, 1), got "
                         f"{images.shape}")
    pixels = images.shape[1] * images.shape[2]
    order = np.random.default_rng(seed).permutation(pixels)
    return images.reshape(len(images), pixels)[:, order].reshape(images.shape)


def plot_quick_runs(
    runs: Mapping[str, QuickRun],
    *,
    series: Sequence[int] | None = None,
    title: str | None = None,
) -> Figure:
    """Validation accuracy of :func:`quick_fit` runs as horizontal bars, each labelled.

    Each bar is labelled with its accuracy and the model's parameter count. ``series`` gives
    each run's colour, an index into :data:`convbook.style.SERIES_COLOURS` (by default the
    runs take the colours in order), so two runs of one model can share a colour.
    """
    if not runs:
        raise ValueError("there are no runs to compare")
    names = list(runs)
    series = list(range(len(names))) if series is None else list(series)
    if len(series) != len(names):
        raise ValueError(f"{len(series)} series for {len(names)} runs")
    fig, ax = plt.subplots(figsize=(6.4, 0.5 * len(names) + 1.0))
    positions = np.arange(len(names))[::-1]
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in series]
    accuracies = [runs[name].accuracy for name in names]
    ax.barh(positions, accuracies, color=colours, height=0.6)
    for position, name in zip(positions, names):
        run = runs[name]
        ax.text(run.accuracy + 0.01, position,
                f"{run.accuracy:.1%}  ({run.parameters:,} parameters)",
                va="center", fontsize=8.5)
    ax.set_yticks(positions, names)
    ax.set_xlim(0, 1.3)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_xlabel("validation accuracy")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


#: The checks of the chapter's exercises that predict what retraining does, by number.
EXERCISES: dict[int, Check] = {
    3: choice_check(
        "Exercise 3",
        ("higher", "same", "lower"),
        "lower",
        hint="Think about what a kernel of one pixel can detect, and where the model could "
        "still combine neighbouring pixels.",
        explanation="A 1x1 kernel reads a single pixel: it can weigh the ink there but cannot "
        "see an edge, the direction of a stroke or a curve. Until the classifier, only the "
        "max pooling layers combine neighbouring pixels, and only by keeping the largest "
        "value of each 2x2 window, so no layer detects shapes, and the model ends many "
        "points lower.",
        mistakes={
            "same": "Its parameter count is not far from the course model's, but the count is "
            "not what matters here: what can a kernel that reads one pixel detect?",
            "higher": "Fewer weights per kernel do not make it learn faster here: what can a "
            "kernel that reads one pixel detect?",
        },
    ),
    4: choice_check(
        "Exercise 4",
        ("convnet", "dense network", "both", "neither"),
        "convnet",
        hint="Ask of each model: does it use which pixels are neighbours?",
        explanation="The dense network gives every pixel its own weights and never uses which "
        "pixels are neighbours: a fixed shuffle only reorders the weights its first layer has "
        "to learn, and it learns as well as before. The convnet's kernels read 3x3 "
        "neighbourhoods; after the shuffle, neighbours are unrelated pixels from all over the "
        "digit, there are no strokes left for them to find, and it loses many points.",
        mistakes={
            "dense network": "The dense network's first layer has a separate weight for "
            "every pixel, in whatever order the pixels come: what does the shuffle take "
            "from it? And which model reads pixels in 3x3 neighbourhoods?",
            "both": "One of the two never uses which pixels are neighbours: which one?",
            "neither": "One of the two relies on neighbouring pixels belonging together: "
            "which one reads 3x3 neighbourhoods?",
        },
    ),
}
