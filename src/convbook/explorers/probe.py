"""The probe explorer: move a test digit or hide part of it, and watch what the convnet makes of it.

The page holds the trained weights of one or more convnets (one
:class:`~convbook.explorers.network.Network` widget each, shared with any other explorer of the
same model) and the pixels of a chosen set of test digits. ``probe.js`` shifts the chosen digit
or paints a grey patch on it, runs it through the chosen network (``convnet.js``), and draws the
digit the model sees, its ten probabilities, the Grad-CAM class-activation map of the last
convolution and the class score split by position (the score map). This class holds the digits
and the settings, and computes with Keras (TensorFlow's gradients for the maps) what the page
must show, for the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets
import numpy as np
import traitlets

from convbook.explorers.base import Explorer, bundle, decode_array, encode_array
from convbook.explorers.model import describe_digits, held_digits
from convbook.explorers.network import Network, network_for
from convbook.style import ACTIVATION_CMAP, INK_CMAP, SIGNED_CMAP

__all__ = ["ProbeExplorer", "TARGETS", "shift_problem", "patch_problem"]

_SIDE = 28
#: What the class-activation map can be computed for: the model's answer, the true digit, or a
#: digit named by the reader.
TARGETS = ("answer", "truth", *(str(digit) for digit in range(10)))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def shift_problem(digit: int, margins: Sequence[int], down: int, right: int) -> str:
    """The message for moving test digit ``digit`` by ``down`` rows and ``right`` columns, or "".

    ``margins`` are the digit's blank rows above and below and blank columns left and right
    (:func:`convbook.inspection.ink_margins`): a move that would push ink off the image is
    refused, since it would no longer show the whole digit.
    """
    up_room, down_room, left_room, right_room = (int(m) for m in margins)
    for amount, room, blank, where, toward in (
        (down, down_room, "blank row", "below", "down"),
        (-down, up_room, "blank row", "above", "up"),
        (right, right_room, "blank column", "to the right of", "to the right"),
        (-right, left_room, "blank column", "to the left of", "to the left"),
    ):
        if amount > room:
            limit = (
                f"move it at most {_count(room, 'pixel')} {toward}"
                if room
                else f"it cannot move {toward} at all"
            )
            return (
                f"Test digit {digit} has {_count(room, blank)} {where} its ink, so moving it "
                f"{_count(amount, 'pixel')} {toward} would push ink off the image: {limit}."
            )
    return ""


def patch_problem(size: int, top: int, left: int, side: int = _SIDE) -> str:
    """The message for a ``size`` x ``size`` patch with its top-left corner at (top, left)."""
    if size < 1:
        return "A patch must be at least 1 pixel wide: choose a size of 1 or more."
    if size > side:
        return f"A patch wider than {side} pixels cannot fit in the {side}x{side} image."
    last = side - size
    for axis, value, plural in (("row", top, "rows"), ("column", left, "columns")):
        if not 0 <= value <= last:
            return (
                f"A {size}x{size} patch whose top-left corner is in {axis} {value} would cover "
                f"{plural} {value} to {value + size - 1}, past the edge of the {side}-pixel "
                f"image: the last {axis} where it fits is {last}."
            )
    return ""


class ProbeExplorer(Explorer):
    """Shift a test digit or hide part of it under a grey patch; see the probabilities and the
    class-activation map of the chosen model change.

    Controls: the model, the test digit, what to change (``"shift"`` or ``"occlude"``), the
    shift (rows ``down`` and columns ``right``, negative for up and left) or the patch (``patch``
    pixels wide, top-left corner at ``top``, ``left``), and the class the map is computed for
    (``target``: ``"answer"``, ``"truth"`` or a digit ``"0"`` to ``"9"``).

    The maps are Grad-CAM on the last convolution (Selvaraju et al., 2017) and the score map
    (:func:`convbook.inspection.score_map`), computed in the page in closed form (the head is
    ``Flatten`` then one ``Dense`` layer, linear in the last feature maps) and laid over the
    digit with :func:`convbook.inspection.upsample_cam`.

    Args:
        models: name -> trained convnet (conv, pooling, ``Flatten`` and one ``Dense`` layer).
        images: the test set, ``(n, 28, 28)`` ``uint8`` 0-255 or floats in [0, 1] (stored as the
            nearest 0-255 level), with channel axis or not.
        labels: the test set's labels.
        indices: which test digits the page holds (sorted, repeats dropped).
        fill: the grey level of the patch, from 0 (background) to 1 (full ink).
    """

    _esm = bundle("probe.js")
    colour_maps = (INK_CMAP, ACTIVATION_CMAP, SIGNED_CMAP)

    networks = traitlets.List(traitlets.Instance(Network)).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    network_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    images = traitlets.Unicode().tag(sync=True)
    indices = traitlets.List(traitlets.Int()).tag(sync=True)
    labels = traitlets.List(traitlets.Int()).tag(sync=True)
    margins = traitlets.List(traitlets.List(traitlets.Int())).tag(sync=True)
    cached = traitlets.Unicode().tag(sync=True)
    fill = traitlets.Float(0.5).tag(sync=True)
    ink_cmap = traitlets.Unicode(INK_CMAP).tag(sync=True)
    activation_cmap = traitlets.Unicode(ACTIVATION_CMAP).tag(sync=True)
    signed_cmap = traitlets.Unicode(SIGNED_CMAP).tag(sync=True)

    network = traitlets.Unicode().tag(sync=True)
    digit = traitlets.Int(0).tag(sync=True)
    change = traitlets.Unicode("shift").tag(sync=True)
    down = traitlets.Int(0).tag(sync=True)
    right = traitlets.Int(0).tag(sync=True)
    patch = traitlets.Int(6).tag(sync=True)
    top = traitlets.Int(11).tag(sync=True)
    left = traitlets.Int(11).tag(sync=True)
    target = traitlets.Unicode("answer").tag(sync=True)

    _SETTINGS = ("network", "digit", "change", "down", "right", "patch", "top", "left", "target")

    def __init__(
        self,
        models: dict[str, Any],
        images: np.ndarray,
        labels: Sequence[int] | np.ndarray,
        indices: Sequence[int] | np.ndarray,
        *,
        fill: float = 0.5,
    ) -> None:
        from convbook.inspection import ink_margins

        if not models:
            raise ValueError("give at least one model to probe")
        chosen, levels = held_digits(images, labels, indices)
        if not 0 <= fill <= 1:
            raise ValueError(f"the patch's grey level must lie in [0, 1], got {fill}")
        networks = []
        for name, model in models.items():
            network = network_for(model)
            kinds = [layer["kind"] for layer in network.layers]
            if kinds[-2:] != ["flatten", "dense"] or "conv" not in kinds:
                raise ValueError(
                    f"model {name!r} must end with a convolution, Flatten and one Dense layer"
                )
            networks.append(network)
        super().__init__(
            networks=networks,
            network_names=list(models),
            images=encode_array(levels, "uint8"),
            indices=[int(index) for index in chosen],
            labels=[int(label) for label in np.asarray(labels)[chosen]],
            margins=[list(ink_margins(level)) for level in levels],
            cached=describe_digits(chosen.tolist(), []),
            fill=float(fill),
            network=next(iter(models)),
            digit=int(chosen[0]),
        )

    @classmethod
    def from_state(
        cls, state: dict[str, Any], networks: Sequence[Network] | None = None
    ) -> ProbeExplorer:
        """The explorer a saved widget state describes, with the networks it refers to.

        ``state["networks"]`` lists ``"IPY_MODEL_<id>"`` references; give each widget's own saved
        state to :meth:`Network.from_state` and pass the results, in order, as ``networks``.
        """
        if networks is None:
            raise ValueError(f"pass the Networks that {state.get('networks')!r} refer to")
        explorer = super().from_state({**state, "networks": list(networks)})
        assert isinstance(explorer, ProbeExplorer)
        return explorer

    def _restore(self) -> None:
        self.pixels = decode_array(self.images, "uint8", (len(self.indices), _SIDE, _SIDE))
        self._cache: dict[str, Any] = {}

    # -- Explorer interface -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "network": self.network,
            "digit": self.digit,
            "change": self.change,
        }
        if self.change == "occlude":
            shown.update(patch=self.patch, top=self.top, left=self.left)
        else:
            shown.update(down=self.down, right=self.right)
        shown["target"] = self.target
        return shown

    def check(self) -> str:
        if self.network not in self.network_names:
            names = ", ".join(self.network_names)
            return f"There is no model '{self.network}': choose one of {names}."
        if self.digit not in self.indices:
            return (
                f"Test digit {self.digit} is not in this page, which holds {self.cached}. To probe "
                "any other test digit, run the notebook and give ProbeExplorer its index."
            )
        if self.change == "shift":
            spot = self.indices.index(self.digit)
            message = shift_problem(self.digit, self.margins[spot], self.down, self.right)
        elif self.change == "occlude":
            message = patch_problem(self.patch, self.top, self.left)
        else:
            message = f"Choose 'shift' or 'occlude', not '{self.change}'."
        if message:
            return message
        if self.target not in TARGETS:
            return (
                f"Compute the map for 'answer', 'truth' or a digit from 0 to 9, not "
                f"'{self.target}'."
            )
        return ""

    def seen(self) -> np.ndarray:
        """The ``(28, 28)`` image the model receives for the current settings, in [0, 1]."""
        from convbook.inspection import shift_images

        spot = self.indices.index(self.digit)
        image = (self.pixels[spot].astype(np.float32) / np.float32(255)).astype(np.float32)
        if self.change == "shift":
            return shift_images(image, self.down, self.right)
        image = image.copy()
        image[self.top : self.top + self.patch, self.left : self.left + self.patch] = self.fill
        return image

    def snapshot(self, **settings: Any) -> dict[str, Any]:
        """:meth:`reference` for other settings, leaving the explorer's own settings as they
        are: the pictures of the explorer's static counterpart.

        >>> explorer.snapshot(change="shift", right=3)["answer"]  # doctest: +SKIP
        """
        unknown = set(settings) - set(self._SETTINGS)
        if unknown:
            raise ValueError(
                f"unknown settings {sorted(unknown)}; the settings are {self._SETTINGS}"
            )
        kept = {name: getattr(self, name) for name in self._SETTINGS}
        try:
            for name, value in settings.items():
                setattr(self, name, value)
            return self.reference()
        finally:
            for name, value in kept.items():
                setattr(self, name, value)

    def _model(self) -> Any:
        network = self.networks[self.network_names.index(self.network)]
        return network.keras_model()

    def reference(self) -> dict[str, Any]:
        """What the page shows for the current settings, computed with Keras.

        The map comes from :func:`convbook.inspection.grad_cam`, TensorFlow's gradients, so the
        test compares the page's closed form with an independent computation.
        """
        from convbook.inspection import field_centres, grad_cam, score_map, upsample_cam

        message = self.check()
        if message:
            return {"message": message}
        model = self._model()
        image = self.seen()
        spot = self.indices.index(self.digit)
        label = self.labels[spot]
        probabilities = np.asarray(model.predict_on_batch(image[np.newaxis, :, :, np.newaxis]))[0]
        probabilities = probabilities.astype(float)
        answer = int(probabilities.argmax())
        target = {"answer": answer, "truth": label}.get(self.target)
        target = int(self.target) if target is None else target
        layer = self._last_conv(model)
        cams, _ = grad_cam(model, image[np.newaxis], [target], layer=layer)
        cam = cams[0]
        score = score_map(model, image[np.newaxis], [target], layer=layer)[0]
        _, _, centres = field_centres(model, layer)
        laid = upsample_cam(cam, centres, _SIDE)
        top, reach, total = float(cam.max()), float(np.abs(score).max()), float(score.sum())
        verdict = "right" if answer == label else "wrong"
        if self.change == "shift":
            done = _moved_text(self.down, self.right)
        else:
            done = (
                f"{_article(self.patch)} {self.patch}x{self.patch} grey patch at row {self.top}, "
                f"column {self.left}"
            )
        whose = {"answer": "its answer", "truth": "the true digit"}.get(self.target, "your choice")
        return {
            "message": "",
            "digit": self.digit,
            "label": label,
            "answer": answer,
            "target": target,
            "probabilities": probabilities.tolist(),
            "image": image.astype(float).ravel().tolist(),
            "cam": cam.astype(float).ravel().tolist(),
            "score": score.astype(float).ravel().tolist(),
            "camShape": list(cam.shape),
            "laid": laid.ravel().tolist(),
            "scoreLaid": upsample_cam(score, centres, _SIDE).ravel().tolist(),
            "captions": [
                f"test digit {self.digit}, a {label}: {done}",
                f"{self.network} says {answer} ({probabilities[answer]:.0%}): {verdict}",
                (
                    f"Grad-CAM of {layer} for {target} ({whose}): 0 to {top:.3f}"
                    if top > 0
                    else f"Grad-CAM of {layer} for {target} ({whose}): empty, 0 everywhere"
                ),
                f"score map for {target}: {total:.2f} in all; red for, blue against "
                f"(up to {reach:.2f})",
            ],
        }

    @staticmethod
    def _last_conv(model: Any) -> str:
        import keras

        return [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)][-1]


def _article(number: int) -> str:
    """ "a" or "an" before a whole number below 100 written in digits: an 8, an 11, an 18."""
    return "an" if str(number).startswith("8") or number in (11, 18) else "a"


def _moved_text(down: int, right: int) -> str:
    """``"moved 2 pixels down and 1 pixel to the left"``, or ``"as it is"``."""
    parts = []
    if down:
        parts.append(f"{_count(abs(down), 'pixel')} {'down' if down > 0 else 'up'}")
    if right:
        parts.append(f"{_count(abs(right), 'pixel')} to the {'right' if right > 0 else 'left'}")
    return "moved " + " and ".join(parts) if parts else "as it is"
