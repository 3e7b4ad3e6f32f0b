"""The equivariance explorer: shift a digit and see whether a layer's map moves with it.

The picture is computed and drawn by ``equivariance.js`` in the browser; this class holds the
digits and the settings, and computes with :func:`convbook.connectivity.compare_shift` (NumPy)
what the page must show, for the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets

from convbook.connectivity import LAYERS, ShiftComparison, compare_shift, describe_shift
from convbook.convolution import KERNELS
from convbook.explorers.base import Explorer, bundle, decode_array, encode_array
from convbook.style import INK_CMAP, NOT_YET_COLOUR, SIGNED_CMAP, WINDOW_COLOUR

__all__ = ["EquivarianceExplorer", "SHIFT_KERNELS", "report"]

#: The kernels the explorer offers: chapter 1's kernels with whole-number weights, so that every
#: map holds whole numbers and a difference of 0 is exactly 0, in Python as in the browser.
SHIFT_KERNELS: dict[str, np.ndarray] = {
    name: kernel for name, kernel in KERNELS.items() if np.all(kernel == np.round(kernel))
}


class EquivarianceExplorer(Explorer):
    """Shift a digit and compare the map of the shifted digit with the map of the digit, moved.

    Controls: the digit, a kernel, the layer (a convolution, a stride-2 convolution, or a
    convolution followed by 2x2 max pooling) and the shift, in rows down and columns right
    (negative: up and left); the digit can also be dragged. The four pictures are the shifted
    digit (the dashed frame shows where the image's edges went), the layer's map of the shifted
    digit, the map of the original digit moved by the same number of cells (grey where it has no
    value, because those cells come from outside the original map), and their difference. A
    sentence gives the largest difference over the cells both maps have.

    The shift sliders reach one step past the largest shift that leaves part of the digit in the
    picture, so the reader can see why there is nothing to compare then.

    Args:
        images: ``(n, height, width)`` grey-scale digits (``uint8`` 0-255).
        labels: the digit shown in each image, for the menu; ``None`` to number them only.
        kernel, layer, index, dy, dx: the settings to start with.
    """

    _esm = bundle("equivariance.js")
    colour_maps = (INK_CMAP, SIGNED_CMAP)

    images = traitlets.Unicode().tag(sync=True)
    dtype = traitlets.Unicode("uint8").tag(sync=True)
    shape = traitlets.List(traitlets.Int()).tag(sync=True)
    labels = traitlets.List(traitlets.Int()).tag(sync=True)
    kernel_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    kernel_weights = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    ink_cmap = traitlets.Unicode(INK_CMAP).tag(sync=True)
    signed_cmap = traitlets.Unicode(SIGNED_CMAP).tag(sync=True)
    no_value_colour = traitlets.Unicode(NOT_YET_COLOUR).tag(sync=True)
    frame_colour = traitlets.Unicode(WINDOW_COLOUR).tag(sync=True)

    digit = traitlets.Int(0).tag(sync=True)
    kernel = traitlets.Unicode("vertical edge").tag(sync=True)
    layer = traitlets.Unicode("convolution").tag(sync=True)
    dy = traitlets.Int(0).tag(sync=True)
    dx = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        images: np.ndarray,
        labels: Sequence[int] | np.ndarray | None = None,
        *,
        kernel: str = "vertical edge",
        layer: str = "convolution",
        index: int = 0,
        dy: int = 0,
        dx: int = 0,
    ) -> None:
        pixels = np.asarray(images)
        if pixels.ndim != 3 or 0 in pixels.shape:
            raise ValueError(f"expected images of shape (n, height, width), got {pixels.shape}")
        if min(pixels.shape[1:]) < 6:
            raise ValueError("the images must be at least 6x6 pixels")
        if pixels.dtype != np.uint8:
            raise ValueError(f"expected uint8 pixels 0-255, got {pixels.dtype}")
        if labels is not None and len(labels) != len(pixels):
            raise ValueError(f"{len(pixels)} images but {len(labels)} labels")
        if kernel not in SHIFT_KERNELS:
            raise ValueError(f"unknown kernel {kernel!r}; the kernels are {list(SHIFT_KERNELS)}")
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}; the layers are {list(LAYERS)}")
        super().__init__(
            images=encode_array(pixels, "uint8"),
            shape=list(pixels.shape),
            labels=[int(label) for label in labels] if labels is not None else [],
            kernel_names=list(SHIFT_KERNELS),
            kernel_weights=[k.ravel().tolist() for k in SHIFT_KERNELS.values()],
            digit=index,
            kernel=kernel,
            layer=layer,
            dy=dy,
            dx=dx,
        )

    def _restore(self) -> None:
        # The digits and kernels as the browser decodes them, so Python computes on the same
        # numbers.
        self.pixels = decode_array(self.images, self.dtype, self.shape).astype(float)
        self.kernels = {
            name: np.reshape(weights, (3, 3))
            for name, weights in zip(self.kernel_names, self.kernel_weights)
        }

    # -- Explorer interface -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        return {"digit": self.digit, "kernel": self.kernel, "layer": self.layer,
                "dy": self.dy, "dx": self.dx}

    def check(self) -> str:
        try:
            self._compared()
        except ValueError as problem:
            return str(problem)
        return ""

    def _compared(self):
        count = self.shape[0]
        if not 0 <= self.digit < count:
            raise ValueError(f"There is no digit #{self.digit}: choose one of #0 to #{count - 1}.")
        if self.kernel not in self.kernels:
            raise ValueError(
                f"There is no kernel '{self.kernel}': choose one of {', '.join(self.kernels)}."
            )
        return compare_shift(
            self.pixels[self.digit], self.kernels[self.kernel], self.layer, self.dy, self.dx
        )

    def reference(self) -> dict[str, Any]:
        """The numbers and texts of the picture, from
        :func:`convbook.connectivity.compare_shift`."""
        message = self.check()
        if message:
            return {"message": message}
        return {"message": "", **report(self._compared())}


def report(shown: ShiftComparison) -> dict[str, Any]:
    """What the page reports for a comparison (``reportOf`` in ``equivariance.js``): the maps
    (``None`` where the moved map has no value), the shifts, the sentence and the captions."""
    rows, cols = shown.response.shape
    (dy, dx), (ty, tx) = shown.shift, shown.output_shift
    return {
        "shifted": shown.shifted.ravel().tolist(),
        "response": shown.response.ravel().tolist(),
        "moved": [None if np.isnan(v) else float(v) for v in shown.moved.ravel()],
        "shape": [rows, cols],
        "outputShift": [ty, tx],
        "exact": shown.exact,
        "compared": shown.compared,
        "largest": shown.largest,
        "sentence": describe_shift(shown),
        "captions": [
            f"the digit shifted by ({dy}, {dx}); drag it",
            f"its map, {rows}x{cols}",
            f"the digit's map moved by ({ty}, {tx}); grey: no value",
            "difference; white: equal",
        ],
    }
