"""Exercises that check the learner's answer: right, wrong with a hint, or not answered yet.

Each exercise of a chapter is a :class:`Check` defined in the chapter's notebook or helper
module. The notebook gives the learner an answer cell holding ``...`` (not answered) and a call
of the check; a hidden solution cell calls the same check with the right answer, so that
``pytest --nbval`` proves the check accepts it, and the unit tests prove it refuses the typical
wrong answers with their hints::

    answer = ...  # your answer: how many 3x3 windows fit in a row of 28 pixels?
    windows_in_a_row(answer)

A check never raises: an answer of the wrong kind gets a sentence saying what kind is wanted.
:func:`number_check` checks a number, :func:`numbers_check` a few numbers in order (a shape, a
pair of paddings), :func:`choice_check` a choice among a few words (a prediction); anything
else is a :class:`Check` of its own.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Verdict", "Check", "number_check", "numbers_check", "choice_check", "NOT_ANSWERED"]

#: Characters per line of a verdict: the width of the book's code column.
_WIDTH = 72

#: The placeholder an answer cell starts with.
NOT_ANSWERED = ...

Status = Literal["right", "wrong", "unanswered"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check, shown as one line of text in the notebook."""

    status: Status
    text: str

    def __repr__(self) -> str:
        # Wrapped to the code column's width, so the book shows it without sideways scrolling.
        return textwrap.fill(self.text, width=_WIDTH, break_on_hyphens=False)

    def __bool__(self) -> bool:
        return self.status == "right"


@dataclass(frozen=True)
class Check:
    """One exercise's check.

    Args:
        name: the exercise's name, shown in every verdict ("Exercise 2").
        is_right: whether an answer is right (called only on answers of the right kind).
        kind: a test that the answer has the expected kind (a number, a shape, ...), and
        kind_text: how to say that kind in a sentence ("a whole number").
        hints: ``(is_this_mistake, hint)`` pairs, tried in order on a wrong answer: the hint of
            the first typical mistake that matches is shown.
        hint: the hint for any other wrong answer.
        explanation: said with a right answer: why it is right.
    """

    name: str
    is_right: Callable[[Any], bool]
    kind: Callable[[Any], bool]
    kind_text: str
    hint: str
    explanation: str = ""
    hints: Sequence[tuple[Callable[[Any], bool], str]] = field(default_factory=tuple)

    def __call__(self, answer: Any) -> Verdict:
        if answer is NOT_ANSWERED:
            return Verdict(
                "unanswered",
                f"{self.name}: not answered yet. Replace the ... with your answer and run the "
                "cell again.",
            )
        try:
            right_kind = bool(self.kind(answer))
        except Exception:  # noqa: BLE001 - any answer at all must get a sentence, not a traceback
            right_kind = False
        if not right_kind:
            return Verdict(
                "wrong", f"{self.name}: the answer should be {self.kind_text}, not {answer!r}."
            )
        if self.is_right(answer):
            text = f"{self.name}: right."
            return Verdict("right", f"{text} {self.explanation}".strip())
        for is_this_mistake, hint in self.hints:
            if is_this_mistake(answer):
                return Verdict("wrong", f"{self.name}: not quite. {hint}")
        return Verdict("wrong", f"{self.name}: not quite. {self.hint}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) or (
        hasattr(value, "dtype") and getattr(value, "shape", None) == () and value.dtype.kind in "iuf"
    )


def number_check(
    name: str,
    expected: float,
    *,
    hint: str,
    explanation: str = "",
    tolerance: float = 0.0,
    mistakes: Sequence[tuple[float, str]] = (),
) -> Check:
    """A check for a numeric answer: right within ``tolerance`` of ``expected``.

    ``mistakes`` lists typical wrong numbers with the hint each deserves, for example the output
    size someone gets by forgetting the ``+ 1`` of the formula.
    """

    def near(target: float) -> Callable[[Any], bool]:
        return lambda answer: math.isclose(float(answer), target, rel_tol=0.0,
                                           abs_tol=max(tolerance, 1e-9))

    return Check(
        name=name,
        is_right=near(expected),
        kind=lambda answer: _is_number(answer) and math.isfinite(float(answer)),
        kind_text="a number",
        hint=hint,
        explanation=explanation,
        hints=tuple((near(value), text) for value, text in mistakes),
    )


def _numbers(answer: Any) -> tuple[float, ...]:
    return tuple(float(value) for value in answer)


def numbers_check(
    name: str,
    expected: Sequence[float],
    *,
    hint: str,
    explanation: str = "",
    tolerance: float = 0.0,
    mistakes: Sequence[tuple[Sequence[float], str]] = (),
    example: str | None = None,
) -> Check:
    """A check for a fixed number of numbers (a shape, a pair of paddings), in order.

    Right when every number is within ``tolerance`` of its expected value; ``mistakes`` lists
    typical wrong tuples with the hint each deserves. ``example`` shows the expected form in the
    sentence for an answer of the wrong kind (by default ``(1, 2)`` for a pair, and so on).
    """
    expected = _numbers(expected)
    count = len(expected)

    def near(target: Sequence[float]) -> Callable[[Any], bool]:
        target = _numbers(target)
        return lambda answer: len(target) == count and all(
            math.isclose(a, t, rel_tol=0.0, abs_tol=max(tolerance, 1e-9))
            for a, t in zip(_numbers(answer), target)
        )

    def right_kind(answer: Any) -> bool:
        if isinstance(answer, (str, bytes)) or len(answer) != count:
            return False
        return all(_is_number(value) and math.isfinite(float(value)) for value in answer)

    example = example or "(" + ", ".join(str(n) for n in range(1, count + 1)) + ")"
    return Check(
        name=name,
        is_right=near(expected),
        kind=right_kind,
        kind_text=f"{count} numbers in brackets, such as {example}",
        hint=hint,
        explanation=explanation,
        hints=tuple((near(values), text) for values, text in mistakes),
    )


def _word(answer: Any) -> str:
    return answer.strip().lower()


def choice_check(
    name: str,
    options: Sequence[str],
    right: str,
    *,
    hint: str,
    explanation: str = "",
    mistakes: Mapping[str, str] | None = None,
) -> Check:
    """A check for a choice among a few words (``"max"``, ``"average"``, ...).

    The answer is one of ``options`` as a string, case and surrounding spaces ignored;
    ``mistakes`` maps a wrong option to the hint it deserves.
    """
    options = tuple(_word(option) for option in options)
    if _word(right) not in options:
        raise ValueError(f"the right answer {right!r} is not one of the options {options}")
    quoted = [repr(option) for option in options]
    listed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    return Check(
        name=name,
        is_right=lambda answer: _word(answer) == _word(right),
        kind=lambda answer: isinstance(answer, str) and _word(answer) in options,
        kind_text=f"one of the words {listed}",
        hint=hint,
        explanation=explanation,
        hints=tuple(
            ((lambda answer, wrong=_word(wrong): _word(answer) == wrong), text)
            for wrong, text in (mistakes or {}).items()
        ),
    )
