"""Pixel grids drawn as SVG text, for the interactive explorers.

Redrawing a matplotlib figure takes tens of milliseconds; building a few hundred ``<rect>``
elements as text takes about one. An explorer shows these strings in an ``ipywidgets.HTML``, so its
callbacks feel immediate in Jupyter, and the last view is saved with the notebook's widget state so
the HTML book shows it too.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np

__all__ = ["Box", "grid_svg", "side_by_side"]


@dataclass(frozen=True)
class Box:
    """A rectangle drawn over grid cells: a window, a patch, a padded border."""

    row: int
    col: int
    height: int = 1
    width: int = 1
    stroke: str = "#d62728"
    fill: str = "none"
    fill_opacity: float = 0.25
    stroke_width: float = 2.0
    dashed: bool = False


def _colours(
    values: np.ndarray, cmap: str, vmin: float, vmax: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's fill as ``#rrggbb`` and its luminance (0 dark to 1 light)."""
    span = vmax - vmin if vmax > vmin else 1.0
    scaled = np.clip((values - vmin) / span, 0.0, 1.0)
    rgb = matplotlib.colormaps[cmap](np.nan_to_num(scaled))[..., :3]
    luminance = rgb @ np.array([0.299, 0.587, 0.114])
    channels = np.round(rgb * 255).astype(int)
    hexes = np.array(
        [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in channels.reshape(-1, 3)], dtype=object
    ).reshape(values.shape)
    return hexes, luminance


def grid_svg(
    values: np.ndarray,
    *,
    label: str,
    cell: int = 12,
    cmap: str = "gray_r",
    vmin: float | None = None,
    vmax: float | None = None,
    missing_colour: str = "#f4f4f4",
    boxes: Iterable[Box] = (),
    numbers: str | Callable[[float], str] | None = None,
    font_size: int | None = None,
    gridlines: bool = True,
    overlay: Iterable[str] = (),
) -> str:
    """Draw a 2-D array as an SVG grid of coloured cells.

    Args:
        values: ``(rows, cols)`` array; ``nan`` cells are drawn in ``missing_colour`` (for
            example output pixels not computed yet).
        label: what the picture shows, read out by screen readers (``aria-label`` and
            ``<title>``).
        cell: cell size in pixels.
        cmap: matplotlib colour map name.
        vmin, vmax: value range of the colour map (default: the finite values' range).
        boxes: rectangles drawn on top, in order.
        numbers: a format string such as ``"{:.0f}"``, or a function of the value, to print
            each value in its cell, in black or white, whichever reads better on the cell.
        font_size: size of those numbers (default: from the cell size).
        gridlines: draw thin lines between cells.
        overlay: further SVG elements (dots, labels) drawn last, in grid pixel coordinates.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"grid_svg draws 2-D arrays, got shape {values.shape}")
    rows, cols = values.shape
    finite = values[np.isfinite(values)]
    low = float(finite.min()) if vmin is None and finite.size else (vmin if vmin is not None else 0.0)
    high = float(finite.max()) if vmax is None and finite.size else (vmax if vmax is not None else 1.0)
    colours, luminance = _colours(values, cmap, low, high)
    width, height = cols * cell, rows * cell
    stroke = ' stroke="#d0d0d0" stroke-width="0.5"' if gridlines else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(label)}" '
        f'width="{width + 2}" height="{height + 2}" viewBox="-1 -1 {width + 2} {height + 2}">',
        f"<title>{html.escape(label)}</title>",
    ]
    for r in range(rows):
        for c in range(cols):
            colour = colours[r, c] if np.isfinite(values[r, c]) else missing_colour
            parts.append(
                f'<rect x="{c * cell}" y="{r * cell}" width="{cell}" height="{cell}" '
                f'fill="{colour}"{stroke}/>'
            )
    if numbers is not None:
        write = numbers if callable(numbers) else numbers.format
        font = font_size or max(6, int(cell * 0.42))
        for r in range(rows):
            for c in range(cols):
                value = values[r, c]
                if not np.isfinite(value):
                    continue
                ink = "#ffffff" if luminance[r, c] < 0.5 else "#000000"
                parts.append(
                    f'<text x="{c * cell + cell / 2:.1f}" y="{r * cell + cell / 2:.1f}" '
                    f'font-size="{font}" fill="{ink}" text-anchor="middle" '
                    f'dominant-baseline="central" font-family="sans-serif">'
                    f"{html.escape(write(value))}</text>"
                )
    for box in boxes:
        dash = ' stroke-dasharray="4 2"' if box.dashed else ""
        parts.append(
            f'<rect x="{box.col * cell}" y="{box.row * cell}" width="{box.width * cell}" '
            f'height="{box.height * cell}" fill="{box.fill}" fill-opacity="{box.fill_opacity}" '
            f'stroke="{box.stroke}" stroke-width="{box.stroke_width}"{dash}/>'
        )
    parts.extend(overlay)
    parts.append("</svg>")
    return "".join(parts)


def side_by_side(panels: Sequence[tuple[str, str]]) -> str:
    """Lay out ``(caption, svg)`` panels in a row that wraps on narrow screens, as HTML."""
    figures = "".join(
        '<figure style="margin:0 1em 0.5em 0;max-width:min-content">'
        f"{svg}"
        f'<figcaption style="font-size:0.85em;text-align:center">{html.escape(caption)}'
        "</figcaption></figure>"
        for caption, svg in panels
    )
    return f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{figures}</div>'
