"""The model explorer: a test digit's probabilities and feature maps, computed in the browser.

The page holds the trained weights once (a :class:`~convbook.explorers.network.Network` widget)
and the pixels of a chosen set of test digits; ``model.js`` runs the chosen digit through the
network (``convnet.js``) at every change and draws it. This class holds the digits and the
settings, and computes with Keras what the page must show, for the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets
import numpy as np
import traitlets

from convbook.activations import layer_activations
from convbook.explorers.base import Explorer, bundle, decode_array, encode_array
from convbook.explorers.network import Network, network_for

__all__ = ["ModelExplorer", "describe_digits"]

#: The layer kinds whose output the explorer draws as feature maps.
_MAP_KINDS = ("conv", "maxpool", "avgpool")


def describe_digits(indices: Sequence[int], mistakes: Sequence[int]) -> str:
    """Which test digits a page holds, in a few words (``indices`` sorted, without repeats).

    >>> describe_digits([0, 1, 2, 7, 9], [7, 9])
    'test digits 0 to 2 and 2 more that the model gets wrong (7, 9)'
    """
    run = 0
    while run < len(indices) and indices[run] == run:
        run += 1
    others = [int(index) for index in indices[run:]]
    start = "test digit 0" if run == 1 else f"test digits 0 to {run - 1}"
    if not others:
        return start
    listed = ", ".join(map(str, others[:3])) + (", ..." if len(others) > 3 else "")
    wrong = {int(index) for index in mistakes}
    kind = " that the model gets wrong" if all(index in wrong for index in others) else ""
    noun = "test digit" if len(others) == 1 else "test digits"
    if run == 0:
        return f"{len(others)} {noun}{kind} ({listed})"
    return f"{start} and {len(others)} more{kind} ({listed})"



def held_digits(
    images: np.ndarray, labels: Sequence[int] | np.ndarray, indices: Sequence[int] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The test digits a page holds: their sorted indices and their ``(n, 28, 28)`` uint8 pixels.

    ``images`` are the whole test set, uint8 or floats in [0, 1] (rounded to the 256 grey levels
    the page stores), with or without a channel axis.

    Raises:
        ValueError: for a wrong shape, a label count that differs, no or out-of-range indices.
    """
    pixels = np.asarray(images)
    if pixels.ndim == 4 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim != 3 or pixels.shape[1:] != (28, 28):
        raise ValueError(f"expected test digits of shape (n, 28, 28), got {pixels.shape}")
    if len(labels) != len(pixels):
        raise ValueError(f"{len(pixels)} images but {len(labels)} labels")
    chosen = np.unique(np.asarray(indices, dtype=np.int64))
    if chosen.size == 0:
        raise ValueError("choose at least one test digit for the page to hold")
    if chosen[0] < 0 or chosen[-1] >= len(pixels):
        raise ValueError(f"indices must lie between 0 and {len(pixels) - 1}")
    if pixels.dtype.kind == "f":
        if pixels.min() < 0 or pixels.max() > 1:
            raise ValueError("float images must lie in [0, 1]; pass uint8 images as they are")
        pixels = np.rint(pixels * 255)
    return chosen, pixels[chosen].astype(np.uint8)


class ModelExplorer(Explorer):
    """Pick a test digit (or step through the model's mistakes), a layer and a channel range.

    The explorer shows the digit, the model's ten probabilities and the chosen layer's feature
    maps, computed in the browser from the digit's pixels and the trained weights. Only the
    digits in ``indices`` travel with the page (784 bytes each); the explorer offers those.

    Args:
        model: the trained convnet (conv, pooling, flatten and dense layers).
        images: the test set, ``(n, 28, 28)`` or ``(n, 28, 28, 1)``: ``uint8`` 0-255 or floats
            in [0, 1] (stored as the nearest 0-255 level).
        labels: the test set's labels.
        indices: which test digits the page holds (sorted, repeats dropped). The explorer's
            "mistakes" are the ones among them that the model gets wrong.
        layer: the layer shown first (the first convolution by default).
        channels: the first and last channel shown first (inclusive).
    """

    _esm = bundle("model.js")
    colour_maps = ("gray_r", "viridis")

    network = traitlets.Instance(Network).tag(sync=True, **ipywidgets.widget_serialization)
    images = traitlets.Unicode().tag(sync=True)
    indices = traitlets.List(traitlets.Int()).tag(sync=True)
    labels = traitlets.List(traitlets.Int()).tag(sync=True)
    mistakes = traitlets.List(traitlets.Int()).tag(sync=True)
    cached = traitlets.Unicode().tag(sync=True)
    max_channels = traitlets.Int(16).tag(sync=True)

    show = traitlets.Unicode("digit").tag(sync=True)
    digit = traitlets.Int(0).tag(sync=True)
    mistake = traitlets.Int(0).tag(sync=True)
    layer = traitlets.Unicode().tag(sync=True)
    first = traitlets.Int(0).tag(sync=True)
    last = traitlets.Int(7).tag(sync=True)

    def __init__(
        self,
        model: Any,
        images: np.ndarray,
        labels: Sequence[int] | np.ndarray,
        indices: Sequence[int] | np.ndarray,
        *,
        layer: str | None = None,
        channels: tuple[int, int] = (0, 7),
    ) -> None:
        chosen, levels = held_digits(images, labels, indices)
        network = network_for(model)
        maps = [entry["name"] for entry in network.layers if entry["kind"] in _MAP_KINDS]
        if not maps:
            raise ValueError("the model has no convolution or pooling layer to show")
        truth = np.asarray(labels)[chosen].astype(int)
        answers = network.keras_model().predict_on_batch(_as_input(levels)).argmax(axis=1)
        mistakes = [int(index) for index in chosen[answers != truth]]
        super().__init__(
            network=network,
            images=encode_array(levels, "uint8"),
            indices=[int(index) for index in chosen],
            labels=[int(label) for label in truth],
            mistakes=mistakes,
            cached=describe_digits(chosen.tolist(), mistakes),
            digit=int(chosen[0]),
            layer=layer or maps[0],
            first=channels[0],
            last=channels[1],
        )

    @classmethod
    def from_state(cls, state: dict[str, Any], network: Network | None = None) -> ModelExplorer:
        """The explorer a saved widget state describes, with the network it refers to.

        ``state["network"]`` is ``"IPY_MODEL_<id>"``; give that widget's own saved state to
        :meth:`Network.from_state` and pass the result as ``network``.
        """
        if network is None:
            raise ValueError(f"pass the Network that {state.get('network')!r} refers to")
        explorer = super().from_state({**state, "network": network})
        assert isinstance(explorer, ModelExplorer)
        return explorer

    def _restore(self) -> None:
        # The digits as the page decodes them, and the layers it can show (name -> depth).
        count = len(self.indices)
        self.pixels = decode_array(self.images, "uint8", (count, 28, 28))
        self.depths = {
            entry["name"]: entry["output_shape"][-1]
            for entry in self.network.layers if entry["kind"] in _MAP_KINDS
        }

    @traitlets.observe("layer")
    def _follow_the_depth(self, change: dict) -> None:
        # A working channel range that the new layer cannot hold slides down to its last
        # channels, keeping its width (model.js does the same when the reader picks a layer).
        depths = getattr(self, "depths", {})  # not known yet while the explorer is built
        old, new = depths.get(change["old"]), depths.get(change["new"])
        if old is None or new is None or not 0 <= self.first <= self.last < old:
            return
        if self.last >= new:
            width = self.last - self.first
            self.last = new - 1
            self.first = max(0, self.last - width)

    # -- Explorer interface -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        chosen = {"digit": self.digit} if self.show == "digit" else {"mistake": self.mistake}
        return {**chosen, "layer": self.layer, "channels": (self.first, self.last)}

    def current_digit(self) -> int:
        """The test-set index of the digit the settings point at.

        Raises:
            ValueError: with the message the page shows, if the settings point at none.
        """
        if self.show == "mistakes":
            count = len(self.mistakes)
            if count == 0:
                raise ValueError(
                    "The model gets every digit in this page right, so there are no mistakes "
                    "to step through: show a test digit instead."
                )
            if not 0 <= self.mistake < count:
                numbered = f"numbered 0 to {count - 1}" if count > 1 else "numbered 0"
                raise ValueError(
                    f"There is no mistake {self.mistake}: the model gets {count} of the digits "
                    f"in this page wrong, {numbered}."
                )
            return self.mistakes[self.mistake]
        if self.show != "digit":
            raise ValueError(f"Show 'digit' or 'mistakes', not '{self.show}'.")
        if self.digit not in self.indices:
            raise ValueError(
                f"Test digit {self.digit} is not in this page, which holds {self.cached}. "
                "To see any other test digit, run the notebook and give ModelExplorer its index."
            )
        return self.digit

    def check(self) -> str:
        try:
            self.current_digit()
            self._channels()
        except ValueError as problem:
            return str(problem)
        return ""

    def _channels(self) -> int:
        """The chosen layer's depth, once the layer and channel range are known to fit it."""
        if self.layer not in self.depths:
            raise ValueError(
                f"This model has no feature-map layer '{self.layer}': choose one of "
                f"{', '.join(self.depths)}."
            )
        depth, first, last = self.depths[self.layer], self.first, self.last
        if first < 0:
            raise ValueError("Channels are numbered from 0: choose a first channel of 0 or more.")
        if last >= depth:
            raise ValueError(
                f"Layer {self.layer} has {depth} channels, numbered 0 to {depth - 1}: choose "
                f"channels up to {depth - 1}."
            )
        if first > last:
            raise ValueError(
                f"The first channel ({first}) comes after the last ({last}): choose a first "
                "channel no larger than the last."
            )
        if last - first + 1 > self.max_channels:
            raise ValueError(
                f"That is {last - first + 1} channels; the explorer draws at most "
                f"{self.max_channels} at a time, so narrow the range."
            )
        return depth

    def activations(self) -> dict[str, np.ndarray]:
        """Every cached digit's feature maps and probabilities, from Keras.

        Computed once for the network's current weights (a new Keras model when they change).
        """
        model = self.network.keras_model()
        known = getattr(self, "_activations", None)
        if known is None or known[0] is not model:
            outputs = layer_activations(model, _as_input(self.pixels), list(self.depths))
            self._activations = (model, outputs)
        return self._activations[1]

    def reference(self) -> dict[str, Any]:
        """What the page shows for the current settings, computed with Keras.

        The maps of the chosen channels are summarised by their largest and mean values; the
        first chosen channel is given in full (``sample``), as in the page's result.
        """
        message = self.check()
        if message:
            return {"message": message}
        test_index = self.current_digit()
        spot = self.indices.index(test_index)
        outputs = self.activations()
        probabilities = outputs["probabilities"][spot].astype(float)
        maps = outputs[self.layer][spot].astype(float)
        height, width, depth = maps.shape
        label = self.labels[spot]
        answer = int(probabilities.argmax())
        vmax = float(maps.max()) or 1.0
        shown = maps[:, :, self.first : self.last + 1]
        verdict = "right" if answer == label else "wrong"
        layer_caption = (
            f"{self.layer} outputs {height}×{width}×{depth} feature maps: channels {self.first} "
            f"to {self.last} of this digit, on one colour scale for the whole layer, from 0 "
            f"(dark) to {vmax:.2f} (yellow)."
        )
        return {
            "message": "",
            "digit": test_index,
            "label": label,
            "answer": answer,
            "probabilities": probabilities.tolist(),
            "shape": [height, width, depth],
            "vmax": vmax,
            "maxima": shown.max(axis=(0, 1)).tolist(),
            "means": shown.mean(axis=(0, 1)).tolist(),
            "sample": shown[:, :, 0].ravel().tolist(),
            "captions": [
                f"test digit {test_index}: a {label}",
                f"the model says {answer} ({probabilities[answer]:.0%}): {verdict}",
                layer_caption,
            ],
        }


def _as_input(levels: np.ndarray) -> np.ndarray:
    """0-255 levels -> the model's ``(n, 28, 28, 1)`` float32 input, as the page computes it."""
    return (np.asarray(levels, dtype=np.float32) / np.float32(255))[..., np.newaxis]
