"""Training the course's MNIST models: batches from NumPy arrays, a compact log, a comparison table.

- :class:`ShuffledBatches` feeds ``fit`` from NumPy arrays one batch at a time, in a new shuffled
  order every epoch, without copying the whole training set into TensorFlow;
- :func:`epoch_table` prints a training log, one line per epoch (with the seconds that
  :class:`convbook.models.EpochTimer` measured);
- :class:`RunSummary` and :func:`summary_table` compare trained models side by side.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from convbook import silence_tensorflow

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.

__all__ = ["ShuffledBatches", "RunSummary", "summary_table", "epoch_table"]


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
