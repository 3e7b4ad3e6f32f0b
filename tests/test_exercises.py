"""The exercise checks: right, wrong with the hint for the mistake, not answered, never a crash."""

from __future__ import annotations

import numpy as np

from convbook.exercises import Check, number_check


def _size_check():
    return number_check(
        "Exercise 1", 26, hint="Count the positions of the window's left column.",
        explanation="28 - 3 + 1 = 26.", mistakes=[(25, "Count the first position too: + 1."),
                                                 (28, "A window cannot stick out of the image.")],
    )


def test_a_right_answer_says_why():
    verdict = _size_check()(26)
    assert verdict and verdict.status == "right"
    assert repr(verdict) == "Exercise 1: right. 28 - 3 + 1 = 26."
    assert _size_check()(np.int64(26)) and _size_check()(26.0)


def test_a_typical_mistake_gets_its_own_hint():
    assert repr(_size_check()(25)) == "Exercise 1: not quite. Count the first position too: + 1."
    assert "cannot stick out" in repr(_size_check()(28))
    other = _size_check()(7)
    assert not other and repr(other) == (
        "Exercise 1: not quite. Count the positions of the window's left column."
    )


def test_an_empty_answer_cell_is_not_answered_yet():
    verdict = _size_check()(...)
    assert verdict.status == "unanswered" and "not answered yet" in repr(verdict)


def test_answers_of_the_wrong_kind_get_a_sentence_not_a_traceback():
    for answer in ("26", None, [26], True, float("nan"), object()):
        verdict = _size_check()(answer)
        assert verdict.status == "wrong" and "should be a number" in repr(verdict)


def test_a_check_whose_kind_test_raises_still_answers():
    shape = Check("Exercise 2", is_right=lambda a: tuple(a) == (13, 13, 32),
                  kind=lambda a: len(a) == 3, kind_text="a shape of three numbers",
                  hint="Use the output-size formula on each axis.")
    assert shape((13, 13, 32))
    assert repr(shape(5)) == "Exercise 2: the answer should be a shape of three numbers, not 5."
    assert not shape((26, 26, 32))
