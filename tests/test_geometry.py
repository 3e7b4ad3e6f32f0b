"""Window geometry: the output-size formula against real Keras layers, counting, pictures.

The chapters' explorer, which computes the same in the browser, is tested in
``test_geometry_explorer.py``.
"""

from __future__ import annotations

import itertools
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convbook import geometry, ops  # noqa: E402

KERAS_CASES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 4),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
)


# -- the formula against Keras, exhaustively --------------------------------------------------
@pytest.mark.parametrize("kind", ["conv", "pool"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_formula_matches_keras_layers_exhaustively(keras, kind, padding):
    """Every i <= 30, k <= 7, s <= 5: the formula's o is the height Conv2D / MaxPooling2D infer,
    and the formula finds no output exactly when Keras refuses the layer."""
    disagreements = []
    for k, s in itertools.product(range(1, 8), range(1, 6)):
        layer = geometry.keras_layers(kind, k, s, padding)[-1]
        assert type(layer).__name__ == ("Conv2D" if kind == "conv" else "MaxPooling2D")
        assert layer.padding == padding and tuple(layer.strides) == (s, s)
        for i in range(1, 31):
            try:
                expected: int | None = geometry.axis_geometry(i, k, s, padding).output_size
            except ValueError:
                expected = None
            got = geometry.keras_output_size(i, k, s, padding, kind)
            if got != expected:
                disagreements.append((i, k, s, got, expected))
    assert not disagreements


def test_explicit_padding_matches_zero_padding_then_a_valid_layer(keras):
    for padding in [0, 1, 2, 3, (0, 1), (2, 1), "full"]:
        for i, k, s in itertools.product(range(1, 17), range(1, 7), range(1, 5)):
            try:
                expected: int | None = geometry.axis_geometry(i, k, s, padding).output_size
            except ValueError:
                expected = None
            assert geometry.keras_output_size(i, k, s, padding, "conv") == expected


def test_same_padding_gives_ceil_i_over_s(keras):
    for i, k, s in itertools.product(range(1, 30), range(1, 8), range(1, 6)):
        assert geometry.keras_output_size(i, k, s, "same", "conv") == -(-i // s)


def test_check_against_keras_runs_real_layers(keras):
    rows = geometry.check_against_keras([2, 5, 8], [1, 3, 4], [1, 2, 3], run=True)
    assert len(rows) == 3 * 3 * 3 * 2
    assert all(row.agrees for row in rows)
    # the grid includes cases with no output: the formula and both layers say so
    empty = [row for row in rows if row.formula is None]
    assert empty and all(row.conv2d is None and row.maxpooling2d is None for row in empty)
    table = geometry.format_checks(rows)
    assert table.count("\n") == len(rows) + 1 and "NO" not in table


def test_format_checks_shows_a_disagreement():
    row = geometry.FormulaCheck(5, 3, 1, "valid", 3, 3, 4)
    assert not row.agrees
    assert geometry.format_checks([row]).splitlines()[-1].endswith("NO")


def test_keras_output_size_run_reads_the_real_output(keras):
    assert geometry.keras_output_size(28, 3, 2, "valid", run=True) == 13
    assert geometry.keras_output_size(28, 3, 2, "same", run=True) == 14
    assert geometry.keras_output_size(28, 5, 1, 2, run=True) == 28
    assert geometry.keras_output_size(5, 7, 1, "valid", run=True) is None


def test_keras_refuses_what_the_formula_refuses(keras):
    # Keras' pooling layer accepts strides=0 and then divides by zero: reported as no output
    assert geometry.keras_output_size(9, 3, 0, "valid", "pool") is None
    with pytest.raises(ValueError, match="stride must be at least 1"):
        geometry.axis_geometry(9, 3, 0, "valid")


def test_layers_are_cached_by_settings(keras):
    first = geometry.keras_layers("conv", 3, 2, "same")
    assert geometry.keras_layers("conv", 3, 2, "same") is first
    assert geometry.keras_layers("conv", 3, 2, "valid") is not first
    assert geometry.keras_layers("conv", 3, 1, 1) is geometry.keras_layers("conv", 3, 1, (1, 1))


def test_keras_spelling():
    assert geometry.keras_spelling("conv", 3, 2, "same") == (
        "Conv2D(1, 3, strides=2, padding='same')"
    )
    assert geometry.keras_spelling("pool", 2, 2, "valid") == (
        "MaxPooling2D(2, strides=2, padding='valid')"
    )
    assert geometry.keras_spelling("conv", 3, 1, "full").startswith("ZeroPadding2D(2) then")
    assert geometry.keras_spelling("conv", 3, 1, (0, 1)).startswith(
        "ZeroPadding2D(((0, 1), (0, 1))) then"
    )


# -- where Keras puts its "same" zeros, measured ----------------------------------------------
@given(i=st.integers(1, 12), k=st.integers(1, 6), s=st.integers(1, 4))
@KERAS_CASES
def test_keras_same_padding_measured_equals_the_rule(keras, i, k, s):
    before, after = geometry.keras_same_padding(i, k, s)
    assert (before, after) == ops.same_padding(i, k, s)
    assert after - before in (0, 1)  # the odd zero goes after: bottom / right


def test_keras_window_reads_show_the_extra_zero_at_the_end(keras):
    assert list(geometry.keras_window_reads(4, 2, 1, "same", tap=0)) == [1, 2, 3, 4]
    assert list(geometry.keras_window_reads(4, 2, 1, "same", tap=1)) == [2, 3, 4, 0]
    assert list(geometry.keras_window_reads(6, 3, 2, "same", tap=2)) == [3, 5, 0]
    with pytest.raises(ValueError, match="tap must be between 0 and 1"):
        geometry.keras_window_reads(4, 2, tap=2)


# -- counting, against brute force ------------------------------------------------------------
@given(i=st.integers(1, 30), k=st.integers(1, 8), s=st.integers(1, 6), padding=paddings)
def test_window_starts_and_missed_pixels_by_brute_force(i, k, s, padding):
    before, after = ops.resolve_padding(padding, i, k, s)
    padded = i + before + after
    starts = [x for x in range(0, padded, s) if x + k <= padded]
    if not starts:
        with pytest.raises(ValueError, match="no output"):
            geometry.axis_geometry(i, k, s, padding)
        return
    g = geometry.axis_geometry(i, k, s, padding)
    assert list(g.starts) == starts
    assert g.output_size == len(starts)
    covered = {x - before for start in starts for x in range(start, start + k)}
    assert set(g.unvisited) == set(range(i)) - covered
    assert g.leftover == padded - (starts[-1] + k) and 0 <= g.leftover < s
    counts = geometry.coverage(g)
    assert counts.shape == (i, i)
    # each window (a, b) covers (its input rows) x (its input columns) pixels
    assert counts.sum() == sum(
        len([x for x in range(a, a + k) if before <= x < before + i])
        * len([y for y in range(b, b + k) if before <= y < before + i])
        for a in starts
        for b in starts
    )
    assert (counts == 0).any() == bool(g.unvisited)


def test_the_book_examples():
    g = geometry.axis_geometry(28, 3, 2, "valid")
    assert (g.output_size, g.unvisited, g.leftover) == (13, (27,), 1)
    assert geometry.axis_geometry(28, 3, 2, "same").output_size == 14
    assert geometry.axis_geometry(28, 5, 1, 2).output_size == 28
    assert geometry.axis_geometry(28, 5, 1, "full").output_size == 32
    corners = geometry.coverage(geometry.axis_geometry(5, 3, 1, "valid"))
    assert corners[0, 0] == 1 and corners[2, 2] == 9 and corners[0, 2] == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((5, 3, 0, "valid"), "A stride of 0 never moves the window forward"),
        ((5, 3, -1, "same"), "so a stride of -1 does not work. The stride must be at least 1."),
        ((5, 7, 1, "valid"), "A 7x7 kernel does not fit in the 5x5 input padded to 5x5"),
        ((2, 6, 1, 1), "padded to 4x4 (1 + 1 zeros): no window position fits, so there is no"),
        ((0, 3, 1, "valid"), "The input needs at least 1 pixel per side, not 0."),
        ((5, 0, 1, "valid"), "The kernel needs at least 1 pixel per side, not 0."),
        ((5, 3, 1, -1), "a number of zeros (0 or more) on each side, not -1."),
        ((5, 3, 1, "half"), "The padding must be 'valid', 'same', 'full' or a number of zeros"),
        ((5, 3, 1, 1.5), "on each side, not 1.5."),
    ],
)
def test_impossible_settings_are_explained_in_full_sentences(arguments, message):
    with pytest.raises(ValueError) as raised:
        geometry.axis_geometry(*arguments)
    text = str(raised.value)
    assert message in text
    assert text[0].isupper() and text.endswith("."), text


def test_formula_text_fills_in_the_numbers():
    assert geometry.formula_text(geometry.axis_geometry(28, 3, 2, "same")) == (
        "o = floor((i + p_before + p_after - k) / s) + 1 = floor((28 + 0 + 1 - 3) / 2) + 1 "
        "= floor(26 / 2) + 1 = 13 + 1 = 14"
    )
    assert geometry.formula_text(geometry.axis_geometry(7, 3, 1, 1)).endswith(
        "floor((7 + 2*1 - 3) / 1) + 1 = floor(6 / 1) + 1 = 6 + 1 = 7"
    )


@given(i=st.integers(1, 30), k=st.integers(1, 8), s=st.integers(1, 6), padding=paddings)
def test_formula_text_evaluates_to_the_output_size(i, k, s, padding):
    try:
        g = geometry.axis_geometry(i, k, s, padding)
    except ValueError:
        return
    text = geometry.formula_text(g)
    inside = re.search(r"= floor\(\(([\d +*-]+)\) / (\d+)\) \+ 1 =", text)
    assert inside is not None
    span = eval(inside.group(1))  # noqa: S307 - only digits and + - * here
    assert span // int(inside.group(2)) + 1 == g.output_size
    assert text.endswith(f"= {g.output_size}")


def test_padding_label():
    assert geometry.padding_label("same") == "'same'"
    assert geometry.padding_label(2) == "p=2"
    assert geometry.padding_label((0, 1)) == "p=(0, 1)"


# -- pictures ---------------------------------------------------------------------------------
def test_small_multiples_draws_one_panel_per_case():
    cases = [(5, 3, "valid", 1), (5, 3, 1, 2), (6, 2, "same", 2)]
    fig = geometry.small_multiples(cases, columns=2)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title().splitlines()[-1] for ax in titled] == ["→ o=3", "→ o=3", "→ o=3"]
    assert len(fig.legends) == 1
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one"):
        geometry.small_multiples([])


def test_draw_geometry_marks_one_dot_per_output_pixel_and_checks_the_image():
    fig, ax = plt.subplots()
    g = geometry.axis_geometry(28, 3, 2, "valid")
    geometry.draw_geometry(ax, g, image=np.ones((28, 28)))
    assert len(ax.collections[0].get_offsets()) == 13 * 13
    with pytest.raises(ValueError, match="must be 28x28"):
        geometry.draw_geometry(ax, g, image=np.ones((26, 26)))
    plt.close(fig)


def test_window_animation_has_one_frame_per_position_and_a_limit():
    from convbook.plotting import animation_html

    animation = geometry.window_animation(geometry.axis_geometry(5, 3, 2, 1))
    assert len(list(animation.new_frame_seq())) == 9
    player = animation_html(animation, alt="a test animation of nine window positions").data
    assert player.count("data:image/png;base64") == 9
    with pytest.raises(ValueError, match="too long"):
        geometry.window_animation(geometry.axis_geometry(8, 3, 1, "same"))


# -- the exercises' checks ---------------------------------------------------------------------


def _hint(check, answer) -> str:
    verdict = check(answer)
    assert verdict.status == "wrong", (answer, verdict)
    return verdict.text


def test_padding_exercises_accept_the_right_answers_and_explain_typical_mistakes():
    one, two, three, four = (geometry.PADDING_EXERCISES[n] for n in (1, 2, 3, 4))
    assert one(13) and "2x2" in _hint(one, 14) and "2 per layer" in _hint(one, 26)
    assert two(6_272) and "'valid' padding" in _hint(two, 1_152)
    assert "still halve" in _hint(two, 100_352) and "parameter count" in _hint(two, 155_402)
    assert three((0, 1)) and three([0, 1])
    assert "wrong side" in _hint(three, (1, 0)) and "29 outputs" in _hint(three, (1, 1))
    assert "should be 2 numbers in brackets, such as (2, 2)" in _hint(three, 1)
    assert four((4 / 9, 6 / 9, 1)) and four((0.44, 0.67, 1.0))
    assert "pull the average down" in _hint(four, (1, 1, 1))
    assert "divides their sum by 9" in _hint(four, (4, 6, 9))
    for check in (one, two, three, four):
        assert check(...).status == "unanswered"


def test_padding_exercise_answers_are_what_keras_and_numpy_compute(keras):
    # 1: thirteen 3x3 'valid' layers fit on a 28x28 digit, a fourteenth does not.
    assert 28 - 2 * 13 == 2 and geometry.keras_output_size(2, 3, 1, "valid") is None
    # 3: Keras' zeros for 'same' with a 2x2 kernel.
    assert geometry.keras_same_padding(28, 2) == (0, 1)
    # 4: the blur of a blank page with 'same' padding.
    page = np.ones((1, 8, 8, 1))
    blurred = ops.conv2d(page, np.full((3, 3, 1, 1), 1 / 9), padding="same")[0, ..., 0]
    assert geometry.PADDING_EXERCISES[4]((blurred[0, 0], blurred[0, 3], blurred[3, 3]))


def test_stride_exercises_accept_the_right_answers_and_explain_typical_mistakes():
    one, two, three, four = (geometry.STRIDE_EXERCISES[n] for n in (1, 2, 3, 4))
    assert one((13, 14)) and "adds no zeros" in _hint(one, (14, 14))
    assert "ceil(i / s)" in _hint(one, (13, 13)) and "stride 1" in _hint(one, (26, 28))
    assert two(None) and "course's model" in _hint(two, (3, 3, 128))
    assert "0 rows is no map" in _hint(two, (0, 0, 128))
    assert "Does a 3x3 window fit" in _hint(two, (1, 1, 128))
    assert "should be a shape of three whole numbers" in _hint(two, "None")
    assert "should be a shape of three whole numbers" in _hint(two, (3, 3))
    assert three(4) and "pixel 27" in _hint(three, 3) and "gap" in _hint(three, 2)
    assert "smaller kernel" in _hint(three, 7)
    assert "2 pixels, 26 and 27" in _hint(three, 5) and "pixel 27" in _hint(three, 6)
    for k, hint in ((5, "26 and 27"), (6, "pixel 27")):  # the hints say what is missed
        assert geometry.axis_geometry(28, k, 3, "valid").unvisited == (
            (26, 27) if k == 5 else (27,))
    assert four(3_200) and "max pooling" in _hint(four, 1_152)
    assert "not i / 2" in _hint(four, 4_608) and "without any" in _hint(four, 61_952)
    for check in (one, two, three, four):
        assert check(...).status == "unanswered"


def test_stride_exercise_answers_are_what_keras_and_the_formula_give():
    # 3: with stride 3 on 28 pixels, k = 4 is the smallest kernel that visits every pixel.
    visits_all = [k for k in range(1, 8) if not geometry.axis_geometry(28, k, 3, "valid").unvisited]
    assert visits_all[0] == 4
    # 2: conv1 with stride 2 leaves pool2 a 2x2 map, too small for conv3.
    sizes = [ops.output_size(28, 3, 2)]
    sizes.append(ops.output_size(sizes[-1], 2, 2))
    sizes.append(ops.output_size(sizes[-1], 3, 1))
    sizes.append(ops.output_size(sizes[-1], 2, 2))
    assert sizes == [13, 6, 4, 2]
