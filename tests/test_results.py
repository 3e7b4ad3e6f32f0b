"""Reading the results (convbook.results): confusion counts and the result figures."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convbook import results, style  # noqa: E402
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
    assert most_confused(matrix, 1, unordered=True) == [(4, 9, 9)]
    assert most_confused(np.diag([5] * 10)) == []
    assert most_confused(matrix, 20) == [(3, 5, 6), (7, 2, 6), (4, 9, 5), (9, 4, 4)]
    with pytest.raises(ValueError, match="square"):
        most_confused(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="at least 1"):
        most_confused(matrix, 0)


def test_most_confused_never_cuts_a_tie():
    # The chapter's case: 4/9 12 times, then 3/8 8, and 3/5 and 7/9 both 7 times.
    matrix = np.diag([1000] * 10)
    matrix[9, 4], matrix[4, 9], matrix[8, 3] = 10, 2, 8
    matrix[3, 5], matrix[5, 3], matrix[9, 7], matrix[1, 2] = 3, 4, 7, 1
    assert most_confused(matrix, 3, unordered=True) == [
        (4, 9, 12), (3, 8, 8), (3, 5, 7), (7, 9, 7),
    ]
    # A tie at the cut-off brings every tied pair; a tie above it changes nothing.
    assert most_confused(matrix, 2, unordered=True) == [(4, 9, 12), (3, 8, 8)]
    assert most_confused(matrix, 4, unordered=True)[-1] == (7, 9, 7)
    assert most_confused(matrix, 1) == [(9, 4, 10)]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=90, max_size=90), st.integers(1, 6))
def test_most_confused_returns_the_top_and_everything_tied_with_it(counts, top):
    matrix = np.diag([50] * 10)
    matrix[~np.eye(10, dtype=bool)] = counts
    found = most_confused(matrix, top)
    made = sorted((c for c in counts if c > 0), reverse=True)
    expected = made if len(made) <= top else [c for c in made if c >= made[top - 1]]
    assert [count for _, _, count in found] == expected
    assert all(matrix[a, b] == count for a, b, count in found)


def test_result_figures_draw():
    history = {"loss": [0.5, 0.3], "val_loss": [0.4, 0.35], "accuracy": [0.8, 0.9],
               "val_accuracy": [0.85, 0.88]}
    fig = results.plot_learning_curves({"a": history, "b": history})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 4
    # The book's style: a series colour per model, training dashed and hollow, validation
    # solid and filled.
    lines = {line.get_label(): line for line in fig.axes[1].lines}
    for series, name in enumerate(("a", "b")):
        training, validation = lines[f"{name}, training"], lines[f"{name}, validation"]
        assert training.get_color() == validation.get_color() == style.SERIES_COLOURS[series]
        assert training.get_linestyle() == "--" and validation.get_linestyle() == "-"
        assert training.get_markerfacecolor() == "white"
        assert validation.get_markerfacecolor() == style.SERIES_COLOURS[series]
    assert results.MODEL_COLOURS == style.SERIES_COLOURS
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
    assert [ax.title.get_color() for ax in fig.axes[:2]] == ["black", results.WRONG_COLOUR]
    # Digits are ink on paper on a fixed scale: an all-paper image stays white.
    shown = fig.axes[0].images[0]
    assert shown.get_cmap().name == style.INK_CMAP and shown.get_clim() == (0.0, 1.0)
    fig = results.show_mistakes(images + 200, [1, 5, 3], probabilities,
                                captions=["as it is", "moved", "prepared"])
    assert [ax.get_xlabel() for ax in fig.axes[:3]] == ["as it is", "moved", "prepared"]
    assert fig.axes[0].images[0].get_clim() == (0.0, 255.0)
    with pytest.raises(ValueError, match="2 captions for 3 digits"):
        results.show_mistakes(images, [1, 5, 3], probabilities, captions=["a", "b"])


# -- the exercise on the confusion matrix -------------------------------------------------------
@pytest.fixture
def matrix():
    """Ten digits, a thousand of each: 9 misread most (12), 3 the most frequent wrong answer."""
    counts = np.diag([1000] * 10)
    counts[9, 4], counts[9, 7], counts[8, 3], counts[5, 3], counts[2, 3] = 7, 5, 6, 4, 3
    counts[1, 1] = 1135
    return counts


def test_the_misread_digit_check_accepts_the_largest_row(matrix):
    check = results.misread_digit_check(matrix)
    assert check(9) and check(np.int64(9))
    assert check(...).text == (
        "Exercise 1: not answered yet. Replace the ... with your answer and run the cell again."
    )
    assert str(check(9)).startswith("Exercise 1: right.")
    tied = matrix.copy()
    tied[8, 0] = 6  # 8 now has 12 mistakes too: either is right
    check = results.misread_digit_check(tied, "Exercise 9")
    assert check(9) and check(8) and str(check(8)).startswith("Exercise 9: right.")


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (3, "the digit the model *answers* most often"),
        (1, "the most correct answers"),
        (8, "fewer mistakes than another"),
        (4, "fewer mistakes than another"),
    ],
)
def test_the_misread_digit_check_explains_typical_mistakes(matrix, answer, hint):
    verdict = results.misread_digit_check(matrix)(answer)
    assert verdict.status == "wrong" and hint in verdict.text


@pytest.mark.parametrize("answer", ["9", 9.0, 10, -1, True, (9,), None])
def test_the_misread_digit_check_wants_a_digit(matrix, answer):
    verdict = results.misread_digit_check(matrix)(answer)
    assert verdict.status == "wrong" and "a digit, a whole number from 0 to 9" in verdict.text


def test_the_misread_digit_check_needs_a_matrix_with_mistakes():
    with pytest.raises(ValueError, match="10x10"):
        results.misread_digit_check(np.eye(3))
    with pytest.raises(ValueError, match="no mistakes"):
        results.misread_digit_check(np.diag([5] * 10))
