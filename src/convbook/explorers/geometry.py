"""The padding and stride explorer: choose i, k, padding and s, see the windows and the output.

The picture is computed and drawn by ``geometry.js`` in the browser; this class holds the
settings, and computes with :mod:`convbook.geometry` what the page must show, for the tests.

Keras is not in the browser, so its answer is worked out here once: a real ``Conv2D`` (after a
``ZeroPadding2D`` for explicit padding) infers its output size for every setting the controls
reach, and the table travels with the widget. The page looks Keras' answer up and says whether it
agrees with the formula it computed itself.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import numpy as np
import traitlets

from convbook import ops
from convbook.explorers.base import Explorer, bundle, decode_array, encode_array
from convbook.geometry import (
    CENTRE_COLOUR,
    INPUT_COLOUR,
    OUTLINE_COLOUR,
    ZERO_COLOUR,
    AxisGeometry,
    axis_geometry,
    coverage,
    formula_text,
    keras_output_size,
    keras_spelling,
)
from convbook.style import OUTPUT_COLOUR, PADDING_COLOUR, UNVISITED_COLOUR, WINDOW_COLOUR

__all__ = ["GeometryExplorer", "keras_table", "window_problem"]

#: The sliders: setting, label, lowest and highest value. The stride reaches 0 so that the
#: reader can see why it must be at least 1; the kernel outgrows small inputs.
LIMITS: tuple[tuple[str, str, int, int], ...] = (
    ("input_size", "input size i", 1, 13),
    ("kernel_size", "kernel size k", 1, 8),
    ("stride", "stride s", 0, 5),
    ("zeros", "explicit zeros p", 0, 4),
)
#: The padding menu; "explicit" takes its number of zeros from the ``zeros`` slider.
PADDINGS = ("valid", "same", "full", "explicit")

_RANGES = {setting: (low, high) for setting, _, low, high in LIMITS}


def _table_paddings() -> tuple[str, ...]:
    """The paddings along the Keras table's first axis: the names, then each explicit count."""
    low, high = _RANGES["zeros"]
    return ("valid", "same", "full", *map(str, range(low, high + 1)))


def _as_padding(key: str) -> ops.Padding:
    return key if key in ("valid", "same", "full") else int(key)


@cache
def keras_table() -> np.ndarray:
    """Keras' ``Conv2D`` output size for every setting the controls reach, 0 for no output.

    Indexed ``[padding, i - 1, k - 1, s - 1]`` with the paddings of :func:`_table_paddings`
    and strides from 1 (a stride of 0 never gets as far as Keras). Each entry comes from
    :func:`convbook.geometry.keras_output_size`: cached layers inferring a shape, about half a
    second for the 4,160 settings (plus importing Keras, once).
    """
    inputs = range(1, _RANGES["input_size"][1] + 1)
    kernels = range(1, _RANGES["kernel_size"][1] + 1)
    strides = range(1, _RANGES["stride"][1] + 1)
    paddings = _table_paddings()
    table = np.zeros((len(paddings), len(inputs), len(kernels), len(strides)), dtype=np.uint8)
    for (p, key), (a, i), (b, k), (c, s) in itertools.product(
        enumerate(paddings), enumerate(inputs), enumerate(kernels), enumerate(strides)
    ):
        table[p, a, b, c] = keras_output_size(i, k, s, _as_padding(key), "conv") or 0
    return table


def window_problem(window: int, output_size: int) -> str:
    """The message for a window number that does not exist, or ``""`` (0 shows them all)."""
    positions = output_size * output_size
    if 0 <= window <= positions:
        return ""
    if positions == 1:
        return (
            f"There is only 1 window position (a 1x1 output), so there is no window {window}: "
            "choose 0 or 1."
        )
    return (
        f"There are {positions} window positions (a {output_size}x{output_size} output), so "
        f"there is no window {window}: choose 0 to see them all, or 1 to {positions}."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class GeometryExplorer(Explorer):
    """Choose input size, kernel, padding and stride; see the windows, formula and Keras' shape.

    The picture shows the padded input (zeros in light blue, the input outlined in black), the
    centre of every window position (window 0) or one chosen window (orange), the input pixels
    that no window covers (red), and the output grid, with the chosen window's output pixel
    outlined in black (the colours of :mod:`convbook.style`). Below it: the padding on each side, the output-size
    formula with the numbers filled in, where the windows start, and the output shape a real
    Keras ``Conv2D`` gives with the same settings (see :func:`keras_table`). Settings with no
    output (a kernel larger than the padded input, a stride of 0, a window past the last) show a
    message instead.

    When a setting changes so that the chosen window no longer exists, the window moves to the
    last one, in Python as in the browser; the window slider reaches one step past the last
    window, to show the message.

    Args:
        input_size, kernel_size, stride: ``i``, ``k`` and ``s`` (see :data:`LIMITS`).
        padding: ``"valid"``, ``"same"`` (Keras' rule), ``"full"``, or a number of zeros on
            each side.
        window: 0 for every window's centre, ``n`` for the ``n``-th window (row by row).
    """

    _esm = bundle("geometry.js")
    colour_maps = ("Oranges",)

    limits = traitlets.List(traitlets.List()).tag(sync=True)
    colours = traitlets.Dict().tag(sync=True)
    keras_sizes = traitlets.Unicode().tag(sync=True)
    keras_shape = traitlets.List(traitlets.Int()).tag(sync=True)
    keras_paddings = traitlets.List(traitlets.Unicode()).tag(sync=True)

    input_size = traitlets.Int(7).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    padding = traitlets.Unicode("valid").tag(sync=True)
    zeros = traitlets.Int(1).tag(sync=True)
    stride = traitlets.Int(1).tag(sync=True)
    window = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        input_size: int = 7,
        kernel_size: int = 3,
        padding: ops.Padding = "valid",
        stride: int = 1,
        window: int = 0,
    ) -> None:
        explicit = isinstance(padding, (int, np.integer))
        table = keras_table()
        super().__init__(
            limits=[list(limit) for limit in LIMITS],
            colours={
                "padding": PADDING_COLOUR, "input": INPUT_COLOUR, "unvisited": UNVISITED_COLOUR,
                "window": WINDOW_COLOUR, "output": OUTPUT_COLOUR, "centre": CENTRE_COLOUR,
                "outline": OUTLINE_COLOUR, "zero": ZERO_COLOUR,
            },
            keras_sizes=encode_array(table, "uint8"),
            keras_shape=list(table.shape),
            keras_paddings=list(_table_paddings()),
            input_size=input_size,
            kernel_size=kernel_size,
            padding="explicit" if explicit else str(padding),
            zeros=int(padding) if explicit else 1,
            stride=stride,
            window=window,
        )
        problem = self._range_problem()
        if problem:
            raise ValueError(problem)

    def _restore(self) -> None:
        # Keras' table as the browser decodes it, so Python looks up the same numbers.
        self.table = decode_array(self.keras_sizes, "uint8", self.keras_shape)
        # Registered once the first settings are in: a saved state is taken as it is, and
        # later changes keep the window in range, as the browser's controls do.
        self.observe(
            self._keep_window, names=["input_size", "kernel_size", "padding", "zeros", "stride"]
        )

    def _keep_window(self, _change: dict) -> None:
        try:
            positions = self._geometry().output_size ** 2
        except ValueError:
            return
        self.window = min(self.window, positions)

    # -- the settings -------------------------------------------------------------------------
    def chosen_padding(self) -> ops.Padding:
        """The padding as :func:`convbook.geometry.axis_geometry` takes it."""
        return self.zeros if self.padding == "explicit" else self.padding

    def _range_problem(self) -> str:
        """The message for a setting outside the controls' ranges (and the Keras table's)."""
        if self.padding not in PADDINGS:
            return (
                "The padding is 'valid', 'same', 'full' or 'explicit', "
                f"not {self.padding!r}."
            )
        for setting, label, low, high in LIMITS:
            value = getattr(self, setting)
            if setting == "zeros" and self.padding != "explicit":
                continue
            if not low <= value <= high:
                return (
                    f"This explorer's {label} goes from {low} to {high}, so {value} is out of "
                    "range."
                )
        return ""

    def _geometry(self) -> AxisGeometry:
        """The windows for the current settings; ``ValueError`` with the explorer's message."""
        problem = self._range_problem()
        if problem:
            raise ValueError(problem)
        return axis_geometry(self.input_size, self.kernel_size, self.stride, self.chosen_padding())

    def keras_size(self) -> int | None:
        """Keras' output size for the current (possible) settings, from the table."""
        padding = str(self.zeros) if self.padding == "explicit" else self.padding
        p = self.keras_paddings.index(padding)
        size = int(self.table[p, self.input_size - 1, self.kernel_size - 1, self.stride - 1])
        return size or None

    # -- Explorer interface -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        return {
            "input_size": self.input_size,
            "kernel_size": self.kernel_size,
            "padding": self.chosen_padding(),
            "stride": self.stride,
            "window": self.window,
        }

    def check(self) -> str:
        try:
            g = self._geometry()
        except ValueError as problem:
            return str(problem)
        return window_problem(self.window, g.output_size)

    def reference(self) -> dict[str, Any]:
        """The numbers, captions, labels and text lines of the picture, from axis_geometry."""
        message = self.check()
        if message:
            return {"message": message}
        g = self._geometry()
        i, k, n, o, window = g.input_size, g.kernel_size, g.padded_size, g.output_size, self.window
        chosen = max(window - 1, 0)  # window 0 outlines the first window under the dots
        row, col = divmod(chosen, o)
        top, left = g.starts[row], g.starts[col]
        visited = int(g.visited.sum())
        keras = self.keras_size()
        padding = self.chosen_padding()
        pad_note = (
            "no padding" if g.before == g.after == 0
            else f"{_plural(g.before, 'zero')} before the input (top and left), {g.after} after "
            "it (bottom and right)"
        )
        shown = "no output" if keras is None else f"(None, {keras}, {keras}, 1)"
        verdict = "agrees with the formula" if keras == o else "DISAGREES with the formula"
        if window:
            marks = (
                f"window {window} of {o * o} outlined, over padded rows {top} to {top + k - 1} "
                f"and columns {left} to {left + k - 1}"
            )
            output_caption = f"output {o}x{o}, window {window} fills pixel ({row}, {col})"
            output_label = (
                f"The {o} by {o} output, pixel ({row}, {col}) marked: the output of window "
                f"{window}."
            )
        else:
            marks = (
                f"{_plural(o * o, 'window position')}, each marked by a dot at its centre, "
                "the first one outlined"
            )
            output_caption = f"output {o}x{o}"
            output_label = f"The {o} by {o} output."
        input_label = (
            f"A {i} by {i} input padded to {n} by {n} with zeros; "
            f"{_plural(i * i - visited * visited, 'pixel')} never in a window; {marks}."
        )
        starts_line = (
            f"window starts: {', '.join(map(str, g.starts))} (padded coordinates); "
            f"{_plural(g.leftover, 'pixel')} left over after the last window"
        )
        missed_line = "rows and columns never in a window: " + (
            ", ".join(map(str, g.unvisited)) or "none"
        )
        keras_line = (
            f"Keras: {keras_spelling('conv', k, g.stride, padding)} maps "
            f"(None, {i}, {i}, 1) to {shown}: {verdict}"
        )
        return {
            "message": "",
            "before": g.before,
            "after": g.after,
            "padded": n,
            "output": o,
            "starts": list(g.starts),
            "leftover": g.leftover,
            "unvisited": list(g.unvisited),
            "coverage": coverage(g).ravel().tolist(),
            "outlined": [top, left],
            "marked": [row, col] if window else None,
            "dots": 0 if window else o * o,
            "keras": keras,
            "agrees": keras == o,
            "captions": [f"input {i}x{i}, padded {n}x{n}", output_caption],
            "labels": [input_label, output_label],
            "lines": [
                f"padding: {pad_note}", formula_text(g), starts_line, missed_line, keras_line,
            ],
        }
