"""Reading the results (convbook.results): confusion counts and the result figures."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convbook import results  # noqa: E402
from convbook.results import confusion_matrix, most_confused  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- confusion counts ---------------------------------------------------------------------------
@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=60))
def test_confusion_matrix_counts_like_a_loop(pairs):
    labels = [a for a, _ in pairs]
    predictions = [b for _, b in pairs]
    expected = np.zeros((10, 10), dtype=int)
    for a, b in pairs:
        expected[a, b] += 1
    matrix = confusion_matrix(labels, predictions)
    np.testing.assert_array_equal(matrix, expected)
    assert matrix.sum() == len(pairs)


def test_confusion_matrix_refuses_bad_input():
    with pytest.raises(ValueError, match="3 labels but 2 predictions"):
        confusion_matrix([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="between 0 and 9"):
        confusion_matrix([1, 10], [1, 2])


def test_most_confused_orders_mistakes_and_pairs():
    matrix = np.diag([100] * 10)
    matrix[4, 9], matrix[9, 4], matrix[3, 5], matrix[7, 2] = 5, 4, 6, 6
    assert most_confused(matrix, 3) == [(3, 5, 6), (7, 2, 6), (4, 9, 5)]
    assert most_confused(matrix, 2, unordered=True) == [(4, 9, 9), (2, 7, 6)]
    assert most_confused(np.diag([5] * 10)) == []
    with pytest.raises(ValueError, match="square"):
        most_confused(np.zeros((3, 4)))


def test_result_figures_draw():
    history = {"loss": [0.5, 0.3], "val_loss": [0.4, 0.35], "accuracy": [0.8, 0.9],
               "val_accuracy": [0.85, 0.88]}
    fig = results.plot_learning_curves({"a": history, "b": history})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 4
    with pytest.raises(ValueError, match="no \\['val_loss'\\]"):
        without = {k: v for k, v in history.items() if k != "val_loss"}
        results.plot_learning_curves({"a": without})
    matrix = confusion_matrix([1, 1, 2, 3], [1, 7, 2, 5])
    fig = results.plot_confusion_matrix(matrix)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"1", "0"} <= texts  # the diagonal is written, zero mistakes are not
    images = np.zeros((3, 28, 28))
    probabilities = np.eye(10)[[1, 2, 3]] * 0.9 + 0.01
    fig = results.show_mistakes(images, [1, 5, 3], probabilities, columns=2, indices=[4, 8, 9])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["1 → 1\n91%", "5 → 2\n91%", "3 → 3\n91%"]
    assert [ax.get_xlabel() for ax in fig.axes[:3]] == ["#4", "#8", "#9"]
    assert [ax.title.get_color() for ax in fig.axes[:2]] == ["black", "#c0392b"]
