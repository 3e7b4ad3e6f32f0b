"""The digit pad: draw a digit and watch the trained convnet read it, live in the browser.

The reader draws on a grid of ``PAD_SIZE x PAD_SIZE`` cells (mouse, pen, finger or keyboard), or
picks a sample, or opens a picture file. ``digit_pad.js`` prepares the drawing the way MNIST's
digits were prepared (``preprocess.js``, the twin of :func:`convbook.digits.preprocess_digit`),
runs the network the page holds (``convnet.js``) and draws the steps, the ten probabilities and
every layer's feature maps. This class holds the drawing as a synced trait, so Python reads and
sets it (:attr:`DigitPad.ink`, :meth:`DigitPad.draw`, :meth:`DigitPad.classify`), and computes
with NumPy and Keras what the page must show (:meth:`DigitPad.reference`), for the tests.
"""

from __future__ import annotations

from typing import Any

import ipywidgets
import numpy as np
import traitlets

from convbook.activations import feature_layer_names, layer_activations
from convbook.digits import (
    DEFAULT_DRAWING,
    PreprocessedDigit,
    parse_text_art,
    preprocess_digit,
)
from convbook.explorers.base import HERE, Explorer, bundle, decode_array, encode_array
from convbook.explorers.network import Network, network_for

__all__ = [
    "CHANNELS",
    "EMPTY",
    "FLAT",
    "NO_INK",
    "PAD_SIZE",
    "SAMPLES",
    "DigitPad",
    "channel_problem",
    "text_art_ink",
]

#: Cells across the pad: twice MNIST's 28, fine enough for smooth strokes, small enough to draw.
PAD_SIZE = 56

#: How many channels of each layer the pad draws at once.
CHANNELS = 8

#: The messages the pad shows in place of the picture, word for word as ``digit_pad.js``.
EMPTY = "The pad is empty: draw a digit with the mouse, a pen or a finger, or pick a sample."
FLAT = "The whole pad is one shade, so there is no digit to find: press clear and draw one."
NO_INK = "Nothing on the pad stands out from its background: draw the digit with darker strokes."

#: The samples of the pad's buttons, as text art (see :func:`convbook.digits.parse_text_art`).
SAMPLES = {
    "3": DEFAULT_DRAWING,
    "7": """\
..............
..##########..
..##########..
..........##..
.........##...
........##....
.......##.....
.......##.....
......##......
......##......
.....##.......
.....##.......
.....##.......
..............""",
    "0": """\
..............
.....####.....
....##++##....
...##....##...
...##....##...
..##......##..
..##......##..
..##......##..
..##......##..
...##....##...
...##....##...
....##++##....
.....####.....
..............""",
    "4": """\
..............
...##.....##..
...##.....##..
..##......##..
..##......##..
..##......##..
..##########..
...#########..
..........##..
..........##..
..........##..
..........##..
..........##..
.............."""
}


#: The pad's own styles, added to the explorers' (``explorers.css``). The pad keeps its cells
#: square and sharp at any width, and takes touches as strokes rather than scrolling.
_PAD_CSS = """
.cb-pad-area {
  display: flex; flex-wrap: wrap; gap: 0.6em 1.4em; align-items: flex-start; max-width: 100%;
}
.cb-pad-side { width: 282px; max-width: 100%; }
.cb-pad-frame {
  position: relative; border: 1px solid #767676; line-height: 0; background: #ffffff;
}
.cb-explorer canvas.cb-pad {
  display: block; width: 100%; height: auto; image-rendering: pixelated;
  touch-action: none; cursor: crosshair;
}
.cb-pad-cursor {
  position: absolute; box-sizing: border-box; border: 2px solid #d55e00;
  background: rgba(213, 94, 0, 0.25); pointer-events: none;
}
.cb-pad-tools {
  display: flex; flex-direction: column; gap: 0.45em; max-width: 100%; min-width: 0;
}
.cb-pad-buttons { display: flex; flex-wrap: wrap; gap: 0.4em; align-items: center; }
.cb-pad-buttons button { min-width: 2.4em; }
.cb-file { flex-wrap: wrap; }
.cb-file input { width: 15em; max-width: 100%; font: inherit; }
.cb-pad-tools .cb-note:empty { display: none; }
.cb-steps { align-items: flex-end; }
.cb-explorer .cb-steps .cb-figure { padding: 0; }
.cb-steps figcaption { max-width: 9.5em; }
.cb-layer .cb-layer-name { margin: 0.5em 0 0.1em; }
.cb-maps { gap: 0.1em 0.5em; }
.cb-maps .cb-figure { margin: 0; }
.cb-maps figcaption { font-size: 0.75em; margin: 0; }
"""


def text_art_ink(text: str, size: int = PAD_SIZE) -> np.ndarray:
    """A text-art digit as pad ink: ``(size, size)`` ``uint8``, 0 paper to 255 full ink.

    Each character becomes a square block of cells, as large as the pad allows (4x4 for a
    14x14 drawing on the 56x56 pad), and the drawing is centred on the pad.

    Raises:
        ValueError: the text art is not valid (see :func:`parse_text_art`) or larger than the pad.
    """
    pixels = parse_text_art(text)
    height, width = pixels.shape
    if max(height, width) > size:
        raise ValueError(
            f"the drawing is {height}x{width} characters; the pad holds at most {size}x{size}"
        )
    block = size // max(height, width)
    blocks = np.kron(pixels, np.ones((block, block)))
    ink = np.zeros((size, size), dtype=np.uint8)
    top, left = (size - height * block) // 2, (size - width * block) // 2
    ink[top : top + height * block, left : left + width * block] = np.round(blocks * 255)
    return ink


def _pad_ink(drawing: str | np.ndarray, size: int) -> np.ndarray:
    """Text art, or an array of ink (``uint8`` 0-255, or floats in [0, 1]), as pad ink."""
    if isinstance(drawing, str):
        return text_art_ink(drawing, size)
    ink = np.asarray(drawing)
    if ink.shape != (size, size):
        raise ValueError(f"the pad holds {size}x{size} cells of ink, not {ink.shape}")
    if ink.dtype == np.uint8:
        return ink.copy()
    if ink.dtype.kind not in "uif" or not np.all((ink >= 0) & (ink <= 1)):
        raise ValueError("ink is uint8 (0 to 255) or floats from 0 (paper) to 1 (full ink)")
    return np.round(ink.astype(np.float64) * 255).astype(np.uint8)


def channel_problem(first: int, depth: int, count: int = CHANNELS) -> str:
    """The message for a first channel that leaves the shallowest layer (``depth`` channels)
    without ``count`` channels to show, or ``""``."""
    last = depth - count
    if 0 <= first <= last:
        return ""
    return (
        f"The first channel shown must be from 0 to {last}: the smallest layer has {depth} "
        f"channels, and the pad shows {count} of each."
    )


class DigitPad(Explorer):
    """Draw a digit and see how the trained convnet classifies it, every step in the browser.

    The pad shows what you drew, the digit cropped to its ink and scaled to a 20-pixel box, the
    28x28 image the model receives, its ten probabilities, and :data:`CHANNELS` feature maps of
    each of its convolution and pooling layers.

    Args:
        model: the trained Keras convnet (its weights go to the page once, see
            :func:`convbook.explorers.network.network_for`).
        drawing: what the pad starts with: text art (:func:`convbook.digits.parse_text_art`)
            or a ``(PAD_SIZE, PAD_SIZE)`` array of ink.
        first_channel: the first of the channels shown of each layer.
    """

    _esm = bundle("digit_pad.js")
    _css = traitlets.Unicode(
        (HERE / "explorers.css").read_text(encoding="utf-8") + _PAD_CSS
    ).tag(sync=True)
    colour_maps = ("gray_r", "viridis")

    network = traitlets.Instance(Network).tag(sync=True, **ipywidgets.widget_serialization)
    size = traitlets.Int(PAD_SIZE).tag(sync=True)
    channels = traitlets.Int(CHANNELS).tag(sync=True)
    samples = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)
    #: The drawing: ``size * size`` bytes of ink, row by row, base64 (see :attr:`ink`).
    grid = traitlets.Unicode().tag(sync=True)
    first_channel = traitlets.Int(0).tag(sync=True)

    def __init__(
        self, model: Any, drawing: str | np.ndarray = DEFAULT_DRAWING, *, first_channel: int = 0
    ) -> None:
        super().__init__(
            network=network_for(model),
            size=PAD_SIZE,
            channels=CHANNELS,
            samples=[
                [label, encode_array(text_art_ink(text), "uint8")]
                for label, text in SAMPLES.items()
            ],
            grid=encode_array(_pad_ink(drawing, PAD_SIZE), "uint8"),
            first_channel=first_channel,
        )

    @classmethod
    def from_state(cls, state: dict[str, Any], network: Network | None = None) -> DigitPad:
        """The pad a saved widget state describes, with the network it refers to.

        ``state["network"]`` is ``"IPY_MODEL_<id>"``; give that widget's own saved state to
        :meth:`Network.from_state` and pass the result as ``network``.
        """
        if network is None:
            raise ValueError(f"pass the Network that {state.get('network')!r} refers to")
        pad = super().from_state({**state, "network": network})
        assert isinstance(pad, DigitPad)
        return pad

    # -- the drawing ----------------------------------------------------------------------------
    @property
    def ink(self) -> np.ndarray:
        """The drawing as the page holds it: ``(size, size)`` ``uint8``, 0 paper, 255 full ink."""
        return decode_array(self.grid, "uint8", (self.size, self.size))

    def draw(self, drawing: str | np.ndarray) -> None:
        """Replace the drawing with text art or an array of ink; the page redraws."""
        self.grid = encode_array(_pad_ink(drawing, self.size), "uint8")

    def picture(self) -> np.ndarray:
        """The drawing as a picture: dark ink on white paper (``uint8``), as the pad shows it."""
        return np.subtract(255, self.ink, dtype=np.uint8)

    def classify(self) -> tuple[PreprocessedDigit, np.ndarray]:
        """The drawing prepared like MNIST, and the model's ten probabilities for it.

        Raises:
            ValueError: with the pad's message, when the drawing holds no digit.
        """
        message = self._drawing_problem()
        if message:
            raise ValueError(message)
        prepared = preprocess_digit(self.picture())
        model = self.network.keras_model()
        probabilities = model.predict_on_batch(prepared.digit[np.newaxis, :, :, np.newaxis])
        return prepared, np.asarray(probabilities)[0]

    # -- Explorer interface -----------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        last = self.first_channel + self.channels - 1
        return {
            "inked_cells": int(np.count_nonzero(self.ink)),
            "channels": f"{self.first_channel}-{last}",
        }

    def _drawing_problem(self) -> str:
        ink = self.ink
        if not ink.any():
            return EMPTY
        if ink.min() == ink.max():
            return FLAT
        try:
            preprocess_digit(self.picture())
        except ValueError:
            return NO_INK
        return ""

    def _feature_layers(self) -> list[dict[str, Any]]:
        return [
            layer for layer in self.network.layers
            if layer["kind"] in ("conv", "maxpool", "avgpool")
        ]

    def check(self) -> str:
        depth = min(layer["output_shape"][2] for layer in self._feature_layers())
        return self._drawing_problem() or channel_problem(self.first_channel, depth, self.channels)

    def reference(self) -> dict[str, Any]:
        """What the page shows: the preparation (:func:`preprocess_digit`), then the network
        the page holds, run by Keras (:func:`convbook.activations.layer_activations`)."""
        message = self.check()
        if message:
            return {"message": message}
        prepared = preprocess_digit(self.picture())
        model = self.network.keras_model()
        outputs = layer_activations(model, prepared.digit[np.newaxis], feature_layer_names(model))
        probabilities = outputs.pop("probabilities")[0].astype(float)
        answer = int(probabilities.argmax())
        first, last = self.first_channel, self.first_channel + self.channels - 1
        layers = []
        for name, values in outputs.items():
            maps = values[0].astype(float)
            layers.append({
                "name": name,
                "shape": list(maps.shape),
                "vmax": float(maps.max()),
                "first": first,
                "last": last,
                "peaks": maps[:, :, first : last + 1].max(axis=(0, 1)).tolist(),
            })
        crop, scaled = prepared.cropped.shape, prepared.resized.shape
        return {
            "message": "",
            "inverted": prepared.inverted,
            "crop": list(crop),
            "scaled": list(scaled),
            "digit": prepared.digit.astype(float).ravel().tolist(),
            "probabilities": probabilities.tolist(),
            "answer": answer,
            "captions": [
                f"cropped: {crop[0]}×{crop[1]}",
                f"scaled: {scaled[0]}×{scaled[1]}",
                "centred: 28×28, what the model sees",
                f"the model says {answer} ({probabilities[answer]:.0%})",
            ],
            "layers": layers,
        }
