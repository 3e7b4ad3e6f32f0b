"""SVG pixel grids: what the explorers draw."""

from __future__ import annotations

import numpy as np
import pytest

from convbook.svg import Box, grid_svg, side_by_side


def test_one_cell_per_value_and_a_label_for_screen_readers():
    svg = grid_svg(np.zeros((3, 4)), label="a 3 by 4 grid", cell=10)
    assert svg.count('<rect x="') == 12
    assert 'aria-label="a 3 by 4 grid"' in svg and "<title>a 3 by 4 grid</title>" in svg
    assert 'width="42" height="32"' in svg


def test_missing_values_are_drawn_in_the_missing_colour():
    values = np.array([[0.0, np.nan]])
    svg = grid_svg(values, label="half done", missing_colour="#abcdef")
    assert svg.count('fill="#abcdef"') == 1


def test_numbers_are_written_in_ink_that_reads_on_the_cell():
    values = np.array([[0.0, 1.0]])
    svg = grid_svg(values, label="two cells", cmap="gray", numbers="{:.1f}")
    # gray: 0 is black, so its number is white; 1 is white, so its number is black.
    assert 'fill="#ffffff" text-anchor="middle" dominant-baseline="central" ' in svg
    assert svg.index(">0.0<") < svg.index(">1.0<")
    first_ink = svg.split("<text", 1)[1].split('fill="', 1)[1][:7]
    second_ink = svg.split("<text", 2)[2].split('fill="', 1)[1][:7]
    assert (first_ink, second_ink) == ("#ffffff", "#000000")


def test_numbers_can_be_a_function_and_overlays_come_last():
    svg = grid_svg(
        np.array([[0.5]]), label="one", numbers=lambda v: f"<{v}>", font_size=9,
        overlay=['<circle cx="1" cy="1" r="1"/>'], boxes=[Box(0, 0, dashed=True)],
    )
    assert "&lt;0.5&gt;" in svg and 'font-size="9"' in svg
    assert 'stroke-dasharray="4 2"' in svg
    assert svg.endswith('<circle cx="1" cy="1" r="1"/></svg>')


def test_only_2d_arrays():
    with pytest.raises(ValueError, match="2-D"):
        grid_svg(np.zeros((2, 2, 1)), label="three axes")


def test_side_by_side_escapes_captions():
    html = side_by_side([("a < b", "<svg></svg>")])
    assert "a &lt; b" in html and html.count("<figure") == 1
