"""Reading a trained classifier's results: which digits it confuses, and the figures that show it.

- :func:`confusion_matrix` and :func:`most_confused` count the mistakes by true and predicted
  digit;
- :func:`plot_learning_curves`, :func:`plot_confusion_matrix` and :func:`show_mistakes` draw the
  training curves, the confusion matrix and a gallery of misread digits, in the book's visual
  language (:mod:`convbook.style`);
- :func:`misread_digit_check` checks the chapter's exercise on reading the confusion matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convbook.exercises import Check
from convbook.style import INK_CMAP, SERIES_COLOURS, curve_style

__all__ = [
    "MODEL_COLOURS",
    "RIGHT_COLOUR",
    "WRONG_COLOUR",
    "confusion_matrix",
    "most_confused",
    "plot_learning_curves",
    "plot_confusion_matrix",
    "show_mistakes",
    "misread_digit_check",
]

#: Colours of the models, in order, in every figure of the chapter: the book's series colours.
MODEL_COLOURS = SERIES_COLOURS
#: A right answer: the book's first series colour, blue ...
RIGHT_COLOUR = SERIES_COLOURS[0]
#: ... and a wrong one: its red.
WRONG_COLOUR = SERIES_COLOURS[4]


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
    4) and each pair is reported once as ``(smaller digit, larger digit, count)``.

    The ``top`` most frequent come first, **and every further mistake as frequent as the last of
    them**: a cut-off never hides a tie, so there may be more than ``top``. Equal counts are
    ordered by the digits, so the answer is deterministic; mistakes never made are left out.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {matrix.shape}")
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    size = matrix.shape[0]
    if unordered:
        cells = [
            (int(matrix[a, b] + matrix[b, a]), a, b)
            for a in range(size)
            for b in range(a + 1, size)
        ]
    else:
        cells = [(int(matrix[a, b]), a, b) for a in range(size) for b in range(size) if a != b]
    cells = [cell for cell in cells if cell[0] > 0]
    cells.sort(key=lambda cell: (-cell[0], cell[1], cell[2]))
    if len(cells) > top:
        cut_off = cells[top - 1][0]
        cells = [cell for cell in cells if cell[0] >= cut_off]
    return [(a, b, count) for count, a, b in cells]


def plot_learning_curves(histories: Mapping[str, Mapping[str, Sequence[float]]]) -> Figure:
    """Loss and accuracy per epoch, a colour per model, in the book's style for curves.

    Training curves are dashed with hollow markers, validation curves solid with filled markers
    (:func:`convbook.style.curve_style`); the models take the series colours in order.

    Args:
        histories: model name -> ``History.history`` of a ``fit`` with validation data (keys
            ``loss``, ``val_loss``, ``accuracy``, ``val_accuracy``).
    """
    if not histories:
        raise ValueError("there are no training histories to plot")
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.3))
    for series, (name, history) in enumerate(histories.items()):
        for ax, metric in zip(axes, ("loss", "accuracy")):
            missing = {metric, f"val_{metric}"} - set(history)
            if missing:
                raise ValueError(f"the history of {name!r} has no {sorted(missing)}")
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], label=f"{name}, training",
                    **curve_style(series, "training"))
            ax.plot(epochs, history[f"val_{metric}"], label=f"{name}, validation",
                    **curve_style(series, "validation"))
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
    captions: Sequence[str] | None = None,
) -> Figure:
    """A gallery of digits titled "true → answer" and the model's confidence in its answer.

    Each digit is drawn as the model sees it, on a fixed scale: 0 white paper, the largest
    possible value (1, or 255 for bytes) black ink.

    Args:
        images: ``(n, 28, 28)`` or ``(n, 28, 28, 1)`` pixels of the digits to show.
        labels: their true digits.
        probabilities: ``(n, 10)`` predicted probabilities; the answer is the most probable digit
            and the confidence its probability.
        columns: digits per row.
        indices: optional test-set indices, printed under each digit so a reader can find it.
        captions: optional text under each digit instead (such as "moved"), one per digit.
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
    if captions is not None and len(captions) != count:
        raise ValueError(f"{len(captions)} captions for {count} digits")
    top = 1.0 if float(images.max()) <= 1.0 else 255.0  # pixels in [0, 1] or 0-255
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
        ax.imshow(images[position], cmap=INK_CMAP, vmin=0, vmax=top)
        wrong = predicted != int(labels[position])
        ax.set_title(
            f"{int(labels[position])} → {predicted}\n{confidence:.0%}",
            fontsize=8.5,
            color=WRONG_COLOUR if wrong else "black",
        )
        if captions is not None:
            ax.set_xlabel(captions[position], fontsize=7.5, color="#555555")
        elif indices is not None:
            ax.set_xlabel(f"#{int(indices[position])}", fontsize=7, color="#666666")
    fig.tight_layout()
    return fig


# -- exercises ---------------------------------------------------------------------------------


def _digit(answer: object) -> int | None:
    """The answer as a whole number from 0 to 9, or ``None`` for anything else."""
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        return None
    return int(answer) if 0 <= int(answer) <= 9 else None


def misread_digit_check(matrix: np.ndarray, name: str = "Exercise 1") -> Check:
    """The check of the exercise "which true digit does the model misread most often?".

    The answer is a digit: a row of the confusion ``matrix`` (rows are the true digits) whose
    mistakes, the cells off the diagonal, add up to the largest count. Every digit with that
    count is right, so a tie has several right answers. A wrong answer gets a hint about what
    it is: the digit the model *answers* most often when it is wrong (a column sum, not a row
    sum), the digit with the most correct answers (the diagonal), or another row.
    """
    matrix = np.asarray(matrix)
    if matrix.shape != (10, 10):
        raise ValueError(f"expected the 10x10 confusion matrix of the digits, got {matrix.shape}")
    errors = matrix.astype(np.int64).copy()
    np.fill_diagonal(errors, 0)
    misread = errors.sum(axis=1)
    answered = errors.sum(axis=0)
    most = int(misread.max())
    if most == 0:
        raise ValueError("the model made no mistakes: there is nothing to ask")

    def is_right(answer: object) -> bool:
        return int(misread[int(answer)]) == most  # type: ignore[call-overload]

    return Check(
        name=name,
        is_right=is_right,
        kind=lambda answer: _digit(answer) is not None,
        kind_text="a digit, a whole number from 0 to 9",
        hint="That row has fewer mistakes than another. For each true digit (a row), add up "
        "the cells off the diagonal, and find the largest sum.",
        explanation="Its row has the most cells off the diagonal: the most test digits of "
        "that kind read as something else (if several rows tie, each of them is right).",
        hints=(
            (lambda answer: int(answered[int(answer)]) == int(answered.max()),
             "That is the digit the model *answers* most often when it is wrong: a column "
             "sum. The rows are the true digits: add up a row's cells off the diagonal."),
            (lambda answer: int(matrix[int(answer), int(answer)]) == int(np.diag(matrix).max()),
             "That digit has the most correct answers, on the diagonal, because the test set "
             "holds the most of them. Count the mistakes instead: the cells off the diagonal."),
        ),
    )
