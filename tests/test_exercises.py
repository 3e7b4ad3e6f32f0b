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


# -- choices and tuples ------------------------------------------------------------------------

from convbook.exercises import choice_check, numbers_check  # noqa: E402


def test_a_choice_ignores_case_and_spaces_and_names_the_options():
    check = choice_check("Exercise 3", ["max", "average", "every second"], "max",
                         hint="Pool it.", mistakes={"average": "Diluted by the zeros."})
    assert check(" Max ") and check("max").text == "Exercise 3: right."
    assert repr(check("average")) == "Exercise 3: not quite. Diluted by the zeros."
    assert repr(check("every second")) == "Exercise 3: not quite. Pool it."
    for answer in ("min", 1, None, ["max"]):
        assert check(answer).text == (
            "Exercise 3: the answer should be one of the words 'max', 'average' or "
            f"'every second', not {answer!r}."
        )
    assert check(...).status == "unanswered"


def test_a_choice_must_offer_its_right_answer():
    import pytest

    with pytest.raises(ValueError, match="not one of the options"):
        choice_check("Exercise 1", ["a", "b"], "c", hint="")


def test_numbers_are_compared_in_order_within_the_tolerance():
    check = numbers_check("Exercise 4", (4 / 9, 6 / 9, 1), tolerance=0.01, hint="Average.",
                          mistakes=[((1, 1, 1), "The zeros count."), ((4, 6, 9), "Divide.")])
    assert check((0.444, 0.667, 1.0)) and check(np.array([4 / 9, 6 / 9, 1.0]))
    assert repr(check([1, 1, 1])) == "Exercise 4: not quite. The zeros count."
    assert repr(check((4, 6, 9))) == "Exercise 4: not quite. Divide."
    assert repr(check((6 / 9, 4 / 9, 1))) == "Exercise 4: not quite. Average."
    for answer in ((1, 2), "0.4 0.6 1", 3, (1, "2", 3), (1, float("nan"), 3)):
        verdict = check(answer)
        assert verdict.status == "wrong" and "should be 3 numbers in brackets" in repr(verdict)


def test_a_long_verdict_is_wrapped_to_the_code_column():
    check = number_check("Exercise 9", 1, hint="A hint long enough to need a second line." * 3)
    lines = repr(check(2)).splitlines()
    assert len(lines) > 1 and max(map(len, lines)) <= 72
    assert " ".join(lines) == check(2).text

