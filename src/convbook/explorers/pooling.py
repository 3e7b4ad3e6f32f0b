"""The pooling explorer: pool one channel of a real feature map and see every window.

The picture is computed and drawn by ``pooling.js`` in the browser; this class holds the feature
maps and the settings, and computes with :func:`convbook.pooling.pool_map` (NumPy) what the page
must show, for the tests. The texts of the picture (shape line, captions, legend) are built by
the small functions below and by their twins in ``pooling.js``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import traitlets

from convbook.explorers.base import Explorer, bundle, decode_array, encode_array
from convbook.pooling import Pooled, PoolMode, compact_number, pool_map
from convbook.style import ACTIVATION_CMAP, OUTPUT_COLOUR, UNVISITED_COLOUR, WINDOW_COLOUR

__all__ = ["PoolingExplorer"]

#: Width of each picture, in pixels: the two fit side by side in the book's column.
PANEL = 260
#: The smallest output cell, in pixels, with room for a printed value.
PRINTED = 18


def values_printed(rows: int, cols: int) -> bool:
    """Whether the cells of a ``rows x cols`` output (``PANEL // side`` pixels, at most 30, as
    ``cellSizes`` in ``pooling.js`` draws them) have room for printed values."""
    return min(30, PANEL // max(rows, cols)) >= PRINTED


def _last(count: int, noun: str) -> str:
    return f"the last {noun}" if count == 1 else f"the last {count} {noun}s"


def ignored_sentence(rows_left: int, cols_left: int) -> str:
    """The sentence about the rows and columns no window covers (``""`` when there are none)."""
    parts = [_last(n, noun) for n, noun in ((rows_left, "row"), (cols_left, "column")) if n]
    if not parts:
        return ""
    one = len(parts) == 1 and max(rows_left, cols_left) == 1
    verb = "falls in no window and is" if one else "fall in no window and are"
    text = " and ".join(parts)
    return f"{text[0].upper()}{text[1:]} {verb} ignored (red)."


def summary(height: int, width: int, pooled: Pooled, mode: str) -> str:
    """The shape line: input and output shape, the windows, and what they leave out."""
    rows, cols = pooled.output.shape
    count = rows * cols
    windows = "window" if count == 1 else "windows"
    size = pooled.pool_size
    line = (
        f"{height}x{width} → {rows}x{cols}: {count} {windows} of {size}x{size}, "
        f"stride {pooled.stride}, {mode} pooling."
    )
    left = ignored_sentence(height - pooled.covered[0], width - pooled.covered[1])
    return f"{line} {left}" if left else line


def legend(mode: str) -> str:
    """What the colours of the outlines and dots mean (the book's visual language)."""
    kept = "; black dots: the pixel each window keeps" if mode == "max" else ""
    return f"white: the windows; orange: the first window; black: its output pixel{kept}"


class PoolingExplorer(Explorer):
    """Pool a real feature map with any pool size, stride and mode, and see every window.

    The left picture is one channel of a layer's response map with every pooling window drawn
    on it (the first one in orange), the rows and columns no window covers in red, and, for max
    pooling, a black dot on the pixel each window keeps. The right picture is the pooled map on
    the same colour scale, its first pixel outlined in black, with its values printed when there
    is room. A line of text gives the output shape. The colours are the book's
    (:mod:`convbook.style`).

    The sliders follow the chosen layer: the channel runs over its channels, the pool size to
    one past the largest pool that fits (so the reader can see why there is no output then), the
    stride from 0 (impossible, with its message) to the side of the map. Choosing another layer
    brings the channel, the pool size and the stride into its ranges.

    Args:
        maps: ``{layer name: (height, width, channels) response map}``, computed once (see
            :func:`convbook.pooling.response_maps`); the explorer sends them to the browser as
            ``float32`` and only pools them.
        layer, channel, pool_size, stride, mode: the initial settings (``layer=None``: the
            first map).
    """

    _esm = bundle("pooling.js")
    colour_maps = (ACTIVATION_CMAP,)
    activation_cmap = traitlets.Unicode(ACTIVATION_CMAP).tag(sync=True)
    colours = traitlets.Dict(
        {"window": WINDOW_COLOUR, "output": OUTPUT_COLOUR, "unvisited": UNVISITED_COLOUR}
    ).tag(sync=True)

    layer_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    shapes = traitlets.List(traitlets.List(traitlets.Int())).tag(sync=True)
    maps = traitlets.List(traitlets.Unicode()).tag(sync=True)

    layer = traitlets.Unicode().tag(sync=True)
    channel = traitlets.Int(0).tag(sync=True)
    pool_size = traitlets.Int(2).tag(sync=True)
    stride = traitlets.Int(2).tag(sync=True)
    mode = traitlets.Unicode("max").tag(sync=True)

    def __init__(
        self,
        maps: Mapping[str, np.ndarray],
        *,
        layer: str | None = None,
        channel: int = 0,
        pool_size: int = 2,
        stride: int = 2,
        mode: PoolMode = "max",
    ) -> None:
        if not maps:
            raise ValueError("Give at least one response map.")
        arrays = {name: np.asarray(fmap) for name, fmap in maps.items()}
        for name, fmap in arrays.items():
            if fmap.ndim != 3 or 0 in fmap.shape:
                raise ValueError(
                    f"The map {name!r} must be (height, width, channels), not {fmap.shape}."
                )
        layer = next(iter(arrays)) if layer is None else layer
        if layer not in arrays:
            raise ValueError(f"There is no map {layer!r}: the maps are {list(arrays)}.")
        super().__init__(
            layer_names=list(arrays),
            shapes=[list(fmap.shape) for fmap in arrays.values()],
            maps=[encode_array(fmap, "float32") for fmap in arrays.values()],
            layer=layer,
            channel=channel,
            pool_size=pool_size,
            stride=stride,
            mode=mode,
        )

    def _restore(self) -> None:
        # The maps as the browser decodes them (float32), so Python pools the same numbers.
        self.arrays = {
            name: decode_array(text, "float32", shape)
            for name, text, shape in zip(self.layer_names, self.maps, self.shapes)
        }

    @traitlets.observe("layer")
    def _keep_settings_in_range(self, change: dict) -> None:
        # Another layer may have fewer channels or a smaller map: the JavaScript does the same
        # when the reader picks a layer, so both sides agree on the settings.
        if change["new"] in self.layer_names:
            height, width, channels = self.shapes[self.layer_names.index(change["new"])]
            self.channel = min(self.channel, channels - 1)
            self.pool_size = min(self.pool_size, min(height, width))
            self.stride = min(self.stride, min(height, width))

    # -- Explorer interface -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "channel": self.channel,
            "pool_size": self.pool_size,
            "stride": self.stride,
            "mode": self.mode,
        }

    def check(self) -> str:
        try:
            self._pooled()
        except ValueError as problem:
            return str(problem)
        return ""

    def current_map(self) -> np.ndarray:
        """The 2-D map being pooled: the chosen channel of the chosen layer.

        Raises:
            ValueError: for a layer or channel that does not exist (the explorer's message).
        """
        if self.layer not in self.arrays:
            raise ValueError(
                f"There is no layer '{self.layer}': choose one of {', '.join(self.layer_names)}."
            )
        fmap = self.arrays[self.layer]
        channels = fmap.shape[2]
        if not 0 <= self.channel < channels:
            which = "only channel 0" if channels == 1 else f"channels 0 to {channels - 1}"
            raise ValueError(
                f"The {self.layer} map has {which}: there is no channel {self.channel}."
            )
        return fmap[:, :, self.channel]

    def _pooled(self) -> tuple[np.ndarray, Pooled]:
        values = self.current_map()
        return values, pool_map(values, self.pool_size, self.stride, self.mode)

    def reference(self) -> dict[str, Any]:
        """The numbers and texts of the picture, from :func:`convbook.pooling.pool_map`."""
        message = self.check()
        if message:
            return {"message": message}
        values, pooled = self._pooled()
        height, width = values.shape
        rows, cols = pooled.output.shape
        what = "max" if self.mode == "max" else "mean"
        return {
            "message": "",
            "output": pooled.output.ravel().tolist(),
            "shape": [rows, cols],
            "kept": None if pooled.kept is None else pooled.kept.reshape(-1, 2).tolist(),
            "covered": list(pooled.covered),
            "ignored": [height - pooled.covered[0], width - pooled.covered[1]],
            "summary": summary(height, width, pooled, self.mode),
            "captions": [
                f"{self.layer} channel {self.channel}, {height}x{width}",
                f"output {rows}x{cols}, the {what} of each window",
            ],
            "legend": legend(self.mode),
            "cells": (
                [compact_number(v) for v in pooled.output.ravel()]
                if values_printed(rows, cols) else []
            ),
        }
