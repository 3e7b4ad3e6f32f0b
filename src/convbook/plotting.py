"""Figures and animations that several chapters draw, in the book's visual language.

The colours come from :mod:`convbook.style`: digits in :data:`~convbook.style.INK_CMAP`,
non-negative maps in :data:`~convbook.style.ACTIVATION_CMAP`, signed maps
(``show_maps(..., signed=True)``) in :data:`~convbook.style.SIGNED_CMAP` centred on zero.
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, Code
from matplotlib.animation import Animation
from matplotlib.figure import Figure

from convbook.style import ACTIVATION_CMAP, INK_CMAP, SIGNED_CMAP, signed_limits

__all__ = ["show_digits", "show_maps", "animation_html", "show_source"]


def show_digits(
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    *,
    columns: int = 10,
    predictions: Sequence[int] | np.ndarray | None = None,
    size: float = 1.1,
) -> Figure:
    """A grid of digits titled with their labels (and predictions, wrong ones in red).

    Args:
        images: ``(n, 28, 28)`` or ``(n, 28, 28, 1)`` pixels.
        labels: the true digit of each image.
        columns: digits per row.
        predictions: optional predicted digits; a title then reads ``"7 → 1"`` (true → predicted).
        size: inches per digit.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    count = len(images)
    if count == 0:
        raise ValueError("there are no images to show")
    rows = -(-count // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * size, rows * size * 1.15), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index >= count:
            continue
        ax.imshow(images[index], cmap=INK_CMAP)
        title, colour = f"{labels[index]}", "black"
        if predictions is not None:
            title = f"{labels[index]} → {predictions[index]}"
            colour = "black" if predictions[index] == labels[index] else "#c0392b"
        ax.set_title(title, fontsize=10, color=colour)
    fig.tight_layout()
    return fig


def show_maps(
    maps: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    columns: int | None = None,
    cmap: str | None = None,
    signed: bool = False,
    ink_panels: Sequence[int] = (),
    colorbar: bool = True,
    size: float = 2.4,
    suptitle: str | None = None,
) -> Figure:
    """Show 2-D maps (images, kernels, response maps) side by side, each with its colour bar.

    Non-negative maps (activations after ReLU) are drawn in :data:`~convbook.style.ACTIVATION_CMAP`.
    With ``signed=True`` each map is drawn in :data:`~convbook.style.SIGNED_CMAP` on a scale from
    ``-m`` to ``+m``, ``m`` its largest absolute value, so that zero is white, positive values red
    and negative ones blue in every panel. The panels listed in ``ink_panels`` (by index) are
    pictures of digits and are drawn as ink on paper (:data:`~convbook.style.INK_CMAP`, from 0
    to their largest value) whatever the rest. ``cmap`` overrides the colour map (rarely
    needed).
    """
    if len(maps) != len(titles):
        raise ValueError(f"{len(maps)} maps but {len(titles)} titles")
    columns = columns or len(maps)
    rows = -(-len(maps) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * size * 1.1, rows * size), squeeze=False
    )
    for ax in axes.flat[len(maps):]:
        ax.set_axis_off()
    cmap = cmap or (SIGNED_CMAP if signed else ACTIVATION_CMAP)
    for index, (ax, image, title) in enumerate(zip(axes.flat, maps, titles)):
        if index in ink_panels:
            panel_cmap, limits = INK_CMAP, (0.0, float(np.max(image)) or 1.0)
        else:
            panel_cmap = cmap
            limits = signed_limits(image) if signed else (None, None)
        shown = ax.imshow(np.asarray(image), cmap=panel_cmap, vmin=limits[0], vmax=limits[1])
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        if colorbar:
            fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


#: Characters for the player's buttons, which matplotlib draws with Font Awesome from a CDN.
_BUTTON_GLYPHS = {
    "fa fa-minus": "&#8722;",
    "fa fa-fast-backward": "&#9664;&#9664;",
    "fa fa-step-backward": "&#9664;&#10073;",
    "fa fa-play fa-flip-horizontal": "&#9664;",
    "fa fa-pause": "&#10073;&#10073;",
    "fa fa-play": "&#9654;",
    "fa fa-step-forward": "&#10073;&#9654;",
    "fa fa-fast-forward": "&#9654;&#9654;",
    "fa fa-plus": "+",
}


def animation_html(animation: Animation, alt: str) -> HTML:
    """Render a matplotlib animation as a self-contained HTML player and close its figure.

    The player (``to_jshtml``) needs no kernel, so the HTML book can show what an interactive
    explorer does. It needs no network either: matplotlib's link to a Font Awesome CDN for the
    button icons is replaced by plain characters. ``alt`` describes the animation for readers who
    cannot see it; the frame slider is labelled for screen readers. Closing the figure keeps Jupyter from also showing its last frame.
    """
    player = animation.to_jshtml(default_mode="once")
    plt.close(animation._fig)  # noqa: SLF001 - matplotlib keeps no public handle to the figure.
    player = re.sub(r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">', "", player)
    player = re.sub(
        r'<i class="([a-z -]+)"></i>',
        lambda icon: f'<span aria-hidden="true">{_BUTTON_GLYPHS[icon.group(1)]}</span>',
        player,
    )
    player = player.replace('<img id="', f'<img alt="{html.escape(alt)}" id="', 1)
    player = player.replace('<input id="', '<input aria-label="Frame" id="', 1)
    return HTML(player)


def show_source(obj: object) -> Code:
    """Show the source code of a helper, highlighted, so a reader sees what a call does."""
    return Code(inspect.getsource(obj), language="python")
