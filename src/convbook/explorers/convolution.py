"""The convolution explorer: slide a 3x3 window over a digit and watch one output pixel at a time.

The picture is computed and drawn by ``convolution.js`` in the browser; this class holds the
digits and the settings, and computes with :mod:`convbook.convolution` (NumPy) what the page must
show, for the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from convbook.convolution import (
    KERNEL_TEXT,
    OWN_KERNEL,
    format_number,
    parse_kernel,
    partial_response,
    response_map,
)
from convbook.explorers.base import Explorer, bundle, decode_array, encode_array
from convbook.style import (
    INK_CMAP,
    NOT_YET_COLOUR,
    OUTPUT_COLOUR,
    SIGNED_CMAP,
    WINDOW_COLOUR,
)

__all__ = ["ConvolutionExplorer"]

_SIZE = 3


class ConvolutionExplorer(Explorer):
    """Slide a window over a digit and watch one output pixel at a time being computed.

    Controls: the digit, a kernel (a preset from :data:`convbook.convolution.KERNELS` or your own
    3x3 weights typed as ``"a b c; d e f; g h i"``), and the row and column of the window's
    top-left corner. The picture shows the digit with the window, the response map filled in up
    to the window's position, and the window's arithmetic: patch, kernel, element-wise products
    and their sum.

    The position sliders reach one step past the last position where the window fits, so the
    reader can see why there is no output there.

    Args:
        images: ``(n, height, width)`` grey-scale digits (``uint8`` 0-255, or floats).
        labels: the digit shown in each image, for the menu; ``None`` to number them only.
        kernel: the preset to start with (a key of :data:`convbook.convolution.KERNEL_TEXT`).
        index, row, col: the digit and the window's top-left corner to start with.
    """

    _esm = bundle("convolution.js")
    colour_maps = (INK_CMAP, SIGNED_CMAP)

    images = traitlets.Unicode().tag(sync=True)
    dtype = traitlets.Unicode("uint8").tag(sync=True)
    shape = traitlets.List(traitlets.Int()).tag(sync=True)
    labels = traitlets.List(traitlets.Int()).tag(sync=True)
    presets = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)
    own_kernel = traitlets.Unicode(OWN_KERNEL).tag(sync=True)
    # The book's visual language (convbook.style), so the page draws as the chapters' figures do.
    ink_cmap = traitlets.Unicode(INK_CMAP).tag(sync=True)
    signed_cmap = traitlets.Unicode(SIGNED_CMAP).tag(sync=True)
    not_yet_colour = traitlets.Unicode(NOT_YET_COLOUR).tag(sync=True)
    window_colour = traitlets.Unicode(WINDOW_COLOUR).tag(sync=True)
    output_colour = traitlets.Unicode(OUTPUT_COLOUR).tag(sync=True)

    digit = traitlets.Int(0).tag(sync=True)
    kernel = traitlets.Unicode("vertical edge").tag(sync=True)
    weights = traitlets.Unicode(KERNEL_TEXT["vertical edge"]).tag(sync=True)
    row = traitlets.Int(0).tag(sync=True)
    col = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        images: np.ndarray,
        labels: Sequence[int] | np.ndarray | None = None,
        *,
        kernel: str = "vertical edge",
        index: int = 0,
        row: int = 0,
        col: int = 0,
    ) -> None:
        pixels = np.asarray(images)
        if pixels.ndim != 3 or 0 in pixels.shape:
            raise ValueError(f"expected images of shape (n, height, width), got {pixels.shape}")
        if min(pixels.shape[1:]) < _SIZE:
            raise ValueError(f"the images must be at least {_SIZE}x{_SIZE} pixels")
        if labels is not None and len(labels) != len(pixels):
            raise ValueError(f"{len(pixels)} images but {len(labels)} labels")
        if kernel not in KERNEL_TEXT:
            raise ValueError(f"unknown kernel {kernel!r}; the presets are {list(KERNEL_TEXT)}")
        whole = pixels.dtype.kind in "ui" and pixels.min() >= 0 and pixels.max() <= 255
        dtype = "uint8" if whole else "float32"
        super().__init__(
            images=encode_array(pixels, dtype),
            dtype=dtype,
            shape=list(pixels.shape),
            labels=[int(label) for label in labels] if labels is not None else [],
            presets=[[name, text] for name, text in KERNEL_TEXT.items()],
            digit=index,
            kernel=kernel,
            weights=KERNEL_TEXT[kernel],
            row=row,
            col=col,
        )

    def _restore(self) -> None:
        # The digits as the browser decodes them, so Python computes on the same numbers.
        self.pixels = decode_array(self.images, self.dtype, self.shape).astype(float)

    # -- the kernel menu and the typed weights stay in step -----------------------------------
    @traitlets.observe("kernel")
    def _preset_chosen(self, change: dict) -> None:
        if change["new"] in KERNEL_TEXT:
            self.weights = KERNEL_TEXT[change["new"]]

    @traitlets.observe("weights")
    def _weights_typed(self, change: dict) -> None:
        if self.kernel in KERNEL_TEXT and change["new"] != KERNEL_TEXT[self.kernel]:
            self.kernel = OWN_KERNEL

    # -- Explorer interface -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"digit": self.digit, "kernel": self.kernel}
        if self.kernel == OWN_KERNEL:
            shown["weights"] = self.weights
        shown.update(row=self.row, col=self.col)
        return shown

    def check(self) -> str:
        try:
            self._computed()
        except ValueError as problem:
            return str(problem)
        return ""

    def _computed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        count, height, width = self.shape
        if not 0 <= self.digit < count:
            raise ValueError(f"There is no digit #{self.digit}: choose one of #0 to #{count - 1}.")
        kernel = parse_kernel(self.weights, _SIZE)
        for axis, value, size, noun in (
            ("row", self.row, height, "rows"),
            ("column", self.col, width, "columns"),
        ):
            last = size - _SIZE
            if not 0 <= value <= last:
                raise ValueError(
                    f"A {_SIZE}x{_SIZE} window whose top-left corner is in {axis} {value} would "
                    f"cover {noun} {value} to {value + _SIZE - 1}, past the edge of the "
                    f"{size}-{axis} image. The last {axis} where it fits is {last}, which is why "
                    f"the response map has {last + 1} {noun}."
                )
        image = self.pixels[self.digit]
        return image, kernel, response_map(image, kernel)

    def reference(self) -> dict[str, Any]:
        """The numbers and captions of the picture, from :func:`convbook.ops.conv2d`."""
        message = self.check()
        if message:
            return {"message": message}
        image, kernel, response = self._computed()
        row, col = self.row, self.col
        patch = image[row : row + _SIZE, col : col + _SIZE]
        products = patch * kernel
        height, width = image.shape
        partial_response(response, row, col)  # the position is inside the map
        return {
            "message": "",
            "kernel": kernel.ravel().tolist(),
            "patch": patch.ravel().tolist(),
            "products": products.ravel().tolist(),
            "sum": float(products.sum()),
            "response": response.ravel().tolist(),
            "shape": list(response.shape),
            "captions": [
                f"input {height}x{width}, window at ({row}, {col})",
                f"response map {response.shape[0]}x{response.shape[1]} "
                "(red +, blue -, grey: not yet)",
            ],
            "cells": [[format_number(v) for v in values.ravel()] for values in (patch, kernel, products)],
        }
