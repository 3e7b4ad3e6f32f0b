"""The book's visual language, defined once: every figure and explorer takes its colours here.

- **Signed values** (kernel weights, products, responses, gradients): one diverging map,
  :data:`SIGNED_CMAP`, always centred on zero (:func:`signed_limits`): **red is positive, blue is
  negative, white is zero**.
- **Pixels and activations**: digits as dark ink on white paper (:data:`INK_CMAP`); non-negative
  feature maps (after ReLU) in :data:`ACTIVATION_CMAP`, dark for 0.
- **Training curves**: one colour per model or variant (:data:`SERIES_COLOURS`); training data
  is a dashed line with hollow markers, validation (or test) data a solid line with filled
  markers (:func:`curve_style`).
- **Highlights** on grids: the window or patch being computed in :data:`WINDOW_COLOUR`, the
  output pixel it produces outlined in :data:`OUTPUT_COLOUR`, pixels that nothing reads (never in
  a window, dropped by pooling) in :data:`UNVISITED_COLOUR`, zero padding in
  :data:`PADDING_COLOUR`, and output pixels not computed yet in :data:`NOT_YET_COLOUR`.

The landing page's "How to read the figures" note describes the same conventions to readers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "SIGNED_CMAP",
    "INK_CMAP",
    "ACTIVATION_CMAP",
    "SERIES_COLOURS",
    "WINDOW_COLOUR",
    "OUTPUT_COLOUR",
    "UNVISITED_COLOUR",
    "PADDING_COLOUR",
    "NOT_YET_COLOUR",
    "signed_limits",
    "curve_style",
]

#: Diverging map for signed values: red positive, blue negative, white zero.
SIGNED_CMAP = "RdBu_r"
#: Grey levels of digits: 0 white paper, the largest value black ink.
INK_CMAP = "gray_r"
#: Non-negative activations: dark for 0, bright for strong responses.
ACTIVATION_CMAP = "viridis"
#: One colour per model or variant, in this order, in every chapter.
SERIES_COLOURS = ("#1f5fa8", "#e07b00", "#2a9d5c", "#8e44ad", "#c0392b", "#7f7f7f")
#: The window (or patch) being computed.
WINDOW_COLOUR = "#f28e2b"
#: The output pixel that window produces.
OUTPUT_COLOUR = "#000000"
#: Input pixels that no window reads, or that pooling drops.
UNVISITED_COLOUR = "#e45756"
#: Zeros added around the input.
PADDING_COLOUR = "#cfe0f3"
#: Output pixels not computed yet.
NOT_YET_COLOUR = "#b0b0b0"


def signed_limits(values: Any) -> tuple[float, float]:
    """``(-m, m)`` with ``m`` the largest absolute finite value (1 if there is none), so that
    zero is white under :data:`SIGNED_CMAP`."""
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    top = float(finite.max()) if finite.size else 0.0
    top = top if top > 0 else 1.0
    return -top, top


def curve_style(series: int, split: str) -> dict[str, Any]:
    """Matplotlib keyword arguments for one training curve.

    Args:
        series: which model or variant (0, 1, ...), which picks the colour.
        split: ``"training"`` (dashed, hollow markers) or ``"validation"``/``"test"`` (solid,
            filled markers).
    """
    colour = SERIES_COLOURS[series % len(SERIES_COLOURS)]
    if split == "training":
        return {"color": colour, "linestyle": "--", "marker": "o", "markerfacecolor": "white"}
    if split in ("validation", "test"):
        return {"color": colour, "linestyle": "-", "marker": "o"}
    raise ValueError(f"split must be 'training', 'validation' or 'test', got {split!r}")
