"""The course's models, built in one place so that every chapter trains and counts the same ones.

The main model follows chapter 8 of Chollet's *Deep Learning with Python* (2nd ed.)::

    Input(28, 28, 1) -> Conv2D(32, 3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3, relu)
    -> MaxPooling2D(2) -> Conv2D(128, 3, relu) -> Flatten -> Dense(10, softmax)

with 104,202 parameters. :func:`build_convnet` also builds the variants the pooling chapter
compares (no downsampling, average pooling, stride-2 convolutions), :func:`build_gap_convnet`
the same convnet with a global-average-pooling head, and :func:`build_dense_network` the densely
connected baseline. :func:`multiply_adds` and
:func:`receptive_fields` compute, from the layers' shapes alone, what a forward pass costs and how
much of the input each layer sees, and :class:`EpochTimer` records how long each training
epoch takes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from convbook import silence_tensorflow

silence_tensorflow()
import keras  # noqa: E402 - TensorFlow must be imported quietly first.
from keras import layers  # noqa: E402

__all__ = [
    "Downsampling",
    "build_convnet",
    "build_gap_convnet",
    "build_dense_network",
    "compile_for_mnist",
    "EpochTimer",
    "multiply_adds",
    "LayerView",
    "receptive_fields",
    "convnet_variant",
]

#: How the convnet shrinks its feature maps between convolution blocks.
Downsampling = Literal["max", "average", "strided", "none"]

_FILTERS = (32, 64, 128)


def build_convnet(
    downsampling: Downsampling = "max", name: str | None = None
) -> keras.Model:
    """The MNIST convnet, built with the functional API.

    downsampling: "max" (the course's model: 2x2 max pooling after the
    first two convolutions), "average" (average pooling instead),
    "strided" (no pooling; the 2nd and 3rd convolutions use stride 2)
    or "none" (three plain convolutions).
    """
    if downsampling not in ("max", "average", "strided", "none"):
        raise ValueError(
            "downsampling must be 'max', 'average', 'strided' or 'none', "
            f"got {downsampling!r}"
        )
    pooling = {"max": layers.MaxPooling2D, "average": layers.AveragePooling2D}
    inputs = keras.Input(shape=(28, 28, 1), name="digit")
    x = inputs
    for block, filters in enumerate(_FILTERS, start=1):
        stride = 2 if downsampling == "strided" and block > 1 else 1
        x = layers.Conv2D(
            filters, 3, strides=stride, activation="relu", name=f"conv{block}"
        )(x)
        if block < len(_FILTERS) and downsampling in pooling:
            x = pooling[downsampling](2, name=f"pool{block}")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(10, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name=name or f"convnet_{downsampling}")


def build_gap_convnet(
    downsampling: Downsampling = "max", name: str | None = None
) -> keras.Model:
    """The MNIST convnet with a global-average-pooling head.

    The same convolutions and pooling as :func:`build_convnet`, but
    ``GlobalAveragePooling2D`` replaces ``Flatten``: each of conv3's
    128 maps is averaged to one number, whatever its size, so the
    classifier has (128 + 1) x 10 = 1,290 parameters instead of
    (3 x 3 x 128 + 1) x 10 = 11,530, and it no longer knows where in
    the maps a pattern was found. 93,962 parameters in all.
    """
    base = build_convnet(downsampling)
    maps = base.get_layer("flatten").input  # the last convolution's output
    x = layers.GlobalAveragePooling2D(name="gap")(maps)
    outputs = layers.Dense(10, activation="softmax", name="classifier")(x)
    return keras.Model(
        base.inputs, outputs, name=name or f"convnet_{downsampling}_gap"
    )


def build_dense_network(name: str = "dense_network") -> keras.Model:
    """The densely connected baseline: Flatten -> Dense(512, relu) -> Dense(10, softmax)."""
    inputs = keras.Input(shape=(28, 28, 1), name="digit")
    x = layers.Flatten(name="flatten")(inputs)
    x = layers.Dense(512, activation="relu", name="hidden")(x)
    outputs = layers.Dense(10, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name=name)


def compile_for_mnist(model: keras.Model) -> keras.Model:
    """Compile as the course trains every model: RMSprop, sparse categorical cross-entropy."""
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


class EpochTimer(keras.callbacks.Callback):
    """A Keras callback that records the wall-clock seconds of every training epoch.

    An epoch's time includes its validation pass. The list starts afresh at each ``fit``; the
    first epoch is usually the slowest, because TensorFlow traces the model's functions then, so
    :attr:`median` is the fairer "time per epoch".

    Args:
        clock: returns the current time in seconds (``time.perf_counter``; tests pass a fake).
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__()
        self.clock = clock
        self.seconds: list[float] = []
        self._started: float | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.seconds = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._started = self.clock()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self._started is None:
            raise RuntimeError("an epoch ended that was never seen to begin")
        self.seconds.append(self.clock() - self._started)
        self._started = None

    def _need_epochs(self) -> None:
        if not self.seconds:
            raise ValueError("no epoch has been timed yet: pass the timer to fit(callbacks=[...])")

    @property
    def total(self) -> float:
        """Seconds of all the timed epochs together."""
        self._need_epochs()
        return float(sum(self.seconds))

    @property
    def median(self) -> float:
        """The median seconds per epoch."""
        self._need_epochs()
        return float(np.median(self.seconds))


def _spatial(shape: tuple) -> tuple[int, int, int]:
    return int(shape[1]), int(shape[2]), int(shape[3])


def multiply_adds(model: keras.Model) -> dict[str, int]:
    """Multiply-adds of one forward pass, per layer, from the layer shapes (biases not counted).

    A ``Conv2D`` computes, for each of its ``out_h * out_w * filters`` outputs, a dot product of
    length ``kh * kw * in_channels``; a ``Dense`` layer ``inputs * units``. Pooling, activations
    and ``Flatten`` do comparisons or nothing and count as zero. One multiply-add is two floating-
    point operations (FLOPs).
    """
    counts: dict[str, int] = {}
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            out_h, out_w, filters = _spatial(layer.output.shape)
            kh, kw, in_channels, _ = layer.kernel.shape
            counts[layer.name] = out_h * out_w * filters * kh * kw * in_channels
        elif isinstance(layer, layers.Dense):
            inputs, units = layer.kernel.shape
            counts[layer.name] = int(inputs) * int(units)
    return counts


@dataclass(frozen=True)
class LayerView:
    """What one layer of a convnet sees of the input image.

    Attributes:
        name: the layer's name.
        size: side of the square of input pixels one output pixel depends on (receptive field).
        jump: how many input pixels apart two neighbouring output pixels are.
        output_size: the layer's output height (= width).
    """

    name: str
    size: int
    jump: int
    output_size: int


def receptive_fields(model: keras.Model) -> list[LayerView]:
    """Receptive field of every convolution and pooling layer, for a square input.

    Each layer with window ``k`` and stride ``s`` grows the field by ``(k - 1) * jump`` and
    multiplies the jump by ``s``: the recurrence of Araujo, Norris and Sim, "Computing Receptive
    Fields of Convolutional Neural Networks", Distill, 2019.
    """
    size, jump, views = 1, 1, []
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            window, stride = layer.kernel_size[0], layer.strides[0]
        elif isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D)):
            window, stride = layer.pool_size[0], layer.strides[0]
        else:
            continue
        size += (window - 1) * jump
        jump *= stride
        views.append(LayerView(layer.name, size, jump, int(layer.output.shape[1])))
    return views


def convnet_variant(
    model: keras.Model, name: str | None = None, **conv_settings: Any
) -> keras.Model:
    """A fresh, untrained copy of ``model`` with other settings for every ``Conv2D`` layer.

    For example ``convnet_variant(build_convnet(), padding="same")`` or ``kernel_size=5``. Layer
    names are kept; the new model's shapes and parameter counts follow from the new settings.

    Raises:
        ValueError: a setting ``Conv2D`` does not have, or settings that make a layer impossible
            (such as a kernel larger than its input).
    """
    if not conv_settings:
        raise ValueError("give at least one Conv2D setting to change, such as padding='same'")
    known = set(keras.layers.Conv2D(1, 1).get_config())
    unknown = sorted(set(conv_settings) - known)
    if unknown:
        raise ValueError(f"Conv2D has no setting(s) {unknown}")

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if isinstance(layer, keras.layers.Conv2D):
            config = {**config, **conv_settings}
        return type(layer).from_config(config)

    try:
        variant = keras.models.clone_model(model, clone_function=clone)
    except ValueError as problem:
        raise ValueError(f"these settings do not fit the model: {problem}") from None
    return keras.Model(variant.inputs, variant.outputs, name=name or f"{model.name}_variant")
